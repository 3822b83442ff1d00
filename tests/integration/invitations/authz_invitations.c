/* The authorization matrix's rows for fcgi/invitations' routes: managing a tenant's
 * invitations takes tenant:manage_invitations there (Tenant Admin has it); verifying and
 * accepting are public, the token being the credential (a made-up one is the 400). */
#include "authz_rows.h"

#define MANAGE "tenant:manage_invitations"
#define INVITE "{\"email\":\"{email}\",\"tenant_id\":\"{tid}\"}"
#define JUNK_TOKEN "{\"token\":\"{junk}\"}"
#define JUNK_ACCEPT "{\"token\":\"{junk}\",\"password\":\"" MATRIX_PASSWORD "\"}"

static const struct authz_row invitations_rows[] = {
	COLL3("GET", "/api/v1/invitations", NULL, H_CTX, MANAGE, ADMIN_A(200), IN_B(200)),
	/* superusers too: an invitation always belongs to a tenant */
	ROWS("GET", "/api/v1/invitations", NULL, H_CTX, MANAGE, K_NOCTX, NEEDS_HEADER(400)),
	COLL3("POST", "/api/v1/invitations", INVITE, H_CTX, MANAGE, ADMIN_A(201), IN_B(201)),
	ROWS("POST", "/api/v1/invitations", INVITE, H_CTX, MANAGE, K_NOCTX, NEEDS_HEADER(400)),
	ROWS("POST", "/api/v1/invitations/verify", JUNK_TOKEN, H_NONE, RULE_PUBLIC, K_NONE,
	     ALL(400)),
	ROWS("POST", "/api/v1/invitations/accept", JUNK_ACCEPT, H_NONE, RULE_PUBLIC, K_NONE,
	     ALL(400)),
	/* on throwaway invitations: A's, B's, a random id */
	OBJ3("GET", "/api/v1/invitations/{xiid}", NULL, H_A, MANAGE, ADMIN_A(200), NOT_IN_A_ADMIN),
	OBJ3("POST", "/api/v1/invitations/{xiid}/revoke", NULL, H_A, MANAGE, ADMIN_A(200),
	     NOT_IN_A_ADMIN),
	OBJ3("POST", "/api/v1/invitations/{xiid}/resend", NULL, H_A, MANAGE, ADMIN_A(202),
	     NOT_IN_A_ADMIN),
};

IT_AUTHZ_ROWS(invitations_rows)
