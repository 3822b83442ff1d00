/* Texts clients match on, for API keys. */
#ifndef VS_API_KEYS_MESSAGES_H
#define VS_API_KEYS_MESSAGES_H

#define VS_MSG_BAD_API_KEY "Invalid or expired API Key"
#define VS_MSG_KEY_OTHER_TENANT "This API key is restricted to another tenant."
#define VS_MSG_KEY_NOT_FOUND "API key not found"
#define VS_MSG_KEY_NOT_YOURS "You do not have permission to access this API key."
#define VS_MSG_KEY_NO_CREDENTIALS "An API key cannot change its owner's email or password."
#define VS_MSG_KEY_BEYOND_SCOPES "A limited API key can only make keys within its own scopes."
#define VS_MSG_KEY_NEEDS_TENANT "A TENANT key needs a tenant_id."
#define VS_MSG_KEY_GLOBAL_TENANT "must be absent for a GLOBAL key"
#define VS_MSG_KEY_FIXED "cannot be changed; create a new key"
#define VS_MSG_SCOPE_UNKNOWN "names a permission that does not exist"
#define VS_MSG_SCOPE_SHAPE "must be an array of permission codes"
#define VS_MSG_SCOPE_KIND "must be GLOBAL or TENANT"
#define VS_MSG_EXPIRY_BOTH "give expires_at or expires_on, not both"
#define VS_MSG_EXPIRY_DATE "must be a date YYYY-MM-DD"
#define VS_MSG_EXPIRY_PAST "must be in the future"

#endif
