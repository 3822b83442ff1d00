/* iam.permissions: the catalogue, read-only for the application. */
#include "adapters/pg/roles/permissions.h"
#include "adapters/pg/util.h"
#include "roles/port.h"

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

struct pg_permissions {
	struct vs_permission_repo base;
	struct vs_pg *pg;
};

static struct vs_pg *repo_pg(struct vs_permission_repo *self)
{
	return ((struct pg_permissions *)self)->pg;
}

static void row_to_permission(struct vs_arena *a, const PGresult *r, int row, void *out)
{
	struct vs_permission *p = out;
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
	return vs_pg_list(repo_pg(self), a, &list_stmt, &count_stmt, params, 0, offset, limit,
			  row_to_permission, sizeof(*out->items), &out->items, &out->n,
			  &out->total);
}

static enum vs_err permission_find(struct vs_permission_repo *self, struct vs_arena *a,
				   const char *id_or_code, struct vs_permission *out)
{
	vs_uuid id;
	bool by_id = vs_uuid_parse(id_or_code, strlen(id_or_code), &id);
	const char *params[] = { id_or_code };
	return vs_pg_one(repo_pg(self), a, by_id ? &by_id_stmt : &by_code_stmt, params,
			 row_to_permission, out);
}

static const struct vs_permission_repo_ops ops = {
	.list = permission_list,
	.find = permission_find,
};

void vs_pg__permissions_wire(const struct vs_pg_wiring *w, struct vs_app *app)
{
	struct pg_permissions *repo = vs_arena_alloc(w->owned, sizeof(*repo));
	*repo = (struct pg_permissions){ { &ops }, w->pg };
	app->permissions = &repo->base;
}
