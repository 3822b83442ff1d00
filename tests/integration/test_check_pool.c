/*
 * The key check has a pool of workers of its own (sock/check.sock, VS_CHECK_WORKERS):
 * a check answers from its worker's cache while every worker of the API pool waits on
 * the database, where with one pool it would queue behind them.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "pg_util.h"
#include "procs.h"
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

/* The suites before this one sent the check pool every kind of key, token and header,
 * and stopped the database under it. */
static void test_no_check_worker_died_so_far(void)
{
	pid_t *now = NULL;
	size_t n = check_worker_pids(&now);
	bool same = same_pids(now, n, fx.check_workers_at_start, fx.ncheck_workers_at_start);

	EXPECT(fx.cfg.check_workers <= 0 || (long)n == fx.cfg.check_workers,
	       "%zu check workers run, VS_CHECK_WORKERS=%ld", n, fx.cfg.check_workers);
	EXPECT(same, "a check worker died and was replaced (%zu at start, %zu now, pid sets differ)",
	       fx.ncheck_workers_at_start, n);
	free(now);
}

int add_check_pool_suite(void)
{
	static const struct it_test tests[] = {
		{ "a warm key check answers at once while every API worker waits on the database", test_check_answers_while_the_api_pool_waits },
		{ "no worker of the check pool died while answering the checks so far", test_no_check_worker_died_so_far },
		{ NULL, NULL },
	};

	return it_add_suite("key check pool", NULL, NULL, tests);
}
