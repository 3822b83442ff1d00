/* Limits: each call is one transaction of its own, in the caller's scope (vs-admin's is
 * the operator's). */
#include "limits/usecases.h"

#include "audit/usecases.h"
#include "limits/domain.h"
#include "limits/messages.h"
#include "tenants/port.h"
#include "users/messages.h"
#include "users/port.h"

enum vs_err vs_limits_list(struct vs_app *app, struct vs_arena *a, struct vs_limit **items,
			   size_t *n, struct vs_error *e)
{
	enum vs_err rc = vs_app_begin(app);
	if (rc == VS_OK)
		rc = vs_app_end(app, app->limits->ops->list(app->limits, a, items, n));
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

/* limit.set / limit.reset in the platform's chain, by the operator (no principal). */
static enum vs_err record_limit(struct vs_app *app, struct vs_arena *a, const char *action,
				const char *kind, const vs_uuid *scope, long long max)
{
	struct json_object *changes = NULL;
	char scope_text[VS_UUID_STRLEN + 1];
	if (scope)
		vs_uuid_format(scope, scope_text);
	vs_audit_created_text(&changes, "scope", scope ? scope_text : "default");
	if (max >= 0)
		vs_audit_change_value(&changes, "max_count", NULL, json_object_new_int64(max));
	struct vs_audit_event ev = {
		.action = action, .resource_type = "limit", .resource_id = kind, .changes = changes,
	};
	enum vs_err rc = vs_audit_record(app, a, NULL, &ev);
	json_object_put(changes);
	return rc;
}

/* The scope id of target for kind (NULL for the default), inside a transaction. */
static enum vs_err resolve_scope(struct vs_app *app, struct vs_arena *a, const char *kind,
				 const struct vs_limit_target *target, vs_uuid *scope,
				 const vs_uuid **out, struct vs_error *e)
{
	enum vs_limit_scope s = vs_limit_scope_of(kind);
	*out = NULL;
	if (s == VS_LIMIT_SCOPE_NONE)
		return vs_fail(e, VS_INVALID, VS_MSG_LIMIT_UNKNOWN);
	if (target->tenant && s != VS_LIMIT_PER_TENANT)
		return vs_fail(e, VS_INVALID, VS_MSG_LIMIT_SCOPE_USER);
	if (target->email && s != VS_LIMIT_PER_USER)
		return vs_fail(e, VS_INVALID, VS_MSG_LIMIT_SCOPE_TENANT);
	enum vs_err rc = VS_OK;
	if (target->tenant) {
		struct vs_tenant t;
		rc = app->tenants->ops->get(app->tenants, a, target->tenant, &t);
		if (rc == VS_NOTFOUND)
			return vs_fail(e, rc, VS_MSG_LIMIT_NO_TENANT);
		*scope = *target->tenant;
		*out = scope;
	} else if (target->email) {
		struct vs_user u;
		rc = app->users->ops->get_by_email(app->users, a, target->email, &u);
		if (rc == VS_NOTFOUND)
			return vs_fail(e, rc, VS_MSG_USER_NOT_FOUND);
		*scope = u.id;
		*out = scope;
	}
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

enum vs_err vs_limits_set(struct vs_app *app, struct vs_arena *a, const char *kind,
			  const struct vs_limit_target *target, long long max, struct vs_error *e)
{
	if (!vs_limit_max_valid(max))
		return vs_fail(e, VS_INVALID, VS_MSG_LIMIT_RANGE);
	vs_uuid id;
	const vs_uuid *scope;
	enum vs_err rc = vs_app_begin(app);
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = resolve_scope(app, a, kind, target, &id, &scope, e);
	if (rc == VS_OK &&
	    (rc = app->limits->ops->set(app->limits, kind, scope, max)) != VS_OK)
		/* INVALID: the database knows no limit of that name */
		vs_fail(e, rc, rc == VS_INVALID ? VS_MSG_LIMIT_UNKNOWN : NULL);
	if (rc == VS_OK && (rc = record_limit(app, a, "limit.set", kind, scope, max)) != VS_OK)
		vs_fail(e, rc, NULL);
	return vs_app_end(app, rc);
}

enum vs_err vs_limits_reset(struct vs_app *app, struct vs_arena *a, const char *kind,
			    const struct vs_limit_target *target, struct vs_error *e)
{
	vs_uuid id;
	const vs_uuid *scope;
	enum vs_err rc = vs_app_begin(app);
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = resolve_scope(app, a, kind, target, &id, &scope, e);
	if (rc == VS_OK && !scope)
		rc = vs_fail(e, VS_INVALID, VS_MSG_LIMIT_NO_OVERRIDE);
	if (rc == VS_OK && (rc = app->limits->ops->reset(app->limits, kind, scope)) != VS_OK)
		vs_fail(e, rc, rc == VS_NOTFOUND ? VS_MSG_LIMIT_NO_OVERRIDE : NULL);
	if (rc == VS_OK && (rc = record_limit(app, a, "limit.reset", kind, scope, -1)) != VS_OK)
		vs_fail(e, rc, NULL);
	return vs_app_end(app, rc);
}
