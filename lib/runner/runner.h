/* The job runner of vs-worker: a driving adapter, as fcgi/ is for HTTP. One coordinator
 * (the calling thread) claims due jobs in batches with its app's job queue, hands them to
 * handler threads, records their outcomes in batches and renews their leases; a listener
 * thread wakes it when a job is enqueued (LISTEN), a slow poll being only the safety net.
 * Each thread has an app of its own (its own database connection). */
#ifndef VS_RUNNER_RUNNER_H
#define VS_RUNNER_RUNNER_H

#include "app/app.h"
#include "jobs/usecases.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct vs_runner_settings {
	int concurrency;	  /* handler threads: jobs run at once (VS_JOB_CONCURRENCY) */
	int lease_s;		  /* a claim holds a job this long unless renewed */
	int poll_ms;		  /* the safety net: claim and rescue at least this often */
	int64_t backoff_base_ms;  /* first retry after about this, doubling */
	int64_t backoff_cap_ms;	  /* at most */
	int retention_s;	  /* finished jobs are removed after this */
	int shutdown_grace_ms;	  /* on TERM, running jobs may finish within this */
	int checkpoint_s;	  /* audit chain heads are signed at least this often */
	int sequence_ms;	  /* audit events pending join their chains this often */
	char id[96];		  /* this runner, as leases name it */
};

/* Where the handler and listener threads get their apps. open may fail (NULL): the thread
 * tries again later. */
struct vs_runner_apps {
	struct vs_app *(*open)(void *ctx);
	void (*close)(void *ctx, struct vs_app *app);
	void *ctx;
};

/* Told of every run that ended (for metrics); may be NULL. Called on the coordinator. */
struct vs_runner_observer {
	void (*run_ended)(void *ctx, const struct vs_job *job, enum vs_job_status next,
			  int64_t duration_us);
	void *ctx;
};

/* Returned when handlers still run after the grace period (their jobs given back): they
 * use the runner's memory and their runtimes, so the process must end at once with
 * _exit, cleaning up nothing (no runtime close, no library cleanup, no atexit). */
#define VS_RUNNER_HANDLERS_LEFT 2

/* Runs jobs of the kinds in groups until *stopping; then lets running jobs finish within
 * the grace period and gives the others back. app is the coordinator's. Returns 0, 1 if
 * the threads could not be started, or VS_RUNNER_HANDLERS_LEFT. */
int vs_runner_run(struct vs_app *app, const struct vs_job_kind_group *const *groups,
		  size_t ngroups, const struct vs_runner_settings *s,
		  const struct vs_runner_apps *apps, const struct vs_runner_observer *observer,
		  volatile sig_atomic_t *stopping);

#endif
