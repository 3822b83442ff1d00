/* The key tests' world: see key_world.h. */
#include "api_keys/key_world.h"

#include "auth/usecases.h"
#include "core/crypto.h"

#include <stdlib.h>
#include <string.h>

static const char *const key_codes[] = {"api_key:read", "api_key:create", "api_key:update",
					"api_key:delete", NULL};

/* ---- the tenants port with time zones ---- */

static struct kw_zoned_tenants *zoned(struct vs_tenant_repo *r)
{
	return (struct kw_zoned_tenants *)r;
}

static void set_zone(struct kw_zoned_tenants *z, struct vs_tenant *t)
{
	t->timezone = vs_uuid_eq(&t->id, &z->acme) ? KW_ACME_ZONE : "UTC";
}

static enum vs_err zt_get(struct vs_tenant_repo *r, struct vs_arena *a, const vs_uuid *id,
			  struct vs_tenant *out)
{
	struct vs_tenant_repo *inner = zoned(r)->inner;
	enum vs_err rc = inner->ops->get(inner, a, id, out);
	if (rc == VS_OK)
		set_zone(zoned(r), out);
	return rc;
}

static enum vs_err zt_get_by_slug(struct vs_tenant_repo *r, struct vs_arena *a, const char *slug,
				  struct vs_tenant *out)
{
	struct vs_tenant_repo *inner = zoned(r)->inner;
	enum vs_err rc = inner->ops->get_by_slug(inner, a, slug, out);
	if (rc == VS_OK)
		set_zone(zoned(r), out);
	return rc;
}

static enum vs_err zt_insert(struct vs_tenant_repo *r, struct vs_arena *a, struct vs_tenant *t)
{
	struct vs_tenant_repo *inner = zoned(r)->inner;
	return inner->ops->insert(inner, a, t);
}

static enum vs_err zt_update(struct vs_tenant_repo *r, struct vs_arena *a, const vs_uuid *id,
			     const struct vs_tenant_changes *c, struct vs_tenant *out)
{
	struct vs_tenant_repo *inner = zoned(r)->inner;
	enum vs_err rc = inner->ops->update(inner, a, id, c, out);
	if (rc == VS_OK)
		set_zone(zoned(r), out);
	return rc;
}

static enum vs_err zt_remove(struct vs_tenant_repo *r, const vs_uuid *id)
{
	struct vs_tenant_repo *inner = zoned(r)->inner;
	return inner->ops->remove(inner, id);
}

static enum vs_err zt_list(struct vs_tenant_repo *r, struct vs_arena *a,
			   const struct vs_tenant_query *q, struct vs_tenant_page *out)
{
	struct vs_tenant_repo *inner = zoned(r)->inner;
	enum vs_err rc = inner->ops->list(inner, a, q, out);
	for (size_t i = 0; rc == VS_OK && i < out->n; i++)
		set_zone(zoned(r), &out->items[i]);
	return rc;
}

static const struct vs_tenant_repo_ops zoned_ops = {
    zt_get, zt_get_by_slug, zt_insert, zt_update, zt_remove, zt_list,
};

/* ---- the world ---- */

/* Adds codes to a seeded role, as a migration that extends a system role does. */
static void role_add_codes(struct fake_db *db, const vs_uuid *role, const char *const *codes)
{
	for (size_t i = 0; codes[i]; i++) {
		const struct fake_permission_row *p = fake_permission_by_code(db, codes[i]);
		if (!p || db->store.nrole_perms == FAKE_MAX_ROLE_PERMS)
			abort();
		db->store.role_perms[db->store.nrole_perms++] =
		    (struct fake_role_perm_row){.role_id = *role, .permission_id = p->id};
	}
}

void key_world_init(struct key_world *k)
{
	struct world *w = &k->w;
	world_init(w);
	for (size_t i = 0; key_codes[i]; i++)
		fake_seed_permission(w->db, key_codes[i]);
	role_add_codes(w->db, &w->tenant_admin, key_codes);
	role_add_codes(w->db, &w->member, key_codes);
	k->tenants = (struct kw_zoned_tenants){{&zoned_ops}, w->app.tenants, w->acme};
	w->app.tenants = &k->tenants.base;
}

void key_world_free(struct key_world *k)
{
	world_free(&k->w);
}

struct vs_opt_str kw_str(const char *s)
{
	return (struct vs_opt_str){.set = true, .p = s, .len = strlen(s)};
}

const struct vs_principal *kw_enter_key(struct world *w, const char *key, const vs_uuid *tenant)
{
	struct vs_error e = {0};
	vs_uuid buf;
	CU_ASSERT_EQUAL_FATAL(
	    vs_auth_open_key(&w->app, w->a, key, strlen(key), &tenant, &buf, &w->p, &e), VS_OK);
	CU_ASSERT_EQUAL_FATAL(w->db->depth, 1);
	fake_reset_journal(w->db);
	w->db->begins = 1; /* the session's, so the journal balances at world_leave */
	return &w->p;
}

const char *kw_forge_key(struct vs_arena *a, const char *public_id)
{
	static const char base62[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint8_t bytes[VS_API_KEY_PUBLIC_LEN + VS_API_KEY_SECRET_LEN];
	/* vs_api_key_compose maps a byte b < 248 to base62[b % 62]: the public id's
	 * characters by their index, then a random secret. */
	for (size_t i = 0; i < VS_API_KEY_PUBLIC_LEN; i++) {
		const char *at = strchr(base62, public_id[i]);
		if (!at || !public_id[i])
			abort();
		bytes[i] = (uint8_t)(at - base62);
	}
	vs_random_bytes(bytes + VS_API_KEY_PUBLIC_LEN, VS_API_KEY_SECRET_LEN);
	for (size_t i = VS_API_KEY_PUBLIC_LEN; i < sizeof(bytes); i++)
		bytes[i] %= 62;
	char *text = vs_arena_alloc(a, VS_API_KEY_LEN + 1);
	if (!vs_api_key_compose(bytes, sizeof(bytes), text))
		abort();
	return text;
}

bool kw_row_contains(const struct fake_api_key_row *row, const char *s, size_t len)
{
	return memmem(row, sizeof(*row), s, len) != NULL;
}
