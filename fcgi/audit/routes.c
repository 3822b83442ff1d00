/* The audit log (API.md §8): read in the tenant from X-Tenant-ID; a superuser without the
 * header reads the platform's chain (checked by the use cases). */
#include "audit/handlers.h"
#include "router.h"

#define HEADER VS_TENANT_HEADER

static const struct vs_route routes[] = {
	VS_ROUTE(VS_GET, "/api/v1/audit-logs", vs_h_audit_list, VS_PERMISSION("audit:read"), HEADER,
		 true),
	VS_ROUTE(VS_GET, "/api/v1/audit-logs/verify", vs_h_audit_verify, VS_PERMISSION("audit:read"),
		 HEADER, true),
	VS_ROUTE(VS_GET, "/api/v1/audit-logs/checkpoints", vs_h_audit_checkpoints,
		 VS_PERMISSION("audit:read"), HEADER, true),
	/* The key that checks the checkpoints is for anyone to have. */
	VS_ROUTE(VS_GET, "/api/v1/audit-logs/public-key", vs_h_audit_public_key, VS_PUBLIC,
		 VS_TENANT_NONE, false),
};

const struct vs_route_group vs_audit_routes = VS_ROUTE_GROUP(routes);
