/* The authorization matrix's rows for fcgi/system's routes: all public. */
#include "authz_rows.h"

static const struct authz_row system_rows[] = {
	ROWS("GET", "/", NULL, H_NONE, RULE_PUBLIC, K_NONE, ALL(200)),
	ROWS("GET", "/health", NULL, H_NONE, RULE_PUBLIC, K_NONE, ALL(200)),
	ROWS("GET", "/api/v1/health", NULL, H_NONE, RULE_PUBLIC, K_NONE, ALL(200)),
	ROWS("GET", "/api/v1/health/ready", NULL, H_NONE, RULE_PUBLIC, K_NONE, ALL(200)),
	ROWS("GET", "/api/v1/openapi.json", NULL, H_NONE, RULE_PUBLIC, K_NONE, ALL(200)),
	ROWS("GET", "/metrics", NULL, H_NONE, RULE_PUBLIC, K_NONE, ALL(200)),
};

IT_AUTHZ_ROWS(system_rows)
