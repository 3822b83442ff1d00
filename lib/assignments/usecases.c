/* Assignments: the roles users hold in tenants. Only a user visible in the tenant gets
 * one, and only a role the caller could hand on itself. */
#include "assignments/usecases.h"

#include "assignments/messages.h"
#include "audit/usecases.h"
#include "auth/messages.h"
#include "limits/messages.h"
#include "roles/messages.h"
#include "roles/usecases.h"
#include "users/messages.h"
#include "users/port.h"

/* Only a superuser brings an outside user into a tenant; anyone else sees the users of
 * the tenant only (others are "not found", as if missing). */
static enum vs_err require_visible_user(struct vs_app *app, struct vs_arena *a,
				       const struct vs_principal *p, const vs_uuid *tenant,
				       const vs_uuid *user, struct vs_error *e)
{
	enum vs_err rc;
	if (p->user.is_superuser) {
		struct vs_user u;
		rc = app->users->ops->get(app->users, a, user, NULL, &u);
	} else {
		bool member;
		rc = app->assignments->ops->is_member(app->assignments, tenant, user, &member);
		if (rc == VS_OK && !member)
			rc = VS_NOTFOUND;
	}
	if (rc == VS_NOTFOUND)
		return vs_fail(e, VS_NOTFOUND, VS_MSG_USER_NOT_FOUND);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

enum vs_err vs_assignments_holders(struct vs_app *app, struct vs_arena *a,
				   const struct vs_principal *p, const vs_uuid *id,
				   const vs_uuid *tenant, vs_uuid **users, size_t *n,
				   struct vs_error *e)
{
	struct vs_role r;
	if (!tenant)
		return vs_fail(e, VS_BADREQ, VS_MSG_TENANT_ID_REQUIRED);
	enum vs_err rc = vs_roles_get(app, a, p, id, tenant, &r, e);
	if (rc != VS_OK)
		return rc;
	rc = app->assignments->ops->holders(app->assignments, a, id, tenant, users, n);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

static struct json_object *uuid_array(const vs_uuid *ids, size_t n)
{
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		char text[VS_UUID_STRLEN + 1];
		vs_uuid_format(&ids[i], text);
		json_object_array_add(arr, json_object_new_string(text));
	}
	return arr;
}

/* user.role_granted / user.role_revoked in the tenant's chain. */
static enum vs_err record_assignment(struct vs_app *app, struct vs_arena *a,
				     const struct vs_principal *p, const char *action,
				     const vs_uuid *tenant, const vs_uuid *user, const vs_uuid *role,
				     bool granted)
{
	struct json_object *changes = NULL;
	vs_audit_change_value(&changes, "role_id", granted ? NULL : uuid_array(role, 1),
			      granted ? uuid_array(role, 1) : NULL);
	enum vs_err rc = vs_audit_record_object(app, a, p, action, "user", user, tenant, changes);
	json_object_put(changes);
	return rc;
}

enum vs_err vs_assignments_set_holders(struct vs_app *app, struct vs_arena *a,
				       const struct vs_principal *p, const vs_uuid *id,
				       const vs_uuid *tenant, const vs_uuid *users, size_t n,
				       struct vs_error *e)
{
	if (!tenant)
		return vs_fail(e, VS_BADREQ, VS_MSG_TENANT_ID_REQUIRED);
	enum vs_err rc = vs_roles_require_grantable(app, a, p, id, tenant, e);
	for (size_t i = 0; rc == VS_OK && i < n; i++)
		rc = require_visible_user(app, a, p, tenant, &users[i], e);
	if (rc != VS_OK)
		return rc;
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	vs_uuid *before = NULL;
	size_t nbefore = 0;
	rc = app->assignments->ops->holders(app->assignments, a, id, tenant, &before, &nbefore);
	if (rc == VS_OK)
		rc = app->assignments->ops->set_holders(app->assignments, id, tenant, users, n);
	if (rc == VS_OK) {
		struct json_object *changes = NULL;
		vs_audit_change_value(&changes, "user_ids", uuid_array(before, nbefore),
				      uuid_array(users, n));
		rc = vs_audit_record_object(app, a, p, "role.holders_replaced", "role", id, tenant,
					    changes);
		json_object_put(changes);
	}
	rc = vs_app_end(app, rc);
	if (rc == VS_NOTFOUND)
		return vs_fail(e, VS_NOTFOUND, VS_MSG_USER_NOT_FOUND);
	if (rc == VS_QUOTA)
		return vs_fail(e, VS_QUOTA, VS_MSG_LIMIT_MEMBERS);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

/* The user must be visible and the role one p could hand on in tenant. */
static enum vs_err check_assignment(struct vs_app *app, struct vs_arena *a,
				    const struct vs_principal *p, const vs_uuid *tenant,
				    const vs_uuid *user, const vs_uuid *role, struct vs_error *e)
{
	enum vs_err rc = require_visible_user(app, a, p, tenant, user, e);
	if (rc != VS_OK)
		return rc;
	return vs_roles_require_grantable(app, a, p, role, tenant, e);
}

enum vs_err vs_assignments_grant(struct vs_app *app, struct vs_arena *a,
				 const struct vs_principal *p, const vs_uuid *tenant,
				 const vs_uuid *user, const vs_uuid *role, struct vs_error *e)
{
	enum vs_err rc = check_assignment(app, a, p, tenant, user, role, e);
	if (rc != VS_OK)
		return rc;
	rc = app->assignments->ops->grant(app->assignments, tenant, user, role);
	if (rc == VS_OK)
		rc = record_assignment(app, a, p, "user.role_granted", tenant, user, role, true);
	if (rc == VS_NOTFOUND)
		return vs_fail(e, VS_NOTFOUND, VS_MSG_ROLE_NOT_FOUND);
	if (rc == VS_QUOTA)
		return vs_fail(e, VS_QUOTA, VS_MSG_LIMIT_MEMBERS);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

enum vs_err vs_assignments_revoke(struct vs_app *app, struct vs_arena *a,
				  const struct vs_principal *p, const vs_uuid *tenant,
				  const vs_uuid *user, const vs_uuid *role, struct vs_error *e)
{
	enum vs_err rc = check_assignment(app, a, p, tenant, user, role, e);
	if (rc != VS_OK)
		return rc;
	rc = app->assignments->ops->revoke(app->assignments, tenant, user, role);
	if (rc == VS_OK)
		rc = record_assignment(app, a, p, "user.role_revoked", tenant, user, role, false);
	if (rc == VS_NOTFOUND)
		return vs_fail(e, VS_NOTFOUND, VS_MSG_ASSIGNMENT_NOT_FOUND);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}
