/* API keys: their owner's, so any signed-in user manages its own; a TENANT key also needs
 * api_key:create in its tenant (checked by the use case). */
#include "api_keys/handlers.h"
#include "router.h"

#define NONE VS_TENANT_NONE

static const struct vs_route routes[] = {
	VS_ROUTE(VS_GET, "/api/v1/api-keys", vs_h_api_keys_list, VS_AUTHENTICATED, NONE, true),
	VS_ROUTE(VS_POST, "/api/v1/api-keys", vs_h_api_keys_create, VS_AUTHENTICATED, NONE, true),
	VS_ROUTE(VS_GET, "/api/v1/api-keys/{key_id}", vs_h_api_keys_get, VS_AUTHENTICATED, NONE,
		 true),
	VS_ROUTE(VS_PUT, "/api/v1/api-keys/{key_id}", vs_h_api_keys_update, VS_AUTHENTICATED, NONE,
		 true),
	VS_ROUTE(VS_PATCH, "/api/v1/api-keys/{key_id}", vs_h_api_keys_update, VS_AUTHENTICATED,
		 NONE, true),
	VS_ROUTE(VS_DELETE, "/api/v1/api-keys/{key_id}", vs_h_api_keys_delete, VS_AUTHENTICATED,
		 NONE, true),
	VS_ROUTE(VS_POST, "/api/v1/api-keys/{key_id}/rotate", vs_h_api_keys_rotate,
		 VS_AUTHENTICATED, NONE, true),
};

const struct vs_route_group vs_api_keys_routes = VS_ROUTE_GROUP(routes);
