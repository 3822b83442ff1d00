/* The authorization matrix's rows for fcgi/sessions' routes: logging in and out, refreshing. */
#include "authz_rows.h"

#define JUNK_REFRESH "{\"refresh_token\":\"{junk}\"}"

static const struct authz_row sessions_rows[] = {
	ROWS("POST", "/api/v1/auth/token", "{}", H_NONE, RULE_PUBLIC, K_NONE, ALL(422)),
	ROWS("POST", "/api/v1/auth/login/access-token", "{}", H_NONE, RULE_PUBLIC, K_NONE,
	     ALL(422)),
	ROWS("POST", "/api/v1/auth/login", "{}", H_NONE, RULE_PUBLIC, K_NONE, ALL(422)),
	ROWS("POST", "/api/v1/auth/refresh", JUNK_REFRESH, H_NONE, RULE_PUBLIC, K_NONE, ALL(401)),
	/* any signed-in user */
	ROWS("POST", "/api/v1/auth/logout", JUNK_REFRESH, H_NONE, RULE_AUTHENTICATED, K_NONE,
	     SIGNED_IN(204)),
};

IT_AUTHZ_ROWS(sessions_rows)
