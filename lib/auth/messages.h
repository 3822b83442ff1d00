/* Texts clients match on (API.md says "exactly"), for authentication and authorization:
 * one place for each. */
#ifndef VS_AUTH_MESSAGES_H
#define VS_AUTH_MESSAGES_H

#define VS_MSG_NOT_AUTHENTICATED "Not authenticated"
#define VS_MSG_BAD_TOKEN "Could not validate credentials"
#define VS_MSG_INACTIVE_USER "Inactive user"
#define VS_MSG_FORBIDDEN "Not enough permissions"
#define VS_MSG_NOT_MEMBER "You are not a member of this tenant."
#define VS_MSG_TENANT_ID_INVALID "Invalid tenant ID format. Must be a valid UUID."
#define VS_MSG_TENANT_ID_REQUIRED "X-Tenant-ID header is required."
/* printf format: the tenant's id or slug as the client gave it. */
#define VS_MSG_TENANT_NOT_FOUND "Tenant %s not found."
/* The auth_request check answers without a body; this is only for its log line. */
#define VS_MSG_CHECK_TENANT_INVALID "Invalid tenant ID format."

#endif
