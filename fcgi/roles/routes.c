/* Roles and their permissions, at /roles (tenant from X-Tenant-ID) and at
 * /tenants/{tenant_id}/roles; the permission catalogue. */
#include "roles/handlers.h"
#include "router.h"

#define HEADER VS_TENANT_HEADER
#define PATH VS_TENANT_PATH

static const struct vs_route routes[] = {
	VS_ROUTE(VS_GET, "/api/v1/roles", vs_h_roles_list, VS_PERMISSION("role:read"), HEADER,
		 true),
	VS_ROUTE(VS_POST, "/api/v1/roles", vs_h_roles_create, VS_PERMISSION("role:create"), HEADER,
		 true),
	VS_ROUTE(VS_GET, "/api/v1/roles/{role_id}", vs_h_roles_get, VS_PERMISSION("role:read"),
		 HEADER, true),
	VS_ROUTE(VS_PUT, "/api/v1/roles/{role_id}", vs_h_roles_update, VS_PERMISSION("role:update"),
		 HEADER, true),
	VS_ROUTE(VS_PATCH, "/api/v1/roles/{role_id}", vs_h_roles_update,
		 VS_PERMISSION("role:update"), HEADER, true),
	VS_ROUTE(VS_DELETE, "/api/v1/roles/{role_id}", vs_h_roles_delete,
		 VS_PERMISSION("role:delete"), HEADER, true),
	VS_ROUTE(VS_GET, "/api/v1/roles/{role_id}/permissions", vs_h_roles_permissions,
		 VS_PERMISSION("role:read"), HEADER, true),
	VS_ROUTE(VS_POST, "/api/v1/roles/{role_id}/permissions", vs_h_roles_add_permission,
		 VS_PERMISSION("permission:assign"), HEADER, true),
	VS_ROUTE(VS_DELETE, "/api/v1/roles/{role_id}/permissions/{permission_id}",
		 vs_h_roles_remove_permission, VS_PERMISSION("permission:assign"), HEADER, true),

	VS_ROUTE(VS_GET, "/api/v1/tenants/{tenant_id}/roles", vs_h_roles_list,
		 VS_PERMISSION("role:read"), PATH, true),
	VS_ROUTE(VS_POST, "/api/v1/tenants/{tenant_id}/roles", vs_h_roles_create,
		 VS_PERMISSION("role:create"), PATH, true),
	VS_ROUTE(VS_GET, "/api/v1/tenants/{tenant_id}/roles/{role_id}", vs_h_roles_get,
		 VS_PERMISSION("role:read"), PATH, true),
	VS_ROUTE(VS_PUT, "/api/v1/tenants/{tenant_id}/roles/{role_id}", vs_h_roles_update,
		 VS_PERMISSION("role:update"), PATH, true),
	VS_ROUTE(VS_PATCH, "/api/v1/tenants/{tenant_id}/roles/{role_id}", vs_h_roles_update,
		 VS_PERMISSION("role:update"), PATH, true),
	VS_ROUTE(VS_DELETE, "/api/v1/tenants/{tenant_id}/roles/{role_id}", vs_h_roles_delete,
		 VS_PERMISSION("role:delete"), PATH, true),
	VS_ROUTE(VS_GET, "/api/v1/tenants/{tenant_id}/roles/{role_id}/permissions",
		 vs_h_roles_permissions, VS_PERMISSION("role:read"), PATH, true),
	VS_ROUTE(VS_POST, "/api/v1/tenants/{tenant_id}/roles/{role_id}/permissions",
		 vs_h_roles_add_permission, VS_PERMISSION("permission:assign"), PATH, true),
	VS_ROUTE(VS_DELETE,
		 "/api/v1/tenants/{tenant_id}/roles/{role_id}/permissions/{permission_id}",
		 vs_h_roles_remove_permission, VS_PERMISSION("permission:assign"), PATH, true),

	VS_ROUTE(VS_GET, "/api/v1/permissions", vs_h_permissions_list,
		 VS_PERMISSION("permission:read"), HEADER, true),
};

const struct vs_route_group vs_roles_routes = VS_ROUTE_GROUP(routes);
