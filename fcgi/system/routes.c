/* Liveness, readiness, metrics and the API document. */
#include "router.h"
#include "system/handlers.h"

static const struct vs_route routes[] = {
	VS_ROUTE(VS_GET, "/", vs_h_root, VS_PUBLIC, VS_TENANT_NONE, false),
	VS_ROUTE(VS_GET, "/health", vs_h_root, VS_PUBLIC, VS_TENANT_NONE, false),
	VS_ROUTE(VS_GET, "/api/v1/health", vs_h_health, VS_PUBLIC, VS_TENANT_NONE, false),
	VS_ROUTE(VS_GET, "/api/v1/health/ready", vs_h_health_ready, VS_PUBLIC, VS_TENANT_NONE,
		 true),
	/* Loopback only, by nginx (nginx.conf.template). */
	VS_ROUTE(VS_GET, "/metrics", vs_h_metrics, VS_PUBLIC, VS_TENANT_NONE, false),
	/* The OpenAPI document, checked against the route table by tests/unit. */
	VS_ROUTE(VS_GET, "/api/v1/openapi.json", vs_h_openapi, VS_PUBLIC, VS_TENANT_NONE, false),
};

const struct vs_route_group vs_system_routes = VS_ROUTE_GROUP(routes);
