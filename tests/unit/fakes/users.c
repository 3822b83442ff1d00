/* The user repository fake, with the principal of a request. */
#include "fakes/internal.h"

#include <stdlib.h>

static struct fake_db *users_db(struct vs_user_repo *r)
{
	if (!r || r->ops != &fake__user_ops)
		abort();
	return ((struct fake_users *)r)->db;
}

struct fake_user_row *fake_user(struct fake_db *db, const vs_uuid *id)
{
	for (size_t i = 0; i < db->store.nusers; i++)
		if (vs_uuid_eq(&db->store.users[i].id, id))
			return &db->store.users[i];
	return NULL;
}

struct fake_user_row *fake_user_by_email(struct fake_db *db, const char *email)
{
	for (size_t i = 0; i < db->store.nusers; i++)
		if (strcmp(db->store.users[i].email, email) == 0)
			return &db->store.users[i];
	return NULL;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void fake__row_to_user(struct fake_db *db, struct vs_arena *a, const struct fake_user_row *r,
		       const vs_uuid *roles_in, struct vs_user *out)
{
	memset(out, 0, sizeof(*out));
	out->id = r->id;
	out->email = vs_arena_strdup(a, r->email);
	out->first_name = r->has_first_name ? vs_arena_strdup(a, r->first_name) : NULL;
	out->last_name = r->has_last_name ? vs_arena_strdup(a, r->last_name) : NULL;
	out->is_active = r->is_active;
	out->is_superuser = r->is_superuser;
	out->created_at = r->created_at;
	out->updated_at = r->updated_at;
	if (!roles_in)
		return;
	out->roles = vs_arena_array(a, FAKE_MAX_GRANTS, sizeof(*out->roles));
	for (size_t i = 0; i < db->store.ngrants; i++) {
		const struct fake_grant_row *g = &db->store.grants[i];
		if (!vs_uuid_eq(&g->tenant_id, roles_in) || !vs_uuid_eq(&g->user_id, &r->id))
			continue;
		const struct fake_role_row *role = fake_role(db, &g->role_id);
		if (role)
			out->roles[out->nroles++] = vs_arena_strdup(a, role->name);
	}
	/* pg: json_agg(r.name ORDER BY r.name) */
	if (out->nroles > 1)
		qsort(out->roles, out->nroles, sizeof(*out->roles), cmp_name);
}

static enum vs_err user_get(struct vs_user_repo *repo, struct vs_arena *a, const vs_uuid *id,
			    const vs_uuid *roles_in, struct vs_user *out)
{
	struct fake_db *db = users_db(repo);
	if (fake__call(db, "users.get"))
		return VS_UNAVAILABLE;
	const struct fake_user_row *r = fake_user(db, id);
	if (!r)
		return VS_NOTFOUND;
	fake__row_to_user(db, a, r, roles_in, out);
	return VS_OK;
}

static enum vs_err user_get_by_email(struct vs_user_repo *repo, struct vs_arena *a,
				     const char *email, struct vs_user *out)
{
	struct fake_db *db = users_db(repo);
	if (fake__call(db, "users.get_by_email"))
		return VS_UNAVAILABLE;
	const struct fake_user_row *r = fake_user_by_email(db, email);
	if (!r)
		return VS_NOTFOUND;
	fake__row_to_user(db, a, r, NULL, out);
	out->password_hash = vs_arena_strdup(a, r->password_hash);
	return VS_OK;
}

static enum vs_err user_insert(struct vs_user_repo *repo, struct vs_arena *a, struct vs_user *u)
{
	(void)a;
	struct fake_db *db = users_db(repo);
	if (fake__call(db, "users.insert"))
		return VS_UNAVAILABLE;
	if (!u->password_hash || !u->email)
		return VS_INTERNAL; /* NOT NULL columns */
	if (fake_user_by_email(db, u->email))
		return fake__sql_error(db, VS_CONFLICT); /* unique email */
	if (db->store.nusers == FAKE_MAX_USERS)
		return VS_INTERNAL;
	fake__wrote(db);
	struct fake_user_row *r = &db->store.users[db->store.nusers++];
	memset(r, 0, sizeof(*r));
	vs_uuid_v4(&r->id);
	fake__copy_str(r->email, sizeof(r->email), u->email);
	r->has_first_name = u->first_name != NULL;
	fake__copy_str(r->first_name, sizeof(r->first_name), u->first_name);
	r->has_last_name = u->last_name != NULL;
	fake__copy_str(r->last_name, sizeof(r->last_name), u->last_name);
	r->is_active = u->is_active;
	r->is_superuser = u->is_superuser;
	fake__copy_str(r->password_hash, sizeof(r->password_hash), u->password_hash);
	r->created_at = r->updated_at = fake_now();
	u->id = r->id;
	u->created_at = r->created_at;
	u->updated_at = r->updated_at;
	return VS_OK;
}

static enum vs_err user_update(struct vs_user_repo *repo, struct vs_arena *a, const vs_uuid *id,
			       const struct vs_user_changes *c, const vs_uuid *roles_in,
			       struct vs_user *before, struct vs_user *out)
{
	struct fake_db *db = users_db(repo);
	if (fake__call(db, "users.update"))
		return VS_UNAVAILABLE;
	struct fake_user_row *r = fake_user(db, id);
	if (!r)
		return VS_NOTFOUND;
	if (before)
		fake__row_to_user(db, a, r, roles_in, before);
	if (c->email.set && !c->email.null) {
		struct fake_user_row *other = fake_user_by_email(db, c->email.p);
		if (other && other != r)
			return fake__sql_error(db, VS_CONFLICT);
	}
	fake__wrote(db);
	if (c->email.set && !c->email.null)
		fake__copy_str(r->email, sizeof(r->email), c->email.p);
	if (c->first_name.set) {
		r->has_first_name = !c->first_name.null;
		fake__copy_str(r->first_name, sizeof(r->first_name),
			       c->first_name.null ? NULL : c->first_name.p);
	}
	if (c->last_name.set) {
		r->has_last_name = !c->last_name.null;
		fake__copy_str(r->last_name, sizeof(r->last_name),
			       c->last_name.null ? NULL : c->last_name.p);
	}
	if (c->is_active.set)
		r->is_active = c->is_active.v;
	if (c->is_superuser.set)
		r->is_superuser = c->is_superuser.v;
	if (c->password_hash)
		fake__copy_str(r->password_hash, sizeof(r->password_hash), c->password_hash);
	r->updated_at = fake_now();
	fake__row_to_user(db, a, r, roles_in, out);
	return VS_OK;
}

static enum vs_err user_remove(struct vs_user_repo *repo, const vs_uuid *id)
{
	struct fake_db *db = users_db(repo);
	if (fake__call(db, "users.remove"))
		return VS_UNAVAILABLE;
	if (!fake_user(db, id))
		return VS_NOTFOUND;
	fake__wrote(db);
	/* ON DELETE CASCADE: assignments, sessions and keys go with the user. */
	FAKE_FILTER(db->store.users, db->store.nusers, !vs_uuid_eq(&row->id, id));
	FAKE_FILTER(db->store.grants, db->store.ngrants, !vs_uuid_eq(&row->user_id, id));
	FAKE_FILTER(db->store.sessions, db->store.nsessions, !vs_uuid_eq(&row->t.user_id, id));
	FAKE_FILTER(db->store.api_keys, db->store.napi_keys, !vs_uuid_eq(&row->user_id, id));
	return VS_OK;
}

static bool user_matches(struct fake_db *db, const struct fake_user_row *r,
			 const struct vs_user_query *q)
{
	if (q->tenant_id && !fake_is_member(db, q->tenant_id, &r->id))
		return false;
	if (q->search && !strstr(r->email, q->search) && !strstr(r->first_name, q->search) &&
	    !strstr(r->last_name, q->search))
		return false;
	return true;
}

static enum vs_err user_list(struct vs_user_repo *repo, struct vs_arena *a,
			     const struct vs_user_query *q, struct vs_user_page *out)
{
	struct fake_db *db = users_db(repo);
	if (fake__call(db, "users.list"))
		return VS_UNAVAILABLE;
	struct fake_pager pager;
	fake_pager_init(&pager, &q->at, &out->end, &out->n);
	out->items = vs_arena_array(a, FAKE_MAX_USERS, sizeof(*out->items));
	for (size_t i = 0; i < db->store.nusers; i++) {
		const struct fake_user_row *r = &db->store.users[i];
		if (user_matches(db, r, q) && fake_pager_take(&pager, &r->id, r->created_at))
			fake__row_to_user(db, a, r, q->tenant_id, &out->items[out->n++]);
	}
	fake_pager_finish(&pager);
	return VS_OK;
}

/* As pg_users.c user_principal: the user, and for tenant whether it exists, whether the
 * user holds a role there, and the union of those roles' permission codes, normalised.
 * `authenticated` is the session's to set, not the repository's. */
static enum vs_err user_principal(struct vs_user_repo *repo, struct vs_arena *a,
				  const vs_uuid *id, const vs_uuid *tenant, struct vs_principal *out)
{
	struct fake_db *db = users_db(repo);
	memset(out, 0, sizeof(*out));
	if (fake__call(db, "users.principal"))
		return VS_UNAVAILABLE;
	const struct fake_user_row *r = fake_user(db, id);
	if (!r)
		return VS_NOTFOUND;
	fake__row_to_user(db, a, r, tenant, &out->user);
	out->permissions.codes = vs_arena_array(a, db->store.nrole_perms + 1, sizeof(char *));
	if (!tenant)
		return VS_OK;
	out->tenant_found = fake_tenant(db, tenant) != NULL;
	out->member = fake_is_member(db, tenant, id);
	for (size_t i = 0; i < db->store.ngrants; i++) {
		const struct fake_grant_row *g = &db->store.grants[i];
		if (!vs_uuid_eq(&g->tenant_id, tenant) || !vs_uuid_eq(&g->user_id, id))
			continue;
		for (size_t j = 0; j < db->store.nrole_perms; j++) {
			const struct fake_role_perm_row *rp = &db->store.role_perms[j];
			if (!vs_uuid_eq(&rp->role_id, &g->role_id))
				continue;
			const struct fake_permission_row *p = fake_permission(db, &rp->permission_id);
			if (p && out->permissions.n < db->store.nrole_perms)
				out->permissions.codes[out->permissions.n++] =
				    vs_arena_strdup(a, p->code);
		}
	}
	vs_permset_normalise(&out->permissions);
	return VS_OK;
}

/* The pg adapter answers this from its cache; the fake recomputes it each time. */
static enum vs_err user_permissions(struct vs_user_repo *repo, struct vs_arena *a,
				    const vs_uuid *user, const vs_uuid *tenant, bool *member,
				    struct vs_permset *out)
{
	struct vs_principal p;
	enum vs_err rc = user_principal(repo, a, user, tenant, &p);
	if (rc == VS_OK) {
		*member = p.member;
		*out = p.permissions;
	}
	return rc;
}

const struct vs_user_repo_ops fake__user_ops = {
    user_get,	  user_get_by_email, user_insert,     user_update,
    user_remove, user_list,	     user_principal, user_permissions,
};

