/* Texts clients see for invitations (API.md §5: the token's is matched exactly). */
#ifndef VS_INVITATIONS_MESSAGES_H
#define VS_INVITATIONS_MESSAGES_H

#define VS_MSG_INVITATION_NOT_FOUND "Invitation not found"
#define VS_MSG_INVITATION_TOKEN_INVALID "Invitation token is invalid or expired."
#define VS_MSG_INVITATION_MEMBER "A user with this email is already a member of this tenant."
#define VS_MSG_INVITATION_PENDING                                                          \
	"A pending invitation for this email already exists; resend or revoke it."
/* printf format: the invitation's status, then what was asked ("revoked", "resent"). */
#define VS_MSG_INVITATION_NOT_CHANGEABLE                                                   \
	"This invitation is %s; only a pending or expired invitation can be %s."
#define VS_MSG_INVITATION_OTHER_TENANT "must be the tenant in X-Tenant-ID"
#define VS_MSG_INVITATION_STATUS_INVALID "must be one of pending, accepted, expired, revoked"

#endif
