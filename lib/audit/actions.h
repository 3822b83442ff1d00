/* Every action an event may have, one line each: vs_audit_record refuses any other (a new
 * use case adds its actions here), GET /audit-logs refuses to filter by any other, and the
 * OpenAPI document lists the same (a unit test compares them). Webhook subscriptions
 * name these too. */
#ifndef VS_AUDIT_ACTIONS_H
#define VS_AUDIT_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

#define VS_AUDIT_ACTIONS(X)                                                                \
	X("api_key.created") X("api_key.deleted") X("api_key.rotated") X("api_key.updated")   \
	X("auth.logged_out") X("auth.login_failed") X("auth.login_succeeded")                 \
	X("auth.permission_denied") X("auth.refresh_token_reused") X("auth.token_refreshed")  \
	X("invitation.accepted") X("invitation.created") X("invitation.resent")               \
	X("invitation.revoked")                                                               \
	X("job.cancelled")                                                                    \
	X("limit.reset") X("limit.set")                                                       \
	X("role.created") X("role.deleted") X("role.holders_replaced")                        \
	X("role.permission_added") X("role.permission_removed") X("role.updated")             \
	X("tenant.created") X("tenant.deleted") X("tenant.updated")                           \
	X("user.created") X("user.deleted") X("user.password_changed") X("user.removed")      \
	X("user.role_granted") X("user.role_revoked") X("user.updated")                      \
	X("webhook.created") X("webhook.deleted") X("webhook.disabled") X("webhook.replayed") \
	X("webhook.secret_rotated") X("webhook.tested") X("webhook.updated")

extern const char *const vs_audit_actions[];
extern const size_t vs_audit_nactions;

/* Whether action is one of VS_AUDIT_ACTIONS. */
bool vs_audit_action_known(const char *action);
/* Whether some action starts with "<resource>." of len bytes (a filter "user.*"). */
bool vs_audit_resource_known(const char *resource, size_t len);

#endif
