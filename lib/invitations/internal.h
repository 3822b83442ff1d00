/* Shared by the invitations module's use-case files: usecases.c (managing them), redeem.c
 * (verifying and accepting a token), email_job.c (the invitation.email job). */
#ifndef VS_INVITATIONS_INTERNAL_H
#define VS_INVITATIONS_INTERNAL_H

#include "app/app.h"
#include "auth/domain.h"
#include "core/arena.h"
#include "core/err.h"
#include "invitations/domain.h"

/* The MAC key of tokens, from the app's signing secret; VS_INTERNAL in a process that has
 * none (it cannot make or check a token). */
enum vs_err vs__invitation_key(const struct vs_app *app, uint8_t key[VS_SHA256_LEN],
			       struct vs_error *e);
/* The token of inv's current nonce, into out. */
enum vs_err vs__invitation_token(const struct vs_app *app, const struct vs_invitation *inv,
				 char out[VS_INVITATION_TOKEN_LEN + 1], struct vs_error *e);
/* Draws a new nonce for inv (its id and tenant set) and stores the SHA-256 of the new
 * token in it; the token text into a (*token). */
enum vs_err vs__invitation_new_token(const struct vs_app *app, struct vs_arena *a,
				     struct vs_invitation *inv, const char **token,
				     struct vs_error *e);

/* Ends the transaction vs_app_begin opened: rc is the outcome of its steps, whose failure
 * is in e already; on success the commit's failure, if any, is the answer. */
static inline enum vs_err vs__invitation_end(struct vs_app *app, enum vs_err rc,
					     struct vs_error *e)
{
	enum vs_err end = vs_app_end(app, rc);
	return rc != VS_OK ? rc : end == VS_OK ? VS_OK : vs_fail(e, end, NULL);
}

/* Enqueues invitation.email for inv in the transaction open now (email_job.c), by the
 * user who asked for it (or NULL). */
enum vs_err vs__invitation_queue_email(struct vs_app *app, struct vs_arena *a,
				       const struct vs_invitation *inv, const vs_uuid *by,
				       struct vs_error *e);

/* invitation.<verb> in the invitation's tenant's chain, by p (NULL: the invitee accepting,
 * who is user_id then), naming the invitation's address, role and expiry. */
enum vs_err vs__invitation_record(struct vs_app *app, struct vs_arena *a,
				  const struct vs_principal *p, const char *action,
				  const struct vs_invitation *inv);

#endif
