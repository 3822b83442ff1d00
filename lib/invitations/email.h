/* The invitation e-mail: what it says, in text and HTML. */
#ifndef VS_INVITATIONS_EMAIL_H
#define VS_INVITATIONS_EMAIL_H

#include "core/arena.h"
#include "invitations/domain.h"
#include "mail/domain.h"

/* The link that accepts inv: public_url "/accept-invitation#token=" token (a fragment, so
 * browsers never send the token to a server). In a. */
const char *vs_invitation_accept_link(struct vs_arena *a, const char *public_url,
				      const char *token);

/* The mail inviting inv's address: the tenant's name, who invites (name and e-mail, when
 * the inviter still exists), the accept link and when it expires, as text and as HTML
 * (names escaped). From the mailer's own sender. Strings in a. */
void vs_invitation_email(struct vs_arena *a, const struct vs_invitation *inv, const char *link,
			 struct vs_mail *out);

#endif
