/* lib/core/config.c: the worker's named choices (VS_LOG_CHECKS, VS_CHECK_SCHEDULING,
 * VS_POOL): their defaults, each value, and the message for a value it does not know. */
#include "suites.h"

#include "core/config.h"

#include <stdlib.h>
#include <string.h>

static const char *const choice_vars[] = { "VS_LOG_CHECKS", "VS_CHECK_SCHEDULING", "VS_POOL" };

/* Only VS_DATABASE_URL (required) and the one choice given; NULL name: none. */
static bool load_with(const char *name, const char *value, struct vs_config *c, char *err,
		      size_t errlen)
{
	for (size_t i = 0; i < sizeof(choice_vars) / sizeof(choice_vars[0]); i++)
		unsetenv(choice_vars[i]);
	setenv("VS_DATABASE_URL", "postgresql:///unit", 1);
	if (name)
		setenv(name, value, 1);
	bool ok = vs_config_load(c, false, err, errlen);
	if (name)
		unsetenv(name);
	unsetenv("VS_DATABASE_URL");
	return ok;
}

static void test_choices_default_to_their_first_value(void)
{
	struct vs_config c;
	char err[128] = "";
	CU_ASSERT_TRUE_FATAL(load_with(NULL, NULL, &c, err, sizeof(err)));
	CU_ASSERT_EQUAL(c.log_checks, VS_LOG_CHECKS_NONE);
	CU_ASSERT_EQUAL(c.check_scheduling, VS_CHECK_SCHED_BATCH);
	CU_ASSERT_EQUAL(c.pool, VS_POOL_API);
	vs_config_release(&c);
	/* Empty is unset, as for every other variable. */
	CU_ASSERT_TRUE_FATAL(load_with("VS_CHECK_SCHEDULING", "", &c, err, sizeof(err)));
	CU_ASSERT_EQUAL(c.check_scheduling, VS_CHECK_SCHED_BATCH);
	vs_config_release(&c);
}

static void test_each_named_value_is_taken(void)
{
	struct vs_config c;
	char err[128] = "";
	CU_ASSERT_TRUE_FATAL(load_with("VS_CHECK_SCHEDULING", "normal", &c, err, sizeof(err)));
	CU_ASSERT_EQUAL(c.check_scheduling, VS_CHECK_SCHED_NORMAL);
	vs_config_release(&c);
	CU_ASSERT_TRUE_FATAL(load_with("VS_CHECK_SCHEDULING", "batch", &c, err, sizeof(err)));
	CU_ASSERT_EQUAL(c.check_scheduling, VS_CHECK_SCHED_BATCH);
	vs_config_release(&c);
	CU_ASSERT_TRUE_FATAL(load_with("VS_LOG_CHECKS", "failures", &c, err, sizeof(err)));
	CU_ASSERT_EQUAL(c.log_checks, VS_LOG_CHECKS_FAILURES);
	vs_config_release(&c);
	CU_ASSERT_TRUE_FATAL(load_with("VS_LOG_CHECKS", "all", &c, err, sizeof(err)));
	CU_ASSERT_EQUAL(c.log_checks, VS_LOG_CHECKS_ALL);
	vs_config_release(&c);
	CU_ASSERT_TRUE_FATAL(load_with("VS_POOL", "check", &c, err, sizeof(err)));
	CU_ASSERT_EQUAL(c.pool, VS_POOL_CHECK);
	vs_config_release(&c);
}

static void test_an_unknown_value_is_refused_with_the_choices(void)
{
	struct vs_config c;
	char err[128] = "";
	CU_ASSERT_FALSE(load_with("VS_CHECK_SCHEDULING", "fifo", &c, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "VS_CHECK_SCHEDULING must be batch or normal");
	CU_ASSERT_FALSE(load_with("VS_LOG_CHECKS", "None", &c, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "VS_LOG_CHECKS must be none, failures or all");
	CU_ASSERT_FALSE(load_with("VS_POOL", "checks", &c, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "VS_POOL must be api or check");
	/* A short buffer gets the message's start, terminated. */
	char small[12];
	memset(small, 'x', sizeof(small));
	CU_ASSERT_FALSE(load_with("VS_LOG_CHECKS", "x", &c, small, sizeof(small)));
	CU_ASSERT_STRING_EQUAL(small, "VS_LOG_CHEC");
}

void register_config_tests(void)
{
	static const struct ut_test tests[] = {
		UT_TEST(test_choices_default_to_their_first_value),
		UT_TEST(test_each_named_value_is_taken),
		UT_TEST(test_an_unknown_value_is_refused_with_the_choices),
		UT_END,
	};
	ut_add_suite("config", NULL, NULL, tests);
}
