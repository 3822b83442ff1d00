/* lib/core/form.c: application/x-www-form-urlencoded and query strings. */
#include "suites.h"

#include "core/form.h"
#include "core/json.h"
#include "core/messages.h"

#include <stddef.h>
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

/* vs_json_bind_form: a name given twice is one error and binds nothing, an empty value
 * is absent, unknown names are errors like unknown JSON fields. */
struct login_form {
	struct vs_opt_str grant_type, username, password;
};

static const struct vs_json_field login_fields[] = {
	{"grant_type", VS_JT_STRING, offsetof(struct login_form, grant_type), VS_JF_REQUIRED, 0, 0, NULL},
	{"username", VS_JT_STRING, offsetof(struct login_form, username), 0, 0, 0, NULL},
	{"password", VS_JT_STRING, offsetof(struct login_form, password), 0, 0, 0, NULL},
};

static enum vs_err bind_login(struct vs_arena *a, const char *body, struct login_form *out,
			      struct vs_error *e)
{
	struct vs_form f;
	memset(out, 0, sizeof(*out));
	memset(e, 0, sizeof(*e));
	CU_ASSERT_TRUE_FATAL(vs_form_parse(a, body, strlen(body), &f));
	return vs_json_bind_form(a, &f, login_fields, VS_JSON_FIELDS_LEN(login_fields), out, e);
}

static void test_form_binding_takes_each_name_once(void)
{
	struct vs_arena *a = vs_arena_new();
	struct login_form l;
	struct vs_error e;
	CU_ASSERT_EQUAL(bind_login(a, "grant_type=password&username=ann&password=", &l, &e), VS_OK);
	CU_ASSERT_STRING_EQUAL(ut_str(l.grant_type.p), "password");
	CU_ASSERT_STRING_EQUAL(ut_str(l.username.p), "ann");
	CU_ASSERT_FALSE(l.password.set); /* empty: absent */

	CU_ASSERT_EQUAL(bind_login(a, "username=a&grant_type=password&username=b&username=c", &l,
				   &e),
			VS_INVALID);
	CU_ASSERT_EQUAL_FATAL(e.nfields, 1);
	CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].field), "username");
	CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].message), VS_MSG_GIVEN_TWICE);
	CU_ASSERT_FALSE(l.username.set);

	/* A required name given twice is reported as such, not as missing. */
	CU_ASSERT_EQUAL(bind_login(a, "grant_type=a&grant_type=", &l, &e), VS_INVALID);
	CU_ASSERT_EQUAL_FATAL(e.nfields, 2);
	CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].message), VS_MSG_GIVEN_TWICE);
	CU_ASSERT_STRING_EQUAL(ut_str(e.fields[1].field), "grant_type");
	vs_arena_free(a);
}

/* Found by fuzz_form being slow: binding looked every pair up again in the whole form. A
 * login form of 8 KiB (FORM_MAX_BYTES) holds 2730 distinct names; each is an unknown
 * field, reported up to VS_MAX_FIELD_ERRORS, and grant_type still binds. */
static void test_form_binding_of_thousands_of_names(void)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	struct vs_arena *a = vs_arena_new();
	char *body = vs_arena_alloc(a, 8192 + 32);
	size_t n = (size_t)sprintf(body, "grant_type=password");
	for (size_t i = 0; i < 62 && n + 6 < 8192; i++)
		for (size_t j = 0; j < 62 && n + 6 < 8192; j++)
			n += (size_t)sprintf(body + n, "&%c%c=1", al[i], al[j]);
	struct login_form l;
	struct vs_error e;
	CU_ASSERT_EQUAL(bind_login(a, body, &l, &e), VS_INVALID);
	CU_ASSERT_STRING_EQUAL(ut_str(l.grant_type.p), "password");
	CU_ASSERT_EQUAL(e.nfields, VS_MAX_FIELD_ERRORS);
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
	    UT_TEST(test_form_binding_takes_each_name_once),
	    UT_TEST(test_form_binding_of_thousands_of_names),
	    UT_END,
	};
	ut_add_suite("core: form", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
