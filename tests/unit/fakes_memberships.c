/* The membership repository fake: roles held by users in tenants. */
#include "fakes_internal.h"

#include <stdlib.h>

static struct fake_db *memberships_db(struct vs_membership_repo *r)
{
	if (!r || r->ops != &fake__membership_ops)
		abort();
	return ((struct fake_memberships *)r)->db;
}

size_t fake_grants_of(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user)
{
	size_t n = 0;
	for (size_t i = 0; i < db->store.ngrants; i++)
		n += vs_uuid_eq(&db->store.grants[i].tenant_id, tenant) &&
		     vs_uuid_eq(&db->store.grants[i].user_id, user);
	return n;
}

bool fake_is_member(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user)
{
	return fake_grants_of(db, tenant, user) > 0;
}

size_t fake_holders_of(struct fake_db *db, const vs_uuid *role, const vs_uuid *tenant)
{
	size_t n = 0;
	for (size_t i = 0; i < db->store.ngrants; i++)
		n += vs_uuid_eq(&db->store.grants[i].role_id, role) &&
		     vs_uuid_eq(&db->store.grants[i].tenant_id, tenant);
	return n;
}

bool fake_has_grant(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user,
		    const vs_uuid *role)
{
	for (size_t i = 0; i < db->store.ngrants; i++) {
		const struct fake_grant_row *g = &db->store.grants[i];
		if (vs_uuid_eq(&g->tenant_id, tenant) && vs_uuid_eq(&g->user_id, user) &&
		    vs_uuid_eq(&g->role_id, role))
			return true;
	}
	return false;
}

static enum vs_err membership_is_member(struct vs_membership_repo *repo, const vs_uuid *tenant,
					const vs_uuid *user, bool *out)
{
	struct fake_db *db = memberships_db(repo);
	if (fake__call(db, "memberships.is_member"))
		return VS_UNAVAILABLE;
	*out = fake_is_member(db, tenant, user);
	return VS_OK;
}

static enum vs_err membership_grant(struct vs_membership_repo *repo, const vs_uuid *tenant,
				    const vs_uuid *user, const vs_uuid *role)
{
	struct fake_db *db = memberships_db(repo);
	if (fake__call(db, "memberships.grant"))
		return VS_UNAVAILABLE;
	const struct fake_role_row *r = fake_role(db, role);
	/* As pg_memberships.c: a role that is neither global nor the tenant's own matches no
	 * row (NOTFOUND, no error); an unknown tenant or user breaks a foreign key. */
	if (!r || (!r->global && !vs_uuid_eq(&r->tenant_id, tenant)))
		return VS_NOTFOUND;
	if (!fake_tenant(db, tenant) || !fake_user(db, user))
		return fake__sql_error(db, VS_NOTFOUND);
	if (fake_has_grant(db, tenant, user, role))
		return VS_OK;
	if (db->store.ngrants == FAKE_MAX_GRANTS)
		return VS_INTERNAL;
	fake__wrote(db);
	db->store.grants[db->store.ngrants++] =
	    (struct fake_grant_row){.tenant_id = *tenant, .user_id = *user, .role_id = *role};
	return VS_OK;
}

static enum vs_err membership_leave(struct vs_membership_repo *repo, const vs_uuid *tenant,
				    const vs_uuid *user)
{
	struct fake_db *db = memberships_db(repo);
	if (fake__call(db, "memberships.leave"))
		return VS_UNAVAILABLE;
	if (!fake_is_member(db, tenant, user))
		return VS_NOTFOUND;
	fake__wrote(db);
	FAKE_FILTER(db->store.grants, db->store.ngrants,
		    !(vs_uuid_eq(&row->tenant_id, tenant) && vs_uuid_eq(&row->user_id, user)));
	return VS_OK;
}

static enum vs_err membership_revoke(struct vs_membership_repo *repo, const vs_uuid *tenant,
				     const vs_uuid *user, const vs_uuid *role)
{
	struct fake_db *db = memberships_db(repo);
	if (fake__call(db, "memberships.revoke"))
		return VS_UNAVAILABLE;
	if (!fake_has_grant(db, tenant, user, role))
		return VS_NOTFOUND;
	fake__wrote(db);
	FAKE_FILTER(db->store.grants, db->store.ngrants,
		    !(vs_uuid_eq(&row->tenant_id, tenant) && vs_uuid_eq(&row->user_id, user) &&
		      vs_uuid_eq(&row->role_id, role)));
	return VS_OK;
}

/* Seeded global system roles only, as pg: tenant_id IS NULL AND is_system_role. */
static enum vs_err membership_system_role(struct vs_membership_repo *repo, const char *name,
					  vs_uuid *out)
{
	struct fake_db *db = memberships_db(repo);
	if (fake__call(db, "memberships.system_role"))
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

const struct vs_membership_repo_ops fake__membership_ops = {
    membership_is_member,
    membership_grant,
    membership_leave,
    membership_revoke,
    membership_system_role,
};

