/* Webhooks (API.md §9): a tenant's, managed in the X-Tenant-ID tenant with webhook:manage. */
#include "router.h"
#include "webhooks/handlers.h"

#define MANAGE VS_PERMISSION("webhook:manage")
#define HEADER VS_TENANT_HEADER
#define ONE "/api/v1/webhooks/{webhook_id}"

static const struct vs_route routes[] = {
	VS_ROUTE(VS_GET, "/api/v1/webhooks", vs_h_webhooks_list, MANAGE, HEADER, true),
	VS_ROUTE(VS_POST, "/api/v1/webhooks", vs_h_webhooks_create, MANAGE, HEADER, true),
	VS_ROUTE(VS_GET, ONE, vs_h_webhooks_get, MANAGE, HEADER, true),
	VS_ROUTE(VS_PATCH, ONE, vs_h_webhooks_update, MANAGE, HEADER, true),
	VS_ROUTE(VS_DELETE, ONE, vs_h_webhooks_delete, MANAGE, HEADER, true),
	VS_ROUTE(VS_POST, ONE "/rotate-secret", vs_h_webhooks_rotate, MANAGE, HEADER, true),
	VS_ROUTE(VS_POST, ONE "/test", vs_h_webhooks_test, MANAGE, HEADER, true),
	VS_ROUTE(VS_GET, ONE "/deliveries", vs_h_webhooks_deliveries, MANAGE, HEADER, true),
	VS_ROUTE(VS_POST, ONE "/deliveries/{delivery_id}/replay", vs_h_webhooks_replay_delivery,
		 MANAGE, HEADER, true),
	VS_ROUTE(VS_POST, ONE "/replay", vs_h_webhooks_replay, MANAGE, HEADER, true),
};

const struct vs_route_group vs_webhooks_routes = VS_ROUTE_GROUP(routes);
