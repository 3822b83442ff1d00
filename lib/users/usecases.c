/* Users: listing, reading, creating, changing and removing, in a tenant or platform-wide. */
#include "users/usecases.h"

#include "api_keys/messages.h"
#include "assignments/port.h"
#include "audit/usecases.h"
#include "auth/messages.h"
#include "core/password.h"
#include "limits/messages.h"
#include "roles/messages.h"
#include "roles/port.h"
#include "roles/usecases.h"
#include "users/messages.h"

#include <string.h>

static enum vs_err not_found_as_user(struct vs_error *e, enum vs_err rc)
{
	if (rc == VS_NOTFOUND)
		return vs_fail(e, VS_NOTFOUND, VS_MSG_USER_NOT_FOUND);
	if (rc == VS_CONFLICT)
		return vs_fail(e, VS_CONFLICT, VS_MSG_EMAIL_TAKEN);
	return vs_fail(e, rc, NULL);
}

/* A user outside the tenant in context is reported exactly like a missing one. */
static enum vs_err require_member(struct vs_app *app, const vs_uuid *tenant, const vs_uuid *user,
				  struct vs_error *e)
{
	if (!tenant)
		return VS_OK;
	bool member;
	enum vs_err rc =
		app->assignments->ops->is_member(app->assignments, tenant, user, &member);
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	return member ? VS_OK : vs_fail(e, VS_NOTFOUND, VS_MSG_USER_NOT_FOUND);
}

enum vs_err vs_users_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			  const vs_uuid *tenant, const char *search, const struct vs_list_at *at,
			  struct vs_user_page *out, struct vs_error *e)
{
	if (!tenant && !p->user.is_superuser)
		return vs_fail(e, VS_BADREQ, VS_MSG_TENANT_ID_REQUIRED);
	struct vs_user_query q = { tenant, search, *at };
	enum vs_err rc = app->users->ops->list(app->users, a, &q, out);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

enum vs_err vs_users_get(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			 const vs_uuid *id, const vs_uuid *tenant, struct vs_user *out,
			 struct vs_error *e)
{
	(void)p;
	enum vs_err rc = require_member(app, tenant, id, e);
	if (rc != VS_OK)
		return rc;
	rc = app->users->ops->get(app->users, a, id, tenant, out);
	return rc == VS_OK ? VS_OK : not_found_as_user(e, rc);
}

/* Copies the email lower-cased, so the stored address and lookups agree. */
static void normalise_email(struct vs_arena *a, struct vs_opt_str *email)
{
	if (!email->set || email->null)
		return;
	char *copy = vs_arena_strndup(a, email->p, email->len);
	vs_user_email_normalise(copy);
	email->p = copy;
}

static enum vs_err hash_password(const struct vs_opt_str *pw, char hash[VS_PASSWORD_HASH_MAX],
				 struct vs_error *e)
{
	if (vs_password_hash(pw->p, pw->len, hash) != VS_OK)
		return vs_fail(e, VS_INTERNAL, VS_MSG_PASSWORD_HASH_FAILED);
	return VS_OK;
}

/* user.<verb> in the platform's chain (a user's identity is global), with what changed
 * from before (NULL: created) to after (NULL: deleted). */
static enum vs_err record_user(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			       const char *action, const struct vs_user *before,
			       const struct vs_user *after)
{
	const struct vs_user *u = after ? after : before;
	struct json_object *changes = NULL;
	vs_audit_change_text(&changes, "email", before ? before->email : NULL,
			     after ? after->email : NULL);
	vs_audit_change_text(&changes, "first_name", before ? before->first_name : NULL,
			     after ? after->first_name : NULL);
	vs_audit_change_text(&changes, "last_name", before ? before->last_name : NULL,
			     after ? after->last_name : NULL);
	if (before && after) {
		vs_audit_change_bool(&changes, "is_active", before->is_active, after->is_active);
		vs_audit_change_bool(&changes, "is_superuser", before->is_superuser,
				     after->is_superuser);
	} else {
		vs_audit_change_value(&changes, "is_active",
				      before ? json_object_new_boolean(before->is_active) : NULL,
				      after ? json_object_new_boolean(after->is_active) : NULL);
		vs_audit_change_value(&changes, "is_superuser",
				      before ? json_object_new_boolean(before->is_superuser) : NULL,
				      after ? json_object_new_boolean(after->is_superuser) : NULL);
	}
	enum vs_err rc = vs_audit_record_object(app, a, p, action, "user", &u->id, NULL, changes);
	json_object_put(changes);
	return rc;
}

enum vs_err vs_users_insert_new(struct vs_app *app, struct vs_arena *a,
				const struct vs_user_input *in, struct vs_user *out,
				struct vs_error *e)
{
	struct vs_opt_str email = in->email;
	normalise_email(a, &email);
	char hash[VS_PASSWORD_HASH_MAX];
	enum vs_err rc = hash_password(&in->password, hash, e);
	if (rc != VS_OK)
		return rc;

	struct vs_user u = {
		.email = email.p,
		.first_name = vs_opt_str_or_null(&in->first_name),
		.last_name = vs_opt_str_or_null(&in->last_name),
		.is_active = in->is_active.set ? in->is_active.v : true,
		.is_superuser = in->is_superuser.set && in->is_superuser.v,
		.password_hash = hash,
	};
	rc = app->users->ops->insert(app->users, a, &u);
	if (rc != VS_OK)
		return not_found_as_user(e, rc);
	*out = u;
	out->password_hash = NULL;
	return VS_OK;
}

enum vs_err vs_users_create(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *tenant, const struct vs_user_input *in,
			    struct vs_user *out, struct vs_error *e)
{
	if (in->is_superuser.set && in->is_superuser.v && !p->user.is_superuser)
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_FORBIDDEN);
	if (in->role_id.set && !in->role_id.null && !tenant)
		return vs_fail_field(e, "role_id", VS_MSG_ROLE_NEEDS_TENANT);

	struct vs_user u;
	enum vs_err rc = vs_app_begin(app);
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = vs_users_insert_new(app, a, in, &u, e);
	if (rc == VS_OK && (rc = record_user(app, a, p, "user.created", NULL, &u)) != VS_OK)
		vs_fail(e, rc, NULL);
	if (rc != VS_OK) {
		vs_app_end(app, rc);
		return rc;
	}
	if (tenant) {
		vs_uuid role;
		if (in->role_id.set && !in->role_id.null)
			role = in->role_id.v;
		else
			rc = app->roles->ops->system_role(app->roles,
								       "Member", &role);
		if (rc == VS_OK && (rc = vs_roles_require_grantable(app, a, p, &role, tenant, e)) != VS_OK) {
			vs_app_end(app, rc);
			return rc;
		}
		if (rc == VS_OK)
			rc = app->assignments->ops->grant(app->assignments, tenant,
								&u.id, &role);
		if (rc == VS_OK) {
			struct json_object *changes = NULL;
			char role_id[VS_UUID_STRLEN + 1];
			vs_uuid_format(&role, role_id);
			vs_audit_created_text(&changes, "role_id", role_id);
			rc = vs_audit_record_object(app, a, p, "user.role_granted", "user", &u.id,
						    tenant, changes);
			json_object_put(changes);
		}
		if (rc == VS_OK)
			rc = app->users->ops->get(app->users, a, &u.id, tenant, &u);
		if (rc != VS_OK) {
			vs_app_end(app, rc);
			if (rc == VS_QUOTA)
				return vs_fail(e, VS_QUOTA, VS_MSG_LIMIT_MEMBERS);
			return rc == VS_NOTFOUND ? vs_fail(e, VS_NOTFOUND, VS_MSG_ROLE_NOT_FOUND)
						 : vs_fail(e, rc, NULL);
		}
	}
	if ((rc = vs_app_end(app, VS_OK)) != VS_OK)
		return vs_fail(e, rc, NULL);
	*out = u;
	out->password_hash = NULL;
	return VS_OK;
}

static enum vs_err update_user(struct vs_app *app, struct vs_arena *a,
			       const struct vs_principal *p, const vs_uuid *id,
			       const vs_uuid *tenant, const struct vs_user_input *in,
			       struct vs_user *out, struct vs_error *e)
{
	struct vs_user_changes c = {
		.email = in->email,
		.first_name = in->first_name,
		.last_name = in->last_name,
		.is_active = in->is_active,
		.is_superuser = in->is_superuser,
	};
	normalise_email(a, &c.email);
	char hash[VS_PASSWORD_HASH_MAX];
	if (in->password.set) {
		enum vs_err rc = hash_password(&in->password, hash, e);
		if (rc != VS_OK)
			return rc;
		c.password_hash = hash;
	}
	enum vs_err rc = vs_app_begin(app);
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	struct vs_user before;
	rc = app->users->ops->update(app->users, a, id, &c, tenant, &before, out);
	if (rc == VS_OK)
		rc = record_user(app, a, p, "user.updated", &before, out);
	/* the password itself never goes into an event: that it changed is one of its own */
	if (rc == VS_OK && in->password.set)
		rc = vs_audit_record_object(app, a, p, "user.password_changed", "user", id, NULL,
					    NULL);
	rc = vs_app_end(app, rc);
	return rc == VS_OK ? VS_OK : not_found_as_user(e, rc);
}

/* A user's identity is global, so a tenant admin may not take over an account that may
 * also belong to other tenants: credentials, activation, and superusers stay with
 * superusers. */
static enum vs_err check_update_by_non_superuser(struct vs_app *app, struct vs_arena *a,
						const vs_uuid *id, const vs_uuid *tenant,
						const struct vs_user_input *in,
						struct vs_error *e)
{
	if (in->email.set || in->password.set || in->is_active.set || in->is_superuser.set)
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_SUPERUSER_FIELD);
	struct vs_user target;
	enum vs_err rc = app->users->ops->get(app->users, a, id, tenant, &target);
	if (rc != VS_OK)
		return not_found_as_user(e, rc);
	if (target.is_superuser)
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_SUPERUSER_FIELD);
	return VS_OK;
}

enum vs_err vs_users_update(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *id, const vs_uuid *tenant, const struct vs_user_input *in,
			    struct vs_user *out, struct vs_error *e)
{
	enum vs_err rc = require_member(app, tenant, id, e);
	if (rc == VS_OK && !p->user.is_superuser)
		rc = check_update_by_non_superuser(app, a, id, tenant, in, e);
	if (rc != VS_OK)
		return rc;
	return update_user(app, a, p, id, tenant, in, out, e);
}

enum vs_err vs_users_update_me(struct vs_app *app, struct vs_arena *a,
			       const struct vs_principal *p, const vs_uuid *tenant,
			       const struct vs_user_input *in, struct vs_user *out,
			       struct vs_error *e)
{
	struct vs_user_input mine = *in;
	/* A leaked key must not become the account: credentials need the owner's login. */
	if (p->via_key && (mine.email.set || mine.password.set))
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_KEY_NO_CREDENTIALS);
	if (p->key_limited && !vs_permset_has(&p->key_scopes, "user:update"))
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_FORBIDDEN);
	if (mine.is_superuser.set && mine.is_superuser.v != p->user.is_superuser)
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_OWN_SUPERUSER);
	mine.is_superuser.set = false;
	mine.is_active.set = false;
	return update_user(app, a, p, &p->user.id, tenant, &mine, out, e);
}

enum vs_err vs_users_delete(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *id, const vs_uuid *tenant, struct vs_error *e)
{
	enum vs_err rc;
	if (!tenant && !p->user.is_superuser)
		return vs_fail(e, VS_BADREQ, VS_MSG_TENANT_ID_REQUIRED);
	if (!tenant && vs_uuid_eq(id, &p->user.id))
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_DELETE_SELF);
	if (tenant && !p->user.is_superuser) {
		/* Removing a member takes away its roles: only someone who could have
		 * granted them all may, and never a superuser's. */
		struct vs_principal target;
		rc = app->users->ops->principal(app->users, a, id, tenant, &target);
		if (rc == VS_OK && !target.member)
			rc = VS_NOTFOUND;
		if (rc != VS_OK)
			return not_found_as_user(e, rc);
		if (target.user.is_superuser)
			return vs_fail(e, VS_FORBIDDEN, VS_MSG_SUPERUSER_FIELD);
		if (!vs_principal_may_grant(p, &target.permissions))
			return vs_fail(e, VS_FORBIDDEN, VS_MSG_CANNOT_GRANT);
	}
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	struct vs_user before;
	rc = app->users->ops->get(app->users, a, id, tenant, &before);
	if (rc == VS_OK && tenant)
		rc = app->assignments->ops->leave(app->assignments, tenant, id);
	else if (rc == VS_OK)
		rc = app->users->ops->remove(app->users, id);
	if (rc == VS_OK && tenant)
		rc = vs_audit_record_object(app, a, p, "user.removed", "user", id, tenant, NULL);
	else if (rc == VS_OK)
		rc = record_user(app, a, p, "user.deleted", &before, NULL);
	rc = vs_app_end(app, rc);
	return rc == VS_OK ? VS_OK : not_found_as_user(e, rc);
}

enum vs_err vs_users_create_superuser(struct vs_app *app, struct vs_arena *a, const char *email,
				      const char *password, struct vs_user *out,
				      struct vs_error *e)
{
	struct vs_principal system = { .authenticated = true, .user.is_superuser = true };
	struct vs_user_input in = {
		.email = { .set = true, .p = email, .len = strlen(email) },
		.password = { .set = true, .p = password, .len = strlen(password) },
		.is_superuser = { .set = true, .v = true },
	};
	return vs_users_create(app, a, &system, NULL, &in, out, e);
}
