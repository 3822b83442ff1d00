/* lib/app/users.c on fake repositories: creation with a tenant role, the superuser rules,
 * self-service limits, deletion, and a clean rollback on every repository fault. */
#include "suites.h"

#include "fakes/fakes.h"
#include "users/messages.h"
#include "users/usecases.h"

#include <stdlib.h>
#include <string.h>

#define NEW_PASSWORD "a new password"

struct env {
	struct fake_db *db;
	struct vs_app app;
	struct vs_arena *a;
	vs_uuid acme, globex;	       /* tenants */
	vs_uuid member, viewer;	       /* global system roles (no permissions here) */
	vs_uuid acme_ops, globex_ops;  /* each tenant's own role */
	vs_uuid root, admin, ann, out; /* root: superuser; admin, ann: acme members; out: none */
	struct vs_principal as_root, as_admin, as_ann;
};

static struct vs_principal principal_of(const vs_uuid *id, bool superuser)
{
	struct vs_principal p = {.authenticated = true};
	p.user.id = *id;
	p.user.is_superuser = superuser;
	return p;
}

/* The stored row of user id; the test stops here if there is none. */
static struct fake_user_row *user_row(struct env *x, const vs_uuid *id)
{
	struct fake_user_row *r = fake_user(x->db, id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	return r;
}

static void env_init(struct env *x)
{
	fake_clock_set(1795428000);
	x->db = fake_db_new();
	fake_app_init(&x->app, x->db);
	x->a = vs_arena_new();
	const char *hash = fake_password_hash();
	x->acme = fake_seed_tenant(x->db, "Acme", "acme");
	x->globex = fake_seed_tenant(x->db, "Globex", "globex");
	x->member = fake_seed_role_with(x->db, "Member", NULL, true, NULL);
	x->viewer = fake_seed_role_with(x->db, "Viewer", NULL, true, NULL);
	x->acme_ops = fake_seed_role(x->db, "Ops", &x->acme);
	x->globex_ops = fake_seed_role(x->db, "Globex Ops", &x->globex);
	x->root = fake_seed_user(x->db, "root@example.com", hash, true, true);
	x->admin = fake_seed_user(x->db, "admin@example.com", hash, true, false);
	x->ann = fake_seed_user(x->db, "ann@example.com", hash, true, false);
	x->out = fake_seed_user(x->db, "out@example.com", hash, true, false);
	fake_seed_grant(x->db, &x->acme, &x->admin, &x->acme_ops);
	fake_seed_grant(x->db, &x->acme, &x->ann, &x->member);
	fake_seed_grant(x->db, &x->globex, &x->out, &x->member);
	x->as_root = principal_of(&x->root, true);
	x->as_admin = principal_of(&x->admin, false);
	x->as_ann = principal_of(&x->ann, false);
}

static void env_free(struct env *x)
{
	vs_arena_free(x->a);
	fake_db_free(x->db);
}

static struct vs_opt_str opt(const char *s)
{
	return (struct vs_opt_str){.set = true, .p = s, .len = strlen(s)};
}

static struct vs_user_input new_user(const char *email)
{
	return (struct vs_user_input){.email = opt(email), .password = opt(NEW_PASSWORD)};
}

/* ---- create ---- */

static void test_users_create_in_tenant_grants_member_role(void)
{
	struct env x;
	env_init(&x);
	struct vs_user_input in = new_user("New.User@Example.COM");
	in.first_name = opt("New");
	struct vs_user u;
	struct vs_error e = {0};
	size_t before = x.db->store.nusers;
	CU_ASSERT_EQUAL_FATAL(vs_users_create(&x.app, x.a, &x.as_root, &x.acme, &in, &u, &e),
			      VS_OK);
	CU_ASSERT_FALSE(vs_uuid_is_nil(&u.id));
	CU_ASSERT_STRING_EQUAL(ut_str(u.email), "new.user@example.com");
	CU_ASSERT_STRING_EQUAL(ut_str(u.first_name), "New");
	CU_ASSERT_PTR_NULL(u.last_name);
	CU_ASSERT_TRUE(u.is_active);
	CU_ASSERT_FALSE(u.is_superuser);
	CU_ASSERT_PTR_NULL(u.password_hash); /* never handed back */
	CU_ASSERT_EQUAL_FATAL(u.nroles, 1);
	CU_ASSERT_STRING_EQUAL(ut_str(u.roles[0]), "Member");

	CU_ASSERT_EQUAL(x.db->store.nusers, before + 1);
	const struct fake_user_row *r = fake_user(x.db, &u.id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(ut_str(r->email), "new.user@example.com");
	CU_ASSERT_EQUAL(strncmp(r->password_hash, "$argon2id$", 10), 0);
	CU_ASSERT_PTR_NULL(strstr(r->password_hash, NEW_PASSWORD));
	CU_ASSERT_TRUE(fake_has_grant(x.db, &x.acme, &u.id, &x.member));
	CU_ASSERT_EQUAL(fake_grants_of(x.db, &x.acme, &u.id), 1);
	CU_ASSERT_EQUAL(x.db->commits, 1);
	CU_ASSERT_EQUAL(x.db->rollbacks, 0);
	FAKE_ASSERT_TX_CLEAN(x.db);
	env_free(&x);
}

static void test_users_create_with_role_id_grants_that_role(void)
{
	struct env x;
	env_init(&x);
	struct vs_user_input in = new_user("ops@example.com");
	in.role_id = (struct vs_opt_uuid){.set = true, .v = x.acme_ops};
	struct vs_user u;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(vs_users_create(&x.app, x.a, &x.as_root, &x.acme, &in, &u, &e),
			      VS_OK);
	CU_ASSERT_TRUE(fake_has_grant(x.db, &x.acme, &u.id, &x.acme_ops));
	CU_ASSERT_FALSE(fake_has_grant(x.db, &x.acme, &u.id, &x.member));
	CU_ASSERT_EQUAL(fake_called(x.db, "roles.system_role"), 0);
	CU_ASSERT_EQUAL_FATAL(u.nroles, 1);
	CU_ASSERT_STRING_EQUAL(ut_str(u.roles[0]), "Ops");
	/* A global role is fine in any tenant. */
	struct vs_user_input in2 = new_user("viewer@example.com");
	in2.role_id = (struct vs_opt_uuid){.set = true, .v = x.viewer};
	struct vs_error e2 = {0};
	CU_ASSERT_EQUAL(vs_users_create(&x.app, x.a, &x.as_root, &x.acme, &in2, &u, &e2), VS_OK);
	CU_ASSERT_TRUE(fake_has_grant(x.db, &x.acme, &u.id, &x.viewer));
	env_free(&x);
}

static void test_users_create_with_unknown_role_rolls_back(void)
{
	struct env x;
	env_init(&x);
	struct fake_store *before = malloc(sizeof(*before));
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	memcpy(before, &x.db->store, sizeof(*before));
	struct vs_user_input in = new_user("ghost@example.com");
	in.role_id.set = true;
	vs_uuid_v4(&in.role_id.v);
	struct vs_user u;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_users_create(&x.app, x.a, &x.as_root, &x.acme, &in, &u, &e),
			VS_NOTFOUND);
	CU_ASSERT_EQUAL(e.code, VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Role not found");
	CU_ASSERT_PTR_NULL(fake_user_by_email(x.db, "ghost@example.com"));
	CU_ASSERT_TRUE(fake_store_equal(&x.db->store, before));
	CU_ASSERT_EQUAL(fake_called(x.db, "users.insert"), 1); /* it was written, then undone */
	CU_ASSERT_EQUAL(x.db->rollbacks, 1);
	CU_ASSERT_EQUAL(x.db->commits, 0);
	FAKE_ASSERT_TX_CLEAN(x.db);
	free(before);
	env_free(&x);
}

static void test_users_create_with_another_tenants_role_is_role_not_found(void)
{
	struct env x;
	env_init(&x);
	struct vs_user_input in = new_user("spy@example.com");
	in.role_id = (struct vs_opt_uuid){.set = true, .v = x.globex_ops};
	struct vs_user u;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_users_create(&x.app, x.a, &x.as_root, &x.acme, &in, &u, &e),
			VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Role not found");
	CU_ASSERT_PTR_NULL(fake_user_by_email(x.db, "spy@example.com"));
	FAKE_ASSERT_TX_CLEAN(x.db);
	env_free(&x);
}

static void test_users_create_role_id_needs_a_tenant(void)
{
	struct env x;
	env_init(&x);
	struct vs_user_input in = new_user("lost@example.com");
	in.role_id = (struct vs_opt_uuid){.set = true, .v = x.member};
	struct vs_user u;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_users_create(&x.app, x.a, &x.as_root, NULL, &in, &u, &e), VS_INVALID);
	CU_ASSERT_EQUAL_FATAL(e.nfields, 1);
	CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].field), "role_id");
	CU_ASSERT_EQUAL(x.db->calls, 0);
	env_free(&x);
}

static void test_users_create_duplicate_email_is_conflict(void)
{
	struct env x;
	env_init(&x);
	struct fake_store *before = malloc(sizeof(*before));
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	memcpy(before, &x.db->store, sizeof(*before));
	struct vs_user_input in = new_user("ANN@example.com"); /* ann@example.com exists */
	struct vs_user u;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_users_create(&x.app, x.a, &x.as_root, &x.acme, &in, &u, &e),
			VS_CONFLICT);
	CU_ASSERT_EQUAL(e.code, VS_CONFLICT);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "A user with this email already exists.");
	CU_ASSERT_TRUE(fake_store_equal(&x.db->store, before));
	CU_ASSERT_EQUAL(x.db->rollbacks, 1);
	FAKE_ASSERT_TX_CLEAN(x.db);
	free(before);
	env_free(&x);
}

static void test_users_create_superuser_needs_a_superuser(void)
{
	struct env x;
	env_init(&x);
	struct vs_user_input in = new_user("boss@example.com");
	in.is_superuser = (struct vs_opt_bool){.set = true, .v = true};
	struct vs_user u;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_users_create(&x.app, x.a, &x.as_admin, &x.acme, &in, &u, &e),
			VS_FORBIDDEN);
	CU_ASSERT_EQUAL(e.code, VS_FORBIDDEN);
	CU_ASSERT_EQUAL(x.db->calls, 0);
	CU_ASSERT_PTR_NULL(fake_user_by_email(x.db, "boss@example.com"));

	struct vs_error ok = {0};
	CU_ASSERT_EQUAL_FATAL(vs_users_create(&x.app, x.a, &x.as_root, NULL, &in, &u, &ok), VS_OK);
	CU_ASSERT_TRUE(u.is_superuser);
	CU_ASSERT_TRUE(user_row(&x, &u.id)->is_superuser);
	CU_ASSERT_EQUAL(u.nroles, 0); /* no tenant: no membership */
	env_free(&x);
}

static void test_users_create_superuser_for_admin_cli(void)
{
	struct env x;
	env_init(&x);
	struct vs_user u;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(
	    vs_users_create_superuser(&x.app, x.a, "First@Example.com", NEW_PASSWORD, &u, &e),
	    VS_OK);
	const struct fake_user_row *r = fake_user_by_email(x.db, "first@example.com");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_TRUE(r->is_superuser && r->is_active);
	struct vs_error again = {0};
	CU_ASSERT_EQUAL(
	    vs_users_create_superuser(&x.app, x.a, "first@example.com", NEW_PASSWORD, &u, &again),
	    VS_CONFLICT);
	FAKE_ASSERT_TX_CLEAN(x.db);
	env_free(&x);
}

struct create_ctx {
	struct env *x;
	struct vs_user_input in;
	const vs_uuid *tenant;
};

static enum vs_err create_op(void *ctx, struct vs_error *e)
{
	struct create_ctx *c = ctx;
	struct vs_user u;
	return vs_users_create(&c->x->app, c->x->a, &c->x->as_root, c->tenant, &c->in, &u, e);
}

static void test_users_create_fails_cleanly_on_each_repository_fault(void)
{
	struct env x;
	env_init(&x);
	struct create_ctx ctx = {&x, new_user("faulty@example.com"), &x.acme};
	/* begin, users.insert, audit (user.created), system_role, roles.get (may the creator
	 * grant it?), grant, audit (user.role_granted), users.get, commit. */
	CU_ASSERT_EQUAL(fake_inject_each_call(x.db, "users create", create_op, &ctx), 9);
	env_free(&x);
}

/* ---- update ---- */

static void test_users_update_me_refuses_own_superuser_change(void)
{
	struct env x;
	env_init(&x);
	struct vs_user u;
	struct vs_user_input up = {.is_superuser = {.set = true, .v = true}};
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_users_update_me(&x.app, x.a, &x.as_ann, NULL, &up, &u, &e),
			VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "You cannot change your own superuser status.");
	CU_ASSERT_FALSE(user_row(&x, &x.ann)->is_superuser);
	CU_ASSERT_EQUAL(x.db->calls, 0);

	/* A superuser cannot step down by themselves either. */
	struct vs_user_input down = {.is_superuser = {.set = true, .v = false}};
	struct vs_error e2 = {0};
	CU_ASSERT_EQUAL(vs_users_update_me(&x.app, x.a, &x.as_root, NULL, &down, &u, &e2),
			VS_FORBIDDEN);
	CU_ASSERT_TRUE(user_row(&x, &x.root)->is_superuser);

	/* Sending the value one already has is harmless. */
	struct vs_user_input same = {.is_superuser = {.set = true, .v = false},
				     .first_name = opt("Ann")};
	struct vs_error e3 = {0};
	CU_ASSERT_EQUAL(vs_users_update_me(&x.app, x.a, &x.as_ann, NULL, &same, &u, &e3), VS_OK);
	CU_ASSERT_FALSE(user_row(&x, &x.ann)->is_superuser);
	CU_ASSERT_STRING_EQUAL(ut_str(user_row(&x, &x.ann)->first_name), "Ann");
	FAKE_ASSERT_TX_CLEAN(x.db);
	env_free(&x);
}

static void test_users_update_me_cannot_change_own_active_flag(void)
{
	struct env x;
	env_init(&x);
	struct vs_user u;
	struct vs_user_input up = {.is_active = {.set = true, .v = false}};
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_users_update_me(&x.app, x.a, &x.as_ann, NULL, &up, &u, &e), VS_OK);
	CU_ASSERT_TRUE(user_row(&x, &x.ann)->is_active);
	env_free(&x);
}

static void test_users_update_me_normalises_email_and_detects_conflict(void)
{
	struct env x;
	env_init(&x);
	struct vs_user u;
	struct vs_user_input up = {.email = opt("Ann.New@Example.COM")};
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(vs_users_update_me(&x.app, x.a, &x.as_ann, &x.acme, &up, &u, &e),
			      VS_OK);
	CU_ASSERT_STRING_EQUAL(ut_str(u.email), "ann.new@example.com");
	CU_ASSERT_STRING_EQUAL(ut_str(user_row(&x, &x.ann)->email), "ann.new@example.com");
	CU_ASSERT_EQUAL_FATAL(u.nroles, 1);
	CU_ASSERT_STRING_EQUAL(ut_str(u.roles[0]), "Member");

	struct vs_user_input taken = {.email = opt("ADMIN@example.com")};
	struct vs_error conflict = {0};
	CU_ASSERT_EQUAL(vs_users_update_me(&x.app, x.a, &x.as_ann, NULL, &taken, &u, &conflict),
			VS_CONFLICT);
	CU_ASSERT_STRING_EQUAL(ut_str(conflict.detail), "A user with this email already exists.");
	CU_ASSERT_STRING_EQUAL(ut_str(user_row(&x, &x.ann)->email), "ann.new@example.com");
	FAKE_ASSERT_TX_CLEAN(x.db);
	env_free(&x);
}

static void test_users_update_me_new_password_is_hashed(void)
{
	struct env x;
	env_init(&x);
	struct vs_user u;
	struct vs_user_input up = {.password = opt(NEW_PASSWORD)};
	struct vs_error e = {0};
	char old[VS_PASSWORD_HASH_MAX];
	memcpy(old, user_row(&x, &x.ann)->password_hash, sizeof(old));
	CU_ASSERT_EQUAL_FATAL(vs_users_update_me(&x.app, x.a, &x.as_ann, NULL, &up, &u, &e), VS_OK);
	const char *now = user_row(&x, &x.ann)->password_hash;
	CU_ASSERT_STRING_NOT_EQUAL(ut_str(now), old);
	CU_ASSERT_TRUE(vs_password_verify(now, NEW_PASSWORD, strlen(NEW_PASSWORD)));
	CU_ASSERT_PTR_NULL(u.password_hash);
	env_free(&x);
}

static void test_users_update_superuser_flag_needs_a_superuser(void)
{
	struct env x;
	env_init(&x);
	struct vs_user u;
	struct vs_user_input up = {.is_superuser = {.set = true, .v = true}};
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_users_update(&x.app, x.a, &x.as_admin, &x.ann, &x.acme, &up, &u, &e),
			VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), VS_MSG_SUPERUSER_FIELD);
	CU_ASSERT_FALSE(user_row(&x, &x.ann)->is_superuser);
	CU_ASSERT_EQUAL(fake_called(x.db, "users.update"), 0);
	CU_ASSERT_EQUAL(x.db->begins, 0);
	struct vs_error ok = {0};
	CU_ASSERT_EQUAL(vs_users_update(&x.app, x.a, &x.as_root, &x.ann, &x.acme, &up, &u, &ok),
			VS_OK);
	CU_ASSERT_TRUE(user_row(&x, &x.ann)->is_superuser);
	env_free(&x);
}

static void test_users_outside_the_tenant_are_not_found(void)
{
	struct env x;
	env_init(&x);
	struct vs_user u;
	struct vs_user_input up = {.first_name = opt("Mallory")};
	struct vs_error e = {0};
	/* "out" belongs to globex only. */
	CU_ASSERT_EQUAL(vs_users_update(&x.app, x.a, &x.as_root, &x.out, &x.acme, &up, &u, &e),
			VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "User not found");
	CU_ASSERT_FALSE(user_row(&x, &x.out)->has_first_name);
	CU_ASSERT_EQUAL(x.db->begins, 0);
	struct vs_error get = {0};
	CU_ASSERT_EQUAL(vs_users_get(&x.app, x.a, &x.as_root, &x.out, &x.acme, &u, &get),
			VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(get.detail), "User not found");
	struct vs_error ok = {0};
	CU_ASSERT_EQUAL(vs_users_get(&x.app, x.a, &x.as_root, &x.ann, &x.acme, &u, &ok), VS_OK);
	CU_ASSERT_STRING_EQUAL(ut_str(u.email), "ann@example.com");
	env_free(&x);
}

struct update_ctx {
	struct env *x;
	struct vs_user_input in;
};

static enum vs_err update_op(void *ctx, struct vs_error *e)
{
	struct update_ctx *c = ctx;
	struct vs_user u;
	return vs_users_update(&c->x->app, c->x->a, &c->x->as_root, &c->x->ann, &c->x->acme, &c->in,
			       &u, e);
}

static void test_users_update_fails_cleanly_on_each_repository_fault(void)
{
	struct env x;
	env_init(&x);
	struct update_ctx ctx = {&x, {.first_name = opt("Annie"), .is_active = {true, false}}};
	/* is_member, begin, users.update (with the row before), audit, commit. */
	CU_ASSERT_EQUAL(fake_inject_each_call(x.db, "users update", update_op, &ctx), 5);
	CU_ASSERT_FALSE(user_row(&x, &x.ann)->is_active); /* the last run succeeded */
	env_free(&x);
}

/* ---- delete ---- */

static void test_users_delete_self_without_tenant_is_forbidden(void)
{
	struct env x;
	env_init(&x);
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_users_delete(&x.app, x.a, &x.as_root, &x.root, NULL, &e), VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "You cannot delete your own account.");
	CU_ASSERT_PTR_NOT_NULL(fake_user(x.db, &x.root));
	CU_ASSERT_EQUAL(x.db->calls, 0);
	env_free(&x);
}

static void test_users_delete_without_tenant_needs_a_superuser(void)
{
	struct env x;
	env_init(&x);
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_users_delete(&x.app, x.a, &x.as_admin, &x.ann, NULL, &e), VS_BADREQ);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "X-Tenant-ID header is required.");
	CU_ASSERT_PTR_NOT_NULL(fake_user(x.db, &x.ann));
	CU_ASSERT_EQUAL(x.db->calls, 0);
	env_free(&x);
}

static void test_users_delete_in_tenant_removes_membership_only(void)
{
	struct env x;
	env_init(&x);
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_users_delete(&x.app, x.a, &x.as_admin, &x.ann, &x.acme, &e), VS_OK);
	CU_ASSERT_PTR_NOT_NULL(fake_user(x.db, &x.ann));
	CU_ASSERT_EQUAL(fake_grants_of(x.db, &x.acme, &x.ann), 0);
	CU_ASSERT_EQUAL(x.db->commits, 1);
	/* Again: no membership left to remove. */
	struct vs_error again = {0};
	CU_ASSERT_EQUAL(vs_users_delete(&x.app, x.a, &x.as_admin, &x.ann, &x.acme, &again),
			VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(again.detail), "User not found");
	FAKE_ASSERT_TX_CLEAN(x.db);
	env_free(&x);
}

static void test_users_delete_by_superuser_without_tenant_deletes_user(void)
{
	struct env x;
	env_init(&x);
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_users_delete(&x.app, x.a, &x.as_root, &x.ann, NULL, &e), VS_OK);
	CU_ASSERT_PTR_NULL(fake_user(x.db, &x.ann));
	CU_ASSERT_EQUAL(fake_grants_of(x.db, &x.acme, &x.ann), 0);
	vs_uuid nobody;
	vs_uuid_v4(&nobody);
	struct vs_error missing = {0};
	CU_ASSERT_EQUAL(vs_users_delete(&x.app, x.a, &x.as_root, &nobody, NULL, &missing),
			VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(missing.detail), "User not found");
	FAKE_ASSERT_TX_CLEAN(x.db);
	env_free(&x);
}

struct delete_ctx {
	struct env *x;
	const vs_uuid *tenant;
};

static enum vs_err delete_op(void *ctx, struct vs_error *e)
{
	struct delete_ctx *c = ctx;
	return vs_users_delete(&c->x->app, c->x->a, &c->x->as_root, &c->x->ann, c->tenant, e);
}

static void test_users_delete_fails_cleanly_on_each_repository_fault(void)
{
	struct env x;
	env_init(&x);
	struct delete_ctx in_tenant = {&x, &x.acme}, platform = {&x, NULL};
	/* begin, users.get (before), leave / remove, audit, commit. */
	CU_ASSERT_EQUAL(fake_inject_each_call(x.db, "users delete (tenant)", delete_op, &in_tenant),
			5);
	env_free(&x);
	env_init(&x);
	platform.x = &x;
	CU_ASSERT_EQUAL(fake_inject_each_call(x.db, "users delete", delete_op, &platform), 5);
	env_free(&x);
}

/* ---- list ---- */

static const struct vs_list_at first20 = { .limit = 20 };

static void test_users_list_scope(void)
{
	struct env x;
	env_init(&x);
	struct vs_user_page page;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_users_list(&x.app, x.a, &x.as_admin, NULL, NULL, &first20, &page, &e),
			VS_BADREQ);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "X-Tenant-ID header is required.");
	struct vs_error ok = {0};
	CU_ASSERT_EQUAL_FATAL(
	    vs_users_list(&x.app, x.a, &x.as_admin, &x.acme, NULL, &first20, &page, &ok), VS_OK);
	CU_ASSERT_EQUAL(page.end.total, 2); /* admin and ann */
	CU_ASSERT_EQUAL(page.n, 2);
	CU_ASSERT_EQUAL_FATAL(vs_users_list(&x.app, x.a, &x.as_root, NULL, NULL, &first20, &page, &ok),
			      VS_OK);
	CU_ASSERT_EQUAL(page.end.total, 4);
	x.db->fail_after = x.db->calls + 1;
	struct vs_error down = {0};
	CU_ASSERT_EQUAL(vs_users_list(&x.app, x.a, &x.as_root, NULL, NULL, &first20, &page, &down),
			VS_UNAVAILABLE);
	CU_ASSERT_EQUAL(down.code, VS_UNAVAILABLE);
	env_free(&x);
}

/* A page ends with where the next starts; a keyed page is not counted. */
static void test_users_list_pages_by_cursor(void)
{
	struct env x;
	env_init(&x);
	struct vs_user_page first, rest, all;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(vs_users_list(&x.app, x.a, &x.as_root, NULL, NULL, &first20, &all, &e),
			      VS_OK);
	CU_ASSERT_FALSE(all.end.more);
	struct vs_list_at at = { .limit = 3 };
	CU_ASSERT_EQUAL_FATAL(vs_users_list(&x.app, x.a, &x.as_root, NULL, NULL, &at, &first, &e),
			      VS_OK);
	CU_ASSERT_EQUAL_FATAL(first.n, 3);
	CU_ASSERT_TRUE(first.end.more);
	CU_ASSERT_EQUAL(first.end.total, 4);
	CU_ASSERT_TRUE(vs_uuid_eq(&first.end.next.id, &first.items[2].id));
	at = (struct vs_list_at){ .limit = 3, .keyed = true, .after = first.end.next };
	CU_ASSERT_EQUAL_FATAL(vs_users_list(&x.app, x.a, &x.as_root, NULL, NULL, &at, &rest, &e),
			      VS_OK);
	CU_ASSERT_EQUAL_FATAL(rest.n, 1);
	CU_ASSERT_FALSE(rest.end.more);
	CU_ASSERT_EQUAL(rest.end.total, -1);
	CU_ASSERT_TRUE(vs_uuid_eq(&rest.items[0].id, &all.items[3].id));
	env_free(&x);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_users_create_in_tenant_grants_member_role),
	    UT_TEST(test_users_create_with_role_id_grants_that_role),
	    UT_TEST(test_users_create_with_unknown_role_rolls_back),
	    UT_TEST(test_users_create_with_another_tenants_role_is_role_not_found),
	    UT_TEST(test_users_create_role_id_needs_a_tenant),
	    UT_TEST(test_users_create_duplicate_email_is_conflict),
	    UT_TEST(test_users_create_superuser_needs_a_superuser),
	    UT_TEST(test_users_create_superuser_for_admin_cli),
	    UT_TEST(test_users_create_fails_cleanly_on_each_repository_fault),
	    UT_TEST(test_users_update_me_refuses_own_superuser_change),
	    UT_TEST(test_users_update_me_cannot_change_own_active_flag),
	    UT_TEST(test_users_update_me_normalises_email_and_detects_conflict),
	    UT_TEST(test_users_update_me_new_password_is_hashed),
	    UT_TEST(test_users_update_superuser_flag_needs_a_superuser),
	    UT_TEST(test_users_outside_the_tenant_are_not_found),
	    UT_TEST(test_users_update_fails_cleanly_on_each_repository_fault),
	    UT_TEST(test_users_delete_self_without_tenant_is_forbidden),
	    UT_TEST(test_users_delete_without_tenant_needs_a_superuser),
	    UT_TEST(test_users_delete_in_tenant_removes_membership_only),
	    UT_TEST(test_users_delete_by_superuser_without_tenant_deletes_user),
	    UT_TEST(test_users_delete_fails_cleanly_on_each_repository_fault),
	    UT_TEST(test_users_list_scope),
	    UT_TEST(test_users_list_pages_by_cursor),
	    UT_END,
	};
	ut_add_suite("users: use cases", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
