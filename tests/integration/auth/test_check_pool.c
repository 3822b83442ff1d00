/*
 * The key check has a pool of workers of its own (sock/check.sock, VS_CHECK_WORKERS):
 * a check answers from its worker's cache while every worker of the API pool waits on
 * the database, where with one pool it would queue behind them. A check worker that has to
 * look a key up takes the checks waiting on its socket along, one round trip for all.
 */
#include <libpq-fe.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "db_keys.h"
#include "fixtures.h"
#include "http.h"
#include "pg_util.h"
#include "procs.h"
#include "scrape.h"
#include "suites.h"
#include "util.h"

/* API requests that wait on a lock of iam.tenants: one per worker of the API pool. */
static long blocked_requests(PGconn *db)
{
	PGresult *r = pg_run(db,
			     "SELECT count(*) FROM pg_locks "
			     "WHERE NOT granted AND relation = 'iam.tenants'::regclass",
			     0, NULL);
	long n = pg_long(r, 0, 0);
	PQclear(r);
	return n;
}

static struct resp *check_key(const char *key)
{
	char *header = xasprintf("X-API-Key: %s", key);
	const char *hdrs[] = { header, NULL };
	struct resp *r = http_do("GET", "/api/v1/auth/check", hdrs, NULL, 0, 0);
	free(header);
	return r;
}

/* A child process sends one request per API worker, each of which then waits on the lock
 * the parent holds; the child ends when they are answered. */
static pid_t occupy_api_pool(long n)
{
	fflush(NULL);
	pid_t child = fork();
	if (child != 0)
		return child;
	char *auth = xasprintf("Authorization: Bearer %s", fx.admin.access);
	const char *hdrs[] = { auth, NULL };
	struct resp **rs = xcalloc((size_t)n, sizeof(*rs));
	size_t done = http_burst("GET", "/api/v1/tenants", hdrs, NULL, (size_t)n, rs);
	int bad = done != (size_t)n;
	for (long i = 0; i < n; i++) {
		bad |= !rs[i] || rs[i]->status != 200;
		if (rs[i])
			resp_free(rs[i]);
	}
	free(rs);
	free(auth);
	_exit(bad);
}

static void test_check_answers_while_the_api_pool_waits(void)
{
	long api = fx.cfg.workers > 0 ? fx.cfg.workers : 3;
	long checkers = fx.cfg.check_workers > 0 ? fx.cfg.check_workers : 2;
	const char *url = getenv("VS_OWNER_DATABASE_URL");
	char *id = NULL, *name = fx_unique("pool");
	char *body = xasprintf("{\"name\":\"%s\",\"scope\":\"GLOBAL\"}", name);
	char *key = fx_create_key(fx.admin.access, body, &id);
	PGconn *db = NULL;
	pid_t child = -1;

	if (!EXPECT(key != NULL, "could not create a key") ||
	    !EXPECT(url && *url, "VS_OWNER_DATABASE_URL must be set (tests/integration/run)") ||
	    !(db = pg_open(url)))
		goto out;
	/* Every check worker has the key cached: the check below needs no database. */
	for (long i = 0; i < 6 * checkers + 2; i++) {
		struct resp *r = check_key(key);
		EXPECT_STATUS(r, 204);
		resp_free(r);
	}

	PQclear(pg_run(db, "BEGIN", 0, NULL));
	PGresult *lock = pg_run(db, "LOCK TABLE iam.tenants IN ACCESS EXCLUSIVE MODE", 0, NULL);
	bool locked = EXPECT_PG_OK(lock, "LOCK TABLE iam.tenants");
	PQclear(lock);
	if (!locked)
		goto out;
	child = occupy_api_pool(api);
	double deadline = now_mono() + 10;
	long waiting;
	while ((waiting = blocked_requests(db)) < api && now_mono() < deadline)
		sleep_ms(20);
	if (!EXPECT(waiting == api, "%ld of the API pool's %ld workers wait on the lock", waiting,
		    api))
		goto out;

	double start = now_mono();
	struct resp *r = check_key(key);
	double took = now_mono() - start;
	EXPECT_STATUS(r, 204);
	resp_free(r);
	EXPECT(took < 1.0, "the check took %.0f ms while the API pool was busy", took * 1000);
	EXPECT(blocked_requests(db) == api,
	       "the API pool's workers no longer all wait: the check was not answered beside them");

out:
	if (db) {
		PQclear(pg_run(db, "COMMIT", 0, NULL));
		PQfinish(db);
	}
	if (child > 0) {
		int status = 0;
		EXPECT(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
			       WEXITSTATUS(status) == 0,
		       "the API requests that waited did not all end in 200 after the commit");
	}
	free(key);
	free(id);
	free(body);
	free(name);
}

/* The gathering test's keys: good ones, then three that must fail (deactivated, stored
 * with OTHER's hash, never stored), then OTHER, which is never sent. Two good keys are
 * sent twice. */
enum { GOOD_KEYS = 6, INACTIVE = GOOD_KEYS, WRONG_SECRET, UNKNOWN, OTHER, NKEYS };
enum { NSENT = UNKNOWN + 3 };

struct pool_stop {
	pid_t *pids;
	size_t n;
};

static void signal_pool(const struct pool_stop *p, int sig)
{
	for (size_t i = 0; i < p->n; i++)
		kill(p->pids[i], sig);
}

static void resume_pool(void *ctx)
{
	signal_pool(ctx, SIGCONT);
}

/* Stores prefixes[i] with hashes[i] (owner: the admin), active or not; their ids. */
static bool store_keys(PGconn *db, const char *name, char (*prefixes)[VS_API_KEY_PUBLIC_LEN + 1],
		       char (*hashes)[2 * VS_SHA256_LEN + 1], const bool *active, int n,
		       char (*ids)[VS_UUID_STRLEN + 1])
{
	bool ok = true;
	for (int i = 0; ok && i < n; i++) {
		const char *params[] = { fx.admin.id, name, prefixes[i], hashes[i],
					 active[i] ? "true" : "false" };
		PGresult *r = db_in_platform_scope(
			db,
			"INSERT INTO iam.api_keys (user_id, name, key_prefix, key_hash, is_active) "
			"VALUES ($1, $2, $3, decode($4, 'hex'), $5) RETURNING id::text",
			5, params);
		ok = EXPECT_PG_OK(r, "storing a key") && PQntuples(r) == 1;
		if (ok)
			snprintf(ids[i], sizeof(ids[i]), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	return ok;
}

/* Checks that arrive together while the pool is stopped are waiting on its socket when it
 * goes on: a worker takes several of them, looks their keys up in one round trip, and
 * each must still get exactly its own key's answer. */
static void test_gathered_checks_each_get_their_own_answer(void)
{
	const char *url = getenv("VS_OWNER_DATABASE_URL");
	char *name = fx_unique("gathered");
	char keys[NKEYS][VS_API_KEY_LEN + 1], prefixes[NKEYS][VS_API_KEY_PUBLIC_LEN + 1];
	char hashes[NKEYS][2 * VS_SHA256_LEN + 1], ids[NKEYS][VS_UUID_STRLEN + 1];
	bool active[NKEYS];
	struct pool_stop pool = { NULL, 0 };
	char *before = NULL, *after = NULL, *headers[NSENT] = { NULL };
	const char *lists[NSENT][2];
	const char *const *each[NSENT];
	struct resp *rs[NSENT] = { NULL };
	int sent[NSENT];
	size_t n = 0;
	PGconn *db = NULL;

	for (int i = 0; i < NKEYS; i++) {
		db_compose_key(keys[i], prefixes[i], hashes[i]);
		active[i] = i != INACTIVE;
	}
	memcpy(hashes[WRONG_SECRET], hashes[OTHER], sizeof(hashes[0]));
	if (!EXPECT(url && *url, "VS_OWNER_DATABASE_URL must be set (tests/integration/run)") ||
	    !(db = pg_open(url)) || !store_keys(db, name, prefixes, hashes, active, UNKNOWN, ids))
		goto out;
	for (int i = 0; i <= UNKNOWN; i++)
		sent[n++] = i;
	sent[n++] = 0;
	sent[n++] = GOOD_KEYS - 1;
	for (size_t i = 0; i < n; i++) {
		headers[i] = xasprintf("X-API-Key: %s", keys[sent[i]]);
		lists[i][0] = headers[i];
		lists[i][1] = NULL;
		each[i] = lists[i];
	}

	pool.n = check_worker_pids(&pool.pids);
	if (!EXPECT(pool.n > 0, "no check workers found") || !(before = metrics_scrape()))
		goto out;
	signal_pool(&pool, SIGSTOP);
	struct http_hold hold = { 500, resume_pool, &pool };
	size_t done = http_burst_each("GET", "/api/v1/auth/check", each, NULL, n, rs, &hold);
	EXPECT(done == n, "%zu of %zu checks were answered", done, n);
	for (size_t i = 0; i < n; i++) {
		int k = sent[i];
		if (k < GOOD_KEYS) {
			const char *id = resp_header(rs[i], "X-VS-Key-Id");
			if (EXPECT_STATUS(rs[i], 204))
				EXPECT(id && strcmp(id, ids[k]) == 0,
				       "check %zu (good key %d) answered as key %s, not %s", i, k,
				       id ? id : "(none)", ids[k]);
		} else {
			EXPECT(rs[i] && rs[i]->status == 401,
			       "check %zu (key that must fail, kind %d) got %ld, not 401", i, k,
			       rs[i] ? rs[i]->status : 0);
		}
	}

	if (!(after = metrics_scrape()))
		goto out;
	const char *trips = "vs_key_lookup_round_trips_total";
	const char *misses = "vs_cache_lookups_total{cache=\"api_key\",result=\"miss\"}";
	double made = metrics_value(after, trips) - metrics_value(before, trips);
	double missed = metrics_value(after, misses) - metrics_value(before, misses);
	/* No worker had seen any of these keys. */
	EXPECT(missed >= UNKNOWN + 1, "only %.0f key cache misses for %d keys never seen", missed,
	       UNKNOWN + 1);
	EXPECT(made >= 1 && made < UNKNOWN + 1,
	       "%.0f round trips for %d keys looked up: checks that waited together were not "
	       "looked up together",
	       made, UNKNOWN + 1);

out:
	if (pool.n)
		signal_pool(&pool, SIGCONT);
	if (db) {
		const char *del[] = { name };
		db_commit(db, "DELETE FROM iam.api_keys WHERE name = $1", 1, del);
		PQfinish(db);
	}
	for (size_t i = 0; i < NSENT; i++) {
		resp_free(rs[i]);
		free(headers[i]);
	}
	free(pool.pids);
	free(before);
	free(after);
	free(name);
}

/* Since the run began, whatever ran before this suite (in a whole run, suites that sent
 * the check pool every kind of key, token and header, and stopped the database under
 * it) and the tests above, which stop and resume the pool. */
static void test_no_check_worker_died_so_far(void)
{
	pid_t *now = NULL;
	size_t n = check_worker_pids(&now);
	bool same = same_pids(now, n, fx.check_workers_baseline, fx.ncheck_workers_baseline);

	EXPECT(fx.cfg.check_workers <= 0 || (long)n == fx.cfg.check_workers,
	       "%zu check workers run, VS_CHECK_WORKERS=%ld", n, fx.cfg.check_workers);
	EXPECT(same, "a check worker died and was replaced (%zu at start, %zu now, pid sets differ)",
	       fx.ncheck_workers_baseline, n);
	free(now);
}

/* Check workers take VS_CHECK_SCHEDULING's policy (default batch) themselves; the API
 * pool keeps the default one. */
static void test_check_workers_run_under_the_configured_policy(void)
{
	const char *configured = getenv("VS_CHECK_SCHEDULING");
	bool normal = configured && strcmp(configured, "normal") == 0;
	int expected = normal ? SCHED_OTHER : SCHED_BATCH;
	pid_t *check = NULL, *api = NULL;
	size_t ncheck = check_worker_pids(&check), napi = worker_pids(&api);

	EXPECT(ncheck > 0 && napi > 0, "%zu check workers, %zu API workers", ncheck, napi);
	for (size_t i = 0; i < ncheck; i++)
		EXPECT(sched_getscheduler(check[i]) == expected,
		       "check worker %ld: policy %d, expected %d", (long)check[i],
		       sched_getscheduler(check[i]), expected);
	for (size_t i = 0; i < napi; i++)
		EXPECT(sched_getscheduler(api[i]) == SCHED_OTHER, "API worker %ld: policy %d",
		       (long)api[i], sched_getscheduler(api[i]));
	free(check);
	free(api);
}

static int add_check_pool_suite(void)
{
	static const struct it_test tests[] = {
		{ "a warm key check answers at once while every API worker waits on the database", test_check_answers_while_the_api_pool_waits },
		{ "checks that wait together are looked up in one round trip, and each gets its own key's answer", test_gathered_checks_each_get_their_own_answer },
		{ "check workers run under VS_CHECK_SCHEDULING's policy, API workers under the default", test_check_workers_run_under_the_configured_policy },
		{ "no worker of the check pool died while answering the checks so far", test_no_check_worker_died_so_far },
		{ NULL, NULL },
	};

	return it_add_suite("key check pool", NULL, NULL, tests);
}

IT_REGISTER(add_check_pool_suite)
