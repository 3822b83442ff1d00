/* lib/app/authorize.c: the pure decision over a loaded principal, branch by branch, with
 * the exact details clients match on (README "Authorization"). No repository exists here:
 * vs_authorize takes no app, so it cannot touch the database. */
#include "suites.h"
#include "auth/usecases.h"


#include <stdio.h>
#include <string.h>

static const struct vs_rule public_rule = {VS_RULE_PUBLIC, {NULL}};
static const struct vs_rule auth_rule = {VS_RULE_AUTHENTICATED, {NULL}};
static const struct vs_rule read_rule = {VS_RULE_PERMISSION, {"user:read"}};
static const struct vs_rule two_rule = {VS_RULE_PERMISSION, {"user:read", "user:update"}};
static const struct vs_rule any_rule = {VS_RULE_ANY_OF, {"audit:read", "user:read"}};

static const char *member_codes[] = {"tenant:read", "user:read"};

struct case_env {
	struct vs_arena *a;
	vs_uuid tenant;
	struct vs_principal anonymous, member, outsider, root;
};

static void env_init(struct case_env *x)
{
	memset(x, 0, sizeof(*x));
	x->a = vs_arena_new();
	vs_uuid_v4(&x->tenant);
	/* What vs_session_open loads for each, with x->tenant in context. */
	x->member = (struct vs_principal){.authenticated = true, .tenant_found = true,
					  .member = true};
	x->member.permissions = (struct vs_permset){member_codes, 2};
	x->outsider = (struct vs_principal){.authenticated = true, .tenant_found = true};
	x->root = (struct vs_principal){.authenticated = true, .tenant_found = true};
	x->root.user.is_superuser = true;
}

static enum vs_err run(struct case_env *x, const struct vs_principal *p, const struct vs_rule *r,
		       const vs_uuid *tenant, bool scoped, struct vs_error *e)
{
	*e = (struct vs_error){0};
	return vs_authorize(x->a, p, r, tenant, scoped, e);
}

static void test_authorize_public_rule_asks_nothing(void)
{
	struct case_env x;
	env_init(&x);
	struct vs_error e;
	/* Not even a tenant that does not exist, nor a missing X-Tenant-ID. */
	struct vs_principal gone = x.member;
	gone.tenant_found = false;
	CU_ASSERT_EQUAL(run(&x, &x.anonymous, &public_rule, &x.tenant, true, &e), VS_OK);
	CU_ASSERT_EQUAL(run(&x, &gone, &public_rule, &x.tenant, false, &e), VS_OK);
	CU_ASSERT_EQUAL(run(&x, &x.anonymous, &public_rule, NULL, true, &e), VS_OK);
	CU_ASSERT_EQUAL(e.code, VS_OK);
	vs_arena_free(x.a);
}

static void test_authorize_anonymous_is_401_before_anything_else(void)
{
	struct case_env x;
	env_init(&x);
	struct vs_error e;
	const struct vs_rule *rules[] = {&auth_rule, &read_rule, &two_rule, &any_rule};
	for (size_t i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(run(&x, &x.anonymous, rules[i], NULL, false, &e), VS_UNAUTHORIZED);
		CU_ASSERT_EQUAL(e.code, VS_UNAUTHORIZED);
		CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Not authenticated");
		/* Not 400 for the missing header, nor 404 for an unknown tenant. */
		CU_ASSERT_EQUAL(run(&x, &x.anonymous, rules[i], NULL, true, &e), VS_UNAUTHORIZED);
		CU_ASSERT_EQUAL(run(&x, &x.anonymous, rules[i], &x.tenant, true, &e),
				VS_UNAUTHORIZED);
		CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Not authenticated");
	}
	vs_arena_free(x.a);
}

static void test_authorize_tenant_header_required_for_permission_routes(void)
{
	struct case_env x;
	env_init(&x);
	struct vs_error e;
	/* X-Tenant-ID route, permission rule, none sent, not a superuser. */
	CU_ASSERT_EQUAL(run(&x, &x.member, &read_rule, NULL, true, &e), VS_BADREQ);
	CU_ASSERT_EQUAL(e.code, VS_BADREQ);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "X-Tenant-ID header is required.");
	CU_ASSERT_EQUAL(run(&x, &x.member, &any_rule, NULL, true, &e), VS_BADREQ);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "X-Tenant-ID header is required.");
	/* A superuser works without a tenant (global roles, every user). */
	CU_ASSERT_EQUAL(run(&x, &x.root, &read_rule, NULL, true, &e), VS_OK);
	/* Any authenticated user: /users/me needs no header. */
	CU_ASSERT_EQUAL(run(&x, &x.member, &auth_rule, NULL, true, &e), VS_OK);
	CU_ASSERT_EQUAL(e.code, VS_OK);
	/* A route that takes no tenant at all (POST /tenants): no 400, the permission decides,
	 * and without a tenant nobody but a superuser holds one (nothing is loaded). */
	const struct vs_principal no_tenant = {.authenticated = true};
	CU_ASSERT_EQUAL(run(&x, &no_tenant, &read_rule, NULL, false, &e), VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Not enough permissions");
	CU_ASSERT_EQUAL(run(&x, &x.root, &read_rule, NULL, false, &e), VS_OK);
	vs_arena_free(x.a);
}

static void test_authorize_unknown_tenant_is_404_with_its_id(void)
{
	struct case_env x;
	env_init(&x);
	struct vs_error e;
	char id[VS_UUID_STRLEN + 1], want[64];
	vs_uuid_format(&x.tenant, id);
	snprintf(want, sizeof(want), "Tenant %s not found.", id);
	struct vs_principal nobody_there = x.outsider, root_nowhere = x.root;
	nobody_there.tenant_found = root_nowhere.tenant_found = false;
	const struct vs_rule *rules[] = {&auth_rule, &read_rule, &any_rule};
	for (size_t i = 0; i < 3; i++) {
		for (int scoped = 0; scoped < 2; scoped++) {
			CU_ASSERT_EQUAL(run(&x, &nobody_there, rules[i], &x.tenant, scoped, &e),
					VS_NOTFOUND);
			CU_ASSERT_EQUAL(e.code, VS_NOTFOUND);
			CU_ASSERT_STRING_EQUAL(ut_str(e.detail), want);
			/* Superusers too: a missing tenant is missing for everyone. */
			CU_ASSERT_EQUAL(run(&x, &root_nowhere, rules[i], &x.tenant, scoped, &e),
					VS_NOTFOUND);
			CU_ASSERT_STRING_EQUAL(ut_str(e.detail), want);
		}
	}
	vs_arena_free(x.a);
}

static void test_authorize_non_member_is_403_not_member(void)
{
	struct case_env x;
	env_init(&x);
	struct vs_error e;
	const struct vs_rule *rules[] = {&auth_rule, &read_rule, &any_rule};
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(run(&x, &x.outsider, rules[i], &x.tenant, false, &e), VS_FORBIDDEN);
		CU_ASSERT_EQUAL(e.code, VS_FORBIDDEN);
		CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "You are not a member of this tenant.");
	}
	/* Membership is what counts, not the codes: a principal with codes but no membership
	 * (never loaded that way) is still refused. */
	struct vs_principal odd = x.member;
	odd.member = false;
	CU_ASSERT_EQUAL(run(&x, &odd, &read_rule, &x.tenant, true, &e), VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "You are not a member of this tenant.");
	vs_arena_free(x.a);
}

static void test_authorize_member_needs_the_permission(void)
{
	struct case_env x;
	env_init(&x);
	struct vs_error e;
	CU_ASSERT_EQUAL(run(&x, &x.member, &read_rule, &x.tenant, true, &e), VS_OK);
	CU_ASSERT_EQUAL(run(&x, &x.member, &read_rule, &x.tenant, false, &e), VS_OK);
	CU_ASSERT_EQUAL(run(&x, &x.member, &auth_rule, &x.tenant, false, &e), VS_OK);
	CU_ASSERT_EQUAL(run(&x, &x.member, &any_rule, &x.tenant, true, &e), VS_OK);
	CU_ASSERT_EQUAL(e.code, VS_OK);
	/* All of two: it holds user:read, not user:update. */
	CU_ASSERT_EQUAL(run(&x, &x.member, &two_rule, &x.tenant, true, &e), VS_FORBIDDEN);
	CU_ASSERT_EQUAL(e.code, VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Not enough permissions");
	const struct vs_rule del = {VS_RULE_PERMISSION, {"user:delete"}};
	CU_ASSERT_EQUAL(run(&x, &x.member, &del, &x.tenant, false, &e), VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Not enough permissions");
	const struct vs_rule any_missing = {VS_RULE_ANY_OF, {"audit:read", "billing:read"}};
	CU_ASSERT_EQUAL(run(&x, &x.member, &any_missing, &x.tenant, true, &e), VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Not enough permissions");
	vs_arena_free(x.a);
}

static void test_authorize_superuser_passes_where_not_a_member(void)
{
	struct case_env x;
	env_init(&x);
	struct vs_error e;
	const struct vs_rule del = {VS_RULE_PERMISSION, {"tenant:delete", "broadcast:manage"}};
	const struct vs_rule *rules[] = {&auth_rule, &read_rule, &two_rule, &any_rule, &del};
	for (size_t i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(run(&x, &x.root, rules[i], &x.tenant, true, &e), VS_OK);
		CU_ASSERT_EQUAL(run(&x, &x.root, rules[i], &x.tenant, false, &e), VS_OK);
	}
	CU_ASSERT_EQUAL(e.code, VS_OK);
	vs_arena_free(x.a);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_authorize_public_rule_asks_nothing),
	    UT_TEST(test_authorize_anonymous_is_401_before_anything_else),
	    UT_TEST(test_authorize_tenant_header_required_for_permission_routes),
	    UT_TEST(test_authorize_unknown_tenant_is_404_with_its_id),
	    UT_TEST(test_authorize_non_member_is_403_not_member),
	    UT_TEST(test_authorize_member_needs_the_permission),
	    UT_TEST(test_authorize_superuser_passes_where_not_a_member),
	    UT_END,
	};
	ut_add_suite("auth: authorize", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
