/* One persistent libpq connection per worker: reconnect with backoff, per-connection
 * prepared statements, SQLSTATE → vs_err mapping. Results are cleared with the arena. */
#ifndef VS_ADAPTERS_PG_H
#define VS_ADAPTERS_PG_H

#include "core/arena.h"
#include "core/err.h"
#include "core/uuid.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

struct vs_pg;

/* A statement, prepared on first use on each connection under its name. The session
 * plans each statement once, for any parameters (a generic plan): with the row-level
 * security policies, planning can cost 30 times what executing a lookup does, and
 * PostgreSQL would otherwise plan afresh on every call a statement whose NULL parameter
 * folds a sub-select away. See vs_pg_page for the exception. */
struct vs_pg_stmt {
	const char *name;
	const char *sql;
	int nparams;
};

/* Lookups in a worker's cache; rejected_hits: ids known not to exist (key cache). */
struct vs_cache_stats {
	unsigned long hits, misses, rejected_hits;
};

struct vs_pg_stats {
	unsigned long connects, connect_failures, query_errors, notifications;
};

/* Channels the database notifies on (sql/002_rbac_rls.sql, sql/003_api_keys.sql):
 * roles, role permissions or assignments changed; a key, a user or a tenant changed. */
#define VS_PG_AUTHZ_CHANNEL "vs_authz"
#define VS_PG_KEYS_CHANNEL "vs_keys"
/* A job was enqueued (sql/011_jobs.sql); only the job runner's listener listens. */
#define VS_PG_JOBS_CHANNEL "vs_jobs"

/* Called for each notification on a channel; payload NULL means "anything may have
 * changed" (a reconnection: notifications may have been missed). */
typedef void (*vs_pg_notify_fn)(void *ctx, const char *payload);

/* Copies conninfo. Does not connect yet. */
/* application_name: a constant ("vs-fcgi"), as pg_stat_activity shows the sessions. */
struct vs_pg *vs_pg_new(const char *conninfo, const char *application_name,
		       long statement_timeout_ms);
/* The longest a wait for the server may take (default: the statement timeout plus a
 * second); past it the connection is dropped and the call answers VS_UNAVAILABLE. */
void vs_pg_set_wait_limit(struct vs_pg *pg, long ms);
/* Commits on this connection do not wait for the WAL flush. Only for work that a crash
 * may undo safely: the job runner's queue calls (a lost claim leaves the job queued, a
 * lost outcome leaves it running until its lease is rescued and it runs again). */
void vs_pg_async_commit(struct vs_pg *pg);
void vs_pg_free(struct vs_pg *pg);

/* Makes sure there is a usable connection, reconnecting when the backoff allows.
 * VS_UNAVAILABLE while the database is away. */
enum vs_err vs_pg_ensure(struct vs_pg *pg);
/* Seconds a client should wait before retrying while the database is away. */
int vs_pg_retry_after(const struct vs_pg *pg);
/* Ends whatever the request left open (a transaction after an error). */
void vs_pg_request_done(struct vs_pg *pg);
const struct vs_pg_stats *vs_pg_stats(const struct vs_pg *pg);
/* LISTENs on channel on every connection (from now on, and after each reconnection) and
 * hands its notifications to fn. */
void vs_pg_listen(struct vs_pg *pg, const char *channel, vs_pg_notify_fn fn, void *ctx);
/* Waits up to timeout_ms for something from the server (a notification) on an idle
 * connection, and hands what came to the listeners. VS_UNAVAILABLE while the database is
 * away (after the backoff's share of the wait). */
enum vs_err vs_pg_wait(struct vs_pg *pg, int timeout_ms);

/* What a statement's SQLSTATE means for the request (NULL: none was given):
 * 23505 → CONFLICT, VSQ01 (a limit, sql/015) → QUOTA, 23503 → NOTFOUND,
 * 23514/22P02/22001 → INVALID, 22021 → BADREQ;
 * connection (08), cancel (57014), shutdown or recovery (57P), insufficient resources
 * (class 53: disk full, out of memory, too many connections), serialization failure and
 * deadlock → UNAVAILABLE (503 + Retry-After); anything else → INTERNAL. */
enum vs_err vs_pg_sqlstate_err(const char *state);

/* Runs stmt with text params (NULL = SQL NULL). On VS_OK *res (if res is not NULL) is a
 * result of status TUPLES_OK or COMMAND_OK, owned by the arena. Errors map as:
 * unique violation → CONFLICT, foreign key → NOTFOUND, check/invalid text → INVALID,
 * lost connection or timeout → UNAVAILABLE, anything else → INTERNAL (logged). */
enum vs_err vs_pg_exec(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *stmt,
		       const char *const *params, PGresult **res);
/* Same with explicit lengths and formats, for binary parameters. */
enum vs_err vs_pg_exec_ex(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *stmt,
			  const char *const *params, const int *lengths, const int *formats,
			  PGresult **res);

/* One page of a list and the list's total, in one round trip: `list` takes params (its
 * filters, then offset and limit), `count` the first count->nparams of them. *rows is
 * owned by the arena. A list's filters are optional ("$1 IS NULL OR …"), so both get
 * PostgreSQL's own choice of plan (plan_cache_mode auto): their first calls are planned
 * for their values, and later ones keep that while it is cheaper than one plan for all,
 * so that an index on a given filter is used. Forcing a plan per call halved the lists'
 * throughput. Without `count` (NULL) *total is left as it is. */
enum vs_err vs_pg_page(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *list,
		       const struct vs_pg_stmt *count, const char *const *params, PGresult **rows,
		       int64_t *total);

/* For INSERT/UPDATE/DELETE: runs stmt and reports how many rows it touched. */
enum vs_err vs_pg_exec_affected(struct vs_pg *pg, const struct vs_pg_stmt *stmt,
				const char *const *params, long *rows);

/* Runs a query of one row and one column and copies the value into out (truncated to
 * outlen - 1 bytes). No row → NOTFOUND. */
enum vs_err vs_pg_scalar(struct vs_pg *pg, const struct vs_pg_stmt *stmt,
			 const char *const *params, char *out, size_t outlen);

/* The highest migration applied (0 before the first). */
enum vs_err vs_pg_schema_version(struct vs_pg *pg, long *version);

/* BEGIN followed by stmt(params) in one round trip (libpq pipeline mode), e.g. to set the
 * transaction's scope. A connection found dead is replaced and the pair sent again, since
 * nothing has happened yet. */
enum vs_err vs_pg_begin_with(struct vs_pg *pg, const struct vs_pg_stmt *stmt,
			     const char *const *params);

/* n pairs, scope(params[i]) then query(params[i]), in one transaction of their own and
 * one round trip (a pipeline): each query runs in the scope set just before it. Only
 * outside a transaction. On VS_OK res[i] is the result of query i, owned by the arena; a
 * failure of any fails all. n: 1 to VS_PG_MAX_SCOPED_READS. */
#define VS_PG_MAX_SCOPED_READS 16
enum vs_err vs_pg_scoped_reads(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *scope,
			       const struct vs_pg_stmt *query, const char *const *const *params,
			       int n, PGresult **res);

/* Marks the current transaction as changing what workers cache about keys and
 * permissions; its commit then bumps the host epoch. */
void vs_pg_mark_auth_change(struct vs_pg *pg);
/* Whether the transaction being committed was marked; clears the mark. */
bool vs_pg_take_auth_change(struct vs_pg *pg);

/* Holds back a write of one text parameter to the commit of the transaction open now,
 * which sends it and COMMIT in one round trip (vs_pg_commit): an audit event costs no
 * round trip of its own. Nothing reads it before then. At most VS_PG_MAX_DEFERRED are
 * held; one more sends the oldest at once. Only inside a transaction (else INTERNAL). */
#define VS_PG_MAX_DEFERRED 8
enum vs_err vs_pg_defer(struct vs_pg *pg, const struct vs_pg_stmt *stmt, const char *param);
/* The held-back writes and COMMIT, one round trip; any failure rolls back. */
enum vs_err vs_pg_commit(struct vs_pg *pg);
/* Drops the held-back writes (a rollback). */
void vs_pg_forget_deferred(struct vs_pg *pg);

/* Simple statements without parameters (BEGIN, COMMIT, …), for the adapter and tools. */
enum vs_err vs_pg_simple(struct vs_pg *pg, const char *sql);
PGconn *vs_pg_conn(struct vs_pg *pg);

/* Row helpers: text value or NULL, booleans, int64, UUIDs, epoch seconds. */
const char *vs_pg_text(struct vs_arena *a, const PGresult *r, int row, int col);
bool vs_pg_bool(const PGresult *r, int row, int col);
int64_t vs_pg_int64(const PGresult *r, int row, int col);
void vs_pg_uuid(const PGresult *r, int row, int col, vs_uuid *out);

#endif
