/* The authorization matrix's rows for fcgi/auth's route, the auth_request check. */
#include "authz_rows.h"

static const struct authz_row auth_rows[] = {
	/* the check decides itself: a signed-in user's token is 204, no body ever */
	ROWS("GET", "/api/v1/auth/check", NULL, H_NONE, RULE_PUBLIC, K_NONE, SIGNED_IN(204)),
};

IT_AUTHZ_ROWS(auth_rows)
