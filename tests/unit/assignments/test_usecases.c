/* lib/app/roles.c, who holds a role: assignments (grant, revoke), the holders of a role
 * (GET and PUT /roles/{rid}/users), no escalation through them, another tenant's role and
 * (below superuser) a user outside the tenant reported as missing, and a clean rollback
 * on every repository fault. */
#include "suites.h"

#include "fakes/world.h"
#include "assignments/usecases.h"

#include <stdlib.h>
#include <string.h>

static enum vs_err grant(struct world *w, const vs_uuid *as, const vs_uuid *user,
			 const vs_uuid *role, struct vs_error *e)
{
	const struct vs_principal *p = world_enter(w, as, &w->acme);
	enum vs_err rc = vs_assignments_grant(&w->app, w->a, p, &w->acme, user, role, e);
	CU_ASSERT_EQUAL(world_leave(w, rc == VS_OK), VS_OK);
	return rc;
}

static enum vs_err revoke(struct world *w, const vs_uuid *as, const vs_uuid *user,
			  const vs_uuid *role, struct vs_error *e)
{
	const struct vs_principal *p = world_enter(w, as, &w->acme);
	enum vs_err rc = vs_assignments_revoke(&w->app, w->a, p, &w->acme, user, role, e);
	CU_ASSERT_EQUAL(world_leave(w, rc == VS_OK), VS_OK);
	return rc;
}

static enum vs_err set_holders(struct world *w, const vs_uuid *as, const vs_uuid *role,
			       const vs_uuid *users, size_t n, struct vs_error *e)
{
	const struct vs_principal *p = world_enter(w, as, &w->acme);
	enum vs_err rc = vs_assignments_set_holders(&w->app, w->a, p, role, &w->acme, users, n, e);
	CU_ASSERT_EQUAL(world_leave(w, rc == VS_OK), VS_OK);
	return rc;
}

/* ---- grant and revoke ---- */

static void test_assignments_grant_is_idempotent_and_counts_next_request(void)
{
	struct world w;
	world_init(&w);
	/* Before: ann (Member) cannot create VMs in acme. */
	CU_ASSERT_FALSE(vs_permset_has(&world_enter(&w, &w.ann, &w.acme)->permissions, "vm:create"));
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);

	struct vs_error e = {0};
	CU_ASSERT_EQUAL(grant(&w, &w.admin, &w.ann, &w.acme_ops, &e), VS_OK);
	CU_ASSERT_EQUAL(grant(&w, &w.admin, &w.ann, &w.acme_ops, &e), VS_OK);
	CU_ASSERT_EQUAL(e.code, VS_OK);
	CU_ASSERT_TRUE(fake_has_grant(w.db, &w.acme, &w.ann, &w.acme_ops));
	CU_ASSERT_EQUAL(fake_grants_of(w.db, &w.acme, &w.ann), 2); /* Member and Ops, once each */
	FAKE_ASSERT_TX_CLEAN(w.db);

	/* The next request of ann sees it. */
	const struct vs_principal *p = world_enter(&w, &w.ann, &w.acme);
	CU_ASSERT_TRUE(vs_permset_has(&p->permissions, "vm:create"));
	CU_ASSERT_TRUE(vs_permset_has(&p->permissions, "tenant:view_users"));
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);

	world_free(&w);
}

/* Only a superuser brings someone from outside into a tenant; to anyone else, a user who
 * is not a member is "not found", whether it exists elsewhere or not at all. */
static void test_assignments_outsiders_only_by_superuser(void)
{
	struct world w;
	world_init(&w);
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	const vs_uuid *outsiders[] = {&w.loner, &w.gus}; /* no tenant; globex */
	for (size_t i = 0; i < 2; i++) {
		struct vs_error g = {0}, h = {0}, r = {0};
		CU_ASSERT_EQUAL(grant(&w, &w.admin, outsiders[i], &w.viewer, &g), VS_NOTFOUND);
		CU_ASSERT_EQUAL(g.code, VS_NOTFOUND);
		CU_ASSERT_STRING_EQUAL(ut_str(g.detail), "User not found");
		CU_ASSERT_EQUAL(set_holders(&w, &w.admin, &w.viewer, outsiders[i], 1, &h),
				VS_NOTFOUND);
		CU_ASSERT_STRING_EQUAL(ut_str(h.detail), "User not found");
		CU_ASSERT_EQUAL(revoke(&w, &w.admin, outsiders[i], &w.member, &r), VS_NOTFOUND);
		CU_ASSERT_STRING_EQUAL(ut_str(r.detail), "User not found");
	}
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	/* A superuser may, and the user becomes a member there only. */
	struct vs_error ok = {0};
	CU_ASSERT_EQUAL(grant(&w, &w.root, &w.loner, &w.viewer, &ok), VS_OK);
	CU_ASSERT_TRUE(fake_is_member(w.db, &w.acme, &w.loner));
	CU_ASSERT_FALSE(fake_is_member(w.db, &w.globex, &w.loner));
	const vs_uuid gus[] = {w.gus};
	CU_ASSERT_EQUAL(set_holders(&w, &w.root, &w.acme_ops, gus, 1, &ok), VS_OK);
	CU_ASSERT_TRUE(fake_has_grant(w.db, &w.acme, &w.gus, &w.acme_ops));
	/* Once a member, the tenant admin sees them. */
	CU_ASSERT_EQUAL(revoke(&w, &w.admin, &w.loner, &w.viewer, &ok), VS_OK);
	FAKE_ASSERT_TX_CLEAN(w.db);
	free(before);
	world_free(&w);
}

static void test_assignments_revoke_then_missing_is_404(void)
{
	struct world w;
	world_init(&w);
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(revoke(&w, &w.admin, &w.manager, &w.viewer, &e), VS_OK);
	CU_ASSERT_FALSE(fake_has_grant(w.db, &w.acme, &w.manager, &w.viewer));
	CU_ASSERT_TRUE(fake_has_grant(w.db, &w.acme, &w.manager, &w.acme_managers));

	struct fake_store *before = WORLD_SNAPSHOT(&w);
	struct vs_error again = {0}, never = {0};
	CU_ASSERT_EQUAL(revoke(&w, &w.admin, &w.manager, &w.viewer, &again), VS_NOTFOUND);
	CU_ASSERT_EQUAL(again.code, VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(again.detail), "Role assignment not found");
	/* A member who never held that role. */
	CU_ASSERT_EQUAL(revoke(&w, &w.admin, &w.ann, &w.viewer, &never), VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(never.detail), "Role assignment not found");
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	FAKE_ASSERT_TX_CLEAN(w.db);
	free(before);
	world_free(&w);
}

static void test_assignments_foreign_or_unknown_role_and_user_are_404(void)
{
	struct world w;
	world_init(&w);
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	vs_uuid ghost;
	vs_uuid_v4(&ghost);
	/* Globex's role in acme: as if it did not exist, for grant and revoke alike. */
	const vs_uuid *roles[] = {&w.globex_ops, &ghost};
	for (size_t i = 0; i < 2; i++) {
		struct vs_error g = {0}, r = {0};
		CU_ASSERT_EQUAL(grant(&w, &w.admin, &w.ann, roles[i], &g), VS_NOTFOUND);
		CU_ASSERT_EQUAL(g.code, VS_NOTFOUND);
		CU_ASSERT_STRING_EQUAL(ut_str(g.detail), "Role not found");
		CU_ASSERT_EQUAL(revoke(&w, &w.admin, &w.ann, roles[i], &r), VS_NOTFOUND);
		CU_ASSERT_STRING_EQUAL(ut_str(r.detail), "Role not found");
	}
	/* Even a superuser cannot put globex's role on someone in acme. */
	struct vs_error root_e = {0};
	CU_ASSERT_EQUAL(grant(&w, &w.root, &w.gus, &w.globex_ops, &root_e), VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(root_e.detail), "Role not found");
	struct vs_error u = {0};
	CU_ASSERT_EQUAL(grant(&w, &w.admin, &ghost, &w.member, &u), VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(u.detail), "User not found");
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	CU_ASSERT_EQUAL(fake_called(w.db, "assignments.grant"), 0);
	FAKE_ASSERT_TX_CLEAN(w.db);
	free(before);
	world_free(&w);
}

static void test_assignments_no_escalation(void)
{
	struct world w;
	world_init(&w);
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	/* manager lacks vm:create (Ops) and most of Tenant Admin. */
	const vs_uuid *beyond[] = {&w.acme_ops, &w.tenant_admin};
	for (size_t i = 0; i < 2; i++) {
		struct vs_error g = {0}, r = {0};
		CU_ASSERT_EQUAL(grant(&w, &w.manager, &w.ann, beyond[i], &g), VS_FORBIDDEN);
		CU_ASSERT_EQUAL(g.code, VS_FORBIDDEN);
		CU_ASSERT_STRING_EQUAL(ut_str(g.detail),
				       "You cannot grant permissions you do not hold.");
		/* Nor take away what it could not give. */
		CU_ASSERT_EQUAL(revoke(&w, &w.manager, &w.admin, &w.tenant_admin, &r),
				VS_FORBIDDEN);
	}
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	/* Support (user:read tenant:read) is within what manager holds. */
	struct vs_error ok = {0};
	CU_ASSERT_EQUAL(grant(&w, &w.manager, &w.ann, &w.support, &ok), VS_OK);
	CU_ASSERT_TRUE(fake_has_grant(w.db, &w.acme, &w.ann, &w.support));
	FAKE_ASSERT_TX_CLEAN(w.db);
	free(before);
	world_free(&w);
}

/* ---- holders ---- */

static void test_assignments_holders_lists_the_tenants_holders(void)
{
	struct world w;
	world_init(&w);
	vs_uuid *ids = NULL;
	size_t n = 99;
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(&w, &w.ann, &w.acme);
	CU_ASSERT_EQUAL_FATAL(vs_assignments_holders(&w.app, w.a, p, &w.member, &w.acme, &ids, &n, &e),
			      VS_OK);
	/* ann and idle hold Member in acme; gus holds it in globex only. */
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_TRUE(vs_uuid_eq(&ids[0], &w.ann));
	CU_ASSERT_TRUE(vs_uuid_eq(&ids[1], &w.idle));
	struct vs_error nf = {0};
	CU_ASSERT_EQUAL(vs_assignments_holders(&w.app, w.a, p, &w.globex_ops, &w.acme, &ids, &n, &nf),
			VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(nf.detail), "Role not found");
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	/* Holders are per tenant: a superuser without one is asked for it. */
	struct vs_error bad = {0};
	p = world_enter(&w, &w.root, NULL);
	CU_ASSERT_EQUAL(vs_assignments_holders(&w.app, w.a, p, &w.member, NULL, &ids, &n, &bad),
			VS_BADREQ);
	CU_ASSERT_STRING_EQUAL(ut_str(bad.detail), "X-Tenant-ID header is required.");
	struct vs_error bad2 = {0};
	vs_uuid one = w.ann;
	CU_ASSERT_EQUAL(vs_assignments_set_holders(&w.app, w.a, p, &w.member, NULL, &one, 1, &bad2),
			VS_BADREQ);
	CU_ASSERT_STRING_EQUAL(ut_str(bad2.detail), "X-Tenant-ID header is required.");
	CU_ASSERT_EQUAL(world_leave(&w, false), VS_OK);
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

static void test_assignments_set_holders_replaces_them(void)
{
	struct world w;
	world_init(&w);
	struct vs_error e = {0};
	const vs_uuid first[] = {w.ann, w.idle, w.ann}; /* a duplicate collapses */
	CU_ASSERT_EQUAL(set_holders(&w, &w.admin, &w.acme_ops, first, 3, &e), VS_OK);
	CU_ASSERT_EQUAL(fake_holders_of(w.db, &w.acme_ops, &w.acme), 2);
	CU_ASSERT_TRUE(fake_has_grant(w.db, &w.acme, &w.ann, &w.acme_ops));
	CU_ASSERT_TRUE(fake_has_grant(w.db, &w.acme, &w.idle, &w.acme_ops));
	const vs_uuid second[] = {w.idle};
	CU_ASSERT_EQUAL(set_holders(&w, &w.admin, &w.acme_ops, second, 1, &e), VS_OK);
	CU_ASSERT_EQUAL(fake_holders_of(w.db, &w.acme_ops, &w.acme), 1);
	CU_ASSERT_FALSE(fake_has_grant(w.db, &w.acme, &w.ann, &w.acme_ops));
	CU_ASSERT_TRUE(fake_has_grant(w.db, &w.acme, &w.ann, &w.member)); /* other roles stay */
	CU_ASSERT_EQUAL(set_holders(&w, &w.admin, &w.acme_ops, NULL, 0, &e), VS_OK);
	CU_ASSERT_EQUAL(fake_holders_of(w.db, &w.acme_ops, &w.acme), 0);
	/* A global role's holders are replaced in acme only. */
	const vs_uuid only_ann[] = {w.ann};
	CU_ASSERT_EQUAL(set_holders(&w, &w.admin, &w.member, only_ann, 1, &e), VS_OK);
	CU_ASSERT_EQUAL(fake_holders_of(w.db, &w.member, &w.acme), 1);
	CU_ASSERT_TRUE(fake_has_grant(w.db, &w.globex, &w.gus, &w.member));
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

static void test_assignments_set_holders_unknown_user_is_404_and_changes_nothing(void)
{
	struct world w;
	world_init(&w);
	vs_uuid ghost;
	vs_uuid_v4(&ghost);
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	const vs_uuid users[] = {w.ann, ghost};
	/* For a superuser too, who may bring in anyone who exists. */
	const vs_uuid *callers[] = {&w.admin, &w.root};
	for (size_t i = 0; i < 2; i++) {
		struct vs_error e = {0};
		CU_ASSERT_EQUAL(set_holders(&w, callers[i], &w.member, users, 2, &e), VS_NOTFOUND);
		CU_ASSERT_EQUAL(e.code, VS_NOTFOUND);
		CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "User not found");
		/* idle still holds Member: nothing was replaced. */
		CU_ASSERT_TRUE(fake_has_grant(w.db, &w.acme, &w.idle, &w.member));
		CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
		FAKE_ASSERT_TX_CLEAN(w.db);
	}
	free(before);
	world_free(&w);
}

static void drop_ctx_user(struct fake_db *db, void *ctx)
{
	fake_drop_user(db, ctx);
}

/* A holder deleted by another request between the check and the write: the repository
 * finds fewer users than asked (after clearing the old holders), and the use case must
 * answer 404 and leave the holders as they were (less the deleted user). */
static void test_assignments_set_holders_user_gone_meanwhile_is_404_and_rolled_back(void)
{
	struct world w;
	world_init(&w);
	/* What the store must be afterwards: as now, without manager. */
	struct fake_db *scratch = fake_db_new();
	scratch->store = w.db->store;
	fake_drop_user(scratch, &w.manager);
	fake_on_call(w.db, "assignments.set_holders", drop_ctx_user, &w.manager);
	const vs_uuid users[] = {w.ann, w.manager};
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(set_holders(&w, &w.admin, &w.member, users, 2, &e), VS_NOTFOUND);
	CU_ASSERT_EQUAL(e.code, VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "User not found");
	CU_ASSERT_PTR_NULL(fake_user(w.db, &w.manager)); /* the hook ran */
	CU_ASSERT_TRUE(fake_has_grant(w.db, &w.acme, &w.idle, &w.member));
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, &scratch->store));
	CU_ASSERT_EQUAL(fake_called(w.db, "tx.nested_rollback"), 1);
	FAKE_ASSERT_TX_CLEAN(w.db);
	fake_db_free(scratch);
	world_free(&w);
}

static void test_assignments_set_holders_checks_role_and_grant(void)
{
	struct world w;
	world_init(&w);
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	const vs_uuid users[] = {w.ann};
	struct vs_error no = {0}, nf = {0};
	CU_ASSERT_EQUAL(set_holders(&w, &w.manager, &w.tenant_admin, users, 1, &no),
			VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(no.detail), "You cannot grant permissions you do not hold.");
	CU_ASSERT_EQUAL(set_holders(&w, &w.admin, &w.globex_ops, users, 1, &nf), VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(nf.detail), "Role not found");
	CU_ASSERT_EQUAL(fake_called(w.db, "assignments.set_holders"), 0);
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	FAKE_ASSERT_TX_CLEAN(w.db);
	free(before);
	world_free(&w);
}

/* ---- faults ---- */

struct assign_ctx {
	const vs_uuid *user, *role;
};

static enum vs_err grant_fn(struct world *w, const struct vs_principal *p, void *ctx,
			    struct vs_error *e)
{
	struct assign_ctx *c = ctx;
	return vs_assignments_grant(&w->app, w->a, p, &w->acme, c->user, c->role, e);
}

static enum vs_err revoke_fn(struct world *w, const struct vs_principal *p, void *ctx,
			     struct vs_error *e)
{
	struct assign_ctx *c = ctx;
	return vs_assignments_revoke(&w->app, w->a, p, &w->acme, c->user, c->role, e);
}

static enum vs_err holders_fn(struct world *w, const struct vs_principal *p, void *ctx,
			      struct vs_error *e)
{
	struct assign_ctx *c = ctx;
	vs_uuid *ids;
	size_t n;
	enum vs_err rc = vs_assignments_holders(&w->app, w->a, p, c->role, &w->acme, &ids, &n, e);
	if (rc == VS_OK)
		rc = vs_assignments_set_holders(&w->app, w->a, p, c->role, &w->acme, c->user, 1, e);
	return rc;
}

static void test_assignments_fail_cleanly_on_each_repository_fault(void)
{
	struct world w;
	world_init(&w);
	struct assign_ctx g = {&w.ann, &w.acme_ops};
	/* begin, principal, is_member, roles.get, memberships.grant, audit, commit */
	CU_ASSERT_EQUAL(world_inject(&w, "assignments grant", &w.admin, &w.acme, grant_fn, &g), 7);
	struct assign_ctx r = {&w.manager, &w.viewer};
	/* begin, principal, is_member, roles.get, memberships.revoke, audit, commit */
	CU_ASSERT_EQUAL(world_inject(&w, "assignments revoke", &w.admin, &w.acme, revoke_fn, &r),
			7);
	struct assign_ctx h = {&w.ann, &w.acme_ops};
	/* begin, principal, roles.get, holders, roles.get, is_member, holders (before),
	 * set_holders, audit, commit */
	CU_ASSERT_EQUAL(world_inject(&w, "role holders", &w.admin, &w.acme, holders_fn, &h), 10);
	/* A superuser bringing someone in: users.get instead of is_member. */
	struct assign_ctx su = {&w.loner, &w.acme_ops};
	CU_ASSERT_EQUAL(world_inject(&w, "assignments grant (superuser)", &w.root, &w.acme,
				     grant_fn, &su),
			7);
	world_free(&w);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_assignments_grant_is_idempotent_and_counts_next_request),
	    UT_TEST(test_assignments_outsiders_only_by_superuser),
	    UT_TEST(test_assignments_revoke_then_missing_is_404),
	    UT_TEST(test_assignments_foreign_or_unknown_role_and_user_are_404),
	    UT_TEST(test_assignments_no_escalation),
	    UT_TEST(test_assignments_holders_lists_the_tenants_holders),
	    UT_TEST(test_assignments_set_holders_replaces_them),
	    UT_TEST(test_assignments_set_holders_unknown_user_is_404_and_changes_nothing),
	    UT_TEST(test_assignments_set_holders_user_gone_meanwhile_is_404_and_rolled_back),
	    UT_TEST(test_assignments_set_holders_checks_role_and_grant),
	    UT_TEST(test_assignments_fail_cleanly_on_each_repository_fault),
	    UT_END,
	};
	ut_add_suite("assignments: use cases", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
