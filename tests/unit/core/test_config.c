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

static int log_checks_of(const struct vs_config *c)
{
	return (int)c->log_checks;
}

static int scheduling_of(const struct vs_config *c)
{
	return (int)c->check_scheduling;
}

static int pool_of(const struct vs_config *c)
{
	return (int)c->pool;
}

/* The field of the configuration loaded with only name=value set; -1 if it did not load. */
static int loaded(const char *name, const char *value, int (*field)(const struct vs_config *))
{
	struct vs_config c;
	char err[128];
	if (!load_with(name, value, &c, err, sizeof(err)))
		return -1;
	int v = field(&c);
	vs_config_release(&c);
	return v;
}

static void test_choices_default_to_their_first_value(void)
{
	CU_ASSERT_EQUAL(loaded(NULL, NULL, log_checks_of), VS_LOG_CHECKS_NONE);
	CU_ASSERT_EQUAL(loaded(NULL, NULL, scheduling_of), VS_CHECK_SCHED_BATCH);
	CU_ASSERT_EQUAL(loaded(NULL, NULL, pool_of), VS_POOL_API);
	/* Empty is unset, as for every other variable. */
	CU_ASSERT_EQUAL(loaded("VS_CHECK_SCHEDULING", "", scheduling_of), VS_CHECK_SCHED_BATCH);
}

static void test_each_named_value_is_taken(void)
{
	CU_ASSERT_EQUAL(loaded("VS_CHECK_SCHEDULING", "normal", scheduling_of),
			VS_CHECK_SCHED_NORMAL);
	CU_ASSERT_EQUAL(loaded("VS_CHECK_SCHEDULING", "batch", scheduling_of),
			VS_CHECK_SCHED_BATCH);
	CU_ASSERT_EQUAL(loaded("VS_LOG_CHECKS", "failures", log_checks_of), VS_LOG_CHECKS_FAILURES);
	CU_ASSERT_EQUAL(loaded("VS_LOG_CHECKS", "all", log_checks_of), VS_LOG_CHECKS_ALL);
	CU_ASSERT_EQUAL(loaded("VS_POOL", "check", pool_of), VS_POOL_CHECK);
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

static void register_tests(void)
{
	static const struct ut_test tests[] = {
		UT_TEST(test_choices_default_to_their_first_value),
		UT_TEST(test_each_named_value_is_taken),
		UT_TEST(test_an_unknown_value_is_refused_with_the_choices),
		UT_END,
	};
	ut_add_suite("core: config", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
