/* Assignments: a role of a user in a tenant, and the holders of a role (at both of the
 * roles API's places). */
#include "assignments/handlers.h"
#include "router.h"

#define HEADER VS_TENANT_HEADER
#define PATH VS_TENANT_PATH

static const struct vs_route routes[] = {
	VS_ROUTE(VS_POST, "/api/v1/tenants/{tenant_id}/users/{user_id}/roles",
		 vs_h_assignments_grant, VS_PERMISSION("role:assign_users"), PATH, true),
	VS_ROUTE(VS_DELETE, "/api/v1/tenants/{tenant_id}/users/{user_id}/roles/{role_id}",
		 vs_h_assignments_revoke, VS_PERMISSION("role:assign_users"), PATH, true),
	VS_ROUTE(VS_GET, "/api/v1/roles/{role_id}/users", vs_h_assignments_holders,
		 VS_PERMISSION("role:read"), HEADER, true),
	VS_ROUTE(VS_PUT, "/api/v1/roles/{role_id}/users", vs_h_assignments_set_holders,
		 VS_PERMISSION("role:assign_users"), HEADER, true),
	VS_ROUTE(VS_GET, "/api/v1/tenants/{tenant_id}/roles/{role_id}/users",
		 vs_h_assignments_holders, VS_PERMISSION("role:read"), PATH, true),
	VS_ROUTE(VS_PUT, "/api/v1/tenants/{tenant_id}/roles/{role_id}/users",
		 vs_h_assignments_set_holders, VS_PERMISSION("role:assign_users"), PATH, true),
};

const struct vs_route_group vs_assignments_routes = VS_ROUTE_GROUP(routes);
