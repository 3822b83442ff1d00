/* Login, refresh-token rotation and logout. */
#include "sessions/usecases.h"

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
			      const vs_uuid *family, struct vs_token_pair *out)
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
		return vs_fail(e, VS_UNAUTHORIZED, VS_MSG_LOGIN_FAILED);
	}
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	if (!vs_password_verify(u.password_hash, password, password_len))
		return vs_fail(e, VS_UNAUTHORIZED, VS_MSG_LOGIN_FAILED);
	/* Said only to someone who knows the password. */
	if (!u.is_active)
		return vs_fail(e, VS_UNAUTHORIZED, VS_MSG_INACTIVE_USER);

	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	if (vs_password_needs_rehash(u.password_hash)) {
		struct vs_user_changes c = { 0 };
		char hash[VS_PASSWORD_HASH_MAX];
		if (vs_password_hash(password, password_len, hash) == VS_OK) {
			c.password_hash = hash;
			rc = app->users->ops->update(app->users, a, &u.id, &c, NULL, &u);
		}
	}
	if (rc == VS_OK)
		rc = issue_pair(app, a, &u.id, NULL, out);
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
	if (rc == VS_OK)
		rc = issue_pair(app, a, &rt.user_id, &rt.family_id, out);
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
	if (rc == VS_OK && vs_uuid_eq(&rt.user_id, &p->user.id))
		rc = app->sessions->ops->revoke_family(app->sessions, &rt.family_id);
	if (rc == VS_NOTFOUND)
		rc = VS_OK;
	rc = vs_app_end(app, rc);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

