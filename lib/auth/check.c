/* The nginx auth_request check: the hot path of the whole service. An API key is
 * verified from the worker's caches (key record, owner's permissions) and only a miss
 * reaches the database; a bearer token needs its user's current state, one query. */
#include "auth/usecases.h"

#include "api_keys/messages.h"
#include "api_keys/usecases.h"
#include "auth/messages.h"
#include "users/port.h"

#include <string.h>

static enum vs_err decide(const struct vs_principal *p, const vs_uuid *tenant,
			  const char *required, struct vs_error *e)
{
	if (tenant && !p->member && !p->user.is_superuser)
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_NOT_MEMBER);
	if (required && *required && !vs_principal_holds(p, required))
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_FORBIDDEN);
	return VS_OK;
}

enum vs_err vs_auth_check_key(struct vs_app *app, struct vs_arena *a, const char *key,
			      size_t len, const vs_uuid *tenant, const char *required,
			      struct vs_check_result *out, struct vs_error *e)
{
	struct vs_api_key k;
	memset(out, 0, sizeof(*out));
	enum vs_err rc = vs_api_keys_open(app, a, key, len, &tenant, &out->tenant_buf, &k, e);
	if (rc != VS_OK)
		return rc;
	struct vs_principal p = {
		.authenticated = true,
		.user = { .id = k.user_id, .is_active = true, .is_superuser = k.owner_superuser },
		.via_key = true,
		.key_limited = k.nscopes > 0,
		.key_scopes = { k.scopes, k.nscopes },
	};
	vs_permset_normalise(&p.key_scopes);
	if (tenant) {
		rc = app->users->ops->permissions(app->users, a, &k.user_id, tenant,
							&p.member, &p.permissions);
		if (rc != VS_OK)
			return vs_fail(e, VS_UNAVAILABLE, NULL);
	}
	if ((rc = decide(&p, tenant, required, e)) != VS_OK)
		return rc;
	app->api_keys->ops->touch(app->api_keys, &k);
	out->user_id = k.user_id;
	if (tenant && tenant != &out->tenant_buf)
		out->tenant_buf = *tenant;
	out->tenant = tenant ? &out->tenant_buf : NULL;
	out->via_key = true;
	out->key_id = k.id;
	out->scopes = p.key_scopes;
	return VS_OK;
}

enum vs_err vs_auth_check_bearer(struct vs_app *app, struct vs_arena *a, const char *token,
				 size_t len, const vs_uuid *tenant, const char *required,
				 struct vs_check_result *out, struct vs_error *e)
{
	struct vs_principal p;
	memset(out, 0, sizeof(*out));
	enum vs_err rc = vs_auth_open(app, a, token, len, tenant, &p, e);
	if (rc != VS_OK)
		return rc == VS_UNAUTHORIZED ? rc : vs_fail(e, VS_UNAUTHORIZED, NULL);
	if (tenant && !p.tenant_found)
		rc = vs_fail(e, VS_FORBIDDEN, VS_MSG_NOT_MEMBER);
	else
		rc = decide(&p, tenant, required, e);
	vs_auth_close(app, false);
	if (rc != VS_OK)
		return rc;
	out->user_id = p.user.id;
	if (tenant) {
		out->tenant_buf = *tenant;
		out->tenant = &out->tenant_buf;
	}
	return VS_OK;
}
