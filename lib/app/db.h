/* The database's life as the process that serves requests sees it: whether there is a
 * connection, how long a client should wait when there is none, whether the schema is
 * current, what a request left open, and the writes that wait until after a response.
 * A port, so the HTTP layer never touches the adapter. */
#ifndef VS_APP_DB_H
#define VS_APP_DB_H

#include "core/err.h"

#include <stdbool.h>

/* Counters the workers expose in /metrics, as totals since the process started. */
struct vs_db_stats {
	unsigned long connects, connect_failures, query_errors, notifications;
	unsigned long key_hits, key_misses, key_rejected_hits, key_lookup_round_trips;
	unsigned long permission_hits, permission_misses;
};

struct vs_db;
struct vs_db_ops {
	/* A usable connection, reconnecting when the backoff allows; notifications that
	 * arrived meanwhile are handed to the caches. VS_UNAVAILABLE while it is away. */
	enum vs_err (*ensure)(struct vs_db *);
	/* Seconds a client should wait before retrying while the database is away. */
	int (*retry_after)(const struct vs_db *);
	/* The highest migration applied. */
	enum vs_err (*schema_version)(struct vs_db *, long *version);
	/* Ends whatever a request left open, so the next one starts clean. */
	void (*request_done)(struct vs_db *);
	/* Writes that must not delay an answer (the batched last_used_at of API keys), for
	 * after the response; `force` writes everything pending now (idle, or exiting). */
	void (*write_behind)(struct vs_db *, bool force);
	void (*stats)(const struct vs_db *, struct vs_db_stats *out);
};
struct vs_db {
	const struct vs_db_ops *ops;
};

#endif
