/* lib/tenants/domain.c: the rule for slugs. */
#include "suites.h"

#include "tenants/domain.h"

#include <string.h>

/* A string of n copies of c (n < 400). */
static const char *repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static const char *slug(const char *s)
{
	return vs_tenant_slug_check(s, strlen(s));
}

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

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_domain_slug_length_bounds),
	    UT_TEST(test_domain_slug_character_set),
	    UT_END,
	};
	ut_add_suite("tenants: domain", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
