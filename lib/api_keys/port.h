/* What the API-keys module needs from storage (see users/port.h for the conventions).
 * Reads see the caller's own keys (all in platform scope); `owner` tells a key that
 * exists but belongs to someone else from one that does not exist. */
#ifndef VS_API_KEYS_PORT_H
#define VS_API_KEYS_PORT_H

#include "api_keys/domain.h"
#include "core/arena.h"
#include "core/err.h"

#include <stdbool.h>
#include <stdint.h>

struct vs_api_key_query {
	const vs_uuid *user;   /* NULL: every owner (platform scope only) */
	const vs_uuid *tenant; /* NULL: any */
	int64_t offset, limit;
};
struct vs_api_key_page {
	struct vs_api_key *items;
	size_t n;
	int64_t total;
};

struct vs_api_key_repo;
struct vs_api_key_repo_ops {
	/* k->hash and k->public_id set; fills id and timestamps. */
	enum vs_err (*insert)(struct vs_api_key_repo *, struct vs_arena *, struct vs_api_key *k);
	/* n keys of the same owner and settings at once (k[i].hash and public_id set); ids
	 * and timestamps are not read back. For tools that mint many (the benchmark). */
	enum vs_err (*insert_many)(struct vs_api_key_repo *, struct vs_arena *,
				   const struct vs_api_key *k, size_t n);
	enum vs_err (*get)(struct vs_api_key_repo *, struct vs_arena *, const vs_uuid *id,
			   struct vs_api_key *out);
	/* The owner of any key, whoever may see it. Unknown → NOTFOUND. */
	enum vs_err (*owner)(struct vs_api_key_repo *, const vs_uuid *id, vs_uuid *owner);
	enum vs_err (*list)(struct vs_api_key_repo *, struct vs_arena *,
			    const struct vs_api_key_query *q, struct vs_api_key_page *out);
	enum vs_err (*update)(struct vs_api_key_repo *, struct vs_arena *, const vs_uuid *id,
			      const struct vs_api_key_changes *c, struct vs_api_key *out);
	enum vs_err (*remove)(struct vs_api_key_repo *, const vs_uuid *id);
	/* The record of the key whose text has this public id, with its owner's state, from
	 * the worker's cache or one lookup; the caller compares the hash. Unknown id →
	 * NOTFOUND (remembered for a while). Runs outside any request transaction. */
	enum vs_err (*find)(struct vs_api_key_repo *, struct vs_arena *, const char *public_id,
			    struct vs_api_key *out);
	/* Notes a use; last_used_at is written after the response (vs_db write_behind), at
	 * most once a minute per key. */
	void (*touch)(struct vs_api_key_repo *, const struct vs_api_key *key);
	/* A worker that holds several requests at once: whether an X-API-Key value is a
	 * well-formed key `find` would have to look up, and a lookup of all such keys in
	 * one round trip ahead of their own checks (kept until prefetch_done or a change
	 * notification). A failure only leaves each check to look its key up itself. */
	bool (*needs_lookup)(struct vs_api_key_repo *, const char *key);
	void (*prefetch)(struct vs_api_key_repo *, const char *const *keys, size_t n);
	void (*prefetch_done)(struct vs_api_key_repo *);
};
struct vs_api_key_repo {
	const struct vs_api_key_repo_ops *ops;
};

#endif
