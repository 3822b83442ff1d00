/* lib/sessions/domain.c: the verdict on a presented refresh token. */
#include "suites.h"

#include "sessions/domain.h"

static void test_domain_refresh_judge_all_verdicts(void)
{
	struct vs_refresh_token t = {.expires_at = 1000};
	CU_ASSERT_EQUAL(vs_refresh_judge(&t, 999), VS_REFRESH_ROTATE);
	CU_ASSERT_EQUAL(vs_refresh_judge(&t, 1000),
			VS_REFRESH_REJECT); /* expires at that instant */
	CU_ASSERT_EQUAL(vs_refresh_judge(&t, 5000), VS_REFRESH_REJECT);
	t.rotated = true; /* spent, presented again */
	CU_ASSERT_EQUAL(vs_refresh_judge(&t, 999), VS_REFRESH_REVOKE_FAMILY);
	t.revoked = true; /* already revoked: nothing more to do */
	CU_ASSERT_EQUAL(vs_refresh_judge(&t, 999), VS_REFRESH_REJECT);
	t.rotated = false;
	CU_ASSERT_EQUAL(vs_refresh_judge(&t, 999), VS_REFRESH_REJECT);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_domain_refresh_judge_all_verdicts),
	    UT_END,
	};
	ut_add_suite("sessions: domain", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
