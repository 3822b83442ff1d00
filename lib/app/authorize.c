/* The one place that decides whether a principal may act under a route's rule. */
#include "app/app.h"

#include "app/messages.h"

enum vs_err vs_authorize(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			 const struct vs_rule *rule, const vs_uuid *tenant, bool tenant_scoped,
			 struct vs_error *e)
{
	if (rule->kind == VS_RULE_PUBLIC)
		return VS_OK;
	if (!p->authenticated)
		return vs_fail(e, VS_UNAUTHORIZED, VS_MSG_NOT_AUTHENTICATED);
	if (rule->kind == VS_RULE_PERMISSION && tenant_scoped && !tenant && !p->user.is_superuser)
		return vs_fail(e, VS_BADREQ, VS_MSG_TENANT_ID_REQUIRED);
	if (tenant) {
		struct vs_tenant t;
		enum vs_err rc = app->repos.tenants->ops->get(app->repos.tenants, a, tenant, &t);
		if (rc == VS_NOTFOUND) {
			char id[VS_UUID_STRLEN + 1];
			vs_uuid_format(tenant, id);
			return vs_fail(e, VS_NOTFOUND, vs_arena_printf(a, "Tenant %s not found.", id));
		}
		if (rc != VS_OK)
			return vs_fail(e, rc, NULL);
		if (!p->user.is_superuser) {
			bool member;
			rc = app->repos.memberships->ops->is_member(app->repos.memberships, tenant,
								    &p->user.id, &member);
			if (rc != VS_OK)
				return vs_fail(e, rc, NULL);
			if (!member)
				return vs_fail(e, VS_FORBIDDEN, VS_MSG_NOT_MEMBER);
		}
	}
	if (!vs_principal_allowed(p, rule))
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_FORBIDDEN);
	return VS_OK;
}
