/*
 * The audit log in the database (sql/017): changes made through the API leave their
 * events, the events join their chains gap-free with hashes anyone can recompute (here
 * with OpenSSL, over the stored canonical bytes), concurrent writers to one chain leave
 * a valid chain, and the application role can neither change nor remove an event.
 */
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "pg_util.h"
#include "suites.h"
#include "util.h"

#define NIL_CHAIN "00000000-0000-0000-0000-000000000000"

static PGconn *owner_db(void)
{
	const char *url = getenv("VS_OWNER_DATABASE_URL");
	if (!EXPECT(url && *url, "VS_OWNER_DATABASE_URL must be set (tests/integration/run)"))
		return NULL;
	return pg_open(url);
}

/* Waits until nothing of chain is pending (vs-worker chains every VS_AUDIT_SEQUENCE_MS). */
static bool wait_chained(PGconn *db, const char *chain)
{
	const char *params[] = { chain };
	for (int i = 0; i < 100; i++) {
		PGresult *r = pg_run(db, "SELECT count(*) FROM audit.pending WHERE chain = $1", 1,
				     params);
		long n = pg_long(r, 0, 0);
		PQclear(r);
		if (n == 0)
			return true;
		sleep_ms(50);
	}
	return EXPECT(false, "events of chain %s stayed pending for 5 s", chain);
}

/* Recomputes chain's hashes from its stored canonical bytes: seq 1..n without gaps,
 * each prev_hash the hash before, hash = SHA-256(prev ‖ seq (8 bytes, big-endian) ‖
 * canonical). Returns the number of links, or -1 after a reported break. */
static long verify_chain(PGconn *db, const char *chain)
{
	const char *params[] = { chain };
	PGresult *r = pg_run(db,
			     "SELECT l.seq, l.prev_hash, l.hash, e.canonical FROM audit.links l "
			     "JOIN audit.events e ON e.pos = l.event_pos WHERE l.chain = $1 "
			     "ORDER BY l.seq",
			     1, params);
	if (!EXPECT_PG_OK(r, "reading the chain")) {
		PQclear(r);
		return -1;
	}
	unsigned char prev[32];
	size_t prev_len = 0;
	long n = PQntuples(r);
	for (long i = 0; i < n; i++) {
		long seq = pg_long(r, (int)i, 0);
		size_t stored_prev_len, hash_len;
		unsigned char *stored_prev = PQunescapeBytea(
			(const unsigned char *)PQgetvalue(r, (int)i, 1), &stored_prev_len);
		unsigned char *hash =
			PQunescapeBytea((const unsigned char *)PQgetvalue(r, (int)i, 2), &hash_len);
		const char *canonical = PQgetvalue(r, (int)i, 3);
		unsigned char seq_be[8], want[32];
		for (int b = 0; b < 8; b++)
			seq_be[b] = (unsigned char)((unsigned long)seq >> (56 - 8 * b));
		EVP_MD_CTX *c = EVP_MD_CTX_new();
		EVP_DigestInit_ex(c, EVP_sha256(), NULL);
		EVP_DigestUpdate(c, prev, prev_len);
		EVP_DigestUpdate(c, seq_be, sizeof(seq_be));
		EVP_DigestUpdate(c, canonical, strlen(canonical));
		EVP_DigestFinal_ex(c, want, NULL);
		EVP_MD_CTX_free(c);
		bool ok = EXPECT(seq == i + 1, "chain %s: seq %ld at place %ld", chain, seq, i + 1) &&
			  EXPECT(stored_prev_len == prev_len &&
					 memcmp(stored_prev, prev, prev_len) == 0,
				 "chain %s: prev_hash of seq %ld is not the hash before", chain, seq) &&
			  EXPECT(hash_len == sizeof(want) && memcmp(hash, want, sizeof(want)) == 0,
				 "chain %s: hash of seq %ld does not recompute", chain, seq);
		memcpy(prev, want, sizeof(want));
		prev_len = sizeof(want);
		PQfreemem(stored_prev);
		PQfreemem(hash);
		if (!ok) {
			PQclear(r);
			return -1;
		}
	}
	PQclear(r);
	return n;
}

/* The canonical JSON of the newest event of action about resource_id, or NULL. */
static char *event_of(PGconn *db, const char *action, const char *resource_id)
{
	const char *params[] = { action, resource_id };
	PGresult *r = pg_run(db,
			     "SELECT canonical FROM audit.events WHERE action = $1 AND "
			     "resource_id = $2 ORDER BY pos DESC LIMIT 1",
			     2, params);
	char *out = PQntuples(r) == 1 ? xstrdup(PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	return out;
}

static void test_role_changes_leave_a_valid_chain(void)
{
	PGconn *db = owner_db();
	char *tenant = fx_create_tenant(NULL), *name = fx_unique("audited");
	char *id = NULL;
	if (!db || !tenant)
		goto out;
	char *body = xasprintf("{\"name\":\"%s\"}", name);
	struct resp *r = req("POST", "/api/v1/roles", fx.admin.access, tenant, body);
	struct json_object *o = EXPECT_JSON(r, 201);
	id = o && jstr(o, "id") ? xstrdup(jstr(o, "id")) : NULL;
	char *request_id = resp_header(r, "X-Request-Id") ? xstrdup(resp_header(r, "X-Request-Id"))
							  : xstrdup("?");
	resp_free(r);
	free(body);
	if (!id) {
		free(request_id);
		goto out;
	}
	char *path = xasprintf("/api/v1/roles/%s", id);
	r = req("PATCH", path, fx.admin.access, tenant, "{\"description\":\"now audited\"}");
	EXPECT_STATUS(r, 200);
	resp_free(r);
	r = req("DELETE", path, fx.admin.access, tenant, NULL);
	EXPECT_STATUS(r, 204);
	resp_free(r);
	free(path);

	if (!wait_chained(db, tenant))
		goto out;
	char *created = event_of(db, "role.created", id), *updated = event_of(db, "role.updated", id),
	     *deleted = event_of(db, "role.deleted", id);
	EXPECT(created && strstr(created, name),
	       "role.created does not name the role: %s", created ? created : "none");
	EXPECT(updated && strstr(updated, "\"description\":{\"from\":null,\"to\":\"now audited\"}"),
	       "role.updated does not hold the change: %s", updated ? updated : "none");
	EXPECT(deleted != NULL, "no role.deleted event");
	EXPECT(created && strstr(created, tenant), "the event is not in the tenant's chain");
	/* Who and whence: the admin, from the test's address, in the response's request. */
	char *whence = xasprintf("\"request_id\":\"%s\"", request_id);
	char *actor = xasprintf("\"actor\":{\"api_key_id\":null,\"ip\":\"127.0.0.1\","
				"\"user_id\":\"%s\"}", fx.admin.id);
	EXPECT(created && strstr(created, whence) && strstr(created, actor),
	       "role.created lacks %s or %s: %s", whence, actor, created ? created : "none");
	free(whence);
	free(actor);
	free(request_id);
	free(created);
	free(updated);
	free(deleted);
	EXPECT(verify_chain(db, tenant) >= 3, "the tenant's chain holds fewer than 3 links");
out:
	fx_delete_tenant(tenant);
	free(tenant);
	free(name);
	free(id);
	if (db)
		PQfinish(db);
}

static void test_concurrent_writes_to_one_chain_stay_gap_free(void)
{
	enum { N = 24 };
	PGconn *db = owner_db();
	char *tenant = fx_create_tenant(NULL);
	if (!db || !tenant)
		goto out;
	char *auth = xasprintf("Authorization: Bearer %s", fx.admin.access);
	char *tenant_hdr = xasprintf("X-Tenant-ID: %s", tenant);
	const char *hdrs[] = { auth, tenant_hdr, "Content-Type: application/json", NULL };
	const char *const *each[N];
	struct resp *rs[N];
	for (int i = 0; i < N; i++)
		each[i] = hdrs;
	/* N requests at once with one body: one creates the role, the others conflict on its
	 * name; three rounds, so three events race into the chain with everything else */
	size_t done = 0;
	for (int round = 0; round < 3; round++) {
		char *name = fx_unique("burst");
		char *body = xasprintf("{\"name\":\"%s\"}", name);
		done += http_burst_each("POST", "/api/v1/roles", each, body, N, rs, NULL);
		for (int i = 0; i < N; i++)
			resp_free(rs[i]);
		free(body);
		free(name);
	}
	EXPECT(done == 3 * N, "only %zu of %d requests were answered", done, 3 * N);
	if (wait_chained(db, tenant)) {
		long links = verify_chain(db, tenant);
		EXPECT(links >= 3, "%ld links after 3 successful creates", links);
	}
	free(auth);
	free(tenant_hdr);
out:
	fx_delete_tenant(tenant);
	free(tenant);
	if (db)
		PQfinish(db);
}

static void test_failed_login_is_recorded_without_the_password(void)
{
	PGconn *db = owner_db();
	char *email = fx_email("nobody-audit");
	if (!db)
		goto out;
	struct resp *r = fx_login_json(email, "not-the-password-123");
	EXPECT_STATUS(r, 401);
	resp_free(r);
	const char *params[] = { email };
	PGresult *res = pg_run(db,
			       "SELECT canonical FROM audit.events WHERE action = 'auth.login_failed' "
			       "AND canonical::jsonb -> 'changes' -> 'email' ->> 'to' = $1",
			       1, params);
	if (EXPECT_PG_OK(res, "reading the failed login") &&
	    EXPECT(PQntuples(res) == 1, "%d auth.login_failed events for %s", PQntuples(res), email))
		EXPECT(!strstr(PQgetvalue(res, 0, 0), "not-the-password-123") &&
			       strstr(PQgetvalue(res, 0, 0), "\"outcome\":\"failure\""),
		       "the event: %s", PQgetvalue(res, 0, 0));
	PQclear(res);
	EXPECT(wait_chained(db, NIL_CHAIN) && verify_chain(db, NIL_CHAIN) > 0,
	       "the platform chain does not verify");
out:
	free(email);
	if (db)
		PQfinish(db);
}

/* A logout that revokes a session is recorded in the platform's chain, by its user. */
static void test_logout_is_recorded(void)
{
	PGconn *db = owner_db();
	struct it_user u = { 0 };
	if (!db || !fx_create_user(NULL, NULL, &u) || !fx_login(&u))
		goto out;
	char *body = xasprintf("{\"refresh_token\":\"%s\"}", u.refresh);
	struct resp *r = req("POST", "/api/v1/auth/logout", u.access, NULL, body);
	EXPECT_STATUS(r, 204);
	resp_free(r);
	free(body);
	const char *params[] = { u.id };
	PGresult *res = pg_run(db,
			       "SELECT count(*) FROM audit.events WHERE action = 'auth.logged_out' "
			       "AND actor_user_id = $1 AND tenant_id IS NULL",
			       1, params);
	EXPECT(pg_long(res, 0, 0) == 1, "%ld auth.logged_out events of the user", pg_long(res, 0, 0));
	PQclear(res);
out:
	if (u.id)
		fx_delete_user(u.id);
	fx_user_release(&u);
	if (db)
		PQfinish(db);
}

/* A change refused for want of permission is an event of the tenant's chain, by the
 * member refused, with the route and the permission it lacked; a refused read is not. */
static void test_permission_denied_on_a_change_is_recorded(void)
{
	PGconn *db = owner_db();
	char *tenant = fx_create_tenant(NULL);
	struct it_user u = { 0 };
	if (!db || !tenant || !fx_new_member(tenant, &u))
		goto out;
	struct resp *r = req("POST", "/api/v1/roles", u.access, tenant, "{\"name\":\"not mine\"}");
	EXPECT_STATUS(r, 403);
	resp_free(r);
	r = req("GET", "/api/v1/audit-logs", u.access, tenant, NULL); /* a read: 403, no event */
	EXPECT_STATUS(r, 403);
	resp_free(r);
	const char *params[] = { u.id, tenant };
	PGresult *res = pg_run(db,
			       "SELECT canonical FROM audit.events WHERE actor_user_id = $1 "
			       "AND tenant_id = $2 AND action = 'auth.permission_denied'",
			       2, params);
	if (EXPECT(PQntuples(res) == 1, "%d auth.permission_denied events", PQntuples(res))) {
		const char *e = PQgetvalue(res, 0, 0);
		EXPECT(strstr(e, "\"outcome\":\"denied\"") &&
			       strstr(e, "\"id\":\"POST /api/v1/roles\",\"type\":\"route\"") &&
			       strstr(e, "\"permission\":{\"to\":\"role:create\"}"),
		       "the event: %s", e);
	}
	PQclear(res);
	EXPECT(wait_chained(db, tenant) && verify_chain(db, tenant) >= 1, "the chain verifies");
out:
	if (u.id)
		fx_delete_user(u.id);
	fx_user_release(&u);
	fx_delete_tenant(tenant);
	free(tenant);
	if (db)
		PQfinish(db);
}

/* An event written straight into the table (as a writer that dies after its commit leaves
 * it): vs-worker's turns chain it. Its chain is one nobody else writes to. */
static void test_an_event_left_pending_is_chained_by_vs_worker(void)
{
	PGconn *db = owner_db();
	if (!db)
		return;
	char tenant[37], id[37];
	random_uuid(tenant);
	random_uuid(id);
	char *canonical = xasprintf("{\"action\":\"test.left_pending\",\"id\":\"%s\","
				    "\"occurred_at\":\"2026-12-07T20:00:00.000000Z\","
				    "\"tenant_id\":\"%s\"}", id, tenant);
	const char *params[] = { canonical };
	PGresult *r = pg_run(db, "INSERT INTO audit.events (canonical) VALUES ($1)", 1, params);
	PQclear(r);
	EXPECT(wait_chained(db, tenant) && verify_chain(db, tenant) == 1,
	       "the event left pending did not join its chain");
	free(canonical);
	PQfinish(db);
}

static void test_application_cannot_change_or_remove_events(void)
{
	static const char *const writes[] = {
		"UPDATE audit.events SET canonical = canonical",
		"DELETE FROM audit.events",
		"UPDATE audit.links SET hash = hash",
		"DELETE FROM audit.links",
		"DELETE FROM audit.pending",
		"UPDATE audit.heads SET seq = 0",
		"TRUNCATE audit.events",
	};
	EXPECT_APP_REFUSED("SELECT set_config('vs.platform', 'on', true)", writes,
			   sizeof(writes) / sizeof(writes[0]));
}

static int add_audit_chain_suite(void)
{
	static const struct it_test tests[] = {
		{ "a role created, changed and deleted leaves three events in a chain that recomputes", test_role_changes_leave_a_valid_chain },
		{ "72 concurrent creates in one tenant: its chain stays gap-free and recomputes", test_concurrent_writes_to_one_chain_stay_gap_free },
		{ "a failed login is an event of its own, without the password", test_failed_login_is_recorded_without_the_password },
		{ "the application role cannot change or remove audit rows", test_application_cannot_change_or_remove_events },
		{ "an event written and left is chained by vs-worker's turns", test_an_event_left_pending_is_chained_by_vs_worker },
		{ "a logout that revokes a session is an auth.logged_out event of its user", test_logout_is_recorded },
		{ "a change refused for want of permission is an auth.permission_denied event; a read is not", test_permission_denied_on_a_change_is_recorded },
		{ NULL, NULL },
	};
	return it_add_suite("audit chain", NULL, NULL, tests);
}

IT_REGISTER(add_audit_chain_suite)
