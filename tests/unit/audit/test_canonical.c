/* lib/audit/canonical.c: the bytes an audit event's hash covers, against what Python's
 * json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False) writes for
 * the same values (the expected texts below were made with it). */
#include "suites.h"

#include "audit/canonical.h"

#include <string.h>

/* The canonical text of the JSON text in, or NULL. */
static char *canonical_of(struct vs_arena *a, const char *in, size_t *len)
{
	struct json_object *v = json_tokener_parse(in);
	char *out = vs_audit_canonical(a, v, len);
	json_object_put(v);
	return out;
}

static void expect_canonical(const char *in, const char *want, size_t want_len)
{
	struct vs_arena *a = vs_arena_new();
	size_t len = 0;
	char *got = canonical_of(a, in, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_EQUAL(len, want_len);
	CU_ASSERT(memcmp(got, want, want_len) == 0);
	vs_arena_free(a);
}

static void test_audit_canonical_sorts_keys_without_whitespace(void)
{
	static const char want[] = "{\"A\":-9007199254740992,\"a\":{\"c\":\"x\",\"d\":[true,false,null]},"
				   "\"b\":1}";
	expect_canonical("{ \"b\": 1, \"a\": {\"d\": [true, false, null], \"c\": \"x\"},\n"
			 "  \"A\": -9007199254740992 }",
			 want, sizeof(want) - 1);
	static const char empty[] = "{\"action\":\"user.updated\",\"changes\":{\"first_name\":"
				    "{\"from\":\"Ann\",\"to\":\"\xc3\x84nna\"}},\"e\":{},\"seq_free\":[]}";
	expect_canonical("{\"seq_free\": [], \"e\": {}, \"changes\": {\"first_name\": {\"to\": "
			 "\"\\u00c4nna\", \"from\": \"Ann\"}}, \"action\": \"user.updated\"}",
			 empty, sizeof(empty) - 1);
}

static void test_audit_canonical_escapes_only_what_json_must(void)
{
	/* short escapes, \u00XX for other controls, DEL and non-ASCII verbatim */
	static const char want[] = "{\"s\":\"quote\\\" back\\\\ nl\\n tab\\t cr\\r bs\\b ff\\f "
				   "nul\\u0000 us\\u001f del\x7f \xc3\xa9 \xf0\x9f\x98\x80 "
				   "\xe2\x80\xa8\"}";
	expect_canonical("{\"s\": \"quote\\\" back\\\\ nl\\n tab\\t cr\\r bs\\b ff\\f nul\\u0000 "
			 "us\\u001f del\\u007f \\u00e9 \\ud83d\\ude00 \\u2028\"}",
			 want, sizeof(want) - 1);
}

static void test_audit_canonical_refuses_what_events_never_hold(void)
{
	struct vs_arena *a = vs_arena_new();
	size_t len;
	CU_ASSERT_PTR_NULL(canonical_of(a, "{\"x\": 1.5}", &len));
	CU_ASSERT_PTR_NULL(canonical_of(a, "{\"x\": 9007199254740993}", &len));
	CU_ASSERT_PTR_NULL(canonical_of(a, "[-9007199254740993]", &len));
	/* 40 levels (built by hand: json-c's own parser stops at 32) */
	struct json_object *deep = json_object_new_array();
	for (int i = 0; i < 40; i++) {
		struct json_object *outer = json_object_new_array();
		json_object_array_add(outer, deep);
		deep = outer;
	}
	CU_ASSERT_PTR_NULL(vs_audit_canonical(a, deep, &len));
	json_object_put(deep);
	/* a string that is not UTF-8 */
	struct json_object *s = json_object_new_string("\xff");
	CU_ASSERT_PTR_NULL(vs_audit_canonical(a, s, &len));
	json_object_put(s);
	/* scalars at the top are fine */
	CU_ASSERT_STRING_EQUAL(ut_str(canonical_of(a, "null", &len)), "null");
	CU_ASSERT_STRING_EQUAL(ut_str(canonical_of(a, "\"a\"", &len)), "\"a\"");
	vs_arena_free(a);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_audit_canonical_sorts_keys_without_whitespace),
	    UT_TEST(test_audit_canonical_escapes_only_what_json_must),
	    UT_TEST(test_audit_canonical_refuses_what_events_never_hold),
	    UT_END,
	};
	ut_add_suite("audit: canonical bytes", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
