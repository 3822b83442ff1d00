/* What the jobs module needs from storage: the requests' side (enqueue in the caller's
 * transaction, read, cancel; row-level security applies) and the runner's side (claim,
 * finish, leases, across tenants). */
#ifndef VS_JOBS_PORT_H
#define VS_JOBS_PORT_H

#include "core/arena.h"
#include "core/cursor.h"
#include "core/err.h"
#include "jobs/domain.h"

#include <stdbool.h>
#include <stdint.h>

/* A job to enqueue. Pointers are borrowed for the call. */
struct vs_job_new {
	const char *kind;
	const char *payload; /* a JSON object as text; NULL: {} */
	int max_attempts;
	const vs_uuid *tenant;	   /* NULL: a platform job */
	const vs_uuid *created_by; /* or NULL */
	const char *unique_key;	   /* at most one queued or running job per key; or NULL */
	const char *resource_type; /* "invitation", with resource_id; or NULL */
	const vs_uuid *resource_id;
	int64_t run_at; /* Unix seconds; 0: now */
};

struct vs_job_query {
	bool platform;		/* platform jobs (tenant NULL) instead of the tenant's */
	const vs_uuid *tenant;	/* unless platform */
	bool has_status;
	enum vs_job_status status;
	const char *kind;	/* or NULL */
	const vs_uuid *resource_id; /* or NULL */
	struct vs_list_at at;	/* newest first */
};
struct vs_job_page {
	struct vs_job *items;
	size_t n;
	struct vs_list_end end;
};

struct vs_job_repo;
struct vs_job_repo_ops {
	/* Inserts the job in the transaction open now, so that it exists exactly when the
	 * change that needs it commits; the runners hear of it at that commit. A queued or
	 * running job with the same unique key → CONFLICT. */
	enum vs_err (*enqueue)(struct vs_job_repo *, struct vs_arena *, const struct vs_job_new *j,
			       vs_uuid *id);
	enum vs_err (*get)(struct vs_job_repo *, struct vs_arena *, const vs_uuid *id,
			   struct vs_job *out);
	/* Newest first. */
	enum vs_err (*list)(struct vs_job_repo *, struct vs_arena *, const struct vs_job_query *q,
			    struct vs_job_page *out);
	/* Only a queued job: then cancelled, *out its new state. Not visible → NOTFOUND;
	 * visible but no longer queued → CONFLICT, *out as it is. */
	enum vs_err (*cancel)(struct vs_job_repo *, struct vs_arena *, const vs_uuid *id,
			      struct vs_job *out);
};
struct vs_job_repo {
	const struct vs_job_repo_ops *ops;
};

/* How a run ended, for vs_job_queue finish. */
struct vs_job_outcome {
	vs_uuid id;
	enum vs_job_status status; /* SUCCEEDED, FAILED, or QUEUED to run again at run_at_ms */
	int64_t run_at_ms;
	const char *result; /* JSON text or NULL */
	const char *error;  /* or NULL */
};

/* What /metrics shows of one kind: totals since the database was made (they survive
 * pruning), the jobs queued and running now, and run times (claim to outcome, as the
 * database sees it): runs_under[i] runs took less than vs_job_run_bounds[i]. */
struct vs_job_kind_metrics {
	const char *kind;
	int64_t enqueued, succeeded, failed, retried, cancelled;
	int64_t queued, running;
	int64_t runs, runs_under[VS_JOB_RUN_BOUNDS];
	double run_seconds_sum;
};
struct vs_job_metrics {
	int64_t queued, running;
	double oldest_due_seconds; /* age of the oldest job that is due; 0: none */
	struct vs_job_kind_metrics *kinds;
	size_t nkinds;
};

/* The runner's side: each call is a transaction of its own. `runner` names the process
 * that holds leases ("host:pid:random"). */
/* The kind names a runner has handlers for (valid names: vs_job_kind_valid). */
struct vs_job_kinds {
	const char *const *names;
	size_t n;
};

struct vs_job_queue;
struct vs_job_queue_ops {
	/* Up to n due jobs of the kinds runner knows, oldest first, running under its lease
	 * of lease_s seconds. */
	enum vs_err (*claim)(struct vs_job_queue *, struct vs_arena *, const char *runner,
			     const struct vs_job_kinds *kinds, int n, int lease_s,
			     struct vs_job **jobs, size_t *count);
	/* finish, then claim, in one call: a busy runner's turn. Optional (NULL: the runner
	 * calls the two). */
	enum vs_err (*finish_and_claim)(struct vs_job_queue *, struct vs_arena *,
					const char *runner, const struct vs_job_outcome *o,
					size_t nout, const struct vs_job_kinds *kinds, int n,
					int lease_s, struct vs_job **jobs, size_t *count);
	/* Records outcomes of jobs runner still holds; *applied: how many it still held. */
	enum vs_err (*finish)(struct vs_job_queue *, struct vs_arena *, const char *runner,
			      const struct vs_job_outcome *o, size_t n, size_t *applied);
	/* Extends runner's leases; held[i] says whether ids[i] is still runner's. */
	enum vs_err (*renew)(struct vs_job_queue *, struct vs_arena *, const char *runner,
			     const vs_uuid *ids, size_t n, int lease_s, bool *held);
	/* Gives jobs back untried (queued again, the attempt not counted). */
	enum vs_err (*release)(struct vs_job_queue *, const char *runner, const vs_uuid *ids,
			       size_t n);
	/* Requeues (or fails, on their last attempt) jobs whose lease ran out. */
	enum vs_err (*rescue)(struct vs_job_queue *, int *n);
	/* When the next queued job of kinds is due, ms since the epoch; 0: none queued. */
	enum vs_err (*next_due)(struct vs_job_queue *, struct vs_arena *,
				const struct vs_job_kinds *kinds, int64_t *at_ms);
	/* Removes up to batch finished jobs older than retention_s; *n how many. */
	enum vs_err (*prune)(struct vs_job_queue *, int retention_s, int batch, int *n);
	/* For /metrics; the kinds are allocated in a. */
	enum vs_err (*metrics)(struct vs_job_queue *, struct vs_arena *, struct vs_job_metrics *out);
	/* Waits up to timeout_ms for an enqueue to be committed somewhere; *woken says
	 * whether one was. VS_UNAVAILABLE while the database is away. */
	enum vs_err (*wait)(struct vs_job_queue *, int timeout_ms, bool *woken);
};
struct vs_job_queue {
	const struct vs_job_queue_ops *ops;
};

#endif
