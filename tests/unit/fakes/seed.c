/* Seeding the fake store: straight writes, no call counted, no transaction needed. */
#include "fakes/internal.h"

#include <stdlib.h>

vs_uuid fake_seed_user(struct fake_db *db, const char *email, const char *password_hash,
		       bool active, bool superuser)
{
	if (db->store.nusers == FAKE_MAX_USERS)
		abort();
	struct fake_user_row *r = &db->store.users[db->store.nusers++];
	memset(r, 0, sizeof(*r));
	vs_uuid_v4(&r->id);
	fake__copy_str(r->email, sizeof(r->email), email);
	fake__copy_str(r->password_hash, sizeof(r->password_hash), password_hash);
	r->is_active = active;
	r->is_superuser = superuser;
	r->created_at = r->updated_at = fake_now();
	return r->id;
}

vs_uuid fake_seed_tenant(struct fake_db *db, const char *name, const char *slug)
{
	if (db->store.ntenants == FAKE_MAX_TENANTS)
		abort();
	struct fake_tenant_row *r = &db->store.tenants[db->store.ntenants++];
	memset(r, 0, sizeof(*r));
	vs_uuid_v4(&r->id);
	fake__copy_str(r->name, sizeof(r->name), name);
	fake__copy_str(r->slug, sizeof(r->slug), slug);
	r->is_active = true;
	r->created_at = r->updated_at = fake_now();
	return r->id;
}

vs_uuid fake_seed_permission(struct fake_db *db, const char *code)
{
	if (db->store.npermissions == FAKE_MAX_PERMISSIONS || fake_permission_by_code(db, code))
		abort();
	struct fake_permission_row *p = &db->store.permissions[db->store.npermissions++];
	memset(p, 0, sizeof(*p));
	vs_uuid_v4(&p->id);
	fake__copy_str(p->code, sizeof(p->code), code);
	fake__copy_str(p->name, sizeof(p->name), code);
	const char *colon = strchr(code, ':');
	size_t len = colon ? (size_t)(colon - code) : strlen(code);
	if (len >= sizeof(p->module))
		abort();
	memcpy(p->module, code, len);
	return p->id;
}

vs_uuid fake_seed_role_with(struct fake_db *db, const char *name, const vs_uuid *tenant,
			    bool system, const char *const *codes)
{
	if (db->store.nroles == FAKE_MAX_ROLES)
		abort();
	struct fake_role_row *r = &db->store.roles[db->store.nroles++];
	memset(r, 0, sizeof(*r));
	vs_uuid_v4(&r->id);
	fake__copy_str(r->name, sizeof(r->name), name);
	r->global = tenant == NULL;
	if (tenant)
		r->tenant_id = *tenant;
	r->is_system_role = system;
	r->created_at = r->updated_at = fake_now();
	for (size_t i = 0; codes && codes[i]; i++) {
		const struct fake_permission_row *p = fake_permission_by_code(db, codes[i]);
		if (!p || db->store.nrole_perms == FAKE_MAX_ROLE_PERMS)
			abort(); /* seed the catalogue first */
		db->store.role_perms[db->store.nrole_perms++] =
		    (struct fake_role_perm_row){.role_id = r->id, .permission_id = p->id};
	}
	return r->id;
}

vs_uuid fake_seed_role(struct fake_db *db, const char *name, const vs_uuid *tenant)
{
	return fake_seed_role_with(db, name, tenant, false, NULL);
}

void fake_seed_grant(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user,
		     const vs_uuid *role)
{
	if (db->store.ngrants == FAKE_MAX_GRANTS)
		abort();
	db->store.grants[db->store.ngrants++] =
	    (struct fake_grant_row){.tenant_id = *tenant, .user_id = *user, .role_id = *role};
}

static void drop_user_from(struct fake_store *s, const vs_uuid *id)
{
	FAKE_FILTER(s->users, s->nusers, !vs_uuid_eq(&row->id, id));
	FAKE_FILTER(s->grants, s->ngrants, !vs_uuid_eq(&row->user_id, id));
	FAKE_FILTER(s->sessions, s->nsessions, !vs_uuid_eq(&row->t.user_id, id));
	FAKE_FILTER(s->api_keys, s->napi_keys, !vs_uuid_eq(&row->user_id, id));
}

void fake_drop_user(struct fake_db *db, const vs_uuid *id)
{
	drop_user_from(&db->store, id);
	if (db->depth > 0)
		drop_user_from(&db->saved, id);
}

