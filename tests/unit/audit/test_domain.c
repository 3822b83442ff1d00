/* lib/audit/domain.c: the shape of an action, and the fields that never go into an
 * event's changes. */
#include "suites.h"

#include "audit/domain.h"

static void test_audit_action_is_resource_dot_verb(void)
{
	CU_ASSERT_TRUE(vs_audit_action_valid("user.created"));
	CU_ASSERT_TRUE(vs_audit_action_valid("role.permission_added"));
	CU_ASSERT_TRUE(vs_audit_action_valid("api_key.rotated"));
	CU_ASSERT_FALSE(vs_audit_action_valid(NULL));
	CU_ASSERT_FALSE(vs_audit_action_valid(""));
	CU_ASSERT_FALSE(vs_audit_action_valid("user"));
	CU_ASSERT_FALSE(vs_audit_action_valid("user."));
	CU_ASSERT_FALSE(vs_audit_action_valid(".created"));
	CU_ASSERT_FALSE(vs_audit_action_valid("User.created"));
	CU_ASSERT_FALSE(vs_audit_action_valid("user.created.twice"));
	CU_ASSERT_FALSE(vs_audit_action_valid("user.*"));
	CU_ASSERT_FALSE(vs_audit_action_valid("_user.created"));
}

static void test_audit_secret_fields_are_whole_words(void)
{
	static const char *const secret[] = { "password", "password_hash", "refresh_token",
					      "token", "key", "key_hash", "secret",
					      "signing_secret", "token_nonce" };
	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		CU_ASSERT_TRUE(vs_audit_field_is_secret(secret[i]));
	static const char *const fine[] = { "email", "first_name", "replaced_key_id", "api_key_id",
					    "key_prefix", "keyboard", "hashtag", "scopes",
					    "is_active", "role_ids" };
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++)
		CU_ASSERT_FALSE(vs_audit_field_is_secret(fine[i]));
}

static void test_audit_secret_found_at_any_depth(void)
{
	struct json_object *c = json_tokener_parse(
		"{\"first_name\":{\"from\":\"a\",\"to\":\"b\"},\"profile\":{\"password\":{\"to\":\"x\"}}}");
	CU_ASSERT_STRING_EQUAL(ut_str(vs_audit_secret_in(c)), "password");
	json_object_put(c);
	c = json_tokener_parse("{\"first_name\":{\"from\":\"password\",\"to\":\"token\"}}");
	CU_ASSERT_PTR_NULL(vs_audit_secret_in(c)); /* values are not names */
	json_object_put(c);
	CU_ASSERT_PTR_NULL(vs_audit_secret_in(NULL));
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_audit_action_is_resource_dot_verb),
	    UT_TEST(test_audit_secret_fields_are_whole_words),
	    UT_TEST(test_audit_secret_found_at_any_depth),
	    UT_END,
	};
	ut_add_suite("audit: domain", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
