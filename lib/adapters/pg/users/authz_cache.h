/* A worker's cache of effective permissions per (user, tenant): bounded (direct-mapped,
 * a newer entry replaces an older one in its slot), emptied by the database's change
 * notifications (vs_authz_cache_forget_all) and aged out after a TTL as a safety net. */
#ifndef VS_ADAPTERS_PG_USERS_AUTHZ_CACHE_H
#define VS_ADAPTERS_PG_USERS_AUTHZ_CACHE_H

#include "adapters/pg/pg.h"
#include "core/arena.h"
#include "auth/domain.h"

#include <stdbool.h>
#include <stdint.h>

#define VS_AUTHZ_CACHE_SLOTS 4096
#define VS_AUTHZ_CACHE_TTL_SECONDS 60

struct vs_authz_cache;

struct vs_authz_cache *vs_authz_cache_new(void);
void vs_authz_cache_free(struct vs_authz_cache *c);

/* On a hit fills out (codes in the arena) and returns true. */
/* version: the database's authz version the entry was read at (out). */
bool vs_authz_cache_get(struct vs_authz_cache *c, struct vs_arena *a, const vs_uuid *user,
			const vs_uuid *tenant, int64_t now, bool *member, struct vs_permset *out,
			int64_t *version);
/* `since` is the generation read before the database was asked: an entry is stored only
 * if nothing was forgotten meanwhile. */
void vs_authz_cache_put(struct vs_authz_cache *c, const vs_uuid *user, const vs_uuid *tenant,
			uint64_t since, int64_t now, bool member, const struct vs_permset *perms,
			int64_t version);
uint64_t vs_authz_cache_generation(const struct vs_authz_cache *c);
/* A vs_pg_notify_fn: any change to roles or assignments drops every entry. */
void vs_authz_cache_forget_all(void *cache, const char *payload);

const struct vs_cache_stats *vs_authz_cache_stats(const struct vs_authz_cache *c);

#endif
