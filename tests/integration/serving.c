#include "serving.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "db_keys.h"
#include "fixtures.h"
#include "http.h"
#include "pg_util.h"
#include "util.h"

static long pool_size(long configured, long fallback)
{
	return configured > 0 ? configured : fallback;
}

/* Requests enough to reach every worker of a pool of n (nginx spreads them). */
static int fan_out(long n)
{
	return (int)(3 * n);
}

/* Sends next() until `want` answers in a row have status ok (or the deadline); the run. */
static int run_of(struct resp *(*next)(const char *), const char *arg, long ok, int want,
		  double deadline)
{
	int good = 0;

	while (good < want && now_mono() < deadline) {
		struct resp *r = next(arg);

		good = r->status == ok ? good + 1 : 0;
		resp_free(r);
		if (good == 0)
			sleep_ms(250);
	}
	return good;
}

static struct resp *ready(const char *unused)
{
	(void)unused;
	return req("GET", "/api/v1/health/ready", NULL, NULL, NULL);
}

static struct resp *me(const char *unused)
{
	(void)unused;
	return req("GET", "/api/v1/users/me", fx.admin.access, NULL, NULL);
}

static struct resp *check(const char *key)
{
	return fx_auth_check(key, NULL, NULL, NULL, NULL);
}

/* The workers' database sessions (the application role's, named vs-fcgi), -1 if unknown. */
static long worker_sessions(PGconn *db)
{
	PGresult *r = pg_run(db,
			     "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
			     "'vs-fcgi' AND pid <> pg_backend_pid()",
			     0, NULL);
	long n = pg_long(r, 0, 0);

	PQclear(r);
	return n;
}

/* As many concurrent requests as 2 x the pool: each of its workers takes some. */
static void nudge(long api, long checkers)
{
	char *auth = xasprintf("Authorization: Bearer %s", fx.admin.access);
	const char *api_hdrs[] = { auth, NULL };
	size_t n = (size_t)(2 * (api > checkers ? api : checkers));
	struct resp **rs = xcalloc(n, sizeof(*rs));
	const char *const **each = xcalloc(n, sizeof(*each));
	char (*lines)[VS_API_KEY_LEN + 32] = xcalloc(n, sizeof(*lines));
	const char *(*check_hdrs)[4] = xcalloc(n, sizeof(*check_hdrs));

	http_burst("GET", "/api/v1/users/me", api_hdrs, NULL, (size_t)(2 * api), rs);
	for (size_t i = 0; i < (size_t)(2 * api); i++)
		resp_free(rs[i]);
	/* keys nobody has: each check must ask the database */
	for (size_t i = 0; i < (size_t)(2 * checkers); i++) {
		char key[VS_API_KEY_LEN + 1], prefix[VS_API_KEY_PUBLIC_LEN + 1];
		char hash[2 * VS_SHA256_LEN + 1];

		db_compose_key(key, prefix, hash);
		snprintf(lines[i], sizeof(lines[i]), "X-API-Key: %s", key);
		check_hdrs[i][0] = "X-Original-URI: /";
		check_hdrs[i][1] = "X-Original-Method: GET";
		check_hdrs[i][2] = lines[i];
		each[i] = check_hdrs[i];
	}
	http_burst_each("GET", "/api/v1/auth/check", each, NULL, (size_t)(2 * checkers), rs,
			NULL);
	for (size_t i = 0; i < (size_t)(2 * checkers); i++)
		resp_free(rs[i]);
	free(check_hdrs);
	free(lines);
	free(each);
	free(rs);
	free(auth);
}

/*
 * A worker notices that its connection died with the old server only when a request
 * uses it, so a worker that no request reached since the restart still holds a dead one
 * (and its next request would fail). Requests in bursts reach every worker; the database
 * says when each has a session again.
 */
static bool every_worker_connected(long api, long checkers, double deadline)
{
	const char *url = getenv("VS_DATABASE_URL");
	PGconn *db;
	long want = api + checkers, have = -1;

	if (!EXPECT(url && *url, "VS_DATABASE_URL must be set (tests/integration/run)") ||
	    !(db = pg_open(url)))
		return false;
	while ((have = worker_sessions(db)) != want && now_mono() < deadline) {
		nudge(api, checkers);
		sleep_ms(100);
	}
	PQfinish(db);
	return EXPECT(have == want, "%ld database sessions of the workers, not %ld (one for each "
				    "of %ld API and %ld check workers)",
		      have, want, api, checkers);
}

bool expect_stack_serving(double seconds)
{
	double deadline = now_mono() + seconds;
	long api = pool_size(fx.cfg.workers, 3), checkers = pool_size(fx.cfg.check_workers, 2);
	int got;
	char *key = NULL, *id = NULL, *path;
	bool ok;

	got = run_of(ready, NULL, 200, 1, deadline);
	ok = EXPECT(got == 1, "/api/v1/health/ready was not 200 within %.0f s", seconds) &&
	     every_worker_connected(api, checkers, deadline);
	got = ok ? run_of(me, NULL, 200, fan_out(api), deadline) : 0;
	ok = ok && EXPECT(got == fan_out(api), "the API pool: a run of %d, not %d, "
					       "authenticated requests were 200 within %.0f s",
			  got, fan_out(api), seconds);
	if (ok)
		key = fx_create_key(fx.admin.access, "{\"name\":\"serving\",\"scope\":\"GLOBAL\"}",
				    &id);
	got = key ? run_of(check, key, 204, fan_out(checkers), deadline) : 0;
	ok = ok && key &&
	     EXPECT(got == fan_out(checkers), "the check pool: a run of %d, not %d, checks of "
					      "a new key were 204 within %.0f s",
		    got, fan_out(checkers), seconds);
	if (id) {
		path = xasprintf("/api/v1/api-keys/%s", id);
		resp_free(req("DELETE", path, fx.admin.access, NULL, NULL));
		free(path);
	}
	free(key);
	free(id);
	return ok;
}
