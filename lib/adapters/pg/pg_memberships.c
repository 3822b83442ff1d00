/* iam.user_tenant_roles: which roles users hold in which tenants. */
#include "adapters/pg/pg_internal.h"

#include <string.h>

static const struct vs_pg_stmt is_member_stmt = {
	"membership_exists",
	"SELECT EXISTS (SELECT 1 FROM iam.user_tenant_roles WHERE tenant_id = $1 AND user_id = $2)",
	2
};
/* Only a global role or one of the tenant's own can be granted in it. The count of
 * matching roles tells "no such role" from "already granted". */
static const struct vs_pg_stmt grant_stmt = {
	"membership_grant",
	"WITH role AS (SELECT id, scope_tenant FROM iam.roles WHERE id = $3 AND "
	"(tenant_id IS NULL OR tenant_id = $1)), "
	"ins AS (INSERT INTO iam.user_tenant_roles (tenant_id, user_id, role_id, role_scope) "
	"SELECT $1, $2, id, scope_tenant FROM role ON CONFLICT DO NOTHING) "
	"SELECT count(*) FROM role",
	3
};
static const struct vs_pg_stmt leave_stmt = {
	"membership_leave", "DELETE FROM iam.user_tenant_roles WHERE tenant_id = $1 AND user_id = $2",
	2
};
static const struct vs_pg_stmt revoke_stmt = {
	"membership_revoke",
	"DELETE FROM iam.user_tenant_roles WHERE tenant_id = $1 AND user_id = $2 AND role_id = $3",
	3
};
static const struct vs_pg_stmt system_role_stmt = {
	"role_system_by_name",
	"SELECT id FROM iam.roles WHERE tenant_id IS NULL AND is_system_role AND name = $1", 1
};

static struct vs_pg *repo_pg(struct vs_membership_repo *self)
{
	return ((struct pg_memberships *)self)->pg;
}

static enum vs_err membership_is_member(struct vs_membership_repo *self, const vs_uuid *tenant,
					const vs_uuid *user, bool *out)
{
	struct pg_uuid_text t1, t2;
	const char *params[] = { pg_uuid_param(&t1, tenant), pg_uuid_param(&t2, user) };
	char v[8];
	enum vs_err rc = vs_pg_scalar(repo_pg(self), &is_member_stmt, params, v, sizeof(v));
	*out = rc == VS_OK && v[0] == 't';
	return rc;
}

static enum vs_err membership_grant(struct vs_membership_repo *self, const vs_uuid *tenant,
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

static enum vs_err membership_leave(struct vs_membership_repo *self, const vs_uuid *tenant,
				    const vs_uuid *user)
{
	vs_pg_mark_auth_change(repo_pg(self));
	struct pg_uuid_text t1, t2;
	const char *params[] = { pg_uuid_param(&t1, tenant), pg_uuid_param(&t2, user) };
	long rows;
	enum vs_err rc = vs_pg_exec_affected(repo_pg(self), &leave_stmt, params, &rows);
	return rc == VS_OK && rows == 0 ? VS_NOTFOUND : rc;
}

static enum vs_err membership_revoke(struct vs_membership_repo *self, const vs_uuid *tenant,
				     const vs_uuid *user, const vs_uuid *role)
{
	vs_pg_mark_auth_change(repo_pg(self));
	struct pg_uuid_text t1, t2, t3;
	const char *params[] = { pg_uuid_param(&t1, tenant), pg_uuid_param(&t2, user),
				 pg_uuid_param(&t3, role) };
	long rows;
	enum vs_err rc = vs_pg_exec_affected(repo_pg(self), &revoke_stmt, params, &rows);
	return rc == VS_OK && rows == 0 ? VS_NOTFOUND : rc;
}

static enum vs_err membership_system_role(struct vs_membership_repo *self, const char *name,
					  vs_uuid *out)
{
	const char *params[] = { name };
	char v[VS_UUID_STRLEN + 1];
	enum vs_err rc = vs_pg_scalar(repo_pg(self), &system_role_stmt, params, v, sizeof(v));
	if (rc == VS_OK && !vs_uuid_parse(v, strlen(v), out))
		rc = VS_INTERNAL;
	return rc;
}

const struct vs_membership_repo_ops vs__pg_membership_ops = {
	.is_member = membership_is_member,
	.grant = membership_grant,
	.leave = membership_leave,
	.revoke = membership_revoke,
	.system_role = membership_system_role,
};
