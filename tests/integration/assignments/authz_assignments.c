/*
 * The authorization matrix's rows for fcgi/assignments' routes: who holds a role (at both
 * mountings), and a user's roles in a tenant.
 */
#include "authz_rows.h"

#define HOLDERS "{\"user_ids\":[\"{uA}\"]}"
#define ASSIGN "{\"role_id\":\"{rid}\"}"

static const struct authz_row assignments_rows[] = {
	OBJ4("GET", "/api/v1/roles/{rid}/users", NULL, H_A, "role:read", READ_A, NOT_IN_A_READ,
	     READ_A),
	OBJ4("GET", "/api/v1/tenants/{A}/roles/{rid}/users", NULL, H_NONE, "role:read", READ_A,
	     NOT_IN_A_READ, READ_A),
	OBJ3("POST", "/api/v1/tenants/{A}/users/{uid}/roles", ASSIGN, H_NONE, "role:assign_users",
	     ADMIN_A(204), NOT_IN_A_ADMIN),
	/* on throwaway roles: the holders are replaced */
	OBJ3("PUT", "/api/v1/roles/{xrid}/users", HOLDERS, H_A, "role:assign_users", ADMIN_A(204),
	     NOT_IN_A_ADMIN),
	OBJ3("PUT", "/api/v1/tenants/{A}/roles/{xrid}/users", HOLDERS, H_NONE,
	     "role:assign_users", ADMIN_A(204), NOT_IN_A_ADMIN),
	/* of a throwaway user where it succeeds */
	OBJ3("DELETE", "/api/v1/tenants/{A}/users/{xuid}/roles/{member}", NULL, H_NONE,
	     "role:assign_users", ADMIN_A(204), NOT_IN_A_ADMIN),
};

IT_AUTHZ_ROWS(assignments_rows)
