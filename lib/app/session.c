/* One transaction per authenticated request: its scope (row-level security) is the
 * tenant in context and the principal, and the principal's permissions there are read in
 * the same transaction as everything the request does. */
#include "app/app.h"

#include "app/messages.h"

#include <string.h>

enum vs_err vs_session_open(struct vs_app *app, struct vs_arena *a, const char *token,
			    size_t len, const vs_uuid *tenant, struct vs_principal *out,
			    struct vs_error *e)
{
	struct vs_access_claims claims;
	memset(out, 0, sizeof(*out));
	if (vs_jwt_verify(a, app->jwt, token, len, app->now(), &claims) != VS_OK)
		return vs_fail(e, VS_UNAUTHORIZED, VS_MSG_BAD_TOKEN);

	struct vs_scope scope = { .tenant = tenant, .user = &claims.sub };
	enum vs_err rc = app->repos.tx->ops->begin(app->repos.tx, &scope);
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->repos.users->ops->principal(app->repos.users, a, &claims.sub, tenant, out);
	if (rc == VS_OK && !out->user.is_active)
		rc = vs_fail(e, VS_UNAUTHORIZED, VS_MSG_INACTIVE_USER);
	else if (rc == VS_NOTFOUND)
		rc = vs_fail(e, VS_UNAUTHORIZED, VS_MSG_BAD_TOKEN);
	else if (rc != VS_OK)
		rc = vs_fail(e, rc, NULL);
	if (rc != VS_OK) {
		app->repos.tx->ops->rollback(app->repos.tx);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->authenticated = true;
	return VS_OK;
}

enum vs_err vs_session_close(struct vs_app *app, bool ok)
{
	if (ok)
		return app->repos.tx->ops->commit(app->repos.tx);
	app->repos.tx->ops->rollback(app->repos.tx);
	return VS_OK;
}
