/* The role repository and permission catalogue fakes, with the semantics of
 * lib/roles/port.h and the statements of lib/adapters/pg/roles/roles.c and permissions.c:
 * a role is visible in tenant T when it is global or T's own (another tenant's role is
 * NOTFOUND); names are unique per scope (global, or one tenant); a role still held by
 * someone cannot be removed (CONFLICT); holders are the grants of the role in a tenant. */
#include "fakes/internal.h"

#include <stdlib.h>

/* ---- lookups ---- */

struct fake_role_row *fake_role(struct fake_db *db, const vs_uuid *id)
{
	for (size_t i = 0; i < db->store.nroles; i++)
		if (vs_uuid_eq(&db->store.roles[i].id, id))
			return &db->store.roles[i];
	return NULL;
}

static bool same_scope(const struct fake_role_row *r, bool global, const vs_uuid *tenant)
{
	return global ? r->global : !r->global && vs_uuid_eq(&r->tenant_id, tenant);
}

struct fake_role_row *fake_role_by_name(struct fake_db *db, const char *name,
					const vs_uuid *tenant)
{
	for (size_t i = 0; i < db->store.nroles; i++) {
		struct fake_role_row *r = &db->store.roles[i];
		if (same_scope(r, tenant == NULL, tenant) && strcmp(r->name, name) == 0)
			return r;
	}
	return NULL;
}

struct fake_permission_row *fake_permission(struct fake_db *db, const vs_uuid *id)
{
	for (size_t i = 0; i < db->store.npermissions; i++)
		if (vs_uuid_eq(&db->store.permissions[i].id, id))
			return &db->store.permissions[i];
	return NULL;
}

struct fake_permission_row *fake_permission_by_code(struct fake_db *db, const char *code)
{
	for (size_t i = 0; i < db->store.npermissions; i++)
		if (strcmp(db->store.permissions[i].code, code) == 0)
			return &db->store.permissions[i];
	return NULL;
}

static bool role_holds(struct fake_db *db, const vs_uuid *role, const vs_uuid *permission)
{
	for (size_t i = 0; i < db->store.nrole_perms; i++)
		if (vs_uuid_eq(&db->store.role_perms[i].role_id, role) &&
		    vs_uuid_eq(&db->store.role_perms[i].permission_id, permission))
			return true;
	return false;
}

bool fake_role_has(struct fake_db *db, const vs_uuid *role, const char *code)
{
	const struct fake_permission_row *p = fake_permission_by_code(db, code);
	return p && role_holds(db, role, &p->id);
}

size_t fake_role_npermissions(struct fake_db *db, const vs_uuid *role)
{
	size_t n = 0;
	for (size_t i = 0; i < db->store.nrole_perms; i++)
		n += vs_uuid_eq(&db->store.role_perms[i].role_id, role);
	return n;
}

/* ---- roles ---- */

static struct fake_db *roles_db(struct vs_role_repo *r)
{
	if (!r || r->ops != &fake__role_ops)
		abort();
	return ((struct fake_roles *)r)->db;
}

static bool visible(const struct fake_role_row *r, const vs_uuid *tenant)
{
	return r->global || (tenant && vs_uuid_eq(&r->tenant_id, tenant));
}

static bool name_taken(struct fake_db *db, const char *name, bool global, const vs_uuid *tenant,
		       const struct fake_role_row *except)
{
	for (size_t i = 0; i < db->store.nroles; i++) {
		const struct fake_role_row *r = &db->store.roles[i];
		if (r != except && same_scope(r, global, tenant) && strcmp(r->name, name) == 0)
			return true;
	}
	return false;
}

static int cmp_permission(const void *a, const void *b)
{
	return strcmp(((const struct vs_permission *)a)->code,
		      ((const struct vs_permission *)b)->code);
}

static void row_to_permission(struct vs_arena *a, const struct fake_permission_row *p,
			      struct vs_permission *out)
{
	out->id = p->id;
	out->code = vs_arena_strdup(a, p->code);
	out->name = vs_arena_strdup(a, p->name);
	out->description = NULL;
	out->module = vs_arena_strdup(a, p->module);
}

static void row_to_role(struct vs_arena *a, const struct fake_role_row *r, struct vs_role *out)
{
	memset(out, 0, sizeof(*out));
	out->id = r->id;
	out->global = r->global;
	if (!r->global)
		out->tenant_id = r->tenant_id;
	out->name = vs_arena_strdup(a, r->name);
	out->description = r->has_description ? vs_arena_strdup(a, r->description) : NULL;
	out->is_system_role = r->is_system_role;
	out->created_at = r->created_at;
	out->updated_at = r->updated_at;
}

/* The role's permissions, ordered by code (pg: ORDER BY p.code). */
static void fill_permissions(struct fake_db *db, struct vs_arena *a, struct vs_role *out)
{
	out->permissions = vs_arena_array(a, db->store.nrole_perms + 1, sizeof(*out->permissions));
	for (size_t i = 0; i < db->store.nrole_perms; i++) {
		const struct fake_role_perm_row *rp = &db->store.role_perms[i];
		const struct fake_permission_row *p = fake_permission(db, &rp->permission_id);
		if (vs_uuid_eq(&rp->role_id, &out->id) && p)
			row_to_permission(a, p, &out->permissions[out->npermissions++]);
	}
	if (out->npermissions > 1)
		qsort(out->permissions, out->npermissions, sizeof(*out->permissions),
		      cmp_permission);
}

static enum vs_err role_get(struct vs_role_repo *repo, struct vs_arena *a, const vs_uuid *id,
			    const vs_uuid *tenant, struct vs_role *out)
{
	struct fake_db *db = roles_db(repo);
	if (fake__call(db, "roles.get"))
		return VS_UNAVAILABLE;
	const struct fake_role_row *r = fake_role(db, id);
	if (!r || !visible(r, tenant))
		return VS_NOTFOUND;
	row_to_role(a, r, out);
	fill_permissions(db, a, out);
	return VS_OK;
}

/* pg: ORDER BY r.is_system_role DESC, r.name, r.id */
static int cmp_listed(const void *pa, const void *pb)
{
	const struct fake_role_row *a = *(const struct fake_role_row *const *)pa;
	const struct fake_role_row *b = *(const struct fake_role_row *const *)pb;
	if (a->is_system_role != b->is_system_role)
		return a->is_system_role ? -1 : 1;
	int c = strcmp(a->name, b->name);
	return c ? c : memcmp(a->id.b, b->id.b, sizeof(a->id.b));
}

static enum vs_err role_list(struct vs_role_repo *repo, struct vs_arena *a,
			     const struct vs_role_query *q, struct vs_role_page *out)
{
	struct fake_db *db = roles_db(repo);
	if (fake__call(db, "roles.list"))
		return VS_UNAVAILABLE;
	const struct fake_role_row *seen[FAKE_MAX_ROLES];
	size_t nseen = 0;
	for (size_t i = 0; i < db->store.nroles; i++)
		if (visible(&db->store.roles[i], q->tenant))
			seen[nseen++] = &db->store.roles[i];
	qsort(seen, nseen, sizeof(seen[0]), cmp_listed);
	memset(out, 0, sizeof(*out));
	out->items = vs_arena_array(a, FAKE_MAX_ROLES, sizeof(*out->items));
	out->total = (int64_t)nseen;
	for (size_t i = 0; i < nseen; i++) {
		if ((int64_t)i < q->offset || (int64_t)out->n >= q->limit)
			continue;
		struct vs_role *r = &out->items[out->n++];
		row_to_role(a, seen[i], r);
		for (size_t g = 0; g < db->store.ngrants; g++)
			r->user_count += vs_uuid_eq(&db->store.grants[g].role_id, &r->id) &&
					 (!q->tenant ||
					  vs_uuid_eq(&db->store.grants[g].tenant_id, q->tenant));
	}
	return VS_OK;
}

static enum vs_err role_insert(struct vs_role_repo *repo, struct vs_arena *a, struct vs_role *role)
{
	struct fake_db *db = roles_db(repo);
	if (fake__call(db, "roles.insert"))
		return VS_UNAVAILABLE;
	if (!role->name)
		return fake__sql_error(db, VS_INTERNAL); /* NOT NULL */
	if (!role->global && !fake_tenant(db, &role->tenant_id))
		return fake__sql_error(db, VS_NOTFOUND); /* foreign key */
	if (name_taken(db, role->name, role->global, &role->tenant_id, NULL))
		return fake__sql_error(db, VS_CONFLICT); /* UNIQUE NULLS NOT DISTINCT */
	if (db->store.nroles == FAKE_MAX_ROLES)
		return VS_INTERNAL;
	fake__wrote(db);
	struct fake_role_row *r = &db->store.roles[db->store.nroles++];
	memset(r, 0, sizeof(*r));
	vs_uuid_v4(&r->id);
	fake__copy_str(r->name, sizeof(r->name), role->name);
	r->has_description = role->description != NULL;
	fake__copy_str(r->description, sizeof(r->description), role->description);
	r->global = role->global;
	if (!r->global)
		r->tenant_id = role->tenant_id;
	r->created_at = r->updated_at = fake_now();
	row_to_role(a, r, role);
	return VS_OK;
}

static enum vs_err role_update(struct vs_role_repo *repo, const vs_uuid *id,
			       const struct vs_role_changes *c)
{
	struct fake_db *db = roles_db(repo);
	if (fake__call(db, "roles.update"))
		return VS_UNAVAILABLE;
	struct fake_role_row *r = fake_role(db, id);
	if (!r)
		return VS_NOTFOUND;
	if (c->name.set && (c->name.null || !c->name.p))
		return fake__sql_error(db, VS_INTERNAL); /* NOT NULL */
	if (c->name.set && name_taken(db, c->name.p, r->global, &r->tenant_id, r))
		return fake__sql_error(db, VS_CONFLICT);
	fake__wrote(db);
	if (c->name.set)
		fake__copy_str(r->name, sizeof(r->name), c->name.p);
	if (c->description.set) {
		const char *d = vs_opt_str_or_null(&c->description);
		r->has_description = d != NULL;
		fake__copy_str(r->description, sizeof(r->description), d);
	}
	r->updated_at = fake_now();
	return VS_OK;
}

static enum vs_err role_remove(struct vs_role_repo *repo, const vs_uuid *id)
{
	struct fake_db *db = roles_db(repo);
	if (fake__call(db, "roles.remove"))
		return VS_UNAVAILABLE;
	if (!fake_role(db, id))
		return VS_NOTFOUND;
	for (size_t i = 0; i < db->store.ngrants; i++)
		if (vs_uuid_eq(&db->store.grants[i].role_id, id))
			return fake__sql_error(db, VS_CONFLICT); /* assignments point at it */
	fake__wrote(db);
	FAKE_FILTER(db->store.role_perms, db->store.nrole_perms, !vs_uuid_eq(&row->role_id, id));
	FAKE_FILTER(db->store.roles, db->store.nroles, !vs_uuid_eq(&row->id, id));
	return VS_OK;
}

/* pg add_permissions: one INSERT … SELECT for every id; a role that does not exist
 * inserts nothing, an unknown permission fails the statement (foreign key). */
static enum vs_err add_permissions(struct fake_db *db, const vs_uuid *role, const vs_uuid *ids,
				   size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!fake_permission(db, &ids[i]))
			return fake__sql_error(db, VS_NOTFOUND);
	if (!fake_role(db, role))
		return VS_OK;
	for (size_t i = 0; i < n; i++) {
		if (role_holds(db, role, &ids[i]))
			continue; /* ON CONFLICT DO NOTHING */
		if (db->store.nrole_perms == FAKE_MAX_ROLE_PERMS)
			return VS_INTERNAL;
		db->store.role_perms[db->store.nrole_perms++] =
		    (struct fake_role_perm_row){.role_id = *role, .permission_id = ids[i]};
	}
	return VS_OK;
}

static enum vs_err role_set_permissions(struct vs_role_repo *repo, const vs_uuid *role,
					const vs_uuid *ids, size_t n)
{
	struct fake_db *db = roles_db(repo);
	if (fake__call(db, "roles.set_permissions"))
		return VS_UNAVAILABLE;
	fake__wrote(db);
	FAKE_FILTER(db->store.role_perms, db->store.nrole_perms,
		    !vs_uuid_eq(&row->role_id, role));
	return n ? add_permissions(db, role, ids, n) : VS_OK;
}

static enum vs_err role_add_permission(struct vs_role_repo *repo, const vs_uuid *role,
				       const vs_uuid *permission)
{
	struct fake_db *db = roles_db(repo);
	if (fake__call(db, "roles.add_permission"))
		return VS_UNAVAILABLE;
	fake__wrote(db);
	return add_permissions(db, role, permission, 1);
}

static enum vs_err role_remove_permission(struct vs_role_repo *repo, const vs_uuid *role,
					  const vs_uuid *permission)
{
	struct fake_db *db = roles_db(repo);
	if (fake__call(db, "roles.remove_permission"))
		return VS_UNAVAILABLE;
	if (!role_holds(db, role, permission))
		return VS_NOTFOUND;
	fake__wrote(db);
	FAKE_FILTER(db->store.role_perms, db->store.nrole_perms,
		    !(vs_uuid_eq(&row->role_id, role) &&
		      vs_uuid_eq(&row->permission_id, permission)));
	return VS_OK;
}

/* Seeded global system roles only, as pg: tenant_id IS NULL AND is_system_role. */
static enum vs_err role_system_role(struct vs_role_repo *repo, const char *name, vs_uuid *out)
{
	struct fake_db *db = roles_db(repo);
	if (fake__call(db, "roles.system_role"))
		return VS_UNAVAILABLE;
	for (size_t i = 0; i < db->store.nroles; i++) {
		const struct fake_role_row *r = &db->store.roles[i];
		if (r->global && r->is_system_role && strcmp(r->name, name) == 0) {
			*out = db->store.roles[i].id;
			return VS_OK;
		}
	}
	return VS_NOTFOUND;
}

const struct vs_role_repo_ops fake__role_ops = {
    .get = role_get,
    .list = role_list,
    .insert = role_insert,
    .update = role_update,
    .remove = role_remove,
    .set_permissions = role_set_permissions,
    .add_permission = role_add_permission,
    .remove_permission = role_remove_permission,
    .system_role = role_system_role,
};

/* ---- the permission catalogue ---- */

static struct fake_db *permissions_db(struct vs_permission_repo *r)
{
	if (!r || r->ops != &fake__permission_ops)
		abort();
	return ((struct fake_permissions *)r)->db;
}

static int cmp_code_row(const void *pa, const void *pb)
{
	return strcmp((*(const struct fake_permission_row *const *)pa)->code,
		      (*(const struct fake_permission_row *const *)pb)->code);
}

static enum vs_err permission_list(struct vs_permission_repo *repo, struct vs_arena *a,
				   int64_t offset, int64_t limit, struct vs_permission_page *out)
{
	struct fake_db *db = permissions_db(repo);
	if (fake__call(db, "permissions.list"))
		return VS_UNAVAILABLE;
	const struct fake_permission_row *sorted[FAKE_MAX_PERMISSIONS];
	size_t n = db->store.npermissions;
	for (size_t i = 0; i < n; i++)
		sorted[i] = &db->store.permissions[i];
	qsort(sorted, n, sizeof(sorted[0]), cmp_code_row);
	memset(out, 0, sizeof(*out));
	out->items = vs_arena_array(a, FAKE_MAX_PERMISSIONS, sizeof(*out->items));
	out->total = (int64_t)n;
	for (size_t i = 0; i < n; i++)
		if ((int64_t)i >= offset && (int64_t)out->n < limit)
			row_to_permission(a, sorted[i], &out->items[out->n++]);
	return VS_OK;
}

static enum vs_err permission_find(struct vs_permission_repo *repo, struct vs_arena *a,
				   const char *id_or_code, struct vs_permission *out)
{
	struct fake_db *db = permissions_db(repo);
	if (fake__call(db, "permissions.find"))
		return VS_UNAVAILABLE;
	vs_uuid id;
	const struct fake_permission_row *p =
	    vs_uuid_parse(id_or_code, strlen(id_or_code), &id) ? fake_permission(db, &id)
							       : fake_permission_by_code(db, id_or_code);
	if (!p)
		return VS_NOTFOUND;
	row_to_permission(a, p, out);
	return VS_OK;
}

const struct vs_permission_repo_ops fake__permission_ops = {
    .list = permission_list,
    .find = permission_find,
};
