/* lib/auth/check.c: the nginx auth_request check. A key is decided from the key's record
 * and its owner's permissions in the tenant (the users port's `permissions`, which the
 * fake answers like `principal`, journaled as "users.principal"), with no transaction;
 * a use is noted (touch) only when the check passes; database trouble is a 503 for keys.
 * A bearer token needs its user's state: one transaction, always rolled back. */
#include "suites.h"

#include "api_keys/key_world.h"
#include "api_keys/messages.h"
#include "auth/messages.h"
#include "auth/usecases.h"
#include "core/jwt.h"

#include <stdio.h>
#include <string.h>

static enum vs_err check_key(struct world *w, const char *key, const vs_uuid *tenant,
			     const char *required, struct vs_check_result *out, struct vs_error *e)
{
	return vs_auth_check_key(&w->app, w->a, key, strlen(key), tenant, required, out, e);
}

static enum vs_err check_bearer(struct world *w, const char *token, const vs_uuid *tenant,
				const char *required, struct vs_check_result *out,
				struct vs_error *e)
{
	return vs_auth_check_bearer(&w->app, w->a, token, strlen(token), tenant, required, out, e);
}

/* What a refused check leaves: no identity for a careless caller to send on. */
static void assert_no_identity(const struct vs_check_result *r)
{
	CU_ASSERT_TRUE(vs_uuid_is_nil(&r->user_id));
	CU_ASSERT_PTR_NULL(r->tenant);
	CU_ASSERT_FALSE(r->via_key);
	CU_ASSERT_TRUE(vs_uuid_is_nil(&r->key_id));
	CU_ASSERT_EQUAL(r->scopes.n, 0);
}

/* Removes user's roles in tenant, as a committed revocation would. */
static void drop_grants(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user)
{
	size_t kept = 0;
	for (size_t i = 0; i < db->store.ngrants; i++) {
		const struct fake_grant_row *g = &db->store.grants[i];
		if (!vs_uuid_eq(&g->tenant_id, tenant) || !vs_uuid_eq(&g->user_id, user))
			db->store.grants[kept++] = *g;
	}
	db->store.ngrants = kept;
}

/* ---- API keys ---- */

static void test_check_key_passes_with_identity_and_notes_the_use(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	const char *const scopes[] = {"vm:read", "user:read", NULL};
	vs_uuid id, root_id;
	const char *key = fake_seed_api_key(w->db, w->a, &w->admin, &w->acme, scopes, &id);
	const char *root_key = fake_seed_api_key(w->db, w->a, &w->root, NULL, NULL, &root_id);
	struct vs_check_result r;
	struct vs_error e = {0};

	CU_ASSERT_EQUAL_FATAL(check_key(w, key, &w->acme, "vm:read", &r, &e), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&r.user_id, &w->admin));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.tenant);
	CU_ASSERT_TRUE(vs_uuid_eq(r.tenant, &w->acme));
	CU_ASSERT_PTR_EQUAL(r.tenant, &r.tenant_buf); /* not the caller's buffer */
	CU_ASSERT_TRUE(r.via_key);
	CU_ASSERT_TRUE(vs_uuid_eq(&r.key_id, &id));
	CU_ASSERT_EQUAL_FATAL(r.scopes.n, 2); /* sorted, for X-VS-Scopes */
	CU_ASSERT_STRING_EQUAL(ut_str(r.scopes.codes[0]), "user:read");
	CU_ASSERT_STRING_EQUAL(ut_str(r.scopes.codes[1]), "vm:read");
	/* Lookup, the owner's permissions, the use noted; no transaction. */
	CU_ASSERT_EQUAL_FATAL(w->db->njournal, 3);
	CU_ASSERT_STRING_EQUAL(w->db->journal[0], "api_keys.find");
	CU_ASSERT_STRING_EQUAL(w->db->journal[1], "users.principal");
	CU_ASSERT_STRING_EQUAL(w->db->journal[2], "api_keys.touch");
	CU_ASSERT_EQUAL(w->db->api_keys.touches, 1);
	CU_ASSERT_EQUAL(w->db->begins, 0);

	/* A TENANT key with no tenant asked for acts in its own. */
	CU_ASSERT_EQUAL_FATAL(check_key(w, key, NULL, NULL, &r, &e), VS_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.tenant);
	CU_ASSERT_TRUE(vs_uuid_eq(r.tenant, &w->acme));

	/* A GLOBAL key with no tenant: nothing to read about one. */
	fake_reset_journal(w->db);
	CU_ASSERT_EQUAL_FATAL(check_key(w, root_key, NULL, NULL, &r, &e), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&r.user_id, &w->root));
	CU_ASSERT_PTR_NULL(r.tenant);
	CU_ASSERT_TRUE(vs_uuid_eq(&r.key_id, &root_id));
	CU_ASSERT_EQUAL(r.scopes.n, 0);
	CU_ASSERT_EQUAL(fake_called(w->db, "users.principal"), 0);
	CU_ASSERT_EQUAL(w->db->api_keys.touches, 3);
	FAKE_ASSERT_TX_CLEAN(w->db);
	key_world_free(&k);
}

static void test_check_key_outside_its_tenant_or_owner_not_member_is_403(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	const char *acme_key = fake_seed_api_key(w->db, w->a, &w->admin, &w->acme, NULL, NULL);
	const char *ann_global = fake_seed_api_key(w->db, w->a, &w->ann, NULL, NULL, NULL);
	const char *ann_acme = fake_seed_api_key(w->db, w->a, &w->ann, &w->acme, NULL, NULL);
	const char *root_global = fake_seed_api_key(w->db, w->a, &w->root, NULL, NULL, NULL);
	struct vs_check_result r;
	struct vs_error e = {0};

	/* A TENANT key elsewhere: refused before the owner's permissions are read. */
	CU_ASSERT_EQUAL(check_key(w, acme_key, &w->globex, NULL, &r, &e), VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), VS_MSG_KEY_OTHER_TENANT);
	CU_ASSERT_EQUAL(fake_called(w->db, "users.principal"), 0);
	assert_no_identity(&r);

	/* A GLOBAL key acts only where its owner is a member ... */
	e = (struct vs_error){0};
	CU_ASSERT_EQUAL(check_key(w, ann_global, &w->globex, NULL, &r, &e), VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), VS_MSG_NOT_MEMBER);
	assert_no_identity(&r);
	/* ... unless the owner is a superuser. */
	CU_ASSERT_EQUAL_FATAL(check_key(w, root_global, &w->globex, NULL, &r, &e), VS_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.tenant);
	CU_ASSERT_TRUE(vs_uuid_eq(r.tenant, &w->globex));
	CU_ASSERT_EQUAL(w->db->api_keys.touches, 1);

	/* Membership at the time of use: ann loses her role in acme, her acme key stops. */
	CU_ASSERT_EQUAL(check_key(w, ann_acme, NULL, NULL, &r, &e), VS_OK);
	drop_grants(w->db, &w->acme, &w->ann);
	e = (struct vs_error){0};
	CU_ASSERT_EQUAL(check_key(w, ann_acme, NULL, NULL, &r, &e), VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), VS_MSG_NOT_MEMBER);
	CU_ASSERT_EQUAL(w->db->api_keys.touches, 2); /* refusals are not uses */
	FAKE_ASSERT_TX_CLEAN(w->db);
	key_world_free(&k);
}

struct perm_case {
	const char *what;
	bool root, global, limited;
	const char *scope; /* the key's one scope when limited */
	const char *required;
	enum vs_err want;
};

static void test_check_key_permission_within_owner_and_scopes(void)
{
	static const struct perm_case cases[] = {
	    {"owner holds it", false, false, false, NULL, "vm:read", VS_OK},
	    {"owner lacks it", false, false, false, NULL, "vm:create", VS_FORBIDDEN},
	    {"in the key's scopes", false, false, true, "user:read", "user:read", VS_OK},
	    {"owner holds it, key not", false, false, true, "user:read", "vm:read", VS_FORBIDDEN},
	    {"key scope beyond owner", false, false, true, "vm:create", "vm:create", VS_FORBIDDEN},
	    {"superuser's limited key", true, true, true, "vm:read", "vm:read", VS_OK},
	    {"superuser's key, not scoped", true, true, true, "vm:read", "vm:create", VS_FORBIDDEN},
	    {"superuser's unlimited key", true, true, false, NULL, "vm:create", VS_OK},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct perm_case *c = &cases[i];
		struct key_world k;
		key_world_init(&k);
		struct world *w = &k.w;
		const char *const scopes[] = {c->scope, NULL};
		const char *key = fake_seed_api_key(w->db, w->a, c->root ? &w->root : &w->ann,
						    c->global ? NULL : &w->acme,
						    c->limited ? scopes : NULL, NULL);
		struct vs_check_result r;
		struct vs_error e = {0};
		enum vs_err rc = check_key(w, key, &w->acme, c->required, &r, &e);
		if (rc != c->want)
			fprintf(stderr, "\n  case \"%s\": rc=%d\n", c->what, rc);
		CU_ASSERT_EQUAL(rc, c->want);
		CU_ASSERT_EQUAL(w->db->api_keys.touches, c->want == VS_OK ? 1u : 0u);
		if (c->want != VS_OK) {
			CU_ASSERT_STRING_EQUAL(ut_str(e.detail), VS_MSG_FORBIDDEN);
			assert_no_identity(&r);
		}
		key_world_free(&k);
	}
	/* A GLOBAL key without a tenant: permissions are held in tenants, so none. */
	struct key_world k;
	key_world_init(&k);
	const char *key = fake_seed_api_key(k.w.db, k.w.a, &k.w.ann, NULL, NULL, NULL);
	struct vs_check_result r;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(check_key(&k.w, key, NULL, "vm:read", &r, &e), VS_FORBIDDEN);
	CU_ASSERT_EQUAL(check_key(&k.w, key, &k.w.acme, "vm:read", &r, &e), VS_OK);
	key_world_free(&k);
}

static void test_check_key_invalid_is_401_and_not_noted(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	vs_uuid revoked_id, expired_id;
	const char *revoked = fake_seed_api_key(w->db, w->a, &w->ann, NULL, NULL, &revoked_id);
	const char *expired = fake_seed_api_key(w->db, w->a, &w->ann, NULL, NULL, &expired_id);
	const char *idle = fake_seed_api_key(w->db, w->a, &w->idle, &w->acme, NULL, NULL);
	fake_api_key(w->db, &revoked_id)->is_active = false;
	fake_api_key(w->db, &expired_id)->expires = true;
	fake_api_key(w->db, &expired_id)->expires_at = fake_now();
	const char *bad[] = {"vsak_short", kw_forge_key(w->a, "AAAAAAAAAAAA"), revoked, expired,
			     idle};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vs_check_result r;
		struct vs_error e = {0};
		CU_ASSERT_EQUAL(check_key(w, bad[i], &w->acme, NULL, &r, &e), VS_UNAUTHORIZED);
		CU_ASSERT_STRING_EQUAL(ut_str(e.detail), VS_MSG_BAD_API_KEY);
		assert_no_identity(&r);
	}
	CU_ASSERT_EQUAL(w->db->api_keys.touches, 0);
	CU_ASSERT_EQUAL(fake_called(w->db, "users.principal"), 0);
	key_world_free(&k);
}

struct key_check_ctx {
	struct world *w;
	const char *key;
};

static enum vs_err key_check_op(void *ctx, struct vs_error *e)
{
	struct key_check_ctx *c = ctx;
	struct vs_check_result r;
	enum vs_err rc = check_key(c->w, c->key, &c->w->acme, "vm:read", &r, e);
	if (rc != VS_OK)
		assert_no_identity(&r);
	return rc;
}

static void test_check_key_database_faults_are_503(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	struct key_check_ctx ctx = {w,
				    fake_seed_api_key(w->db, w->a, &w->ann, &w->acme, NULL, NULL)};
	/* api_keys.find, then the owner's permissions (users.principal in the fake). */
	CU_ASSERT_EQUAL(fake_inject_each_call(w->db, "check key", key_check_op, &ctx), 2);
	CU_ASSERT_EQUAL(w->db->api_keys.touches, 1); /* only the run without a fault */
	key_world_free(&k);
}

/* ---- bearer tokens ---- */

static void test_check_bearer_passes_and_leaves_no_transaction(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	struct vs_check_result r;
	struct vs_error e = {0};
	const char *token = fake_access_token(w->a, &w->manager);

	CU_ASSERT_EQUAL_FATAL(check_bearer(w, token, &w->acme, "role:create", &r, &e), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&r.user_id, &w->manager));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.tenant);
	CU_ASSERT_TRUE(vs_uuid_eq(r.tenant, &w->acme));
	CU_ASSERT_FALSE(r.via_key);
	CU_ASSERT_TRUE(vs_uuid_is_nil(&r.key_id));
	CU_ASSERT_EQUAL(r.scopes.n, 0);
	/* The user's state read in a transaction scoped to them, then rolled back. */
	CU_ASSERT_EQUAL_FATAL(w->db->njournal, 3);
	CU_ASSERT_STRING_EQUAL(w->db->journal[0], "begin");
	CU_ASSERT_STRING_EQUAL(w->db->journal[1], "users.principal");
	CU_ASSERT_STRING_EQUAL(w->db->journal[2], "rollback");
	CU_ASSERT_TRUE(vs_uuid_eq(&w->db->scope.user, &w->manager));
	CU_ASSERT_TRUE(vs_uuid_eq(&w->db->scope.tenant, &w->acme));
	CU_ASSERT_EQUAL(w->db->commits, 0);
	FAKE_ASSERT_TX_CLEAN(w->db);

	/* No tenant, nothing required. */
	CU_ASSERT_EQUAL(check_bearer(w, token, NULL, NULL, &r, &e), VS_OK);
	CU_ASSERT_PTR_NULL(r.tenant);

	/* Refusals close the transaction just the same. */
	vs_uuid nowhere;
	vs_uuid_v4(&nowhere);
	struct {
		const vs_uuid *user, *tenant;
		const char *required, *detail;
		enum vs_err want;
	} cases[] = {
	    {&w->manager, &w->acme, "vm:create", VS_MSG_FORBIDDEN, VS_FORBIDDEN},
	    {&w->gus, &w->acme, NULL, VS_MSG_NOT_MEMBER, VS_FORBIDDEN},
	    {&w->root, &w->acme, "vm:create", NULL, VS_OK}, /* superuser, not a member */
	    {&w->root, &nowhere, NULL, VS_MSG_NOT_MEMBER, VS_FORBIDDEN}, /* no such tenant */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_reset_journal(w->db);
		e = (struct vs_error){0};
		const char *t = fake_access_token(w->a, cases[i].user);
		CU_ASSERT_EQUAL(check_bearer(w, t, cases[i].tenant, cases[i].required, &r, &e),
				cases[i].want);
		if (cases[i].detail) {
			CU_ASSERT_STRING_EQUAL(ut_str(e.detail), cases[i].detail);
		}
		CU_ASSERT_EQUAL(w->db->rollbacks, 1);
		FAKE_ASSERT_TX_CLEAN(w->db);
	}
	CU_ASSERT_EQUAL(w->db->api_keys.touches, 0);
	key_world_free(&k);
}

static void test_check_bearer_bad_token_or_inactive_user_is_401(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	struct vs_check_result r;
	struct vs_error e = {0};
	const char *ann = fake_access_token(w->a, &w->ann);
	/* An API key is not a bearer token, nor is garbage. */
	const char *key = fake_seed_api_key(w->db, w->a, &w->ann, NULL, NULL, NULL);
	const char *bad[] = {"", "a.b.c", key};
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(check_bearer(w, bad[i], &w->acme, NULL, &r, &e), VS_UNAUTHORIZED);
		assert_no_identity(&r);
	}
	fake_clock_advance(FAKE_ACCESS_TTL + VS_JWT_LEEWAY_SECONDS);
	CU_ASSERT_EQUAL(check_bearer(w, ann, &w->acme, NULL, &r, &e), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(w->db->begins, 0); /* decided from the token alone */

	e = (struct vs_error){0};
	const char *idle = fake_access_token(w->a, &w->idle);
	CU_ASSERT_EQUAL(check_bearer(w, idle, &w->acme, NULL, &r, &e), VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), VS_MSG_INACTIVE_USER);
	assert_no_identity(&r);
	CU_ASSERT_EQUAL(w->db->rollbacks, 1);
	FAKE_ASSERT_TX_CLEAN(w->db);

	const char *gone = fake_access_token(w->a, &w->gus);
	fake_drop_user(w->db, &w->gus);
	CU_ASSERT_EQUAL(check_bearer(w, gone, NULL, NULL, &r, &e), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(w->db->stray_rollbacks, 0);
	FAKE_ASSERT_TX_CLEAN(w->db);
	key_world_free(&k);
}

/* The bearer check turns "cannot tell" into 401 (check.c maps every failure of
 * vs_auth_open but a 401 to one), unlike the key check's 503: pinned here, and raised in
 * the report against the "503 when that cannot be told now" of auth/usecases.h. Either
 * way it fails closed and leaves no transaction open. */
static void test_check_bearer_database_faults_fail_closed(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	const char *token = fake_access_token(w->a, &w->admin);
	const char *ops[] = {"begin", "users.principal"};
	for (unsigned n = 1; n <= 2; n++) {
		fake_reset_journal(w->db);
		w->db->fail_after = n;
		struct vs_check_result r;
		struct vs_error e = {0};
		CU_ASSERT_EQUAL(check_bearer(w, token, &w->acme, "vm:read", &r, &e),
				VS_UNAUTHORIZED);
		CU_ASSERT_EQUAL(e.code, VS_UNAUTHORIZED);
		CU_ASSERT_TRUE(w->db->injected);
		CU_ASSERT_STRING_EQUAL(ut_str(w->db->injected_op), ops[n - 1]);
		assert_no_identity(&r);
		CU_ASSERT_EQUAL(w->db->stray_rollbacks, 0);
		FAKE_ASSERT_TX_CLEAN(w->db);
	}
	key_world_free(&k);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_check_key_passes_with_identity_and_notes_the_use),
	    UT_TEST(test_check_key_outside_its_tenant_or_owner_not_member_is_403),
	    UT_TEST(test_check_key_permission_within_owner_and_scopes),
	    UT_TEST(test_check_key_invalid_is_401_and_not_noted),
	    UT_TEST(test_check_key_database_faults_are_503),
	    UT_TEST(test_check_bearer_passes_and_leaves_no_transaction),
	    UT_TEST(test_check_bearer_bad_token_or_inactive_user_is_401),
	    UT_TEST(test_check_bearer_database_faults_fail_closed),
	    UT_END,
	};
	ut_add_suite("auth: auth_request check", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
