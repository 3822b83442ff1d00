/* The authorization matrix's rows for fcgi/audit's routes: the chain of the tenant in
 * context (X-Tenant-ID) for holders of audit:read there (of the system roles, Tenant
 * Admin); a superuser without the header reads the platform's chain. */
#include "authz_rows.h"

static const struct authz_row audit_rows[] = {
	COLL3("GET", "/api/v1/audit-logs", NULL, H_CTX, "audit:read", ADMIN_A(200), IN_B(200)),
	ROWS("GET", "/api/v1/audit-logs", NULL, H_CTX, "audit:read", K_NOCTX, NEEDS_HEADER(200)),
	COLL3("GET", "/api/v1/audit-logs/verify", NULL, H_CTX, "audit:read", ADMIN_A(200),
	      IN_B(200)),
	ROWS("GET", "/api/v1/audit-logs/verify", NULL, H_CTX, "audit:read", K_NOCTX,
	     NEEDS_HEADER(200)),
	COLL3("GET", "/api/v1/audit-logs/checkpoints", NULL, H_CTX, "audit:read", ADMIN_A(200),
	      IN_B(200)),
	ROWS("GET", "/api/v1/audit-logs/checkpoints", NULL, H_CTX, "audit:read", K_NOCTX,
	     NEEDS_HEADER(200)),
	ROWS("GET", "/api/v1/audit-logs/public-key", NULL, H_NONE, RULE_PUBLIC, K_NONE, ALL(200)),
};

IT_AUTHZ_ROWS(audit_rows)
