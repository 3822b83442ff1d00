/* Verification lookups, the hot path of the auth_request check: the worker's cache
 * answers them, and a miss costs one lookup in a transaction whose scope is exactly the
 * key presented; a worker holding several requests looks their keys up together. */
#include "adapters/pg/api_keys/internal.h"

#include "adapters/pg/api_keys/key_cache.h"
#include "adapters/pg/host_epoch.h"
#include "core/hex.h"
#include "core/time.h"

#include <stdio.h>
#include <string.h>

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
	out->scopes = vs_pg_json_strings(a, PQgetvalue(r, 0, L_SCOPES), &out->nscopes);
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
	if (k->last_used_at <= 0 || age < 0 || age >= PG_TOUCH_INTERVAL_SECONDS)
		return 0;
	return now_mono + PG_TOUCH_INTERVAL_SECONDS - age;
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

enum vs_err vs__pg_api_keys_find(struct vs_api_key_repo *self, struct vs_arena *a,
				 const char *public_id, struct vs_api_key *out)
{
	struct pg_api_keys *repo = pg_api_keys_of(self);
	enum vs_err rc = cache_up_to_date(repo);
	if (rc != VS_OK)
		return rc;
	int64_t now = vs_time_mono_us() / 1000000;
	if (vs_key_cache_get(repo->cache, a, public_id, now, out))
		return VS_OK;
	if (vs_key_cache_rejected(repo->cache, public_id, now))
		return VS_NOTFOUND;
	uint32_t since = vs_key_cache_generation(repo->cache);
	if (!take_prefetched(repo, a, public_id, since, out, &rc))
		rc = lookup(repo, a, public_id, out);
	if (rc == VS_NOTFOUND)
		vs_key_cache_put_rejected(repo->cache, public_id, since, now);
	else if (rc == VS_OK)
		vs_key_cache_put(repo->cache, out, since, now, quiet_until(out, now));
	return rc;
}

/* The id of a well-formed key that neither the cache nor the rejected list can answer. */
static bool cold_key(struct pg_api_keys *repo, const char *key, int64_t now,
		     char public_id[VS_API_KEY_PUBLIC_LEN + 1])
{
	return key && vs_api_key_parse(key, strlen(key), public_id) &&
	       !vs_key_cache_knows(repo->cache, public_id, now);
}

bool vs__pg_api_keys_needs_lookup(struct vs_api_key_repo *self, const char *key)
{
	struct pg_api_keys *repo = pg_api_keys_of(self);
	char public_id[VS_API_KEY_PUBLIC_LEN + 1];
	return cold_key(repo, key, vs_time_mono_us() / 1000000, public_id);
}

void vs__pg_api_keys_prefetch(struct vs_api_key_repo *self, const char *const *keys, size_t n)
{
	struct pg_api_keys *repo = pg_api_keys_of(self);
	vs__pg_api_keys_prefetch_done(self);
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

void vs__pg_api_keys_prefetch_done(struct vs_api_key_repo *self)
{
	struct pg_api_keys *repo = pg_api_keys_of(self);
	repo->nprefetched = 0;
	vs_arena_reset(repo->prefetch_arena);
}

