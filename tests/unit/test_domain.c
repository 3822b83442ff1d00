/* lib/domain: field rules, the refresh-token verdict, and the rule check for principals. */
#include "suites.h"

#include "domain/principal.h"
#include "domain/session.h"
#include "domain/tenant.h"
#include "domain/user.h"

#include <stdio.h>
#include <string.h>

static const char *email(const char *s)
{
	return vs_user_email_check(s, strlen(s));
}

static const char *slug(const char *s)
{
	return vs_tenant_slug_check(s, strlen(s));
}

/* A string of n copies of c (n < 400). */
static const char *repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* ---- email ---- */

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

static void test_domain_email_rejects_too_long(void)
{
	char local[80], domain[300], addr[400];
	/* 64-character local part: fine; 65: too long. */
	snprintf(addr, sizeof(addr), "%s@example.com", repeat(local, 'a', 64));
	CU_ASSERT_PTR_NULL(email(addr));
	snprintf(addr, sizeof(addr), "%s@example.com", repeat(local, 'a', 65));
	CU_ASSERT_PTR_NOT_NULL(email(addr));
	/* 254 characters in all: fine; 255: too long. */
	repeat(domain, 'd', 185);
	snprintf(addr, sizeof(addr), "%s@%s.com", repeat(local, 'a', 64), domain);
	CU_ASSERT_EQUAL_FATAL(strlen(addr), 254);
	CU_ASSERT_PTR_NULL(email(addr));
	repeat(domain, 'd', 186);
	snprintf(addr, sizeof(addr), "%s@%s.com", repeat(local, 'a', 64), domain);
	CU_ASSERT_EQUAL_FATAL(strlen(addr), 255);
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

/* ---- password length ---- */

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

/* ---- slug ---- */

static void test_domain_slug_length_bounds(void)
{
	char s[80];
	CU_ASSERT_PTR_NOT_NULL(slug("ab"));
	CU_ASSERT_PTR_NOT_NULL(slug(""));
	CU_ASSERT_PTR_NULL(slug("abc"));
	CU_ASSERT_PTR_NULL(slug(repeat(s, 'a', 50)));
	CU_ASSERT_PTR_NOT_NULL(slug(repeat(s, 'a', 51)));
}

static void test_domain_slug_character_set(void)
{
	CU_ASSERT_PTR_NULL(slug("acme-corp-2"));
	CU_ASSERT_PTR_NULL(slug("123"));
	CU_ASSERT_PTR_NOT_NULL(slug("Acme"));
	CU_ASSERT_PTR_NOT_NULL(slug("ACME"));
	CU_ASSERT_PTR_NOT_NULL(slug("acme_corp"));
	CU_ASSERT_PTR_NOT_NULL(slug("acme corp"));
	CU_ASSERT_PTR_NOT_NULL(slug("acme.corp"));
	CU_ASSERT_PTR_NOT_NULL(slug("acm\xc3\xa9"));
	CU_ASSERT_PTR_NOT_NULL(slug("ac/me"));
}

/* ---- refresh tokens ---- */

static void test_domain_refresh_judge_all_verdicts(void)
{
	struct vs_refresh_token t = {.expires_at = 1000};
	CU_ASSERT_EQUAL(vs_refresh_judge(&t, 999), VS_REFRESH_ROTATE);
	CU_ASSERT_EQUAL(vs_refresh_judge(&t, 1000),
			VS_REFRESH_REJECT); /* expires at that instant */
	CU_ASSERT_EQUAL(vs_refresh_judge(&t, 5000), VS_REFRESH_REJECT);
	t.rotated = true; /* spent, presented again */
	CU_ASSERT_EQUAL(vs_refresh_judge(&t, 999), VS_REFRESH_REVOKE_FAMILY);
	t.revoked = true; /* already revoked: nothing more to do */
	CU_ASSERT_EQUAL(vs_refresh_judge(&t, 999), VS_REFRESH_REJECT);
	t.rotated = false;
	CU_ASSERT_EQUAL(vs_refresh_judge(&t, 999), VS_REFRESH_REJECT);
}

/* ---- principal rules ---- */

static void test_domain_principal_allowed_by_rule_and_caller(void)
{
	const struct vs_principal anonymous = {0};
	const struct vs_principal user = {.authenticated = true};
	const struct vs_principal superuser = {.authenticated = true, .user.is_superuser = true};
	/* Not authenticated, even if the struct says superuser: a half-filled principal. */
	const struct vs_principal forged = {.user.is_superuser = true};
	const struct vs_rule public_rule = {VS_RULE_PUBLIC, {NULL}};
	const struct vs_rule auth_rule = {VS_RULE_AUTHENTICATED, {NULL}};
	const struct vs_rule perm_rule = {VS_RULE_PERMISSION, {"user:read"}};
	const struct vs_rule any_rule = {VS_RULE_ANY_OF, {"user:read", "audit:read"}};

	CU_ASSERT_TRUE(vs_principal_allowed(&anonymous, &public_rule));
	CU_ASSERT_TRUE(vs_principal_allowed(&user, &public_rule));
	CU_ASSERT_TRUE(vs_principal_allowed(&superuser, &public_rule));

	CU_ASSERT_FALSE(vs_principal_allowed(&anonymous, &auth_rule));
	CU_ASSERT_TRUE(vs_principal_allowed(&user, &auth_rule));
	CU_ASSERT_TRUE(vs_principal_allowed(&superuser, &auth_rule));

	/* A user holding nothing in the tenant in context. */
	CU_ASSERT_FALSE(vs_principal_allowed(&anonymous, &perm_rule));
	CU_ASSERT_FALSE(vs_principal_allowed(&user, &perm_rule));
	CU_ASSERT_TRUE(vs_principal_allowed(&superuser, &perm_rule));

	CU_ASSERT_FALSE(vs_principal_allowed(&anonymous, &any_rule));
	CU_ASSERT_FALSE(vs_principal_allowed(&user, &any_rule));
	CU_ASSERT_TRUE(vs_principal_allowed(&superuser, &any_rule));

	CU_ASSERT_FALSE(vs_principal_allowed(&forged, &auth_rule));
	CU_ASSERT_FALSE(vs_principal_allowed(&forged, &perm_rule));
	CU_ASSERT_FALSE(vs_principal_allowed(&forged, &any_rule));
}

void register_domain_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_domain_email_accepts_valid_addresses),
	    UT_TEST(test_domain_email_rejects_missing_at),
	    UT_TEST(test_domain_email_rejects_two_ats),
	    UT_TEST(test_domain_email_rejects_domain_without_dot),
	    UT_TEST(test_domain_email_rejects_spaces_and_controls),
	    UT_TEST(test_domain_email_rejects_too_long),
	    UT_TEST(test_domain_email_normalise_lower_cases_ascii),
	    UT_TEST(test_domain_password_length_bounds),
	    UT_TEST(test_domain_slug_length_bounds),
	    UT_TEST(test_domain_slug_character_set),
	    UT_TEST(test_domain_refresh_judge_all_verdicts),
	    UT_TEST(test_domain_principal_allowed_by_rule_and_caller),
	    UT_END,
	};
	ut_add_suite("domain", NULL, NULL, tests);
}
