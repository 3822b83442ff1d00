/* Invitations (API.md §5, §7): managed in the X-Tenant-ID tenant by holders of
 * tenant:manage_invitations; verified and accepted by whoever holds the token. Creating
 * and resending enqueue the invitation.email job in the same transaction. */
#ifndef VS_INVITATIONS_USECASES_H
#define VS_INVITATIONS_USECASES_H

#include "app/app.h"
#include "auth/domain.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/opt.h"
#include "invitations/domain.h"
#include "invitations/port.h"
#include "jobs/usecases.h"
#include "users/domain.h"

#include <stdbool.h>
#include <stdint.h>

struct vs_invitation_input {
	struct vs_opt_str email;
	struct vs_opt_uuid tenant_id, role_id; /* role_id absent or null: the system role Member */
	struct vs_opt_int expires_in_days;     /* absent: VS_INVITATION_DEFAULT_DAYS */
};

struct vs_invitation_filter {
	const vs_uuid *tenant_id; /* ?tenant_id=, which must be the tenant in context; or NULL */
	bool has_status;
	enum vs_invitation_status status;
	struct vs_list_at at;
};

struct vs_invitation_acceptance {
	const char *token;
	size_t token_len;
	struct vs_opt_str password, first_name, last_name;
};

/* A new invitation of tenant, and its token (*token, shown this once). */
enum vs_err vs_invitations_create(struct vs_app *app, struct vs_arena *a,
				  const struct vs_principal *p, const vs_uuid *tenant,
				  const struct vs_invitation_input *in, struct vs_invitation *out,
				  const char **token, struct vs_error *e);
enum vs_err vs_invitations_list(struct vs_app *app, struct vs_arena *a,
				const struct vs_principal *p, const vs_uuid *tenant,
				const struct vs_invitation_filter *f,
				struct vs_invitation_page *out, struct vs_error *e);
enum vs_err vs_invitations_get(struct vs_app *app, struct vs_arena *a,
			       const struct vs_principal *p, const vs_uuid *tenant,
			       const vs_uuid *id, struct vs_invitation *out, struct vs_error *e);
enum vs_err vs_invitations_revoke(struct vs_app *app, struct vs_arena *a,
				  const struct vs_principal *p, const vs_uuid *tenant,
				  const vs_uuid *id, struct vs_invitation *out, struct vs_error *e);
/* A new token (the old one stops working; *token shown this once) valid for days
 * (absent: VS_INVITATION_DEFAULT_DAYS) from now, e-mailed again. */
enum vs_err vs_invitations_resend(struct vs_app *app, struct vs_arena *a,
				  const struct vs_principal *p, const vs_uuid *tenant,
				  const vs_uuid *id, const struct vs_opt_int *days,
				  struct vs_invitation *out, const char **token, struct vs_error *e);

/* The public side. A token that is malformed, altered, of an older resend, expired,
 * accepted or revoked → 400 "Invitation token is invalid or expired.". */
enum vs_err vs_invitations_verify(struct vs_app *app, struct vs_arena *a, const char *token,
				  size_t len, struct vs_invitation *out, struct vs_error *e);
/* Creates the invitee's user (or, when the address has an account, checks its password:
 * 401 "Incorrect email or password" otherwise), gives it the role in the tenant and marks
 * the invitation accepted, in one transaction; *out is the user with its roles there. */
enum vs_err vs_invitations_accept(struct vs_app *app, struct vs_arena *a,
				  const struct vs_invitation_acceptance *in, struct vs_user *out,
				  struct vs_error *e);

/* invitation.email {"invitation_id"}: sends the invitation with its current token. */
extern const struct vs_job_kind vs_invitation_email_kind;
extern const struct vs_job_kind_group vs_invitations_job_kinds;

#endif
