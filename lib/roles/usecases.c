/* Roles (global and per tenant) and their permissions. A role of another tenant is "not
 * found"; system roles are never changed; nobody below superuser hands on a permission it
 * does not hold. */
#include "roles/usecases.h"

#include "audit/usecases.h"
#include "roles/messages.h"
#include "limits/messages.h"

#include <string.h>

static enum vs_err role_error(struct vs_error *e, enum vs_err rc)
{
	switch (rc) {
	case VS_NOTFOUND: return vs_fail(e, VS_NOTFOUND, VS_MSG_ROLE_NOT_FOUND);
	case VS_CONFLICT: return vs_fail(e, VS_CONFLICT, VS_MSG_ROLE_TAKEN);
	case VS_QUOTA: return vs_fail(e, VS_QUOTA, VS_MSG_LIMIT_ROLES);
	default: return vs_fail(e, rc, NULL);
	}
}

static enum vs_err load_role(struct vs_app *app, struct vs_arena *a, const vs_uuid *id,
			     const vs_uuid *tenant, struct vs_role *out, struct vs_error *e)
{
	enum vs_err rc = app->roles->ops->get(app->roles, a, id, tenant, out);
	return rc == VS_OK ? VS_OK : role_error(e, rc);
}

/* Loads the role and refuses if p may not change it. */
static enum vs_err load_changeable(struct vs_app *app, struct vs_arena *a,
				   const struct vs_principal *p, const vs_uuid *id,
				   const vs_uuid *tenant, struct vs_role *out, struct vs_error *e)
{
	enum vs_err rc = load_role(app, a, id, tenant, out, e);
	if (rc != VS_OK)
		return rc;
	const char *why = vs_role_change_refused(out, p->user.is_superuser, tenant != NULL);
	return why ? vs_fail(e, VS_FORBIDDEN, why) : VS_OK;
}

static struct vs_permset role_permset(struct vs_arena *a, const struct vs_role *r)
{
	struct vs_permset s = { vs_arena_array(a, r->npermissions + 1, sizeof(char *)), 0 };
	for (size_t i = 0; i < r->npermissions; i++)
		s.codes[s.n++] = r->permissions[i].code;
	vs_permset_normalise(&s);
	return s;
}

/* A role's permission codes, sorted, as JSON (for audit events). */
static struct json_object *permission_codes(const struct vs_role *r)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_permset s = role_permset(a, r);
	struct json_object *codes = json_object_new_array();
	for (size_t i = 0; i < s.n; i++)
		json_object_array_add(codes, json_object_new_string(s.codes[i]));
	vs_arena_free(a);
	return codes;
}

/* role.<verb> in the chain of the role's tenant (the platform's for a global role), with
 * what changed from before (NULL: created) to after (NULL: deleted). */
static enum vs_err record_role(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			       const char *action, const struct vs_role *before,
			       const struct vs_role *after)
{
	const struct vs_role *r = after ? after : before;
	struct json_object *changes = NULL;
	vs_audit_change_text(&changes, "name", before ? before->name : NULL, after ? after->name : NULL);
	vs_audit_change_text(&changes, "description", before ? before->description : NULL,
			     after ? after->description : NULL);
	vs_audit_change_value(&changes, "permissions", before ? permission_codes(before) : NULL,
			      after ? permission_codes(after) : NULL);
	enum vs_err rc = vs_audit_record_object(app, a, p, action, "role", &r->id,
						r->global ? NULL : &r->tenant_id, changes);
	json_object_put(changes);
	return rc;
}

static enum vs_err require_grantable(const struct vs_principal *p, const struct vs_permset *s,
				     struct vs_error *e)
{
	return vs_principal_may_grant(p, s) ? VS_OK
					    : vs_fail(e, VS_FORBIDDEN, VS_MSG_CANNOT_GRANT);
}

/* Resolves references (UUID or code) to ids, and checks p may grant them all. */
static enum vs_err resolve_permissions(struct vs_app *app, struct vs_arena *a,
				       const struct vs_principal *p,
				       const struct vs_permission_refs *refs, vs_uuid **ids,
				       struct vs_error *e)
{
	struct vs_permset codes = { vs_arena_array(a, refs->n + 1, sizeof(char *)), 0 };
	*ids = vs_arena_array(a, refs->n + 1, sizeof(**ids));
	for (size_t i = 0; i < refs->n; i++) {
		struct vs_permission perm;
		enum vs_err rc = app->permissions->ops->find(app->permissions, a,
								   refs->refs[i], &perm);
		if (rc == VS_NOTFOUND)
			return vs_fail(e, VS_NOTFOUND, VS_MSG_PERMISSION_NOT_FOUND);
		if (rc != VS_OK)
			return vs_fail(e, rc, NULL);
		(*ids)[i] = perm.id;
		codes.codes[codes.n++] = perm.code;
	}
	vs_permset_normalise(&codes);
	return require_grantable(p, &codes, e);
}

enum vs_err vs_roles_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			  const vs_uuid *tenant, int64_t offset, int64_t limit,
			  struct vs_role_page *out, struct vs_error *e)
{
	(void)p;
	struct vs_role_query q = { tenant, offset, limit };
	enum vs_err rc = app->roles->ops->list(app->roles, a, &q, out);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

enum vs_err vs_roles_get(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			 const vs_uuid *id, const vs_uuid *tenant, struct vs_role *out,
			 struct vs_error *e)
{
	(void)p;
	return load_role(app, a, id, tenant, out, e);
}

enum vs_err vs_roles_create(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *tenant, const struct vs_role_input *in,
			    struct vs_role *out, struct vs_error *e)
{
	vs_uuid *ids = NULL;
	enum vs_err rc = resolve_permissions(app, a, p, &in->permissions, &ids, e);
	if (rc != VS_OK)
		return rc;
	struct vs_role r = {
		.global = tenant == NULL,
		.tenant_id = tenant ? *tenant : (vs_uuid){ { 0 } },
		.name = in->name.p,
		.description = vs_opt_str_or_null(&in->description),
	};
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->roles->ops->insert(app->roles, a, &r);
	if (rc == VS_OK && in->permissions.n)
		rc = app->roles->ops->set_permissions(app->roles, &r.id, ids,
							    in->permissions.n);
	if (rc == VS_OK)
		rc = app->roles->ops->get(app->roles, a, &r.id, tenant, out);
	if (rc == VS_OK)
		rc = record_role(app, a, p, "role.created", NULL, out);
	rc = vs_app_end(app, rc);
	return rc == VS_OK ? VS_OK : role_error(e, rc);
}

enum vs_err vs_roles_update(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *id, const vs_uuid *tenant,
			    const struct vs_role_input *in, struct vs_role *out,
			    struct vs_error *e)
{
	struct vs_role current;
	vs_uuid *ids = NULL;
	enum vs_err rc = load_changeable(app, a, p, id, tenant, &current, e);
	if (rc == VS_OK && in->permissions.set)
		rc = resolve_permissions(app, a, p, &in->permissions, &ids, e);
	if (rc != VS_OK)
		return rc;
	struct vs_role_changes c = { in->name, in->description };
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->roles->ops->update(app->roles, id, &c);
	if (rc == VS_OK && in->permissions.set)
		rc = app->roles->ops->set_permissions(app->roles, id, ids,
							    in->permissions.n);
	if (rc == VS_OK)
		rc = app->roles->ops->get(app->roles, a, id, tenant, out);
	if (rc == VS_OK)
		rc = record_role(app, a, p, "role.updated", &current, out);
	rc = vs_app_end(app, rc);
	return rc == VS_OK ? VS_OK : role_error(e, rc);
}

enum vs_err vs_roles_delete(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *id, const vs_uuid *tenant, struct vs_error *e)
{
	struct vs_role current;
	enum vs_err rc = load_changeable(app, a, p, id, tenant, &current, e);
	if (rc != VS_OK)
		return rc;
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->roles->ops->remove(app->roles, id);
	if (rc == VS_OK)
		rc = record_role(app, a, p, "role.deleted", &current, NULL);
	rc = vs_app_end(app, rc);
	if (rc == VS_CONFLICT)
		return vs_fail(e, VS_CONFLICT, VS_MSG_ROLE_ASSIGNED);
	return rc == VS_OK ? VS_OK : role_error(e, rc);
}

static enum vs_err find_permission(struct vs_app *app, struct vs_arena *a, const char *ref,
				   struct vs_permission *out, struct vs_error *e)
{
	enum vs_err rc = app->permissions->ops->find(app->permissions, a, ref, out);
	if (rc == VS_NOTFOUND)
		return vs_fail(e, VS_NOTFOUND, VS_MSG_PERMISSION_NOT_FOUND);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

/* The role p may change and the permission named by ref (UUID or code). */
static enum vs_err role_and_permission(struct vs_app *app, struct vs_arena *a,
				       const struct vs_principal *p, const vs_uuid *id,
				       const vs_uuid *tenant, const char *ref,
				       struct vs_permission *perm, struct vs_error *e)
{
	struct vs_role r;
	enum vs_err rc = load_changeable(app, a, p, id, tenant, &r, e);
	return rc == VS_OK ? find_permission(app, a, ref, perm, e) : rc;
}

/* role.permission_added / role.permission_removed; a role changes only in its own scope
 * (a global one in none), so tenant is the role's chain. */
static enum vs_err record_permission(struct vs_app *app, struct vs_arena *a,
				     const struct vs_principal *p, const char *action,
				     const vs_uuid *role, const vs_uuid *tenant, const char *code,
				     bool added)
{
	struct json_object *changes = NULL;
	vs_audit_change_text(&changes, "permission", added ? NULL : code, added ? code : NULL);
	enum vs_err rc = vs_audit_record_object(app, a, p, action, "role", role, tenant, changes);
	json_object_put(changes);
	return rc;
}

enum vs_err vs_roles_add_permission(struct vs_app *app, struct vs_arena *a,
				    const struct vs_principal *p, const vs_uuid *id,
				    const vs_uuid *tenant, const char *permission,
				    struct vs_error *e)
{
	struct vs_permission perm;
	enum vs_err rc = role_and_permission(app, a, p, id, tenant, permission, &perm, e);
	if (rc != VS_OK)
		return rc;
	struct vs_permset one = { &perm.code, 1 };
	if ((rc = require_grantable(p, &one, e)) != VS_OK)
		return rc;
	rc = app->roles->ops->add_permission(app->roles, id, &perm.id);
	if (rc == VS_OK)
		rc = record_permission(app, a, p, "role.permission_added", id, tenant, perm.code,
				       true);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

enum vs_err vs_roles_remove_permission(struct vs_app *app, struct vs_arena *a,
				       const struct vs_principal *p, const vs_uuid *id,
				       const vs_uuid *tenant, const char *permission,
				       struct vs_error *e)
{
	struct vs_permission perm;
	enum vs_err rc = role_and_permission(app, a, p, id, tenant, permission, &perm, e);
	if (rc != VS_OK)
		return rc;
	rc = app->roles->ops->remove_permission(app->roles, id, &perm.id);
	if (rc == VS_OK)
		rc = record_permission(app, a, p, "role.permission_removed", id, tenant, perm.code,
				       false);
	if (rc == VS_NOTFOUND)
		return vs_fail(e, VS_NOTFOUND, VS_MSG_PERMISSION_NOT_FOUND);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

enum vs_err vs_permissions_list(struct vs_app *app, struct vs_arena *a, int64_t offset,
				int64_t limit, struct vs_permission_page *out, struct vs_error *e)
{
	enum vs_err rc =
		app->permissions->ops->list(app->permissions, a, offset, limit, out);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

enum vs_err vs_roles_require_grantable(struct vs_app *app, struct vs_arena *a,
				       const struct vs_principal *p, const vs_uuid *role,
				       const vs_uuid *tenant, struct vs_error *e)
{
	struct vs_role r;
	enum vs_err rc = load_role(app, a, role, tenant, &r, e);
	if (rc != VS_OK)
		return rc;
	struct vs_permset grant = role_permset(a, &r);
	return require_grantable(p, &grant, e);
}
