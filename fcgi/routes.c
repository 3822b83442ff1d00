/* Every endpoint and who may call it, in one table. tests/unit walks it. */
#include "handlers.h"
#include "router.h"

#define PUBLIC { VS_RULE_PUBLIC, NULL }
#define AUTHENTICATED { VS_RULE_AUTHENTICATED, NULL }
#define PERMISSION(code) { VS_RULE_PERMISSION, code }

#define V1 "/api/v1"

/* More specific patterns first: /users/me before /users/{user_id}. */
static const struct vs_route routes[] = {
	{ VS_GET, "/", vs_h_root, PUBLIC, VS_TENANT_NONE, false },
	{ VS_GET, "/health", vs_h_root, PUBLIC, VS_TENANT_NONE, false },
	{ VS_GET, V1 "/health", vs_h_health, PUBLIC, VS_TENANT_NONE, false },
	{ VS_GET, V1 "/health/ready", vs_h_health_ready, PUBLIC, VS_TENANT_NONE, true },

	{ VS_POST, V1 "/auth/token", vs_h_auth_token, PUBLIC, VS_TENANT_NONE, true },
	{ VS_POST, V1 "/auth/login/access-token", vs_h_auth_token, PUBLIC, VS_TENANT_NONE, true },
	{ VS_POST, V1 "/auth/login", vs_h_auth_login, PUBLIC, VS_TENANT_NONE, true },
	{ VS_POST, V1 "/auth/refresh", vs_h_auth_refresh, PUBLIC, VS_TENANT_NONE, true },
	{ VS_POST, V1 "/auth/logout", vs_h_auth_logout, AUTHENTICATED, VS_TENANT_NONE, true },

	{ VS_GET, V1 "/users/me", vs_h_users_me, AUTHENTICATED, VS_TENANT_HEADER, true },
	{ VS_PUT, V1 "/users/me", vs_h_users_me_update, AUTHENTICATED, VS_TENANT_HEADER, true },
	{ VS_PATCH, V1 "/users/me", vs_h_users_me_update, AUTHENTICATED, VS_TENANT_HEADER, true },
	{ VS_GET, V1 "/users", vs_h_users_list, PERMISSION("user:read"), VS_TENANT_HEADER, true },
	{ VS_POST, V1 "/users", vs_h_users_create, PERMISSION("user:create"), VS_TENANT_HEADER,
	  true },
	{ VS_GET, V1 "/users/{user_id}", vs_h_users_get, PERMISSION("user:read"),
	  VS_TENANT_HEADER, true },
	{ VS_PUT, V1 "/users/{user_id}", vs_h_users_update, PERMISSION("user:update"),
	  VS_TENANT_HEADER, true },
	{ VS_PATCH, V1 "/users/{user_id}", vs_h_users_update, PERMISSION("user:update"),
	  VS_TENANT_HEADER, true },
	{ VS_DELETE, V1 "/users/{user_id}", vs_h_users_delete, PERMISSION("user:delete"),
	  VS_TENANT_HEADER, true },

	{ VS_GET, V1 "/tenants", vs_h_tenants_list, AUTHENTICATED, VS_TENANT_NONE, true },
	{ VS_POST, V1 "/tenants", vs_h_tenants_create, PERMISSION("tenant:create"),
	  VS_TENANT_NONE, true },
	{ VS_GET, V1 "/tenants/slug/{slug}", vs_h_tenants_get_by_slug, PERMISSION("tenant:read"),
	  VS_TENANT_NONE, true },
	{ VS_GET, V1 "/tenants/{tenant_id}", vs_h_tenants_get, PERMISSION("tenant:read"),
	  VS_TENANT_PATH, true },
	{ VS_PUT, V1 "/tenants/{tenant_id}", vs_h_tenants_update, PERMISSION("tenant:update"),
	  VS_TENANT_PATH, true },
	{ VS_PATCH, V1 "/tenants/{tenant_id}", vs_h_tenants_update, PERMISSION("tenant:update"),
	  VS_TENANT_PATH, true },
	{ VS_DELETE, V1 "/tenants/{tenant_id}", vs_h_tenants_delete, PERMISSION("tenant:delete"),
	  VS_TENANT_PATH, true },
	{ VS_GET, V1 "/tenants/{tenant_id}/users", vs_h_tenant_users_list,
	  PERMISSION("tenant:view_users"), VS_TENANT_PATH, true },
	{ VS_GET, V1 "/tenants/{tenant_id}/users/{user_id}", vs_h_tenant_users_get,
	  PERMISSION("tenant:view_users"), VS_TENANT_PATH, true },
};

const struct vs_route *vs_routes(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}
