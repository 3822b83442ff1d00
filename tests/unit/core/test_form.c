/* lib/core/form.c: application/x-www-form-urlencoded and query strings. */
#include "suites.h"

#include "core/form.h"

#include <string.h>

static bool parse(struct vs_arena *a, const char *s, struct vs_form *f)
{
	return vs_form_parse(a, s, strlen(s), f);
}

static void test_form_refuses_bytes_that_are_not_utf8(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_form f;
	CU_ASSERT_FALSE(parse(a, "search=%ff%fe", &f));
	CU_ASSERT_FALSE(parse(a, "%c0%af=1", &f)); /* an overlong '/' in a name */
	CU_ASSERT_TRUE(parse(a, "search=%c3%a9", &f));
	CU_ASSERT_STRING_EQUAL(ut_str(vs_form_get(&f, "search")), "\xc3\xa9");
	vs_arena_free(a);
}

static void test_form_decodes_plus_and_percent_escapes(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_form f;
	CU_ASSERT_TRUE_FATAL(parse(a, "a=1&b=x+y&c=%41%42", &f));
	CU_ASSERT_EQUAL_FATAL(f.n, 3);
	CU_ASSERT_STRING_EQUAL(ut_str(f.pairs[0].name), "a");
	CU_ASSERT_STRING_EQUAL(ut_str(f.pairs[0].value), "1");
	CU_ASSERT_STRING_EQUAL(ut_str(vs_form_get(&f, "b")), "x y");
	CU_ASSERT_STRING_EQUAL(ut_str(vs_form_get(&f, "c")), "AB");
	CU_ASSERT_EQUAL(f.pairs[2].value_len, 2);
	vs_arena_free(a);
}

static void test_form_decodes_names_and_keeps_encoded_plus(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_form f;
	CU_ASSERT_TRUE_FATAL(parse(a, "user%5Fname=a%2Bb%40c.d&x%20y=%c3%A9&e==v", &f));
	CU_ASSERT_STRING_EQUAL(ut_str(vs_form_get(&f, "user_name")), "a+b@c.d");
	CU_ASSERT_STRING_EQUAL(ut_str(vs_form_get(&f, "x y")), "\xc3\xa9");
	CU_ASSERT_STRING_EQUAL(ut_str(vs_form_get(&f, "e")), "=v"); /* only the first '=' splits */
	vs_arena_free(a);
}

static void test_form_empty_values_and_missing_equals(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_form f;
	CU_ASSERT_TRUE_FATAL(parse(a, "a=&b&c=3", &f));
	CU_ASSERT_EQUAL_FATAL(f.n, 3);
	CU_ASSERT_STRING_EQUAL(ut_str(vs_form_get(&f, "a")), "");
	CU_ASSERT_EQUAL(f.pairs[0].value_len, 0);
	CU_ASSERT_STRING_EQUAL(ut_str(vs_form_get(&f, "b")), "");
	CU_ASSERT_EQUAL(f.pairs[1].value_len, 0);
	CU_ASSERT_STRING_EQUAL(ut_str(vs_form_get(&f, "c")), "3");
	vs_arena_free(a);
}

static void test_form_skips_empty_segments(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_form f;
	CU_ASSERT_TRUE_FATAL(parse(a, "&&a=1&&", &f));
	CU_ASSERT_EQUAL(f.n, 1);
	CU_ASSERT_STRING_EQUAL(ut_str(vs_form_get(&f, "a")), "1");
	CU_ASSERT_TRUE(vs_form_parse(a, "", 0, &f));
	CU_ASSERT_EQUAL(f.n, 0);
	CU_ASSERT_PTR_NULL(vs_form_get(&f, "a"));
	CU_ASSERT_TRUE(vs_form_parse(a, NULL, 0, &f));
	CU_ASSERT_EQUAL(f.n, 0);
	vs_arena_free(a);
}

static void test_form_rejects_bad_escapes(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_form f;
	CU_ASSERT_FALSE(parse(a, "a=%4", &f));
	CU_ASSERT_FALSE(parse(a, "a=%zz", &f));
	CU_ASSERT_FALSE(parse(a, "a=%", &f));
	CU_ASSERT_FALSE(parse(a, "a=%4g&b=1", &f));
	CU_ASSERT_FALSE(parse(a, "%4=1", &f));
	CU_ASSERT_FALSE(parse(a, "a=1&b=%G0", &f));
	/* A '%' near the end of one pair must not read the next pair's bytes. */
	CU_ASSERT_FALSE(parse(a, "a=%4&b=1", &f));
	vs_arena_free(a);
}

static void test_form_rejects_encoded_nul(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_form f;
	CU_ASSERT_FALSE(parse(a, "a=%00", &f));
	CU_ASSERT_FALSE(parse(a, "a=x%00y", &f));
	CU_ASSERT_FALSE(parse(a, "a%00b=1", &f));
	CU_ASSERT_FALSE(vs_form_parse(a, "a=x\0y", 5, &f)); /* a raw NUL too */
	vs_arena_free(a);
}

static void test_form_counts_repeated_names(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_form f;
	CU_ASSERT_TRUE_FATAL(parse(a, "a=1&b=2&a=3&a", &f));
	CU_ASSERT_EQUAL(vs_form_count(&f, "a"), 3);
	CU_ASSERT_EQUAL(vs_form_count(&f, "b"), 1);
	CU_ASSERT_EQUAL(vs_form_count(&f, "c"), 0);
	CU_ASSERT_STRING_EQUAL(ut_str(vs_form_get(&f, "a")), "1"); /* the first one */
	CU_ASSERT_PTR_NULL(vs_form_get(&f, "A"));		   /* names are case-sensitive */
	vs_arena_free(a);
}

static void test_form_uses_only_the_given_length(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_form f;
	CU_ASSERT_TRUE_FATAL(vs_form_parse(a, "a=12&b=3", 4, &f));
	CU_ASSERT_EQUAL(f.n, 1);
	CU_ASSERT_STRING_EQUAL(ut_str(vs_form_get(&f, "a")), "12");
	CU_ASSERT_PTR_NULL(vs_form_get(&f, "b"));
	vs_arena_free(a);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_form_decodes_plus_and_percent_escapes),
	    UT_TEST(test_form_decodes_names_and_keeps_encoded_plus),
	    UT_TEST(test_form_empty_values_and_missing_equals),
	    UT_TEST(test_form_skips_empty_segments),
	    UT_TEST(test_form_rejects_bad_escapes),
	    UT_TEST(test_form_rejects_encoded_nul),
	    UT_TEST(test_form_counts_repeated_names),
	    UT_TEST(test_form_uses_only_the_given_length),
	    UT_TEST(test_form_refuses_bytes_that_are_not_utf8),
	    UT_END,
	};
	ut_add_suite("core: form", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
