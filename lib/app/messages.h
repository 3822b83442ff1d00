/* Details that clients match on (API.md says "exactly"): one place for each text. */
#ifndef VS_APP_MESSAGES_H
#define VS_APP_MESSAGES_H

#define VS_MSG_NOT_AUTHENTICATED "Not authenticated"
#define VS_MSG_BAD_TOKEN "Could not validate credentials"
#define VS_MSG_LOGIN_FAILED "Incorrect email or password"
#define VS_MSG_INACTIVE_USER "Inactive user"
#define VS_MSG_BAD_REFRESH "Invalid or expired refresh token"
#define VS_MSG_FORBIDDEN "Not enough permissions"
#define VS_MSG_NOT_MEMBER "You are not a member of this tenant."
#define VS_MSG_USER_NOT_FOUND "User not found"
#define VS_MSG_ROLE_NOT_FOUND "Role not found"
#define VS_MSG_TENANT_ID_INVALID "Invalid tenant ID format. Must be a valid UUID."
#define VS_MSG_TENANT_ID_REQUIRED "X-Tenant-ID header is required."
#define VS_MSG_CANNOT_GRANT "You cannot grant permissions you do not hold."
#define VS_MSG_SUPERUSER_FIELD "Only a superuser can do this to another user or to a superuser."
#define VS_MSG_PERMISSION_NOT_FOUND "Permission not found"
#define VS_MSG_ASSIGNMENT_NOT_FOUND "Role assignment not found"
#define VS_MSG_ROLE_TAKEN "A role with this name already exists."
#define VS_MSG_ROLE_ASSIGNED "Role is assigned to users and cannot be deleted."
#define VS_MSG_BAD_API_KEY "Invalid or expired API Key"
#define VS_MSG_KEY_OTHER_TENANT "This API key is restricted to another tenant."
#define VS_MSG_KEY_NOT_FOUND "API key not found"
#define VS_MSG_KEY_NOT_YOURS "You do not have permission to access this API key."
#define VS_MSG_KEY_NO_CREDENTIALS "An API key cannot change its owner's email or password."
#define VS_MSG_KEY_BEYOND_SCOPES "A limited API key can only make keys within its own scopes."
#define VS_MSG_EMAIL_TAKEN "A user with this email already exists."
#define VS_MSG_TENANT_TAKEN "A tenant with this name or slug already exists."

#endif
