/* lib/core/cursor.c: the opaque text of a keyset cursor, and its instant as PostgreSQL
 * reads it. */
#include "suites.h"

#include "core/cursor.h"

#include <string.h>

static void test_cursor_round_trip(void)
{
	const int64_t instants[] = { 0, 1, 1796672310123456, -1, -1000001, INT64_MAX, INT64_MIN };
	for (size_t i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
		struct vs_cursor c = { instants[i], { { 0 } } }, back;
		vs_uuid_v4(&c.id);
		char text[VS_CURSOR_STRLEN + 1];
		vs_cursor_encode(&c, text);
		CU_ASSERT_EQUAL(strlen(text), VS_CURSOR_STRLEN);
		CU_ASSERT_EQUAL(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					     "0123456789-_"),
				VS_CURSOR_STRLEN); /* needs no escaping in a URL */
		CU_ASSERT_TRUE_FATAL(vs_cursor_decode(text, strlen(text), &back));
		CU_ASSERT_EQUAL(back.at_us, c.at_us);
		CU_ASSERT_TRUE(vs_uuid_eq(&back.id, &c.id));
	}
}

static void test_cursor_refuses_other_texts(void)
{
	struct vs_cursor c = { 1796672310123456, { { 0 } } }, back;
	char text[VS_CURSOR_STRLEN + 1];
	vs_cursor_encode(&c, text);
	CU_ASSERT_FALSE(vs_cursor_decode(text, VS_CURSOR_STRLEN - 1, &back)); /* cut short */
	CU_ASSERT_FALSE(vs_cursor_decode("", 0, &back));
	char other[VS_CURSOR_STRLEN + 1];
	memcpy(other, text, sizeof(other));
	other[0] = other[0] == 'A' ? 'B' : 'A'; /* another version byte */
	CU_ASSERT_FALSE(vs_cursor_decode(other, VS_CURSOR_STRLEN, &back));
	memcpy(other, text, sizeof(other));
	other[5] = '+'; /* base64, not base64url */
	CU_ASSERT_FALSE(vs_cursor_decode(other, VS_CURSOR_STRLEN, &back));
	memcpy(other, text, sizeof(other));
	other[VS_CURSOR_STRLEN - 1] = 'B'; /* trailing bits set: another text of the same bytes */
	CU_ASSERT_FALSE(vs_cursor_decode(other, VS_CURSOR_STRLEN, &back));
}

static void test_cursor_time_text_is_exact(void)
{
	char t[VS_CURSOR_TIME_STRLEN + 1];
	vs_cursor_time_text(0, t);
	CU_ASSERT_STRING_EQUAL(t, "1970-01-01T00:00:00.000000Z");
	vs_cursor_time_text(1796672310000123, t);
	CU_ASSERT_STRING_EQUAL(t, "2026-12-07T19:38:30.000123Z");
	vs_cursor_time_text(-1, t); /* floor, not truncation */
	CU_ASSERT_STRING_EQUAL(t, "1969-12-31T23:59:59.999999Z");
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_cursor_round_trip),
	    UT_TEST(test_cursor_refuses_other_texts),
	    UT_TEST(test_cursor_time_text_is_exact),
	    UT_END,
	};
	ut_add_suite("core: cursor", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
