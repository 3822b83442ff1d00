/* Texts clients see when a limit of sql/015 stops a write (409 quota-exceeded): each
 * names the limit, as vs-admin limits knows it. */
#ifndef VS_LIMITS_MESSAGES_H
#define VS_LIMITS_MESSAGES_H

#define VS_MSG_LIMIT_ROLES "The tenant has reached its limit of roles (roles_per_tenant)."
#define VS_MSG_LIMIT_MEMBERS "The tenant has reached its limit of members (members_per_tenant)."
#define VS_MSG_LIMIT_API_KEYS "The user has reached its limit of API keys (api_keys_per_user)."

#define VS_MSG_LIMIT_UNKNOWN "no such limit"
#define VS_MSG_LIMIT_NO_OVERRIDE "that scope has no limit of its own"
#define VS_MSG_LIMIT_NO_TENANT "no such tenant"
#define VS_MSG_LIMIT_RANGE "a limit is a number from 0 to 2147483647"
#define VS_MSG_LIMIT_SCOPE_TENANT "a *_per_tenant limit is set for a tenant (--tenant)"
#define VS_MSG_LIMIT_SCOPE_USER "a *_per_user limit is set for a user (--email)"

#endif
