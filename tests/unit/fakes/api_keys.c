/* The API-key repository fake. Reads see the caller's own keys, every key in platform
 * scope (a superuser, or no principal: the schema owner's tools), as the row-level
 * security of sql/003 does; find looks a key up by its public id whoever asks, with its
 * owner's state, as the check's lookup does. */
#include "fakes/internal.h"

#include "core/crypto.h"

#include <stdlib.h>

static struct fake_api_keys *keys_of(struct vs_api_key_repo *r)
{
	if (!r || r->ops != &fake__api_key_ops)
		abort();
	return (struct fake_api_keys *)r;
}

struct fake_api_key_row *fake_api_key(struct fake_db *db, const vs_uuid *id)
{
	for (size_t i = 0; i < db->store.napi_keys; i++)
		if (vs_uuid_eq(&db->store.api_keys[i].id, id))
			return &db->store.api_keys[i];
	return NULL;
}

/* The key scope's policy: the transaction's principal owns the row, or is platform. */
static bool visible(struct fake_db *db, const struct fake_api_key_row *row)
{
	if (!db->scope.has_user)
		return true;
	const struct fake_user_row *u = fake_user(db, &db->scope.user);
	return vs_uuid_eq(&row->user_id, &db->scope.user) || (u && u->is_superuser);
}

static struct fake_api_key_row *visible_key(struct fake_db *db, const vs_uuid *id)
{
	struct fake_api_key_row *row = fake_api_key(db, id);
	return row && visible(db, row) ? row : NULL;
}

static void row_to_key(struct vs_arena *a, const struct fake_api_key_row *r, struct vs_api_key *k)
{
	memset(k, 0, sizeof(*k));
	k->id = r->id;
	k->user_id = r->user_id;
	k->global = r->global;
	k->tenant_id = r->tenant_id;
	k->name = vs_arena_strdup(a, r->name);
	k->description = r->has_description ? vs_arena_strdup(a, r->description) : NULL;
	memcpy(k->public_id, r->public_id, sizeof(k->public_id));
	memcpy(k->hash, r->hash, sizeof(k->hash));
	k->scopes = vs_arena_array(a, r->nscopes + 1, sizeof(*k->scopes));
	for (size_t i = 0; i < r->nscopes; i++)
		k->scopes[k->nscopes++] = vs_arena_strdup(a, r->scopes[i]);
	k->is_active = r->is_active;
	k->expires = r->expires;
	k->expires_at = r->expires_at;
	k->last_used_at = r->last_used_at;
	k->created_at = r->created_at;
	k->updated_at = r->updated_at;
}

static void set_scopes(struct fake_api_key_row *row, const char *const *scopes, size_t n)
{
	if (n > FAKE_MAX_KEY_SCOPES)
		abort(); /* more than a test seeds */
	row->nscopes = 0;
	for (size_t i = 0; i < n; i++)
		fake__copy_str(row->scopes[row->nscopes++], sizeof(row->scopes[0]), scopes[i]);
}

static enum vs_err store_key(struct fake_db *db, const struct vs_api_key *k,
			     struct fake_api_key_row **out)
{
	if (!fake_user(db, &k->user_id) || (!k->global && !fake_tenant(db, &k->tenant_id)))
		return fake__sql_error(db, VS_NOTFOUND); /* foreign key */
	for (size_t i = 0; i < db->store.napi_keys; i++)
		if (strcmp(db->store.api_keys[i].public_id, k->public_id) == 0)
			return fake__sql_error(db, VS_CONFLICT); /* unique key_prefix */
	if (db->store.napi_keys == FAKE_MAX_API_KEYS)
		return VS_INTERNAL;
	fake__wrote(db);
	struct fake_api_key_row *row = &db->store.api_keys[db->store.napi_keys++];
	memset(row, 0, sizeof(*row));
	vs_uuid_v4(&row->id);
	row->user_id = k->user_id;
	row->global = k->global;
	row->tenant_id = k->global ? (vs_uuid){ { 0 } } : k->tenant_id;
	fake__copy_str(row->name, sizeof(row->name), k->name);
	row->has_description = k->description != NULL;
	fake__copy_str(row->description, sizeof(row->description), k->description);
	fake__copy_str(row->public_id, sizeof(row->public_id), k->public_id);
	memcpy(row->hash, k->hash, sizeof(row->hash));
	set_scopes(row, (const char *const *)k->scopes, k->nscopes);
	row->is_active = k->is_active;
	row->expires = k->expires;
	row->expires_at = k->expires_at;
	row->created_at = row->updated_at = fake_now();
	*out = row;
	return VS_OK;
}

static enum vs_err key_insert(struct vs_api_key_repo *repo, struct vs_arena *a,
			      struct vs_api_key *k)
{
	struct fake_db *db = keys_of(repo)->db;
	if (fake__call(db, "api_keys.insert"))
		return VS_UNAVAILABLE;
	struct fake_api_key_row *row;
	enum vs_err rc = store_key(db, k, &row);
	if (rc == VS_OK) {
		uint8_t hash[32];
		memcpy(hash, k->hash, sizeof(hash));
		row_to_key(a, row, k);
		memcpy(k->hash, hash, sizeof(hash));
	}
	return rc;
}

static enum vs_err key_insert_many(struct vs_api_key_repo *repo, struct vs_arena *a,
				   const struct vs_api_key *k, size_t n)
{
	(void)a;
	struct fake_db *db = keys_of(repo)->db;
	if (fake__call(db, "api_keys.insert_many"))
		return VS_UNAVAILABLE;
	for (size_t i = 0; i < n; i++) {
		struct fake_api_key_row *row;
		enum vs_err rc = store_key(db, &k[i], &row);
		if (rc != VS_OK)
			return rc;
	}
	return VS_OK;
}

static enum vs_err key_get(struct vs_api_key_repo *repo, struct vs_arena *a, const vs_uuid *id,
			   struct vs_api_key *out)
{
	struct fake_db *db = keys_of(repo)->db;
	if (fake__call(db, "api_keys.get"))
		return VS_UNAVAILABLE;
	const struct fake_api_key_row *row = visible_key(db, id);
	if (!row)
		return VS_NOTFOUND;
	row_to_key(a, row, out);
	return VS_OK;
}

static enum vs_err key_owner(struct vs_api_key_repo *repo, const vs_uuid *id, vs_uuid *owner)
{
	struct fake_db *db = keys_of(repo)->db;
	if (fake__call(db, "api_keys.owner"))
		return VS_UNAVAILABLE;
	const struct fake_api_key_row *row = fake_api_key(db, id);
	if (!row)
		return VS_NOTFOUND;
	*owner = row->user_id;
	return VS_OK;
}

static enum vs_err key_list(struct vs_api_key_repo *repo, struct vs_arena *a,
			    const struct vs_api_key_query *q, struct vs_api_key_page *out)
{
	struct fake_db *db = keys_of(repo)->db;
	if (fake__call(db, "api_keys.list"))
		return VS_UNAVAILABLE;
	memset(out, 0, sizeof(*out));
	out->items = vs_arena_array(a, FAKE_MAX_API_KEYS, sizeof(*out->items));
	/* Stored in creation order, as pg orders them (created_at, id). */
	for (size_t i = 0; i < db->store.napi_keys; i++) {
		const struct fake_api_key_row *row = &db->store.api_keys[i];
		if (!visible(db, row) || (q->user && !vs_uuid_eq(&row->user_id, q->user)) ||
		    (q->tenant && (row->global || !vs_uuid_eq(&row->tenant_id, q->tenant))))
			continue;
		if (out->total++ >= q->offset && (int64_t)out->n < q->limit)
			row_to_key(a, row, &out->items[out->n++]);
	}
	return VS_OK;
}

static enum vs_err key_update(struct vs_api_key_repo *repo, struct vs_arena *a, const vs_uuid *id,
			      const struct vs_api_key_changes *c, struct vs_api_key *out)
{
	struct fake_db *db = keys_of(repo)->db;
	if (fake__call(db, "api_keys.update"))
		return VS_UNAVAILABLE;
	struct fake_api_key_row *row = visible_key(db, id);
	if (!row)
		return VS_NOTFOUND;
	fake__wrote(db);
	if (c->name.set)
		fake__copy_str(row->name, sizeof(row->name), c->name.p);
	if (c->description.set) {
		row->has_description = !c->description.null;
		fake__copy_str(row->description, sizeof(row->description),
			       c->description.null ? NULL : c->description.p);
	}
	if (c->is_active.set)
		row->is_active = c->is_active.v;
	if (c->expires_at.set) {
		row->expires = !c->expires_at.null;
		row->expires_at = c->expires_at.null ? 0 : c->expires_at.v;
	}
	if (c->scopes_set)
		set_scopes(row, (const char *const *)c->scopes, c->nscopes);
	row->updated_at = fake_now();
	row_to_key(a, row, out);
	return VS_OK;
}

static enum vs_err key_remove(struct vs_api_key_repo *repo, const vs_uuid *id)
{
	struct fake_db *db = keys_of(repo)->db;
	if (fake__call(db, "api_keys.remove"))
		return VS_UNAVAILABLE;
	if (!visible_key(db, id))
		return VS_NOTFOUND;
	fake__wrote(db);
	FAKE_FILTER(db->store.api_keys, db->store.napi_keys, !vs_uuid_eq(&row->id, id));
	return VS_OK;
}

/* The check's lookup: in a scope of its own that sees exactly this key, outside any
 * request transaction; the owner's state comes along. */
static enum vs_err key_find(struct vs_api_key_repo *repo, struct vs_arena *a,
			    const char *public_id, struct vs_api_key *out)
{
	struct fake_db *db = keys_of(repo)->db;
	if (fake__call(db, "api_keys.find"))
		return VS_UNAVAILABLE;
	for (size_t i = 0; i < db->store.napi_keys; i++) {
		const struct fake_api_key_row *row = &db->store.api_keys[i];
		if (strcmp(row->public_id, public_id) != 0)
			continue;
		const struct fake_user_row *owner = fake_user(db, &row->user_id);
		row_to_key(a, row, out);
		out->owner_active = owner && owner->is_active;
		out->owner_superuser = owner && owner->is_superuser;
		return VS_OK;
	}
	return VS_NOTFOUND;
}

static void key_touch(struct vs_api_key_repo *repo, const struct vs_api_key *k)
{
	struct fake_api_keys *keys = keys_of(repo);
	fake__note(keys->db, "api_keys.touch");
	(void)k;
	keys->touches++;
}

/* A fake has no cache to miss: nothing is ever worth looking up ahead. */
static bool key_needs_lookup(struct vs_api_key_repo *repo, const char *key)
{
	(void)repo;
	(void)key;
	return false;
}

static void key_prefetch(struct vs_api_key_repo *repo, const char *const *keys, size_t n)
{
	(void)repo;
	(void)keys;
	(void)n;
}

static void key_prefetch_done(struct vs_api_key_repo *repo)
{
	(void)repo;
}

const struct vs_api_key_repo_ops fake__api_key_ops = {
	.insert = key_insert,
	.insert_many = key_insert_many,
	.get = key_get,
	.owner = key_owner,
	.list = key_list,
	.update = key_update,
	.remove = key_remove,
	.find = key_find,
	.touch = key_touch,
	.needs_lookup = key_needs_lookup,
	.prefetch = key_prefetch,
	.prefetch_done = key_prefetch_done,
};

const char *fake_seed_api_key(struct fake_db *db, struct vs_arena *a, const vs_uuid *user,
			      const vs_uuid *tenant, const char *const *scopes, vs_uuid *id)
{
	char *text = vs_arena_alloc(a, VS_API_KEY_LEN + 1);
	uint8_t random[64];
	do
		vs_random_bytes(random, sizeof(random));
	while (!vs_api_key_compose(random, sizeof(random), text));
	if (db->store.napi_keys == FAKE_MAX_API_KEYS)
		abort();
	struct fake_api_key_row *row = &db->store.api_keys[db->store.napi_keys++];
	memset(row, 0, sizeof(*row));
	vs_uuid_v4(&row->id);
	row->user_id = *user;
	row->global = tenant == NULL;
	if (tenant)
		row->tenant_id = *tenant;
	fake__copy_str(row->name, sizeof(row->name), "seeded");
	memcpy(row->public_id, text + VS_API_KEY_PREFIX_LEN, VS_API_KEY_PUBLIC_LEN);
	vs_sha256(text, VS_API_KEY_LEN, row->hash);
	size_t n = 0;
	while (scopes && scopes[n])
		n++;
	set_scopes(row, scopes, n);
	row->is_active = true;
	row->created_at = row->updated_at = fake_now();
	if (id)
		*id = row->id;
	return text;
}
