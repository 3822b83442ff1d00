/* vs-worker against the real stack: the two runners tests/integration/run starts (3 s
 * leases, short backoffs, the testing.record kind). Jobs are inserted as the database
 * owner; every run of a testing.record job appends "<job id> <pid> <attempt>" to the
 * job's file, so each run is seen from outside the queue. Every test leaves two runners
 * running and the database up. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "fixtures.h"
#include "pg_util.h"
#include "procs.h"
#include "scrape.h"
#include "serving.h"
#include "suites.h"
#include "util.h"

static PGconn *owner;
static char *scratch; /* runs' files: written by the runners' user, so mode 0777 */

/* sql in a platform-scope transaction of the owner (RLS is forced on the owner too). */
static PGresult *as_platform(const char *sql, int n, const char *const *params)
{
	PQclear(pg_run(owner, "BEGIN", 0, NULL));
	PQclear(pg_run(owner, "SELECT iam.enter_scope(NULL, NULL, true)", 0, NULL));
	PGresult *r = pg_run(owner, sql, n, params);
	PQclear(pg_run(owner, pg_succeeded(r) ? "COMMIT" : "ROLLBACK", 0, NULL));
	return r;
}

/* A fresh file for one test's runs. */
static char *runs_file(const char *name)
{
	return xasprintf("%s/%s.runs", scratch, name);
}

/* n testing.record jobs writing to file, with extra payload fields (a JSON object). */
static bool enqueue(const char *file, const char *extra, int n, int max_attempts)
{
	char count[16], attempts[16];
	snprintf(count, sizeof(count), "%d", n);
	snprintf(attempts, sizeof(attempts), "%d", max_attempts);
	const char *params[] = { file, extra ? extra : "{}", attempts, count };
	PGresult *r = as_platform(
		"INSERT INTO jobs.jobs (kind, payload, max_attempts) "
		"SELECT 'testing.record', jsonb_build_object('file', $1::text) || $2::jsonb, $3::int "
		"FROM generate_series(1, $4::int)",
		4, params);
	bool ok = EXPECT_PG_OK(r, "enqueue testing.record jobs") && pg_touched(r) == n;
	PQclear(r);
	return ok;
}

/* Jobs of file not yet finished; -1 on error. */
static long unfinished(const char *file)
{
	const char *params[] = { file };
	PGresult *r = as_platform("SELECT count(*) FROM jobs.jobs WHERE payload->>'file' = $1 "
				  "AND status IN ('queued', 'running')",
				  1, params);
	long n = pg_succeeded(r) ? pg_long(r, 0, 0) : -1;
	PQclear(r);
	return n;
}

static bool wait_finished(const char *file, double seconds)
{
	double deadline = now_mono() + seconds;
	long left = -1;
	while (now_mono() < deadline && (left = unfinished(file)) != 0)
		sleep_ms(50);
	return EXPECT(left == 0, "%ld jobs of %s unfinished after %.0f s", left, file, seconds);
}

/* count(*) of file's jobs with status. */
static long with_status(const char *file, const char *status)
{
	const char *params[] = { file, status };
	PGresult *r = as_platform(
		"SELECT count(*) FROM jobs.jobs WHERE payload->>'file' = $1 AND status = $2", 2,
		params);
	long n = pg_long(r, 0, 0);
	PQclear(r);
	return n;
}

/* The runs recorded in file. */
struct run {
	char id[37];
	long pid;
	int attempt;
};

static size_t read_runs(const char *file, struct run **out)
{
	size_t len = 0, n = 0, cap = 16;
	char *text = read_file(file, &len);
	*out = xcalloc(cap, sizeof(**out));
	for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
		if (n == cap)
			*out = xrealloc(*out, (cap *= 2) * sizeof(**out));
		if (sscanf(line, "%36s %ld %d", (*out)[n].id, &(*out)[n].pid, &(*out)[n].attempt) == 3)
			n++;
	}
	free(text);
	return n;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct run *)a)->id, ((const struct run *)b)->id);
}

/* The pid of the runner holding the running job of file (locked_by "host:pid:random"), or
 * -1 after seconds. */
static pid_t holder_of(const char *file, double seconds)
{
	const char *params[] = { file };
	double deadline = now_mono() + seconds;
	while (now_mono() < deadline) {
		PGresult *r = as_platform("SELECT split_part(locked_by, ':', 2) FROM jobs.jobs "
					  "WHERE payload->>'file' = $1 AND status = 'running'",
					  1, params);
		pid_t pid = PQntuples(r) == 1 ? (pid_t)pg_long(r, 0, 0) : -1;
		PQclear(r);
		if (pid > 0)
			return pid;
		sleep_ms(20);
	}
	return -1;
}

static size_t runner_pids(pid_t **out)
{
	char *path = xasprintf("%s/pids/runner-multiwatch.pid", fx.cfg.state_dir);
	pid_t mw = read_pid_file(path);
	free(path);
	*out = NULL;
	return mw > 0 ? children_of(mw, out) : 0;
}

/* Two runners again (multiwatch replaces a dead one at once), within 5 s. */
static void expect_two_runners(void)
{
	double deadline = now_mono() + 5.0;
	size_t n = 0;
	pid_t *pids = NULL;
	while (now_mono() < deadline) {
		free(pids);
		if ((n = runner_pids(&pids)) == 2)
			break;
		sleep_ms(100);
	}
	free(pids);
	EXPECT(n == 2, "%zu job runners under their multiwatch, expected 2", n);
}

static int suite_init(void)
{
	const char *url = getenv("VS_OWNER_DATABASE_URL");
	if (!url || !(owner = pg_open(url)))
		return -1;
	if (!(scratch = fx_scratch_dir("runner")) || chmod(scratch, 0777) != 0)
		return -1;
	return 0;
}

static int suite_cleanup(void)
{
	if (owner)
		PQfinish(owner);
	fx_remove_tree(scratch);
	free(scratch);
	owner = NULL;
	scratch = NULL;
	return 0;
}

static void test_a_thousand_jobs_each_run_once(void)
{
	char *file = runs_file("thousand");
	struct run *runs = NULL;
	if (enqueue(file, NULL, 1000, 3) && wait_finished(file, 60)) {
		EXPECT(with_status(file, "succeeded") == 1000, "%ld of 1000 succeeded",
		       with_status(file, "succeeded"));
		size_t n = read_runs(file, &runs), dupes = 0;
		qsort(runs, n, sizeof(*runs), by_id);
		long first_pid = n ? runs[0].pid : 0;
		bool both = false;
		for (size_t i = 0; i < n; i++) {
			dupes += i > 0 && strcmp(runs[i].id, runs[i - 1].id) == 0;
			both |= runs[i].pid != first_pid;
		}
		EXPECT(n == 1000 && dupes == 0, "%zu runs recorded for 1000 jobs, %zu repeated", n,
		       dupes);
		EXPECT(both, "every job ran in runner %ld: the other runner took none", first_pid);
	}
	free(runs);
	free(file);
}

static void test_a_job_starts_right_after_its_commit(void)
{
	char *file = runs_file("latency");
	/* LISTEN, not the poll (VS_JOB_POLL_MS=500): ten jobs one by one, each started and
	 * done well before a poll could have found it. */
	double worst = 0;
	for (int i = 0; i < 10; i++) {
		double t0 = now_mono();
		if (!enqueue(file, NULL, 1, 3) || !wait_finished(file, 5))
			break;
		double took = now_mono() - t0;
		worst = took > worst ? took : worst;
	}
	EXPECT(worst < 0.25, "slowest enqueue-to-finished: %.0f ms (a poll would be ~500 ms)",
	       worst * 1000);
	free(file);
}

static void test_failures_retry_with_backoff_then_succeed_or_fail(void)
{
	char *again = runs_file("retry"), *exhausted = runs_file("exhausted"),
	     *permanent = runs_file("permanent");
	struct run *runs = NULL;
	if (enqueue(again, "{\"fail_times\": 2}", 1, 5) &&
	    enqueue(exhausted, "{\"fail_times\": 9}", 1, 3) &&
	    enqueue(permanent, "{\"permanent\": true}", 1, 5) && wait_finished(again, 20) &&
	    wait_finished(exhausted, 20) && wait_finished(permanent, 20)) {
		const char *p1[] = { again };
		PGresult *r = as_platform("SELECT status, attempts, last_error IS NULL, "
					  "extract(epoch FROM finished_at - created_at) "
					  "FROM jobs.jobs WHERE payload->>'file' = $1",
					  1, p1);
		EXPECT(strcmp(PQgetvalue(r, 0, 0), "succeeded") == 0 && pg_long(r, 0, 1) == 3,
		       "fail twice, then succeed: %s after %s attempts", PQgetvalue(r, 0, 0),
		       PQgetvalue(r, 0, 1));
		/* two backoffs of base 200 ms · 2^(n−1), each at least half taken: ≥ 300 ms */
		EXPECT(atof(PQgetvalue(r, 0, 3)) >= 0.3, "three attempts within %s s: no backoff",
		       PQgetvalue(r, 0, 3));
		PQclear(r);
		size_t n = read_runs(again, &runs);
		EXPECT(n == 3 && runs[0].attempt == 1 && runs[2].attempt == 3,
		       "%zu runs recorded, attempts 1..3 expected", n);
		free(runs);

		const char *p2[] = { exhausted };
		r = as_platform("SELECT status, attempts, last_error FROM jobs.jobs "
				"WHERE payload->>'file' = $1",
				1, p2);
		EXPECT(strcmp(PQgetvalue(r, 0, 0), "failed") == 0 && pg_long(r, 0, 1) == 3 &&
			       strstr(PQgetvalue(r, 0, 2), "fail this attempt"),
		       "max_attempts 3: %s after %s attempts (%s)", PQgetvalue(r, 0, 0),
		       PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
		PQclear(r);

		const char *p3[] = { permanent };
		r = as_platform("SELECT status, attempts FROM jobs.jobs WHERE payload->>'file' = $1",
				1, p3);
		EXPECT(strcmp(PQgetvalue(r, 0, 0), "failed") == 0 && pg_long(r, 0, 1) == 1,
		       "a permanent error fails at once: %s after %s attempts", PQgetvalue(r, 0, 0),
		       PQgetvalue(r, 0, 1));
		PQclear(r);
	}
	free(again);
	free(exhausted);
	free(permanent);
}

static void test_a_kind_no_runner_knows_waits(void)
{
	const char *params[] = { scratch };
	PGresult *r = as_platform("INSERT INTO jobs.jobs (kind, payload, max_attempts) "
				  "VALUES ('testing.unknown', jsonb_build_object('file', $1::text), 3) "
				  "RETURNING id",
				  1, params);
	if (EXPECT_PG_OK(r, "enqueue testing.unknown")) {
		const char *id[] = { PQgetvalue(r, 0, 0) };
		sleep_ms(1500); /* three polls */
		PGresult *s = as_platform("SELECT status, attempts FROM jobs.jobs WHERE id = $1", 1, id);
		EXPECT(strcmp(PQgetvalue(s, 0, 0), "queued") == 0 && pg_long(s, 0, 1) == 0,
		       "a kind without a handler: %s after %s attempts, expected still queued",
		       PQgetvalue(s, 0, 0), PQgetvalue(s, 0, 1));
		PQclear(s);
		PQclear(as_platform("DELETE FROM jobs.jobs WHERE id = $1", 1, id));
	}
	PQclear(r);
}

static void test_sigkill_mid_job_runs_it_again_on_another_runner(void)
{
	char *file = runs_file("sigkill");
	struct run *runs = NULL;
	if (enqueue(file, "{\"sleep_ms\": 2000}", 1, 3)) {
		pid_t victim = holder_of(file, 5);
		if (EXPECT(victim > 0, "no runner took the job within 5 s") &&
		    EXPECT(kill(victim, SIGKILL) == 0, "kill -9 %ld: %s", (long)victim,
			   strerror(errno))) {
			/* the lease (3 s) runs out, a runner's rescue requeues it, it runs again */
			wait_finished(file, 15);
			size_t n = read_runs(file, &runs);
			EXPECT(n == 1 && runs[0].pid != victim && runs[0].attempt == 2,
			       "%zu runs recorded (want one, attempt 2, not by the killed %ld: pid %ld, "
			       "attempt %d)",
			       n, (long)victim, n ? runs[0].pid : 0L, n ? runs[0].attempt : 0);
			EXPECT(with_status(file, "succeeded") == 1, "the job did not succeed");
		}
	}
	expect_two_runners();
	free(runs);
	free(file);
}

static void test_term_finishes_a_short_job_and_gives_back_a_long_one(void)
{
	char *quick = runs_file("term-quick"), *slow = runs_file("term-slow");
	struct run *runs = NULL;
	/* VS_JOB_SHUTDOWN_GRACE_MS=3000: a 1 s job ends in the grace, a 10 s one is given back */
	if (enqueue(quick, "{\"sleep_ms\": 1000}", 1, 3)) {
		pid_t runner = holder_of(quick, 5);
		if (EXPECT(runner > 0, "no runner took the quick job") &&
		    EXPECT(kill(runner, SIGTERM) == 0, "kill -TERM %ld", (long)runner)) {
			wait_finished(quick, 10);
			size_t n = read_runs(quick, &runs);
			EXPECT(n == 1 && runs[0].pid == runner && runs[0].attempt == 1,
			       "the runner told to stop finishes its job: %zu runs (pid %ld, want %ld)",
			       n, n ? runs[0].pid : 0L, (long)runner);
			free(runs);
			runs = NULL;
		}
	}
	expect_two_runners();
	if (enqueue(slow, "{\"sleep_ms\": 10000}", 1, 3)) {
		pid_t runner = holder_of(slow, 5);
		if (EXPECT(runner > 0, "no runner took the slow job") &&
		    EXPECT(kill(runner, SIGTERM) == 0, "kill -TERM %ld", (long)runner)) {
			wait_finished(slow, 30);
			size_t n = read_runs(slow, &runs);
			EXPECT(n == 1 && runs[0].pid != runner && runs[0].attempt == 1,
			       "a job given back runs afresh elsewhere: %zu runs (pid %ld attempt %d, "
			       "stopped runner %ld)",
			       n, n ? runs[0].pid : 0L, n ? runs[0].attempt : 0, (long)runner);
		}
	}
	expect_two_runners();
	free(runs);
	free(quick);
	free(slow);
}

static void test_database_restart_loses_no_job(void)
{
	char *file = runs_file("db-restart");
	struct run *runs = NULL;
	if (enqueue(file, "{\"sleep_ms\": 20}", 300, 5)) {
		sleep_ms(200);
		int rc = run_stack("db-stop");
		EXPECT(rc == 0, "scripts/stack db-stop exited %d", rc);
		sleep_ms(1000);
		rc = run_stack("db-start");
		EXPECT(rc == 0, "scripts/stack db-start exited %d", rc);
		PQfinish(owner);
		owner = pg_open(getenv("VS_OWNER_DATABASE_URL"));
		if (owner && wait_finished(file, 60)) {
			EXPECT(with_status(file, "succeeded") == 300, "%ld of 300 succeeded",
			       with_status(file, "succeeded"));
			/* A run whose outcome could not be written before its lease ran out is run
			 * again (at least once); none is lost. */
			size_t n = read_runs(file, &runs), distinct = 0;
			qsort(runs, n, sizeof(*runs), by_id);
			for (size_t i = 0; i < n; i++)
				distinct += i == 0 || strcmp(runs[i].id, runs[i - 1].id) != 0;
			EXPECT(distinct == 300, "%zu of 300 jobs ran", distinct);
		}
	}
	expect_two_runners();
	expect_stack_serving(20.0);
	free(runs);
	free(file);
}

static void test_prune_removes_old_finished_jobs_only(void)
{
	PGresult *r = as_platform(
		"INSERT INTO jobs.jobs (kind, max_attempts, status, attempts, started_at, finished_at, "
		"created_at) VALUES "
		"('testing.record', 3, 'succeeded', 1, now() - interval '10 days', "
		" now() - interval '10 days', now() - interval '10 days'), "
		"('testing.record', 3, 'cancelled', 0, NULL, now() - interval '9 days', "
		" now() - interval '9 days'), "
		"('testing.record', 3, 'succeeded', 1, now(), now(), now()) RETURNING id",
		0, NULL);
	if (!EXPECT_PG_OK(r, "insert finished jobs") || !EXPECT(PQntuples(r) == 3, "3 rows"))
		goto out;
	const char *fresh[] = { PQgetvalue(r, 2, 0) };
	/* the application role may not delete jobs itself */
	PGconn *app = pg_open(getenv("VS_DATABASE_URL"));
	if (app) {
		PGresult *d = pg_run(app, "DELETE FROM jobs.jobs WHERE id = $1", 1, fresh);
		EXPECT_PG_ERROR(d, "42501", "DELETE as the application role");
		PQclear(d);
		PQfinish(app);
	}
	/* retention 8 days: the two older ones go (a runner calls this on its own) */
	PGresult *p = as_platform("SELECT jobs.prune(8 * 86400, 1000)", 0, NULL);
	EXPECT(pg_long(p, 0, 0) >= 2, "jobs.prune removed %ld jobs, expected at least 2",
	       pg_long(p, 0, 0));
	PQclear(p);
	const char *ids[] = { PQgetvalue(r, 0, 0), PQgetvalue(r, 1, 0), PQgetvalue(r, 2, 0) };
	PGresult *left = as_platform("SELECT count(*) FILTER (WHERE id = $1), "
				     "count(*) FILTER (WHERE id = $2), count(*) FILTER (WHERE id = $3) "
				     "FROM jobs.jobs WHERE id IN ($1, $2, $3)",
				     3, ids);
	EXPECT(pg_long(left, 0, 0) == 0 && pg_long(left, 0, 1) == 0 && pg_long(left, 0, 2) == 1,
	       "after prune: old succeeded %ld, old cancelled %ld, fresh %ld (want 0, 0, 1)",
	       pg_long(left, 0, 0), pg_long(left, 0, 1), pg_long(left, 0, 2));
	PQclear(left);
out:
	PQclear(r);
}

/* The counters of kind testing.record in a scrape of /metrics. */
struct kind_counts {
	double enqueued, succeeded, failed, retried, cancelled, runs, sum;
};

static struct kind_counts record_counts(const char *text)
{
#define SERIES(name) metrics_value(text, name "{kind=\"testing.record\"}")
	return (struct kind_counts){ SERIES("vs_jobs_enqueued_total"),
				     SERIES("vs_jobs_succeeded_total"),
				     SERIES("vs_jobs_failed_total"),
				     SERIES("vs_jobs_retried_total"),
				     SERIES("vs_jobs_cancelled_total"),
				     SERIES("vs_job_run_seconds_count"),
				     SERIES("vs_job_run_seconds_sum") };
#undef SERIES
}

static void test_metrics_count_what_the_runners_did(void)
{
	char *before = metrics_scrape(), *after = NULL, *file = runs_file("metrics");
	if (!before)
		goto out;
	struct kind_counts b = record_counts(before);
	/* 3 succeed, 1 fails once then succeeds, 1 fails for good, 1 is cancelled before it
	 * runs; an enqueue rolled back counts nothing. */
	if (!enqueue(file, NULL, 3, 3) || !enqueue(file, "{\"fail_times\": 1}", 1, 3) ||
	    !enqueue(file, "{\"permanent\": true}", 1, 3))
		goto out;
	const char *params[] = { file };
	PGresult *r = as_platform(
		"INSERT INTO jobs.jobs (kind, payload, max_attempts, run_at) "
		"VALUES ('testing.record', jsonb_build_object('file', $1::text), 3, "
		"now() + interval '1 hour') RETURNING id",
		1, params);
	EXPECT_PG_OK(r, "enqueue a job for later");
	const char *id[] = { PQgetvalue(r, 0, 0) };
	PQclear(as_platform("UPDATE jobs.jobs SET status = 'cancelled', finished_at = now() "
			    "WHERE id = $1",
			    1, id));
	PQclear(r);
	PQclear(pg_run(owner, "BEGIN", 0, NULL));
	PQclear(pg_run(owner, "SELECT iam.enter_scope(NULL, NULL, true)", 0, NULL));
	PQclear(pg_run(owner, "INSERT INTO jobs.jobs (kind, max_attempts) VALUES ('testing.record', 3)",
		       0, NULL));
	PQclear(pg_run(owner, "ROLLBACK", 0, NULL));
	if (!wait_finished(file, 20) || !(after = metrics_scrape()))
		goto out;
	struct kind_counts a = record_counts(after);
	EXPECT(a.enqueued - b.enqueued == 6, "enqueued +%.0f, want +6", a.enqueued - b.enqueued);
	EXPECT(a.succeeded - b.succeeded == 4, "succeeded +%.0f, want +4", a.succeeded - b.succeeded);
	EXPECT(a.failed - b.failed == 1, "failed +%.0f, want +1", a.failed - b.failed);
	EXPECT(a.retried - b.retried == 1, "retried +%.0f, want +1", a.retried - b.retried);
	EXPECT(a.cancelled - b.cancelled == 1, "cancelled +%.0f, want +1", a.cancelled - b.cancelled);
	EXPECT(a.runs - b.runs == 6, "runs +%.0f, want +6 (3 + 2 + 1)", a.runs - b.runs);
	EXPECT(a.sum > b.sum, "the run-time sum did not grow");
	/* the buckets: the database's bounds, cumulative, ending at the count */
	PGresult *bounds = pg_run(owner, "SELECT unnest(jobs.run_bounds())", 0, NULL);
	double last = 0;
	for (int i = 0; i < PQntuples(bounds); i++) {
		char *series = xasprintf("vs_job_run_seconds_bucket{kind=\"testing.record\",le=\"%g\"}",
					 atof(PQgetvalue(bounds, i, 0)));
		bool present = strstr(after, series) != NULL;
		double v = metrics_value(after, series);
		EXPECT(present && v >= last, "%s: %s, after %.0f", series,
		       present ? "shrinks" : "missing", last);
		last = v;
		free(series);
	}
	PQclear(bounds);
	double inf = metrics_value(after, "vs_job_run_seconds_bucket{kind=\"testing.record\",le=\"+Inf\"}");
	EXPECT(inf == a.runs && last <= inf, "le=+Inf %.0f, count %.0f, last bound %.0f", inf, a.runs,
	       last);
	EXPECT(strstr(after, "\nvs_jobs_queue_depth ") && strstr(after, "\nvs_jobs_oldest_due_age_seconds "),
	       "queue depth and oldest due age are missing from /metrics");
out:
	free(before);
	free(after);
	free(file);
}

static int add_runner_suite(void)
{
	static const struct it_test tests[] = {
		{ "1000 jobs over two runners: each runs exactly once, both runners take some", test_a_thousand_jobs_each_run_once },
		{ "LISTEN: a job starts right after its enqueue commits, not at the next poll", test_a_job_starts_right_after_its_commit },
		{ "retries with backoff until success; max_attempts exhausted and permanent errors fail", test_failures_retry_with_backoff_then_succeed_or_fail },
		{ "a kind no runner has a handler for stays queued, untried", test_a_kind_no_runner_knows_waits },
		{ "/metrics: enqueued, succeeded, failed, retried, cancelled and the run-time histogram count what happened", test_metrics_count_what_the_runners_did },
		{ "jobs.prune removes finished jobs past the retention, nothing newer; the application cannot DELETE", test_prune_removes_old_finished_jobs_only },
		{ "SIGKILL mid-job: after the lease the job runs once more, on another runner", test_sigkill_mid_job_runs_it_again_on_another_runner },
		{ "TERM: a job shorter than the grace finishes; a longer one is given back and runs elsewhere", test_term_finishes_a_short_job_and_gives_back_a_long_one },
		{ "PostgreSQL restarted while 300 jobs run: every one succeeds", test_database_restart_loses_no_job },
		{ NULL, NULL },
	};
	return it_add_suite("job runner", suite_init, suite_cleanup, tests);
}

IT_REGISTER(add_runner_suite)
