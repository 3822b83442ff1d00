/* The assignment repository fake: roles held by users in tenants. */
#include "fakes/internal.h"

#include <stdlib.h>

static struct fake_db *assignments_db(struct vs_assignment_repo *r)
{
	if (!r || r->ops != &fake__assignment_ops)
		abort();
	return ((struct fake_assignments *)r)->db;
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

static enum vs_err assignment_is_member(struct vs_assignment_repo *repo, const vs_uuid *tenant,
					const vs_uuid *user, bool *out)
{
	struct fake_db *db = assignments_db(repo);
	if (fake__call(db, "assignments.is_member"))
		return VS_UNAVAILABLE;
	*out = fake_is_member(db, tenant, user);
	return VS_OK;
}

static enum vs_err assignment_grant(struct vs_assignment_repo *repo, const vs_uuid *tenant,
				    const vs_uuid *user, const vs_uuid *role)
{
	struct fake_db *db = assignments_db(repo);
	if (fake__call(db, "assignments.grant"))
		return VS_UNAVAILABLE;
	const struct fake_role_row *r = fake_role(db, role);
	/* As adapters/pg/assignments/repo.c: a role that is neither global nor the tenant's own matches no
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

static enum vs_err assignment_leave(struct vs_assignment_repo *repo, const vs_uuid *tenant,
				    const vs_uuid *user)
{
	struct fake_db *db = assignments_db(repo);
	if (fake__call(db, "assignments.leave"))
		return VS_UNAVAILABLE;
	if (!fake_is_member(db, tenant, user))
		return VS_NOTFOUND;
	fake__wrote(db);
	FAKE_FILTER(db->store.grants, db->store.ngrants,
		    !(vs_uuid_eq(&row->tenant_id, tenant) && vs_uuid_eq(&row->user_id, user)));
	return VS_OK;
}

static enum vs_err assignment_revoke(struct vs_assignment_repo *repo, const vs_uuid *tenant,
				     const vs_uuid *user, const vs_uuid *role)
{
	struct fake_db *db = assignments_db(repo);
	if (fake__call(db, "assignments.revoke"))
		return VS_UNAVAILABLE;
	if (!fake_has_grant(db, tenant, user, role))
		return VS_NOTFOUND;
	fake__wrote(db);
	FAKE_FILTER(db->store.grants, db->store.ngrants,
		    !(vs_uuid_eq(&row->tenant_id, tenant) && vs_uuid_eq(&row->user_id, user) &&
		      vs_uuid_eq(&row->role_id, role)));
	return VS_OK;
}


static enum vs_err assignment_holders(struct vs_assignment_repo *repo, struct vs_arena *a,
				      const vs_uuid *role, const vs_uuid *tenant, vs_uuid **ids,
				      size_t *n)
{
	struct fake_db *db = assignments_db(repo);
	if (fake__call(db, "assignments.holders"))
		return VS_UNAVAILABLE;
	*n = 0;
	*ids = vs_arena_array(a, FAKE_MAX_GRANTS, sizeof(**ids));
	for (size_t i = 0; i < db->store.ngrants; i++) {
		const struct fake_grant_row *g = &db->store.grants[i];
		if (vs_uuid_eq(&g->role_id, role) && vs_uuid_eq(&g->tenant_id, tenant))
			(*ids)[(*n)++] = g->user_id;
	}
	return VS_OK;
}

/* pg assignment_set_holders: clears the holders in tenant, inserts the users that exist, and
 * answers NOTFOUND when fewer rows than distinct users went in (the clear stays done: the
 * use case must roll back). */
static enum vs_err assignment_set_holders(struct vs_assignment_repo *repo, const vs_uuid *role,
					  const vs_uuid *tenant, const vs_uuid *users, size_t n)
{
	struct fake_db *db = assignments_db(repo);
	if (fake__call(db, "assignments.set_holders"))
		return VS_UNAVAILABLE;
	fake__wrote(db);
	FAKE_FILTER(db->store.grants, db->store.ngrants,
		    !(vs_uuid_eq(&row->role_id, role) && vs_uuid_eq(&row->tenant_id, tenant)));
	if (n == 0)
		return VS_OK;
	const struct fake_role_row *r = fake_role(db, role);
	if (!r)
		return VS_NOTFOUND; /* no row selected */
	if (!r->global && !vs_uuid_eq(&r->tenant_id, tenant))
		return fake__sql_error(db, VS_INVALID); /* assignments_scope_check */
	if (!fake_tenant(db, tenant))
		return fake__sql_error(db, VS_NOTFOUND); /* foreign key */
	size_t distinct = 0, inserted = 0;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = vs_uuid_eq(&users[i], &users[j]);
		if (dup)
			continue;
		distinct++;
		if (!fake_user(db, &users[i]))
			continue;
		if (db->store.ngrants == FAKE_MAX_GRANTS)
			return VS_INTERNAL;
		db->store.grants[db->store.ngrants++] = (struct fake_grant_row){
		    .tenant_id = *tenant, .user_id = users[i], .role_id = *role};
		inserted++;
	}
	return inserted == distinct ? VS_OK : VS_NOTFOUND;
}

const struct vs_assignment_repo_ops fake__assignment_ops = {
    .is_member = assignment_is_member,
    .grant = assignment_grant,
    .revoke = assignment_revoke,
    .leave = assignment_leave,
    .holders = assignment_holders,
    .set_holders = assignment_set_holders,
};
