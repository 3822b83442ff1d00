/* A worker's cache of verified API keys by public id, and of recently rejected ids.
 * Bounded (4-way sets: a new key takes a free or outdated place among the four its id
 * may use, else the oldest one's), aged out after a TTL, and emptied by the database's
 * notifications: one key when the payload names it, the rejected ids when it is "+"
 * (keys were added), everything when it is empty (keys were deleted, a user or tenant
 * changed, or a reconnection). Equal scope lists are stored once. */
#ifndef VS_ADAPTERS_PG_API_KEYS_KEY_CACHE_H
#define VS_ADAPTERS_PG_API_KEYS_KEY_CACHE_H

#include "adapters/pg/pg.h"
#include "core/arena.h"
#include "api_keys/domain.h"

#include <stdbool.h>
#include <stdint.h>

#define VS_KEY_CACHE_REJECTED_SLOTS 8192
#define VS_KEY_CACHE_KEYS_ADDED "+" /* the payload of a statement that added keys */

struct vs_key_cache;

/* slots: how many keys at most (VS_KEY_CACHE_SIZE, rounded down to a multiple of 4);
 * ttl: seconds (VS_KEY_CACHE_TTL). */
struct vs_key_cache *vs_key_cache_new(size_t slots, int64_t ttl);
void vs_key_cache_free(struct vs_key_cache *c);

/* A verified key's record (scopes copied into the arena), or false. */
bool vs_key_cache_get(struct vs_key_cache *c, struct vs_arena *a, const char *public_id,
		      int64_t now, struct vs_api_key *out);
/* Whether the id was recently looked up and not found. */
bool vs_key_cache_rejected(struct vs_key_cache *c, const char *public_id, int64_t now);
/* Whether vs_key_cache_get or vs_key_cache_rejected would answer for the id, without
 * counting a lookup. */
bool vs_key_cache_knows(struct vs_key_cache *c, const char *public_id, int64_t now);
/* Changes with every notification. */
uint32_t vs_key_cache_generation(const struct vs_key_cache *c);
/* `since`: the generation read before the database was asked; an answer that a
 * notification overtook meanwhile is not stored (see authz_cache.h). `quiet_until`: until
 * when (monotonic seconds) a use of the key need not be written, as its last_used_at is
 * that recent already; 0 if it is not. */
void vs_key_cache_put(struct vs_key_cache *c, const struct vs_api_key *k, uint32_t since,
		      int64_t now, int64_t quiet_until);
/* Whether this use of a key should be written to its last_used_at: not while an earlier
 * one, written by this worker or (as its lookup saw) by any other, is less than
 * `interval` seconds old. True starts a new interval. A key not cached: always true. */
bool vs_key_cache_use_needs_write(struct vs_key_cache *c, const char *public_id, int64_t now,
				  int64_t interval);
void vs_key_cache_put_rejected(struct vs_key_cache *c, const char *public_id, uint32_t since,
			       int64_t now);
/* A vs_pg_notify_fn. */
void vs_key_cache_forget(void *cache, const char *public_id);
size_t vs_key_cache_count(const struct vs_key_cache *c);
/* Distinct scope lists held (each once, however many keys share it). */
size_t vs_key_cache_scope_sets(const struct vs_key_cache *c);
const struct vs_cache_stats *vs_key_cache_stats(const struct vs_key_cache *c);

#endif
