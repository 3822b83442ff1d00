/* The API-key repository's state, shared by its files: repo.c (the records), find.c
 * (verification lookups: cache, single and gathered lookups), touch.c (last_used_at,
 * written behind). */
#ifndef VS_ADAPTERS_PG_API_KEYS_INTERNAL_H
#define VS_ADAPTERS_PG_API_KEYS_INTERNAL_H

#include "adapters/pg/util.h"
#include "adapters/pg/wiring.h"
#include "api_keys/port.h"

#include <stdint.h>

struct vs_key_cache;
struct vs_host_epoch;

/* Keys whose last_used_at a worker writes in one statement. Small enough that the write
 * is a short burst: under a first use of many keys, 64 gave a p99 about 1 ms lower than
 * 256 (README, "API keys"). */
#define PG_TOUCH_BATCH 64
/* A key's last_used_at is written at most once per this many seconds. */
#define PG_TOUCH_INTERVAL_SECONDS 60

struct pg_api_keys {
	struct vs_api_key_repo base;
	struct vs_pg *pg;
	struct vs_key_cache *cache;
	struct vs_host_epoch *epoch; /* shared by the host's workers, or NULL */
	uint64_t seen_epoch;
	vs_uuid touched[PG_TOUCH_BATCH]; /* keys used since the last flush */
	size_t ntouched;
	int64_t last_flush;
	/* Lookups made ahead for the requests a worker holds (prefetch): the result for
	 * each id, for its find to use instead of a lookup of its own. */
	struct vs_arena *prefetch_arena; /* owns the results */
	struct {
		char public_id[VS_API_KEY_PUBLIC_LEN + 1];
		const PGresult *result; /* no row: no such key */
	} prefetched[VS_PG_MAX_SCOPED_READS];
	size_t nprefetched;
	uint32_t prefetch_generation; /* the cache's, before they were asked for */
	unsigned long lookup_round_trips; /* answered; each may have served several checks */
};

static inline struct pg_api_keys *pg_api_keys_of(struct vs_api_key_repo *self)
{
	return (struct pg_api_keys *)self;
}

/* find.c */
enum vs_err vs__pg_api_keys_find(struct vs_api_key_repo *self, struct vs_arena *a,
				 const char *public_id, struct vs_api_key *out);
bool vs__pg_api_keys_needs_lookup(struct vs_api_key_repo *self, const char *key);
void vs__pg_api_keys_prefetch(struct vs_api_key_repo *self, const char *const *keys, size_t n);
void vs__pg_api_keys_prefetch_done(struct vs_api_key_repo *self);
/* touch.c */
void vs__pg_api_keys_touch(struct vs_api_key_repo *self, const struct vs_api_key *k);
/* A vs_pg_db write-behind hook: writes the batched last_used_at when due (a minute, or a
 * full batch), or now if forced. */
void vs__pg_api_keys_write_behind(void *repo, bool force);

#endif
