/*
 * API keys (API.md §2 and §5, DESIGN.md §5): the key text shown once, validation, X-API-Key
 * on any route, scopes and the owner's permissions at the moment of use, expiry instants
 * and tenant time zones, get/list/delete/rotate, and last_used_at. The first test starts
 * the last_used_at clock and the last one waits (up to 75 s) for a worker's write, so the
 * tests in between run inside that minute; it then samples 8 s of uses to show that
 * last_used_at is not written on every request.
 */
#include <json-c/json.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "rbac_world.h"
#include "suites.h"
#include "util.h"

#define BAD_KEY "Invalid or expired API Key"
#define KEYS "/api/v1/api-keys"

static struct rbac_world world;
static bool world_tried, world_ok;
static char *tz_kolkata, *tz_st_johns; /* tenants with those time zones */
static struct it_user owners[2];       /* throwaway key owners; deleted at cleanup */
static char *lu_key, *lu_id;           /* the last_used_at key */
static long lu_first_use;              /* wall clock of its first use */
static double lu_first_use_mono;

/* A tenant with time zone zone, made by the superuser; its id or NULL. */
static char *tenant_in_zone(const char *zone)
{
	char *name = fx_unique("IT Zone"), *slug = fx_unique("it-z");
	char *body = xasprintf("{\"name\":\"%s\",\"slug\":\"%s\",\"timezone\":\"%s\"}", name,
			       slug, zone);
	struct resp *r = req("POST", "/api/v1/tenants", fx.admin.access, NULL, body);
	struct json_object *o = EXPECT_JSON(r, 201);
	char *id = NULL;

	if (o && EXPECT(is_uuid(jstr(o, "id")), "tenant id: %s", resp_summary(r))) {
		EXPECT_STR(o, "timezone", zone);
		id = xstrdup(jstr(o, "id"));
	}
	resp_free(r);
	free(body);
	free(slug);
	free(name);
	return id;
}

static struct rbac_world *get_world(void)
{
	if (!world_tried) {
		world_tried = true;
		world_ok = rw_build(&world) && (tz_kolkata = tenant_in_zone("Asia/Kolkata")) &&
			   (tz_st_johns = tenant_in_zone("America/St_Johns"));
	}
	EXPECT(world_ok, "could not build the tenants and users of this suite "
			 "(the first failure above says why)");
	return world_ok ? &world : NULL;
}

static int suite_cleanup(void)
{
	for (size_t i = 0; i < 2; i++) {
		fx_delete_user(owners[i].id);
		fx_user_release(&owners[i]);
	}
	fx_delete_tenant(tz_kolkata);
	fx_delete_tenant(tz_st_johns);
	free(tz_kolkata);
	free(tz_st_johns);
	free(lu_key);
	free(lu_id);
	tz_kolkata = tz_st_johns = lu_key = lu_id = NULL;
	if (world_tried)
		rw_free(&world);
	world_tried = world_ok = false;
	return 0;
}

/* ---- helpers ------------------------------------------------------------------------- */

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* head (vsak_ + public id + secret, 39 characters) + its CRC32 as 6 base62 digits. */
static char *with_checksum(const char *head)
{
	uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)head, (uInt)strlen(head));
	char sum[7];

	for (int i = 5; i >= 0; i--) {
		sum[i] = b62[crc % 62];
		crc /= 62;
	}
	sum[6] = '\0';
	return xasprintf("%s%s", head, sum);
}

static void random_b62(char *out, size_t n)
{
	unsigned char b[64];

	random_bytes(b, n);
	for (size_t i = 0; i < n; i++)
		out[i] = b62[b[i] % 62];
	out[n] = '\0';
}

static bool key_text_ok(const char *key)
{
	regex_t re;
	bool ok;

	if (!key || regcomp(&re, "^vsak_[0-9A-Za-z]{40}$", REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	ok = regexec(&re, key, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

/* Unix time of an RFC 3339 UTC string ("…Z"), or -1. */
static long parse_utc(const char *s)
{
	struct tm tm = { 0 };
	const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;

	return end && *end == 'Z' ? (long)timegm(&tm) : -1;
}

static void format_utc(long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool is_null(struct json_object *o, const char *key)
{
	return jhas(o, key) && jget(o, key) == NULL;
}

/* Every APIKey field of API.md §5, owned by owner. */
static bool key_shape(struct resp *r, struct json_object *o, const char *owner)
{
	static const char *const fields[] = { "id",	    "name",	  "description",
					      "key_prefix", "scope",	  "tenant_id",
					      "scopes",	    "is_active",  "expires_at",
					      "last_used_at", "user_id",  "created_at",
					      "updated_at", NULL };
	const char *prefix = jstr(o, "key_prefix"), *scope = jstr(o, "scope");
	bool ok = true, b;

	for (size_t i = 0; fields[i]; i++)
		ok &= EXPECT(jhas(o, fields[i]), "APIKey lacks \"%s\": %s", fields[i],
			     resp_summary(r));
	ok &= EXPECT(is_uuid(jstr(o, "id")) && jstr(o, "name"), "id/name: %s", resp_summary(r));
	ok &= EXPECT(jstr(o, "user_id") && owner && strcmp(jstr(o, "user_id"), owner) == 0,
		     "user_id should be the owner %s: %s", owner, resp_summary(r));
	ok &= EXPECT(prefix && strlen(prefix) == 17 && strncmp(prefix, "vsak_", 5) == 0,
		     "key_prefix should be vsak_ + 12 characters: %s", resp_summary(r));
	ok &= EXPECT(scope && (strcmp(scope, "GLOBAL") == 0 || strcmp(scope, "TENANT") == 0),
		     "scope should be GLOBAL or TENANT: %s", resp_summary(r));
	ok &= EXPECT(jarr(o, "scopes") && jbool(o, "is_active", &b), "scopes/is_active: %s",
		     resp_summary(r));
	ok &= EXPECT(is_rfc3339_utc(jstr(o, "created_at")) &&
			     is_rfc3339_utc(jstr(o, "updated_at")),
		     "timestamps should be RFC 3339 UTC: %s", resp_summary(r));
	return ok;
}

/* GET /api-keys/{id} as token; the response (free it). */
static struct resp *get_key(const char *token, const char *id)
{
	char *path = xasprintf(KEYS "/%s", id);
	struct resp *r = req("GET", path, token, NULL, NULL);

	free(path);
	return r;
}

/* method /api-keys/{id}[suffix] as token with body; the response. */
static struct resp *on_key(const char *method, const char *token, const char *id,
			   const char *suffix, const char *body)
{
	char *path = xasprintf(KEYS "/%s%s", id, suffix ? suffix : "");
	struct resp *r = req(method, path, token, NULL, body);

	free(path);
	return r;
}

/* A GLOBAL key of the holder of token, with extra JSON members. */
static char *global_key(const char *token, const char *extra, char **id)
{
	char *name = fx_unique("key");
	char *body = xasprintf("{\"name\":\"%s\",\"scope\":\"GLOBAL\"%s%s}", name,
			       extra ? "," : "", extra ? extra : "");
	char *key = fx_create_key(token, body, id);

	free(body);
	free(name);
	return key;
}

/* A TENANT key in tenant of the holder of token, with extra JSON members. */
static char *tenant_key(const char *token, const char *tenant, const char *extra, char **id)
{
	char *name = fx_unique("key");
	char *body = xasprintf("{\"name\":\"%s\",\"scope\":\"TENANT\",\"tenant_id\":\"%s\"%s%s}",
			       name, tenant, extra ? "," : "", extra ? extra : "");
	char *key = fx_create_key(token, body, id);

	free(body);
	free(name);
	return key;
}

/* The status of GET /users/me with the key alone. */
static long me_status(const char *key)
{
	struct resp *r = fx_key_req("GET", "/api/v1/users/me", key, NULL, NULL, NULL);
	long st = r->status;

	resp_free(r);
	return st;
}

/* The key is refused on a normal route (exact detail) and by /auth/check. */
static void expect_key_refused(const char *key, const char *why)
{
	struct resp *r = fx_key_req("GET", "/api/v1/users/me", key, NULL, NULL, NULL);

	chk_context("%s", why);
	EXPECT_PROBLEM(r, 401, "unauthorized", BAD_KEY);
	resp_free(r);
	r = fx_auth_check(key, NULL, NULL, NULL, NULL);
	EXPECT(r->status == 401 && r->len == 0, "auth/check should be a bodiless 401: %s",
	       resp_summary(r));
	resp_free(r);
	chk_context(NULL);
}

static bool detail_has(struct resp *r, const char *needle)
{
	const char *d = jstr(resp_json(r), "detail");

	return d && strcasestr(d, needle) != NULL;
}

/* The expires_at of a create/PATCH response, expected to be want. */
static void expect_expiry(struct resp *r, long code, const char *want)
{
	struct json_object *o = EXPECT_JSON(r, code);

	if (o)
		EXPECT(jstr(o, "expires_at") && strcmp(jstr(o, "expires_at"), want) == 0,
		       "expires_at should be %s: %s", want, resp_summary(r));
}

/* ---- tests --------------------------------------------------------------------------- */

static void test_last_used_null_before_use(void)
{
	struct rbac_world *w = get_world();
	struct resp *r;

	if (!w || !(lu_key = global_key(rw_token(w, P_MEMBER), NULL, &lu_id)))
		return;
	r = get_key(rw_token(w, P_MEMBER), lu_id);
	EXPECT(is_null(EXPECT_JSON(r, 200), "last_used_at"),
	       "a key never used should have last_used_at null: %s", resp_summary(r));
	resp_free(r);
	lu_first_use = now_s();
	lu_first_use_mono = now_mono();
	for (int i = 0; i < 3; i++)
		EXPECT(me_status(lu_key) == 200, "GET /users/me with a new key should be 200");
}

static void test_create_shows_key_once(void)
{
	struct rbac_world *w = get_world();
	const char *tok, *key, *owner;
	char *name, *body, *id = NULL, *sum, head[40], prefix[18];
	struct json_object *o, *scopes;
	struct resp *r, *r2;
	long pos;

	if (!w)
		return;
	tok = rw_token(w, P_TADMIN);
	owner = rw_user_id(w, P_TADMIN);
	name = fx_unique("key");
	body = xasprintf("{\"name\":\"%s\",\"description\":\"ci\",\"scope\":\"TENANT\","
			 "\"tenant_id\":\"%s\",\"scopes\":[\"user:read\",\"role:read\"]}",
			 name, w->tenant_a);
	r = req("POST", KEYS, tok, NULL, body);
	o = EXPECT_JSON(r, 201);
	key = jstr(o, "key");
	if (!o || !EXPECT(key_text_ok(key), "key should match ^vsak_[0-9A-Za-z]{40}$: %s",
			  resp_summary(r)))
		goto out;
	fx_remember_secret(key);
	snprintf(head, sizeof(head), "%.39s", key);
	sum = with_checksum(head);
	EXPECT(strcmp(sum, key) == 0, "the last 6 characters of %s should be the base62 "
				      "CRC32 of the first 39 (%s)", key, sum + 39);
	free(sum);
	EXPECT(jstr(o, "key_prefix") && strncmp(jstr(o, "key_prefix"), key, 17) == 0 &&
		       strlen(jstr(o, "key_prefix")) == 17,
	       "key_prefix should be the first 17 characters of the key: %s", resp_summary(r));
	if (!key_shape(r, o, owner))
		goto out;
	EXPECT_STR(o, "name", name);
	EXPECT_STR(o, "description", "ci");
	EXPECT_STR(o, "scope", "TENANT");
	EXPECT_STR(o, "tenant_id", w->tenant_a);
	scopes = jarr(o, "scopes");
	EXPECT(jlen(scopes) == 2 && jarr_has_str(scopes, "user:read") &&
		       jarr_has_str(scopes, "role:read"),
	       "scopes should be user:read, role:read: %s", resp_summary(r));
	EXPECT(is_null(o, "expires_at") && is_null(o, "last_used_at"),
	       "expires_at and last_used_at should be null: %s", resp_summary(r));
	id = xstrdup(jstr(o, "id"));

	/* never again: GET, list, PATCH */
	r2 = get_key(tok, id);
	o = EXPECT_JSON(r2, 200);
	key_shape(r2, o, owner);
	EXPECT(o && !jhas(o, "key") && !contains(r2->body, r2->len, key),
	       "GET shows the key again: %s", resp_summary(r2));
	snprintf(prefix, sizeof(prefix), "%.17s", key);
	EXPECT_STR(o, "key_prefix", prefix);
	resp_free(r2);
	r2 = req("GET", KEYS, tok, NULL, NULL);
	o = EXPECT_COUNTED_ARRAY(r2, NULL);
	pos = jarr_find_id(o, id);
	EXPECT(pos >= 0, "the list should hold the new key: %s", resp_summary(r2));
	for (size_t i = 0; i < jlen(o); i++)
		EXPECT(!jhas(jat(o, i), "key"), "list item %zu has a key", i);
	EXPECT(!contains(r2->body, r2->len, key), "the list shows the key: %s", resp_summary(r2));
	resp_free(r2);
	r2 = on_key("PATCH", tok, id, NULL, "{\"description\":\"changed\"}");
	o = EXPECT_JSON(r2, 200);
	EXPECT(o && !jhas(o, "key") && !contains(r2->body, r2->len, key),
	       "PATCH shows the key again: %s", resp_summary(r2));
	EXPECT_STR(o, "description", "changed");
	resp_free(r2);
out:
	resp_free(r);
	free(id);
	free(body);
	free(name);
}

static void test_create_validation(void)
{
	struct rbac_world *w = get_world();
	const char *member;
	char *body;
	long before = -1, after = -2;
	struct resp *r;

	if (!w)
		return;
	member = rw_token(w, P_MEMBER);
	r = req("GET", KEYS, member, NULL, NULL);
	EXPECT_COUNTED_ARRAY(r, &before);
	resp_free(r);

	r = req("POST", KEYS, member, NULL, "{\"scope\":\"GLOBAL\"}");
	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "name");
	resp_free(r);
	r = req("POST", KEYS, member, NULL, "{\"name\":\"no tenant\"}"); /* TENANT by default */
	EXPECT_PROBLEM(r, 400, "bad-request", NULL);
	resp_free(r);
	r = req("POST", KEYS, member, NULL, "{\"name\":\"no tenant\",\"scope\":\"TENANT\"}");
	EXPECT_PROBLEM(r, 400, "bad-request", NULL);
	resp_free(r);
	r = req("POST", KEYS, member, NULL,
		"{\"name\":\"x\",\"scope\":\"GLOBAL\",\"scopes\":[\"nope:nothing\"]}");
	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "scopes");
	resp_free(r);
	body = xasprintf("{\"name\":\"x\",\"tenant_id\":\"%s\",\"scopes\":[\"user:read\","
			 "\"vm:fly\"]}", w->tenant_a);
	r = req("POST", KEYS, member, NULL, body);
	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "scopes");
	resp_free(r);
	free(body);
	/* the member lacks role:create in A */
	body = xasprintf("{\"name\":\"x\",\"tenant_id\":\"%s\",\"scopes\":[\"role:create\"]}",
			 w->tenant_a);
	r = req("POST", KEYS, member, NULL, body);
	EXPECT_PROBLEM(r, 403, "forbidden", NULL);
	resp_free(r);
	free(body);
	/* a member of A, for tenant B */
	body = xasprintf("{\"name\":\"x\",\"tenant_id\":\"%s\"}", w->tenant_b);
	r = req("POST", KEYS, member, NULL, body);
	EXPECT_PROBLEM(r, 403, "forbidden", NULL);
	resp_free(r);
	free(body);
	/* a viewer of A has no api_key:create there */
	body = xasprintf("{\"name\":\"x\",\"tenant_id\":\"%s\"}", w->tenant_a);
	r = req("POST", KEYS, rw_token(w, P_VIEWER), NULL, body);
	EXPECT_PROBLEM(r, 403, "forbidden", NULL);
	resp_free(r);
	free(body);

	r = req("GET", KEYS, member, NULL, NULL);
	EXPECT_COUNTED_ARRAY(r, &after);
	EXPECT(before == after, "refused creations changed the member's key count %ld -> %ld",
	       before, after);
	resp_free(r);
}

static void test_key_authenticates_as_owner(void)
{
	struct rbac_world *w = get_world();
	char *key = NULL, *gkey = NULL;
	struct json_object *o;
	struct resp *r;

	if (!w || !(key = tenant_key(rw_token(w, P_TADMIN), w->tenant_a, NULL, NULL)))
		goto out;
	r = fx_key_req("GET", "/api/v1/users/me", key, NULL, NULL, NULL);
	o = EXPECT_JSON(r, 200);
	EXPECT_USER_SHAPE(r, o);
	EXPECT_STR(o, "id", rw_user_id(w, P_TADMIN));
	resp_free(r);
	r = fx_key_req("GET", "/api/v1/users", key, NULL, w->tenant_a, NULL);
	EXPECT_ENVELOPE(r, 1, 20);
	resp_free(r);
	/* a TENANT key names its tenant: another one is refused */
	r = fx_key_req("GET", "/api/v1/users/me", key, NULL, w->tenant_b, NULL);
	EXPECT_PROBLEM(r, 403, "forbidden", NULL);
	resp_free(r);
	r = fx_key_req("GET", "/api/v1/users", key, NULL, w->tenant_b, NULL);
	EXPECT_PROBLEM(r, 403, "forbidden", NULL);
	resp_free(r);
	/* a GLOBAL key works where its owner is a member, and only there */
	if (!(gkey = global_key(rw_token(w, P_OTHER), NULL, NULL)))
		goto out;
	r = fx_key_req("GET", "/api/v1/users", gkey, NULL, w->tenant_b, NULL);
	EXPECT_ENVELOPE(r, 1, 20);
	resp_free(r);
	r = fx_key_req("GET", "/api/v1/users", gkey, NULL, w->tenant_a, NULL);
	EXPECT_PROBLEM(r, 403, "forbidden", NULL);
	resp_free(r);
out:
	free(key);
	free(gkey);
}

static void test_scopes_limit_the_key(void)
{
	struct rbac_world *w = get_world();
	char *key = NULL, *gkey = NULL, *id = NULL;
	struct resp *r;

	if (!w || !(key = tenant_key(rw_token(w, P_TADMIN), w->tenant_a,
				     "\"scopes\":[\"user:read\"]", NULL)))
		goto out;
	r = fx_key_req("GET", "/api/v1/users", key, NULL, w->tenant_a, NULL);
	EXPECT_ENVELOPE(r, 1, 20);
	resp_free(r);
	/* the owner may create users (the empty body fails validation, after authorization) */
	r = req("POST", "/api/v1/users", rw_token(w, P_TADMIN), w->tenant_a, "{}");
	EXPECT_PROBLEM(r, 422, "validation-error", NULL);
	resp_free(r);
	r = fx_key_req("POST", "/api/v1/users", key, NULL, w->tenant_a, "{}");
	EXPECT_PROBLEM(r, 403, "forbidden", "Not enough permissions");
	resp_free(r);
	/* a Member's GLOBAL key scoped to role:create still cannot create roles */
	r = req("POST", KEYS, rw_token(w, P_MEMBER), NULL,
		"{\"name\":\"beyond\",\"scope\":\"GLOBAL\",\"scopes\":[\"role:create\"]}");
	if (r->status == 201 && jstr(resp_json(r), "key")) {
		gkey = xstrdup(jstr(resp_json(r), "key"));
		id = xstrdup(jstr(resp_json(r), "id"));
		fx_remember_secret(gkey);
	} else {
		EXPECT_PROBLEM(r, 403, "forbidden", NULL);
	}
	resp_free(r);
	if (gkey) {
		r = fx_key_req("POST", "/api/v1/roles", gkey, NULL, w->tenant_a, "{}");
		EXPECT_PROBLEM(r, 403, "forbidden", "Not enough permissions");
		resp_free(r);
		r = fx_key_req("GET", "/api/v1/roles", gkey, NULL, w->tenant_a, NULL);
		EXPECT_PROBLEM(r, 403, "forbidden", "Not enough permissions");
		resp_free(r);
	}
out:
	free(key);
	free(gkey);
	free(id);
}

static void test_key_never_exceeds_owner(void)
{
	struct rbac_world *w = get_world();
	struct it_user *u = &owners[0];
	char *extra, *key = NULL;
	struct resp *r;

	if (!w)
		return;
	extra = xasprintf("\"role_id\":\"%s\"", w->role_tadmin);
	if (!fx_create_user(w->tenant_a, extra, u) || !fx_login(u))
		goto out;
	r = rw_assign(fx.admin.access, w->tenant_a, u->id, w->role_viewer);
	EXPECT_STATUS(r, 204);
	resp_free(r);
	if (!(key = tenant_key(u->access, w->tenant_a, NULL, NULL)))
		goto out;
	r = fx_key_req("POST", "/api/v1/roles", key, NULL, w->tenant_a, "{}");
	EXPECT_PROBLEM(r, 422, "validation-error", NULL); /* allowed: reaches validation */
	resp_free(r);
	r = fx_auth_check(key, NULL, w->tenant_a, "role:create", NULL);
	EXPECT_STATUS(r, 204);
	resp_free(r);

	r = rw_unassign(fx.admin.access, w->tenant_a, u->id, w->role_tadmin);
	EXPECT_STATUS(r, 204);
	resp_free(r);
	r = fx_key_req("POST", "/api/v1/roles", key, NULL, w->tenant_a, "{}");
	EXPECT_PROBLEM(r, 403, "forbidden", "Not enough permissions");
	resp_free(r);
	r = fx_auth_check(key, NULL, w->tenant_a, "role:create", NULL);
	EXPECT_STATUS(r, 403);
	resp_free(r);
	/* what the owner still holds (Viewer) still works */
	r = fx_key_req("GET", "/api/v1/roles", key, NULL, w->tenant_a, NULL);
	EXPECT_COUNTED_ARRAY(r, NULL);
	resp_free(r);
	r = fx_auth_check(key, NULL, w->tenant_a, "role:read", NULL);
	EXPECT_STATUS(r, 204);
	resp_free(r);
out:
	free(extra);
	free(key);
}

static void test_invalid_keys_are_401(void)
{
	struct rbac_world *w = get_world();
	char *key, *head, rnd[35], *bad[8], *big;
	const char *tok;
	size_t n = 0;
	struct resp *r;

	if (!w || !(key = global_key((tok = rw_token(w, P_MEMBER)), NULL, NULL)))
		return;
	bad[n++] = xstrdup("not-a-key");
	bad[n++] = xasprintf("VSAK_%s", key + 5);
	bad[n] = xstrdup(key); /* wrong checksum */
	bad[n][44] = bad[n][44] == '0' ? '1' : '0';
	n++;
	bad[n++] = xstrndup(key, 44); /* truncated */
	bad[n++] = xasprintf("%s0", key);
	big = xmalloc(5001);
	memcpy(big, key, 45);
	memset(big + 45, 'A', 5000 - 45);
	big[5000] = '\0';
	bad[n++] = big;
	random_b62(rnd, 34); /* a well-formed key nobody was given */
	head = xasprintf("vsak_%s", rnd);
	bad[n++] = with_checksum(head);
	free(head);
	random_b62(rnd, 22); /* the real public id with another secret */
	head = xasprintf("%.17s%s", key, rnd);
	bad[n++] = with_checksum(head);
	free(head);

	for (size_t i = 0; i < n; i++) {
		chk_context("bad key #%zu (%.24s…, %zu bytes)", i, bad[i], strlen(bad[i]));
		r = fx_key_req("GET", "/api/v1/users/me", bad[i], NULL, NULL, NULL);
		EXPECT_PROBLEM(r, 401, "unauthorized", BAD_KEY);
		resp_free(r);
		/* a valid bearer token does not rescue an invalid key (API.md §2) */
		r = fx_key_req("GET", "/api/v1/users/me", bad[i], tok, NULL, NULL);
		EXPECT_PROBLEM(r, 401, "unauthorized", BAD_KEY);
		resp_free(r);
		r = fx_auth_check(bad[i], tok, NULL, NULL, NULL);
		EXPECT(r->status == 401 && r->len == 0,
		       "auth/check should be a bodiless 401: %s", resp_summary(r));
		resp_free(r);
		free(bad[i]);
	}
	chk_context(NULL);
	EXPECT(me_status(key) == 200, "the real key should still work after the bad ones");
	free(key);
}

static void test_expires_at_is_an_instant(void)
{
	struct rbac_world *w = get_world();
	const char *tok;
	char *id = NULL;
	struct resp *r;

	if (!w)
		return;
	tok = rw_token(w, P_MEMBER);
	r = req("POST", KEYS, tok, NULL,
		"{\"name\":\"ist\",\"scope\":\"GLOBAL\",\"expires_at\":\"2031-06-15T12:00:00+05:30\"}");
	expect_expiry(r, 201, "2031-06-15T06:30:00Z");
	if (jstr(resp_json(r), "id"))
		id = xstrdup(jstr(resp_json(r), "id"));
	fx_remember_secret(jstr(resp_json(r), "key"));
	resp_free(r);
	r = req("POST", KEYS, tok, NULL,
		"{\"name\":\"nst\",\"scope\":\"GLOBAL\",\"expires_at\":\"2031-06-15T12:00:00-03:30\"}");
	expect_expiry(r, 201, "2031-06-15T15:30:00Z");
	fx_remember_secret(jstr(resp_json(r), "key"));
	resp_free(r);
	r = req("POST", KEYS, tok, NULL,
		"{\"name\":\"naive\",\"scope\":\"GLOBAL\",\"expires_at\":\"2031-06-15T12:00:00\"}");
	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "expires_at");
	resp_free(r);
	r = req("POST", KEYS, tok, NULL,
		"{\"name\":\"past\",\"scope\":\"GLOBAL\",\"expires_at\":\"2020-01-01T00:00:00Z\"}");
	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "expires_at");
	resp_free(r);
	if (!id)
		return;
	r = get_key(tok, id);
	expect_expiry(r, 200, "2031-06-15T06:30:00Z");
	resp_free(r);
	r = on_key("PATCH", tok, id, NULL, "{\"expires_at\":\"2032-01-01T01:00:00+01:00\"}");
	expect_expiry(r, 200, "2032-01-01T00:00:00Z");
	resp_free(r);
	r = on_key("PATCH", tok, id, NULL, "{\"expires_at\":\"2032-01-01T01:00:00\"}");
	EXPECT_PROBLEM(r, 422, "validation-error", NULL);
	resp_free(r);
	r = on_key("PATCH", tok, id, NULL, "{\"expires_at\":\"2021-01-01T01:00:00Z\"}");
	EXPECT_PROBLEM(r, 422, "validation-error", NULL);
	resp_free(r);
	free(id);
}

static void test_expires_on_uses_tenant_zone(void)
{
	struct rbac_world *w = get_world();
	char *body, *id = NULL;
	struct resp *r;

	if (!w)
		return;
	body = xasprintf("{\"name\":\"ist\",\"tenant_id\":\"%s\",\"expires_on\":\"2030-12-31\"}",
			 tz_kolkata);
	r = req("POST", KEYS, fx.admin.access, NULL, body);
	expect_expiry(r, 201, "2030-12-31T18:30:00Z");
	fx_remember_secret(jstr(resp_json(r), "key"));
	resp_free(r);
	free(body);
	body = xasprintf("{\"name\":\"nst\",\"tenant_id\":\"%s\",\"expires_on\":\"2030-12-31\"}",
			 tz_st_johns);
	r = req("POST", KEYS, fx.admin.access, NULL, body);
	expect_expiry(r, 201, "2031-01-01T03:30:00Z");
	fx_remember_secret(jstr(resp_json(r), "key"));
	if (jstr(resp_json(r), "id"))
		id = xstrdup(jstr(resp_json(r), "id"));
	resp_free(r);
	free(body);
	if (id) { /* summer in Newfoundland is -02:30 */
		r = on_key("PATCH", fx.admin.access, id, NULL, "{\"expires_on\":\"2030-07-01\"}");
		expect_expiry(r, 200, "2030-07-02T02:30:00Z");
		resp_free(r);
	}
	/* a GLOBAL key has no tenant: UTC */
	r = req("POST", KEYS, rw_token(w, P_MEMBER), NULL,
		"{\"name\":\"utc\",\"scope\":\"GLOBAL\",\"expires_on\":\"2030-12-31\"}");
	expect_expiry(r, 201, "2031-01-01T00:00:00Z");
	fx_remember_secret(jstr(resp_json(r), "key"));
	resp_free(r);
	r = req("POST", KEYS, rw_token(w, P_MEMBER), NULL,
		"{\"name\":\"bad\",\"scope\":\"GLOBAL\",\"expires_on\":\"2030-02-30\"}");
	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "expires_on");
	resp_free(r);
	free(id);
}

static void test_expired_key_is_401(void)
{
	struct rbac_world *w = get_world();
	char *key = NULL, *id = NULL, *body, at[32];
	long exp;
	struct resp *r;

	if (!w || !(key = global_key(rw_token(w, P_MEMBER), NULL, &id)))
		goto out;
	exp = now_s() + 3;
	format_utc(exp, at);
	body = xasprintf("{\"expires_at\":\"%s\"}", at);
	r = on_key("PATCH", rw_token(w, P_MEMBER), id, NULL, body);
	expect_expiry(r, 200, at);
	resp_free(r);
	free(body);
	EXPECT(me_status(key) == 200, "the key should work until %s", at);
	r = fx_auth_check(key, NULL, NULL, NULL, NULL);
	EXPECT_STATUS(r, 204);
	resp_free(r);
	sleep_ms((exp + 1 - now_s()) * 1000 + 200);
	expect_key_refused(key, "expired key");
out:
	free(key);
	free(id);
}

static void test_get_list_foreign_and_missing(void)
{
	struct rbac_world *w = get_world();
	static const char *const methods[] = { "GET", "PATCH", "PUT", "DELETE", "POST" };
	const char *mine, *theirs;
	char *k1 = NULL, *k2 = NULL, *id1 = NULL, *id2 = NULL, missing[37], *path;
	struct json_object *a;
	struct resp *r;

	if (!w)
		return;
	mine = rw_token(w, P_MEMBER);
	theirs = rw_token(w, P_VIEWER);
	if (!(k1 = global_key(mine, NULL, &id1)) || !(k2 = global_key(mine, NULL, &id2)))
		goto out;
	r = req("GET", KEYS, mine, NULL, NULL);
	a = EXPECT_COUNTED_ARRAY(r, NULL);
	EXPECT(jarr_find_id(a, id1) >= 0 && jarr_find_id(a, id2) >= 0,
	       "the owner's list should hold both keys: %s", resp_summary(r));
	for (size_t i = 0; i < jlen(a); i++)
		EXPECT_STR(jat(a, i), "user_id", rw_user_id(w, P_MEMBER));
	resp_free(r);
	r = req("GET", KEYS "/", theirs, NULL, NULL);
	a = EXPECT_COUNTED_ARRAY(r, NULL);
	EXPECT(jarr_find_id(a, id1) < 0 && jarr_find_id(a, id2) < 0,
	       "another user's list shows the member's keys: %s", resp_summary(r));
	resp_free(r);
	/* a superuser may filter by owner */
	path = xasprintf(KEYS "?user_id=%s", rw_user_id(w, P_MEMBER));
	r = req("GET", path, fx.admin.access, NULL, NULL);
	a = EXPECT_COUNTED_ARRAY(r, NULL);
	EXPECT(jarr_find_id(a, id1) >= 0 && jarr_find_id(a, id2) >= 0,
	       "the superuser's user_id filter should find both keys: %s", resp_summary(r));
	resp_free(r);
	free(path);

	random_uuid(missing);
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		bool post = strcmp(methods[i], "POST") == 0, body = !post && methods[i][0] == 'P';
		const char *suffix = post ? "/rotate" : NULL, *json = body ? "{\"name\":\"x\"}" : NULL;

		chk_context("%s on another user's key / a missing key", methods[i]);
		r = on_key(methods[i], theirs, id1, suffix, json);
		if (EXPECT_PROBLEM(r, 403, "forbidden", NULL))
			EXPECT(detail_has(r, "permission"), "detail should mention permission: %s",
			       resp_summary(r));
		resp_free(r);
		r = on_key(methods[i], mine, missing, suffix, json);
		if (EXPECT_PROBLEM(r, 404, "not-found", NULL))
			EXPECT(detail_has(r, "not found"), "detail should say not found: %s",
			       resp_summary(r));
		resp_free(r);
	}
	chk_context(NULL);
	r = get_key(mine, "not-a-uuid");
	EXPECT_PROBLEM(r, 400, "bad-request", NULL);
	resp_free(r);
	r = get_key(mine, id1);
	EXPECT(key_shape(r, EXPECT_JSON(r, 200), rw_user_id(w, P_MEMBER)),
	       "the refused calls must leave the key as it was");
	resp_free(r);
	EXPECT(me_status(k1) == 200, "the key still works");
out:
	free(k1);
	free(k2);
	free(id1);
	free(id2);
}

static void test_deleted_key_is_401(void)
{
	struct rbac_world *w = get_world();
	const char *tok;
	char *key = NULL, *id = NULL;
	struct resp *r;

	if (!w || !(key = global_key((tok = rw_token(w, P_MEMBER)), NULL, &id)))
		goto out;
	for (int i = 0; i < 6; i++)
		EXPECT(me_status(key) == 200, "the key should work before its deletion");
	r = on_key("DELETE", tok, id, NULL, NULL);
	EXPECT_STATUS(r, 204);
	EXPECT(r->len == 0, "204 with a body: %s", resp_summary(r));
	resp_free(r);
	for (int i = 0; i < 6; i++)
		expect_key_refused(key, "deleted key");
	r = get_key(tok, id);
	EXPECT_PROBLEM(r, 404, "not-found", NULL);
	resp_free(r);
	r = on_key("DELETE", tok, id, NULL, NULL);
	EXPECT_PROBLEM(r, 404, "not-found", NULL);
	resp_free(r);
out:
	free(key);
	free(id);
}

static void test_deactivated_owner_key_is_401(void)
{
	struct rbac_world *w = get_world();
	struct it_user *u = &owners[1];
	char *key = NULL, *path = NULL;
	struct resp *r;

	if (!w || !fx_new_member(w->tenant_a, u) || !(key = global_key(u->access, NULL, NULL)))
		goto out;
	for (int i = 0; i < 6; i++)
		EXPECT(me_status(key) == 200, "the key should work while its owner is active");
	path = xasprintf("/api/v1/users/%s", u->id);
	r = req("PATCH", path, fx.admin.access, NULL, "{\"is_active\":false}");
	EXPECT_STATUS(r, 200);
	resp_free(r);
	for (int i = 0; i < 6; i++) {
		r = fx_key_req("GET", "/api/v1/users/me", key, NULL, NULL, NULL);
		EXPECT_PROBLEM(r, 401, "unauthorized", NULL);
		resp_free(r);
		r = fx_auth_check(key, NULL, NULL, NULL, NULL);
		EXPECT(r->status == 401 && r->len == 0, "auth/check: %s", resp_summary(r));
		resp_free(r);
	}
out:
	free(path);
	free(key);
}

static void test_rotate(void)
{
	struct rbac_world *w = get_world();
	const char *tok;
	char *k1 = NULL, *id1 = NULL, *k2 = NULL, *id2 = NULL, *k3 = NULL;
	struct json_object *o;
	struct resp *r;
	double t0;

	if (!w || !(k1 = global_key((tok = rw_token(w, P_MEMBER)), "\"scopes\":[\"user:read\"]",
				    &id1)))
		goto out;
	EXPECT(me_status(k1) == 200, "the key should work before rotation");
	r = on_key("POST", tok, id1, "/rotate", "{\"grace_seconds\":2}");
	t0 = now_mono();
	o = EXPECT_JSON(r, 201);
	if (o && EXPECT(key_text_ok(jstr(o, "key")) && is_uuid(jstr(o, "id")),
			"rotate should return a new key: %s", resp_summary(r))) {
		k2 = xstrdup(jstr(o, "key"));
		id2 = xstrdup(jstr(o, "id"));
		fx_remember_secret(k2);
		key_shape(r, o, rw_user_id(w, P_MEMBER));
		EXPECT(strcmp(id1, id2) != 0 && strncmp(k1, k2, 17) != 0,
		       "the rotated key needs its own id and key_prefix: %s", resp_summary(r));
		EXPECT(jarr_has_str(jarr(o, "scopes"), "user:read") && jlen(jarr(o, "scopes")) == 1,
		       "the rotated key keeps the scopes: %s", resp_summary(r));
		EXPECT(is_null(o, "last_used_at"), "a fresh key was never used: %s",
		       resp_summary(r));
	}
	resp_free(r);
	if (!k2)
		goto out;
	EXPECT(me_status(k2) == 200, "the new key should work at once");
	EXPECT(me_status(k1) == 200, "the old key should work during the 2 s grace");
	sleep_ms((long)((t0 + 3.0 - now_mono()) * 1000) + 100);
	expect_key_refused(k1, "old key after the grace period");
	EXPECT(me_status(k2) == 200, "the new key should still work");

	r = on_key("POST", tok, id2, "/rotate", NULL); /* no body: no grace */
	o = EXPECT_JSON(r, 201);
	if (jstr(o, "key")) {
		k3 = xstrdup(jstr(o, "key"));
		fx_remember_secret(k3);
	}
	resp_free(r);
	expect_key_refused(k2, "key rotated without grace");
	EXPECT(k3 && me_status(k3) == 200, "the newest key should work");
out:
	free(k1);
	free(k2);
	free(k3);
	free(id1);
	free(id2);
}

/* Over 8 s of uses, last_used_at changes at most once per worker of either pool (each
 * writes at most once a minute), where a write on every request would change it about
 * every second. */
static void not_written_per_request(struct rbac_world *w, const char *was)
{
	long workers = (fx.cfg.workers > 0 ? fx.cfg.workers : 3) +
		       (fx.cfg.check_workers > 0 ? fx.cfg.check_workers : 2);
	char last[64];
	int changes = 0;

	snprintf(last, sizeof(last), "%s", was);
	for (int i = 0; i < 16; i++) {
		struct resp *r;
		const char *v;

		sleep_ms(500);
		me_status(lu_key);
		r = get_key(rw_token(w, P_MEMBER), lu_id);
		v = jstr(resp_json(r), "last_used_at");
		if (v && strcmp(v, last) != 0) {
			changes++;
			snprintf(last, sizeof(last), "%s", v);
		}
		resp_free(r);
	}
	EXPECT(changes <= workers, "last_used_at changed %d times in 8 s of use (from %s to %s): "
				   "written on every request?", changes, was, last);
}

/* A leaked key must not become its owner's account, nor mint a stronger key. */
static void test_limited_key_cannot_take_over(void)
{
	char *id = NULL, *body = NULL, *key = NULL;
	struct resp *r;
	body = xasprintf("{\"name\":\"%s\",\"scope\":\"GLOBAL\",\"scopes\":[\"user:read\"]}",
			 "limited");
	key = fx_create_key(fx.admin.access, body, &id);
	if (!EXPECT(key != NULL, "could not create a limited key"))
		goto out;
	r = fx_key_req("PATCH", "/api/v1/users/me", key, NULL, NULL,
		       "{\"password\":\"taken-over-1\"}");
	EXPECT_PROBLEM(r, 403, "forbidden", "An API key cannot change its owner's email or password.");
	resp_free(r);
	r = fx_key_req("PATCH", "/api/v1/users/me", key, NULL, NULL, "{\"email\":\"x@example.com\"}");
	EXPECT_PROBLEM(r, 403, "forbidden", NULL);
	resp_free(r);
	/* the admin's password still works */
	r = fx_login_json(fx.admin.email, fx.admin.password);
	EXPECT_STATUS(r, 200);
	resp_free(r);
	r = fx_key_req("POST", "/api/v1/api-keys", key, NULL, NULL,
		       "{\"name\":\"stronger\",\"scope\":\"GLOBAL\"}");
	EXPECT_PROBLEM(r, 403, "forbidden", NULL);
	resp_free(r);
	r = fx_key_req("POST", "/api/v1/api-keys", key, NULL, NULL,
		       "{\"name\":\"wider\",\"scope\":\"GLOBAL\",\"scopes\":[\"user:read\",\"role:create\"]}");
	EXPECT_PROBLEM(r, 403, "forbidden", NULL);
	resp_free(r);
out:
	free(key);
	free(id);
	free(body);
}

static void test_last_used_at_is_set(void)
{
	struct rbac_world *w = get_world();
	const char *seen = NULL;
	struct resp *r = NULL;
	double found_after = -1;
	long t;

	if (!w || !lu_key)
		return;
	while (now_mono() < lu_first_use_mono + 75) {
		me_status(lu_key); /* a use lets the worker write what it saw at most once a minute */
		resp_free(r);
		r = get_key(rw_token(w, P_MEMBER), lu_id);
		if ((seen = jstr(resp_json(r), "last_used_at")) != NULL) {
			found_after = now_mono() - lu_first_use_mono;
			break;
		}
		sleep_ms(1000);
	}
	if (EXPECT(seen != NULL, "last_used_at still null 75 s after the first use: %s",
		   resp_summary(r))) {
		t = parse_utc(seen);
		EXPECT(found_after <= 65, "last_used_at appeared only %.1f s after the first use",
		       found_after);
		EXPECT(t >= lu_first_use - 2 && t <= now_s() + 2,
		       "last_used_at %s is not between the first use and now", seen);
		not_written_per_request(w, seen);
	}
	resp_free(r);
}

static int add_api_keys_suite(void)
{
	static const struct it_test tests[] = {
		{ "a new key's last_used_at is null until it is used", test_last_used_null_before_use },
		{ "POST /api-keys: 201, the key once (vsak_ + 40 base62, CRC32 checksum), key_prefix = its first 17 characters, every field; never shown again", test_create_shows_key_once },
		{ "create: no name 422, TENANT without tenant 400, unknown scope 422, a scope the owner lacks 403, another tenant 403; nothing made", test_create_validation },
		{ "X-API-Key authenticates as the owner; a TENANT key in another tenant 403; a GLOBAL key only where the owner is a member", test_key_authenticates_as_owner },
		{ "scopes limit a key below its Tenant Admin owner; a Member's key scoped to role:create cannot create roles", test_scopes_limit_the_key },
		{ "a key never exceeds its owner: removing the owner's role is felt on the key's next request", test_key_never_exceeds_owner },
		{ "malformed, wrong-checksum, truncated, 5000-byte, unknown and wrong-secret keys: 401 \"Invalid or expired API Key\", even with a valid bearer", test_invalid_keys_are_401 },
		{ "expires_at with an offset is normalised to UTC; no offset or in the past 422", test_expires_at_is_an_instant },
		{ "expires_on is the end of that day in the tenant's time zone (Kolkata, St John's winter and summer, UTC)", test_expires_on_uses_tenant_zone },
		{ "a key is 401 once its expires_at has passed", test_expired_key_is_401 },
		{ "own keys listed and read; another user's key 403 (permission); a missing key 404 (not found); superuser filter", test_get_list_foreign_and_missing },
		{ "a deleted key is 401 at once; GET and DELETE again 404", test_deleted_key_is_401 },
		{ "a deactivated owner's key is 401 on its next use", test_deactivated_owner_key_is_401 },
		{ "rotate: grace_seconds=2 keeps the old key for the grace only; without a body the old key dies at once", test_rotate },
		{ "a limited key cannot change its owner's password or email, nor mint a stronger key", test_limited_key_cannot_take_over },
		{ "last_used_at is set within about a minute of the first use", test_last_used_at_is_set },
		{ NULL, NULL },
	};

	return it_add_suite("api keys", NULL, suite_cleanup, tests);
}

IT_REGISTER(add_api_keys_suite)
