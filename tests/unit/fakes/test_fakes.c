/* The fakes themselves: the use-case tests are only as good as the fakes are faithful to
 * lib/adapters/pg. The nested transaction of lib/adapters/pg/db.c, and the documented
 * semantics of the ports (lib/<module>/port.h) that the use cases rely on. */
#include "suites.h"

#include "fakes/world.h"

#include <stdlib.h>
#include <string.h>

/* A write the tests can see: ann's first name. */
static void write_something(struct world *w, const char *name)
{
	struct vs_user_changes c = {.first_name = {.set = true, .p = name, .len = strlen(name)}};
	struct vs_user out;
	CU_ASSERT_EQUAL_FATAL(w->db->users.base.ops->update(&w->db->users.base, w->a, &w->ann, &c,
							    NULL, NULL, &out),
			      VS_OK);
}

static const char *first_name(struct world *w)
{
	return fake_user(w->db, &w->ann)->first_name;
}

static void test_fake_tx_only_the_outermost_level_reaches_the_store(void)
{
	struct world w;
	world_init(&w);
	struct vs_tx *tx = w.app.tx;
	struct vs_scope scope = {.tenant = &w.acme, .user = &w.ann};
	CU_ASSERT_EQUAL(tx->ops->begin(tx, &scope), VS_OK);
	CU_ASSERT_EQUAL(tx->ops->begin(tx, NULL), VS_OK);
	CU_ASSERT_EQUAL(tx->ops->begin(tx, NULL), VS_OK);
	CU_ASSERT_EQUAL(w.db->depth, 3);
	write_something(&w, "Inner");
	CU_ASSERT_EQUAL(tx->ops->commit(tx), VS_OK);
	CU_ASSERT_EQUAL(tx->ops->commit(tx), VS_OK);
	CU_ASSERT_EQUAL(w.db->depth, 1);
	CU_ASSERT_EQUAL(fake_called(w.db, "commit"), 0);
	CU_ASSERT_EQUAL(tx->ops->commit(tx), VS_OK);
	CU_ASSERT_EQUAL(w.db->depth, 0);
	/* begin, users.update, commit: the inner levels never count (they cannot fail). */
	CU_ASSERT_EQUAL(w.db->calls, 3);
	CU_ASSERT_STRING_EQUAL(first_name(&w), "Inner");
	/* The scope is the outermost begin's, copied. */
	scope.tenant = &w.globex;
	CU_ASSERT_TRUE(w.db->scope.given && w.db->scope.has_tenant && w.db->scope.has_user);
	CU_ASSERT_TRUE(vs_uuid_eq(&w.db->scope.tenant, &w.acme));
	CU_ASSERT_TRUE(vs_uuid_eq(&w.db->scope.user, &w.ann));
	FAKE_ASSERT_TX_CLEAN(w.db);
	/* A later transaction without a scope does not inherit the previous one. */
	CU_ASSERT_EQUAL(tx->ops->begin(tx, NULL), VS_OK);
	CU_ASSERT_FALSE(w.db->scope.given || w.db->scope.has_tenant || w.db->scope.has_user);
	/* An inner begin given a scope: pg ignores it, the fake counts it. */
	CU_ASSERT_EQUAL(tx->ops->begin(tx, &scope), VS_OK);
	CU_ASSERT_EQUAL(w.db->scopes_ignored, 1);
	CU_ASSERT_FALSE(w.db->scope.has_tenant);
	tx->ops->rollback(tx);
	tx->ops->rollback(tx);
	CU_ASSERT_EQUAL(w.db->depth, 0);
	world_free(&w);
}

static void test_fake_tx_inner_rollback_dooms_the_outer_commit(void)
{
	struct world w;
	world_init(&w);
	struct vs_tx *tx = w.app.tx;
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	CU_ASSERT_EQUAL(tx->ops->begin(tx, NULL), VS_OK);
	write_something(&w, "Outer");
	CU_ASSERT_EQUAL(tx->ops->begin(tx, NULL), VS_OK);
	tx->ops->rollback(tx);
	CU_ASSERT_EQUAL(w.db->depth, 1);
	CU_ASSERT_TRUE(w.db->doomed);
	/* Nothing is undone yet (pg sends no ROLLBACK for an inner level). */
	CU_ASSERT_STRING_EQUAL(first_name(&w), "Outer");
	CU_ASSERT_EQUAL(tx->ops->commit(tx), VS_INTERNAL);
	CU_ASSERT_EQUAL(w.db->depth, 0);
	CU_ASSERT_FALSE(w.db->doomed);
	CU_ASSERT_EQUAL(w.db->doomed_commits, 1);
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	/* The next transaction starts clean. */
	CU_ASSERT_EQUAL(tx->ops->begin(tx, NULL), VS_OK);
	write_something(&w, "Later");
	CU_ASSERT_EQUAL(tx->ops->commit(tx), VS_OK);
	CU_ASSERT_STRING_EQUAL(first_name(&w), "Later");
	free(before);
	world_free(&w);
}

static void test_fake_tx_outer_rollback_undoes_committed_inner_levels(void)
{
	struct world w;
	world_init(&w);
	struct vs_tx *tx = w.app.tx;
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	CU_ASSERT_EQUAL(tx->ops->begin(tx, NULL), VS_OK);
	CU_ASSERT_EQUAL(tx->ops->begin(tx, NULL), VS_OK);
	write_something(&w, "Inner");
	CU_ASSERT_EQUAL(tx->ops->commit(tx), VS_OK);
	tx->ops->rollback(tx);
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	FAKE_ASSERT_TX_CLEAN(w.db);
	/* Misuse at depth 0: commit fails and is counted, rollback is a stray no-op. */
	CU_ASSERT_EQUAL(tx->ops->commit(tx), VS_INTERNAL);
	CU_ASSERT_EQUAL(w.db->tx_misuse, 1);
	tx->ops->rollback(tx);
	CU_ASSERT_EQUAL(w.db->stray_rollbacks, 1);
	CU_ASSERT_EQUAL(w.db->depth, 0);
	free(before);
	world_free(&w);
}

static void test_fake_tx_failures_abort_like_postgres(void)
{
	struct world w;
	world_init(&w);
	struct vs_tx *tx = w.app.tx;
	/* A failed outermost begin opens nothing. */
	w.db->fail_after = 1;
	CU_ASSERT_EQUAL(tx->ops->begin(tx, NULL), VS_UNAVAILABLE);
	CU_ASSERT_EQUAL(w.db->depth, 0);
	fake_reset_journal(w.db);
	/* A unique violation inside aborts the transaction: later calls fail, and a commit
	 * is a misuse that writes nothing. */
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	struct vs_user_changes taken = {.email = {.set = true, .p = "gus@example.com", .len = 15}};
	struct vs_user out;
	CU_ASSERT_EQUAL(tx->ops->begin(tx, NULL), VS_OK);
	write_something(&w, "Lost");
	CU_ASSERT_EQUAL(w.db->users.base.ops->update(&w.db->users.base, w.a, &w.ann, &taken, NULL,
						     NULL, &out),
			VS_CONFLICT);
	CU_ASSERT_TRUE(w.db->aborted);
	CU_ASSERT_EQUAL(w.db->users.base.ops->get(&w.db->users.base, w.a, &w.ann, NULL, &out),
			VS_UNAVAILABLE);
	CU_ASSERT_NOT_EQUAL(tx->ops->commit(tx), VS_OK);
	CU_ASSERT_EQUAL(w.db->tx_misuse, 1);
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	CU_ASSERT_EQUAL(w.db->depth, 0);
	free(before);
	world_free(&w);
}

static void test_fake_role_repo_semantics(void)
{
	struct world w;
	world_init(&w);
	struct vs_role_repo *roles = w.app.roles;
	struct vs_tx *tx = w.app.tx;
	struct vs_role r;
	/* Visibility: global roles and the tenant's own. */
	CU_ASSERT_EQUAL(roles->ops->get(roles, w.a, &w.globex_ops, &w.acme, &r), VS_NOTFOUND);
	CU_ASSERT_EQUAL(roles->ops->get(roles, w.a, &w.globex_ops, NULL, &r), VS_NOTFOUND);
	CU_ASSERT_EQUAL(roles->ops->get(roles, w.a, &w.globex_ops, &w.globex, &r), VS_OK);
	CU_ASSERT_EQUAL(roles->ops->get(roles, w.a, &w.member, NULL, &r), VS_OK);
	CU_ASSERT_EQUAL(roles->ops->get(roles, w.a, &w.member, &w.globex, &r), VS_OK);
	CU_ASSERT_EQUAL(tx->ops->begin(tx, NULL), VS_OK);
	/* Names are unique per scope. */
	struct vs_role dup = {.tenant_id = w.acme, .name = "Ops"};
	CU_ASSERT_EQUAL(roles->ops->insert(roles, w.a, &dup), VS_CONFLICT);
	tx->ops->rollback(tx);
	CU_ASSERT_EQUAL(tx->ops->begin(tx, NULL), VS_OK);
	struct vs_role other_scope = {.global = true, .name = "Ops"};
	CU_ASSERT_EQUAL(roles->ops->insert(roles, w.a, &other_scope), VS_OK);
	CU_ASSERT_TRUE(other_scope.global);
	/* A held role cannot go. */
	CU_ASSERT_EQUAL(roles->ops->remove(roles, &w.acme_managers), VS_CONFLICT);
	tx->ops->rollback(tx);
	/* The holders of a role: an unknown user is NOTFOUND (after clearing, like pg). */
	CU_ASSERT_EQUAL(tx->ops->begin(tx, NULL), VS_OK);
	vs_uuid users[2] = {w.ann};
	vs_uuid_v4(&users[1]);
	struct vs_assignment_repo *holders = w.app.assignments;
	CU_ASSERT_EQUAL(holders->ops->set_holders(holders, &w.member, &w.acme, users, 2),
			VS_NOTFOUND);
	CU_ASSERT_FALSE(fake_has_grant(w.db, &w.acme, &w.idle, &w.member));
	tx->ops->rollback(tx);
	CU_ASSERT_TRUE(fake_has_grant(w.db, &w.acme, &w.idle, &w.member));
	/* The catalogue finds by code and by UUID text. */
	struct vs_permission perm;
	struct vs_permission_repo *perms = w.app.permissions;
	CU_ASSERT_EQUAL(perms->ops->find(perms, w.a, "vm:read", &perm), VS_OK);
	CU_ASSERT_EQUAL(perms->ops->find(perms, w.a, world_id(&w, &perm.id), &perm), VS_OK);
	CU_ASSERT_STRING_EQUAL(ut_str(perm.code), "vm:read");
	CU_ASSERT_EQUAL(perms->ops->find(perms, w.a, "vm:nothing", &perm), VS_NOTFOUND);
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

static void test_fake_principal_and_assignments(void)
{
	struct world w;
	world_init(&w);
	struct vs_user_repo *users = w.app.users;
	struct vs_principal p;
	CU_ASSERT_EQUAL_FATAL(users->ops->principal(users, w.a, &w.ann, &w.acme, &p), VS_OK);
	CU_ASSERT_FALSE(p.authenticated); /* the session's to set */
	CU_ASSERT_TRUE(p.tenant_found && p.member);
	CU_ASSERT_EQUAL(p.permissions.n, 6); /* Member's codes */
	CU_ASSERT_TRUE(vs_permset_has(&p.permissions, "tenant:view_users"));
	vs_uuid ghost;
	vs_uuid_v4(&ghost);
	CU_ASSERT_EQUAL(users->ops->principal(users, w.a, &ghost, &w.acme, &p), VS_NOTFOUND);
	/* revoke: NOTFOUND when not held; system_role: seeded global system roles only. */
	struct vs_assignment_repo *m = w.app.assignments;
	struct vs_tx *tx = w.app.tx;
	CU_ASSERT_EQUAL(tx->ops->begin(tx, NULL), VS_OK);
	CU_ASSERT_EQUAL(m->ops->revoke(m, &w.acme, &w.ann, &w.viewer), VS_NOTFOUND);
	CU_ASSERT_EQUAL(m->ops->revoke(m, &w.acme, &w.ann, &w.member), VS_OK);
	CU_ASSERT_FALSE(fake_is_member(w.db, &w.acme, &w.ann));
	CU_ASSERT_EQUAL(tx->ops->commit(tx), VS_OK);
	vs_uuid id;
	struct vs_role_repo *roles = w.app.roles;
	CU_ASSERT_EQUAL(roles->ops->system_role(roles, "Viewer", &id), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&id, &w.viewer));
	CU_ASSERT_EQUAL(roles->ops->system_role(roles, "Support", &id), VS_NOTFOUND);
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_fake_tx_only_the_outermost_level_reaches_the_store),
	    UT_TEST(test_fake_tx_inner_rollback_dooms_the_outer_commit),
	    UT_TEST(test_fake_tx_outer_rollback_undoes_committed_inner_levels),
	    UT_TEST(test_fake_tx_failures_abort_like_postgres),
	    UT_TEST(test_fake_role_repo_semantics),
	    UT_TEST(test_fake_principal_and_assignments),
	    UT_END,
	};
	ut_add_suite("fakes", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
