/*
 * Keys looked up ahead (the API-key port's prefetch), as a check worker does for the
 * requests it holds, through the worker's own runtime as the application role: each
 * check then answers as its own lookup would have, uses the result without asking again,
 * and asks again once a notification has come in between.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_keys/usecases.h"
#include "app/db.h"
#include "check.h"
#include "runtime/runtime.h"
#include "core/log.h"
#include "db_keys.h"
#include "fixtures.h"
#include "pg_util.h"
#include "suites.h"
#include "util.h"

static struct vs_runtime rt;
static struct vs_api_key_repo *keys; /* rt.app.api_keys */
static struct vs_db *db;	     /* rt.app.db */
static struct vs_arena *arena;
static PGconn *owner;

static int suite_init(void)
{
	const char *url = getenv("VS_DATABASE_URL"), *owner_url = getenv("VS_OWNER_DATABASE_URL");
	if (!url || !*url || !owner_url || !*owner_url) {
		fprintf(stderr, "key prefetch: VS_DATABASE_URL and VS_OWNER_DATABASE_URL must be "
				"set (tests/integration/run exports them)\n");
		return -1;
	}
	static const struct vs_runtime_options options = { 0 };
	char err[256];
	if (!vs_runtime_open(&rt, &options, err, sizeof(err))) {
		fprintf(stderr, "key prefetch: %s\n", err);
		return -1;
	}
	vs_log_set_level(VS_LOG_WARN);
	keys = rt.app.api_keys;
	db = rt.app.db;
	arena = vs_arena_new();
	owner = pg_open(owner_url);
	return owner ? 0 : -1;
}

static int suite_cleanup(void)
{
	vs_runtime_close(&rt);
	vs_arena_free(arena);
	if (owner)
		PQfinish(owner);
	return 0;
}

/* A key stored for the admin; with `stored_hash` (hex) its record holds that hash rather
 * than the key's own, as a key presented with a wrong secret would find. */
static bool store_key(char key[VS_API_KEY_LEN + 1], const char *name, const char *stored_hash)
{
	char prefix[VS_API_KEY_PUBLIC_LEN + 1], hash[2 * VS_SHA256_LEN + 1];
	db_compose_key(key, prefix, hash);
	const char *params[] = { fx.admin.id, name, prefix, stored_hash ? stored_hash : hash };
	return EXPECT(db_commit(owner,
				"INSERT INTO iam.api_keys (user_id, name, key_prefix, key_hash) "
				"VALUES ($1, $2, $3, decode($4, 'hex'))",
				4, params) == 1,
		      "could not store key %s", name);
}

static bool set_active(const char *name, bool active)
{
	const char *params[] = { name, active ? "true" : "false" };
	return EXPECT(db_commit(owner, "UPDATE iam.api_keys SET is_active = $2 WHERE name = $1", 2,
				params) == 1,
		      "could not change key %s", name);
}

/* The same change with the trigger that tells the workers switched off for its own
 * transaction (DDL is transactional): a change no worker can learn of but by asking. */
static bool deactivate_unannounced(const char *name)
{
	static const char *const steps[] = {
		"BEGIN",
		"SELECT set_config('vs.platform', 'on', true)",
		"ALTER TABLE iam.api_keys DISABLE TRIGGER api_keys_key_changed",
		"UPDATE iam.api_keys SET is_active = false WHERE name = $1",
		"ALTER TABLE iam.api_keys ENABLE TRIGGER api_keys_key_changed",
		"COMMIT",
	};
	const char *params[] = { name };
	bool ok = true;
	for (size_t i = 0; ok && i < sizeof(steps) / sizeof(steps[0]); i++) {
		PGresult *r = pg_run(owner, steps[i], strstr(steps[i], "$1") ? 1 : 0, params);
		ok = EXPECT_PG_OK(r, steps[i]);
		PQclear(r);
	}
	if (!ok)
		PQclear(pg_run(owner, "ROLLBACK", 0, NULL));
	return ok;
}

/* Storing a key notifies every worker (its id: forget it); a notification read after a
 * prefetch voids it. So the tests read those of their own setup first, as a worker would
 * have before its requests came. */
static unsigned long notifications(void)
{
	struct vs_db_stats s;
	db->ops->stats(db, &s);
	return s.notifications;
}

static unsigned long notifications_read(void)
{
	(void)db->ops->ensure(db);
	return notifications();
}

static void await_notifications(unsigned long before, unsigned long count)
{
	for (int i = 0; i < 400 && notifications() < before + count; i++) {
		sleep_ms(5);
		(void)db->ops->ensure(db);
	}
	EXPECT(notifications() >= before + count, "%lu of %lu notifications of the setup arrived",
	       notifications() - before, count);
}

/* The record the port finds for a key, as the check's verification asks it. */
static enum vs_err find(const char *key, struct vs_api_key *out)
{
	char public_id[VS_API_KEY_PUBLIC_LEN + 1];
	memset(out, 0, sizeof(*out));
	if (!vs_api_key_parse(key, strlen(key), public_id))
		return VS_INVALID;
	return keys->ops->find(keys, arena, public_id, out);
}

/* What the one verification concludes of a key. */
static enum vs_err authenticate(const char *key)
{
	struct vs_api_key k;
	struct vs_error e = { 0 };
	return vs_api_keys_authenticate(&rt.app, arena, key, strlen(key), &k, &e);
}

static void prefetch_done(void)
{
	keys->ops->prefetch_done(keys);
	db->ops->request_done(db);
}

static void test_prefetched_keys_answer_as_lookups_would(void)
{
	char good[VS_API_KEY_LEN + 1], other[VS_API_KEY_LEN + 1], wrong[VS_API_KEY_LEN + 1],
		inactive[VS_API_KEY_LEN + 1], unknown[VS_API_KEY_LEN + 1], prefix[13],
		hash[2 * VS_SHA256_LEN + 1];
	char *g = fx_unique("pf-good"), *o = fx_unique("pf-other"), *w = fx_unique("pf-wrong"),
	     *i = fx_unique("pf-inactive");
	struct vs_api_key k;

	unsigned long before = notifications_read();
	db_compose_key(unknown, prefix, hash); /* never stored; its hash stands in for a wrong one */
	if (!store_key(good, g, NULL) || !store_key(other, o, NULL) || !store_key(wrong, w, hash) ||
	    !store_key(inactive, i, NULL) || !set_active(i, false))
		goto out;
	await_notifications(before, 5);
	const char *held[] = { good, wrong, unknown, NULL, inactive, "vsak_not-a-key", other, good };
	keys->ops->prefetch(keys, held, sizeof(held) / sizeof(held[0]));

	EXPECT(authenticate(good) == VS_OK && find(good, &k) == VS_OK && k.is_active &&
		       k.owner_active,
	       "the good key failed");
	EXPECT(authenticate(other) == VS_OK, "the other good key failed");
	EXPECT(authenticate(wrong) == VS_UNAUTHORIZED, "a key with the wrong secret passed");
	EXPECT(authenticate(unknown) == VS_UNAUTHORIZED && find(unknown, &k) == VS_NOTFOUND,
	       "a key never stored passed");
	EXPECT(find(inactive, &k) == VS_OK && !k.is_active && authenticate(inactive) == VS_UNAUTHORIZED,
	       "the deactivated key came back %s", k.is_active ? "active" : "missing");
	prefetch_done();
out:
	free(g);
	free(o);
	free(w);
	free(i);
}

/* Two new keys, looked up ahead together, as a worker holding their requests does. */
static bool store_and_prefetch_two(char a[VS_API_KEY_LEN + 1], const char *name_a,
				   char b[VS_API_KEY_LEN + 1], const char *name_b)
{
	unsigned long before = notifications_read();
	if (!store_key(a, name_a, NULL) || !store_key(b, name_b, NULL))
		return false;
	await_notifications(before, 2);
	const char *held[] = { a, b };
	keys->ops->prefetch(keys, held, 2);
	return true;
}

static void test_prefetched_results_are_used_until_done(void)
{
	char first[VS_API_KEY_LEN + 1], second[VS_API_KEY_LEN + 1];
	char *f = fx_unique("pf-first"), *s = fx_unique("pf-second");
	struct vs_api_key k;

	if (!store_and_prefetch_two(first, f, second, s) || !deactivate_unannounced(f) ||
	    !deactivate_unannounced(s))
		goto out;
	/* Still active: the answer of the lookup made ahead, not of a second one. */
	EXPECT(find(first, &k) == VS_OK && k.is_active,
	       "the first check asked the database again instead of using the prefetched key");
	keys->ops->prefetch_done(keys);
	/* Held requests answered: the next check asks. */
	EXPECT(find(second, &k) == VS_OK && !k.is_active,
	       "a check after prefetch_done used a prefetched (stale) key");
out:
	prefetch_done();
	free(f);
	free(s);
}

static void test_a_notification_voids_prefetched_results(void)
{
	char revoked[VS_API_KEY_LEN + 1], kept[VS_API_KEY_LEN + 1];
	char *r = fx_unique("pf-revoked"), *kn = fx_unique("pf-kept");
	struct vs_api_key k;

	if (!store_and_prefetch_two(revoked, r, kept, kn) ||
	    !set_active(r, false)) /* committed, and announced to every worker */
		goto out;
	sleep_ms(100); /* for the notification to reach the connection */
	EXPECT(find(revoked, &k) == VS_OK && !k.is_active,
	       "a key deactivated after it was prefetched still came back active");
	EXPECT(find(kept, &k) == VS_OK && k.is_active, "the unchanged key failed");
out:
	prefetch_done();
	free(r);
	free(kn);
}

static int add_key_prefetch_suite(void)
{
	static const struct it_test tests[] = {
		{ "prefetched keys answer as their own lookups would", test_prefetched_keys_answer_as_lookups_would },
		{ "a prefetched key is used without asking again, until prefetch_done", test_prefetched_results_are_used_until_done },
		{ "a notification after the prefetch voids it", test_a_notification_voids_prefetched_results },
		{ NULL, NULL },
	};

	return it_add_suite("key prefetch", suite_init, suite_cleanup, tests);
}

IT_REGISTER(add_key_prefetch_suite)
