/* The tenant repository fake. Deleting a tenant takes its assignments, keys and roles along. */
#include "fakes/internal.h"

#include <stdlib.h>

static struct fake_db *tenants_db(struct vs_tenant_repo *r)
{
	if (!r || r->ops != &fake__tenant_ops)
		abort();
	return ((struct fake_tenants *)r)->db;
}

struct fake_tenant_row *fake_tenant(struct fake_db *db, const vs_uuid *id)
{
	for (size_t i = 0; i < db->store.ntenants; i++)
		if (vs_uuid_eq(&db->store.tenants[i].id, id))
			return &db->store.tenants[i];
	return NULL;
}

static void row_to_tenant(struct vs_arena *a, const struct fake_tenant_row *r,
			  struct vs_tenant *out)
{
	memset(out, 0, sizeof(*out));
	out->id = r->id;
	out->name = vs_arena_strdup(a, r->name);
	out->slug = vs_arena_strdup(a, r->slug);
	out->description = r->has_description ? vs_arena_strdup(a, r->description) : NULL;
	out->is_active = r->is_active;
	out->created_at = r->created_at;
	out->updated_at = r->updated_at;
}

static enum vs_err tenant_get(struct vs_tenant_repo *repo, struct vs_arena *a, const vs_uuid *id,
			      struct vs_tenant *out)
{
	struct fake_db *db = tenants_db(repo);
	if (fake__call(db, "tenants.get"))
		return VS_UNAVAILABLE;
	const struct fake_tenant_row *r = fake_tenant(db, id);
	if (!r)
		return VS_NOTFOUND;
	row_to_tenant(a, r, out);
	return VS_OK;
}

static enum vs_err tenant_get_by_slug(struct vs_tenant_repo *repo, struct vs_arena *a,
				      const char *slug, struct vs_tenant *out)
{
	struct fake_db *db = tenants_db(repo);
	if (fake__call(db, "tenants.get_by_slug"))
		return VS_UNAVAILABLE;
	for (size_t i = 0; i < db->store.ntenants; i++) {
		if (strcmp(db->store.tenants[i].slug, slug) == 0) {
			row_to_tenant(a, &db->store.tenants[i], out);
			return VS_OK;
		}
	}
	return VS_NOTFOUND;
}

static bool tenant_taken(struct fake_db *db, const char *name, const char *slug,
			 const struct fake_tenant_row *except)
{
	for (size_t i = 0; i < db->store.ntenants; i++) {
		const struct fake_tenant_row *r = &db->store.tenants[i];
		if (r != except &&
		    ((name && strcmp(r->name, name) == 0) || (slug && strcmp(r->slug, slug) == 0)))
			return true;
	}
	return false;
}

static enum vs_err tenant_insert(struct vs_tenant_repo *repo, struct vs_arena *a,
				 struct vs_tenant *t)
{
	(void)a;
	struct fake_db *db = tenants_db(repo);
	if (fake__call(db, "tenants.insert"))
		return VS_UNAVAILABLE;
	if (!t->name || !t->slug)
		return VS_INTERNAL;
	if (tenant_taken(db, t->name, t->slug, NULL))
		return fake__sql_error(db, VS_CONFLICT);
	if (db->store.ntenants == FAKE_MAX_TENANTS)
		return VS_INTERNAL;
	fake__wrote(db);
	struct fake_tenant_row *r = &db->store.tenants[db->store.ntenants++];
	memset(r, 0, sizeof(*r));
	vs_uuid_v4(&r->id);
	fake__copy_str(r->name, sizeof(r->name), t->name);
	fake__copy_str(r->slug, sizeof(r->slug), t->slug);
	r->has_description = t->description != NULL;
	fake__copy_str(r->description, sizeof(r->description), t->description);
	r->is_active = t->is_active;
	r->created_at = r->updated_at = fake_now();
	t->id = r->id;
	t->created_at = r->created_at;
	t->updated_at = r->updated_at;
	return VS_OK;
}

static enum vs_err tenant_update(struct vs_tenant_repo *repo, struct vs_arena *a, const vs_uuid *id,
				 const struct vs_tenant_changes *c, struct vs_tenant *out)
{
	struct fake_db *db = tenants_db(repo);
	if (fake__call(db, "tenants.update"))
		return VS_UNAVAILABLE;
	struct fake_tenant_row *r = fake_tenant(db, id);
	if (!r)
		return VS_NOTFOUND;
	if (c->name.set && !c->name.null && tenant_taken(db, c->name.p, NULL, r))
		return fake__sql_error(db, VS_CONFLICT);
	fake__wrote(db);
	if (c->name.set && !c->name.null)
		fake__copy_str(r->name, sizeof(r->name), c->name.p);
	if (c->description.set) {
		r->has_description = !c->description.null;
		fake__copy_str(r->description, sizeof(r->description),
			 c->description.null ? NULL : c->description.p);
	}
	if (c->is_active.set)
		r->is_active = c->is_active.v;
	r->updated_at = fake_now();
	row_to_tenant(a, r, out);
	return VS_OK;
}

static enum vs_err tenant_remove(struct vs_tenant_repo *repo, const vs_uuid *id)
{
	struct fake_db *db = tenants_db(repo);
	if (fake__call(db, "tenants.remove"))
		return VS_UNAVAILABLE;
	if (!fake_tenant(db, id))
		return VS_NOTFOUND;
	fake__wrote(db);
	FAKE_FILTER(db->store.tenants, db->store.ntenants, !vs_uuid_eq(&row->id, id));
	/* ON DELETE CASCADE: its assignments, its keys, its roles and their permissions. */
	FAKE_FILTER(db->store.grants, db->store.ngrants, !vs_uuid_eq(&row->tenant_id, id));
	FAKE_FILTER(db->store.api_keys, db->store.napi_keys,
		    row->global || !vs_uuid_eq(&row->tenant_id, id));
	FAKE_FILTER(db->store.role_perms, db->store.nrole_perms,
		    !(fake_role(db, &row->role_id) && !fake_role(db, &row->role_id)->global &&
		      vs_uuid_eq(&fake_role(db, &row->role_id)->tenant_id, id)));
	FAKE_FILTER(db->store.roles, db->store.nroles,
		    row->global || !vs_uuid_eq(&row->tenant_id, id));
	return VS_OK;
}

static enum vs_err tenant_list(struct vs_tenant_repo *repo, struct vs_arena *a,
			       const struct vs_tenant_query *q, struct vs_tenant_page *out)
{
	struct fake_db *db = tenants_db(repo);
	if (fake__call(db, "tenants.list"))
		return VS_UNAVAILABLE;
	struct fake_pager pager;
	fake_pager_init(&pager, &q->at, &out->end, &out->n);
	out->items = vs_arena_array(a, FAKE_MAX_TENANTS, sizeof(*out->items));
	for (size_t i = 0; i < db->store.ntenants; i++) {
		const struct fake_tenant_row *r = &db->store.tenants[i];
		if (q->member_id && !fake_is_member(db, &r->id, q->member_id))
			continue;
		if (fake_pager_take(&pager, &r->id, r->created_at))
			row_to_tenant(a, r, &out->items[out->n++]);
	}
	fake_pager_finish(&pager);
	return VS_OK;
}

const struct vs_tenant_repo_ops fake__tenant_ops = {
    tenant_get, tenant_get_by_slug, tenant_insert, tenant_update, tenant_remove, tenant_list,
};

