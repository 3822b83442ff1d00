/* The public side of invitations: whoever holds a token verifies it and accepts it. A
 * token is checked (its MAC) before anything is looked up, and then looked up in the scope
 * of the tenant it names; every way it can be unusable gets the same 400. */
#include "invitations/usecases.h"

#include "assignments/port.h"
#include "auth/messages.h"
#include "limits/messages.h"
#include "core/password.h"
#include "invitations/internal.h"
#include "invitations/messages.h"
#include "sessions/messages.h"
#include "users/port.h"
#include "users/usecases.h"

#include <string.h>

static enum vs_err token_refused(struct vs_error *e)
{
	return vs_fail(e, VS_BADREQ, VS_MSG_INVITATION_TOKEN_INVALID);
}

/* Opens a transaction scoped to the token's tenant and finds the invitation the token is
 * the current one of, usable now; with lock, locked until the transaction ends. On VS_OK
 * the transaction stays open. */
static enum vs_err open_token(struct vs_app *app, struct vs_arena *a, const char *text,
			      size_t len, bool lock, struct vs_invitation *out, struct vs_error *e)
{
	uint8_t key[VS_SHA256_LEN], hash[VS_SHA256_LEN];
	struct vs_invitation_token t;
	enum vs_err rc = vs__invitation_key(app, key, e);
	if (rc != VS_OK)
		return rc;
	if (!vs_invitation_token_open(key, text, len, &t))
		return token_refused(e);
	vs_sha256(text, len, hash);
	const struct vs_scope scope = { .tenant = &t.tenant_id };
	if ((rc = app->tx->ops->begin(app->tx, &scope)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->invitations->ops->find_by_hash(app->invitations, a, &t.tenant_id, hash, lock, out);
	if (rc == VS_OK && !(vs_invitation_token_matches(out, &t, text, len) &&
			     vs_invitation_usable(out, app->now())))
		rc = VS_NOTFOUND;
	if (rc == VS_OK)
		return VS_OK;
	vs_app_end(app, rc);
	return rc == VS_NOTFOUND ? token_refused(e) : vs_fail(e, rc, NULL);
}

enum vs_err vs_invitations_verify(struct vs_app *app, struct vs_arena *a, const char *token,
				  size_t len, struct vs_invitation *out, struct vs_error *e)
{
	enum vs_err rc = open_token(app, a, token, len, false, out, e);
	return rc == VS_OK ? vs__invitation_end(app, VS_OK, e) : rc;
}

/* The invitee's account: the one its address has, if the password is its own (and it is
 * active); else a new one with that password. */
static enum vs_err invitee(struct vs_app *app, struct vs_arena *a, const struct vs_invitation *inv,
			   const struct vs_invitation_acceptance *in, struct vs_user *out,
			   struct vs_error *e)
{
	enum vs_err rc = app->users->ops->get_by_email(app->users, a, inv->email, out);
	if (rc == VS_NOTFOUND) {
		const struct vs_user_input fresh = {
			.email = { .set = true, .p = inv->email, .len = strlen(inv->email) },
			.password = in->password,
			.first_name = in->first_name,
			.last_name = in->last_name,
		};
		return vs_users_insert_new(app, a, &fresh, out, e);
	}
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	if (!vs_password_verify(out->password_hash, in->password.p, in->password.len))
		return vs_fail(e, VS_UNAUTHORIZED, VS_MSG_LOGIN_FAILED);
	/* Said only to someone who knows the password, as at login. */
	if (!out->is_active)
		return vs_fail(e, VS_UNAUTHORIZED, VS_MSG_INACTIVE_USER);
	return VS_OK;
}

enum vs_err vs_invitations_accept(struct vs_app *app, struct vs_arena *a,
				  const struct vs_invitation_acceptance *in, struct vs_user *out,
				  struct vs_error *e)
{
	struct vs_invitation inv;
	struct vs_user u;
	/* The lock makes concurrent accepts of one token take turns: the second finds it
	 * accepted. */
	enum vs_err rc = open_token(app, a, in->token, in->token_len, true, &inv, e);
	if (rc != VS_OK)
		return rc;
	rc = invitee(app, a, &inv, in, &u, e);
	if (rc == VS_OK &&
	    (rc = app->assignments->ops->grant(app->assignments, &inv.tenant_id, &u.id,
					       &inv.role_id)) != VS_OK)
		vs_fail(e, rc, rc == VS_QUOTA ? VS_MSG_LIMIT_MEMBERS : NULL);
	if (rc == VS_OK &&
	    (rc = app->invitations->ops->accept(app->invitations, a, &inv.tenant_id, &inv.id, &u.id,
						&inv)) != VS_OK)
		vs_fail(e, rc, NULL);
	if (rc == VS_OK &&
	    (rc = app->users->ops->get(app->users, a, &u.id, &inv.tenant_id, out)) != VS_OK)
		vs_fail(e, rc, NULL);
	if (rc == VS_OK &&
	    (rc = vs__invitation_record(app, a, NULL, "invitation.accepted", &inv)) != VS_OK)
		vs_fail(e, rc, NULL);
	return vs__invitation_end(app, rc, e);
}
