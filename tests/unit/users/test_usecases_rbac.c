/* lib/app/users.c under RBAC: what a tenant admin (not a superuser) may change of other
 * users (names only; nothing of a superuser), and user creation with a role the creator
 * could not grant. Each call runs inside a request session (world.h). */
#include "suites.h"

#include "fakes/world.h"
#include "users/messages.h"
#include "users/usecases.h"

#include <stdlib.h>
#include <string.h>

#define SUPERUSER_FIELD VS_MSG_SUPERUSER_FIELD

static struct vs_opt_str opt(const char *s)
{
	return (struct vs_opt_str){.set = true, .p = s, .len = strlen(s)};
}

static enum vs_err update(struct world *w, const vs_uuid *as, const vs_uuid *id,
			  const struct vs_user_input *in, struct vs_error *e)
{
	struct vs_user out;
	const struct vs_principal *p = world_enter(w, as, &w->acme);
	enum vs_err rc = vs_users_update(&w->app, w->a, p, id, &w->acme, in, &out, e);
	CU_ASSERT_EQUAL(world_leave(w, rc == VS_OK), VS_OK);
	return rc;
}

static void test_users_tenant_admin_cannot_change_identity_fields(void)
{
	struct world w;
	world_init(&w);
	const struct vs_user_input inputs[] = {
	    {.email = opt("ann2@example.com")},
	    {.password = opt("a brand new password")},
	    {.is_active = {.set = true, .v = false}},
	    {.is_active = {.set = true, .v = true}}, /* even the value it has */
	    {.is_superuser = {.set = true, .v = true}},
	    {.first_name = opt("Ann"), .email = opt("ann2@example.com")}, /* mixed with names */
	};
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct vs_error e = {0};
		CU_ASSERT_EQUAL(update(&w, &w.admin, &w.ann, &inputs[i], &e), VS_FORBIDDEN);
		CU_ASSERT_EQUAL(e.code, VS_FORBIDDEN);
		CU_ASSERT_STRING_EQUAL(ut_str(e.detail), SUPERUSER_FIELD);
		CU_ASSERT_EQUAL(fake_called(w.db, "users.update"), 0);
	}
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	/* A superuser may. */
	struct vs_error ok = {0};
	CU_ASSERT_EQUAL(update(&w, &w.root, &w.ann, &inputs[0], &ok), VS_OK);
	CU_ASSERT_STRING_EQUAL(ut_str(fake_user(w.db, &w.ann)->email), "ann2@example.com");
	CU_ASSERT_EQUAL(update(&w, &w.root, &w.ann, &inputs[2], &ok), VS_OK);
	CU_ASSERT_FALSE(fake_user(w.db, &w.ann)->is_active);
	FAKE_ASSERT_TX_CLEAN(w.db);
	free(before);
	world_free(&w);
}

static void test_users_tenant_admin_edits_names_but_not_of_a_superuser(void)
{
	struct world w;
	world_init(&w);
	struct vs_user_input names = {.first_name = opt("Annabel"), .last_name = opt("Lee")};
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(update(&w, &w.admin, &w.ann, &names, &e), VS_OK);
	CU_ASSERT_STRING_EQUAL(ut_str(fake_user(w.db, &w.ann)->first_name), "Annabel");
	CU_ASSERT_STRING_EQUAL(ut_str(fake_user(w.db, &w.ann)->last_name), "Lee");

	/* A superuser who is also a member of acme: nothing of theirs, names included. */
	fake_seed_grant(w.db, &w.acme, &w.root, &w.member);
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	struct vs_error no = {0};
	CU_ASSERT_EQUAL(update(&w, &w.admin, &w.root, &names, &no), VS_FORBIDDEN);
	CU_ASSERT_EQUAL(no.code, VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(no.detail), SUPERUSER_FIELD);
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	/* Someone outside the tenant is not found, whatever is asked. */
	struct vs_error nf = {0};
	CU_ASSERT_EQUAL(update(&w, &w.admin, &w.gus, &names, &nf), VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(nf.detail), "User not found");
	FAKE_ASSERT_TX_CLEAN(w.db);
	free(before);
	world_free(&w);
}

static enum vs_err create(struct world *w, const vs_uuid *as, const struct vs_user_input *in,
			  struct vs_user *out, struct vs_error *e)
{
	const struct vs_principal *p = world_enter(w, as, &w->acme);
	enum vs_err rc = vs_users_create(&w->app, w->a, p, &w->acme, in, out, e);
	CU_ASSERT_EQUAL(world_leave(w, rc == VS_OK), VS_OK);
	return rc;
}

static void test_users_create_with_role_beyond_the_creator_leaves_no_user(void)
{
	struct world w;
	world_init(&w);
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	/* manager lacks vm:create (Ops) and most of Tenant Admin. */
	const vs_uuid *beyond[] = {&w.acme_ops, &w.tenant_admin};
	for (size_t i = 0; i < 2; i++) {
		struct vs_user_input in = {.email = opt("new@example.com"),
					   .password = opt("a brand new password"),
					   .role_id = {.set = true, .v = *beyond[i]}};
		struct vs_user u;
		struct vs_error e = {0};
		CU_ASSERT_EQUAL(create(&w, &w.manager, &in, &u, &e), VS_FORBIDDEN);
		CU_ASSERT_EQUAL(e.code, VS_FORBIDDEN);
		CU_ASSERT_STRING_EQUAL(ut_str(e.detail),
				       "You cannot grant permissions you do not hold.");
		CU_ASSERT_EQUAL(fake_called(w.db, "assignments.grant"), 0);
		CU_ASSERT_PTR_NULL(fake_user_by_email(w.db, "new@example.com"));
		CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	}
	/* Globex's role: as if it did not exist. */
	struct vs_user_input foreign = {.email = opt("new@example.com"),
					.password = opt("a brand new password"),
					.role_id = {.set = true, .v = w.globex_ops}};
	struct vs_user u;
	struct vs_error nf = {0};
	CU_ASSERT_EQUAL(create(&w, &w.admin, &foreign, &u, &nf), VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(nf.detail), "Role not found");
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	FAKE_ASSERT_TX_CLEAN(w.db);
	free(before);
	world_free(&w);
}

static void test_users_create_with_grantable_roles(void)
{
	struct world w;
	world_init(&w);
	/* Member (the default) is within what manager holds. */
	struct vs_user_input in = {.email = opt("new@example.com"),
				   .password = opt("a brand new password")};
	struct vs_user u;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(create(&w, &w.manager, &in, &u, &e), VS_OK);
	CU_ASSERT_TRUE(fake_has_grant(w.db, &w.acme, &u.id, &w.member));
	/* The tenant admin may hand on Ops. */
	struct vs_user_input ops = {.email = opt("ops@example.com"),
				    .password = opt("a brand new password"),
				    .role_id = {.set = true, .v = w.acme_ops}};
	CU_ASSERT_EQUAL_FATAL(create(&w, &w.admin, &ops, &u, &e), VS_OK);
	CU_ASSERT_TRUE(fake_has_grant(w.db, &w.acme, &u.id, &w.acme_ops));
	CU_ASSERT_EQUAL(fake_grants_of(w.db, &w.acme, &u.id), 1);
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

struct create_ctx {
	struct vs_user_input in;
};

static enum vs_err create_fn(struct world *w, const struct vs_principal *p, void *ctx,
			     struct vs_error *e)
{
	struct vs_user u;
	return vs_users_create(&w->app, w->a, p, &w->acme, &((struct create_ctx *)ctx)->in, &u, e);
}

static enum vs_err update_fn(struct world *w, const struct vs_principal *p, void *ctx,
			     struct vs_error *e)
{
	struct vs_user u;
	return vs_users_update(&w->app, w->a, p, &w->ann, &w->acme,
			       &((struct create_ctx *)ctx)->in, &u, e);
}

static void test_users_rbac_fail_cleanly_on_each_repository_fault(void)
{
	struct world w;
	world_init(&w);
	struct create_ctx c = {{.email = opt("faulty@example.com"),
				.password = opt("a brand new password")}};
	/* begin, principal, users.insert, audit, system_role, roles.get, grant, audit,
	 * users.get, commit */
	CU_ASSERT_EQUAL(world_inject(&w, "users create (manager)", &w.manager, &w.acme,
				     create_fn, &c),
			10);
	struct create_ctx u = {{.first_name = opt("Annie")}};
	/* begin, principal, is_member, users.get (the target), users.update (with the row
	 * before), audit, commit */
	CU_ASSERT_EQUAL(world_inject(&w, "users update (admin)", &w.admin, &w.acme, update_fn, &u),
			7);
	world_free(&w);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_users_tenant_admin_cannot_change_identity_fields),
	    UT_TEST(test_users_tenant_admin_edits_names_but_not_of_a_superuser),
	    UT_TEST(test_users_create_with_role_beyond_the_creator_leaves_no_user),
	    UT_TEST(test_users_create_with_grantable_roles),
	    UT_TEST(test_users_rbac_fail_cleanly_on_each_repository_fault),
	    UT_END,
	};
	ut_add_suite("users: use cases under rbac", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
