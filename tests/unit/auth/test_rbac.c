/* lib/domain/principal.c and role.c: permission sets, rule evaluation (one, all of, any
 * of), what a principal may hand on, and which roles it may change. Pure, no fakes. */
#include "suites.h"

#include "auth/domain.h"

#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A principal holding codes (already sorted, as a permset must be). */
static struct vs_principal holding(const char **codes, size_t n)
{
	struct vs_principal p = {.authenticated = true, .member = true, .tenant_found = true};
	p.permissions.codes = codes;
	p.permissions.n = n;
	return p;
}

/* ---- permset ---- */

static void test_rbac_permset_has(void)
{
	const char *codes[] = {"role:read", "user:create", "user:read", "vm:read"};
	struct vs_permset s = {codes, N(codes)};
	for (size_t i = 0; i < N(codes); i++)
		CU_ASSERT_TRUE(vs_permset_has(&s, codes[i]));
	CU_ASSERT_FALSE(vs_permset_has(&s, "user:delete"));
	CU_ASSERT_FALSE(vs_permset_has(&s, "user"));	   /* no prefix matching */
	CU_ASSERT_FALSE(vs_permset_has(&s, "user:read ")); /* nor trailing garbage */
	CU_ASSERT_FALSE(vs_permset_has(&s, "USER:READ"));  /* codes are case-sensitive */
	CU_ASSERT_FALSE(vs_permset_has(&s, ""));
	/* A string equal to a member but at another address is found: compared by value. */
	char copy[] = "user:read";
	CU_ASSERT_TRUE(vs_permset_has(&s, copy));
	struct vs_permset empty = {NULL, 0};
	CU_ASSERT_FALSE(vs_permset_has(&empty, "user:read"));
}

static void test_rbac_permset_has_all_and_any(void)
{
	const char *codes[] = {"role:read", "user:read", "vm:read"};
	struct vs_permset s = {codes, N(codes)};
	const char *both[] = {"vm:read", "user:read"};
	const char *one_missing[] = {"user:read", "user:delete"};
	const char *none[] = {"user:delete", "vm:create"};
	CU_ASSERT_TRUE(vs_permset_has_all(&s, both, 2));
	CU_ASSERT_FALSE(vs_permset_has_all(&s, one_missing, 2));
	CU_ASSERT_FALSE(vs_permset_has_all(&s, none, 2));
	CU_ASSERT_TRUE(vs_permset_has_any(&s, both, 2));
	CU_ASSERT_TRUE(vs_permset_has_any(&s, one_missing, 2));
	CU_ASSERT_FALSE(vs_permset_has_any(&s, none, 2));
	/* Only the first n codes count. */
	CU_ASSERT_TRUE(vs_permset_has_all(&s, one_missing, 1));
	CU_ASSERT_FALSE(vs_permset_has_any(&s, none, 1));
	/* Empty lists: all of nothing holds, any of nothing does not. */
	CU_ASSERT_TRUE(vs_permset_has_all(&s, NULL, 0));
	CU_ASSERT_FALSE(vs_permset_has_any(&s, NULL, 0));
}

static void test_rbac_permset_normalise_sorts_and_removes_duplicates(void)
{
	const char *codes[] = {"vm:read", "user:read", "role:read", "user:read",
			       "vm:read", "audit:read", "user:read"};
	struct vs_permset s = {codes, N(codes)};
	vs_permset_normalise(&s);
	const char *want[] = {"audit:read", "role:read", "user:read", "vm:read"};
	CU_ASSERT_EQUAL_FATAL(s.n, N(want));
	for (size_t i = 0; i < N(want); i++)
		CU_ASSERT_STRING_EQUAL(ut_str(s.codes[i]), want[i]);
	/* Lookups work on the result (they binary-search). */
	CU_ASSERT_TRUE(vs_permset_has(&s, "audit:read"));
	CU_ASSERT_TRUE(vs_permset_has(&s, "vm:read"));
	/* Idempotent. */
	vs_permset_normalise(&s);
	CU_ASSERT_EQUAL(s.n, N(want));
}

static void test_rbac_permset_normalise_compares_by_value(void)
{
	/* Duplicates at different addresses (as from separate rows) still collapse. */
	char a[] = "user:read", b[] = "user:read", c[] = "tenant:read";
	const char *codes[] = {a, c, b};
	struct vs_permset s = {codes, 3};
	vs_permset_normalise(&s);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	CU_ASSERT_STRING_EQUAL(ut_str(s.codes[0]), "tenant:read");
	CU_ASSERT_STRING_EQUAL(ut_str(s.codes[1]), "user:read");
	/* Zero and one element are left alone. */
	const char *one[] = {"x:y"};
	struct vs_permset single = {one, 1}, empty = {NULL, 0};
	vs_permset_normalise(&single);
	vs_permset_normalise(&empty);
	CU_ASSERT_EQUAL(single.n, 1);
	CU_ASSERT_EQUAL(empty.n, 0);
	/* Two equal elements become one. */
	const char *pair[] = {"x:y", "x:y"};
	struct vs_permset twice = {pair, 2};
	vs_permset_normalise(&twice);
	CU_ASSERT_EQUAL(twice.n, 1);
}

/* ---- rules ---- */

static void test_rbac_permission_rule_needs_every_code(void)
{
	const struct vs_rule rule = {VS_RULE_PERMISSION, {"role:read", "user:read"}};
	const char *both[] = {"role:read", "user:read", "vm:read"};
	const char *first[] = {"role:read"};
	const char *second[] = {"user:read", "vm:read"};
	struct vs_principal p_both = holding(both, 3), p_first = holding(first, 1),
			    p_second = holding(second, 2), p_none = holding(NULL, 0);
	CU_ASSERT_TRUE(vs_principal_allowed(&p_both, &rule));
	CU_ASSERT_FALSE(vs_principal_allowed(&p_first, &rule));
	CU_ASSERT_FALSE(vs_principal_allowed(&p_second, &rule));
	CU_ASSERT_FALSE(vs_principal_allowed(&p_none, &rule));
	/* One code: the usual route rule. */
	const struct vs_rule one = {VS_RULE_PERMISSION, {"user:read"}};
	CU_ASSERT_TRUE(vs_principal_allowed(&p_second, &one));
	CU_ASSERT_FALSE(vs_principal_allowed(&p_first, &one));
}

static void test_rbac_permission_rule_reads_all_slots(void)
{
	/* VS_RULE_MAX_PERMISSIONS codes, no NULL end: the last one still counts. */
	const struct vs_rule full = {VS_RULE_PERMISSION, {"a:1", "a:2", "a:3", "a:4"}};
	const char *three[] = {"a:1", "a:2", "a:3"};
	const char *four[] = {"a:1", "a:2", "a:3", "a:4"};
	struct vs_principal p3 = holding(three, 3), p4 = holding(four, 4);
	CU_ASSERT_FALSE(vs_principal_allowed(&p3, &full));
	CU_ASSERT_TRUE(vs_principal_allowed(&p4, &full));
	const struct vs_rule any_last = {VS_RULE_ANY_OF, {"b:1", "b:2", "b:3", "a:4"}};
	CU_ASSERT_TRUE(vs_principal_allowed(&p4, &any_last));
	CU_ASSERT_FALSE(vs_principal_allowed(&p3, &any_last));
}

static void test_rbac_any_of_rule_needs_one_code(void)
{
	const struct vs_rule rule = {VS_RULE_ANY_OF, {"audit:read", "billing:read"}};
	const char *audit[] = {"audit:read"};
	const char *billing[] = {"billing:read", "vm:read"};
	const char *neither[] = {"user:read", "vm:read"};
	struct vs_principal p_audit = holding(audit, 1), p_billing = holding(billing, 2),
			    p_neither = holding(neither, 2), p_none = holding(NULL, 0);
	CU_ASSERT_TRUE(vs_principal_allowed(&p_audit, &rule));
	CU_ASSERT_TRUE(vs_principal_allowed(&p_billing, &rule));
	CU_ASSERT_FALSE(vs_principal_allowed(&p_neither, &rule));
	CU_ASSERT_FALSE(vs_principal_allowed(&p_none, &rule));
}

static void test_rbac_superuser_passes_every_rule_anonymous_only_public(void)
{
	const struct vs_rule rules[] = {
	    {VS_RULE_PUBLIC, {NULL}},
	    {VS_RULE_AUTHENTICATED, {NULL}},
	    {VS_RULE_PERMISSION, {"tenant:delete"}},
	    {VS_RULE_PERMISSION, {"tenant:delete", "broadcast:manage"}},
	    {VS_RULE_ANY_OF, {"audit:read", "billing:read"}},
	};
	struct vs_principal superuser = {.authenticated = true, .user.is_superuser = true};
	const struct vs_principal anonymous = {0};
	/* A half-filled principal: superuser flag but never authenticated. */
	const struct vs_principal forged = {.user.is_superuser = true};
	for (size_t i = 0; i < N(rules); i++) {
		CU_ASSERT_TRUE(vs_principal_allowed(&superuser, &rules[i]));
		CU_ASSERT_EQUAL(vs_principal_allowed(&anonymous, &rules[i]),
				rules[i].kind == VS_RULE_PUBLIC);
		CU_ASSERT_EQUAL(vs_principal_allowed(&forged, &rules[i]),
				rules[i].kind == VS_RULE_PUBLIC);
	}
	/* Anonymous, even holding codes (never loaded that way, but the check must not care). */
	const char *codes[] = {"audit:read", "tenant:delete"};
	struct vs_principal anon_codes = holding(codes, 2);
	anon_codes.authenticated = false;
	CU_ASSERT_FALSE(vs_principal_allowed(&anon_codes, &rules[2]));
	CU_ASSERT_FALSE(vs_principal_allowed(&anon_codes, &rules[4]));
	CU_ASSERT_FALSE(vs_principal_allowed(&anon_codes, &rules[1]));
}

/* ---- may grant ---- */

static void test_rbac_may_grant_subsets_only(void)
{
	const char *held[] = {"role:read", "user:read", "vm:read"};
	struct vs_principal p = holding(held, 3);
	const char *subset[] = {"user:read", "vm:read"};
	const char *superset[] = {"role:read", "user:read", "vm:create", "vm:read"};
	const char *other[] = {"vm:create"};
	struct vs_permset s_subset = {subset, 2}, s_same = {held, 3}, s_superset = {superset, 4},
			  s_other = {other, 1}, s_empty = {NULL, 0};
	CU_ASSERT_TRUE(vs_principal_may_grant(&p, &s_subset));
	CU_ASSERT_TRUE(vs_principal_may_grant(&p, &s_same));
	CU_ASSERT_TRUE(vs_principal_may_grant(&p, &s_empty));
	CU_ASSERT_FALSE(vs_principal_may_grant(&p, &s_superset));
	CU_ASSERT_FALSE(vs_principal_may_grant(&p, &s_other));

	struct vs_principal root = {.authenticated = true, .user.is_superuser = true};
	CU_ASSERT_TRUE(vs_principal_may_grant(&root, &s_superset));
	CU_ASSERT_TRUE(vs_principal_may_grant(&root, &s_other));
	const struct vs_principal anonymous = {0}, forged = {.user.is_superuser = true};
	CU_ASSERT_FALSE(vs_principal_may_grant(&anonymous, &s_empty));
	CU_ASSERT_FALSE(vs_principal_may_grant(&forged, &s_other));
}



static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_rbac_permset_has),
	    UT_TEST(test_rbac_permset_has_all_and_any),
	    UT_TEST(test_rbac_permset_normalise_sorts_and_removes_duplicates),
	    UT_TEST(test_rbac_permset_normalise_compares_by_value),
	    UT_TEST(test_rbac_permission_rule_needs_every_code),
	    UT_TEST(test_rbac_permission_rule_reads_all_slots),
	    UT_TEST(test_rbac_any_of_rule_needs_one_code),
	    UT_TEST(test_rbac_superuser_passes_every_rule_anonymous_only_public),
	    UT_TEST(test_rbac_may_grant_subsets_only),
	    UT_END,
	};
	ut_add_suite("auth: rbac", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
