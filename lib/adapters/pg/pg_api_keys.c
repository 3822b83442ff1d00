/* iam.api_keys. Verification is the hot path: the worker's cache answers it, and a miss
 * costs one lookup in a transaction whose scope is exactly the key presented. */
#include "adapters/pg/host_epoch.h"
#include "adapters/pg/key_cache.h"
#include "adapters/pg/pg_internal.h"
#include "core/crypto.h"
#include "core/time.h"

#include <json-c/json.h>
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
/* The key scope of sql/003's policies: exactly the key presented is visible, nothing
 * else. Local settings, so they end with the lookup's transaction. */
static const struct vs_pg_stmt key_scope_stmt = {
	"api_key_scope",
	"SELECT set_config('vs.tenant_id', '', true), set_config('vs.user_id', '', true), "
	"set_config('vs.platform', '', true), set_config('vs.key_prefix', $1, true)",
	1
};
/* Only what a check reads, of the key and its owner: the whole record (name, description,
 * three more timestamps) cost the backend about 8 µs more per cold check (pgbench, 2
 * clients, 100k keys). The columns are in enum lookup_col's order. */
static const struct vs_pg_stmt lookup_stmt = {
	"api_key_lookup",
	"SELECT k.id, k.user_id, k.tenant_id, array_to_json(k.scopes)::text, k.is_active, "
	"extract(epoch FROM k.expires_at)::bigint, floor(extract(epoch FROM k.last_used_at))::bigint, "
	"encode(k.key_hash, 'hex'), u.is_active, u.is_superuser "
	"FROM iam.api_keys k JOIN iam.users u ON u.id = k.user_id WHERE k.key_prefix = $1",
	1
};
enum lookup_col { L_ID, L_USER, L_TENANT, L_SCOPES, L_ACTIVE, L_EXPIRES, L_LAST_USED, L_HASH,
		  L_OWNER_ACTIVE, L_OWNER_SUPERUSER };

static const struct vs_pg_stmt touch_stmt = {
	"api_key_touch", "SELECT iam.touch_api_keys($1::uuid[])", 1
};

#define TOUCH_INTERVAL_SECONDS 60

static struct pg_api_keys *repo_of(struct vs_api_key_repo *self)
{
	return (struct pg_api_keys *)self;
}

/* '{"a","b"}' for a text[] parameter; codes are [a-z_:] only, checked by the caller. */
static const char *text_array_param(struct vs_arena *a, const char **items, size_t n)
{
	size_t len = 3;
	for (size_t i = 0; i < n; i++)
		len += strlen(items[i]) + 3;
	char *s = vs_arena_alloc(a, len), *p = s;
	*p++ = '{';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s\"%s\"", i ? "," : "", items[i]);
	*p++ = '}';
	*p = '\0';
	return s;
}

/* The scopes column, array_to_json(k.scopes)::text, into k->scopes. */
static void scopes_from_json(struct vs_arena *a, const char *json, struct vs_api_key *k)
{
	struct json_object *arr = json_tokener_parse(json);
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	k->scopes = vs_arena_array(a, n + 1, sizeof(*k->scopes));
	k->nscopes = 0;
	for (size_t i = 0; i < n; i++)
		k->scopes[k->nscopes++] =
			vs_arena_strdup(a, json_object_get_string(json_object_array_get_idx(arr, i)));
	json_object_put(arr);
}

static void row_to_key(struct vs_arena *a, const PGresult *r, int row, struct vs_api_key *k)
{
	memset(k, 0, sizeof(*k));
	vs_pg_uuid(r, row, 0, &k->id);
	vs_pg_uuid(r, row, 1, &k->user_id);
	k->global = PQgetisnull(r, row, 2);
	if (!k->global)
		vs_pg_uuid(r, row, 2, &k->tenant_id);
	k->name = vs_pg_text(a, r, row, 3);
	k->description = vs_pg_text(a, r, row, 4);
	snprintf(k->public_id, sizeof(k->public_id), "%s", PQgetvalue(r, row, 5));
	scopes_from_json(a, PQgetvalue(r, row, 6), k);
	k->is_active = vs_pg_bool(r, row, 7);
	k->expires = !PQgetisnull(r, row, 8);
	k->expires_at = k->expires ? vs_pg_int64(r, row, 8) : 0;
	k->last_used_at = PQgetisnull(r, row, 9) ? 0 : vs_pg_int64(r, row, 9);
	k->created_at = vs_pg_int64(r, row, 10);
	k->updated_at = vs_pg_int64(r, row, 11);
}

static enum vs_err one_key(struct vs_arena *a, enum vs_err rc, PGresult *r, struct vs_api_key *out)
{
	if (rc != VS_OK)
		return rc;
	if (PQntuples(r) == 0)
		return VS_NOTFOUND;
	row_to_key(a, r, 0, out);
	return VS_OK;
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
				 text_array_param(a, k->scopes, k->nscopes),
				 k->expires ? expires : NULL };
	const int lengths[] = { 0, 0, 0, 0, 0, 32, 0, 0 };
	const int formats[] = { 0, 0, 0, 0, 0, 1, 0, 0 };
	uint8_t hash[32];
	memcpy(hash, k->hash, sizeof(hash));
	PGresult *r;
	enum vs_err rc = vs_pg_exec_ex(repo_of(self)->pg, a, &insert_stmt, params, lengths, formats,
				       &r);
	rc = one_key(a, rc, r, k);
	memcpy(k->hash, hash, sizeof(hash));
	return rc;
}

static enum vs_err key_get(struct vs_api_key_repo *self, struct vs_arena *a, const vs_uuid *id,
			   struct vs_api_key *out)
{
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, id) };
	PGresult *r;
	enum vs_err rc = vs_pg_exec(repo_of(self)->pg, a, &get_stmt, params, &r);
	return one_key(a, rc, r, out);
}

static enum vs_err key_owner(struct vs_api_key_repo *self, const vs_uuid *id, vs_uuid *owner)
{
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, id) };
	char v[VS_UUID_STRLEN + 1];
	enum vs_err rc = vs_pg_scalar(repo_of(self)->pg, &owner_stmt, params, v, sizeof(v));
	if (rc == VS_OK && !vs_uuid_parse(v, strlen(v), owner))
		rc = VS_INTERNAL;
	return rc;
}

static enum vs_err key_list(struct vs_api_key_repo *self, struct vs_arena *a,
			    const struct vs_api_key_query *q, struct vs_api_key_page *out)
{
	struct pg_uuid_text u, t;
	const char *params[4] = { pg_uuid_param(&u, q->user), pg_uuid_param(&t, q->tenant) };
	PGresult *r;
	enum vs_err rc = vs__pg_page(repo_of(self)->pg, a, &list_stmt, &count_stmt, params, 2,
				     q->offset, q->limit, &r, &out->total);
	if (rc != VS_OK)
		return rc;
	out->n = (size_t)PQntuples(r);
	out->items = vs_arena_array(a, out->n + 1, sizeof(*out->items));
	for (size_t i = 0; i < out->n; i++)
		row_to_key(a, r, (int)i, &out->items[i]);
	return VS_OK;
}

static enum vs_err key_update(struct vs_api_key_repo *self, struct vs_arena *a, const vs_uuid *id,
			      const struct vs_api_key_changes *c, struct vs_api_key *out)
{
	vs_pg_mark_auth_change(repo_of(self)->pg);
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
		text_array_param(a, c->scopes, c->nscopes),
	};
	PGresult *r;
	enum vs_err rc = vs_pg_exec(repo_of(self)->pg, a, &update_stmt, params, &r);
	return one_key(a, rc, r, out);
}

static enum vs_err key_remove(struct vs_api_key_repo *self, const vs_uuid *id)
{
	vs_pg_mark_auth_change(repo_of(self)->pg);
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, id) };
	long rows;
	enum vs_err rc = vs_pg_exec_affected(repo_of(self)->pg, &delete_stmt, params, &rows);
	return rc == VS_OK && rows == 0 ? VS_NOTFOUND : rc;
}

/* A lookup's result (one row, or none: no such key) into *out. */
static enum vs_err key_from_lookup(const PGresult *r, struct vs_arena *a, const char *public_id,
				   struct vs_api_key *out)
{
	if (PQntuples(r) == 0)
		return VS_NOTFOUND;
	memset(out, 0, sizeof(*out));
	if (!vs_hex_decode(PQgetvalue(r, 0, L_HASH), out->hash, sizeof(out->hash)))
		return VS_INTERNAL;
	vs_pg_uuid(r, 0, L_ID, &out->id);
	vs_pg_uuid(r, 0, L_USER, &out->user_id);
	out->global = PQgetisnull(r, 0, L_TENANT);
	if (!out->global)
		vs_pg_uuid(r, 0, L_TENANT, &out->tenant_id);
	snprintf(out->public_id, sizeof(out->public_id), "%s", public_id);
	scopes_from_json(a, PQgetvalue(r, 0, L_SCOPES), out);
	out->is_active = vs_pg_bool(r, 0, L_ACTIVE);
	out->expires = !PQgetisnull(r, 0, L_EXPIRES);
	out->expires_at = out->expires ? vs_pg_int64(r, 0, L_EXPIRES) : 0;
	out->last_used_at = PQgetisnull(r, 0, L_LAST_USED) ? 0 : vs_pg_int64(r, 0, L_LAST_USED);
	out->owner_active = vs_pg_bool(r, 0, L_OWNER_ACTIVE);
	out->owner_superuser = vs_pg_bool(r, 0, L_OWNER_SUPERUSER);
	return VS_OK;
}

/* Lookups in one round trip, each in a scope that can see exactly its key; a stale
 * connection is replaced and they are sent again. */
static enum vs_err lookups(struct pg_api_keys *repo, struct vs_arena *a,
			   const char *const *const *params, int n, PGresult **res)
{
	enum vs_err rc = vs_pg_scoped_reads(repo->pg, a, &key_scope_stmt, &lookup_stmt, params, n, res);
	if (rc == VS_UNAVAILABLE && vs_pg_ensure(repo->pg) == VS_OK)
		rc = vs_pg_scoped_reads(repo->pg, a, &key_scope_stmt, &lookup_stmt, params, n, res);
	repo->lookup_round_trips += rc == VS_OK;
	return rc;
}

static enum vs_err lookup(struct pg_api_keys *repo, struct vs_arena *a, const char *public_id,
			  struct vs_api_key *out)
{
	const char *id_param[] = { public_id };
	const char *const *params[] = { id_param };
	PGresult *r;
	enum vs_err rc = lookups(repo, a, params, 1, &r);
	return rc == VS_OK ? key_from_lookup(r, a, public_id, out) : rc;
}

/* The lookup made ahead for this id, if any and no notification has come since. */
static bool take_prefetched(struct pg_api_keys *repo, struct vs_arena *a, const char *public_id,
			    uint32_t generation, struct vs_api_key *out, enum vs_err *rc)
{
	if (repo->prefetch_generation != generation)
		repo->nprefetched = 0;
	for (size_t i = 0; i < repo->nprefetched; i++) {
		if (strcmp(repo->prefetched[i].public_id, public_id) == 0) {
			*rc = key_from_lookup(repo->prefetched[i].result, a, public_id, out);
			return true;
		}
	}
	return false;
}

/* A key another worker wrote less than a minute ago need not be written again before
 * that minute is over (in monotonic seconds, as the cache counts). The lookup floors
 * last_used_at, as time() does: rounded, a write of this very second would look like one
 * from the future and be written again. */
static int64_t quiet_until(const struct vs_api_key *k, int64_t now_mono)
{
	int64_t age = vs_time_now() - k->last_used_at;
	if (k->last_used_at <= 0 || age < 0 || age >= TOUCH_INTERVAL_SECONDS)
		return 0;
	return now_mono + TOUCH_INTERVAL_SECONDS - age;
}

/* Pending notifications first, so that a key changed on another host fails now; without
 * a connection the cache cannot be trusted, and the caller fails closed. */
static enum vs_err cache_up_to_date(struct pg_api_keys *repo)
{
	enum vs_err rc = vs_pg_ensure(repo->pg);
	if (rc != VS_OK)
		return rc;
	uint64_t epoch = vs_host_epoch_read(repo->epoch);
	if (epoch != repo->seen_epoch) { /* a worker of this host committed a change */
		vs_key_cache_forget(repo->cache, NULL);
		repo->seen_epoch = epoch;
	}
	return VS_OK;
}

static enum vs_err key_verify(struct vs_api_key_repo *self, struct vs_arena *a, const char *key,
			      size_t len, const char *public_id, struct vs_api_key *out)
{
	struct pg_api_keys *repo = repo_of(self);
	enum vs_err rc = cache_up_to_date(repo);
	if (rc != VS_OK)
		return rc;
	int64_t now = vs_time_mono_us() / 1000000;
	uint8_t digest[VS_SHA256_LEN];
	vs_sha256(key, len, digest);

	if (!vs_key_cache_get(repo->cache, a, public_id, now, out)) {
		if (vs_key_cache_rejected(repo->cache, public_id, now))
			return VS_UNAUTHORIZED;
		uint32_t since = vs_key_cache_generation(repo->cache);
		if (!take_prefetched(repo, a, public_id, since, out, &rc))
			rc = lookup(repo, a, public_id, out);
		if (rc == VS_NOTFOUND) {
			vs_key_cache_put_rejected(repo->cache, public_id, since, now);
			return VS_UNAUTHORIZED;
		}
		if (rc != VS_OK)
			return rc;
		vs_key_cache_put(repo->cache, out, since, now, quiet_until(out, now));
	}
	return vs_ct_equal(digest, out->hash, sizeof(digest)) ? VS_OK : VS_UNAUTHORIZED;
}

/* Only notes the use: the write happens after the answer (vs__pg_api_keys_write_behind),
 * at most once a minute per key and worker, however many other keys it sees meanwhile. */
static void key_touch(struct vs_api_key_repo *self, const struct vs_api_key *k)
{
	struct pg_api_keys *repo = repo_of(self);
	int64_t now = vs_time_mono_us() / 1000000;
	if (repo->ntouched < PG_TOUCH_BATCH &&
	    vs_key_cache_use_needs_write(repo->cache, k->public_id, now, TOUCH_INTERVAL_SECONDS))
		repo->touched[repo->ntouched++] = k->id;
}

void vs__pg_api_keys_write_behind(struct pg_api_keys *repo, bool force)
{
	if (repo->ntouched == 0)
		return;
	int64_t now = vs_time_mono_us() / 1000000;
	if (!force && now - repo->last_flush < TOUCH_INTERVAL_SECONDS &&
	    repo->ntouched < PG_TOUCH_BATCH)
		return;
	/* One write per worker per minute or per full batch; a failure only loses timestamps. */
	struct vs_arena *a = vs_arena_new();
	const char *params[] = { pg_uuid_array_param(a, repo->touched, repo->ntouched) };
	(void)vs_pg_exec(repo->pg, a, &touch_stmt, params, NULL);
	vs_arena_free(a);
	repo->ntouched = 0;
	repo->last_flush = now;
}

/* The id of a well-formed key that neither the cache nor the rejected list can answer. */
static bool cold_key(struct pg_api_keys *repo, const char *key, int64_t now,
		     char public_id[VS_API_KEY_PUBLIC_LEN + 1])
{
	return key && vs_api_key_parse(key, strlen(key), public_id) &&
	       !vs_key_cache_knows(repo->cache, public_id, now);
}

bool vs__pg_api_keys_needs_lookup(struct pg_api_keys *repo, const char *key)
{
	char public_id[VS_API_KEY_PUBLIC_LEN + 1];
	return cold_key(repo, key, vs_time_mono_us() / 1000000, public_id);
}

void vs__pg_api_keys_prefetch(struct pg_api_keys *repo, const char *const *keys, size_t n)
{
	vs__pg_api_keys_prefetch_done(repo);
	if (cache_up_to_date(repo) != VS_OK)
		return;
	int64_t now = vs_time_mono_us() / 1000000;
	const char *id_params[VS_PG_MAX_SCOPED_READS][1];
	const char *const *params[VS_PG_MAX_SCOPED_READS];
	size_t m = 0;
	for (size_t i = 0; i < n && m < VS_PG_MAX_SCOPED_READS; i++) {
		char *id = repo->prefetched[m].public_id;
		if (!cold_key(repo, keys[i], now, id))
			continue;
		bool repeated = false;
		for (size_t j = 0; j < m && !repeated; j++)
			repeated = strcmp(repo->prefetched[j].public_id, id) == 0;
		if (repeated)
			continue;
		id_params[m][0] = id;
		params[m] = id_params[m];
		m++;
	}
	if (m < 2) /* one lookup gains nothing by being made ahead */
		return;
	repo->prefetch_generation = vs_key_cache_generation(repo->cache);
	PGresult *results[VS_PG_MAX_SCOPED_READS];
	if (lookups(repo, repo->prefetch_arena, params, (int)m, results) != VS_OK)
		return; /* each request then looks its key up itself */
	for (size_t i = 0; i < m; i++)
		repo->prefetched[i].result = results[i];
	repo->nprefetched = m;
}

void vs__pg_api_keys_prefetch_done(struct pg_api_keys *repo)
{
	repo->nprefetched = 0;
	vs_arena_reset(repo->prefetch_arena);
}

const struct vs_api_key_repo_ops vs__pg_api_key_ops = {
	.insert = key_insert,
	.get = key_get,
	.owner = key_owner,
	.list = key_list,
	.update = key_update,
	.remove = key_remove,
	.verify = key_verify,
	.touch = key_touch,
};
