/* iam.roles and iam.role_permissions. A role is visible in tenant T when it is global or
 * T's own; in no tenant, only global roles are. */
#include "adapters/pg/roles/permissions.h"
#include "adapters/pg/util.h"
#include "adapters/pg/wiring.h"
#include "roles/port.h"

#include <json-c/json.h>
#include <string.h>

#define ROLE_COLS                                                                          \
	"r.id, r.tenant_id, r.name, r.description, r.is_system_role, "                      \
	"extract(epoch FROM r.created_at)::bigint, extract(epoch FROM r.updated_at)::bigint"
#define ROLE_NCOLS 7
/* Global roles and those of the tenant in parameter n. */
#define ROLE_IN_SCOPE(n) "(r.tenant_id IS NULL OR r.tenant_id = $" #n ")"

static const struct vs_pg_stmt get_stmt = {
	"role_get",
	"SELECT " ROLE_COLS ", coalesce((SELECT json_agg(json_build_object('id', p.id, "
	"'code', p.code, 'name', p.name, 'description', p.description, 'module', p.module) "
	"ORDER BY p.code) FROM iam.role_permissions rp JOIN iam.permissions p "
	"ON p.id = rp.permission_id WHERE rp.role_id = r.id), '[]')::text "
	"FROM iam.roles r WHERE r.id = $1 AND " ROLE_IN_SCOPE(2),
	2
};
/* List order within a scope (index roles_list_idx): system roles first, then by name. */
#define ROLE_ORDER " ORDER BY r.is_system_role DESC, r.name, r.id"
#define NIL_SCOPE "'00000000-0000-0000-0000-000000000000'"
/* A page costs what it holds: the global roles and the tenant's are each read in list
 * order up to skip + limit rows and merged (sql/015), and the holders are counted for the
 * page's rows only, after the skip. */
static const struct vs_pg_stmt list_stmt = {
	"role_list",
	"SELECT " ROLE_COLS ", (SELECT count(*) FROM iam.assignments m "
	"WHERE m.role_id = r.id AND ($1::uuid IS NULL OR m.tenant_id = $1)) FROM ("
	"SELECT * FROM ("
	"(SELECT * FROM iam.roles r WHERE r.scope_tenant = " NIL_SCOPE ROLE_ORDER
	" LIMIT $2::bigint + $3) UNION ALL "
	"(SELECT * FROM iam.roles r WHERE r.scope_tenant = $1" ROLE_ORDER
	" LIMIT $2::bigint + $3)) r" ROLE_ORDER " OFFSET $2 LIMIT $3) r" ROLE_ORDER,
	3
};
/* The total from the counters the limits keep, not a count of the rows. */
static const struct vs_pg_stmt count_stmt = {
	"role_count",
	"SELECT coalesce(sum(n), 0) FROM iam.usage "
	"WHERE kind = 'roles_per_tenant' AND (scope = " NIL_SCOPE " OR scope = $1)",
	1
};
static const struct vs_pg_stmt insert_stmt = {
	"role_insert",
	"INSERT INTO iam.roles AS r (tenant_id, name, description) VALUES ($1, $2, $3) "
	"RETURNING " ROLE_COLS,
	3
};
static const struct vs_pg_stmt update_stmt = {
	"role_update",
	"UPDATE iam.roles SET "
	"name = CASE WHEN $2::boolean THEN $3::text ELSE name END, "
	"description = CASE WHEN $4::boolean THEN $5::text ELSE description END, "
	"updated_at = now() WHERE id = $1",
	5
};
static const struct vs_pg_stmt delete_stmt = {
	"role_delete", "DELETE FROM iam.roles WHERE id = $1", 1
};
static const struct vs_pg_stmt clear_permissions_stmt = {
	"role_clear_permissions", "DELETE FROM iam.role_permissions WHERE role_id = $1", 1
};
/* The role's scope goes along, so the composite key ties the row to the role's tenant. */
static const struct vs_pg_stmt add_permissions_stmt = {
	"role_add_permissions",
	"INSERT INTO iam.role_permissions (role_id, permission_id, role_scope) "
	"SELECT r.id, p, r.scope_tenant FROM iam.roles r, unnest($2::uuid[]) p "
	"WHERE r.id = $1 ON CONFLICT DO NOTHING",
	2
};
static const struct vs_pg_stmt remove_permission_stmt = {
	"role_remove_permission",
	"DELETE FROM iam.role_permissions WHERE role_id = $1 AND permission_id = $2", 2
};
static const struct vs_pg_stmt system_role_stmt = {
	"role_system_by_name",
	"SELECT id FROM iam.roles WHERE tenant_id IS NULL AND is_system_role AND name = $1", 1
};

struct pg_roles {
	struct vs_role_repo base;
	struct vs_pg *pg;
};

static struct vs_pg *repo_pg(struct vs_role_repo *self)
{
	return ((struct pg_roles *)self)->pg;
}


static void row_to_role(struct vs_arena *a, const PGresult *r, int row, void *role)
{
	struct vs_role *out = role;
	memset(out, 0, sizeof(*out));
	vs_pg_uuid(r, row, 0, &out->id);
	out->global = PQgetisnull(r, row, 1);
	if (!out->global)
		vs_pg_uuid(r, row, 1, &out->tenant_id);
	out->name = vs_pg_text(a, r, row, 2);
	out->description = vs_pg_text(a, r, row, 3);
	out->is_system_role = vs_pg_bool(r, row, 4);
	out->created_at = vs_pg_int64(r, row, 5);
	out->updated_at = vs_pg_int64(r, row, 6);
}

static const char *member_text(struct vs_arena *a, struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return vs_arena_strdup(a, json_object_get_string(v));
}

/* The permissions column: a JSON array the database built (trusted). */
static void parse_permissions(struct vs_arena *a, const char *json, struct vs_role *out)
{
	struct json_object *arr = json_tokener_parse(json);
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	out->permissions = vs_arena_array(a, n ? n : 1, sizeof(*out->permissions));
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		struct vs_permission *p = &out->permissions[out->npermissions];
		const char *id = member_text(a, o, "id");
		if (!id || !vs_uuid_parse(id, strlen(id), &p->id))
			continue;
		p->code = member_text(a, o, "code");
		p->name = member_text(a, o, "name");
		p->description = member_text(a, o, "description");
		p->module = member_text(a, o, "module");
		out->npermissions++;
	}
	json_object_put(arr);
}

static void row_to_role_detail(struct vs_arena *a, const PGresult *r, int row, void *out)
{
	row_to_role(a, r, row, out);
	parse_permissions(a, PQgetvalue(r, row, ROLE_NCOLS), out);
}

/* A list row: the role and how many hold it. */
static void row_to_role_counted(struct vs_arena *a, const PGresult *r, int row, void *out)
{
	row_to_role(a, r, row, out);
	((struct vs_role *)out)->user_count = vs_pg_int64(r, row, ROLE_NCOLS);
}

static enum vs_err role_get(struct vs_role_repo *self, struct vs_arena *a, const vs_uuid *id,
			    const vs_uuid *tenant, struct vs_role *out)
{
	struct pg_uuid_text t1, t2;
	const char *params[] = { pg_uuid_param(&t1, id), pg_uuid_param(&t2, tenant) };
	return vs_pg_one(repo_pg(self), a, &get_stmt, params, row_to_role_detail, out);
}

static enum vs_err role_list(struct vs_role_repo *self, struct vs_arena *a,
			     const struct vs_role_query *q, struct vs_role_page *out)
{
	struct pg_uuid_text t;
	const char *params[3] = { pg_uuid_param(&t, q->tenant) };
	return vs_pg_list(repo_pg(self), a, &list_stmt, &count_stmt, params, 1, q->offset,
			  q->limit, row_to_role_counted, sizeof(*out->items), &out->items, &out->n,
			  &out->total);
}

static enum vs_err role_insert(struct vs_role_repo *self, struct vs_arena *a, struct vs_role *role)
{
	struct pg_uuid_text t;
	const char *params[] = { role->global ? NULL : pg_uuid_param(&t, &role->tenant_id),
				 role->name, role->description };
	return vs_pg_one(repo_pg(self), a, &insert_stmt, params, row_to_role, role);
}

static enum vs_err role_update(struct vs_role_repo *self, const vs_uuid *id,
			       const struct vs_role_changes *c)
{
	vs_pg_mark_auth_change(repo_pg(self));
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, id), pg_bool_param(c->name.set),
				 vs_opt_str_or_null(&c->name), pg_bool_param(c->description.set),
				 vs_opt_str_or_null(&c->description) };
	return vs_pg_change(repo_pg(self), &update_stmt, params);
}

static enum vs_err role_remove(struct vs_role_repo *self, const vs_uuid *id)
{
	vs_pg_mark_auth_change(repo_pg(self));
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, id) };
	long rows;
	enum vs_err rc = vs_pg_exec_affected(repo_pg(self), &delete_stmt, params, &rows);
	if (rc == VS_NOTFOUND) /* a foreign key: assignments still point at the role */
		return VS_CONFLICT;
	return rc == VS_OK && rows == 0 ? VS_NOTFOUND : rc;
}

static enum vs_err add_permissions(struct vs_pg *pg, const vs_uuid *role, const vs_uuid *ids,
				   size_t n)
{
	struct vs_arena *a = vs_arena_new();
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, role), vs_pg_uuid_array_param(a, ids, n) };
	long rows;
	enum vs_err rc = vs_pg_exec_affected(pg, &add_permissions_stmt, params, &rows);
	vs_arena_free(a);
	return rc;
}

static enum vs_err role_set_permissions(struct vs_role_repo *self, const vs_uuid *role,
					const vs_uuid *ids, size_t n)
{
	vs_pg_mark_auth_change(repo_pg(self));
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, role) };
	long rows;
	enum vs_err rc = vs_pg_exec_affected(repo_pg(self), &clear_permissions_stmt, params, &rows);
	if (rc == VS_OK && n > 0)
		rc = add_permissions(repo_pg(self), role, ids, n);
	return rc;
}

static enum vs_err role_add_permission(struct vs_role_repo *self, const vs_uuid *role,
				       const vs_uuid *permission)
{
	vs_pg_mark_auth_change(repo_pg(self));
	return add_permissions(repo_pg(self), role, permission, 1);
}

static enum vs_err role_remove_permission(struct vs_role_repo *self, const vs_uuid *role,
					  const vs_uuid *permission)
{
	vs_pg_mark_auth_change(repo_pg(self));
	struct pg_uuid_text t1, t2;
	const char *params[] = { pg_uuid_param(&t1, role), pg_uuid_param(&t2, permission) };
	return vs_pg_change(repo_pg(self), &remove_permission_stmt, params);
}

static enum vs_err role_system_role(struct vs_role_repo *self, const char *name, vs_uuid *out)
{
	const char *params[] = { name };
	char v[VS_UUID_STRLEN + 1];
	enum vs_err rc = vs_pg_scalar(repo_pg(self), &system_role_stmt, params, v, sizeof(v));
	if (rc == VS_OK && !vs_uuid_parse(v, strlen(v), out))
		rc = VS_INTERNAL;
	return rc;
}

static const struct vs_role_repo_ops ops = {
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

void vs_pg_roles_wire(const struct vs_pg_wiring *w, struct vs_app *app)
{
	struct pg_roles *repo = vs_arena_alloc(w->owned, sizeof(*repo));
	*repo = (struct pg_roles){ { &ops }, w->pg };
	app->roles = &repo->base;
	vs_pg__permissions_wire(w, app);
}
