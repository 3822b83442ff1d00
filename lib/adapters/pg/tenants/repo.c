/* iam.tenants. */
#include "adapters/pg/util.h"
#include "adapters/pg/wiring.h"
#include "tenants/port.h"

#include <string.h>

#define TENANT_COLS                                                                        \
	"t.id, t.name, t.slug, t.description, t.is_active, "                               \
	"extract(epoch FROM t.created_at)::bigint, extract(epoch FROM t.updated_at)::bigint, " \
	"t.timezone"
#define TENANT_NCOLS 8

static const struct vs_pg_stmt get_stmt = {
	"tenant_get", "SELECT " TENANT_COLS " FROM iam.tenants t WHERE t.id = $1", 1
};
static const struct vs_pg_stmt get_by_slug_stmt = {
	"tenant_get_by_slug", "SELECT " TENANT_COLS " FROM iam.tenants t WHERE t.slug = $1", 1
};
static const struct vs_pg_stmt insert_stmt = {
	"tenant_insert",
	"INSERT INTO iam.tenants AS t (name, slug, description, is_active, timezone) "
	"VALUES ($1, $2, $3, $4, coalesce($5, 'UTC')) RETURNING " TENANT_COLS,
	5
};
static const struct vs_pg_stmt update_stmt = {
	"tenant_update",
	"UPDATE iam.tenants AS t SET "
	"name = CASE WHEN $2::boolean THEN $3::text ELSE t.name END, "
	"description = CASE WHEN $4::boolean THEN $5::text ELSE t.description END, "
	"is_active = CASE WHEN $6::boolean THEN $7::boolean ELSE t.is_active END, "
	"timezone = coalesce($8::text, t.timezone), "
	"updated_at = now() WHERE t.id = $1 RETURNING " TENANT_COLS,
	8
};
static const struct vs_pg_stmt delete_stmt = {
	"tenant_delete", "DELETE FROM iam.tenants WHERE id = $1", 1
};
/* Every tenant, in the order of tenants_list_idx, from after ($1, $2). */
static const struct vs_pg_stmt list_stmt = {
	"tenant_list",
	"SELECT " TENANT_COLS ", " VS_PG_KEY_US("t") " FROM iam.tenants t "
	"WHERE (t.created_at, t.id) > ($1::timestamptz, $2::uuid) "
	"ORDER BY t.created_at, t.id OFFSET $3 LIMIT $4",
	4
};
static const struct vs_pg_stmt count_stmt = {
	"tenant_count", "SELECT " VS_PG_PLATFORM_TOTAL("tenants"), 0
};
/* The tenants user $1 is a member of: found from the user's assignments, so that the cost
 * follows the user's tenants, not every tenant. */
#define MEMBER_FILTER                                                                      \
	" FROM iam.tenants t WHERE t.id IN (SELECT m.tenant_id FROM iam.assignments m "      \
	"WHERE m.user_id = $1)"
static const struct vs_pg_stmt member_list_stmt = {
	"tenant_member_list",
	"SELECT " TENANT_COLS ", " VS_PG_KEY_US("t") MEMBER_FILTER
	" AND (t.created_at, t.id) > ($2::timestamptz, $3::uuid) "
	"ORDER BY t.created_at, t.id OFFSET $4 LIMIT $5",
	5
};
static const struct vs_pg_stmt member_count_stmt = {
	"tenant_member_count", "SELECT count(*)" MEMBER_FILTER, 1
};

struct pg_tenants {
	struct vs_tenant_repo base;
	struct vs_pg *pg;
};

static struct vs_pg *repo_pg(struct vs_tenant_repo *self)
{
	return ((struct pg_tenants *)self)->pg;
}

static void row_to_tenant(struct vs_arena *a, const PGresult *r, int row, void *out)
{
	struct vs_tenant *t = out;
	memset(t, 0, sizeof(*t));
	vs_pg_uuid(r, row, 0, &t->id);
	t->name = vs_pg_text(a, r, row, 1);
	t->slug = vs_pg_text(a, r, row, 2);
	t->description = vs_pg_text(a, r, row, 3);
	t->is_active = vs_pg_bool(r, row, 4);
	t->created_at = vs_pg_int64(r, row, 5);
	t->updated_at = vs_pg_int64(r, row, 6);
	t->timezone = vs_pg_text(a, r, row, 7);
}

static enum vs_err tenant_get(struct vs_tenant_repo *self, struct vs_arena *a, const vs_uuid *id,
			      struct vs_tenant *out)
{
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, id) };
	return vs_pg_one(repo_pg(self), a, &get_stmt, params, row_to_tenant, out);
}

static enum vs_err tenant_get_by_slug(struct vs_tenant_repo *self, struct vs_arena *a,
				      const char *slug, struct vs_tenant *out)
{
	const char *params[] = { slug };
	return vs_pg_one(repo_pg(self), a, &get_by_slug_stmt, params, row_to_tenant, out);
}

static enum vs_err tenant_insert(struct vs_tenant_repo *self, struct vs_arena *a,
				 struct vs_tenant *t)
{
	const char *params[] = { t->name, t->slug, t->description, pg_bool_param(t->is_active),
				 t->timezone };
	return vs_pg_one(repo_pg(self), a, &insert_stmt, params, row_to_tenant, t);
}

static enum vs_err tenant_update(struct vs_tenant_repo *self, struct vs_arena *a,
				 const vs_uuid *id, const struct vs_tenant_changes *c,
				 struct vs_tenant *out)
{
	struct pg_uuid_text t;
	const char *params[] = {
		pg_uuid_param(&t, id),		   pg_bool_param(c->name.set),
		vs_opt_str_or_null(&c->name),	   pg_bool_param(c->description.set),
		vs_opt_str_or_null(&c->description), pg_bool_param(c->is_active.set),
		pg_bool_param(c->is_active.v),	   vs_opt_str_or_null(&c->timezone),
	};
	return vs_pg_one(repo_pg(self), a, &update_stmt, params, row_to_tenant, out);
}

static enum vs_err tenant_remove(struct vs_tenant_repo *self, const vs_uuid *id)
{
	vs_pg_mark_auth_change(repo_pg(self));
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, id) };
	return vs_pg_change(repo_pg(self), &delete_stmt, params);
}

static enum vs_err tenant_list(struct vs_tenant_repo *self, struct vs_arena *a,
			       const struct vs_tenant_query *q, struct vs_tenant_page *out)
{
	struct pg_uuid_text t;
	const char *params[5] = { pg_uuid_param(&t, q->member_id) };
	bool member = q->member_id != NULL;
	return vs_pg_keyed_list(repo_pg(self), a, member ? &member_list_stmt : &list_stmt,
				member ? &member_count_stmt : &count_stmt, params, member ? 1 : 0,
				&q->at, false, row_to_tenant, sizeof(*out->items), &out->items,
				&out->n, &out->end);
}

static const struct vs_tenant_repo_ops ops = {
	.get = tenant_get,
	.get_by_slug = tenant_get_by_slug,
	.insert = tenant_insert,
	.update = tenant_update,
	.remove = tenant_remove,
	.list = tenant_list,
};

void vs_pg_tenants_wire(const struct vs_pg_wiring *w, struct vs_app *app)
{
	struct pg_tenants *repo = vs_arena_alloc(w->owned, sizeof(*repo));
	*repo = (struct pg_tenants){ { &ops }, w->pg };
	app->tenants = &repo->base;
}
