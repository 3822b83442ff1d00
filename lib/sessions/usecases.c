/* Login, refresh-token rotation and logout. */
#include "sessions/usecases.h"

#include "audit/usecases.h"
#include "auth/messages.h"
#include "core/jwt.h"
#include "sessions/messages.h"
#include "sessions/port.h"
#include "users/port.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/password.h"

#include <string.h>

#define REFRESH_RANDOM_BYTES 32
#define REFRESH_TOKEN_LEN (sizeof(VS_REFRESH_TOKEN_PREFIX) - 1 + 43)

/* Makes a new refresh token of family, stores its hash, and mints the access token.
 * Runs inside the caller's transaction. */
static enum vs_err issue_pair(struct vs_app *app, struct vs_arena *a, const vs_uuid *user_id,
			      const vs_uuid *family, struct vs_token_pair *out, vs_uuid *family_out)
{
	uint8_t secret[REFRESH_RANDOM_BYTES], hash[VS_SHA256_LEN];
	char *token = vs_arena_alloc(a, REFRESH_TOKEN_LEN + 1);
	int64_t now = app->now();

	vs_random_bytes(secret, sizeof(secret));
	memcpy(token, VS_REFRESH_TOKEN_PREFIX, sizeof(VS_REFRESH_TOKEN_PREFIX) - 1);
	vs_base64url_encode(secret, sizeof(secret), token + sizeof(VS_REFRESH_TOKEN_PREFIX) - 1);
	vs_sha256(token, strlen(token), hash);

	struct vs_refresh_token rt = { .user_id = *user_id, .expires_at = now + app->refresh_ttl };
	vs_uuid_v4(&rt.id);
	rt.family_id = family ? *family : rt.id;
	*family_out = rt.family_id;
	enum vs_err rc = app->sessions->ops->insert(app->sessions, &rt, hash);
	if (rc != VS_OK)
		return rc;

	struct vs_access_claims claims = { .sub = *user_id, .iat = now, .exp = now + app->access_ttl };
	vs_uuid_v4(&claims.jti);
	rc = vs_jwt_issue(a, app->jwt, &claims, &out->access_token);
	out->refresh_token = token;
	out->expires_in = app->access_ttl;
	return rc;
}

/* auth.<verb> in the platform's chain, about a session (the login's family of refresh
 * tokens) or, for a failed login, the address tried. */
static enum vs_err record_auth(struct vs_app *app, struct vs_arena *a, const struct vs_user *u,
			       const char *action, const vs_uuid *family, const char *email,
			       const char *outcome)
{
	struct vs_principal who = { .authenticated = u != NULL };
	if (u)
		who.user = *u;
	struct json_object *changes = NULL;
	vs_audit_created_text(&changes, "email", email);
	char id[VS_UUID_STRLEN + 1];
	if (family)
		vs_uuid_format(family, id);
	struct vs_audit_event ev = {
		.action = action,
		.resource_type = family ? "session" : NULL,
		.resource_id = family ? id : NULL,
		.changes = changes,
		.outcome = outcome,
	};
	enum vs_err rc = vs_audit_record(app, a, u ? &who : NULL, &ev);
	json_object_put(changes);
	return rc;
}

/* A failed login writes nothing else, so its event is a transaction of its own; a failure
 * to record it is logged, and the answer stays the same 401. */
static enum vs_err login_failed(struct vs_app *app, struct vs_arena *a, const struct vs_user *u,
				const char *email, const char *detail, struct vs_error *e)
{
	enum vs_err rc = vs_app_begin(app);
	if (rc == VS_OK)
		rc = vs_app_end(app, record_auth(app, a, u, "auth.login_failed", NULL, email,
						  "failure"));
	if (rc != VS_OK)
		vs_log(VS_LOG_WARN, "could not record a failed login");
	return vs_fail(e, VS_UNAUTHORIZED, detail);
}

enum vs_err vs_sessions_login(struct vs_app *app, struct vs_arena *a, const char *email,
			  const char *password, size_t password_len, struct vs_token_pair *out,
			  struct vs_error *e)
{
	struct vs_user u;
	char *normalised = vs_arena_strdup(a, email);
	vs_user_email_normalise(normalised);

	enum vs_err rc = app->users->ops->get_by_email(app->users, a, normalised, &u);
	if (rc == VS_NOTFOUND) {
		vs_password_burn(password, password_len);
		return login_failed(app, a, NULL, normalised, VS_MSG_LOGIN_FAILED, e);
	}
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	if (!vs_password_verify(u.password_hash, password, password_len))
		return login_failed(app, a, &u, normalised, VS_MSG_LOGIN_FAILED, e);
	/* Said only to someone who knows the password. */
	if (!u.is_active)
		return login_failed(app, a, &u, normalised, VS_MSG_INACTIVE_USER, e);

	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	if (vs_password_needs_rehash(u.password_hash)) {
		struct vs_user_changes c = { 0 };
		char hash[VS_PASSWORD_HASH_MAX];
		if (vs_password_hash(password, password_len, hash) == VS_OK) {
			c.password_hash = hash;
			rc = app->users->ops->update(app->users, a, &u.id, &c, NULL, NULL, &u);
		}
	}
	vs_uuid family;
	if (rc == VS_OK)
		rc = issue_pair(app, a, &u.id, NULL, out, &family);
	if (rc == VS_OK)
		rc = record_auth(app, a, &u, "auth.login_succeeded", &family, NULL, NULL);
	rc = vs_app_end(app, rc);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

static bool refresh_token_shape_ok(const char *token, size_t len)
{
	return len == REFRESH_TOKEN_LEN &&
	       memcmp(token, VS_REFRESH_TOKEN_PREFIX, sizeof(VS_REFRESH_TOKEN_PREFIX) - 1) == 0;
}

enum vs_err vs_sessions_refresh(struct vs_app *app, struct vs_arena *a, const char *refresh_token,
			    size_t len, struct vs_token_pair *out, struct vs_error *e)
{
	if (!refresh_token_shape_ok(refresh_token, len))
		return vs_fail(e, VS_UNAUTHORIZED, VS_MSG_BAD_REFRESH);
	uint8_t hash[VS_SHA256_LEN];
	vs_sha256(refresh_token, len, hash);

	struct vs_refresh_token rt;
	struct vs_user u;
	const char *detail = VS_MSG_BAD_REFRESH;
	enum vs_err rc = vs_app_begin(app);
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->sessions->ops->take(app->sessions, a, hash, &rt);
	if (rc == VS_NOTFOUND) {
		rc = VS_UNAUTHORIZED;
		goto done;
	}
	if (rc != VS_OK)
		goto done;
	switch (vs_refresh_judge(&rt, app->now())) {
	case VS_REFRESH_REJECT:
		rc = VS_UNAUTHORIZED;
		goto done;
	case VS_REFRESH_REVOKE_FAMILY:
		vs_log(VS_LOG_WARN, "refresh token reused: revoking its login");
		rc = app->sessions->ops->revoke_family(app->sessions, &rt.family_id);
		if (rc == VS_OK &&
		    app->users->ops->get(app->users, a, &rt.user_id, NULL, &u) != VS_OK)
			u = (struct vs_user){ .id = rt.user_id };
		if (rc == VS_OK)
			rc = record_auth(app, a, &u, "auth.refresh_token_reused", &rt.family_id,
					 NULL, "denied");
		rc = vs_app_end(app, rc);
		return rc == VS_OK ? vs_fail(e, VS_UNAUTHORIZED, detail) : vs_fail(e, rc, NULL);
	case VS_REFRESH_ROTATE:
		break;
	}
	rc = app->users->ops->get(app->users, a, &rt.user_id, NULL, &u);
	if (rc == VS_NOTFOUND || (rc == VS_OK && !u.is_active)) {
		detail = rc == VS_OK ? VS_MSG_INACTIVE_USER : VS_MSG_BAD_REFRESH;
		rc = VS_UNAUTHORIZED;
		goto done;
	}
	if (rc == VS_OK)
		rc = app->sessions->ops->mark_rotated(app->sessions, &rt.id);
	vs_uuid family;
	if (rc == VS_OK)
		rc = issue_pair(app, a, &rt.user_id, &rt.family_id, out, &family);
	if (rc == VS_OK)
		rc = record_auth(app, a, &u, "auth.token_refreshed", &family, NULL, NULL);
done:
	rc = vs_app_end(app, rc);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, rc == VS_UNAUTHORIZED ? detail : NULL);
}

enum vs_err vs_sessions_logout(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			   const char *refresh_token, size_t len, struct vs_error *e)
{
	/* Unknown or foreign tokens are not reported (RFC 7009 §2.2). */
	if (!refresh_token_shape_ok(refresh_token, len))
		return VS_OK;
	uint8_t hash[VS_SHA256_LEN];
	vs_sha256(refresh_token, len, hash);
	struct vs_refresh_token rt;
	enum vs_err rc = vs_app_begin(app);
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->sessions->ops->take(app->sessions, a, hash, &rt);
	if (rc == VS_OK && vs_uuid_eq(&rt.user_id, &p->user.id)) {
		rc = app->sessions->ops->revoke_family(app->sessions, &rt.family_id);
		if (rc == VS_OK)
			rc = record_auth(app, a, &p->user, "auth.logged_out", &rt.family_id, NULL,
					 NULL);
	}
	if (rc == VS_NOTFOUND)
		rc = VS_OK;
	rc = vs_app_end(app, rc);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

