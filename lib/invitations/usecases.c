/* Invitations as a tenant manages them (X-Tenant-ID, tenant:manage_invitations): create,
 * list, read, revoke, resend. Creating and resending enqueue the e-mail in the same
 * transaction as the change. */
#include "invitations/usecases.h"

#include "assignments/port.h"
#include "auth/messages.h"
#include "core/messages.h"
#include "invitations/internal.h"
#include "invitations/messages.h"
#include "roles/messages.h"
#include "roles/port.h"
#include "roles/usecases.h"
#include "users/port.h"

#include <string.h>

#define DAY 86400

static enum vs_err need_tenant(const vs_uuid *tenant, struct vs_error *e)
{
	return tenant ? VS_OK : vs_fail(e, VS_BADREQ, VS_MSG_TENANT_ID_REQUIRED);
}

/* expires_in_days (default VS_INVITATION_DEFAULT_DAYS, 1 to VS_INVITATION_MAX_DAYS) from
 * now. */
static enum vs_err expiry_of(struct vs_app *app, const struct vs_opt_int *days, int64_t *at,
			     struct vs_error *e)
{
	int64_t n = days->set ? days->v : VS_INVITATION_DEFAULT_DAYS;
	if (n < 1 || n > VS_INVITATION_MAX_DAYS)
		return vs_fail_field(e, "expires_in_days", VS_MSG_OUT_OF_RANGE);
	*at = app->now() + n * DAY;
	return VS_OK;
}

static enum vs_err invitation_error(struct vs_error *e, enum vs_err rc)
{
	if (rc == VS_NOTFOUND)
		return vs_fail(e, VS_NOTFOUND, VS_MSG_INVITATION_NOT_FOUND);
	if (rc == VS_CONFLICT)
		return vs_fail(e, VS_CONFLICT, VS_MSG_INVITATION_PENDING);
	return vs_fail(e, rc, NULL);
}

/* The role the invitee will hold: the one asked for, or Member. It must be global or the
 * tenant's own (404 "Role not found"), and the inviter must hold everything it carries:
 * an invitation is no way around "no escalation". */
static enum vs_err invitee_role(struct vs_app *app, struct vs_arena *a,
				const struct vs_principal *p, const vs_uuid *tenant,
				const struct vs_opt_uuid *asked, vs_uuid *role, struct vs_error *e)
{
	if (asked->set && !asked->null) {
		*role = asked->v;
	} else {
		enum vs_err rc = app->roles->ops->system_role(app->roles, "Member", role);
		if (rc != VS_OK)
			return vs_fail(e, rc, NULL);
	}
	return vs_roles_require_grantable(app, a, p, role, tenant, e);
}

/* Someone who already holds a role in the tenant needs no invitation (409). */
static enum vs_err refuse_member(struct vs_app *app, struct vs_arena *a, const vs_uuid *tenant,
				 const char *email, struct vs_error *e)
{
	struct vs_user u;
	bool member = false;
	enum vs_err rc = app->users->ops->get_by_email(app->users, a, email, &u);
	if (rc == VS_NOTFOUND)
		return VS_OK;
	if (rc == VS_OK)
		rc = app->assignments->ops->is_member(app->assignments, tenant, &u.id, &member);
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	return member ? vs_fail(e, VS_CONFLICT, VS_MSG_INVITATION_MEMBER) : VS_OK;
}

/* The stored invitation, its token and its e-mail job, in one transaction. */
static enum vs_err store_new(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			     struct vs_invitation *inv, const char **token, struct vs_error *e)
{
	enum vs_err rc = vs__invitation_new_token(app, a, inv, token, e);
	if (rc != VS_OK)
		return rc;
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->invitations->ops->retire_expired(app->invitations, &inv->tenant_id, inv->email,
						   app->now());
	if (rc == VS_OK)
		rc = app->invitations->ops->insert(app->invitations, a, inv);
	if (rc == VS_NOTFOUND) /* the role is another tenant's, or went meanwhile */
		vs_fail(e, VS_NOTFOUND, VS_MSG_ROLE_NOT_FOUND);
	else if (rc != VS_OK)
		invitation_error(e, rc);
	else
		rc = vs__invitation_queue_email(app, a, inv, &p->user.id, e);
	if (rc == VS_OK && (rc = vs__invitation_record(app, a, p, "invitation.created", inv)) != VS_OK)
		vs_fail(e, rc, NULL);
	return vs__invitation_end(app, rc, e);
}

enum vs_err vs_invitations_create(struct vs_app *app, struct vs_arena *a,
				  const struct vs_principal *p, const vs_uuid *tenant,
				  const struct vs_invitation_input *in, struct vs_invitation *out,
				  const char **token, struct vs_error *e)
{
	enum vs_err rc = need_tenant(tenant, e);
	if (rc != VS_OK)
		return rc;
	if (!in->tenant_id.set || in->tenant_id.null || !vs_uuid_eq(&in->tenant_id.v, tenant))
		return vs_fail_field(e, "tenant_id", VS_MSG_INVITATION_OTHER_TENANT);
	int64_t expires_at = 0;
	if ((rc = expiry_of(app, &in->expires_in_days, &expires_at, e)) != VS_OK)
		return rc;
	char *email = vs_arena_strndup(a, in->email.p, in->email.len);
	vs_user_email_normalise(email);

	struct vs_invitation inv = {
		.tenant_id = *tenant,
		.email = email,
		.status = VS_INVITATION_PENDING,
		.has_inviter = true,
		.inviter_id = p->user.id,
		.expires_at = expires_at,
	};
	const char *text;
	vs_uuid_v4(&inv.id);
	if ((rc = invitee_role(app, a, p, tenant, &in->role_id, &inv.role_id, e)) != VS_OK ||
	    (rc = refuse_member(app, a, tenant, email, e)) != VS_OK ||
	    (rc = store_new(app, a, p, &inv, &text, e)) != VS_OK)
		return rc;
	*out = inv;
	*token = text;
	return VS_OK;
}

enum vs_err vs_invitations_list(struct vs_app *app, struct vs_arena *a,
				const struct vs_principal *p, const vs_uuid *tenant,
				const struct vs_invitation_filter *f,
				struct vs_invitation_page *out, struct vs_error *e)
{
	(void)p;
	enum vs_err rc = need_tenant(tenant, e);
	if (rc != VS_OK)
		return rc;
	if (f->tenant_id && !vs_uuid_eq(f->tenant_id, tenant))
		return vs_fail_field(e, "tenant_id", VS_MSG_INVITATION_OTHER_TENANT);
	const struct vs_invitation_query q = {
		.tenant = tenant,
		.has_status = f->has_status,
		.status = f->status,
		.now = app->now(),
		.at = f->at,
	};
	rc = app->invitations->ops->list(app->invitations, a, &q, out);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

enum vs_err vs_invitations_get(struct vs_app *app, struct vs_arena *a,
			       const struct vs_principal *p, const vs_uuid *tenant,
			       const vs_uuid *id, struct vs_invitation *out, struct vs_error *e)
{
	(void)p;
	enum vs_err rc = need_tenant(tenant, e);
	if (rc != VS_OK)
		return rc;
	rc = app->invitations->ops->get(app->invitations, a, tenant, id, false, out);
	return rc == VS_OK ? VS_OK : invitation_error(e, rc);
}

/* Locks the invitation for a change; 409 unless it is still pending (or expired). */
static enum vs_err lock_changeable(struct vs_app *app, struct vs_arena *a, const vs_uuid *tenant,
				   const vs_uuid *id, const char *verb, struct vs_invitation *out,
				   struct vs_error *e)
{
	enum vs_err rc = app->invitations->ops->get(app->invitations, a, tenant, id, true, out);
	if (rc != VS_OK)
		return invitation_error(e, rc);
	if (!vs_invitation_changeable(out))
		return vs_fail(e, VS_CONFLICT,
			       vs_arena_printf(a, VS_MSG_INVITATION_NOT_CHANGEABLE,
					       vs_invitation_status_name(out->status), verb));
	return VS_OK;
}

enum vs_err vs_invitations_revoke(struct vs_app *app, struct vs_arena *a,
				  const struct vs_principal *p, const vs_uuid *tenant,
				  const vs_uuid *id, struct vs_invitation *out, struct vs_error *e)
{
	struct vs_invitation current;
	enum vs_err rc = need_tenant(tenant, e);
	if (rc != VS_OK)
		return rc;
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = lock_changeable(app, a, tenant, id, "revoked", &current, e);
	if (rc == VS_OK &&
	    (rc = app->invitations->ops->revoke(app->invitations, a, tenant, id, out)) != VS_OK)
		invitation_error(e, rc);
	if (rc == VS_OK && (rc = vs__invitation_record(app, a, p, "invitation.revoked", out)) != VS_OK)
		vs_fail(e, rc, NULL);
	return vs__invitation_end(app, rc, e);
}

enum vs_err vs_invitations_resend(struct vs_app *app, struct vs_arena *a,
				  const struct vs_principal *p, const vs_uuid *tenant,
				  const vs_uuid *id, const struct vs_opt_int *days,
				  struct vs_invitation *out, const char **token, struct vs_error *e)
{
	struct vs_invitation inv;
	const char *text = NULL;
	int64_t expires_at = 0;
	enum vs_err rc = need_tenant(tenant, e);
	if (rc != VS_OK || (rc = expiry_of(app, days, &expires_at, e)) != VS_OK)
		return rc;
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = lock_changeable(app, a, tenant, id, "resent", &inv, e);
	if (rc == VS_OK)
		rc = vs__invitation_new_token(app, a, &inv, &text, e);
	if (rc == VS_OK &&
	    (rc = app->invitations->ops->reissue(app->invitations, a, tenant, id, inv.nonce,
						 inv.token_hash, expires_at, out)) != VS_OK)
		invitation_error(e, rc);
	if (rc == VS_OK)
		rc = vs__invitation_queue_email(app, a, out, &p->user.id, e);
	if (rc == VS_OK && (rc = vs__invitation_record(app, a, p, "invitation.resent", out)) != VS_OK)
		vs_fail(e, rc, NULL);
	if ((rc = vs__invitation_end(app, rc, e)) == VS_OK)
		*token = text;
	return rc;
}
