/* iam.limits and iam.usage (sql/015): the operator's view and settings. The counting and
 * the refusals are the database's own triggers. */
#include "adapters/pg/util.h"
#include "adapters/pg/wiring.h"
#include "limits/port.h"

#include <stdlib.h>

/* Defaults (no scope, no usage) first, then each override with what its scope holds. */
static const struct vs_pg_stmt list_stmt = {
	"limit_list",
	"SELECT l.kind, l.scope, l.max_count, "
	"CASE WHEN l.scope IS NULL THEN -1 ELSE coalesce(u.n, 0) END "
	"FROM iam.limits l LEFT JOIN iam.usage u ON u.kind = l.kind AND u.scope = l.scope "
	"ORDER BY l.scope IS NOT NULL, l.kind, l.scope",
	0
};
static const struct vs_pg_stmt set_stmt = {
	"limit_set",
	"INSERT INTO iam.limits (kind, scope, max_count) VALUES ($1, $2, $3) "
	"ON CONFLICT (kind, scope) DO UPDATE SET max_count = excluded.max_count",
	3
};
static const struct vs_pg_stmt reset_stmt = {
	"limit_reset", "DELETE FROM iam.limits WHERE kind = $1 AND scope = $2", 2
};

struct pg_limits {
	struct vs_limit_repo base;
	struct vs_pg *pg;
};

static struct vs_pg *repo_pg(struct vs_limit_repo *self)
{
	return ((struct pg_limits *)self)->pg;
}

static enum vs_err limit_list(struct vs_limit_repo *self, struct vs_arena *a,
			      struct vs_limit **items, size_t *n)
{
	PGresult *r;
	enum vs_err rc = vs_pg_exec(repo_pg(self), a, &list_stmt, NULL, &r);
	*items = NULL;
	*n = 0;
	if (rc != VS_OK)
		return rc;
	int rows = PQntuples(r);
	*items = vs_arena_array(a, rows ? (size_t)rows : 1, sizeof(**items));
	for (int i = 0; i < rows; i++) {
		struct vs_limit *l = &(*items)[i];
		l->kind = vs_pg_text(a, r, i, 0);
		l->scoped = !PQgetisnull(r, i, 1);
		if (l->scoped)
			vs_pg_uuid(r, i, 1, &l->scope);
		l->max = vs_pg_int64(r, i, 2);
		l->used = vs_pg_int64(r, i, 3);
	}
	*n = (size_t)rows;
	return VS_OK;
}

static enum vs_err limit_set(struct vs_limit_repo *self, const char *kind, const vs_uuid *scope,
			     int64_t max)
{
	struct pg_uuid_text t;
	char max_text[24];
	snprintf(max_text, sizeof(max_text), "%lld", (long long)max);
	const char *params[] = { kind, scope ? pg_uuid_param(&t, scope) : NULL, max_text };
	return vs_pg_exec(repo_pg(self), NULL, &set_stmt, params, NULL);
}

static enum vs_err limit_reset(struct vs_limit_repo *self, const char *kind, const vs_uuid *scope)
{
	struct pg_uuid_text t;
	const char *params[] = { kind, pg_uuid_param(&t, scope) };
	return vs_pg_change(repo_pg(self), &reset_stmt, params);
}

static const struct vs_limit_repo_ops ops = {
	.list = limit_list,
	.set = limit_set,
	.reset = limit_reset,
};

void vs_pg_limits_wire(const struct vs_pg_wiring *w, struct vs_app *app)
{
	struct pg_limits *repo = vs_arena_alloc(w->owned, sizeof(*repo));
	*repo = (struct pg_limits){ { &ops }, w->pg };
	app->limits = &repo->base;
}
