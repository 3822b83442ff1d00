/*
 * last_used_at is written at most once a minute per key: also when a worker sees more
 * keys than one write batch holds (64), and not again by a worker that looks a key up
 * while another worker's write is recent. A worker with nothing to do writes what waits
 * at once.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "db_keys.h"
#include "json_get.h"
#include "fixtures.h"
#include "http.h"
#include "pg_util.h"
#include "suites.h"
#include "util.h"

#define WRITE_BATCH 64 /* PG_TOUCH_BATCH: a worker writes when it has noted this many keys */

/* Checks of every key, each `times` in a row (which reaches each worker of the pool);
 * how many answered 204. */
static int check_all(char (*keys)[VS_API_KEY_LEN + 1], int n, int times)
{
	int good = 0;

	for (int i = 0; i < n; i++) {
		for (int t = 0; t < times; t++) {
			struct resp *r = fx_auth_check(keys[i], NULL, NULL, NULL, NULL);

			good += r && r->status == 204;
			resp_free(r);
		}
	}
	return good;
}

/* A scalar of sql (platform scope), -1 after a reported failure. */
static long db_long(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r = db_in_platform_scope(c, sql, n, params);
	long v = pg_succeeded(r) ? pg_long(r, 0, 0) : -1;

	PQclear(r);
	return v;
}

/* The workers write after answering: wait until the count of written keys holds still. */
static long settled_written(PGconn *c, const char *name)
{
	const char *params[] = { name };
	long last = -1, now;

	for (int i = 0; i < 50; i++) {
		sleep_ms(200);
		now = db_long(c, "SELECT count(last_used_at) FROM iam.api_keys WHERE name = $1", 1,
			      params);
		if (now == last)
			break;
		last = now;
	}
	return last;
}

static void test_last_used_written_once_among_many_keys(void)
{
	long checkers = fx.cfg.check_workers > 0 ? fx.cfg.check_workers : 2;
	/* More keys than all check workers' batches hold: every round makes some worker write. */
	int n = (int)(WRITE_BATCH * checkers + 128);
	const char *url = getenv("VS_OWNER_DATABASE_URL");
	char (*keys)[VS_API_KEY_LEN + 1] = calloc((size_t)n, sizeof(*keys));
	char prefix[VS_API_KEY_PUBLIC_LEN + 1], hash[2 * VS_SHA256_LEN + 1];
	size_t cap = (size_t)n * (sizeof(hash) + 1) + 3;
	char *prefixes = calloc(1, cap), *hashes = calloc(1, cap), *name = fx_unique("many-keys");
	PGconn *db = NULL;

	if (!EXPECT(keys && prefixes && hashes, "out of memory") ||
	    !EXPECT(url && *url, "VS_OWNER_DATABASE_URL must be set (tests/integration/run)") ||
	    !(db = pg_open(url)))
		goto out;
	strcpy(prefixes, "{");
	strcpy(hashes, "{");
	for (int i = 0; i < n; i++) {
		db_compose_key(keys[i], prefix, hash);
		strcat(strcat(prefixes, i ? "," : ""), prefix);
		strcat(strcat(hashes, i ? "," : ""), hash);
	}
	strcat(prefixes, "}");
	strcat(hashes, "}");
	const char *add[] = { fx.admin.id, name, prefixes, hashes };
	long rows = db_commit(db, "INSERT INTO iam.api_keys (user_id, name, key_prefix, key_hash) "
				  "SELECT $1::uuid, $2, t.p, decode(t.h, 'hex') "
				  "FROM unnest($3::text[], $4::text[]) AS t (p, h)",
			      4, add);
	if (!EXPECT(rows == n, "stored %ld of %d keys", rows, n))
		goto out;

	int good = check_all(keys, n, 1);
	if (!EXPECT(good == n, "only %d of %d first checks were 204", good, n))
		goto out;
	long written = settled_written(db, name);
	if (!EXPECT(written >= WRITE_BATCH,
		    "%ld of %d keys have a last_used_at after every check worker saw some", written,
		    n))
		goto out;
	const char *mine[] = { name };
	PGresult *r = db_in_platform_scope(db,
					   "CREATE TEMP TABLE first_writes AS SELECT id, last_used_at "
					   "FROM iam.api_keys WHERE name = $1 AND last_used_at IS NOT NULL",
					   1, mine);
	bool saved = EXPECT_PG_OK(r, "saving the first writes");
	PQclear(r);
	if (!saved)
		goto out;

	/* Each key again on every worker, within the minute of its write: the worker that
	 * wrote it remembers that, the others learn it from their lookup. */
	good = check_all(keys, n, (int)checkers);
	EXPECT(good == checkers * n, "only %d of %ld later checks were 204", good, checkers * n);
	settled_written(db, name);
	long rewritten = db_long(db, "SELECT count(*) FROM first_writes f JOIN iam.api_keys k "
				     "USING (id) WHERE k.last_used_at <> f.last_used_at",
				 0, NULL);
	EXPECT(rewritten == 0,
	       "%ld of %ld keys written in the first round were written again within the minute "
	       "(a write per batch of other keys, not per key and minute)",
	       rewritten, written);

out:
	if (db) {
		const char *del[] = { name };
		db_commit(db, "DELETE FROM iam.api_keys WHERE name = $1", 1, del);
		PQfinish(db);
	}
	free(keys);
	free(prefixes);
	free(hashes);
	free(name);
}

/* One check, then nothing for the check pool: its worker is idle and writes the use
 * within seconds, where it used to wait for that worker's next request. */
static void test_idle_worker_writes_at_once(void)
{
	char *id = NULL, *name = fx_unique("idle");
	char *body = xasprintf("{\"name\":\"%s\",\"scope\":\"GLOBAL\"}", name);
	char *key = fx_create_key(fx.admin.access, body, &id), *path = NULL;
	struct resp *r = NULL;
	const char *seen = NULL;

	if (!EXPECT(key != NULL, "could not create a key"))
		goto out;
	r = fx_auth_check(key, NULL, NULL, NULL, NULL);
	EXPECT_STATUS(r, 204);
	double used = now_mono();
	path = xasprintf("/api/v1/api-keys/%s", id);
	while (now_mono() < used + 10) { /* GET goes to the API pool, not the check pool */
		sleep_ms(250);
		resp_free(r);
		r = req("GET", path, fx.admin.access, NULL, NULL);
		if ((seen = jstr(resp_json(r), "last_used_at")) != NULL)
			break;
	}
	if (EXPECT(seen != NULL, "last_used_at still null 10 s after one use: %s", resp_summary(r)))
		EXPECT(now_mono() - used < 5, "last_used_at appeared only %.1f s after the use",
		       now_mono() - used);
out:
	resp_free(r);
	free(path);
	free(key);
	free(id);
	free(body);
	free(name);
}

static int add_key_last_used_suite(void)
{
	static const struct it_test tests[] = {
		{ "a worker with nothing to do writes a key's last_used_at within seconds of its use", test_idle_worker_writes_at_once },
		{ "last_used_at is written once per key and minute, also among more keys than a write batch, and not again by another worker", test_last_used_written_once_among_many_keys },
		{ NULL, NULL },
	};

	return it_add_suite("key last_used_at writes", NULL, NULL, tests);
}

IT_REGISTER(add_key_last_used_suite)
