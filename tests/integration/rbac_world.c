#include "rbac_world.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "http.h"
#include "json_get.h"
#include "util.h"

static const char *const persona_names[P_COUNT] = {
	[P_ANON] = "anonymous",    [P_SU] = "superuser",       [P_TADMIN] = "tenant admin",
	[P_MEMBER] = "member",     [P_VIEWER] = "viewer",      [P_OTHER] = "other tenant's admin",
	[P_INACTIVE] = "inactive", [P_BARE] = "bare (no permissions)",
};

const char *persona_name(enum persona p)
{
	return p < P_COUNT ? persona_names[p] : "?";
}

static void push(char ***list, size_t *n, const char *s)
{
	*list = xrealloc(*list, (*n + 1) * sizeof(char *));
	(*list)[(*n)++] = xstrdup(s);
}

/* The id of the array item whose key equals value (when system: and that is a system role). */
static char *find_id(struct json_object *arr, const char *key, const char *value, bool system)
{
	for (size_t i = 0; i < jlen(arr); i++) {
		struct json_object *o = jat(arr, i);
		const char *v = jstr(o, key), *id = jstr(o, "id");
		bool sys = false;

		if (v && id && strcmp(v, value) == 0 &&
		    (!system || (jbool(o, "is_system_role", &sys) && sys)))
			return xstrdup(id);
	}
	return NULL;
}

static bool lookup_catalogue(struct rbac_world *w)
{
	struct resp *r = req("GET", "/api/v1/roles?limit=100", fx.admin.access, w->tenant_a, NULL);
	struct json_object *a = EXPECT_COUNTED_ARRAY(r, NULL);

	w->role_tadmin = find_id(a, "name", "Tenant Admin", true);
	w->role_member = find_id(a, "name", "Member", true);
	w->role_viewer = find_id(a, "name", "Viewer", true);
	EXPECT(w->role_tadmin && w->role_member && w->role_viewer,
	       "GET /roles should list the system roles Tenant Admin, Member, Viewer: %s",
	       resp_summary(r));
	resp_free(r);
	r = req("GET", "/api/v1/permissions?limit=100", fx.admin.access, w->tenant_a, NULL);
	a = EXPECT_COUNTED_ARRAY(r, NULL);
	w->perm_role_read = find_id(a, "code", "role:read", false);
	w->perm_user_read = find_id(a, "code", "user:read", false);
	w->perm_job_read = find_id(a, "code", "job:read", false);
	EXPECT(w->perm_role_read && w->perm_user_read && w->perm_job_read,
	       "GET /permissions should list role:read, user:read, job:read: %s",
	       resp_summary(r));
	resp_free(r);
	return w->role_tadmin && w->role_member && w->role_viewer && w->perm_role_read &&
	       w->perm_user_read && w->perm_job_read;
}

char *rw_new_role(struct rbac_world *w, const char *tenant, const char *name_tag,
		  const char *perms_json)
{
	char *name = fx_unique(name_tag);
	char *path = xasprintf("/api/v1/tenants/%s/roles", tenant);
	char *body = xasprintf("{\"name\":\"%s\",\"description\":\"rbac test role\","
			       "\"permission_ids\":%s}", name, perms_json ? perms_json : "[]");
	struct resp *r = req("POST", path, fx.admin.access, NULL, body);
	struct json_object *o = EXPECT_JSON(r, 201);
	char *id = NULL;

	(void)w;
	if (o && EXPECT(is_uuid(jstr(o, "id")), "role id: %s", resp_summary(r)))
		id = xstrdup(jstr(o, "id"));
	resp_free(r);
	free(body);
	free(path);
	free(name);
	return id;
}

/* A user in tenant with role_id (NULL: the default), logged in when login is set. */
static bool make_user(const char *tenant, const char *role_id, bool login, struct it_user *u)
{
	char *extra = role_id ? xasprintf("\"role_id\":\"%s\"", role_id) : NULL;
	bool ok = fx_create_user(tenant, extra, u);

	free(extra);
	return ok && (!login || fx_login(u));
}

char *rw_new_user(struct rbac_world *w, const char *tenant, const char *role_id)
{
	struct it_user u;
	char *id = NULL;

	if (make_user(tenant, role_id, false, &u)) {
		id = xstrdup(u.id);
		push(&w->trash_users, &w->ntrash_users, id);
	}
	fx_user_release(&u);
	return id;
}

char *rw_new_tenant(struct rbac_world *w)
{
	char *id = fx_create_tenant(NULL);

	if (id)
		push(&w->trash_tenants, &w->ntrash_tenants, id);
	return id;
}

static bool deactivate(const char *id)
{
	char *path = xasprintf("/api/v1/users/%s", id);
	struct resp *r = req("PATCH", path, fx.admin.access, NULL, "{\"is_active\":false}");
	bool active = true, ok = EXPECT_JSON(r, 200) != NULL &&
				 EXPECT(jbool(resp_json(r), "is_active", &active) && !active,
					"PATCH is_active=false did not stick: %s", resp_summary(r));

	resp_free(r);
	free(path);
	return ok;
}

bool rw_build(struct rbac_world *w)
{
	struct it_user *p = w->persona;

	memset(w, 0, sizeof(*w));
	w->tenant_a = fx_create_tenant(&w->slug_a);
	w->tenant_b = fx_create_tenant(&w->slug_b);
	if (!w->tenant_a || !w->tenant_b || !lookup_catalogue(w))
		return false;
	w->role_a = rw_new_role(w, w->tenant_a, "role-a", "[\"user:read\"]");
	w->role_b = rw_new_role(w, w->tenant_b, "role-b", "[\"user:read\"]");
	w->role_nothing = rw_new_role(w, w->tenant_a, "Nothing", "[]");
	if (!w->role_a || !w->role_b || !w->role_nothing)
		return false;
	if (!make_user(w->tenant_a, NULL, false, &w->user_a) ||
	    !make_user(w->tenant_b, NULL, false, &w->user_b) ||
	    !make_user(w->tenant_a, w->role_tadmin, true, &p[P_TADMIN]) ||
	    !make_user(w->tenant_a, NULL, true, &p[P_MEMBER]) ||
	    !make_user(w->tenant_a, w->role_viewer, true, &p[P_VIEWER]) ||
	    !make_user(w->tenant_b, w->role_tadmin, true, &p[P_OTHER]) ||
	    !make_user(w->tenant_a, w->role_nothing, true, &p[P_BARE]) ||
	    !make_user(w->tenant_a, NULL, true, &p[P_INACTIVE]))
		return false;
	w->login_at = w->inactive_login_at = now_mono();
	if (!deactivate(p[P_INACTIVE].id))
		return false;
	w->built = true;
	return true;
}

static void free_list(char **list, size_t n, void (*del)(const char *))
{
	for (size_t i = 0; i < n; i++) {
		del(list[i]);
		free(list[i]);
	}
	free(list);
}

void rw_free(struct rbac_world *w)
{
	free_list(w->trash_users, w->ntrash_users, fx_delete_user);
	free_list(w->trash_tenants, w->ntrash_tenants, fx_delete_tenant);
	for (int i = 0; i < P_COUNT; i++) {
		fx_delete_user(w->persona[i].id);
		fx_user_release(&w->persona[i]);
	}
	fx_delete_user(w->user_a.id);
	fx_delete_user(w->user_b.id);
	fx_user_release(&w->user_a);
	fx_user_release(&w->user_b);
	fx_delete_tenant(w->tenant_a);
	fx_delete_tenant(w->tenant_b);
	free(w->tenant_a);
	free(w->tenant_b);
	free(w->slug_a);
	free(w->slug_b);
	free(w->role_tadmin);
	free(w->role_member);
	free(w->role_viewer);
	free(w->role_a);
	free(w->role_b);
	free(w->role_nothing);
	free(w->perm_role_read);
	free(w->perm_user_read);
	free(w->perm_job_read);
	memset(w, 0, sizeof(*w));
}

const char *rw_token(struct rbac_world *w, enum persona p)
{
	if (p == P_ANON)
		return NULL;
	if (p == P_SU) {
		fx_keep_admin_fresh();
		return fx.admin.access;
	}
	/* access tokens live 15 minutes; the inactive user cannot log in again */
	if (now_mono() - w->login_at > 600) {
		for (int i = P_TADMIN; i < P_COUNT; i++)
			if (i != P_INACTIVE && w->persona[i].id)
				fx_login(&w->persona[i]);
		w->login_at = now_mono();
	}
	return w->persona[p].access;
}

const char *rw_user_id(struct rbac_world *w, enum persona p)
{
	if (p == P_ANON)
		return NULL;
	return p == P_SU ? fx.admin.id : w->persona[p].id;
}

struct json_object *rw_roles_of(const char *tenant, const char *user, struct resp **holder)
{
	char *path = xasprintf("/api/v1/tenants/%s/users/%s", tenant, user);
	struct resp *r = req("GET", path, fx.admin.access, NULL, NULL);
	struct json_object *roles = jarr(EXPECT_JSON(r, 200), "roles");

	EXPECT(roles != NULL, "no roles array: %s", resp_summary(r));
	free(path);
	*holder = r;
	return roles;
}

struct resp *rw_assign(const char *token, const char *tenant, const char *user, const char *role)
{
	char *path = xasprintf("/api/v1/tenants/%s/users/%s/roles", tenant, user);
	char *body = xasprintf("{\"role_id\":\"%s\"}", role);
	struct resp *r = req("POST", path, token, NULL, body);

	free(body);
	free(path);
	return r;
}

struct resp *rw_unassign(const char *token, const char *tenant, const char *user, const char *role)
{
	char *path = xasprintf("/api/v1/tenants/%s/users/%s/roles/%s", tenant, user, role);
	struct resp *r = req("DELETE", path, token, NULL, NULL);

	free(path);
	return r;
}
