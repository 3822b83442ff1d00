/* An in-memory jobs.jobs behind the runner's port (struct vs_job_queue, lib/jobs/port.h),
 * for the runner's tests (tests/unit/runner/test_runner.c).
 *
 * Each op does what its SQL function in sql/011_jobs.sql does, on rows kept in memory:
 * claim takes due queued jobs of the given kinds, oldest first (run_at, then id), running
 * under the runner's lease with one more attempt; finish applies only to jobs still running
 * under that runner; renew extends those leases; release gives jobs back untried (one
 * attempt less); rescue requeues, or fails on their last attempt, jobs whose lease ran
 * out; next_due and prune as their functions. Times are the real-time clock in
 * milliseconds, the clock the runner computes run_at with. wait plays LISTEN for one
 * listener: an enqueue wakes it, or is kept for its next wait as a notification is.
 *
 * Thread-safe: one mutex guards everything, since the runner's coordinator, listener and
 * handler threads and the test itself all call in. Readers take copies under it.
 *
 * Fault injection: fake_queue_fail_next makes the next k calls of an op answer
 * VS_UNAVAILABLE without touching a row, as when the database is away; a failing wait
 * first sleeps a little, as the adapter's does while it backs off reconnecting.
 *
 * It also gives vs_runner_run the apps of its threads (fake_queue_apps): each a struct
 * vs_app of its own whose job queue is this one and whose database port does nothing
 * (ensure answers VS_OK); opens, closes, ensures and request_dones are counted. */
#ifndef VS_TESTS_UNIT_RUNNER_FAKE_QUEUE_H
#define VS_TESTS_UNIT_RUNNER_FAKE_QUEUE_H

#include "app/app.h"
#include "jobs/port.h"
#include "runner/runner.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define FAKE_QUEUE_MAX_JOBS	64
#define FAKE_QUEUE_MAX_FINISHES 256
#define FAKE_QUEUE_FOREVER	UINT_MAX /* fake_queue_fail_next: until told otherwise */

enum fake_queue_op {
	FQ_CLAIM,
	FQ_FINISH,
	FQ_RENEW,
	FQ_RELEASE,
	FQ_RESCUE,
	FQ_NEXT_DUE,
	FQ_PRUNE,
	FQ_METRICS,
	FQ_WAIT,
	FQ_NOPS,
};

/* A row of jobs.jobs (the columns the runner's side uses), and what the fake saw of it. */
struct fake_job_row {
	vs_uuid id;
	char kind[64];
	char payload[256];
	enum vs_job_status status;
	int attempts, max_attempts;
	int64_t run_at_ms;
	char locked_by[96]; /* "": not locked */
	int64_t locked_until_ms;
	bool has_result, has_error;
	char result[256], last_error[256];
	int64_t created_ms, started_ms, finished_ms; /* 0: not yet */
	/* Not columns: how often each op changed this row. */
	int claims, finishes, renewals, releases, rescues;
};

/* One outcome finish applied, in order: the row as it was left. */
struct fake_finish_rec {
	vs_uuid id;
	enum vs_job_status status;
	int attempts;
	int64_t run_at_ms, at_ms; /* at_ms: when it was applied */
	bool has_error;
	char last_error[256];
};

struct fake_queue;

/* An empty queue; free with fake_queue_free once no thread uses it any more. */
struct fake_queue *fake_queue_new(void);
void fake_queue_free(struct fake_queue *q);
/* The port, as app->job_queue. */
struct vs_job_queue *fake_queue_port(struct fake_queue *q);

/* The real-time clock in milliseconds, as the runner's wall_ms. */
int64_t fake_queue_now_ms(void);

/* Inserts a job (payload NULL: {}), due at run_at_ms (0: now), and wakes the listener as
 * the enqueue trigger's NOTIFY does. Aborts when the fake is full. */
vs_uuid fake_queue_enqueue(struct fake_queue *q, const char *kind, const char *payload,
			   int max_attempts, int64_t run_at_ms);

/* A copy of the row (false: no such job). */
bool fake_queue_row(struct fake_queue *q, const vs_uuid *id, struct fake_job_row *out);
/* How many rows are in status s. */
size_t fake_queue_count(struct fake_queue *q, enum vs_job_status s);
/* The most rows that were running at once. */
int fake_queue_max_running(struct fake_queue *q);
/* The outcomes applied to job id, in order, into out (at most cap); returns how many. */
size_t fake_queue_finishes(struct fake_queue *q, const vs_uuid *id, struct fake_finish_rec *out,
			   size_t cap);

/* Calls of op so far, and how many of them failed by injection. */
unsigned fake_queue_calls(struct fake_queue *q, enum fake_queue_op op);
unsigned fake_queue_failed(struct fake_queue *q, enum fake_queue_op op);
/* The next k calls of op fail with VS_UNAVAILABLE (k = 0: none; FAKE_QUEUE_FOREVER: all,
 * until called again). Replaces what was left of an earlier k. */
void fake_queue_fail_next(struct fake_queue *q, enum fake_queue_op op, unsigned k);
/* The whole database away (every op) or back. */
void fake_queue_set_away(struct fake_queue *q, bool away);

/* Ends a wait in progress early with nothing heard, as its timeout would (to let a
 * stopping runner's listener notice sooner than its 1 s wait). */
void fake_queue_kick(struct fake_queue *q);

/* The apps vs_runner_run opens for its threads, and the coordinator's (set up, nothing
 * allocated; no database port, which the coordinator does not use). user is handed back
 * by fake_queue_user to code that has only an app (a job handler): set it before the
 * runner starts. */
const struct vs_runner_apps *fake_queue_apps(struct fake_queue *q);
void fake_queue_app_init(struct fake_queue *q, struct vs_app *app);
void fake_queue_set_user(struct fake_queue *q, void *user);
void *fake_queue_user(const struct vs_app *app);

struct fake_queue_app_counts {
	int opened, closed, ensures, request_dones;
};
struct fake_queue_app_counts fake_queue_app_counts(struct fake_queue *q);

#endif
