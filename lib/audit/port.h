/* What the audit module needs from storage: an event written in the current transaction
 * (it joins its chain after the commit, sql/017). */
#ifndef VS_AUDIT_PORT_H
#define VS_AUDIT_PORT_H

#include "audit/chain.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A page of one chain, newest first (API.md §8). */
struct vs_audit_query {
	const vs_uuid *tenant; /* the chain: the tenant's, or NULL for the platform's */
	int64_t before_seq;    /* only links before it; 0: from the newest */
	const vs_uuid *actor;  /* actor.user_id, or NULL */
	const char *action;    /* exact, or with action_prefix "<resource>." ; or NULL */
	bool action_prefix;
	const char *resource_type, *resource_id; /* or NULL */
	bool has_from, has_to;
	int64_t from, to; /* occurred_at within, Unix seconds, both ends included */
	int64_t limit;
};
struct vs_audit_page {
	struct vs_audit_link *items;
	size_t n;
	bool more; /* links before the last one match too */
};

struct vs_audit_log;
struct vs_audit_log_ops {
	/* canonical: the event's canonical JSON (audit/canonical.h), len bytes; tenant: the
	 * chain it joins (NULL: the platform's). */
	enum vs_err (*append)(struct vs_audit_log *, const char *canonical, size_t len,
			      const vs_uuid *tenant);
	/* Joins every event still pending to its chain (what a writer that stopped between
	 * its commit and its own turn left); *joined how many. Optional (NULL). */
	enum vs_err (*sequence)(struct vs_audit_log *, int *joined);
	/* Reading, in the caller's transaction and under its scope. */
	enum vs_err (*list)(struct vs_audit_log *, struct vs_arena *, const struct vs_audit_query *q,
			    struct vs_audit_page *out);
	/* The chain's head as the sequencer keeps it (seq 0 and no hash before the first). */
	enum vs_err (*head)(struct vs_audit_log *, const vs_uuid *tenant, int64_t *seq,
			    uint8_t hash[VS_SHA256_LEN]);
	/* The heads no checkpoint names yet (chain, seq, hash filled). */
	enum vs_err (*unsigned_heads)(struct vs_audit_log *, struct vs_arena *,
				      struct vs_audit_checkpoint **items, size_t *n);
	/* A checkpoint of a head: NOTFOUND when no link of its chain has that seq and hash. */
	enum vs_err (*add_checkpoint)(struct vs_audit_log *, const struct vs_audit_checkpoint *c);
	/* A chain's checkpoints before seq before (0: from the newest), newest first. */
	enum vs_err (*checkpoints)(struct vs_audit_log *, struct vs_arena *, const vs_uuid *tenant,
				   int64_t before, int limit, struct vs_audit_checkpoint **items,
				   size_t *n);
	/* At most limit links with after < seq <= up_to, in seq order. */
	enum vs_err (*links)(struct vs_audit_log *, struct vs_arena *, const vs_uuid *tenant,
			     int64_t after, int64_t up_to, int limit, struct vs_audit_link **items,
			     size_t *n);
};
struct vs_audit_log {
	const struct vs_audit_log_ops *ops;
};

#endif
