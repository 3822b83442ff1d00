/* Login, refresh and logout (API.md §2). */
#include "router.h"
#include "sessions/handlers.h"

static const struct vs_route routes[] = {
	VS_ROUTE(VS_POST, "/api/v1/auth/token", vs_h_sessions_token, VS_PUBLIC, VS_TENANT_NONE,
		 true),
	VS_ROUTE(VS_POST, "/api/v1/auth/login/access-token", vs_h_sessions_token, VS_PUBLIC,
		 VS_TENANT_NONE, true),
	VS_ROUTE(VS_POST, "/api/v1/auth/login", vs_h_sessions_login, VS_PUBLIC, VS_TENANT_NONE,
		 true),
	VS_ROUTE(VS_POST, "/api/v1/auth/refresh", vs_h_sessions_refresh, VS_PUBLIC,
		 VS_TENANT_NONE, true),
	VS_ROUTE(VS_POST, "/api/v1/auth/logout", vs_h_sessions_logout, VS_AUTHENTICATED,
		 VS_TENANT_NONE, true),
};

const struct vs_route_group vs_sessions_routes = VS_ROUTE_GROUP(routes);
