/* Every endpoint and who may call it, in one table. tests/unit walks it. */
#include "handlers.h"
#include "router.h"

#define PUBLIC { VS_RULE_PUBLIC, { NULL } }
#define AUTHENTICATED { VS_RULE_AUTHENTICATED, { NULL } }
#define PERMISSION(code) { VS_RULE_PERMISSION, { code } }

#define R(m, path, fn, rule_, source, db)                                                  \
	{ .method = m, .pattern = path, .handler = fn, .rule = rule_, .tenant = source,     \
	  .needs_db = db }

#define V1 "/api/v1"
#define HEADER VS_TENANT_HEADER
#define PATH VS_TENANT_PATH
#define NONE VS_TENANT_NONE

/* The roles API, mounted at /roles (tenant from X-Tenant-ID) and /tenants/{tenant_id}/roles. */
#define ROLE_ROUTES(base, source)                                                          \
	R(VS_GET, base, vs_h_roles_list, PERMISSION("role:read"), source, true),            \
	R(VS_POST, base, vs_h_roles_create, PERMISSION("role:create"), source, true),       \
	R(VS_GET, base "/{role_id}", vs_h_roles_get, PERMISSION("role:read"), source, true), \
	R(VS_PUT, base "/{role_id}", vs_h_roles_update, PERMISSION("role:update"), source,   \
	  true),                                                                            \
	R(VS_PATCH, base "/{role_id}", vs_h_roles_update, PERMISSION("role:update"), source, \
	  true),                                                                            \
	R(VS_DELETE, base "/{role_id}", vs_h_roles_delete, PERMISSION("role:delete"), source, \
	  true),                                                                            \
	R(VS_GET, base "/{role_id}/permissions", vs_h_roles_permissions,                     \
	  PERMISSION("role:read"), source, true),                                           \
	R(VS_POST, base "/{role_id}/permissions", vs_h_roles_add_permission,                 \
	  PERMISSION("permission:assign"), source, true),                                   \
	R(VS_DELETE, base "/{role_id}/permissions/{permission_id}",                          \
	  vs_h_roles_remove_permission, PERMISSION("permission:assign"), source, true),     \
	R(VS_GET, base "/{role_id}/users", vs_h_roles_users, PERMISSION("role:read"), source, \
	  true),                                                                            \
	R(VS_PUT, base "/{role_id}/users", vs_h_roles_set_users,                             \
	  PERMISSION("role:assign_users"), source, true)

/* Where a literal and a parameter could both match, the literal wins (router.c). The
 * router stops at the first all-literal match: the hot path comes first. */
static const struct vs_route routes[] = {
	/* nginx auth_request: checks its credential itself, from caches first. */
	{ .method = VS_GET, .pattern = V1 "/auth/check", .handler = vs_h_auth_check,
	  .rule = PUBLIC, .tenant = NONE, .needs_db = false, .bare = true },
	R(VS_GET, "/", vs_h_root, PUBLIC, NONE, false),
	R(VS_GET, "/health", vs_h_root, PUBLIC, NONE, false),
	R(VS_GET, V1 "/health", vs_h_health, PUBLIC, NONE, false),
	R(VS_GET, V1 "/health/ready", vs_h_health_ready, PUBLIC, NONE, true),
	/* Loopback only, by nginx (nginx.conf.template). */
	R(VS_GET, "/metrics", vs_h_metrics, PUBLIC, NONE, false),

	R(VS_POST, V1 "/auth/token", vs_h_auth_token, PUBLIC, NONE, true),
	R(VS_POST, V1 "/auth/login/access-token", vs_h_auth_token, PUBLIC, NONE, true),
	R(VS_POST, V1 "/auth/login", vs_h_auth_login, PUBLIC, NONE, true),
	R(VS_POST, V1 "/auth/refresh", vs_h_auth_refresh, PUBLIC, NONE, true),
	R(VS_POST, V1 "/auth/logout", vs_h_auth_logout, AUTHENTICATED, NONE, true),

	R(VS_GET, V1 "/users/me", vs_h_users_me, AUTHENTICATED, HEADER, true),
	R(VS_PUT, V1 "/users/me", vs_h_users_me_update, AUTHENTICATED, HEADER, true),
	R(VS_PATCH, V1 "/users/me", vs_h_users_me_update, AUTHENTICATED, HEADER, true),
	R(VS_GET, V1 "/users", vs_h_users_list, PERMISSION("user:read"), HEADER, true),
	R(VS_POST, V1 "/users", vs_h_users_create, PERMISSION("user:create"), HEADER, true),
	R(VS_GET, V1 "/users/{user_id}", vs_h_users_get, PERMISSION("user:read"), HEADER, true),
	R(VS_PUT, V1 "/users/{user_id}", vs_h_users_update, PERMISSION("user:update"), HEADER,
	  true),
	R(VS_PATCH, V1 "/users/{user_id}", vs_h_users_update, PERMISSION("user:update"), HEADER,
	  true),
	R(VS_DELETE, V1 "/users/{user_id}", vs_h_users_delete, PERMISSION("user:delete"), HEADER,
	  true),

	R(VS_GET, V1 "/tenants", vs_h_tenants_list, AUTHENTICATED, NONE, true),
	R(VS_POST, V1 "/tenants", vs_h_tenants_create, PERMISSION("tenant:create"), NONE, true),
	/* tenant:read is checked in the tenant the slug names (vs_tenants_get_by_slug). */
	R(VS_GET, V1 "/tenants/slug/{slug}", vs_h_tenants_get_by_slug, AUTHENTICATED, NONE,
	  true),
	R(VS_GET, V1 "/tenants/{tenant_id}", vs_h_tenants_get, PERMISSION("tenant:read"), PATH,
	  true),
	R(VS_PUT, V1 "/tenants/{tenant_id}", vs_h_tenants_update, PERMISSION("tenant:update"),
	  PATH, true),
	R(VS_PATCH, V1 "/tenants/{tenant_id}", vs_h_tenants_update, PERMISSION("tenant:update"),
	  PATH, true),
	R(VS_DELETE, V1 "/tenants/{tenant_id}", vs_h_tenants_delete, PERMISSION("tenant:delete"),
	  PATH, true),
	R(VS_GET, V1 "/tenants/{tenant_id}/users", vs_h_tenant_users_list,
	  PERMISSION("tenant:view_users"), PATH, true),
	R(VS_GET, V1 "/tenants/{tenant_id}/users/{user_id}", vs_h_tenant_users_get,
	  PERMISSION("tenant:view_users"), PATH, true),
	R(VS_POST, V1 "/tenants/{tenant_id}/users/{user_id}/roles", vs_h_assignments_grant,
	  PERMISSION("role:assign_users"), PATH, true),
	R(VS_DELETE, V1 "/tenants/{tenant_id}/users/{user_id}/roles/{role_id}",
	  vs_h_assignments_revoke, PERMISSION("role:assign_users"), PATH, true),

	/* Keys are their owner's: a TENANT key also needs api_key:create in its tenant. */
	R(VS_GET, V1 "/api-keys", vs_h_api_keys_list, AUTHENTICATED, NONE, true),
	R(VS_POST, V1 "/api-keys", vs_h_api_keys_create, AUTHENTICATED, NONE, true),
	R(VS_GET, V1 "/api-keys/{key_id}", vs_h_api_keys_get, AUTHENTICATED, NONE, true),
	R(VS_PUT, V1 "/api-keys/{key_id}", vs_h_api_keys_update, AUTHENTICATED, NONE, true),
	R(VS_PATCH, V1 "/api-keys/{key_id}", vs_h_api_keys_update, AUTHENTICATED, NONE, true),
	R(VS_DELETE, V1 "/api-keys/{key_id}", vs_h_api_keys_delete, AUTHENTICATED, NONE, true),
	R(VS_POST, V1 "/api-keys/{key_id}/rotate", vs_h_api_keys_rotate, AUTHENTICATED, NONE,
	  true),

	ROLE_ROUTES(V1 "/roles", HEADER),
	ROLE_ROUTES(V1 "/tenants/{tenant_id}/roles", PATH),
	R(VS_GET, V1 "/permissions", vs_h_permissions_list, PERMISSION("permission:read"), HEADER,
	  true),
	/* The OpenAPI document (fcgi/openapi.json, checked against this table by tests/unit). */
	R(VS_GET, V1 "/openapi.json", vs_h_openapi, PUBLIC, NONE, false),
};

const struct vs_route *vs_routes(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}
