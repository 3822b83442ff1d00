/* lib/roles/domain.c: which roles may be changed, by whom. */
#include "suites.h"

#include "roles/domain.h"

#define GLOBAL_REFUSED "Global roles can only be changed by a superuser without a tenant in context."

static void test_rbac_role_change_refused(void)
{
	struct vs_role system_global = {.global = true, .is_system_role = true};
	struct vs_role custom_global = {.global = true};
	struct vs_role tenant_role = {.global = false};
	struct vs_role system_tenant = {.global = false, .is_system_role = true};
	/* System roles: nobody, never, wherever. */
	for (int su = 0; su < 2; su++)
		for (int in_tenant = 0; in_tenant < 2; in_tenant++) {
			CU_ASSERT_STRING_EQUAL(
			    ut_str(vs_role_change_refused(&system_global, su, in_tenant)),
			    "System roles cannot be changed.");
			CU_ASSERT_STRING_EQUAL(
			    ut_str(vs_role_change_refused(&system_tenant, su, in_tenant)),
			    "System roles cannot be changed.");
			/* A tenant's own role: whoever got this far (the route's permission). */
			CU_ASSERT_PTR_NULL(vs_role_change_refused(&tenant_role, su, in_tenant));
		}
	/* Global non-system roles: a superuser without a tenant in context only. */
	CU_ASSERT_PTR_NULL(vs_role_change_refused(&custom_global, true, false));
	CU_ASSERT_STRING_EQUAL(ut_str(vs_role_change_refused(&custom_global, true, true)),
			       GLOBAL_REFUSED);
	CU_ASSERT_STRING_EQUAL(ut_str(vs_role_change_refused(&custom_global, false, false)),
			       GLOBAL_REFUSED);
	CU_ASSERT_STRING_EQUAL(ut_str(vs_role_change_refused(&custom_global, false, true)),
			       GLOBAL_REFUSED);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_rbac_role_change_refused),
	    UT_END,
	};
	ut_add_suite("roles: domain", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
