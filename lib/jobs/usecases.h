/* Jobs: enqueued by other modules' use cases in their own transaction, read and cancelled
 * through the API (API.md §6), run by vs-worker through the handlers of their kinds. */
#ifndef VS_JOBS_USECASES_H
#define VS_JOBS_USECASES_H

#include "app/app.h"
#include "auth/domain.h"
#include "core/arena.h"
#include "core/err.h"
#include "jobs/domain.h"
#include "jobs/port.h"

#include <stdint.h>

/* ---- kinds: what a job is and how vs-worker runs it ---- */

/* One run of a job, as its handler sees it. The handler fills result (JSON text, on
 * success, optional), error (why it failed: kept as the job's last_error, so never a
 * secret) and retry_after_ms (a wish for the next attempt, e.g. a 429's Retry-After). */
struct vs_job_run {
	struct vs_app *app; /* the runner thread's own: its database connection */
	struct vs_arena *a; /* freed after the run */
	const struct vs_job *job;
	int64_t deadline_ms; /* vs_time_mono_us() / 1000 by which to return; past it the
			      * run counts as timed out whatever it returns */
	const char *result, *error;
	int64_t retry_after_ms;
};

typedef enum vs_job_verdict (*vs_job_handler)(struct vs_job_run *run);

struct vs_job_kind {
	const char *name; /* "invitation.email" */
	int max_attempts;
	int timeout_s;
	vs_job_handler run;
};

/* A module's kinds, listed once in the runner (lib/cli/vs_worker.c). */
struct vs_job_kind_group {
	const struct vs_job_kind *const *kinds;
	size_t n;
};
#define VS_JOB_KIND_GROUP(table) { (table), sizeof(table) / sizeof((table)[0]) }

/* What a use case enqueues besides the kind (pointers borrowed for the call). */
struct vs_job_args {
	const char *payload; /* a JSON object as text; NULL: {} */
	const vs_uuid *tenant, *created_by, *resource_id;
	const char *resource_type, *unique_key;
	int64_t run_at; /* Unix seconds; 0: now */
};

/* Enqueues a job of kind in the transaction the caller has open (a rolled-back change
 * leaves no job, a committed one always has its job). */
enum vs_err vs_jobs_enqueue(struct vs_app *app, struct vs_arena *a, const struct vs_job_kind *kind,
			    const struct vs_job_args *args, vs_uuid *id, struct vs_error *e);

/* ---- the API ---- */

struct vs_job_filter {
	bool has_status;
	enum vs_job_status status;
	const char *kind;	    /* or NULL */
	const vs_uuid *resource_id; /* or NULL */
	struct vs_list_at at;
};

/* The jobs of tenant, or with no tenant the platform's (superusers only). */
enum vs_err vs_jobs_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			 const vs_uuid *tenant, const struct vs_job_filter *f,
			 struct vs_job_page *out, struct vs_error *e);
enum vs_err vs_jobs_get(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			const vs_uuid *tenant, const vs_uuid *id, struct vs_job *out,
			struct vs_error *e);
/* A queued job only: a running or finished one is a 409. */
enum vs_err vs_jobs_cancel(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			   const vs_uuid *tenant, const vs_uuid *id, struct vs_job *out,
			   struct vs_error *e);

/* The queue's totals and gauges for /metrics (no authorization: nginx lets only loopback
 * reach /metrics, and it names kinds, never a tenant or a payload). */
enum vs_err vs_jobs_metrics(struct vs_app *app, struct vs_arena *a, struct vs_job_metrics *out,
			    struct vs_error *e);

/* The kinds of this module: jobs.noop (does nothing: benchmarks and smoke tests). */
extern const struct vs_job_kind vs_jobs_noop_kind;
extern const struct vs_job_kind_group vs_jobs_job_kinds;

#endif
