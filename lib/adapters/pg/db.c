/* The transaction port and the database lifecycle port over one connection. */
#include "adapters/pg/host_epoch.h"
#include "adapters/pg/util.h"
#include "adapters/pg/wiring.h"

#include <stddef.h>
#include <stdlib.h>

#define MAX_HOOKS 4

struct write_behind_hook {
	void (*fn)(void *ctx, bool force);
	void *ctx;
};
struct stats_hook {
	void (*fn)(void *ctx, struct vs_db_stats *out);
	void *ctx;
};

struct vs_pg_db {
	struct vs_tx tx;
	struct vs_db base;
	struct vs_pg *pg;
	int depth;   /* nesting of begin calls; only depth 0 → 1 reaches the database */
	bool doomed; /* an inner rollback happened: the outermost commit rolls back */
	struct vs_host_epoch *epoch; /* bumped when a commit changed keys or permissions */
	struct write_behind_hook write_behind[MAX_HOOKS];
	struct stats_hook stats[MAX_HOOKS];
	size_t nwrite_behind, nstats;
};

static struct vs_pg_db *of_tx(struct vs_tx *tx)
{
	return (struct vs_pg_db *)((char *)tx - offsetof(struct vs_pg_db, tx));
}

static struct vs_pg_db *of_port(const struct vs_db *port)
{
	return (struct vs_pg_db *)((const char *)port - offsetof(struct vs_pg_db, base));
}

static const struct vs_pg_stmt scope_stmt = {
	"tx_enter_scope", "SELECT iam.enter_scope($1, $2, $3)", 3
};

static enum vs_err tx_begin(struct vs_tx *self, const struct vs_scope *scope)
{
	struct vs_pg_db *db = of_tx(self);
	if (db->depth++ > 0)
		return VS_OK;
	db->doomed = false;
	(void)vs_pg_take_auth_change(db->pg);
	vs_pg_forget_deferred(db->pg); /* nothing of an earlier transaction */
	struct pg_uuid_text t, u;
	const char *params[] = {
		scope ? pg_uuid_param(&t, scope->tenant) : NULL,
		scope ? pg_uuid_param(&u, scope->user) : NULL,
		pg_bool_param(scope && scope->operator),
	};
	/* Every transaction states its scope, an empty one included: nothing is inherited
	 * from the previous transaction on this connection. */
	enum vs_err rc = vs_pg_begin_with(db->pg, &scope_stmt, params);
	if (rc != VS_OK)
		db->depth = 0;
	return rc;
}

static enum vs_err tx_commit(struct vs_tx *self)
{
	struct vs_pg_db *db = of_tx(self);
	if (db->depth == 0)
		return VS_INTERNAL;
	if (--db->depth > 0)
		return VS_OK;
	bool auth_change = vs_pg_take_auth_change(db->pg);
	if (db->doomed) {
		vs_pg_forget_deferred(db->pg);
		(void)vs_pg_simple(db->pg, "ROLLBACK");
		return VS_INTERNAL;
	}
	enum vs_err rc = vs_pg_commit(db->pg);
	/* Before the response leaves: the host's other workers see the change at their
	 * very next check. */
	if (rc == VS_OK && auth_change)
		vs_host_epoch_bump(db->epoch);
	return rc;
}

static void tx_rollback(struct vs_tx *self)
{
	struct vs_pg_db *db = of_tx(self);
	if (db->depth == 0)
		return;
	if (--db->depth > 0) {
		db->doomed = true;
		return;
	}
	(void)vs_pg_take_auth_change(db->pg);
	vs_pg_forget_deferred(db->pg);
	(void)vs_pg_simple(db->pg, "ROLLBACK");
}

static const struct vs_tx_ops tx_ops = { tx_begin, tx_commit, tx_rollback };

static enum vs_err db_ensure(struct vs_db *self)
{
	return vs_pg_ensure(of_port(self)->pg);
}

static int db_retry_after(const struct vs_db *self)
{
	return vs_pg_retry_after(of_port(self)->pg);
}

static enum vs_err db_schema_version(struct vs_db *self, long *version)
{
	return vs_pg_schema_version(of_port(self)->pg, version);
}

static void db_request_done(struct vs_db *self)
{
	struct vs_pg_db *db = of_port(self);
	db->depth = 0;
	db->doomed = false;
	(void)vs_pg_take_auth_change(db->pg);
	vs_pg_forget_deferred(db->pg); /* nothing of an earlier transaction */
	vs_pg_request_done(db->pg);
}

static void db_write_behind(struct vs_db *self, bool force)
{
	struct vs_pg_db *db = of_port(self);
	for (size_t i = 0; i < db->nwrite_behind; i++)
		db->write_behind[i].fn(db->write_behind[i].ctx, force);
}

static void db_stats(const struct vs_db *self, struct vs_db_stats *out)
{
	const struct vs_pg_db *db = of_port(self);
	const struct vs_pg_stats *pg = vs_pg_stats(db->pg);
	*out = (struct vs_db_stats){
		.connects = pg->connects,
		.connect_failures = pg->connect_failures,
		.query_errors = pg->query_errors,
		.notifications = pg->notifications,
	};
	for (size_t i = 0; i < db->nstats; i++)
		db->stats[i].fn(db->stats[i].ctx, out);
}

static const struct vs_db_ops db_ops = {
	.ensure = db_ensure,
	.retry_after = db_retry_after,
	.schema_version = db_schema_version,
	.request_done = db_request_done,
	.write_behind = db_write_behind,
	.stats = db_stats,
};

struct vs_pg_db *vs_pg_db_new(struct vs_pg *pg, struct vs_host_epoch *epoch,
			      struct vs_arena *owned)
{
	struct vs_pg_db *db = vs_arena_alloc(owned, sizeof(*db));
	db->tx.ops = &tx_ops;
	db->base.ops = &db_ops;
	db->pg = pg;
	db->epoch = epoch;
	return db;
}

struct vs_tx *vs_pg_db_tx(struct vs_pg_db *db)
{
	return &db->tx;
}

struct vs_db *vs_pg_db_port(struct vs_pg_db *db)
{
	return &db->base;
}

void vs_pg_db_on_write_behind(struct vs_pg_db *db, void (*fn)(void *ctx, bool force), void *ctx)
{
	if (db->nwrite_behind == MAX_HOOKS)
		abort(); /* a programming error: raise MAX_HOOKS */
	db->write_behind[db->nwrite_behind++] = (struct write_behind_hook){ fn, ctx };
}

void vs_pg_db_on_stats(struct vs_pg_db *db, void (*fn)(void *ctx, struct vs_db_stats *out),
		       void *ctx)
{
	if (db->nstats == MAX_HOOKS)
		abort(); /* a programming error: raise MAX_HOOKS */
	db->stats[db->nstats++] = (struct stats_hook){ fn, ctx };
}
