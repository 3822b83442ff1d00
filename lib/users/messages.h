/* Texts clients match on, for users. */
#ifndef VS_USERS_MESSAGES_H
#define VS_USERS_MESSAGES_H

#define VS_MSG_USER_NOT_FOUND "User not found"
#define VS_MSG_EMAIL_TAKEN "A user with this email already exists."
#define VS_MSG_SUPERUSER_FIELD "Only a superuser can do this to another user or to a superuser."
#define VS_MSG_OWN_SUPERUSER "You cannot change your own superuser status."
#define VS_MSG_DELETE_SELF "You cannot delete your own account."
#define VS_MSG_ROLE_NEEDS_TENANT "needs a tenant in context (X-Tenant-ID)"
#define VS_MSG_PASSWORD_HASH_FAILED "could not hash the password"
#define VS_MSG_EMAIL_INVALID "must be a valid email address"
#define VS_MSG_PASSWORD_SHORT "must be at least 8 characters"
#define VS_MSG_PASSWORD_LONG "must be at most 128 characters"

#endif
