/* iam.permissions: the catalogue, read-only for the application. */
#include "adapters/pg/pg_internal.h"

#include <stdio.h>
#include <string.h>

#define PERMISSION_COLS "id, code, name, description, module"

static const struct vs_pg_stmt list_stmt = {
	"permission_list",
	"SELECT " PERMISSION_COLS " FROM iam.permissions "
	"ORDER BY code OFFSET $1 LIMIT $2",
	2
};
static const struct vs_pg_stmt count_stmt = {
	"permission_count", "SELECT count(*) FROM iam.permissions", 0
};
static const struct vs_pg_stmt by_id_stmt = {
	"permission_by_id", "SELECT " PERMISSION_COLS " FROM iam.permissions WHERE id = $1", 1
};
static const struct vs_pg_stmt by_code_stmt = {
	"permission_by_code", "SELECT " PERMISSION_COLS " FROM iam.permissions WHERE code = $1", 1
};

static struct vs_pg *repo_pg(struct vs_permission_repo *self)
{
	return ((struct pg_permissions *)self)->pg;
}

static void row_to_permission(struct vs_arena *a, const PGresult *r, int row,
			      struct vs_permission *p)
{
	vs_pg_uuid(r, row, 0, &p->id);
	p->code = vs_pg_text(a, r, row, 1);
	p->name = vs_pg_text(a, r, row, 2);
	p->description = vs_pg_text(a, r, row, 3);
	p->module = vs_pg_text(a, r, row, 4);
}

static enum vs_err permission_list(struct vs_permission_repo *self, struct vs_arena *a,
				   int64_t offset, int64_t limit, struct vs_permission_page *out)
{
	const char *params[2];
	PGresult *r;
	enum vs_err rc = vs__pg_page(repo_pg(self), a, &list_stmt, &count_stmt, params, 0, offset,
				     limit, &r, &out->total);
	if (rc != VS_OK)
		return rc;
	out->n = (size_t)PQntuples(r);
	out->items = vs_arena_array(a, out->n + 1, sizeof(*out->items));
	for (size_t i = 0; i < out->n; i++)
		row_to_permission(a, r, (int)i, &out->items[i]);
	return VS_OK;
}

static enum vs_err permission_find(struct vs_permission_repo *self, struct vs_arena *a,
				   const char *id_or_code, struct vs_permission *out)
{
	vs_uuid id;
	bool by_id = vs_uuid_parse(id_or_code, strlen(id_or_code), &id);
	const char *params[] = { id_or_code };
	PGresult *r;
	enum vs_err rc =
		vs_pg_exec(repo_pg(self), a, by_id ? &by_id_stmt : &by_code_stmt, params, &r);
	if (rc != VS_OK)
		return rc;
	if (PQntuples(r) == 0)
		return VS_NOTFOUND;
	row_to_permission(a, r, 0, out);
	return VS_OK;
}

const struct vs_permission_repo_ops vs__pg_permission_ops = {
	.list = permission_list,
	.find = permission_find,
};
