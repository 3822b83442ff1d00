/* lib/auth/domain.c: whether a principal satisfies a route's rule. */
#include "suites.h"

#include "auth/domain.h"

static void test_domain_principal_allowed_by_rule_and_caller(void)
{
	const struct vs_principal anonymous = {0};
	const struct vs_principal user = {.authenticated = true};
	const struct vs_principal superuser = {.authenticated = true, .user.is_superuser = true};
	/* Not authenticated, even if the struct says superuser: a half-filled principal. */
	const struct vs_principal forged = {.user.is_superuser = true};
	const struct vs_rule public_rule = {VS_RULE_PUBLIC, {NULL}};
	const struct vs_rule auth_rule = {VS_RULE_AUTHENTICATED, {NULL}};
	const struct vs_rule perm_rule = {VS_RULE_PERMISSION, {"user:read"}};
	const struct vs_rule any_rule = {VS_RULE_ANY_OF, {"user:read", "audit:read"}};

	CU_ASSERT_TRUE(vs_principal_allowed(&anonymous, &public_rule));
	CU_ASSERT_TRUE(vs_principal_allowed(&user, &public_rule));
	CU_ASSERT_TRUE(vs_principal_allowed(&superuser, &public_rule));

	CU_ASSERT_FALSE(vs_principal_allowed(&anonymous, &auth_rule));
	CU_ASSERT_TRUE(vs_principal_allowed(&user, &auth_rule));
	CU_ASSERT_TRUE(vs_principal_allowed(&superuser, &auth_rule));

	/* A user holding nothing in the tenant in context. */
	CU_ASSERT_FALSE(vs_principal_allowed(&anonymous, &perm_rule));
	CU_ASSERT_FALSE(vs_principal_allowed(&user, &perm_rule));
	CU_ASSERT_TRUE(vs_principal_allowed(&superuser, &perm_rule));

	CU_ASSERT_FALSE(vs_principal_allowed(&anonymous, &any_rule));
	CU_ASSERT_FALSE(vs_principal_allowed(&user, &any_rule));
	CU_ASSERT_TRUE(vs_principal_allowed(&superuser, &any_rule));

	CU_ASSERT_FALSE(vs_principal_allowed(&forged, &auth_rule));
	CU_ASSERT_FALSE(vs_principal_allowed(&forged, &perm_rule));
	CU_ASSERT_FALSE(vs_principal_allowed(&forged, &any_rule));
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_domain_principal_allowed_by_rule_and_caller),
	    UT_END,
	};
	ut_add_suite("auth: domain", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
