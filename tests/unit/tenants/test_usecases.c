/* lib/app/tenants.c under RBAC: GET /tenants lists memberships (all tenants for a
 * superuser), and GET /tenants/slug/{slug} checks tenant:read in the tenant the slug names
 * (its route is "any authenticated"), answering 404 to non-members as for a missing slug. */
#include "suites.h"

#include "fakes/world.h"
#include "tenants/usecases.h"

#include <string.h>

static enum vs_err by_slug(struct world *w, const vs_uuid *as, const char *slug,
			   struct vs_tenant *out, struct vs_error *e)
{
	const struct vs_principal *p = world_enter(w, as, NULL);
	enum vs_err rc = vs_tenants_get_by_slug(&w->app, w->a, p, slug, out, e);
	CU_ASSERT_EQUAL(world_leave(w, rc == VS_OK), VS_OK);
	return rc;
}

static void test_tenants_by_slug_needs_tenant_read_there(void)
{
	struct world w;
	world_init(&w);
	struct vs_tenant t;
	struct vs_error e = {0};
	/* ann holds Member (tenant:read) in acme. */
	CU_ASSERT_EQUAL_FATAL(by_slug(&w, &w.ann, "acme", &t, &e), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&t.id, &w.acme));
	CU_ASSERT_STRING_EQUAL(ut_str(t.name), "Acme");
	/* A member whose roles there lack tenant:read. */
	vs_uuid opsy = fake_seed_user(w.db, "opsy@example.com", fake_password_hash(), true, false);
	fake_seed_grant(w.db, &w.acme, &opsy, &w.acme_ops);
	struct vs_error no = {0};
	CU_ASSERT_EQUAL(by_slug(&w, &opsy, "acme", &t, &no), VS_FORBIDDEN);
	CU_ASSERT_EQUAL(no.code, VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(no.detail), "Not enough permissions");
	/* tenant:read held in another tenant does not count here. */
	struct vs_error other = {0};
	CU_ASSERT_EQUAL(by_slug(&w, &w.gus, "acme", &t, &other), VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(other.detail), "Tenant acme not found.");
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

static void test_tenants_by_slug_non_member_is_like_missing(void)
{
	struct world w;
	world_init(&w);
	struct vs_tenant t;
	struct vs_error outsider = {0}, missing = {0};
	CU_ASSERT_EQUAL(by_slug(&w, &w.loner, "globex", &t, &outsider), VS_NOTFOUND);
	CU_ASSERT_EQUAL(by_slug(&w, &w.loner, "initech", &t, &missing), VS_NOTFOUND);
	CU_ASSERT_EQUAL(outsider.code, VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(outsider.detail), "Tenant globex not found.");
	CU_ASSERT_STRING_EQUAL(ut_str(missing.detail), "Tenant initech not found.");
	/* A superuser sees every tenant, with no role lookup. */
	struct vs_error ok = {0};
	CU_ASSERT_EQUAL(by_slug(&w, &w.root, "globex", &t, &ok), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&t.id, &w.globex));
	CU_ASSERT_EQUAL(fake_called(w.db, "users.principal"), 0); /* after the session's own */
	world_free(&w);
}

static const struct vs_list_at first20 = { .limit = 20 };

static void test_tenants_list_is_memberships_or_everything(void)
{
	struct world w;
	world_init(&w);
	struct {
		const vs_uuid *who;
		int64_t total;
	} cases[] = {{&w.ann, 1}, {&w.gus, 1}, {&w.loner, 0}, {&w.root, 2}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vs_tenant_page page;
		struct vs_error e = {0};
		const struct vs_principal *p = world_enter(&w, cases[i].who, NULL);
		CU_ASSERT_EQUAL_FATAL(vs_tenants_list(&w.app, w.a, p, &first20, &page, &e), VS_OK);
		CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
		CU_ASSERT_EQUAL(page.end.total, cases[i].total);
		CU_ASSERT_EQUAL(page.n, (size_t)cases[i].total);
	}
	struct vs_tenant_page page;
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(&w, &w.gus, NULL);
	CU_ASSERT_EQUAL_FATAL(vs_tenants_list(&w.app, w.a, p, &first20, &page, &e), VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_EQUAL_FATAL(page.n, 1);
	CU_ASSERT_TRUE(vs_uuid_eq(&page.items[0].id, &w.globex));
	world_free(&w);
}

static enum vs_err slug_fn(struct world *w, const struct vs_principal *p, void *ctx,
			   struct vs_error *e)
{
	struct vs_tenant t;
	return vs_tenants_get_by_slug(&w->app, w->a, p, ctx, &t, e);
}

static void test_tenants_by_slug_fails_cleanly_on_each_repository_fault(void)
{
	struct world w;
	world_init(&w);
	/* begin, principal, get_by_slug, is_member, principal (in acme), commit */
	CU_ASSERT_EQUAL(world_inject(&w, "tenant by slug", &w.ann, NULL, slug_fn, "acme"), 6);
	world_free(&w);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_tenants_by_slug_needs_tenant_read_there),
	    UT_TEST(test_tenants_by_slug_non_member_is_like_missing),
	    UT_TEST(test_tenants_list_is_memberships_or_everything),
	    UT_TEST(test_tenants_by_slug_fails_cleanly_on_each_repository_fault),
	    UT_END,
	};
	ut_add_suite("tenants: use cases", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
