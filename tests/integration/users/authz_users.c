/* The authorization matrix's rows for fcgi/users' routes: /users, /users/me and a
 * tenant's users. */
#include "authz_rows.h"

#define FIRST_NAME "{\"first_name\":\"Matrix\"}"
#define NEW_USER                                                                             \
	"{\"email\":\"{email}\",\"password\":\"" MATRIX_PASSWORD "\","                       \
	"\"first_name\":\"Matrix\",\"last_name\":\"Row\"}"

#define ME(m, b)                                                                             \
	COLL3(m, "/api/v1/users/me", b, H_CTX, RULE_AUTHENTICATED, SELF_A, IN_B(200)),       \
		ROWS(m, "/api/v1/users/me", b, H_CTX, RULE_AUTHENTICATED, K_NOCTX,            \
		     SIGNED_IN(200))

static const struct authz_row users_rows[] = {
	ME("GET", NULL),
	ME("PUT", FIRST_NAME),
	ME("PATCH", FIRST_NAME),
	COLL3("GET", "/api/v1/users", NULL, H_CTX, "user:read", READ_A, IN_B(200)),
	ROWS("GET", "/api/v1/users", NULL, H_CTX, "user:read", K_NOCTX, NEEDS_HEADER(200)),
	OBJ3("GET", "/api/v1/users/{uid}", NULL, H_A, "user:read", READ_A, NOT_IN_A_READ),
	COLL3("GET", "/api/v1/tenants/{tid}/users", NULL, H_NONE, "tenant:view_users", READ_A,
	      IN_B(200)),
	OBJ3("GET", "/api/v1/tenants/{A}/users/{uid}", NULL, H_NONE, "tenant:view_users", READ_A,
	     NOT_IN_A_READ),
	OBJ3("PUT", "/api/v1/users/{uid}", FIRST_NAME, H_A, "user:update", ADMIN_A(200),
	     NOT_IN_A_ADMIN),
	OBJ3("PATCH", "/api/v1/users/{uid}", FIRST_NAME, H_A, "user:update", ADMIN_A(200),
	     NOT_IN_A_ADMIN),
	COLL3("POST", "/api/v1/users", NEW_USER, H_CTX, "user:create", ADMIN_A(201), IN_B(201)),
	ROWS("POST", "/api/v1/users", NEW_USER, H_CTX, "user:create", K_NOCTX, NEEDS_HEADER(201)),
	OBJ3("DELETE", "/api/v1/users/{xuid}", NULL, H_A, "user:delete", ADMIN_A(204),
	     NOT_IN_A_ADMIN),
};

IT_AUTHZ_ROWS(users_rows)
