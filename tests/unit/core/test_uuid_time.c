/* lib/core/uuid.c and lib/core/time.c: canonical UUIDs, RFC 3339 with a required offset. */
#include "suites.h"

#include "core/time.h"
#include "core/uuid.h"

#include <string.h>

/* ---- uuid ---- */

static bool parse_c(const char *s, vs_uuid *out)
{
	return vs_uuid_parse(s, strlen(s), out);
}

static void test_uuid_parse_format_round_trip(void)
{
	const char *text = "123e4567-e89b-12d3-a456-426614174000";
	vs_uuid u;
	CU_ASSERT_TRUE_FATAL(parse_c(text, &u));
	CU_ASSERT_EQUAL(u.b[0], 0x12);
	CU_ASSERT_EQUAL(u.b[1], 0x3e);
	CU_ASSERT_EQUAL(u.b[8], 0xa4);
	CU_ASSERT_EQUAL(u.b[15], 0x00);
	char out[VS_UUID_STRLEN + 1];
	vs_uuid_format(&u, out);
	CU_ASSERT_STRING_EQUAL(ut_str(out), text);
	CU_ASSERT_EQUAL(strlen(out), VS_UUID_STRLEN);
}

static void test_uuid_parse_accepts_upper_case_and_formats_lower(void)
{
	vs_uuid u, v;
	CU_ASSERT_TRUE_FATAL(parse_c("ABCDEF01-2345-6789-ABCD-EF0123456789", &u));
	CU_ASSERT_TRUE_FATAL(parse_c("abcdef01-2345-6789-abcd-ef0123456789", &v));
	CU_ASSERT_TRUE(vs_uuid_eq(&u, &v));
	char out[VS_UUID_STRLEN + 1];
	vs_uuid_format(&u, out);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "abcdef01-2345-6789-abcd-ef0123456789");
}

static void test_uuid_parse_rejects_wrong_length(void)
{
	vs_uuid u;
	CU_ASSERT_FALSE(parse_c("", &u));
	CU_ASSERT_FALSE(parse_c("123e4567-e89b-12d3-a456-42661417400", &u));   /* 35 */
	CU_ASSERT_FALSE(parse_c("123e4567-e89b-12d3-a456-4266141740000", &u)); /* 37 */
	CU_ASSERT_FALSE(parse_c("{123e4567-e89b-12d3-a456-426614174000}", &u));
	CU_ASSERT_FALSE(vs_uuid_parse(NULL, 36, &u));
	/* A valid prefix with the length cut short is not a UUID. */
	CU_ASSERT_FALSE(vs_uuid_parse("123e4567-e89b-12d3-a456-426614174000", 35, &u));
}

static void test_uuid_parse_rejects_bad_hex(void)
{
	vs_uuid u;
	CU_ASSERT_FALSE(parse_c("123e4567-e89b-12d3-a456-42661417400g", &u));
	CU_ASSERT_FALSE(parse_c("g23e4567-e89b-12d3-a456-426614174000", &u));
	CU_ASSERT_FALSE(parse_c("123e4567-e89b-12d3-a456-42661417 000", &u));
	CU_ASSERT_FALSE(parse_c("123e4567-e89b-12d3-a456-4266141740+0", &u));
	CU_ASSERT_FALSE(vs_uuid_parse("123e4567-e89b-12d3-a456-4266141\0"
				      "0000",
				      36, &u));
}

static void test_uuid_parse_rejects_missing_or_misplaced_dashes(void)
{
	vs_uuid u;
	CU_ASSERT_FALSE(parse_c("123e4567e89b12d3a456426614174000", &u));
	CU_ASSERT_FALSE(parse_c("123e4567e-89b-12d3-a456-426614174000", &u));
	CU_ASSERT_FALSE(parse_c("123e4567-e89b-12d3-a4564-26614174000", &u));
	CU_ASSERT_FALSE(parse_c("123e4567_e89b_12d3_a456_426614174000", &u));
	CU_ASSERT_FALSE(parse_c("123e4567-e89b-12d3-a456-42661417400-", &u));
}

static void test_uuid_v4_sets_version_and_variant(void)
{
	vs_uuid a, b;
	vs_uuid_v4(&a);
	vs_uuid_v4(&b);
	CU_ASSERT_EQUAL(a.b[6] >> 4, 4);
	CU_ASSERT_EQUAL(a.b[8] >> 6, 2); /* 10xx: RFC 4122 variant */
	CU_ASSERT_EQUAL(b.b[6] >> 4, 4);
	CU_ASSERT_EQUAL(b.b[8] >> 6, 2);
	CU_ASSERT_FALSE(vs_uuid_eq(&a, &b));
	CU_ASSERT_FALSE(vs_uuid_is_nil(&a));
	char s[VS_UUID_STRLEN + 1];
	vs_uuid_format(&a, s);
	CU_ASSERT_EQUAL(s[14], '4');
	CU_ASSERT_PTR_NOT_NULL(strchr("89ab", s[19]));
	vs_uuid back;
	CU_ASSERT_TRUE(vs_uuid_parse(s, VS_UUID_STRLEN, &back) && vs_uuid_eq(&a, &back));
}

static void test_uuid_nil_and_equality(void)
{
	vs_uuid nil = {0}, one = {0};
	one.b[15] = 1;
	CU_ASSERT_TRUE(vs_uuid_is_nil(&nil));
	CU_ASSERT_FALSE(vs_uuid_is_nil(&one));
	CU_ASSERT_FALSE(vs_uuid_eq(&nil, &one));
	CU_ASSERT_TRUE(vs_uuid_eq(&one, &one));
}

/* ---- time ---- */

static bool tparse(const char *s, int64_t *out)
{
	return vs_time_parse(s, strlen(s), out);
}

static void test_time_format_epoch_and_known_date(void)
{
	char out[VS_TIME_STRLEN + 1];
	vs_time_format(0, out);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "1970-01-01T00:00:00Z");
	vs_time_format(1795428000, out);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "2026-11-23T10:00:00Z");
	vs_time_format(1709208000, out);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "2024-02-29T12:00:00Z");
	vs_time_format(-1, out);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "1969-12-31T23:59:59Z");
	CU_ASSERT_EQUAL(strlen(out), VS_TIME_STRLEN);
}

static void test_time_parse_utc_z(void)
{
	int64_t t = -1;
	CU_ASSERT_TRUE(tparse("1970-01-01T00:00:00Z", &t));
	CU_ASSERT_EQUAL(t, 0);
	CU_ASSERT_TRUE(tparse("2026-11-23T10:00:00Z", &t));
	CU_ASSERT_EQUAL(t, 1795428000);
	CU_ASSERT_TRUE(tparse("1969-12-31T23:59:59Z", &t));
	CU_ASSERT_EQUAL(t, -1);
}

static void test_time_parse_offsets_give_the_same_instant(void)
{
	int64_t utc, plus, minus;
	CU_ASSERT_TRUE_FATAL(tparse("2026-11-23T10:00:00Z", &utc));
	CU_ASSERT_TRUE_FATAL(tparse("2026-11-23T15:30:00+05:30", &plus));
	CU_ASSERT_TRUE_FATAL(tparse("2026-11-23T06:30:00-03:30", &minus));
	CU_ASSERT_EQUAL(plus, utc);
	CU_ASSERT_EQUAL(minus, utc);
	int64_t zero_offset;
	CU_ASSERT_TRUE(tparse("2026-11-23T10:00:00+00:00", &zero_offset));
	CU_ASSERT_EQUAL(zero_offset, utc);
	/* Across a day boundary. */
	int64_t next_day;
	CU_ASSERT_TRUE(tparse("2026-11-24T01:00:00+15:00", &next_day));
	CU_ASSERT_EQUAL(next_day, utc);
}

static void test_time_parse_fractions_are_truncated(void)
{
	int64_t t;
	CU_ASSERT_TRUE(tparse("2026-11-23T10:00:00.999999Z", &t));
	CU_ASSERT_EQUAL(t, 1795428000);
	CU_ASSERT_TRUE(tparse("2026-11-23T15:30:00.5+05:30", &t));
	CU_ASSERT_EQUAL(t, 1795428000);
	CU_ASSERT_FALSE(tparse("2026-11-23T10:00:00.Z", &t));
	CU_ASSERT_FALSE(tparse("2026-11-23T10:00:00.", &t));
}

static void test_time_parse_accepts_lower_case_t_and_z(void)
{
	int64_t t;
	CU_ASSERT_TRUE(tparse("2026-11-23t10:00:00z", &t));
	CU_ASSERT_EQUAL(t, 1795428000);
}

static void test_time_parse_leap_days(void)
{
	int64_t t;
	CU_ASSERT_TRUE(tparse("2024-02-29T12:00:00Z", &t));
	CU_ASSERT_EQUAL(t, 1709208000);
	CU_ASSERT_FALSE(tparse("2023-02-29T12:00:00Z", &t));
	CU_ASSERT_TRUE(tparse("2000-02-29T00:00:00Z", &t));
	CU_ASSERT_EQUAL(t, 951782400);
	CU_ASSERT_FALSE(tparse("1900-02-29T00:00:00Z", &t));
	CU_ASSERT_FALSE(tparse("2024-02-30T00:00:00Z", &t));
	CU_ASSERT_FALSE(tparse("2024-04-31T00:00:00Z", &t));
	CU_ASSERT_TRUE(tparse("2024-12-31T23:59:59Z", &t));
}

static void test_time_parse_requires_an_offset(void)
{
	int64_t t = 42;
	CU_ASSERT_FALSE(tparse("2026-11-23T10:00:00", &t));
	CU_ASSERT_FALSE(tparse("2026-11-23T10:00:00.123", &t));
	CU_ASSERT_FALSE(tparse("2026-11-23", &t));
	CU_ASSERT_EQUAL(t, 42); /* untouched on failure */
}

static void test_time_parse_rejects_garbage_after(void)
{
	int64_t t;
	CU_ASSERT_FALSE(tparse("2026-11-23T10:00:00Zx", &t));
	CU_ASSERT_FALSE(tparse("2026-11-23T10:00:00Z ", &t));
	CU_ASSERT_FALSE(tparse("2026-11-23T10:00:00+05:30x", &t));
	CU_ASSERT_FALSE(tparse("2026-11-23T10:00:00+05:300", &t));
	CU_ASSERT_FALSE(vs_time_parse("2026-11-23T10:00:00Z\0", 21, &t));
}

static void test_time_parse_rejects_out_of_range_fields(void)
{
	int64_t t;
	CU_ASSERT_FALSE(tparse("2026-11-23T24:00:00Z", &t));
	CU_ASSERT_FALSE(tparse("2026-11-23T10:60:00Z", &t));
	CU_ASSERT_FALSE(tparse("2026-11-23T10:00:60Z", &t));
	CU_ASSERT_FALSE(tparse("2026-13-01T10:00:00Z", &t));
	CU_ASSERT_FALSE(tparse("2026-00-01T10:00:00Z", &t));
	CU_ASSERT_FALSE(tparse("2026-11-00T10:00:00Z", &t));
	CU_ASSERT_FALSE(tparse("2026-11-23T10:00:00+24:00", &t));
	CU_ASSERT_FALSE(tparse("2026-11-23T10:00:00+05:60", &t));
}

static void test_time_parse_rejects_malformed_text(void)
{
	int64_t t;
	CU_ASSERT_FALSE(tparse("", &t));
	CU_ASSERT_FALSE(tparse("2026-11-23 10:00:00Z", &t));
	CU_ASSERT_FALSE(tparse("2026/11/23T10:00:00Z", &t));
	CU_ASSERT_FALSE(tparse("26-11-23T10:00:00Z", &t));
	CU_ASSERT_FALSE(tparse("2026-11-23T10:00Z", &t));
	CU_ASSERT_FALSE(tparse("2026-11-23T10:00:00+0530", &t));
	CU_ASSERT_FALSE(tparse("2026-11-23T10:00:00+05", &t));
	CU_ASSERT_FALSE(tparse("+2026-11-23T10:00:00Z", &t));
	CU_ASSERT_FALSE(tparse("2026-1a-23T10:00:00Z", &t));
}

static void test_time_format_parse_round_trip(void)
{
	const int64_t samples[] = {0,	       1,	   59,	      86399, 951782400,
				   1709208000, 1795428000, 4102444799 /* 2099-12-31T23:59:59Z */};
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char s[VS_TIME_STRLEN + 1];
		int64_t back = -1;
		vs_time_format(samples[i], s);
		CU_ASSERT_TRUE(tparse(s, &back));
		CU_ASSERT_EQUAL(back, samples[i]);
	}
}

/* Found by tests/fuzz/fuzz_time: a timestamp whose offset moves it out of the years
 * 0000–9999 was accepted and then written back as another time ("10000-…" does not fit,
 * so 1970; year 5 as "5-01-01…"). Such instants are refused, years are written with four
 * digits, and what the parser accepts at either end formats back to itself. */
static void test_time_years_stay_within_four_digits(void)
{
	int64_t t;
	char out[VS_TIME_STRLEN + 1];
	CU_ASSERT_FALSE(tparse("9999-12-31T23:59:59-00:01", &t));
	CU_ASSERT_FALSE(tparse("0000-01-01T00:00:00+00:01", &t));
	CU_ASSERT_TRUE_FATAL(tparse("9999-12-31T23:59:59Z", &t));
	vs_time_format(t, out);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "9999-12-31T23:59:59Z");
	CU_ASSERT_TRUE_FATAL(tparse("0000-01-01T00:00:00Z", &t));
	vs_time_format(t, out);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "0000-01-01T00:00:00Z");
	CU_ASSERT_TRUE_FATAL(tparse("0005-03-01T00:00:00+00:00", &t));
	vs_time_format(t, out);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "0005-03-01T00:00:00Z");
	/* Out of range, from elsewhere than the parser: the nearest end, never 1970. */
	vs_time_format(INT64_MAX, out);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "9999-12-31T23:59:59Z");
	vs_time_format(INT64_MIN, out);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "0000-01-01T00:00:00Z");
}

static void test_time_clocks_move_forward(void)
{
	int64_t now = vs_time_now();
	CU_ASSERT(now > 1700000000); /* after 2023-11 */
	int64_t m1 = vs_time_mono_us(), m2 = vs_time_mono_us();
	CU_ASSERT(m2 >= m1);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_uuid_parse_format_round_trip),
	    UT_TEST(test_uuid_parse_accepts_upper_case_and_formats_lower),
	    UT_TEST(test_uuid_parse_rejects_wrong_length),
	    UT_TEST(test_uuid_parse_rejects_bad_hex),
	    UT_TEST(test_uuid_parse_rejects_missing_or_misplaced_dashes),
	    UT_TEST(test_uuid_v4_sets_version_and_variant),
	    UT_TEST(test_uuid_nil_and_equality),
	    UT_TEST(test_time_format_epoch_and_known_date),
	    UT_TEST(test_time_parse_utc_z),
	    UT_TEST(test_time_parse_offsets_give_the_same_instant),
	    UT_TEST(test_time_parse_fractions_are_truncated),
	    UT_TEST(test_time_parse_accepts_lower_case_t_and_z),
	    UT_TEST(test_time_parse_leap_days),
	    UT_TEST(test_time_parse_requires_an_offset),
	    UT_TEST(test_time_parse_rejects_garbage_after),
	    UT_TEST(test_time_parse_rejects_out_of_range_fields),
	    UT_TEST(test_time_parse_rejects_malformed_text),
	    UT_TEST(test_time_format_parse_round_trip),
	    UT_TEST(test_time_years_stay_within_four_digits),
	    UT_TEST(test_time_clocks_move_forward),
	    UT_END,
	};
	ut_add_suite("core: uuid and time", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
