/* lib/core/password.c: argon2id with the OWASP parameters. Each hash or verification costs
 * about 50 ms, so one hash is made for the suite and reused. */
#include "suites.h"

#include "core/password.h"

#include <argon2.h>
#include <string.h>

#define PW     "correct horse battery"
#define PW_LEN (sizeof(PW) - 1)

static char fresh[VS_PASSWORD_HASH_MAX];

static int password_suite_init(void)
{
	return vs_password_hash(PW, PW_LEN, fresh) == VS_OK ? 0 : -1;
}

static void test_password_hash_is_argon2id_with_policy_parameters(void)
{
	CU_ASSERT_EQUAL(strncmp(fresh, "$argon2id$v=19$m=19456,t=2,p=1$", 31), 0);
	CU_ASSERT(strlen(fresh) < VS_PASSWORD_HASH_MAX);
	CU_ASSERT_PTR_NULL(strstr(fresh, PW)); /* the password itself is not in the hash */
}

static void test_password_verify_accepts_right_password(void)
{
	CU_ASSERT_TRUE(vs_password_verify(fresh, PW, PW_LEN));
}

static void test_password_verify_rejects_wrong_password(void)
{
	CU_ASSERT_FALSE(vs_password_verify(fresh, "correct horse battery!", PW_LEN + 1));
	/* A prefix of the right password (length counts, not a NUL). */
	CU_ASSERT_FALSE(vs_password_verify(fresh, PW, PW_LEN - 1));
}

static void test_password_verify_rejects_non_argon2id_hashes(void)
{
	CU_ASSERT_FALSE(vs_password_verify("plain text", PW, PW_LEN));
	CU_ASSERT_FALSE(vs_password_verify(PW, PW, PW_LEN));
	CU_ASSERT_FALSE(vs_password_verify("", PW, PW_LEN));
	CU_ASSERT_FALSE(vs_password_verify(NULL, PW, PW_LEN));
	/* argon2i is another algorithm, even with a valid-looking string. */
	char argon2i[VS_PASSWORD_HASH_MAX];
	memcpy(argon2i, fresh, sizeof(argon2i));
	memmove(argon2i + 8, argon2i + 9, strlen(argon2i + 9) + 1); /* "$argon2id$" → "$argon2i$" */
	CU_ASSERT_EQUAL(strncmp(argon2i, "$argon2i$v=19$", 14), 0);
	CU_ASSERT_FALSE(vs_password_verify(argon2i, PW, PW_LEN));
}

static void test_password_hashes_of_same_password_differ(void)
{
	char again[VS_PASSWORD_HASH_MAX];
	CU_ASSERT_EQUAL_FATAL(vs_password_hash(PW, PW_LEN, again), VS_OK);
	CU_ASSERT_STRING_NOT_EQUAL(ut_str(again), fresh); /* random salt */
}

static void test_password_needs_rehash_false_for_fresh_hash(void)
{
	CU_ASSERT_FALSE(vs_password_needs_rehash(fresh));
}

static void test_password_needs_rehash_true_for_other_parameters(void)
{
	const unsigned char salt[16] = "0123456789abcdef";
	char old[VS_PASSWORD_HASH_MAX];
	CU_ASSERT_EQUAL_FATAL(argon2id_hash_encoded(1, 19456, 1, PW, PW_LEN, salt, sizeof(salt), 32,
						    old, sizeof(old)),
			      ARGON2_OK);
	CU_ASSERT_TRUE(vs_password_needs_rehash(old));
	/* Still verifies: a login with it succeeds and then rehashes. */
	CU_ASSERT_TRUE(vs_password_verify(old, PW, PW_LEN));
	CU_ASSERT_TRUE(
	    vs_password_needs_rehash("$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaA"));
	CU_ASSERT_TRUE(
	    vs_password_needs_rehash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA"));
	CU_ASSERT_TRUE(vs_password_needs_rehash("$2b$12$abcdefghijklmnopqrstuv"));
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_password_hash_is_argon2id_with_policy_parameters),
	    UT_TEST(test_password_verify_accepts_right_password),
	    UT_TEST(test_password_verify_rejects_wrong_password),
	    UT_TEST(test_password_verify_rejects_non_argon2id_hashes),
	    UT_TEST(test_password_hashes_of_same_password_differ),
	    UT_TEST(test_password_needs_rehash_false_for_fresh_hash),
	    UT_TEST(test_password_needs_rehash_true_for_other_parameters),
	    UT_END,
	};
	ut_add_suite("core: password", password_suite_init, NULL, tests);
}
UT_REGISTER(register_tests)
