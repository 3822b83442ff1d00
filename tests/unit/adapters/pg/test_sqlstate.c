/* lib/adapters/pg/pg.c: what a refused statement's SQLSTATE means for the request. A
 * full disk (53100) was a 500; the fault suite (tests/fault) fills the cluster's disk
 * and expects 503 + Retry-After for every write until the space is back. */
#include "suites.h"

#include "adapters/pg/pg.h"

static void test_sqlstate_insufficient_resources_are_unavailable(void)
{
	static const char *const class53[] = { "53000", "53100", "53200", "53300", "53400" };
	for (size_t i = 0; i < sizeof(class53) / sizeof(class53[0]); i++)
		CU_ASSERT_EQUAL(vs_pg_sqlstate_err(class53[i]), VS_UNAVAILABLE);
}

static void test_sqlstate_outages_and_retries_are_unavailable(void)
{
	static const char *const states[] = {
		"08000", "08003", "08006", "08P01", /* the connection */
		"57014",			    /* canceled: statement_timeout */
		"57P01", "57P02", "57P03",	    /* shutdown, crash, starting up or recovering */
		"40001", "40P01",		    /* serialization failure, deadlock */
	};
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		CU_ASSERT_EQUAL(vs_pg_sqlstate_err(states[i]), VS_UNAVAILABLE);
}

static void test_sqlstate_the_requests_own_faults(void)
{
	CU_ASSERT_EQUAL(vs_pg_sqlstate_err("23505"), VS_CONFLICT);
	CU_ASSERT_EQUAL(vs_pg_sqlstate_err("VSQ01"), VS_QUOTA);
	CU_ASSERT_EQUAL(vs_pg_sqlstate_err("23503"), VS_NOTFOUND);
	CU_ASSERT_EQUAL(vs_pg_sqlstate_err("23514"), VS_INVALID);
	CU_ASSERT_EQUAL(vs_pg_sqlstate_err("22P02"), VS_INVALID);
	CU_ASSERT_EQUAL(vs_pg_sqlstate_err("22001"), VS_INVALID);
	CU_ASSERT_EQUAL(vs_pg_sqlstate_err("22021"), VS_BADREQ);
}

static void test_sqlstate_anything_else_is_internal(void)
{
	/* our bugs: a syntax error, an undefined column, RLS refusing a statement; and an
	 * I/O error (58030), which is no passing condition */
	CU_ASSERT_EQUAL(vs_pg_sqlstate_err("42601"), VS_INTERNAL);
	CU_ASSERT_EQUAL(vs_pg_sqlstate_err("42703"), VS_INTERNAL);
	CU_ASSERT_EQUAL(vs_pg_sqlstate_err("42501"), VS_INTERNAL);
	CU_ASSERT_EQUAL(vs_pg_sqlstate_err("58030"), VS_INTERNAL);
	CU_ASSERT_EQUAL(vs_pg_sqlstate_err("5"), VS_INTERNAL);
	CU_ASSERT_EQUAL(vs_pg_sqlstate_err(""), VS_INTERNAL);
	CU_ASSERT_EQUAL(vs_pg_sqlstate_err(NULL), VS_INTERNAL);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
		UT_TEST(test_sqlstate_insufficient_resources_are_unavailable),
		UT_TEST(test_sqlstate_outages_and_retries_are_unavailable),
		UT_TEST(test_sqlstate_the_requests_own_faults),
		UT_TEST(test_sqlstate_anything_else_is_internal),
		UT_END,
	};
	ut_add_suite("adapters/pg: SQLSTATE", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
