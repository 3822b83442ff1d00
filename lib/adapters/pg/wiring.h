/* How the pg adapter is put together (runtime/runtime.c): one connection, one db object
 * that implements the transaction and the database lifecycle ports, and each module's
 * repositories wired onto them by the module's vs_pg_<module>_wire function. */
#ifndef VS_ADAPTERS_PG_WIRING_H
#define VS_ADAPTERS_PG_WIRING_H

#include "adapters/pg/pg.h"
#include "app/app.h"
#include "app/db.h"
#include "core/arena.h"
#include "core/config.h"

#include <stdbool.h>

struct vs_host_epoch;
struct vs_pg_db;

/* What a module's repositories are built from. Everything they allocate for their life
 * comes from `owned` (freed, and its deferred cleanups run, when the runtime closes). */
struct vs_pg_wiring {
	struct vs_pg *pg;
	struct vs_pg_db *db;
	struct vs_arena *owned;
	struct vs_host_epoch *epoch; /* shared by the host's workers, or NULL */
	const struct vs_config *cfg;
};

/* Implements app->tx and app->db over pg; allocated in owned. */
struct vs_pg_db *vs_pg_db_new(struct vs_pg *pg, struct vs_host_epoch *epoch,
			      struct vs_arena *owned);
struct vs_tx *vs_pg_db_tx(struct vs_pg_db *db);
struct vs_db *vs_pg_db_port(struct vs_pg_db *db);

/* A module's work for after the response (vs_db write_behind), and its share of the
 * counters (vs_db stats). At most a handful of each. */
void vs_pg_db_on_write_behind(struct vs_pg_db *db, void (*fn)(void *ctx, bool force), void *ctx);
void vs_pg_db_on_stats(struct vs_pg_db *db, void (*fn)(void *ctx, struct vs_db_stats *out),
		       void *ctx);

/* Every module with repositories in the pg adapter: vs_pg_<module>_wire (in
 * adapters/pg/<module>/) builds them over w and sets the module's ports in app. One line
 * per module; runtime/runtime.c wires them in this order. */
#define VS_PG_MODULES(X)                                                                   \
	X(users)                                                                            \
	X(tenants)                                                                          \
	X(roles)                                                                            \
	X(assignments)                                                                      \
	X(api_keys)                                                                         \
	X(sessions)                                                                         \
	X(jobs)                                                                             \
	X(invitations)                                                                      \
	X(limits)                                                                           \
	X(audit)                                                                            \
	X(webhooks)

#define VS_PG_DECLARE_WIRE(m) void vs_pg_##m##_wire(const struct vs_pg_wiring *w, struct vs_app *app);
VS_PG_MODULES(VS_PG_DECLARE_WIRE)
#undef VS_PG_DECLARE_WIRE

#endif
