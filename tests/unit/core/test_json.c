/* lib/core/json.c: the strict parser (SECURITY.md, json-c 0.16 list) and field binding. */
#include "suites.h"

#include "core/json.h"
#include "core/time.h"

#include <stddef.h>
#include <string.h>

/* Parses s[0..len) in a throw-away arena; the parsed tree is released with the arena. */
static enum vs_err parse_len(const char *s, size_t len, struct vs_error *e)
{
	struct vs_arena *a = vs_arena_new();
	struct json_object *obj = (struct json_object *)1;
	enum vs_err rc = vs_json_parse(a, s, len, &obj, e);
	if (rc != VS_OK) {
		CU_ASSERT_PTR_NULL(obj);
	} else {
		CU_ASSERT_PTR_NOT_NULL(obj);
	}
	CU_ASSERT_EQUAL(e->code, rc);
	vs_arena_free(a);
	return rc;
}

static enum vs_err parse_c(const char *s)
{
	struct vs_error e = {0};
	return parse_len(s, strlen(s), &e);
}

/* For literals with embedded NUL bytes. */
#define PARSE_LIT(lit) parse_len((lit), sizeof(lit) - 1, &(struct vs_error){0})

/* ---- parsing ---- */

static void test_json_accepts_valid_object(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_error e = {0};
	struct json_object *obj, *v;
	const char *text = "{\"a\":1,\"b\":[true,null,\"x\",-2.5e3],\"c\":{\"d\":\"\\u00e9\\n\"}}";
	CU_ASSERT_EQUAL_FATAL(vs_json_parse(a, text, strlen(text), &obj, &e), VS_OK);
	CU_ASSERT_EQUAL(e.code, VS_OK);
	CU_ASSERT_PTR_NULL(e.detail);
	CU_ASSERT_TRUE(json_object_is_type(obj, json_type_object));
	CU_ASSERT_TRUE(json_object_object_get_ex(obj, "a", &v) && json_object_get_int(v) == 1);
	CU_ASSERT_TRUE(json_object_object_get_ex(obj, "b", &v) && json_object_array_length(v) == 4);
	vs_arena_free(a); /* releases obj: a leak here shows under ASan/valgrind */
}

static void test_json_rejects_trailing_garbage(void)
{
	struct vs_error e = {0};
	const char text[] = "{\"a\":1} x";
	CU_ASSERT_EQUAL(parse_len(text, sizeof(text) - 1, &e), VS_BADREQ);
	CU_ASSERT_PTR_NOT_NULL(e.detail);
	CU_ASSERT_EQUAL(parse_c("{\"a\":1}{\"b\":2}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":1},"), VS_BADREQ);
	CU_ASSERT_EQUAL(PARSE_LIT("{\"a\":1}\0"), VS_BADREQ);
}

static void test_json_accepts_trailing_whitespace(void)
{
	CU_ASSERT_EQUAL(parse_c("{\"a\":1} \t\r\n  "), VS_OK);
	CU_ASSERT_EQUAL(parse_c("  \n{\"a\":1}"), VS_OK);
}

static void test_json_rejects_duplicate_top_level_keys(void)
{
	struct vs_error e = {0};
	const char text[] = "{\"a\":1,\"a\":2}";
	CU_ASSERT_EQUAL(parse_len(text, sizeof(text) - 1, &e), VS_BADREQ);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Request body has duplicate keys.");
	CU_ASSERT_EQUAL(parse_c("{\"is_superuser\":false,\"x\":1,\"is_superuser\":true}"),
			VS_BADREQ);
}

static void test_json_rejects_duplicate_nested_keys(void)
{
	CU_ASSERT_EQUAL(parse_c("{\"a\":1,\"b\":{\"c\":1,\"c\":2}}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":{\"b\":{\"c\":{\"d\":1,\"d\":1}}}}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("[{\"a\":1},{\"b\":1,\"b\":2}]"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"list\":[{\"x\":1,\"x\":1}]}"), VS_BADREQ);
}

static void test_json_accepts_same_key_in_different_objects(void)
{
	CU_ASSERT_EQUAL(parse_c("{\"a\":{\"a\":1},\"b\":{\"a\":2},\"c\":[{\"a\":3},{\"a\":4}]}"),
			VS_OK);
}

static void test_json_colons_inside_strings_do_not_confuse_duplicate_check(void)
{
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"x:y\"}"), VS_OK);
	CU_ASSERT_EQUAL(parse_c("{\"a:b\":\"::\",\"c\":[\":\"]}"), VS_OK);
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"\\\":\\\"\"}"), VS_OK); /* escaped quotes around ':' */
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"\\\\\",\"b\":\":\"}"), VS_OK); /* escaped backslash */
}

static void test_json_duplicate_after_escaped_backslash_is_found(void)
{
	/* "\\" ends the string: the second "a" is a real, duplicate key. */
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"\\\\\",\"a\":1}"), VS_BADREQ);
}

static void test_json_rejects_single_quoted_strings(void)
{
	CU_ASSERT_EQUAL(parse_c("{'a':1}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":'x'}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("['x']"), VS_BADREQ);
	/* An apostrophe inside a double-quoted string is just a character. */
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"it's\"}"), VS_OK);
}

static void test_json_rejects_nan_and_infinity(void)
{
	CU_ASSERT_EQUAL(parse_c("{\"a\":NaN}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":Infinity}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":-Infinity}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("[1,NaN]"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":{\"b\":[Infinity]}}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":1e400}"), VS_BADREQ); /* overflows to infinity */
	CU_ASSERT_EQUAL(parse_c("{\"a\":-1e400}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":1.5e300}"), VS_OK);
}

static void test_json_rejects_nul_escape_in_string(void)
{
	struct vs_error e = {0};
	const char text[] = "{\"a\":\"x\\u0000y\"}";
	CU_ASSERT_EQUAL(parse_len(text, sizeof(text) - 1, &e), VS_BADREQ);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Request body has a NUL character in a string.");
	CU_ASSERT_EQUAL(parse_c("[\"\\u0000\"]"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":{\"b\":[\"ok\",\"\\u0000\"]}}"), VS_BADREQ);
}

static void test_json_rejects_nul_escape_in_key(void)
{
	/* json-c cuts the key at the NUL: {"is_superuser\u0000x":true} would bind as
	 * is_superuser. SECURITY.md: embedded NUL rejected. */
	CU_ASSERT_EQUAL(parse_c("{\"a\\u0000b\":1}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"is_superuser\\u0000x\":true}"), VS_BADREQ);
}

static void test_json_rejects_raw_nul_byte(void)
{
	CU_ASSERT_EQUAL(PARSE_LIT("{\"a\":\"x\0y\"}"), VS_BADREQ);
	CU_ASSERT_EQUAL(PARSE_LIT("{\"a\0\":1}"), VS_BADREQ);
}

static void test_json_rejects_raw_control_characters_in_strings(void)
{
	/* RFC 8259 §7: U+0000 to U+001F must be escaped inside a string. */
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"x\ty\"}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"x\ny\"}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"\x1f\"}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\tb\":1}"), VS_BADREQ); /* in a key */
	/* Escaped, and as whitespace between tokens, they are fine. */
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"x\\ty\\n\\u001f\"}"), VS_OK);
	CU_ASSERT_EQUAL(parse_c("{\n\t\"a\" :\r\n1}"), VS_OK);
}

static void test_json_rejects_lone_surrogate_escapes(void)
{
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"\\ud800\"}"), VS_BADREQ);	   /* high alone */
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"\\udc00\"}"), VS_BADREQ);	   /* low alone */
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"\\ud800x\"}"), VS_BADREQ);	   /* high, then a char */
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"\\ud800\\u0041\"}"), VS_BADREQ); /* high, not low */
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"\\ude00\\ud83d\"}"), VS_BADREQ); /* reversed */
	CU_ASSERT_EQUAL(parse_c("{\"\\udbff\":1}"), VS_BADREQ);		   /* in a key */
	/* A pair is one character (U+1F600), in either case of hex digit. */
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"\\ud83d\\ude00\"}"), VS_OK);
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"\\uD83D\\uDE00 \\u00e9\"}"), VS_OK);
	/* An escaped backslash before "ud800" is no escape. */
	CU_ASSERT_EQUAL(parse_c("{\"a\":\"\\\\ud800\"}"), VS_OK);
}

static void test_json_rejects_invalid_utf8_bytes(void)
{
	struct vs_error e = {0};
	const char ff[] = "{\"a\":\"\xff\"}";
	CU_ASSERT_EQUAL(parse_len(ff, sizeof(ff) - 1, &e), VS_BADREQ);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Request body is not valid UTF-8.");
	CU_ASSERT_EQUAL(PARSE_LIT("{\"a\":\"\xfe\xff\"}"), VS_BADREQ);
	CU_ASSERT_EQUAL(PARSE_LIT("{\"a\":\"\x80\"}"), VS_BADREQ);     /* lone continuation */
	CU_ASSERT_EQUAL(PARSE_LIT("{\"a\":\"\xe2\x82\"}"), VS_BADREQ); /* truncated sequence */
	CU_ASSERT_EQUAL(PARSE_LIT("{\"\xff\":1}"), VS_BADREQ);	       /* in a key */
	/* Valid multi-byte characters pass. */
	CU_ASSERT_EQUAL(PARSE_LIT("{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}"), VS_OK);
}

static void test_json_rejects_overlong_surrogate_and_out_of_range_utf8(void)
{
	/* RFC 3629 §3: overlong forms, UTF-16 surrogates and code points above U+10FFFF are
	 * not UTF-8. C0 AF is the classic overlong '/'. */
	CU_ASSERT_EQUAL(PARSE_LIT("{\"a\":\"\xc0\xaf\"}"), VS_BADREQ);
	CU_ASSERT_EQUAL(PARSE_LIT("{\"a\":\"\xe0\x80\xaf\"}"), VS_BADREQ);
	CU_ASSERT_EQUAL(PARSE_LIT("{\"a\":\"\xed\xa0\x80\"}"), VS_BADREQ);
	CU_ASSERT_EQUAL(PARSE_LIT("{\"a\":\"\xf4\x90\x80\x80\"}"), VS_BADREQ);
}

/* "[[…]]" nested depth levels deep. */
static char *nested(struct vs_arena *a, int depth)
{
	char *s = vs_arena_alloc(a, (size_t)depth * 2 + 1);
	for (int i = 0; i < depth; i++) {
		s[i] = '[';
		s[depth * 2 - 1 - i] = ']';
	}
	return s;
}

/* {"a":{"a":…{"a":1}…}} with depth objects. */
static char *nested_objects(struct vs_arena *a, int depth)
{
	char *s = vs_arena_alloc(a, (size_t)depth * 6 + 2);
	size_t n = 0;
	for (int i = 0; i < depth; i++) {
		memcpy(s + n, "{\"a\":", 5);
		n += 5;
	}
	s[n++] = '1';
	for (int i = 0; i < depth; i++)
		s[n++] = '}';
	return s;
}

static void test_json_nesting_depth_limit_is_16(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(parse_c(nested(a, 15)), VS_OK);
	CU_ASSERT_EQUAL(parse_c(nested(a, VS_JSON_MAX_DEPTH)), VS_OK);
	const char *deep = nested(a, 17);
	CU_ASSERT_EQUAL(parse_len(deep, strlen(deep), &e), VS_BADREQ);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Request body is nested too deeply.");
	CU_ASSERT_EQUAL(parse_c(nested(a, 200)), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c(nested_objects(a, 15)), VS_OK);
	CU_ASSERT_EQUAL(parse_c(nested_objects(a, 17)), VS_BADREQ);
	vs_arena_free(a);
}

static void test_json_rejects_empty_body(void)
{
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(parse_len("", 0, &e), VS_BADREQ);
	CU_ASSERT_PTR_NOT_NULL(e.detail);
	CU_ASSERT_EQUAL(parse_c("   "), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("\n"), VS_BADREQ);
}

static void test_json_rejects_non_json_grammar(void)
{
	CU_ASSERT_EQUAL(parse_c("{\"a\":1,}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":1 /* c */}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":0x10}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":01}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":True}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{a:1}"), VS_BADREQ);
	CU_ASSERT_EQUAL(parse_c("{\"a\":1"), VS_BADREQ);
}

/* ---- binding ---- */

struct sample {
	struct vs_opt_str name, nick, note;
	struct vs_opt_bool flag;
	struct vs_opt_int count, big;
	struct vs_opt_uuid ref;
	struct vs_opt_time when;
	struct vs_json_array tags;
};

static const char *must_be_upper(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			return "must be upper-case";
	return NULL;
}

#define F(name, type, flags, min, max, check)                                                      \
	{                                                                                          \
#name, type, offsetof(struct sample, name), flags, min, max, check                 \
	}

static const struct vs_json_field sample_fields[] = {
    F(name, VS_JT_STRING, VS_JF_REQUIRED, 2, 3, NULL),
    F(nick, VS_JT_STRING, VS_JF_NULLABLE, 0, 0, must_be_upper),
    F(note, VS_JT_STRING, 0, 0, 0, NULL),
    F(flag, VS_JT_BOOL, 0, 0, 0, NULL),
    F(count, VS_JT_INT, 0, 1, 100, NULL),
    F(big, VS_JT_INT, 0, 0, 0, NULL),
    F(ref, VS_JT_UUID, VS_JF_NULLABLE, 0, 0, NULL),
    F(when, VS_JT_TIME, VS_JF_NULLABLE, 0, 0, NULL),
    F(tags, VS_JT_ARRAY, 0, 0, 0, NULL),
};

/* Parses text (which must be valid) and binds it into out; e collects the field errors. */
static enum vs_err bind_text(struct vs_arena *a, const char *text, struct sample *out,
			     struct vs_error *e)
{
	struct json_object *obj;
	memset(out, 0, sizeof(*out));
	enum vs_err rc = vs_json_parse(a, text, strlen(text), &obj, e);
	CU_ASSERT_EQUAL_FATAL(rc, VS_OK);
	return vs_json_bind(a, obj, sample_fields, VS_JSON_FIELDS_LEN(sample_fields), out, e);
}

/* The message reported for field, or NULL. */
static const char *field_msg(const struct vs_error *e, const char *field)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].field, field) == 0)
			return e->fields[i].message;
	return NULL;
}

/* Binds text and expects exactly one error, on field, with message. */
static void expect_one_error(const char *text, const char *field, const char *message)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_error e = {0};
	struct sample s;
	CU_ASSERT_EQUAL(bind_text(a, text, &s, &e), VS_INVALID);
	CU_ASSERT_EQUAL(e.code, VS_INVALID);
	CU_ASSERT_EQUAL(vs_err_status(e.code), 422);
	CU_ASSERT_EQUAL(e.nfields, 1);
	const char *msg = field_msg(&e, field);
	CU_ASSERT_PTR_NOT_NULL(msg);
	if (msg)
		CU_ASSERT_STRING_EQUAL(ut_str(msg), message);
	vs_arena_free(a);
}

static void test_json_bind_fills_typed_fields(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_error e = {0};
	struct sample s;
	const char *text = "{\"name\":\"abc\",\"nick\":\"BOB\",\"flag\":true,\"count\":42,"
			   "\"big\":-9000000000,\"ref\":\"123E4567-e89b-12d3-a456-426614174000\","
			   "\"when\":\"2024-02-29T12:00:00+01:00\",\"tags\":[1,\"x\"]}";
	CU_ASSERT_EQUAL_FATAL(bind_text(a, text, &s, &e), VS_OK);
	CU_ASSERT_EQUAL(e.nfields, 0);
	CU_ASSERT_TRUE(s.name.set && !s.name.null);
	CU_ASSERT_STRING_EQUAL(ut_str(s.name.p), "abc");
	CU_ASSERT_EQUAL(s.name.len, 3);
	CU_ASSERT_STRING_EQUAL(ut_str(s.nick.p), "BOB");
	CU_ASSERT_TRUE(s.flag.set && s.flag.v);
	CU_ASSERT_TRUE(s.count.set);
	CU_ASSERT_EQUAL(s.count.v, 42);
	CU_ASSERT_EQUAL(s.big.v, -9000000000LL);
	CU_ASSERT_TRUE(s.ref.set && !s.ref.null);
	vs_uuid want;
	CU_ASSERT_FATAL(vs_uuid_parse("123e4567-e89b-12d3-a456-426614174000", 36, &want));
	CU_ASSERT_TRUE(vs_uuid_eq(&s.ref.v, &want));
	CU_ASSERT_TRUE(s.when.set && !s.when.null);
	CU_ASSERT_EQUAL(s.when.v, 1709204400); /* 2024-02-29T11:00:00Z */
	CU_ASSERT_TRUE(s.tags.set);
	CU_ASSERT_EQUAL(json_object_array_length(s.tags.v), 2);
	/* Absent optional fields stay unset. */
	CU_ASSERT_FALSE(s.note.set);
	vs_arena_free(a);
}

static void test_json_bind_absent_optional_fields_stay_unset(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_error e = {0};
	struct sample s;
	CU_ASSERT_EQUAL_FATAL(bind_text(a, "{\"name\":\"ab\"}", &s, &e), VS_OK);
	CU_ASSERT_FALSE(s.nick.set);
	CU_ASSERT_FALSE(s.flag.set);
	CU_ASSERT_FALSE(s.count.set);
	CU_ASSERT_FALSE(s.ref.set);
	CU_ASSERT_FALSE(s.when.set);
	CU_ASSERT_FALSE(s.tags.set);
	CU_ASSERT_EQUAL(e.code, VS_OK);
	vs_arena_free(a);
}

static void test_json_bind_huge_integer_is_field_error(void)
{
	expect_one_error("{\"name\":\"abc\",\"big\":99999999999999999999}", "big",
			 "is out of range");
	expect_one_error("{\"name\":\"abc\",\"big\":-99999999999999999999}", "big",
			 "is out of range");
	expect_one_error("{\"name\":\"abc\",\"big\":18446744073709551615}", "big",
			 "is out of range");
}

static void test_json_bind_numeric_string_is_not_an_integer(void)
{
	expect_one_error("{\"name\":\"abc\",\"count\":\"123abc\"}", "count", "must be an integer");
	expect_one_error("{\"name\":\"abc\",\"count\":\"12\"}", "count", "must be an integer");
	expect_one_error("{\"name\":\"abc\",\"count\":1.5}", "count", "must be an integer");
	expect_one_error("{\"name\":\"abc\",\"count\":true}", "count", "must be an integer");
}

static void test_json_bind_integer_range(void)
{
	expect_one_error("{\"name\":\"abc\",\"count\":0}", "count", "is out of range");
	expect_one_error("{\"name\":\"abc\",\"count\":101}", "count", "is out of range");
	struct vs_arena *a = vs_arena_new();
	struct vs_error e = {0};
	struct sample s;
	CU_ASSERT_EQUAL(bind_text(a, "{\"name\":\"abc\",\"count\":100}", &s, &e), VS_OK);
	CU_ASSERT_EQUAL(s.count.v, 100);
	vs_arena_free(a);
}

static void test_json_bind_rejects_unknown_field_by_name(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_error e = {0};
	struct sample s;
	CU_ASSERT_EQUAL(bind_text(a, "{\"name\":\"abc\",\"is_admin\":true}", &s, &e), VS_INVALID);
	CU_ASSERT_EQUAL(e.nfields, 1);
	CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].field), "is_admin");
	CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].message), "unknown field");
	CU_ASSERT_PTR_NOT_NULL(e.detail);
	vs_arena_free(a);
}

static void test_json_bind_reports_missing_required_field(void)
{
	expect_one_error("{\"nick\":\"AB\"}", "name", "field required");
	expect_one_error("{}", "name", "field required");
}

static void test_json_bind_wrong_type_messages(void)
{
	expect_one_error("{\"name\":5}", "name", "must be a string");
	expect_one_error("{\"name\":\"abc\",\"flag\":\"true\"}", "flag", "must be a boolean");
	expect_one_error("{\"name\":\"abc\",\"flag\":1}", "flag", "must be a boolean");
	expect_one_error("{\"name\":\"abc\",\"tags\":{}}", "tags", "must be an array");
	expect_one_error("{\"name\":\"abc\",\"ref\":5}", "ref", "must be a UUID");
	expect_one_error("{\"name\":\"abc\",\"ref\":\"not-a-uuid\"}", "ref", "must be a UUID");
	expect_one_error("{\"name\":\"abc\",\"when\":\"2024-01-01\"}", "when",
			 "must be an RFC 3339 timestamp with a UTC offset");
	expect_one_error("{\"name\":\"abc\",\"when\":\"2024-01-01T10:00:00\"}", "when",
			 "must be an RFC 3339 timestamp with a UTC offset");
	expect_one_error("{\"name\":\"abc\",\"when\":1700000000}", "when",
			 "must be an RFC 3339 timestamp with a UTC offset");
}

static void test_json_bind_null_for_non_nullable_field(void)
{
	expect_one_error("{\"name\":null}", "name", "must not be null");
	expect_one_error("{\"name\":\"abc\",\"note\":null}", "note", "must not be null");
	expect_one_error("{\"name\":\"abc\",\"flag\":null}", "flag", "must not be null");
	expect_one_error("{\"name\":\"abc\",\"count\":null}", "count", "must not be null");
	expect_one_error("{\"name\":\"abc\",\"tags\":null}", "tags", "must not be null");
}

static void test_json_bind_nullable_null_sets_null(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_error e = {0};
	struct sample s;
	CU_ASSERT_EQUAL_FATAL(
	    bind_text(a, "{\"name\":\"abc\",\"nick\":null,\"ref\":null,\"when\":null}", &s, &e),
	    VS_OK);
	CU_ASSERT_TRUE(s.nick.set && s.nick.null);
	CU_ASSERT_PTR_NULL(vs_opt_str_or_null(&s.nick));
	CU_ASSERT_TRUE(s.ref.set && s.ref.null);
	CU_ASSERT_TRUE(s.when.set && s.when.null);
	CU_ASSERT_TRUE(s.name.set && !s.name.null);
	CU_ASSERT_PTR_NOT_NULL(vs_opt_str_or_null(&s.name));
	vs_arena_free(a);
}

static void test_json_bind_string_length_counts_utf8_characters(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_error e = {0};
	struct sample s;
	/* name is 2..3 characters. "éé" is 4 bytes but 2 characters; "😀😀😀" is 12 bytes. */
	CU_ASSERT_EQUAL(bind_text(a, "{\"name\":\"\xc3\xa9\xc3\xa9\"}", &s, &e), VS_OK);
	CU_ASSERT_EQUAL(s.name.len, 4);
	CU_ASSERT_EQUAL(
	    bind_text(a, "{\"name\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"}", &s, &e),
	    VS_OK);
	CU_ASSERT_EQUAL(bind_text(a, "{\"name\":\"\\u00e9\\u00e9\\u00e9\"}", &s, &e), VS_OK);
	CU_ASSERT_EQUAL(e.nfields, 0);
	vs_arena_free(a);
	expect_one_error("{\"name\":\"\xc3\xa9\"}", "name", "is too short");
	expect_one_error("{\"name\":\"a\"}", "name", "is too short");
	expect_one_error("{\"name\":\"\"}", "name", "is too short");
	expect_one_error("{\"name\":\"abcd\"}", "name", "is too long");
	expect_one_error("{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}", "name", "is too long");
}

static void test_json_bind_runs_check_callback(void)
{
	expect_one_error("{\"name\":\"abc\",\"nick\":\"Bob\"}", "nick", "must be upper-case");
	struct vs_arena *a = vs_arena_new();
	struct vs_error e = {0};
	struct sample s;
	CU_ASSERT_EQUAL(bind_text(a, "{\"name\":\"abc\",\"nick\":\"BOB\"}", &s, &e), VS_OK);
	vs_arena_free(a);
}

static void test_json_bind_reports_several_errors_at_once(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_error e = {0};
	struct sample s;
	CU_ASSERT_EQUAL(
	    bind_text(a, "{\"flag\":\"yes\",\"count\":\"7\",\"extra\":1,\"ref\":\"x\"}", &s, &e),
	    VS_INVALID);
	CU_ASSERT_EQUAL(e.nfields, 5);
	CU_ASSERT_PTR_NOT_NULL(field_msg(&e, "flag"));
	CU_ASSERT_PTR_NOT_NULL(field_msg(&e, "count"));
	CU_ASSERT_PTR_NOT_NULL(field_msg(&e, "extra"));
	CU_ASSERT_PTR_NOT_NULL(field_msg(&e, "ref"));
	const char *name = field_msg(&e, "name");
	CU_ASSERT_PTR_NOT_NULL(name);
	if (name)
		CU_ASSERT_STRING_EQUAL(ut_str(name), "field required");
	vs_arena_free(a);
}

static void test_json_bind_requires_an_object(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_error e = {0};
	struct json_object *obj;
	struct sample s = {0};
	CU_ASSERT_EQUAL_FATAL(vs_json_parse(a, "[1]", 3, &obj, &e), VS_OK);
	CU_ASSERT_EQUAL(vs_json_bind(a, obj, sample_fields, VS_JSON_FIELDS_LEN(sample_fields), &s, &e),
			VS_INVALID);
	CU_ASSERT_EQUAL(e.nfields, 1);
	CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].field), "body");
	vs_arena_free(a);
}

/* ---- output ---- */

static void test_json_text_is_compact_without_slash_escapes(void)
{
	struct vs_arena *a = vs_arena_new();
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "url", json_object_new_string("a/b"));
	json_object_object_add(o, "n", json_object_new_int(1));
	size_t len = 0;
	const char *s = vs_json_text(a, o, &len);
	CU_ASSERT_STRING_EQUAL(ut_str(s), "{\"url\":\"a/b\",\"n\":1}");
	CU_ASSERT_EQUAL(len, strlen(s));
	json_object_put(o);
	/* The text lives in the arena, not in the freed object. */
	CU_ASSERT_STRING_EQUAL(ut_str(s), "{\"url\":\"a/b\",\"n\":1}");
	vs_arena_free(a);
}

static void test_json_builders(void)
{
	CU_ASSERT_PTR_NULL(vs_json_str_or_null(NULL));
	struct json_object *s = vs_json_str_or_null("x");
	CU_ASSERT_STRING_EQUAL(ut_str(json_object_get_string(s)), "x");
	json_object_put(s);

	vs_uuid u;
	CU_ASSERT_FATAL(vs_uuid_parse("123E4567-E89B-12D3-A456-426614174000", 36, &u));
	struct json_object *ju = vs_json_uuid(&u);
	CU_ASSERT_STRING_EQUAL(ut_str(json_object_get_string(ju)),
			       "123e4567-e89b-12d3-a456-426614174000");
	json_object_put(ju);

	struct json_object *jt = vs_json_time(1795428000);
	CU_ASSERT_STRING_EQUAL(ut_str(json_object_get_string(jt)), "2026-11-23T10:00:00Z");
	json_object_put(jt);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_json_accepts_valid_object),
	    UT_TEST(test_json_rejects_trailing_garbage),
	    UT_TEST(test_json_accepts_trailing_whitespace),
	    UT_TEST(test_json_rejects_duplicate_top_level_keys),
	    UT_TEST(test_json_rejects_duplicate_nested_keys),
	    UT_TEST(test_json_accepts_same_key_in_different_objects),
	    UT_TEST(test_json_colons_inside_strings_do_not_confuse_duplicate_check),
	    UT_TEST(test_json_duplicate_after_escaped_backslash_is_found),
	    UT_TEST(test_json_rejects_single_quoted_strings),
	    UT_TEST(test_json_rejects_nan_and_infinity),
	    UT_TEST(test_json_rejects_nul_escape_in_string),
	    UT_TEST(test_json_rejects_nul_escape_in_key),
	    UT_TEST(test_json_rejects_raw_nul_byte),
	    UT_TEST(test_json_rejects_invalid_utf8_bytes),
	    UT_TEST(test_json_rejects_overlong_surrogate_and_out_of_range_utf8),
	    UT_TEST(test_json_rejects_raw_control_characters_in_strings),
	    UT_TEST(test_json_rejects_lone_surrogate_escapes),
	    UT_TEST(test_json_nesting_depth_limit_is_16),
	    UT_TEST(test_json_rejects_empty_body),
	    UT_TEST(test_json_rejects_non_json_grammar),
	    UT_TEST(test_json_bind_fills_typed_fields),
	    UT_TEST(test_json_bind_absent_optional_fields_stay_unset),
	    UT_TEST(test_json_bind_huge_integer_is_field_error),
	    UT_TEST(test_json_bind_numeric_string_is_not_an_integer),
	    UT_TEST(test_json_bind_integer_range),
	    UT_TEST(test_json_bind_rejects_unknown_field_by_name),
	    UT_TEST(test_json_bind_reports_missing_required_field),
	    UT_TEST(test_json_bind_wrong_type_messages),
	    UT_TEST(test_json_bind_null_for_non_nullable_field),
	    UT_TEST(test_json_bind_nullable_null_sets_null),
	    UT_TEST(test_json_bind_string_length_counts_utf8_characters),
	    UT_TEST(test_json_bind_runs_check_callback),
	    UT_TEST(test_json_bind_reports_several_errors_at_once),
	    UT_TEST(test_json_bind_requires_an_object),
	    UT_TEST(test_json_text_is_compact_without_slash_escapes),
	    UT_TEST(test_json_builders),
	    UT_END,
	};
	ut_add_suite("core: json", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
