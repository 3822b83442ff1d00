/* One transaction per authenticated request: its scope (row-level security) is the
 * tenant in context and the principal, and the principal's permissions there are read in
 * the same transaction as everything the request does. */
#include "auth/usecases.h"

#include "api_keys/usecases.h"
#include "api_keys/messages.h"
#include "auth/messages.h"
#include "core/jwt.h"
#include "users/port.h"

#include <string.h>

/* Opens the scoped transaction and loads the principal for user in tenant; an unknown
 * or inactive user is a 401 with the given details. */
static enum vs_err begin_as(struct vs_app *app, struct vs_arena *a, const vs_uuid *user,
			    const vs_uuid *tenant, const char *unknown_user, const char *inactive_user,
			    struct vs_principal *out, struct vs_error *e)
{
	struct vs_scope scope = { .tenant = tenant, .user = user };
	enum vs_err rc = app->tx->ops->begin(app->tx, &scope);
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->users->ops->principal(app->users, a, user, tenant, out);
	if (rc == VS_OK && !out->user.is_active)
		rc = vs_fail(e, VS_UNAUTHORIZED, inactive_user);
	else if (rc == VS_NOTFOUND)
		rc = vs_fail(e, VS_UNAUTHORIZED, unknown_user);
	else if (rc != VS_OK)
		rc = vs_fail(e, rc, NULL);
	if (rc != VS_OK) {
		app->tx->ops->rollback(app->tx);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->authenticated = true;
	return VS_OK;
}

enum vs_err vs_auth_open(struct vs_app *app, struct vs_arena *a, const char *token, size_t len,
			 const vs_uuid *tenant, struct vs_principal *out, struct vs_error *e)
{
	struct vs_access_claims claims;
	memset(out, 0, sizeof(*out));
	if (vs_jwt_verify(a, app->jwt, token, len, app->now(), &claims) != VS_OK)
		return vs_fail(e, VS_UNAUTHORIZED, VS_MSG_BAD_TOKEN);

	return begin_as(app, a, &claims.sub, tenant, VS_MSG_BAD_TOKEN, VS_MSG_INACTIVE_USER, out, e);
}

enum vs_err vs_auth_open_key(struct vs_app *app, struct vs_arena *a, const char *key, size_t len,
			     const vs_uuid **tenant, vs_uuid *tenant_buf, struct vs_principal *out,
			     struct vs_error *e)
{
	struct vs_api_key k;
	memset(out, 0, sizeof(*out));
	enum vs_err rc = vs_api_keys_open(app, a, key, len, tenant, tenant_buf, &k, e);
	if (rc != VS_OK)
		return rc;
	app->api_keys->ops->touch(app->api_keys, &k);
	/* A key of a deactivated owner is simply an invalid key. */
	rc = begin_as(app, a, &k.user_id, *tenant, VS_MSG_BAD_API_KEY, VS_MSG_BAD_API_KEY, out, e);
	if (rc != VS_OK)
		return rc;
	out->via_key = true;
	out->key_id = k.id;
	out->key_limited = k.nscopes > 0;
	out->key_scopes = (struct vs_permset){ k.scopes, k.nscopes };
	vs_permset_normalise(&out->key_scopes);
	return VS_OK;
}

enum vs_err vs_auth_close(struct vs_app *app, bool ok)
{
	if (ok)
		return app->tx->ops->commit(app->tx);
	app->tx->ops->rollback(app->tx);
	return VS_OK;
}
