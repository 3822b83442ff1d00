/* No escalation through assignments or role permissions; the 404 texts of assignments; a role change counts from the next request. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "rbac_world.h"
#include "suites.h"
#include "util.h"

#define CANNOT_GRANT "You cannot grant permissions you do not hold."

static struct rbac_world world;
static bool world_tried, world_ok;
/* "Member" of A plus a custom role with role:assign_users and permission:assign */
static struct it_user delegate;

/* The delegate: "Member" of A, then given the custom role "Delegate". */
static bool make_delegate(struct rbac_world *w)
{
	char *role = rw_new_role(w, w->tenant_a, "Delegate",
				 "[\"role:assign_users\",\"permission:assign\"]");
	char *extra = xasprintf("\"role_id\":\"%s\"", w->role_member);
	bool ok = role && fx_create_user(w->tenant_a, extra, &delegate);
	struct resp *r;

	if (ok) {
		r = rw_assign(fx.admin.access, w->tenant_a, delegate.id, role);
		ok = EXPECT_STATUS(r, 204) && fx_login(&delegate);
		resp_free(r);
	}
	free(extra);
	free(role);
	return ok;
}

static struct rbac_world *get_world(void)
{
	if (!world_tried) {
		world_tried = true;
		world_ok = rw_build(&world) && make_delegate(&world);
	}
	EXPECT(world_ok, "could not build the tenants, roles and users of this suite "
			 "(the first failure above says why)");
	return world_ok ? &world : NULL;
}

static int suite_cleanup(void)
{
	fx_delete_user(delegate.id);
	fx_user_release(&delegate);
	if (world_tried)
		rw_free(&world);
	world_tried = world_ok = false;
	return 0;
}

/* Whether the superuser sees role name among user's roles in tenant; *count gets how many roles. */
static bool holds(const char *tenant, const char *user, const char *name, size_t *count)
{
	struct resp *r;
	struct json_object *roles = rw_roles_of(tenant, user, &r);
	bool found = jarr_has_str(roles, name);

	if (count)
		*count = jlen(roles);
	resp_free(r);
	return found;
}

static void test_member_cannot_grant_itself_tenant_admin(void)
{
	struct rbac_world *w = get_world();
	struct it_user *m;
	struct resp *r;

	if (!w)
		return;
	m = &w->persona[P_MEMBER];
	r = rw_assign(m->access, w->tenant_a, m->id, w->role_tadmin);
	EXPECT_PROBLEM(r, 403, "forbidden", NULL);
	resp_free(r);
	EXPECT(!holds(w->tenant_a, m->id, "Tenant Admin", NULL),
	       "the member gave itself Tenant Admin");
}

static void test_delegate_cannot_grant_what_it_lacks(void)
{
	struct rbac_world *w = get_world();
	char *path, *perms_path;
	size_t before = 0, after = 0;
	struct resp *r;

	if (!w)
		return;
	/* Tenant Admin holds far more than the delegate */
	holds(w->tenant_a, delegate.id, "Tenant Admin", &before);
	r = rw_assign(delegate.access, w->tenant_a, delegate.id, w->role_tadmin);
	EXPECT_PROBLEM(r, 403, "forbidden", CANNOT_GRANT);
	resp_free(r);
	EXPECT(!holds(w->tenant_a, delegate.id, "Tenant Admin", &after) && after == before,
	       "a refused assignment changed the delegate's roles (%zu -> %zu)", before, after);

	/* Viewer's permissions are all in Member: the delegate may hand it on */
	r = rw_assign(delegate.access, w->tenant_a, w->user_a.id, w->role_viewer);
	EXPECT_STATUS(r, 204);
	resp_free(r);
	EXPECT(holds(w->tenant_a, w->user_a.id, "Viewer", NULL),
	       "the user of A should hold Viewer after a 204");

	/* adding to a role: user:delete is not the delegate's, job:read (from Member) is */
	path = xasprintf("/api/v1/roles/%s/permissions", w->role_a);
	r = req("POST", path, delegate.access, w->tenant_a, "{\"permission_id\":\"user:delete\"}");
	EXPECT_PROBLEM(r, 403, "forbidden", CANNOT_GRANT);
	resp_free(r);
	r = req("POST", path, delegate.access, w->tenant_a, "{\"permission_id\":\"job:read\"}");
	EXPECT_STATUS(r, 204);
	resp_free(r);
	perms_path = xasprintf("%s?limit=100", path);
	r = req("GET", perms_path, fx.admin.access, w->tenant_a, NULL);
	{
		struct json_object *a = EXPECT_COUNTED_ARRAY(r, NULL);

		EXPECT(jarr_find_id(a, w->perm_job_read) >= 0,
		       "job:read should be on the role after a 204: %s", resp_summary(r));
		for (size_t i = 0; i < jlen(a); i++) {
			const char *code = jstr(jat(a, i), "code");

			EXPECT(!code || strcmp(code, "user:delete") != 0,
			       "a refused grant put user:delete on the role: %s", resp_summary(r));
		}
	}
	resp_free(r);
	free(perms_path);
	free(path);
}

static void test_tenant_admin_assigns_member(void)
{
	struct rbac_world *w = get_world();
	char *id;
	struct resp *r;

	if (!w || !(id = rw_new_user(w, w->tenant_a, w->role_viewer)))
		return;
	EXPECT(!holds(w->tenant_a, id, "Member", NULL), "a Viewer-only user already holds Member");
	for (int i = 0; i < 2; i++) { /* the second time: idempotent */
		r = rw_assign(w->persona[P_TADMIN].access, w->tenant_a, id, w->role_member);
		EXPECT_STATUS(r, 204);
		resp_free(r);
	}
	EXPECT(holds(w->tenant_a, id, "Member", NULL) && holds(w->tenant_a, id, "Viewer", NULL),
	       "after the assignment the user should hold Member and Viewer");
	free(id);
}

static void test_assignment_not_found_texts(void)
{
	struct rbac_world *w = get_world();
	const char *ta;
	char missing[37];
	size_t before = 0, after = 0;
	struct resp *r;

	if (!w)
		return;
	ta = w->persona[P_TADMIN].access;
	holds(w->tenant_a, w->user_a.id, "Tenant Admin", &before);

	/* a role of another tenant, as the tenant admin and as the superuser */
	r = rw_assign(ta, w->tenant_a, w->user_a.id, w->role_b);
	EXPECT_PROBLEM(r, 404, "not-found", "Role not found");
	resp_free(r);
	r = rw_assign(fx.admin.access, w->tenant_a, w->user_a.id, w->role_b);
	EXPECT_PROBLEM(r, 404, "not-found", "Role not found");
	resp_free(r);
	random_uuid(missing);
	r = rw_assign(ta, w->tenant_a, w->user_a.id, missing);
	EXPECT_PROBLEM(r, 404, "not-found", "Role not found");
	resp_free(r);
	holds(w->tenant_a, w->user_a.id, "Tenant Admin", &after);
	EXPECT(after == before, "a refused assignment changed the roles of A's user (%zu -> %zu)",
	       before, after);

	/* unknown users, and a user of B whom A's admin cannot see */
	r = rw_assign(ta, w->tenant_a, missing, w->role_a);
	EXPECT_PROBLEM(r, 404, "not-found", "User not found");
	resp_free(r);
	r = rw_assign(ta, w->tenant_a, w->user_b.id, w->role_member);
	EXPECT_PROBLEM(r, 404, "not-found", "User not found");
	resp_free(r);
	{
		char *path = xasprintf("/api/v1/tenants/%s/users/%s", w->tenant_a, w->user_b.id);

		r = req("GET", path, fx.admin.access, NULL, NULL);
		EXPECT_PROBLEM(r, 404, "not-found", "User not found");
		resp_free(r);
		free(path);
	}

	/* no such assignment */
	r = rw_unassign(ta, w->tenant_a, w->user_a.id, w->role_tadmin);
	EXPECT_PROBLEM(r, 404, "not-found", "Role assignment not found");
	resp_free(r);
}

/* n requests of PATCH /tenants/{A} (tenant:update) as token; how many got want. */
static int patch_tenant(struct rbac_world *w, const char *token, int n, long want)
{
	char *path = xasprintf("/api/v1/tenants/%s", w->tenant_a);
	int got = 0;

	for (int i = 0; i < n; i++) {
		struct resp *r = req("PATCH", path, token, NULL, "{\"description\":\"flip\"}");

		if (r->status == want)
			got++;
		else
			EXPECT(false, "request %d of %d: expected %ld; got %s", i + 1, n, want,
			       resp_summary(r));
		resp_free(r);
	}
	free(path);
	return got;
}

static void test_role_change_counts_from_next_request(void)
{
	struct rbac_world *w = get_world();
	/* nginx hands each request to any worker: enough of them to reach every one */
	int n = fx.cfg.workers > 0 ? (int)(2 * fx.cfg.workers + 1) : 7;
	struct it_user flip;
	char *extra;
	struct resp *r;

	if (!w)
		return;
	extra = xasprintf("\"role_id\":\"%s\"", w->role_viewer);
	if (fx_create_user(w->tenant_a, extra, &flip) && fx_login(&flip)) {
		patch_tenant(w, flip.access, n, 403);
		r = rw_assign(fx.admin.access, w->tenant_a, flip.id, w->role_tadmin);
		EXPECT_STATUS(r, 204);
		resp_free(r);
		/* the same access token: permissions are read per request */
		EXPECT(patch_tenant(w, flip.access, n, 200) == n,
		       "Tenant Admin was assigned, yet a later request was refused");
		r = rw_unassign(fx.admin.access, w->tenant_a, flip.id, w->role_tadmin);
		EXPECT_STATUS(r, 204);
		resp_free(r);
		EXPECT(patch_tenant(w, flip.access, n, 403) == n,
		       "Tenant Admin was removed, yet a later request was allowed");
		/* removing the last role ends the membership */
		r = rw_unassign(fx.admin.access, w->tenant_a, flip.id, w->role_viewer);
		EXPECT_STATUS(r, 204);
		resp_free(r);
		r = req("GET", "/api/v1/users/me", flip.access, w->tenant_a, NULL);
		EXPECT_PROBLEM(r, 403, "forbidden", NULL);
		resp_free(r);
	}
	fx_delete_user(flip.id);
	fx_user_release(&flip);
	free(extra);
}

/* Last: if the server wrongly allowed it, it would replace the holders of Tenant Admin in A. */
static void test_replacing_holders_cannot_escalate(void)
{
	struct rbac_world *w = get_world();
	char *path, *body;
	struct resp *r;
	struct json_object *ids;

	if (!w)
		return;
	path = xasprintf("/api/v1/roles/%s/users", w->role_tadmin);
	body = xasprintf("{\"user_ids\":[\"%s\"]}", delegate.id);
	r = req("PUT", path, delegate.access, w->tenant_a, body);
	EXPECT_PROBLEM(r, 403, "forbidden", CANNOT_GRANT);
	resp_free(r);
	r = req("GET", path, fx.admin.access, w->tenant_a, NULL);
	ids = jarr(EXPECT_JSON(r, 200), "user_ids");
	EXPECT(ids && jarr_has_str(ids, w->persona[P_TADMIN].id) &&
		       !jarr_has_str(ids, delegate.id),
	       "the holders of Tenant Admin in A changed: %s", resp_summary(r));
	resp_free(r);
	free(body);
	free(path);
}

static int add_authz_escalation_suite(void)
{
	static const struct it_test tests[] = {
		{ "a member cannot give itself Tenant Admin (403), and does not hold it", test_member_cannot_grant_itself_tenant_admin },
		{ "a delegate grants only what it holds: 403 'You cannot grant permissions you do not hold.', else 204", test_delegate_cannot_grant_what_it_lacks },
		{ "a tenant admin assigns Member (204, idempotent)", test_tenant_admin_assigns_member },
		{ "assignments: another tenant's role 404 'Role not found', invisible user 404 'User not found', none 404 'Role assignment not found'", test_assignment_not_found_texts },
		{ "assigning and removing a role counts from the next request, on every worker", test_role_change_counts_from_next_request },
		{ "PUT /roles/{rid}/users cannot hand on permissions the caller lacks", test_replacing_holders_cannot_escalate },
		{ NULL, NULL },
	};

	return it_add_suite("authz-escalation", NULL, suite_cleanup, tests);
}

IT_REGISTER(add_authz_escalation_suite)
