/* lib/webhooks/domain.c: the Standard Webhooks signature (the specification's own test
 * vector), dual signatures while a secret rotates, event types and matching, the retry
 * schedule. */
#include "suites.h"

#include "core/arena.h"
#include "core/crypto.h"
#include "webhooks/domain.h"
#include "webhooks/event_types.h"

#include <string.h>

/* From the Standard Webhooks reference libraries' tests. */
#define SPEC_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SPEC_ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SPEC_TS 1614265330
#define SPEC_BODY "{\"test\": 2432232314}"
#define SPEC_SIGNATURE "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

static void test_sign_matches_the_specification(void)
{
	struct vs_arena *a = vs_arena_new();
	const char *sig = vs_webhook_sign(a, SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY,
					  strlen(SPEC_BODY));
	CU_ASSERT_STRING_EQUAL(ut_str(sig), SPEC_SIGNATURE);
	/* Any other byte, id or time is another signature. */
	CU_ASSERT_STRING_NOT_EQUAL(ut_str(vs_webhook_sign(a, SPEC_SECRET, SPEC_ID, SPEC_TS + 1,
							  SPEC_BODY, strlen(SPEC_BODY))),
				   SPEC_SIGNATURE);
	CU_ASSERT_STRING_NOT_EQUAL(ut_str(vs_webhook_sign(a, SPEC_SECRET, SPEC_ID, SPEC_TS,
							  SPEC_BODY, strlen(SPEC_BODY) - 1)),
				   SPEC_SIGNATURE);
	CU_ASSERT_PTR_NULL(vs_webhook_sign(a, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", SPEC_ID, SPEC_TS,
					   SPEC_BODY, strlen(SPEC_BODY)));
	CU_ASSERT_PTR_NULL(vs_webhook_sign(a, "whsec_not*base64", SPEC_ID, SPEC_TS, SPEC_BODY,
					   strlen(SPEC_BODY)));
	vs_arena_free(a);
}

static void test_secrets_are_fresh_and_sign(void)
{
	struct vs_arena *a = vs_arena_new();
	char s1[VS_WEBHOOK_SECRET_LEN + 1], s2[VS_WEBHOOK_SECRET_LEN + 1];
	vs_webhook_secret_new(s1);
	vs_webhook_secret_new(s2);
	CU_ASSERT_EQUAL(strlen(s1), VS_WEBHOOK_SECRET_LEN);
	CU_ASSERT_EQUAL(strncmp(s1, "whsec_", 6), 0);
	CU_ASSERT_STRING_NOT_EQUAL(s1, s2);
	CU_ASSERT_PTR_NOT_NULL(vs_webhook_sign(a, s1, "id", 1, "{}", 2));
	vs_arena_free(a);
}

static void test_rotation_signs_twice_until_the_overlap_ends(void)
{
	struct vs_arena *a = vs_arena_new();
	char fresh[VS_WEBHOOK_SECRET_LEN + 1];
	vs_webhook_secret_new(fresh);
	struct vs_webhook w = { .secret = fresh, .previous_secret = SPEC_SECRET,
				.previous_until = 1000 };
	const char *both = vs_webhook_signatures(a, &w, SPEC_ID, SPEC_TS, SPEC_BODY,
						 strlen(SPEC_BODY), 999);
	const char *mine = vs_webhook_sign(a, fresh, SPEC_ID, SPEC_TS, SPEC_BODY, strlen(SPEC_BODY));
	CU_ASSERT_STRING_EQUAL(ut_str(both), vs_arena_printf(a, "%s %s", mine, SPEC_SIGNATURE));
	CU_ASSERT_STRING_EQUAL(ut_str(vs_webhook_signatures(a, &w, SPEC_ID, SPEC_TS, SPEC_BODY,
							    strlen(SPEC_BODY), 1000)),
			       mine);
	vs_arena_free(a);
}

static void test_event_types_and_matching(void)
{
	CU_ASSERT_PTR_NULL(vs_webhook_event_type_check("*", 1));
	CU_ASSERT_PTR_NULL(vs_webhook_event_type_check("user.created", 12));
	CU_ASSERT_PTR_NULL(vs_webhook_event_type_check("user.*", 6));
	CU_ASSERT_PTR_NULL(vs_webhook_event_type_check("webhook.disabled", 16));
	CU_ASSERT_PTR_NULL(vs_webhook_event_type_check("audit.checkpoint", 16));
	CU_ASSERT_PTR_NOT_NULL(vs_webhook_event_type_check("audit.*", 7));
	CU_ASSERT_PTR_NOT_NULL(vs_webhook_event_type_check("user.exploded", 13));
	CU_ASSERT_PTR_NOT_NULL(vs_webhook_event_type_check("nothing.*", 9));
	CU_ASSERT_PTR_NOT_NULL(vs_webhook_event_type_check("**", 2));
	CU_ASSERT_PTR_NOT_NULL(vs_webhook_event_type_check("", 0));
	CU_ASSERT_PTR_NOT_NULL(vs_webhook_event_type_check(NULL, 0));

	const char *roles[] = { "role.*" }, *one[] = { "user.created" }, *all[] = { "*" };
	CU_ASSERT_TRUE(vs_webhook_matches(roles, 1, "role.created"));
	CU_ASSERT_FALSE(vs_webhook_matches(roles, 1, "roles.created"));
	CU_ASSERT_FALSE(vs_webhook_matches(roles, 1, "user.role_granted"));
	CU_ASSERT_TRUE(vs_webhook_matches(one, 1, "user.created"));
	CU_ASSERT_FALSE(vs_webhook_matches(one, 1, "user.created_twice"));
	CU_ASSERT_TRUE(vs_webhook_matches(all, 1, "webhook.tested"));
}

static void test_retry_schedule(void)
{
	struct vs_webhook_schedule s;
	vs_webhook_schedule_default(&s);
	const int64_t hour = 3600000;
	CU_ASSERT_EQUAL(s.n, 7);
	CU_ASSERT_EQUAL(vs_webhook_schedule_next(&s, 1), 5000);
	CU_ASSERT_EQUAL(vs_webhook_schedule_next(&s, 2), 300000);
	CU_ASSERT_EQUAL(vs_webhook_schedule_next(&s, 3), 1800000);
	CU_ASSERT_EQUAL(vs_webhook_schedule_next(&s, 4), 2 * hour);
	CU_ASSERT_EQUAL(vs_webhook_schedule_next(&s, 5), 5 * hour);
	CU_ASSERT_EQUAL(vs_webhook_schedule_next(&s, 6), 10 * hour);
	CU_ASSERT_EQUAL(vs_webhook_schedule_next(&s, 7), 10 * hour);
	CU_ASSERT_EQUAL(vs_webhook_schedule_next(&s, 8), -1); /* the 8th attempt was the last */
	CU_ASSERT_EQUAL(vs_webhook_schedule_next(&s, 0), -1);

	CU_ASSERT_TRUE(vs_webhook_schedule_parse("300,600,900", &s));
	CU_ASSERT_EQUAL(s.n, 3);
	CU_ASSERT_EQUAL(vs_webhook_schedule_next(&s, 3), 900);
	CU_ASSERT_EQUAL(vs_webhook_schedule_next(&s, 4), -1);
	const char *bad[] = { "", "0", "-5", "5,", ",5", "5;6", "five", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_FALSE(vs_webhook_schedule_parse(bad[i], &s));
}

static void test_base64_round_trip(void)
{
	const uint8_t bytes[] = { 0xfb, 0xff, 0x00, 0x41, 0x42 };
	char text[16];
	uint8_t back[8];
	size_t n;
	CU_ASSERT_EQUAL(vs_base64_encode(bytes, sizeof(bytes), text), 8);
	CU_ASSERT_STRING_EQUAL(text, "+/8AQUI=");
	CU_ASSERT_TRUE(vs_base64_decode(text, strlen(text), back, sizeof(back), &n));
	CU_ASSERT_EQUAL(n, sizeof(bytes));
	CU_ASSERT_EQUAL(memcmp(back, bytes, sizeof(bytes)), 0);
	CU_ASSERT_FALSE(vs_base64_decode("+/8AQUI", 7, back, sizeof(back), &n));
	CU_ASSERT_FALSE(vs_base64_decode("+/8A*UI=", 8, back, sizeof(back), &n));
	CU_ASSERT_FALSE(vs_base64_decode("+/8AQUI=", 8, back, 4, &n));
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_sign_matches_the_specification),
	    UT_TEST(test_secrets_are_fresh_and_sign),
	    UT_TEST(test_rotation_signs_twice_until_the_overlap_ends),
	    UT_TEST(test_event_types_and_matching),
	    UT_TEST(test_retry_schedule),
	    UT_TEST(test_base64_round_trip),
	    UT_END,
	};
	ut_add_suite("webhooks: signatures, event types, schedule", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
