/* The authorization matrix's rows for fcgi/api_keys' routes: a key is its owner's, and
 * superusers may touch any. */
#include "authz_rows.h"

/* another user's API key: only a superuser may touch it */
#define KEY_FOREIGN(s) 401, s, 403, 403, 403, 403, 401, 403

/* An API key: the persona's own, another user's, a random id. */
#define KEY3(m, p, b, ok)                                                                    \
	ROWS(m, p, b, H_NONE, RULE_AUTHENTICATED, K_OWN, SIGNED_IN(ok)),                      \
		ROWS(m, p, b, H_NONE, RULE_AUTHENTICATED, K_FOREIGN, KEY_FOREIGN(ok)),        \
		ROWS(m, p, b, H_NONE, RULE_AUTHENTICATED, K_MISSING, SIGNED_IN(404))

#define NEW_KEY "{\"name\":\"{uniq}\",\"scope\":\"GLOBAL\"}"
#define KEY_NAME "{\"name\":\"matrix\"}"

static const struct authz_row api_keys_rows[] = {
	ROWS("GET", "/api/v1/api-keys", NULL, H_NONE, RULE_AUTHENTICATED, K_NONE, SIGNED_IN(200)),
	ROWS("POST", "/api/v1/api-keys", NEW_KEY, H_NONE, RULE_AUTHENTICATED, K_NONE,
	     SIGNED_IN(201)),
	KEY3("GET", "/api/v1/api-keys/{xkid}", NULL, 200),
	KEY3("PUT", "/api/v1/api-keys/{xkid}", KEY_NAME, 200),
	KEY3("PATCH", "/api/v1/api-keys/{xkid}", KEY_NAME, 200),
	KEY3("POST", "/api/v1/api-keys/{xkid}/rotate", "{}", 201),
	KEY3("DELETE", "/api/v1/api-keys/{xkid}", NULL, 204),
};

IT_AUTHZ_ROWS(api_keys_rows)
