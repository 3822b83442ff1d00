/*
 * GET /api/v1/auth/check, the nginx auth_request endpoint (DESIGN.md §6): 204 with the
 * identity headers, 401 or 403, never a body and never another status; client-sent X-VS-*
 * headers change nothing; a revoked key is refused by the very next check on every worker
 * (the propagation time is measured and printed), also when the change is committed
 * straight in the database as another host's worker would; so is a deleted tenant's key or
 * a withdrawn role; with the database down it fails closed.
 */
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "db_keys.h"
#include "core/crypto.h"
#include "api_keys/domain.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "pg_util.h"
#include "procs.h"
#include "rbac_world.h"
#include "serving.h"
#include "suites.h"
#include "util.h"

#define BURST 30 /* concurrent checks: several workers answer at once */

static struct rbac_world world;
static bool world_tried, world_ok;

static struct rbac_world *get_world(void)
{
	if (!world_tried) {
		world_tried = true;
		world_ok = rw_build(&world);
	}
	EXPECT(world_ok, "could not build the tenants and users of this suite "
			 "(the first failure above says why)");
	return world_ok ? &world : NULL;
}

static int suite_cleanup(void)
{
	if (world_tried)
		rw_free(&world);
	world_tried = world_ok = false;
	return 0;
}

/* Sequential checks enough to reach every worker of either pool (each answers one request
 * at a time; an API-key request passes through both). */
static int fan_out(void)
{
	long most = fx.cfg.workers > fx.cfg.check_workers ? fx.cfg.workers : fx.cfg.check_workers;
	return (int)(most > 0 ? 6 * most : 18) + 2;
}

/* How many headers of that name the response has. */
static size_t header_count(const struct resp *r, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nhdrs; i++)
		n += strcasecmp(r->hdrs[i].name, name) == 0;
	return n;
}

/* status is want (one of 204/401/403), no body, Content-Length absent or 0, X-Request-Id. */
#define EXPECT_CHECK(r, want) expect_check((r), (want), __FILE__, __LINE__)
static bool expect_check(struct resp *r, long want, const char *file, int line)
{
	const char *cl = resp_header(r, "Content-Length");
	bool ok = chk_status(r, want, file, line);

	ok &= chk(r->status == 204 || r->status == 401 || r->status == 403, file, line,
		  "auth/check answered a status nginx cannot use: %s", resp_summary(r));
	ok &= chk(r->len == 0 && (!cl || strcmp(cl, "0") == 0), file, line,
		  "auth/check must not have a body (Content-Length %s): %s", cl ? cl : "absent",
		  resp_summary(r));
	return ok;
}

/* The header is exactly once there and equals want (absent when want is NULL). */
#define EXPECT_HEADER(r, name, want) expect_header((r), (name), (want), __FILE__, __LINE__)
static bool expect_header(struct resp *r, const char *name, const char *want,
			  const char *file, int line)
{
	const char *v = resp_header(r, name);
	size_t n = header_count(r, name);

	if (!want)
		return chk(n == 0, file, line, "%s should be absent, is \"%s\"", name, v ? v : "");
	return chk(n == 1 && v && strcmp(v, want) == 0, file, line,
		   "%s should be once \"%s\"; found %zu, first \"%s\"", name, want, n,
		   v ? v : "(none)");
}

/* X-VS-Scopes as a set: every code of want (space-separated) and nothing else. */
static bool scopes_are(const struct resp *r, const char *want)
{
	const char *v = resp_header(r, "X-VS-Scopes");
	char *copy = xstrdup(v ? v : ""), *save = NULL, *tok;
	size_t n = 0, m = 0;
	bool ok = v != NULL;

	for (tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
		char *needle = xasprintf(" %s ", tok), *hay = xasprintf(" %s ", want);

		ok = strstr(hay, needle) != NULL;
		n++;
		free(needle);
		free(hay);
	}
	for (const char *p = want; *p; p++)
		m += (p == want || p[-1] == ' ') && *p != ' ';
	free(copy);
	return ok && n == m;
}

static char *new_key(const char *token, const char *tenant, const char *scopes, char **id)
{
	char *name = fx_unique("chk");
	char *body = tenant ? xasprintf("{\"name\":\"%s\",\"tenant_id\":\"%s\",\"scopes\":%s}",
					name, tenant, scopes ? scopes : "[]")
			    : xasprintf("{\"name\":\"%s\",\"scope\":\"GLOBAL\",\"scopes\":%s}", name,
					scopes ? scopes : "[]");
	char *key = fx_create_key(token, body, id);

	free(body);
	free(name);
	return key;
}

/* n sequential checks of key (in tenant, requiring required, when not NULL); how many
 * answered want. */
static int checks(const char *key, const char *tenant, const char *required, int n, long want)
{
	int good = 0;

	for (int i = 0; i < n; i++) {
		struct resp *r = fx_auth_check(key, NULL, tenant, required, NULL);

		good += r->status == want && r->len == 0;
		resp_free(r);
	}
	return good;
}

/* BURST concurrent checks with key; how many answered want. */
static int burst(const char *key, long want)
{
	char *h = xasprintf("X-API-Key: %s", key);
	const char *hdrs[] = { h, "X-Original-URI: /burst", "X-Original-Method: GET", NULL };
	struct resp *out[BURST];
	int good = 0;

	http_burst("GET", "/api/v1/auth/check", hdrs, NULL, BURST, out);
	for (int i = 0; i < BURST; i++) {
		good += out[i]->status == want && out[i]->len == 0;
		resp_free(out[i]);
	}
	free(h);
	return good;
}

static void test_identity_headers(void)
{
	struct rbac_world *w = get_world();
	char *key = NULL, *id = NULL, *gkey = NULL, *gid = NULL;
	struct resp *r;

	if (!w || !(key = new_key(rw_token(w, P_TADMIN), w->tenant_a,
				  "[\"user:read\",\"role:read\"]", &id)))
		goto out;
	for (int with_tenant = 0; with_tenant < 2; with_tenant++) {
		r = fx_auth_check(key, NULL, with_tenant ? w->tenant_a : NULL, NULL, NULL);
		if (EXPECT_CHECK(r, 204)) {
			EXPECT_HEADER(r, "X-VS-User-Id", rw_user_id(w, P_TADMIN));
			EXPECT_HEADER(r, "X-VS-Tenant-Id", w->tenant_a);
			EXPECT_HEADER(r, "X-VS-Key-Id", id);
			EXPECT(scopes_are(r, "user:read role:read"),
			       "X-VS-Scopes should list user:read and role:read, is \"%s\"",
			       resp_header(r, "X-VS-Scopes") ? resp_header(r, "X-VS-Scopes") : "(none)");
		}
		resp_free(r);
	}
	/* a GLOBAL key: the tenant is the one asked for, or none */
	if (!(gkey = new_key(rw_token(w, P_MEMBER), NULL, NULL, &gid)))
		goto out;
	r = fx_auth_check(gkey, NULL, w->tenant_a, NULL, NULL);
	if (EXPECT_CHECK(r, 204)) {
		EXPECT_HEADER(r, "X-VS-User-Id", rw_user_id(w, P_MEMBER));
		EXPECT_HEADER(r, "X-VS-Tenant-Id", w->tenant_a);
		EXPECT_HEADER(r, "X-VS-Key-Id", gid);
	}
	resp_free(r);
	r = fx_auth_check(gkey, NULL, NULL, NULL, NULL);
	if (EXPECT_CHECK(r, 204)) {
		EXPECT_HEADER(r, "X-VS-User-Id", rw_user_id(w, P_MEMBER));
		EXPECT_HEADER(r, "X-VS-Tenant-Id", NULL);
	}
	resp_free(r);
out:
	free(key);
	free(id);
	free(gkey);
	free(gid);
}

static void test_required_permission(void)
{
	struct rbac_world *w = get_world();
	static const struct {
		const char *perm;
		long want;
	} scoped[] = { { "user:read", 204 },   { "role:read", 204 }, { "role:create", 403 },
		       { "user:create", 403 }, { "tenant:delete", 403 }, { "nope:nothing", 403 } },
	  member[] = { { "user:read", 204 },   { "api_key:create", 204 }, { "role:create", 403 },
		       { "user:delete", 403 } };
	char *key = NULL, *gkey = NULL;
	struct resp *r;

	if (!w || !(key = new_key(rw_token(w, P_TADMIN), w->tenant_a,
				  "[\"user:read\",\"role:read\"]", NULL)))
		goto out;
	/* the owner (Tenant Admin) holds all but tenant:delete; the key only its scopes */
	for (size_t i = 0; i < sizeof(scoped) / sizeof(scoped[0]); i++) {
		chk_context("scoped key, X-VS-Required-Permission: %s", scoped[i].perm);
		r = fx_auth_check(key, NULL, w->tenant_a, scoped[i].perm, NULL);
		EXPECT_CHECK(r, scoped[i].want);
		resp_free(r);
	}
	if (!(gkey = new_key(rw_token(w, P_MEMBER), NULL, NULL, NULL)))
		goto out;
	for (size_t i = 0; i < sizeof(member) / sizeof(member[0]); i++) {
		chk_context("Member's unscoped key, X-VS-Required-Permission: %s", member[i].perm);
		r = fx_auth_check(gkey, NULL, w->tenant_a, member[i].perm, NULL);
		EXPECT_CHECK(r, member[i].want);
		resp_free(r);
	}
	chk_context(NULL);
	r = fx_auth_check(gkey, NULL, w->tenant_b, "user:read", NULL); /* not a member of B */
	EXPECT_CHECK(r, 403);
	resp_free(r);
out:
	chk_context(NULL);
	free(key);
	free(gkey);
}

static void test_bearer_token(void)
{
	struct rbac_world *w = get_world();
	struct resp *r;

	if (!w)
		return;
	r = fx_auth_check(NULL, rw_token(w, P_MEMBER), NULL, NULL, NULL);
	if (EXPECT_CHECK(r, 204)) {
		EXPECT_HEADER(r, "X-VS-User-Id", rw_user_id(w, P_MEMBER));
		EXPECT_HEADER(r, "X-VS-Key-Id", NULL);
		EXPECT_HEADER(r, "X-VS-Tenant-Id", NULL);
	}
	resp_free(r);
	r = fx_auth_check(NULL, rw_token(w, P_MEMBER), w->tenant_a, "user:read", NULL);
	if (EXPECT_CHECK(r, 204)) {
		EXPECT_HEADER(r, "X-VS-User-Id", rw_user_id(w, P_MEMBER));
		EXPECT_HEADER(r, "X-VS-Tenant-Id", w->tenant_a);
		EXPECT_HEADER(r, "X-VS-Key-Id", NULL);
	}
	resp_free(r);
	r = fx_auth_check(NULL, rw_token(w, P_MEMBER), w->tenant_a, "role:create", NULL);
	EXPECT_CHECK(r, 403);
	resp_free(r);
	r = fx_auth_check(NULL, rw_token(w, P_MEMBER), w->tenant_b, NULL, NULL);
	EXPECT_CHECK(r, 403);
	resp_free(r);
	r = fx_auth_check(NULL, "not.a.token", NULL, NULL, NULL);
	EXPECT_CHECK(r, 401);
	resp_free(r);
	r = fx_auth_check(NULL, rw_token(w, P_INACTIVE), NULL, NULL, NULL);
	EXPECT_CHECK(r, 401);
	resp_free(r);
}

static void test_refusals(void)
{
	struct rbac_world *w = get_world();
	static const char *const bad_tenants[] = { "not-a-uuid", "1234", "' OR 1=1 --" };
	char *key = NULL, *gkey = NULL, unknown[37];
	struct resp *r;

	if (!w)
		return;
	r = fx_auth_check(NULL, NULL, NULL, NULL, NULL);
	EXPECT_CHECK(r, 401);
	resp_free(r);
	r = fx_auth_check(NULL, NULL, w->tenant_a, "user:read", NULL);
	EXPECT_CHECK(r, 401);
	resp_free(r);
	r = fx_auth_check("vsak_nonsense", NULL, NULL, NULL, NULL);
	EXPECT_CHECK(r, 401);
	resp_free(r);
	if (!(key = new_key(rw_token(w, P_TADMIN), w->tenant_a, NULL, NULL)) ||
	    !(gkey = new_key(rw_token(w, P_MEMBER), NULL, NULL, NULL)))
		goto out;
	/* a malformed X-Tenant-ID is a refusal here, never a 400 */
	for (size_t i = 0; i < sizeof(bad_tenants) / sizeof(bad_tenants[0]); i++) {
		chk_context("X-Tenant-ID: %s", bad_tenants[i]);
		r = fx_auth_check(gkey, NULL, bad_tenants[i], NULL, NULL);
		EXPECT_CHECK(r, 403);
		resp_free(r);
		r = fx_auth_check(NULL, rw_token(w, P_MEMBER), bad_tenants[i], NULL, NULL);
		EXPECT_CHECK(r, 403);
		resp_free(r);
	}
	chk_context(NULL);
	random_uuid(unknown);
	r = fx_auth_check(gkey, NULL, unknown, NULL, NULL);
	EXPECT_CHECK(r, 403);
	resp_free(r);
	r = fx_auth_check(key, NULL, w->tenant_b, NULL, NULL); /* a TENANT key of A in B */
	EXPECT_CHECK(r, 403);
	resp_free(r);
out:
	free(key);
	free(gkey);
}

static void test_spoofed_identity_headers(void)
{
	struct rbac_world *w = get_world();
	char *key = NULL, *id = NULL, fake[37], *h[3] = { NULL };
	const char *extra[6] = { NULL };
	struct resp *r;

	if (!w || !(key = new_key(rw_token(w, P_MEMBER), w->tenant_a, "[\"user:read\"]", &id)))
		goto out;
	random_uuid(fake);
	extra[0] = h[0] = xasprintf("X-VS-User-Id: %s", fake);
	extra[1] = h[1] = xasprintf("X-VS-Tenant-Id: %s", w->tenant_b);
	extra[2] = h[2] = xasprintf("X-VS-Key-Id: %s", fake);
	extra[3] = "X-VS-Scopes: role:create";
	extra[4] = "X_VS_User_Id: spoof";

	r = fx_auth_check(key, NULL, NULL, NULL, extra);
	if (EXPECT_CHECK(r, 204)) {
		EXPECT_HEADER(r, "X-VS-User-Id", rw_user_id(w, P_MEMBER));
		EXPECT_HEADER(r, "X-VS-Tenant-Id", w->tenant_a);
		EXPECT_HEADER(r, "X-VS-Key-Id", id);
		EXPECT_HEADER(r, "X-VS-Scopes", "user:read");
	}
	resp_free(r);
	r = fx_auth_check(key, NULL, NULL, "role:create", extra);
	EXPECT_CHECK(r, 403);
	resp_free(r);
	r = fx_auth_check(NULL, NULL, NULL, NULL, extra);
	EXPECT_CHECK(r, 401);
	resp_free(r);
	r = fx_auth_check(NULL, rw_token(w, P_VIEWER), NULL, NULL, extra);
	if (EXPECT_CHECK(r, 204)) {
		EXPECT_HEADER(r, "X-VS-User-Id", rw_user_id(w, P_VIEWER));
		EXPECT_HEADER(r, "X-VS-Key-Id", NULL);
		EXPECT_HEADER(r, "X-VS-Tenant-Id", NULL);
	}
	resp_free(r);
out:
	for (int i = 0; i < 3; i++)
		free(h[i]);
	free(key);
	free(id);
}

static void test_scope_change_reaches_every_worker(void)
{
	struct rbac_world *w = get_world();
	const char *tok;
	char *key = NULL, *id = NULL, *path = NULL;
	int n = fan_out(), good[2] = { 0, 0 };
	struct resp *r;

	if (!w || !(key = new_key((tok = rw_token(w, P_TADMIN)), w->tenant_a, "[\"user:read\"]",
				  &id)))
		goto out;
	for (int i = 0; i < n; i++) { /* warm every worker's cache */
		r = fx_auth_check(key, NULL, NULL, "user:read", NULL);
		good[0] += r->status == 204;
		resp_free(r);
	}
	EXPECT(good[0] == n, "only %d of %d checks for user:read passed before the change",
	       good[0], n);
	path = xasprintf("/api/v1/api-keys/%s", id);
	r = req("PATCH", path, tok, NULL, "{\"scopes\":[\"role:read\"]}");
	EXPECT(jarr_has_str(jarr(EXPECT_JSON(r, 200), "scopes"), "role:read"),
	       "PATCH scopes: %s", resp_summary(r));
	resp_free(r);
	good[0] = 0;
	for (int i = 0; i < n; i++) {
		r = fx_auth_check(key, NULL, NULL, "user:read", NULL);
		good[0] += r->status == 403;
		resp_free(r);
		r = fx_auth_check(key, NULL, NULL, "role:read", NULL);
		good[1] += r->status == 204 && scopes_are(r, "role:read");
		resp_free(r);
	}
	EXPECT(good[0] == n && good[1] == n, "after PATCH scopes=[role:read], %d of %d checks "
	       "refused user:read and %d of %d passed role:read with X-VS-Scopes role:read",
	       good[0], n, good[1], n);
out:
	free(path);
	free(key);
	free(id);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void test_revocation_reaches_every_worker(void)
{
	enum { TRIALS = 5 };
	struct rbac_world *w = get_world();
	const char *tok;
	char *key = NULL, *id = NULL, *path = NULL;
	double ms[TRIALS], rtt = 0, t0;
	int n = fan_out(), done = 0, good;
	struct resp *r;

	if (!w || !(key = new_key((tok = rw_token(w, P_MEMBER)), NULL, NULL, &id)))
		goto out;
	path = xasprintf("/api/v1/api-keys/%s", id);
	for (int t = 0; t < TRIALS; t++) {
		/* warm: the key is in every worker's cache */
		t0 = now_mono();
		good = checks(key, NULL, NULL, n, 204);
		rtt += (now_mono() - t0) * 1000 / n;
		if (!EXPECT(good == n && burst(key, 204) == BURST,
			    "trial %d: the active key should pass %d checks and a burst "
			    "(%d passed in sequence)", t, n, good))
			break;
		r = req("PATCH", path, tok, NULL, "{\"is_active\":false}");
		t0 = now_mono();
		EXPECT_STATUS(r, 200);
		resp_free(r);
		/* The revoking worker bumps the host epoch before it answers: whichever
		 * worker takes the very next check must refuse it. */
		r = fx_auth_check(key, NULL, NULL, NULL, NULL);
		ms[t] = (now_mono() - t0) * 1000;
		EXPECT(r->status == 401, "trial %d: the first check after the revoking PATCH "
		       "answered %ld", t, r->status);
		EXPECT_CHECK(r, 401);
		resp_free(r);
		good = checks(key, NULL, NULL, n - 1, 401);
		EXPECT(good == n - 1, "trial %d: after the PATCH only %d of %d further "
				      "sequential checks were 401", t, good, n - 1);
		good = burst(key, 401);
		EXPECT(good == BURST, "trial %d: only %d of %d concurrent checks were 401", t,
		       good, BURST);
		EXPECT(ms[t] < 1000, "trial %d: the first 401 came %.1f ms after the PATCH", t,
		       ms[t]);
		done++;
		r = req("PATCH", path, tok, NULL, "{\"is_active\":true}");
		EXPECT_STATUS(r, 200);
		resp_free(r);
		sleep_ms(50); /* reactivation need not count from the very next check */
	}
	if (done > 0) {
		qsort(ms, (size_t)done, sizeof(ms[0]), cmp_double);
		printf("\n    [revocation: PATCH response -> first 401 check: min %.2f ms, median "
		       "%.2f ms, max %.2f ms over %d trials; a warm 204 check takes %.2f ms] ",
		       ms[0], ms[done / 2], ms[done - 1], done, rtt / done);
		fflush(stdout);
	}
out:
	free(path);
	free(key);
	free(id);
}

/* What another host's worker (or an operator's psql) does: commit straight in the
 * database, in platform scope. No worker of this host bumps the host epoch, so only
 * LISTEN/NOTIFY can tell them. The rows the statement touched, or -1. */
static bool set_key_active_in_db(PGconn *c, const char *id, bool active)
{
	const char *params[] = { id, active ? "true" : "false" };
	long n = db_commit(c, "UPDATE iam.api_keys SET is_active = $2::boolean WHERE id = $1::uuid",
			      2, params);

	return EXPECT(n == 1, "UPDATE is_active touched %ld keys", n);
}

/* The notifications c (LISTENing) receives within ms, or until the first one when
 * first_only: how many, their payloads in buf ("[payload]" each). */
static int notifications(PGconn *c, long ms, bool first_only, char *buf, size_t len)
{
	double end = now_mono() + ms / 1000.0;
	int n = 0;

	buf[0] = '\0';
	while (now_mono() < end && !(first_only && n > 0)) {
		struct pollfd p = { .fd = PQsocket(c), .events = POLLIN };

		(void)poll(&p, 1, 20);
		PQconsumeInput(c);
		for (PGnotify *x; (x = PQnotifies(c)) != NULL; PQfreemem(x)) {
			size_t used = strlen(buf);

			snprintf(buf + used, len - used, "[%s]", x->extra);
			n++;
		}
	}
	return n;
}

/* Two sessions as the schema owner: db to commit changes in, listener LISTENing on the
 * workers' channel. False (reported) when either cannot be had. */
static bool open_db_sessions(PGconn **db, PGconn **listener)
{
	const char *url = getenv("VS_OWNER_DATABASE_URL");

	*db = *listener = NULL;
	if (!EXPECT(url && *url, "VS_OWNER_DATABASE_URL must be set (tests/integration/run)") ||
	    !(*db = pg_open(url)) || !(*listener = pg_open(url)))
		return false;
	PQclear(pg_run(*listener, "LISTEN vs_keys", 0, NULL));
	return true;
}

static void close_db_sessions(PGconn *db, PGconn *listener)
{
	if (db)
		PQfinish(db);
	if (listener)
		PQfinish(listener);
}

static void test_bulk_key_changes_notify_once_per_statement(void)
{
	struct rbac_world *w = get_world();
	PGconn *c = NULL, *listener = NULL;
	char key[2][VS_API_KEY_LEN + 1], prefix[2][VS_API_KEY_PUBLIC_LEN + 1];
	char hash[2][2 * VS_SHA256_LEN + 1], *prefixes = NULL, *hashes = NULL, got[256];
	int n = fan_out(), good, count;
	long rows;

	if (!w || !open_db_sessions(&c, &listener))
		goto out;
	for (int i = 0; i < 2; i++)
		db_compose_key(key[i], prefix[i], hash[i]);
	prefixes = xasprintf("{%s,%s}", prefix[0], prefix[1]);
	hashes = xasprintf("{%s,%s}", hash[0], hash[1]);
	good = checks(key[0], NULL, NULL, n, 401); /* every worker now remembers it as unknown */
	EXPECT(good == n, "only %d of %d checks of a key not yet stored were 401", good, n);

	const char *add[] = { rw_user_id(w, P_MEMBER), prefixes, hashes };
	rows = db_commit(c, "INSERT INTO iam.api_keys (user_id, name, key_prefix, key_hash) "
			       "SELECT $1::uuid, 'bulk', t.p, decode(t.h, 'hex') "
			       "FROM unnest($2::text[], $3::text[]) AS t (p, h)", 3, add);
	if (!EXPECT(rows == 2, "the bulk INSERT stored %ld keys", rows))
		goto out;
	count = notifications(listener, 300, false, got, sizeof(got));
	EXPECT(count == 1 && strcmp(got, "[+]") == 0,
	       "two keys inserted in one statement sent %d notifications: %s", count, got);
	good = checks(key[0], NULL, NULL, n, 204);
	EXPECT(good == n, "after the insert, only %d of %d checks of the key the workers had "
	       "rejected passed", good, n);
	good = burst(key[1], 204);
	EXPECT(good == BURST, "only %d of %d concurrent checks of the other new key passed", good,
	       BURST);

	const char *remove[] = { prefixes };
	rows = db_commit(c, "DELETE FROM iam.api_keys WHERE key_prefix = ANY ($1::text[])", 1,
			    remove);
	EXPECT(rows == 2, "the bulk DELETE removed %ld keys", rows);
	count = notifications(listener, 300, false, got, sizeof(got));
	EXPECT(count == 1 && strcmp(got, "[]") == 0,
	       "two keys deleted in one statement sent %d notifications: %s", count, got);
	good = checks(key[0], NULL, NULL, n, 401);
	EXPECT(good == n, "after the delete, only %d of %d checks were 401", good, n);
	good = burst(key[1], 401);
	EXPECT(good == BURST, "only %d of %d concurrent checks were 401", good, BURST);
out:
	close_db_sessions(c, listener);
	free(prefixes);
	free(hashes);
}

/* The database sends a notification to each listening session when that session's
 * backend gets to it, a moment after the commit, and not to all at the same moment: the
 * test's own listener having it says it is out, not that every worker's session has it
 * too (CI once saw a worker answer from its cache just after). So "the very next check"
 * counts from then plus PROPAGATION_MS, the bound for every worker. */
#define PROPAGATION_MS 10

static bool notification_is_out(PGconn *listener, int trial)
{
	char got[256];

	if (!EXPECT(notifications(listener, 2000, true, got, sizeof(got)) == 1,
		    "trial %d: the test's listener got no notification within 2 s", trial))
		return false;
	sleep_ms(PROPAGATION_MS);
	return true;
}

static void test_database_change_reaches_every_worker(void)
{
	struct rbac_world *w = get_world();
	PGconn *c = NULL, *listener = NULL;
	char *key = NULL, *id = NULL;
	int n = fan_out(), good;
	struct resp *r;

	/* The key exists before the listener starts: its insert is no notification here. */
	if (!w || !(key = new_key(rw_token(w, P_MEMBER), NULL, NULL, &id)) ||
	    !open_db_sessions(&c, &listener))
		goto out;
	for (int t = 0; t < 3; t++) {
		good = checks(key, NULL, NULL, n, 204);
		if (!EXPECT(good == n, "trial %d: only %d of %d checks passed before the change",
			    t, good, n) ||
		    !set_key_active_in_db(c, id, false) || !notification_is_out(listener, t))
			break;
		r = fx_auth_check(key, NULL, NULL, NULL, NULL);
		EXPECT(r->status == 401, "trial %d: the first check after the database's commit "
		       "answered %ld", t, r->status);
		resp_free(r);
		good = checks(key, NULL, NULL, n, 401);
		EXPECT(good == n, "trial %d: then only %d of %d checks were 401", t, good, n);
		good = burst(key, 401);
		EXPECT(good == BURST, "trial %d: only %d of %d concurrent checks were 401", t,
		       good, BURST);
		if (!set_key_active_in_db(c, id, true) || !notification_is_out(listener, t))
			break;
	}
out:
	close_db_sessions(c, listener);
	free(key);
	free(id);
}

static void test_tenant_and_role_changes_reach_every_worker(void)
{
	struct rbac_world *w = get_world();
	struct it_user u = { 0 };
	char *tenant = NULL, *extra = NULL, *key = NULL, *path = NULL;
	int n = fan_out(), good;
	struct resp *r;

	if (!w || !(tenant = fx_create_tenant(NULL)))
		goto out;
	extra = xasprintf("\"role_id\":\"%s\"", w->role_tadmin);
	if (!fx_create_user(tenant, extra, &u) || !fx_login(&u) ||
	    !(key = new_key(u.access, tenant, NULL, NULL)))
		goto out;
	good = checks(key, tenant, "role:create", n, 204);
	EXPECT(good == n, "only %d of %d checks for role:create passed as Tenant Admin", good, n);

	r = rw_unassign(fx.admin.access, tenant, u.id, w->role_tadmin);
	EXPECT_STATUS(r, 204);
	resp_free(r);
	good = checks(key, tenant, "role:create", n, 403);
	EXPECT(good == n, "after the owner lost Tenant Admin, only %d of %d checks for "
	       "role:create were 403", good, n);

	path = xasprintf("/api/v1/tenants/%s", tenant);
	r = req("DELETE", path, fx.admin.access, NULL, NULL);
	if (EXPECT_STATUS(r, 204)) {
		free(tenant);
		tenant = NULL;
	}
	resp_free(r);
	good = checks(key, NULL, NULL, n, 401);
	EXPECT(good == n, "after its tenant was deleted, only %d of %d checks of the TENANT "
	       "key were 401", good, n);
	good = burst(key, 401);
	EXPECT(good == BURST, "only %d of %d concurrent checks were 401", good, BURST);
out:
	if (tenant)
		fx_delete_tenant(tenant);
	free(tenant);
	if (u.id)
		fx_delete_user(u.id);
	fx_user_release(&u);
	free(extra);
	free(path);
	free(key);
}

static void test_database_down_fails_closed(void)
{
	struct rbac_world *w = get_world();
	char *fresh = NULL, *warm = NULL;
	double deadline;
	int rc, good = 0;
	struct resp *r;

	if (!w || !(fresh = new_key(rw_token(w, P_MEMBER), NULL, NULL, NULL)) ||
	    !(warm = new_key(rw_token(w, P_MEMBER), NULL, NULL, NULL)))
		goto out;
	good = checks(warm, NULL, NULL, fan_out(), 204);
	EXPECT(good == fan_out(), "only %d of %d checks of a new key passed", good, fan_out());
	good = 0;
	rc = run_stack("db-stop");
	if (EXPECT(rc == 0, "scripts/stack db-stop exited %d", rc)) {
		for (int i = 0; i < fan_out(); i++) {
			chk_context("database down, check %d", i);
			r = fx_auth_check(fresh, NULL, NULL, NULL, NULL); /* never seen before */
			EXPECT_CHECK(r, 401);
			resp_free(r);
			r = fx_auth_check(fresh, NULL, w->tenant_a, "user:read", NULL);
			EXPECT_CHECK(r, 401);
			resp_free(r);
			r = fx_auth_check(NULL, rw_token(w, P_MEMBER), NULL, NULL, NULL);
			EXPECT_CHECK(r, 401);
			resp_free(r);
			/* cached, but no notification can arrive: fails closed too (dispatch.c) */
			r = fx_auth_check(warm, NULL, NULL, NULL, NULL);
			EXPECT_CHECK(r, 401);
			resp_free(r);
		}
		chk_context(NULL);
		/* a normal route: refused (nginx's auth_request fails closed) or 503, never in */
		r = fx_key_req("GET", "/api/v1/users/me", fresh, NULL, NULL, NULL);
		if (r->status == 503)
			EXPECT_PROBLEM(r, 503, "service-unavailable", NULL);
		else
			EXPECT_PROBLEM(r, 401, "unauthorized", NULL);
		resp_free(r);
	}
	rc = run_stack("db-start");
	EXPECT(rc == 0, "scripts/stack db-start exited %d", rc);
	/* every worker reconnects: a run of consecutive 204s */
	deadline = now_mono() + 20.0;
	while (now_mono() < deadline && good < fan_out()) {
		r = fx_auth_check(fresh, NULL, NULL, NULL, NULL);
		good = r->status == 204 ? good + 1 : 0;
		if (r->status != 204 && r->status != 401)
			EXPECT_CHECK(r, 204);
		resp_free(r);
		if (good == 0)
			sleep_ms(250);
	}
	EXPECT(good >= fan_out(), "after db-start, %d consecutive checks should pass within "
				  "20 s (got a run of %d)", fan_out(), good);
	/* the API pool lost its connections too: back as well before the next suite */
	expect_stack_serving(20.0);
out:
	free(fresh);
	free(warm);
}

static int add_auth_check_suite(void)
{
	static const struct it_test tests[] = {
		{ "a key's check: bodiless 204 with X-VS-User-Id, X-VS-Tenant-Id, X-VS-Key-Id, X-VS-Scopes", test_identity_headers },
		{ "X-VS-Required-Permission: held (by the owner and in the key's scopes) 204, else 403", test_required_permission },
		{ "a bearer token: 204 with X-VS-User-Id and no X-VS-Key-Id; 403 outside its permissions; bad or inactive 401", test_bearer_token },
		{ "no credential 401; malformed X-Tenant-ID 403 (not 400); unknown tenant or a TENANT key elsewhere 403", test_refusals },
		{ "client-sent X-VS-* headers change neither the answer nor the identity headers", test_spoofed_identity_headers },
		{ "is_active=false: the very next check, 20 sequential and 30 concurrent ones, all 401 (timed)", test_revocation_reaches_every_worker },
		{ "PATCH scopes: every following check sees the new scopes", test_scope_change_reaches_every_worker },
		{ "a change committed straight in the database (as by another host): the very next check on every worker", test_database_change_reaches_every_worker },
		{ "keys inserted or deleted in bulk straight in the database: one notification per statement, seen by every worker", test_bulk_key_changes_notify_once_per_statement },
		{ "the owner loses a role: 403 on every worker; its tenant deleted: the TENANT key 401 on every worker", test_tenant_and_role_changes_reach_every_worker },
		{ "database down: a key never seen before is 401, never 5xx; checks pass again after db-start", test_database_down_fails_closed },
		{ NULL, NULL },
	};

	return it_add_suite("auth check", NULL, suite_cleanup, tests);
}

IT_REGISTER(add_auth_check_suite)
