/* iam.api_keys: the records as their owners manage them. Verification lookups are in
 * find.c, last_used_at in touch.c. */
#include "adapters/pg/api_keys/internal.h"

#include "adapters/pg/api_keys/key_cache.h"
#include "adapters/pg/host_epoch.h"
#include "core/crypto.h"
#include "core/hex.h"

#include <stdio.h>
#include <string.h>

#define KEY_COLS                                                                           \
	"k.id, k.user_id, k.tenant_id, k.name, k.description, k.key_prefix, "               \
	"array_to_json(k.scopes)::text, k.is_active, "                                      \
	"extract(epoch FROM k.expires_at)::bigint, extract(epoch FROM k.last_used_at)::bigint, " \
	"extract(epoch FROM k.created_at)::bigint, extract(epoch FROM k.updated_at)::bigint"

static const struct vs_pg_stmt insert_stmt = {
	"api_key_insert",
	"INSERT INTO iam.api_keys AS k (user_id, tenant_id, name, description, key_prefix, "
	"key_hash, scopes, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7::text[], "
	"to_timestamp($8)) RETURNING " KEY_COLS,
	8
};
static const struct vs_pg_stmt get_stmt = {
	"api_key_get", "SELECT " KEY_COLS " FROM iam.api_keys k WHERE k.id = $1", 1
};
static const struct vs_pg_stmt owner_stmt = {
	"api_key_owner", "SELECT iam.api_key_owner($1)", 1
};
static const struct vs_pg_stmt list_stmt = {
	"api_key_list",
	"SELECT " KEY_COLS " FROM iam.api_keys k "
	"WHERE ($1::uuid IS NULL OR k.user_id = $1) AND ($2::uuid IS NULL OR k.tenant_id = $2) "
	"ORDER BY k.created_at, k.id OFFSET $3 LIMIT $4",
	4
};
static const struct vs_pg_stmt count_stmt = {
	"api_key_count",
	"SELECT count(*) FROM iam.api_keys k "
	"WHERE ($1::uuid IS NULL OR k.user_id = $1) AND ($2::uuid IS NULL OR k.tenant_id = $2)",
	2
};
static const struct vs_pg_stmt update_stmt = {
	"api_key_update",
	"UPDATE iam.api_keys AS k SET "
	"name = CASE WHEN $2::boolean THEN $3::text ELSE k.name END, "
	"description = CASE WHEN $4::boolean THEN $5::text ELSE k.description END, "
	"is_active = CASE WHEN $6::boolean THEN $7::boolean ELSE k.is_active END, "
	"expires_at = CASE WHEN $8::boolean THEN to_timestamp($9) ELSE k.expires_at END, "
	"scopes = CASE WHEN $10::boolean THEN $11::text[] ELSE k.scopes END, "
	"updated_at = now() WHERE k.id = $1 RETURNING " KEY_COLS,
	11
};
static const struct vs_pg_stmt delete_stmt = {
	"api_key_delete", "DELETE FROM iam.api_keys WHERE id = $1", 1
};
/* Owner, name, public ids, hex hashes, scopes: GLOBAL keys, one per pair of ids. */
static const struct vs_pg_stmt insert_many_stmt = {
	"api_key_insert_many",
	"INSERT INTO iam.api_keys (user_id, name, key_prefix, key_hash, scopes) "
	"SELECT $1, $2, t.p, decode(t.h, 'hex'), $5::text[] "
	"FROM unnest($3::text[], $4::text[]) AS t (p, h)",
	5
};
static void row_to_key(struct vs_arena *a, const PGresult *r, int row, void *key)
{
	struct vs_api_key *k = key;
	memset(k, 0, sizeof(*k));
	vs_pg_uuid(r, row, 0, &k->id);
	vs_pg_uuid(r, row, 1, &k->user_id);
	k->global = PQgetisnull(r, row, 2);
	if (!k->global)
		vs_pg_uuid(r, row, 2, &k->tenant_id);
	k->name = vs_pg_text(a, r, row, 3);
	k->description = vs_pg_text(a, r, row, 4);
	snprintf(k->public_id, sizeof(k->public_id), "%s", PQgetvalue(r, row, 5));
	k->scopes = vs_pg_json_strings(a, PQgetvalue(r, row, 6), &k->nscopes);
	k->is_active = vs_pg_bool(r, row, 7);
	k->expires = !PQgetisnull(r, row, 8);
	k->expires_at = k->expires ? vs_pg_int64(r, row, 8) : 0;
	k->last_used_at = PQgetisnull(r, row, 9) ? 0 : vs_pg_int64(r, row, 9);
	k->created_at = vs_pg_int64(r, row, 10);
	k->updated_at = vs_pg_int64(r, row, 11);
}

static enum vs_err key_insert(struct vs_api_key_repo *self, struct vs_arena *a,
			      struct vs_api_key *k)
{
	struct pg_uuid_text u, t;
	char expires[24];
	snprintf(expires, sizeof(expires), "%lld", (long long)k->expires_at);
	const char *params[] = { pg_uuid_param(&u, &k->user_id),
				 k->global ? NULL : pg_uuid_param(&t, &k->tenant_id),
				 k->name,
				 k->description,
				 k->public_id,
				 (const char *)k->hash,
				 vs_pg_text_array_param(a, k->scopes, k->nscopes),
				 k->expires ? expires : NULL };
	const int lengths[] = { 0, 0, 0, 0, 0, 32, 0, 0 };
	const int formats[] = { 0, 0, 0, 0, 0, 1, 0, 0 };
	uint8_t hash[32];
	memcpy(hash, k->hash, sizeof(hash));
	enum vs_err rc = vs_pg_one_ex(pg_api_keys_of(self)->pg, a, &insert_stmt, params, lengths,
				      formats, row_to_key, k);
	memcpy(k->hash, hash, sizeof(hash));
	return rc;
}

static enum vs_err key_get(struct vs_api_key_repo *self, struct vs_arena *a, const vs_uuid *id,
			   struct vs_api_key *out)
{
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, id) };
	return vs_pg_one(pg_api_keys_of(self)->pg, a, &get_stmt, params, row_to_key, out);
}

static enum vs_err key_owner(struct vs_api_key_repo *self, const vs_uuid *id, vs_uuid *owner)
{
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, id) };
	char v[VS_UUID_STRLEN + 1];
	enum vs_err rc = vs_pg_scalar(pg_api_keys_of(self)->pg, &owner_stmt, params, v, sizeof(v));
	if (rc == VS_OK && !vs_uuid_parse(v, strlen(v), owner))
		rc = VS_INTERNAL;
	return rc;
}

static enum vs_err key_list(struct vs_api_key_repo *self, struct vs_arena *a,
			    const struct vs_api_key_query *q, struct vs_api_key_page *out)
{
	struct pg_uuid_text u, t;
	const char *params[4] = { pg_uuid_param(&u, q->user), pg_uuid_param(&t, q->tenant) };
	return vs_pg_list(pg_api_keys_of(self)->pg, a, &list_stmt, &count_stmt, params, 2,
			  q->offset, q->limit, row_to_key, sizeof(*out->items), &out->items,
			  &out->n, &out->total);
}

static enum vs_err key_update(struct vs_api_key_repo *self, struct vs_arena *a, const vs_uuid *id,
			      const struct vs_api_key_changes *c, struct vs_api_key *out)
{
	vs_pg_mark_auth_change(pg_api_keys_of(self)->pg);
	struct pg_uuid_text t;
	char expires[24];
	snprintf(expires, sizeof(expires), "%lld", (long long)c->expires_at.v);
	const char *params[] = {
		pg_uuid_param(&t, id),
		pg_bool_param(c->name.set),
		vs_opt_str_or_null(&c->name),
		pg_bool_param(c->description.set),
		vs_opt_str_or_null(&c->description),
		pg_bool_param(c->is_active.set),
		pg_bool_param(c->is_active.v),
		pg_bool_param(c->expires_at.set),
		c->expires_at.set && !c->expires_at.null ? expires : NULL,
		pg_bool_param(c->scopes_set),
		vs_pg_text_array_param(a, c->scopes, c->nscopes),
	};
	return vs_pg_one(pg_api_keys_of(self)->pg, a, &update_stmt, params, row_to_key, out);
}

static enum vs_err key_remove(struct vs_api_key_repo *self, const vs_uuid *id)
{
	vs_pg_mark_auth_change(pg_api_keys_of(self)->pg);
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, id) };
	return vs_pg_change(pg_api_keys_of(self)->pg, &delete_stmt, params);
}

/* Keys of one owner and settings, by the thousand (vs-admin's benchmark keys). */
static enum vs_err key_insert_many(struct vs_api_key_repo *self, struct vs_arena *a,
				   const struct vs_api_key *k, size_t n)
{
	char *prefixes = vs_arena_alloc(a, n * (VS_API_KEY_PUBLIC_LEN + 1) + 3), *p = prefixes;
	char *hashes = vs_arena_alloc(a, n * (2 * sizeof(k->hash) + 1) + 3), *h = hashes;
	*p++ = '{';
	*h++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i) {
			*p++ = ',';
			*h++ = ',';
		}
		memcpy(p, k[i].public_id, VS_API_KEY_PUBLIC_LEN);
		p += VS_API_KEY_PUBLIC_LEN;
		vs_hex_encode(k[i].hash, sizeof(k[i].hash), h);
		h += 2 * sizeof(k[i].hash);
	}
	memcpy(p, "}", 2);
	memcpy(h, "}", 2);
	struct pg_uuid_text u;
	const char *params[] = { pg_uuid_param(&u, &k[0].user_id), k[0].name, prefixes, hashes,
				 vs_pg_text_array_param(a, k[0].scopes, k[0].nscopes) };
	long rows;
	enum vs_err rc = vs_pg_exec_affected(pg_api_keys_of(self)->pg, &insert_many_stmt, params,
					     &rows);
	return rc == VS_OK && (size_t)rows != n ? VS_INTERNAL : rc;
}

static void release(void *ctx)
{
	struct pg_api_keys *repo = ctx;
	vs_key_cache_free(repo->cache);
	vs_arena_free(repo->prefetch_arena);
}

static void cache_stats(void *ctx, struct vs_db_stats *out)
{
	const struct pg_api_keys *repo = ctx;
	const struct vs_cache_stats *s = vs_key_cache_stats(repo->cache);
	out->key_hits += s->hits;
	out->key_misses += s->misses;
	out->key_rejected_hits += s->rejected_hits;
	out->key_lookup_round_trips += repo->lookup_round_trips;
}

static const struct vs_api_key_repo_ops ops = {
	.insert = key_insert,
	.insert_many = key_insert_many,
	.get = key_get,
	.owner = key_owner,
	.list = key_list,
	.update = key_update,
	.remove = key_remove,
	.find = vs__pg_api_keys_find,
	.touch = vs__pg_api_keys_touch,
	.needs_lookup = vs__pg_api_keys_needs_lookup,
	.prefetch = vs__pg_api_keys_prefetch,
	.prefetch_done = vs__pg_api_keys_prefetch_done,
};

void vs_pg_api_keys_wire(const struct vs_pg_wiring *w, struct vs_app *app)
{
	struct pg_api_keys *repo = vs_arena_alloc(w->owned, sizeof(*repo));
	repo->base.ops = &ops;
	repo->pg = w->pg;
	repo->cache = vs_key_cache_new((size_t)w->cfg->key_cache_size, w->cfg->key_cache_ttl);
	repo->epoch = w->epoch;
	repo->seen_epoch = vs_host_epoch_read(w->epoch);
	repo->prefetch_arena = vs_arena_new();
	vs_arena_defer(w->owned, release, repo);
	vs_pg_listen(w->pg, VS_PG_KEYS_CHANNEL, vs_key_cache_forget, repo->cache);
	vs_pg_db_on_write_behind(w->db, vs__pg_api_keys_write_behind, repo);
	vs_pg_db_on_stats(w->db, cache_stats, repo);
	app->api_keys = &repo->base;
}
