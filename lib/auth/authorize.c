/* The one place that decides whether a principal may act under a route's rule. It works
 * on the principal as loaded for the tenant in context: no database access here. */
#include "auth/usecases.h"

#include "auth/messages.h"

enum vs_err vs_authorize(struct vs_arena *a, const struct vs_principal *p,
			 const struct vs_rule *rule, const vs_uuid *tenant, bool tenant_scoped,
			 struct vs_error *e)
{
	if (rule->kind == VS_RULE_PUBLIC)
		return VS_OK;
	if (!p->authenticated)
		return vs_fail(e, VS_UNAUTHORIZED, VS_MSG_NOT_AUTHENTICATED);
	bool needs_permission = rule->kind == VS_RULE_PERMISSION || rule->kind == VS_RULE_ANY_OF;
	if (needs_permission && tenant_scoped && !tenant && !p->user.is_superuser)
		return vs_fail(e, VS_BADREQ, VS_MSG_TENANT_ID_REQUIRED);
	if (tenant) {
		if (!p->tenant_found) {
			char id[VS_UUID_STRLEN + 1];
			vs_uuid_format(tenant, id);
			return vs_fail(e, VS_NOTFOUND, vs_arena_printf(a, VS_MSG_TENANT_NOT_FOUND, id));
		}
		if (!p->user.is_superuser && !p->member)
			return vs_fail(e, VS_FORBIDDEN, VS_MSG_NOT_MEMBER);
	}
	if (!vs_principal_allowed(p, rule))
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_FORBIDDEN);
	return VS_OK;
}
