/* lib/core/utf8.c: validation and the scrub for logs. */
#include "suites.h"

#include "core/utf8.h"

#include <string.h>

#define VALID(lit) vs_utf8_valid(lit, sizeof(lit) - 1)

static void test_utf8_valid_sequences_pass(void)
{
	CU_ASSERT_TRUE(VALID(""));
	CU_ASSERT_TRUE(VALID("plain ascii"));
	CU_ASSERT_TRUE(VALID("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80")); /* é € 😀 */
	CU_ASSERT_TRUE(VALID("\xf4\x8f\xbf\xbf"));			   /* U+10FFFF */
}

static void test_utf8_invalid_sequences_fail(void)
{
	CU_ASSERT_FALSE(VALID("\xff"));
	CU_ASSERT_FALSE(VALID("\x80"));		    /* a lone continuation */
	CU_ASSERT_FALSE(VALID("\xc3"));		    /* cut short */
	CU_ASSERT_FALSE(VALID("\xc0\xaf"));	    /* overlong '/' */
	CU_ASSERT_FALSE(VALID("\xe0\x80\xaf"));	    /* overlong */
	CU_ASSERT_FALSE(VALID("\xed\xa0\x80"));	    /* a surrogate */
	CU_ASSERT_FALSE(VALID("\xf4\x90\x80\x80")); /* above U+10FFFF */
}

static void test_utf8_scrub_replaces_each_bad_byte(void)
{
	struct vs_arena *a = vs_arena_new();
	size_t n;
	const char in[] = "/users/\xff\xfe-\xc3\xa9";
	const char *out = vs_utf8_scrub(a, in, sizeof(in) - 1, &n);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "/users/\xef\xbf\xbd\xef\xbf\xbd-\xc3\xa9");
	CU_ASSERT_EQUAL(n, strlen(out));
	CU_ASSERT_TRUE(vs_utf8_valid(out, n));
	vs_arena_free(a);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_utf8_valid_sequences_pass),
	    UT_TEST(test_utf8_invalid_sequences_fail),
	    UT_TEST(test_utf8_scrub_replaces_each_bad_byte),
	    UT_END,
	};
	ut_add_suite("core: utf8", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
