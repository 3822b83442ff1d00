/* lib/limits/domain.c: what a limit's name says about its scope, and which maxima the
 * database can hold. */
#include "suites.h"

#include "core/err.h"
#include "limits/domain.h"

static void test_limit_scope_comes_from_the_name(void)
{
	CU_ASSERT_EQUAL(vs_limit_scope_of("roles_per_tenant"), VS_LIMIT_PER_TENANT);
	CU_ASSERT_EQUAL(vs_limit_scope_of("members_per_tenant"), VS_LIMIT_PER_TENANT);
	CU_ASSERT_EQUAL(vs_limit_scope_of("api_keys_per_user"), VS_LIMIT_PER_USER);
	/* a bare suffix, another word, or nothing names no scope */
	CU_ASSERT_EQUAL(vs_limit_scope_of("_per_tenant"), VS_LIMIT_SCOPE_NONE);
	CU_ASSERT_EQUAL(vs_limit_scope_of("roles_per_tenants"), VS_LIMIT_SCOPE_NONE);
	CU_ASSERT_EQUAL(vs_limit_scope_of("roles"), VS_LIMIT_SCOPE_NONE);
	CU_ASSERT_EQUAL(vs_limit_scope_of(""), VS_LIMIT_SCOPE_NONE);
}

static void test_limit_max_fits_the_column(void)
{
	CU_ASSERT_TRUE(vs_limit_max_valid(0));
	CU_ASSERT_TRUE(vs_limit_max_valid(2147483647LL));
	CU_ASSERT_FALSE(vs_limit_max_valid(-1));
	CU_ASSERT_FALSE(vs_limit_max_valid(2147483648LL));
}

/* Two errors share 409: the reason phrase is the first one's, the problem types differ. */
static void test_quota_is_a_409_of_its_own_type(void)
{
	CU_ASSERT_EQUAL(vs_err_status(VS_QUOTA), 409);
	CU_ASSERT_STRING_EQUAL(vs_err_slug(VS_QUOTA), "quota-exceeded");
	CU_ASSERT_STRING_EQUAL(vs_err_slug(VS_CONFLICT), "conflict");
	CU_ASSERT_STRING_EQUAL(vs_http_reason(409), "Conflict");
	CU_ASSERT_STRING_EQUAL(vs_http_reason(503), "Service Unavailable");
	CU_ASSERT_STRING_EQUAL(vs_http_reason(202), "Accepted");
	CU_ASSERT_STRING_EQUAL(vs_http_reason(418), "Internal Server Error");
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_limit_scope_comes_from_the_name),
	    UT_TEST(test_limit_max_fits_the_column),
	    UT_TEST(test_quota_is_a_409_of_its_own_type),
	    UT_END,
	};
	ut_add_suite("limits: domain", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
