/* The nginx auth_request check, first of all routes: it is the hot path. */
#include "auth/handlers.h"
#include "router.h"

static const struct vs_route routes[] = {
	/* Checks its credential itself, from caches first; answers only 204, 401 or 403. */
	{ .method = VS_GET, .pattern = "/api/v1/auth/check", .handler = vs_h_auth_check,
	  .rule = VS_PUBLIC, .tenant = VS_TENANT_NONE, .needs_db = false, .bare = true },
};

const struct vs_route_group vs_auth_routes = VS_ROUTE_GROUP(routes);
