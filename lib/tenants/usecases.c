/* Tenants: platform-wide for superusers, memberships for everyone else. */
#include "tenants/usecases.h"

#include "assignments/port.h"
#include "audit/usecases.h"
#include "auth/messages.h"
#include "tenants/messages.h"
#include "users/port.h"

#include <string.h>

static enum vs_err tenant_not_found(struct vs_arena *a, struct vs_error *e, const char *key)
{
	return vs_fail(e, VS_NOTFOUND, vs_arena_printf(a, VS_MSG_TENANT_NOT_FOUND, key));
}

static enum vs_err map_tenant_error(struct vs_arena *a, struct vs_error *e, enum vs_err rc,
				    const vs_uuid *id)
{
	if (rc == VS_NOTFOUND && id) {
		char s[VS_UUID_STRLEN + 1];
		vs_uuid_format(id, s);
		return tenant_not_found(a, e, s);
	}
	if (rc == VS_CONFLICT)
		return vs_fail(e, VS_CONFLICT, VS_MSG_TENANT_TAKEN);
	return vs_fail(e, rc, NULL);
}

/* Someone who is not a member sees no tenant at all: 404, as for a missing one. */
static enum vs_err visible(struct vs_app *app, const struct vs_principal *p,
			   const struct vs_tenant *t, bool *out)
{
	*out = true;
	if (p->user.is_superuser)
		return VS_OK;
	return app->assignments->ops->is_member(app->assignments, &t->id, &p->user.id,
						      out);
}

enum vs_err vs_tenants_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const struct vs_list_at *at, struct vs_tenant_page *out,
			    struct vs_error *e)
{
	struct vs_tenant_query q = { p->user.is_superuser ? NULL : &p->user.id, *at };
	enum vs_err rc = app->tenants->ops->list(app->tenants, a, &q, out);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

enum vs_err vs_tenants_get(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			   const vs_uuid *id, struct vs_tenant *out, struct vs_error *e)
{
	bool ok;
	enum vs_err rc = app->tenants->ops->get(app->tenants, a, id, out);
	if (rc == VS_OK)
		rc = visible(app, p, out, &ok);
	if (rc == VS_OK && !ok)
		rc = VS_NOTFOUND;
	return rc == VS_OK ? VS_OK : map_tenant_error(a, e, rc, id);
}

/* The slug names the tenant, so tenant:read is checked in the tenant it resolves to. */
enum vs_err vs_tenants_get_by_slug(struct vs_app *app, struct vs_arena *a,
				   const struct vs_principal *p, const char *slug,
				   struct vs_tenant *out, struct vs_error *e)
{
	bool ok;
	enum vs_err rc = app->tenants->ops->get_by_slug(app->tenants, a, slug, out);
	if (rc == VS_OK)
		rc = visible(app, p, out, &ok);
	if (rc == VS_OK && !ok)
		rc = VS_NOTFOUND;
	if (rc == VS_NOTFOUND)
		return tenant_not_found(a, e, slug);
	if (rc != VS_OK)
		return map_tenant_error(a, e, rc, NULL);
	if (p->user.is_superuser)
		return VS_OK;
	struct vs_principal there;
	rc = app->users->ops->principal(app->users, a, &p->user.id, &out->id, &there);
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	there.authenticated = true;
	static const struct vs_rule read = { VS_RULE_PERMISSION, { "tenant:read" } };
	return vs_principal_allowed(&there, &read) ? VS_OK
						   : vs_fail(e, VS_FORBIDDEN, VS_MSG_FORBIDDEN);
}

/* tenant.<verb>, with what changed from before (NULL: created) to after (NULL: deleted).
 * A tenant's creation and deletion are the platform's events; what happens to it in
 * between is its own chain's. */
static enum vs_err record_tenant(struct vs_app *app, struct vs_arena *a,
				 const struct vs_principal *p, const char *action,
				 const struct vs_tenant *before, const struct vs_tenant *after)
{
	const struct vs_tenant *t = after ? after : before;
	struct json_object *changes = NULL;
	vs_audit_change_text(&changes, "name", before ? before->name : NULL, after ? after->name : NULL);
	vs_audit_change_text(&changes, "slug", before ? before->slug : NULL, after ? after->slug : NULL);
	vs_audit_change_text(&changes, "description", before ? before->description : NULL,
			     after ? after->description : NULL);
	vs_audit_change_text(&changes, "timezone", before ? before->timezone : NULL,
			     after ? after->timezone : NULL);
	if (before && after)
		vs_audit_change_bool(&changes, "is_active", before->is_active, after->is_active);
	else
		vs_audit_change_value(&changes, "is_active",
				      before ? json_object_new_boolean(before->is_active) : NULL,
				      after ? json_object_new_boolean(after->is_active) : NULL);
	enum vs_err rc = vs_audit_record_object(app, a, p, action, "tenant", &t->id,
						before && after ? &t->id : NULL, changes);
	json_object_put(changes);
	return rc;
}

enum vs_err vs_tenants_create(struct vs_app *app, struct vs_arena *a,
			      const struct vs_principal *p, const struct vs_tenant_input *in,
			      struct vs_tenant *out, struct vs_error *e)
{
	struct vs_tenant t = {
		.name = in->name.p,
		.slug = in->slug.p,
		.description = vs_opt_str_or_null(&in->description),
		.timezone = vs_opt_str_or_null(&in->timezone),
		.is_active = in->is_active.set ? in->is_active.v : true,
	};
	enum vs_err rc = vs_app_begin(app);
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->tenants->ops->insert(app->tenants, a, &t);
	if (rc == VS_OK)
		rc = record_tenant(app, a, p, "tenant.created", NULL, &t);
	rc = vs_app_end(app, rc);
	if (rc != VS_OK)
		return map_tenant_error(a, e, rc, NULL);
	*out = t;
	return VS_OK;
}

enum vs_err vs_tenants_update(struct vs_app *app, struct vs_arena *a,
			      const struct vs_principal *p, const vs_uuid *id,
			      const struct vs_tenant_input *in, struct vs_tenant *out,
			      struct vs_error *e)
{
	struct vs_tenant current;
	enum vs_err rc = vs_tenants_get(app, a, p, id, &current, e);
	if (rc != VS_OK)
		return rc;
	if (in->slug.set && (in->slug.null || strcmp(in->slug.p, current.slug) != 0))
		return vs_fail_field(e, "slug", VS_MSG_SLUG_IMMUTABLE);
	struct vs_tenant_changes c = { in->name, in->description, in->timezone, in->is_active };
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->tenants->ops->update(app->tenants, a, id, &c, out);
	if (rc == VS_OK)
		rc = record_tenant(app, a, p, "tenant.updated", &current, out);
	rc = vs_app_end(app, rc);
	return rc == VS_OK ? VS_OK : map_tenant_error(a, e, rc, id);
}

enum vs_err vs_tenants_delete(struct vs_app *app, struct vs_arena *a,
			      const struct vs_principal *p, const vs_uuid *id, struct vs_error *e)
{
	struct vs_tenant current;
	enum vs_err rc = vs_app_begin(app);
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->tenants->ops->get(app->tenants, a, id, &current);
	if (rc == VS_OK)
		rc = app->tenants->ops->remove(app->tenants, id);
	if (rc == VS_OK)
		rc = record_tenant(app, a, p, "tenant.deleted", &current, NULL);
	rc = vs_app_end(app, rc);
	return rc == VS_OK ? VS_OK : map_tenant_error(a, e, rc, id);
}
