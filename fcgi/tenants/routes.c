/* Tenants. */
#include "router.h"
#include "tenants/handlers.h"

#define NONE VS_TENANT_NONE
#define PATH VS_TENANT_PATH

static const struct vs_route routes[] = {
	VS_ROUTE(VS_GET, "/api/v1/tenants", vs_h_tenants_list, VS_AUTHENTICATED, NONE, true),
	VS_ROUTE(VS_POST, "/api/v1/tenants", vs_h_tenants_create, VS_PERMISSION("tenant:create"),
		 NONE, true),
	/* tenant:read is checked in the tenant the slug names (vs_tenants_get_by_slug). */
	VS_ROUTE(VS_GET, "/api/v1/tenants/slug/{slug}", vs_h_tenants_get_by_slug, VS_AUTHENTICATED,
		 NONE, true),
	VS_ROUTE(VS_GET, "/api/v1/tenants/{tenant_id}", vs_h_tenants_get,
		 VS_PERMISSION("tenant:read"), PATH, true),
	VS_ROUTE(VS_PUT, "/api/v1/tenants/{tenant_id}", vs_h_tenants_update,
		 VS_PERMISSION("tenant:update"), PATH, true),
	VS_ROUTE(VS_PATCH, "/api/v1/tenants/{tenant_id}", vs_h_tenants_update,
		 VS_PERMISSION("tenant:update"), PATH, true),
	VS_ROUTE(VS_DELETE, "/api/v1/tenants/{tenant_id}", vs_h_tenants_delete,
		 VS_PERMISSION("tenant:delete"), PATH, true),
};

const struct vs_route_group vs_tenants_routes = VS_ROUTE_GROUP(routes);
