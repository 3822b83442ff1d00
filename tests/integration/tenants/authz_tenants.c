/* The authorization matrix's rows for fcgi/tenants' routes. */
#include "authz_rows.h"

/* GET /tenants/slug/{slug}: a tenant the caller is not in is as if it did not exist (404) */
#define SLUG_A 401, 200, 200, 200, 200, 404, 401, 403
#define SLUG_B 401, 200, 404, 404, 404, 200, 401, 404

#define NEW_TENANT "{\"name\":\"{uniq}\",\"slug\":\"{uslug}\"}"

static const struct authz_row tenants_rows[] = {
	ROWS("GET", "/api/v1/tenants", NULL, H_NONE, RULE_AUTHENTICATED, K_NONE, SIGNED_IN(200)),
	ROWS("GET", "/api/v1/tenants/slug/{slug}", NULL, H_NONE, RULE_AUTHENTICATED, K_OWN,
	     SLUG_A),
	ROWS("GET", "/api/v1/tenants/slug/{slug}", NULL, H_NONE, RULE_AUTHENTICATED, K_FOREIGN,
	     SLUG_B),
	ROWS("GET", "/api/v1/tenants/slug/{slug}", NULL, H_NONE, RULE_AUTHENTICATED, K_MISSING,
	     NO_TENANT),
	COLL3("GET", "/api/v1/tenants/{tid}", NULL, H_NONE, "tenant:read", READ_A, IN_B(200)),
	COLL3("PUT", "/api/v1/tenants/{tid}", DESCRIPTION, H_NONE, "tenant:update", ADMIN_A(200),
	      IN_B(200)),
	COLL3("PATCH", "/api/v1/tenants/{tid}", DESCRIPTION, H_NONE, "tenant:update",
	      ADMIN_A(200), IN_B(200)),
	ROWS("POST", "/api/v1/tenants", NEW_TENANT, H_NONE, "tenant:create", K_NONE,
	     SU_ONLY(201)),
	/* nobody but the superuser deletes a tenant: the others try A and B themselves */
	ROWS("DELETE", "/api/v1/tenants/{tid}", NULL, H_NONE, "tenant:delete", K_OWN,
	     401, NA, 403, 403, 403, 403, 401, 403),
	ROWS("DELETE", "/api/v1/tenants/{tid}", NULL, H_NONE, "tenant:delete", K_FOREIGN,
	     401, NA, 403, 403, 403, 403, 401, 403),
	ROWS("DELETE", "/api/v1/tenants/{tid}", NULL, H_NONE, "tenant:delete", K_MISSING,
	     NO_TENANT),
	ROWS("DELETE", "/api/v1/tenants/{xtid}", NULL, H_NONE, "tenant:delete", K_OWN,
	     NA, 204, NA, NA, NA, NA, NA, NA),
	ROWS("DELETE", "/api/v1/tenants/{xtid}", NULL, H_NONE, "tenant:delete", K_FOREIGN,
	     NA, 204, NA, NA, NA, NA, NA, NA),
};

IT_AUTHZ_ROWS(tenants_rows)
