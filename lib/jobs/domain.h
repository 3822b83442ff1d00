/* Jobs: the work the runner does outside requests (e-mail, webhooks, VM operations),
 * their states and the rules for retrying them. Pure C. */
#ifndef VS_JOBS_DOMAIN_H
#define VS_JOBS_DOMAIN_H

#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* queued (waiting, also between retries) → running → succeeded | failed | queued again;
 * queued → cancelled. */
enum vs_job_status {
	VS_JOB_QUEUED,
	VS_JOB_RUNNING,
	VS_JOB_SUCCEEDED,
	VS_JOB_FAILED,
	VS_JOB_CANCELLED,
};

struct vs_job {
	vs_uuid id;
	bool has_tenant; /* false: a platform job */
	vs_uuid tenant_id;
	const char *kind;    /* "invitation.email" */
	const char *payload; /* a JSON object, as text */
	enum vs_job_status status;
	int attempts, max_attempts;
	int64_t run_at, created_at, started_at, finished_at; /* Unix seconds; 0: not yet */
	const char *result;     /* a JSON value as text, or NULL */
	const char *last_error; /* or NULL */
	const char *resource_type;
	bool has_resource, has_creator;
	vs_uuid resource_id, created_by;
};

/* "queued", … and back; false for anything else. */
const char *vs_job_status_name(enum vs_job_status s);
bool vs_job_status_parse(const char *s, enum vs_job_status *out);

/* A kind name is dotted lower-case words ("invitation.email"), as the table checks. */
bool vs_job_kind_valid(const char *s);

/* What a run of a job came to, as its handler says. */
enum vs_job_verdict {
	VS_JOB_DONE,	   /* succeeded */
	VS_JOB_RETRY,	   /* failed for now: again after a backoff, while attempts remain */
	VS_JOB_PERMANENT, /* failed for good: no retry */
};

/* The exponential backoff before attempt + 1, with jitter: base · 2^(attempt−1), at most
 * cap, of which a random half is taken off (so that jobs failing together do not retry
 * together). random: any 32 random bits. Milliseconds. */
int64_t vs_job_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, uint32_t random);

/* Where a run leaves the job: its next status, and for a retry when it is due (ms since
 * the epoch), no sooner than the handler asked (retry_after_ms, 0: no wish; a 429's
 * Retry-After). A retry with no attempt left fails the job. */
struct vs_job_next {
	enum vs_job_status status; /* SUCCEEDED, FAILED or QUEUED */
	int64_t run_at_ms;	   /* for QUEUED */
};
struct vs_job_next vs_job_after_run(int attempts, int max_attempts, enum vs_job_verdict v,
				    int64_t now_ms, int64_t backoff_ms, int64_t retry_after_ms);

/* The upper bounds, in seconds, of the run-time histogram in /metrics: the same as
 * jobs.run_bounds() in sql/011_jobs.sql (an integration test compares them). */
#define VS_JOB_RUN_BOUNDS 14
extern const double vs_job_run_bounds[VS_JOB_RUN_BOUNDS];

/* Whether a job in state s may still be cancelled (only before it starts). */
bool vs_job_cancellable(enum vs_job_status s);

/* The UUID in the payload's string member field (a job naming the object it works on);
 * false when there is none. */
bool vs_job_payload_uuid(const struct vs_job *job, const char *field, vs_uuid *out);

#endif
