/* The RBAC world of world.h, and requests run like fcgi/dispatch.c runs them. */
#include "fakes/world.h"

#include "auth/usecases.h"

#include <stdlib.h>
#include <string.h>

static const char *const all_codes[] = {
    "user:read",	 "user:create",	      "user:update", "user:delete",
    "tenant:read",	 "tenant:update",     "tenant:view_users", "role:read",
    "role:create",	 "role:update",	      "role:delete", "role:assign_users",
    "permission:read", "permission:assign", "vm:read",	     "vm:create",
    "vm:delete",	 NULL,
};
static const char *const member_codes[] = {
    "user:read", "tenant:read", "tenant:view_users", "role:read", "permission:read", "vm:read",
    NULL,
};
static const char *const viewer_codes[] = {"user:read", "tenant:read", "vm:read", NULL};
static const char *const support_codes[] = {"user:read", "tenant:read", NULL};
static const char *const ops_codes[] = {"vm:read", "vm:create", NULL};
static const char *const managers_codes[] = {
    "role:read",	 "role:create", "role:update",	     "role:delete",
    "permission:assign", "role:assign_users", "user:read", "user:create",
    "user:update",	 "tenant:read", "tenant:view_users", "permission:read",
    "vm:read",		 NULL,
};
static const char *const globex_ops_codes[] = {"vm:read", NULL};

void world_init(struct world *w)
{
	memset(w, 0, sizeof(*w));
	fake_clock_set(1795428000);
	w->db = fake_db_new();
	fake_app_init(&w->app, w->db);
	w->a = vs_arena_new();
	struct fake_db *db = w->db;
	for (size_t i = 0; all_codes[i]; i++)
		fake_seed_permission(db, all_codes[i]);
	w->acme = fake_seed_tenant(db, "Acme", "acme");
	w->globex = fake_seed_tenant(db, "Globex", "globex");
	w->tenant_admin = fake_seed_role_with(db, "Tenant Admin", NULL, true, all_codes);
	w->member = fake_seed_role_with(db, "Member", NULL, true, member_codes);
	w->viewer = fake_seed_role_with(db, "Viewer", NULL, true, viewer_codes);
	w->support = fake_seed_role_with(db, "Support", NULL, false, support_codes);
	w->acme_ops = fake_seed_role_with(db, "Ops", &w->acme, false, ops_codes);
	w->acme_managers = fake_seed_role_with(db, "Managers", &w->acme, false, managers_codes);
	w->globex_ops = fake_seed_role_with(db, "Ops", &w->globex, false, globex_ops_codes);

	const char *hash = fake_password_hash();
	w->root = fake_seed_user(db, "root@example.com", hash, true, true);
	w->admin = fake_seed_user(db, "admin@example.com", hash, true, false);
	w->manager = fake_seed_user(db, "manager@example.com", hash, true, false);
	w->ann = fake_seed_user(db, "ann@example.com", hash, true, false);
	w->gus = fake_seed_user(db, "gus@example.com", hash, true, false);
	w->idle = fake_seed_user(db, "idle@example.com", hash, false, false);
	w->loner = fake_seed_user(db, "loner@example.com", hash, true, false);
	fake_seed_grant(db, &w->acme, &w->admin, &w->tenant_admin);
	fake_seed_grant(db, &w->acme, &w->manager, &w->acme_managers);
	fake_seed_grant(db, &w->acme, &w->manager, &w->viewer);
	fake_seed_grant(db, &w->acme, &w->ann, &w->member);
	fake_seed_grant(db, &w->globex, &w->gus, &w->member);
	fake_seed_grant(db, &w->acme, &w->idle, &w->member);
}

void world_free(struct world *w)
{
	vs_arena_free(w->a);
	fake_db_free(w->db);
}

static enum vs_err open_session(struct world *w, const vs_uuid *user, const vs_uuid *tenant,
				struct vs_error *e)
{
	const char *token = fake_access_token(w->a, user);
	return vs_auth_open(&w->app, w->a, token, strlen(token), tenant, &w->p, e);
}

const struct vs_principal *world_enter(struct world *w, const vs_uuid *user,
				       const vs_uuid *tenant)
{
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(open_session(w, user, tenant, &e), VS_OK);
	CU_ASSERT_EQUAL_FATAL(w->db->depth, 1);
	fake_reset_journal(w->db);
	w->db->begins = 1; /* the session's, so the journal balances at world_leave */
	return &w->p;
}

enum vs_err world_leave(struct world *w, bool ok)
{
	return vs_auth_close(&w->app, ok);
}

enum vs_err world_request(struct world *w, const vs_uuid *user, const vs_uuid *tenant,
			  world_fn fn, void *ctx, struct vs_error *e)
{
	enum vs_err rc = open_session(w, user, tenant, e);
	if (rc != VS_OK)
		return rc;
	rc = fn(w, &w->p, ctx, e);
	enum vs_err closed = vs_auth_close(&w->app, rc == VS_OK);
	if (rc == VS_OK && closed != VS_OK)
		rc = vs_fail(e, closed, NULL);
	return rc;
}

struct inject_ctx {
	struct world *w;
	const vs_uuid *user, *tenant;
	world_fn fn;
	void *ctx;
};

static enum vs_err inject_op(void *ctx, struct vs_error *e)
{
	struct inject_ctx *c = ctx;
	return world_request(c->w, c->user, c->tenant, c->fn, c->ctx, e);
}

unsigned world_inject(struct world *w, const char *name, const vs_uuid *user,
		      const vs_uuid *tenant, world_fn fn, void *ctx)
{
	struct inject_ctx c = {w, user, tenant, fn, ctx};
	return fake_inject_each_call(w->db, name, inject_op, &c);
}

const char *world_id(struct world *w, const vs_uuid *id)
{
	char *s = vs_arena_alloc(w->a, VS_UUID_STRLEN + 1);
	vs_uuid_format(id, s);
	return s;
}
