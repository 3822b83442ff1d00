/*
 * The authorization matrix's rows for fcgi/roles' routes: roles and their permissions,
 * at both mountings (/api/v1/roles with X-Tenant-ID, /api/v1/tenants/{A}/roles without),
 * and the permission catalogue.
 */
#include "authz_rows.h"

#define NEW_ROLE "{\"name\":\"{uniq}\"}"
#define ADD_PERMISSION "{\"permission_id\":\"{pid}\"}"

static const struct authz_row roles_rows[] = {
	/* reads */
	COLL3("GET", "/api/v1/roles", NULL, H_CTX, "role:read", READ_A, IN_B(200)),
	ROWS("GET", "/api/v1/roles", NULL, H_CTX, "role:read", K_NOCTX, NEEDS_HEADER(200)),
	OBJ4("GET", "/api/v1/roles/{rid}", NULL, H_A, "role:read", READ_A, NOT_IN_A_READ, READ_A),
	OBJ4("GET", "/api/v1/roles/{rid}/permissions", NULL, H_A, "role:read", READ_A,
	     NOT_IN_A_READ, READ_A),
	COLL3("GET", "/api/v1/tenants/{tid}/roles", NULL, H_NONE, "role:read", READ_A, IN_B(200)),
	OBJ4("GET", "/api/v1/tenants/{A}/roles/{rid}", NULL, H_NONE, "role:read", READ_A,
	     NOT_IN_A_READ, READ_A),
	OBJ4("GET", "/api/v1/tenants/{A}/roles/{rid}/permissions", NULL, H_NONE, "role:read",
	     READ_A, NOT_IN_A_READ, READ_A),
	COLL3("GET", "/api/v1/permissions", NULL, H_CTX, "permission:read", READ_A, IN_B(200)),
	ROWS("GET", "/api/v1/permissions", NULL, H_CTX, "permission:read", K_NOCTX,
	     NEEDS_HEADER(200)),

	/* changes that keep every fixture usable */
	OBJ4("PUT", "/api/v1/roles/{rid}", DESCRIPTION, H_A, "role:update", ADMIN_A(200),
	     NOT_IN_A_ADMIN, SYSTEM_ROLE),
	OBJ4("PATCH", "/api/v1/roles/{rid}", DESCRIPTION, H_A, "role:update", ADMIN_A(200),
	     NOT_IN_A_ADMIN, SYSTEM_ROLE),
	OBJ4("POST", "/api/v1/roles/{rid}/permissions", ADD_PERMISSION, H_A, "permission:assign",
	     ADMIN_A(204), NOT_IN_A_ADMIN, SYSTEM_ROLE),
	OBJ4("PUT", "/api/v1/tenants/{A}/roles/{rid}", DESCRIPTION, H_NONE, "role:update",
	     ADMIN_A(200), NOT_IN_A_ADMIN, SYSTEM_ROLE),
	OBJ4("PATCH", "/api/v1/tenants/{A}/roles/{rid}", DESCRIPTION, H_NONE, "role:update",
	     ADMIN_A(200), NOT_IN_A_ADMIN, SYSTEM_ROLE),
	OBJ4("POST", "/api/v1/tenants/{A}/roles/{rid}/permissions", ADD_PERMISSION, H_NONE,
	     "permission:assign", ADMIN_A(204), NOT_IN_A_ADMIN, SYSTEM_ROLE),

	/* creations */
	COLL3("POST", "/api/v1/roles", NEW_ROLE, H_CTX, "role:create", ADMIN_A(201), IN_B(201)),
	COLL3("POST", "/api/v1/tenants/{tid}/roles", NEW_ROLE, H_NONE, "role:create",
	      ADMIN_A(201), IN_B(201)),

	/* deletions, of throwaway roles where they succeed */
	OBJ4("DELETE", "/api/v1/roles/{xrid}/permissions/{pid}", NULL, H_A, "permission:assign",
	     ADMIN_A(204), NOT_IN_A_ADMIN, SYSTEM_ROLE),
	OBJ4("DELETE", "/api/v1/roles/{xrid}", NULL, H_A, "role:delete", ADMIN_A(204),
	     NOT_IN_A_ADMIN, SYSTEM_ROLE),
	OBJ4("DELETE", "/api/v1/tenants/{A}/roles/{xrid}/permissions/{pid}", NULL, H_NONE,
	     "permission:assign", ADMIN_A(204), NOT_IN_A_ADMIN, SYSTEM_ROLE),
	OBJ4("DELETE", "/api/v1/tenants/{A}/roles/{xrid}", NULL, H_NONE, "role:delete",
	     ADMIN_A(204), NOT_IN_A_ADMIN, SYSTEM_ROLE),
};

IT_AUTHZ_ROWS(roles_rows)
