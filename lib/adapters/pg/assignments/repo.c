/* iam.assignments: which roles users hold in which tenants. */
#include "adapters/pg/util.h"
#include "adapters/pg/wiring.h"
#include "assignments/port.h"

#include <string.h>

static const struct vs_pg_stmt is_member_stmt = {
	"assignment_exists",
	"SELECT EXISTS (SELECT 1 FROM iam.assignments WHERE tenant_id = $1 AND user_id = $2)",
	2
};
/* Only a global role or one of the tenant's own can be granted in it. The count of
 * matching roles tells "no such role" from "already granted". */
static const struct vs_pg_stmt grant_stmt = {
	"assignment_grant",
	"WITH role AS (SELECT id, scope_tenant FROM iam.roles WHERE id = $3 AND "
	"(tenant_id IS NULL OR tenant_id = $1)), "
	"ins AS (INSERT INTO iam.assignments (tenant_id, user_id, role_id, role_scope) "
	"SELECT $1, $2, id, scope_tenant FROM role ON CONFLICT DO NOTHING) "
	"SELECT count(*) FROM role",
	3
};
static const struct vs_pg_stmt leave_stmt = {
	"assignment_leave", "DELETE FROM iam.assignments WHERE tenant_id = $1 AND user_id = $2",
	2
};
static const struct vs_pg_stmt revoke_stmt = {
	"assignment_revoke",
	"DELETE FROM iam.assignments WHERE tenant_id = $1 AND user_id = $2 AND role_id = $3",
	3
};
static const struct vs_pg_stmt holders_stmt = {
	"role_holders",
	"SELECT user_id FROM iam.assignments WHERE role_id = $1 AND tenant_id = $2 "
	"ORDER BY created_at, user_id",
	2
};
static const struct vs_pg_stmt clear_holders_stmt = {
	"role_clear_holders",
	"DELETE FROM iam.assignments WHERE role_id = $1 AND tenant_id = $2", 2
};
static const struct vs_pg_stmt add_holders_stmt = {
	"role_add_holders",
	"INSERT INTO iam.assignments (tenant_id, user_id, role_id, role_scope) "
	"SELECT $2, u.id, r.id, r.scope_tenant FROM iam.roles r, iam.users u "
	"WHERE r.id = $1 AND u.id = ANY ($3::uuid[]) ON CONFLICT DO NOTHING",
	3
};

struct pg_assignments {
	struct vs_assignment_repo base;
	struct vs_pg *pg;
};

static struct vs_pg *repo_pg(struct vs_assignment_repo *self)
{
	return ((struct pg_assignments *)self)->pg;
}

static enum vs_err assignment_is_member(struct vs_assignment_repo *self, const vs_uuid *tenant,
					const vs_uuid *user, bool *out)
{
	struct pg_uuid_text t1, t2;
	const char *params[] = { pg_uuid_param(&t1, tenant), pg_uuid_param(&t2, user) };
	char v[8];
	enum vs_err rc = vs_pg_scalar(repo_pg(self), &is_member_stmt, params, v, sizeof(v));
	*out = rc == VS_OK && v[0] == 't';
	return rc;
}

static enum vs_err assignment_grant(struct vs_assignment_repo *self, const vs_uuid *tenant,
				    const vs_uuid *user, const vs_uuid *role)
{
	vs_pg_mark_auth_change(repo_pg(self));
	struct pg_uuid_text t1, t2, t3;
	const char *params[] = { pg_uuid_param(&t1, tenant), pg_uuid_param(&t2, user),
				 pg_uuid_param(&t3, role) };
	char v[24];
	enum vs_err rc = vs_pg_scalar(repo_pg(self), &grant_stmt, params, v, sizeof(v));
	return rc == VS_OK && strcmp(v, "0") == 0 ? VS_NOTFOUND : rc;
}

static enum vs_err assignment_leave(struct vs_assignment_repo *self, const vs_uuid *tenant,
				    const vs_uuid *user)
{
	vs_pg_mark_auth_change(repo_pg(self));
	struct pg_uuid_text t1, t2;
	const char *params[] = { pg_uuid_param(&t1, tenant), pg_uuid_param(&t2, user) };
	return vs_pg_change(repo_pg(self), &leave_stmt, params);
}

static enum vs_err assignment_revoke(struct vs_assignment_repo *self, const vs_uuid *tenant,
				     const vs_uuid *user, const vs_uuid *role)
{
	vs_pg_mark_auth_change(repo_pg(self));
	struct pg_uuid_text t1, t2, t3;
	const char *params[] = { pg_uuid_param(&t1, tenant), pg_uuid_param(&t2, user),
				 pg_uuid_param(&t3, role) };
	return vs_pg_change(repo_pg(self), &revoke_stmt, params);
}

static enum vs_err assignment_holders(struct vs_assignment_repo *self, struct vs_arena *a,
				      const vs_uuid *role, const vs_uuid *tenant, vs_uuid **ids,
				      size_t *n)
{
	struct pg_uuid_text t1, t2;
	const char *params[] = { pg_uuid_param(&t1, role), pg_uuid_param(&t2, tenant) };
	PGresult *r;
	enum vs_err rc = vs_pg_exec(repo_pg(self), a, &holders_stmt, params, &r);
	if (rc != VS_OK)
		return rc;
	*n = (size_t)PQntuples(r);
	*ids = vs_arena_array(a, *n ? *n : 1, sizeof(**ids));
	for (size_t i = 0; i < *n; i++)
		vs_pg_uuid(r, (int)i, 0, &(*ids)[i]);
	return VS_OK;
}

static enum vs_err assignment_set_holders(struct vs_assignment_repo *self, const vs_uuid *role,
					  const vs_uuid *tenant, const vs_uuid *users, size_t n)
{
	vs_pg_mark_auth_change(repo_pg(self));
	struct vs_arena *a = vs_arena_new();
	struct pg_uuid_text t1, t2;
	const char *params[] = { pg_uuid_param(&t1, role), pg_uuid_param(&t2, tenant),
				 vs_pg_uuid_array_param(a, users, n) };
	long rows;
	enum vs_err rc = vs_pg_exec_affected(repo_pg(self), &clear_holders_stmt, params, &rows);
	if (rc == VS_OK && n > 0) {
		rc = vs_pg_exec_affected(repo_pg(self), &add_holders_stmt, params, &rows);
		/* Duplicates in the request collapse; fewer rows means an unknown user. */
		size_t distinct = n;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (vs_uuid_eq(&users[i], &users[j])) {
					distinct--;
					break;
				}
		if (rc == VS_OK && (size_t)rows != distinct)
			rc = VS_NOTFOUND;
	}
	vs_arena_free(a);
	return rc;
}

static const struct vs_assignment_repo_ops ops = {
	.is_member = assignment_is_member,
	.grant = assignment_grant,
	.revoke = assignment_revoke,
	.leave = assignment_leave,
	.holders = assignment_holders,
	.set_holders = assignment_set_holders,
};

void vs_pg_assignments_wire(const struct vs_pg_wiring *w, struct vs_app *app)
{
	struct pg_assignments *repo = vs_arena_alloc(w->owned, sizeof(*repo));
	*repo = (struct pg_assignments){ { &ops }, w->pg };
	app->assignments = &repo->base;
}
