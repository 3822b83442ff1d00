/* Users: the caller itself, the users of the tenant in context, and of a tenant by path. */
#include "router.h"
#include "users/handlers.h"

#define HEADER VS_TENANT_HEADER

static const struct vs_route routes[] = {
	VS_ROUTE(VS_GET, "/api/v1/users/me", vs_h_users_me, VS_AUTHENTICATED, HEADER, true),
	VS_ROUTE(VS_PUT, "/api/v1/users/me", vs_h_users_me_update, VS_AUTHENTICATED, HEADER, true),
	VS_ROUTE(VS_PATCH, "/api/v1/users/me", vs_h_users_me_update, VS_AUTHENTICATED, HEADER,
		 true),
	VS_ROUTE(VS_GET, "/api/v1/users", vs_h_users_list, VS_PERMISSION("user:read"), HEADER,
		 true),
	VS_ROUTE(VS_POST, "/api/v1/users", vs_h_users_create, VS_PERMISSION("user:create"), HEADER,
		 true),
	VS_ROUTE(VS_GET, "/api/v1/users/{user_id}", vs_h_users_get, VS_PERMISSION("user:read"),
		 HEADER, true),
	VS_ROUTE(VS_PUT, "/api/v1/users/{user_id}", vs_h_users_update, VS_PERMISSION("user:update"),
		 HEADER, true),
	VS_ROUTE(VS_PATCH, "/api/v1/users/{user_id}", vs_h_users_update,
		 VS_PERMISSION("user:update"), HEADER, true),
	VS_ROUTE(VS_DELETE, "/api/v1/users/{user_id}", vs_h_users_delete,
		 VS_PERMISSION("user:delete"), HEADER, true),
	VS_ROUTE(VS_GET, "/api/v1/tenants/{tenant_id}/users", vs_h_tenant_users_list,
		 VS_PERMISSION("tenant:view_users"), VS_TENANT_PATH, true),
	VS_ROUTE(VS_GET, "/api/v1/tenants/{tenant_id}/users/{user_id}", vs_h_tenant_users_get,
		 VS_PERMISSION("tenant:view_users"), VS_TENANT_PATH, true),
};

const struct vs_route_group vs_users_routes = VS_ROUTE_GROUP(routes);
