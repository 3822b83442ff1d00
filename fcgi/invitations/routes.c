/* Invitations (API.md §5, §7): managed in the X-Tenant-ID tenant with
 * tenant:manage_invitations; verified and accepted by whoever holds a token (public: the
 * token is the credential, checked by the use case). */
#include "invitations/handlers.h"
#include "router.h"

#define MANAGE VS_PERMISSION("tenant:manage_invitations")
#define HEADER VS_TENANT_HEADER
#define NONE VS_TENANT_NONE

static const struct vs_route routes[] = {
	VS_ROUTE(VS_GET, "/api/v1/invitations", vs_h_invitations_list, MANAGE, HEADER, true),
	VS_ROUTE(VS_POST, "/api/v1/invitations", vs_h_invitations_create, MANAGE, HEADER, true),
	VS_ROUTE(VS_POST, "/api/v1/invitations/verify", vs_h_invitations_verify, VS_PUBLIC, NONE,
		 true),
	VS_ROUTE(VS_POST, "/api/v1/invitations/accept", vs_h_invitations_accept, VS_PUBLIC, NONE,
		 true),
	VS_ROUTE(VS_GET, "/api/v1/invitations/{invitation_id}", vs_h_invitations_get, MANAGE,
		 HEADER, true),
	VS_ROUTE(VS_POST, "/api/v1/invitations/{invitation_id}/revoke", vs_h_invitations_revoke,
		 MANAGE, HEADER, true),
	VS_ROUTE(VS_POST, "/api/v1/invitations/{invitation_id}/resend", vs_h_invitations_resend,
		 MANAGE, HEADER, true),
};

const struct vs_route_group vs_invitations_routes = VS_ROUTE_GROUP(routes);
