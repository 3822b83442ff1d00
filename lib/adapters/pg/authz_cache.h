/* A worker's cache of effective permissions per (user, tenant): bounded (direct-mapped,
 * a newer entry replaces an older one in its slot), emptied by the database's change
 * notifications (vs_pg_authz_generation) and aged out after a TTL as a safety net. */
#ifndef VS_ADAPTERS_PG_AUTHZ_CACHE_H
#define VS_ADAPTERS_PG_AUTHZ_CACHE_H

#include "core/arena.h"
#include "domain/principal.h"

#include <stdbool.h>
#include <stdint.h>

#define VS_AUTHZ_CACHE_SLOTS 4096
#define VS_AUTHZ_CACHE_TTL_SECONDS 60

struct vs_authz_cache;

struct vs_authz_cache *vs_authz_cache_new(void);
void vs_authz_cache_free(struct vs_authz_cache *c);

/* On a hit fills out (codes in the arena) and returns true. */
bool vs_authz_cache_get(struct vs_authz_cache *c, struct vs_arena *a, const vs_uuid *user,
			const vs_uuid *tenant, uint64_t generation, int64_t now,
			struct vs_permset *out);
void vs_authz_cache_put(struct vs_authz_cache *c, const vs_uuid *user, const vs_uuid *tenant,
			uint64_t generation, int64_t now, const struct vs_permset *perms);

#endif
