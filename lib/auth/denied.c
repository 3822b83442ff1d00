/* A mutation refused for want of permission is a security event (API.md §8). Nothing
 * else of the request is written, so its event is a transaction of its own, scoped as
 * the request was, joining the chain of the tenant it was refused in. */
#include "auth/usecases.h"

#include "audit/usecases.h"
#include "core/log.h"

void vs_auth_record_denied(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			   const vs_uuid *tenant, const char *method, const char *route,
			   const char *permission)
{
	if (!p->authenticated)
		return; /* a 401, not a refusal of someone known */
	const struct vs_scope scope = { tenant, &p->user.id, false };
	struct json_object *changes = NULL;
	vs_audit_created_text(&changes, "permission", permission);
	const struct vs_audit_event ev = {
		.action = "auth.permission_denied",
		.resource_type = "route",
		.resource_id = vs_arena_printf(a, "%s %s", method, route),
		.tenant = tenant,
		.changes = changes,
		.outcome = "denied",
	};
	enum vs_err rc = app->tx->ops->begin(app->tx, &scope);
	if (rc == VS_OK)
		rc = vs_app_end(app, vs_audit_record(app, a, p, &ev));
	json_object_put(changes);
	if (rc != VS_OK)
		vs_log(VS_LOG_WARN, "could not record a permission denied");
}
