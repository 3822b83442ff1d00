/* lib/users/domain.c: the rules for e-mail addresses and passwords. */
#include "suites.h"

#include "users/domain.h"

#include <stdio.h>
#include <string.h>

static const char *email(const char *s)
{
	return vs_user_email_check(s, strlen(s));
}

/* A string of n copies of c (n < 400). */
static const char *repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static void test_domain_email_accepts_valid_addresses(void)
{
	CU_ASSERT_PTR_NULL(email("user@example.com"));
	CU_ASSERT_PTR_NULL(email("first.last+tag@sub.example.co.uk"));
	CU_ASSERT_PTR_NULL(email("a@b.io"));
}

static void test_domain_email_rejects_missing_at(void)
{
	CU_ASSERT_STRING_EQUAL(ut_str(email("userexample.com")), "must be a valid email address");
	CU_ASSERT_PTR_NOT_NULL(email("@example.com"));
	CU_ASSERT_PTR_NOT_NULL(email("user@"));
	CU_ASSERT_PTR_NOT_NULL(email(""));
}

static void test_domain_email_rejects_two_ats(void)
{
	CU_ASSERT_PTR_NOT_NULL(email("a@b@example.com"));
	CU_ASSERT_PTR_NOT_NULL(email("user@example.com@"));
	CU_ASSERT_PTR_NOT_NULL(email("user@@example.com"));
}

static void test_domain_email_rejects_domain_without_dot(void)
{
	CU_ASSERT_PTR_NOT_NULL(email("user@examplecom"));
	CU_ASSERT_PTR_NOT_NULL(email("user@localhost"));
	CU_ASSERT_PTR_NOT_NULL(email("user@.example.com"));
	CU_ASSERT_PTR_NOT_NULL(email("user@example."));
	CU_ASSERT_PTR_NOT_NULL(email("user@example.com."));
}

static void test_domain_email_rejects_spaces_and_controls(void)
{
	CU_ASSERT_PTR_NOT_NULL(email("us er@example.com"));
	CU_ASSERT_PTR_NOT_NULL(email("user@exa mple.com"));
	CU_ASSERT_PTR_NOT_NULL(email(" user@example.com"));
	CU_ASSERT_PTR_NOT_NULL(email("user@example.com "));
	CU_ASSERT_PTR_NOT_NULL(email("user\t@example.com"));
	CU_ASSERT_PTR_NOT_NULL(email("user\n@example.com"));
	CU_ASSERT_PTR_NOT_NULL(email("<user>@example.com"));
	CU_ASSERT_PTR_NOT_NULL(email("\"user\"@example.com"));
	CU_ASSERT_PTR_NOT_NULL(vs_user_email_check("us\0er@example.com", 17));
}

static void test_domain_email_follows_one_documented_rule(void)
{
	/* core/email.h: a dot-atom local part, a host name of LDH labels (issue 22, defect 8) */
	CU_ASSERT_PTR_NOT_NULL(email("\xf0\x9f\x98\x80@e.x"));	 /* an emoji before the '@' */
	CU_ASSERT_PTR_NOT_NULL(email("user@b\xc3\xbc" "cher.de"));	 /* a U-label: send the A-label */
	CU_ASSERT_PTR_NULL(email("user@xn--bcher-kva.de"));	 /* its A-label */
	CU_ASSERT_PTR_NOT_NULL(email(".user@example.com"));
	CU_ASSERT_PTR_NOT_NULL(email("us..er@example.com"));
	CU_ASSERT_PTR_NOT_NULL(email("user@-example.com"));
	CU_ASSERT_PTR_NOT_NULL(email("user@example-.com"));
	CU_ASSERT_PTR_NOT_NULL(email("user@exa_mple.com"));
	CU_ASSERT_PTR_NULL(email("o'brien+x=y@mail.example.com"));
}

static void test_domain_email_rejects_too_long(void)
{
	char local[80], domain[300], addr[400];
	/* 64-character local part: fine; 65: too long. */
	snprintf(addr, sizeof(addr), "%s@example.com", repeat(local, 'a', 64));
	CU_ASSERT_PTR_NULL(email(addr));
	snprintf(addr, sizeof(addr), "%s@example.com", repeat(local, 'a', 65));
	CU_ASSERT_PTR_NOT_NULL(email(addr));
	/* 254 characters in all: fine; 255: too long. The domain's labels are 63 at most. */
	char label[64];
	repeat(label, 'd', 63);
	snprintf(domain, sizeof(domain), "%s.%s.%.*s", label, label, 57, label);
	snprintf(addr, sizeof(addr), "%s@%s.com", repeat(local, 'a', 64), domain);
	CU_ASSERT_EQUAL_FATAL(strlen(addr), 254);
	CU_ASSERT_PTR_NULL(email(addr));
	snprintf(domain, sizeof(domain), "%s.%s.%.*s", label, label, 58, label);
	snprintf(addr, sizeof(addr), "%s@%s.com", repeat(local, 'a', 64), domain);
	CU_ASSERT_EQUAL_FATAL(strlen(addr), 255);
	CU_ASSERT_PTR_NOT_NULL(email(addr));
	/* A label of 64: not a host name. */
	snprintf(addr, sizeof(addr), "a@%s.com", repeat(domain, 'd', 64));
	CU_ASSERT_PTR_NOT_NULL(email(addr));
}

static void test_domain_email_normalise_lower_cases_ascii(void)
{
	char e[] = "Alice.Smith@Example.COM";
	vs_user_email_normalise(e);
	CU_ASSERT_STRING_EQUAL(ut_str(e), "alice.smith@example.com");
	char u[] = "\xc3\x89lise@x.io"; /* non-ASCII bytes are left alone */
	vs_user_email_normalise(u);
	CU_ASSERT_STRING_EQUAL(ut_str(u), "\xc3\x89lise@x.io");
}

static void test_domain_password_length_bounds(void)
{
	char pw[200];
	CU_ASSERT_STRING_EQUAL(ut_str(vs_user_password_check(repeat(pw, 'x', 7), 7)),
			       "must be at least 8 characters");
	CU_ASSERT_PTR_NOT_NULL(vs_user_password_check("", 0));
	CU_ASSERT_PTR_NULL(vs_user_password_check(repeat(pw, 'x', 8), 8));
	CU_ASSERT_PTR_NULL(vs_user_password_check(repeat(pw, 'x', 128), 128));
	CU_ASSERT_STRING_EQUAL(ut_str(vs_user_password_check(repeat(pw, 'x', 129), 129)),
			       "must be at most 128 characters");
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_domain_email_accepts_valid_addresses),
	    UT_TEST(test_domain_email_rejects_missing_at),
	    UT_TEST(test_domain_email_rejects_two_ats),
	    UT_TEST(test_domain_email_rejects_domain_without_dot),
	    UT_TEST(test_domain_email_rejects_spaces_and_controls),
	    UT_TEST(test_domain_email_rejects_too_long),
	    UT_TEST(test_domain_email_follows_one_documented_rule),
	    UT_TEST(test_domain_email_normalise_lower_cases_ascii),
	    UT_TEST(test_domain_password_length_bounds),
	    UT_END,
	};
	ut_add_suite("users: domain", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
