/* The one verification of a presented API key, for request authentication and the
 * auth_request check alike: security logic that exists once. */
#include "api_keys/usecases.h"

#include "api_keys/messages.h"
#include "core/crypto.h"

#include <string.h>

enum vs_err vs_api_keys_authenticate(struct vs_app *app, struct vs_arena *a, const char *key,
				     size_t len, struct vs_api_key *out, struct vs_error *e)
{
	char public_id[VS_API_KEY_PUBLIC_LEN + 1];
	uint8_t digest[VS_SHA256_LEN];
	/* A mistyped or made-up key is refused here, without a lookup. */
	if (len > VS_API_KEY_MAX_HEADER || !vs_api_key_parse(key, len, public_id))
		return vs_fail(e, VS_UNAUTHORIZED, VS_MSG_BAD_API_KEY);
	enum vs_err rc = app->api_keys->ops->find(app->api_keys, a, public_id, out);
	if (rc == VS_NOTFOUND)
		return vs_fail(e, VS_UNAUTHORIZED, VS_MSG_BAD_API_KEY);
	if (rc != VS_OK) /* the callers fail closed while the database is away */
		return vs_fail(e, VS_UNAVAILABLE, NULL);
	vs_sha256(key, len, digest);
	if (!vs_ct_equal(digest, out->hash, sizeof(digest)) || !vs_api_key_usable(out, app->now()))
		return vs_fail(e, VS_UNAUTHORIZED, VS_MSG_BAD_API_KEY);
	return VS_OK;
}

enum vs_err vs_api_keys_open(struct vs_app *app, struct vs_arena *a, const char *key, size_t len,
			     const vs_uuid **tenant, vs_uuid *tenant_buf, struct vs_api_key *out,
			     struct vs_error *e)
{
	enum vs_err rc = vs_api_keys_authenticate(app, a, key, len, out, e);
	if (rc != VS_OK || out->global)
		return rc;
	if (*tenant && !vs_uuid_eq(*tenant, &out->tenant_id))
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_KEY_OTHER_TENANT);
	*tenant_buf = out->tenant_id;
	*tenant = tenant_buf;
	return VS_OK;
}
