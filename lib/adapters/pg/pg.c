#include "adapters/pg/pg.h"

#include "core/log.h"
#include "core/time.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKOFF_MIN_US 50000	/* first retry after 50 ms */
#define BACKOFF_MAX_US 2000000	/* then doubling up to 2 s */
#define MAX_PREPARED 256
#define MAX_LISTENERS 4

struct listener {
	const char *channel;
	vs_pg_notify_fn fn;
	void *ctx;
};

struct vs_pg {
	char *conninfo;
	const char *application_name; /* a static string */
	bool async_commit;	      /* synchronous_commit = off (vs_pg_async_commit) */
	long statement_timeout_ms;
	long wait_limit_ms; /* the longest any wait on the server may take (vs_pg_set_wait_limit) */
	PGconn *conn;
	int64_t next_attempt_us, backoff_us;
	const struct vs_pg_stmt *prepared[MAX_PREPARED];
	size_t nprepared;
	struct vs_pg_stats stats;
	struct listener listeners[MAX_LISTENERS];
	size_t nlisteners;
	bool auth_change; /* the open transaction changed keys, users, tenants or roles */
	/* Writes of the open transaction held back to its commit (vs_pg_defer). */
	struct {
		const struct vs_pg_stmt *stmt;
		char *param;
	} deferred[VS_PG_MAX_DEFERRED];
	size_t ndeferred;
};

struct vs_pg *vs_pg_new(const char *conninfo, const char *application_name,
		       long statement_timeout_ms)
{
	struct vs_pg *pg = calloc(1, sizeof(*pg));
	if (!pg || !(pg->conninfo = strdup(conninfo)))
		abort();
	pg->application_name = application_name;
	pg->statement_timeout_ms = statement_timeout_ms;
	/* Past the server's own statement_timeout, so that a live server answers first. */
	pg->wait_limit_ms = statement_timeout_ms + 1000;
	return pg;
}

void vs_pg_set_wait_limit(struct vs_pg *pg, long ms)
{
	pg->wait_limit_ms = ms;
}

void vs_pg_forget_deferred(struct vs_pg *pg)
{
	for (size_t i = 0; i < pg->ndeferred; i++)
		free(pg->deferred[i].param);
	pg->ndeferred = 0;
}

static void disconnect(struct vs_pg *pg)
{
	PQfinish(pg->conn);
	pg->conn = NULL;
	pg->nprepared = 0;
	vs_pg_forget_deferred(pg); /* their transaction is gone */
}

void vs_pg_async_commit(struct vs_pg *pg)
{
	pg->async_commit = true;
	disconnect(pg); /* the next connection gets the setting */
}

void vs_pg_free(struct vs_pg *pg)
{
	if (!pg)
		return;
	disconnect(pg);
	free(pg->conninfo);
	free(pg);
}

/* ---- bounded waits: libpq's own calls wait for the server for ever, and a server that is
 * stopped (SIGSTOP), partitioned away or overloaded would hold the request (and the
 * worker) for as long; its statement_timeout cannot fire. So every wait for an answer is
 * a poll with a deadline, and a server that misses it loses the connection: a cancel
 * request would itself wait on the same server. The request gets a 503. ---- */

static int64_t deadline_of(const struct vs_pg *pg)
{
	return vs_time_mono_us() + (int64_t)pg->wait_limit_ms * 1000;
}

/* Waits until conn's socket is ready for events; false when the deadline passed. */
static bool wait_socket(PGconn *conn, short events, int64_t deadline_us)
{
	for (;;) {
		int64_t left_ms = (deadline_us - vs_time_mono_us() + 999) / 1000;
		if (left_ms <= 0)
			return false;
		struct pollfd p = { .fd = PQsocket(conn), .events = events };
		int n = poll(&p, 1, left_ms > INT_MAX ? INT_MAX : (int)left_ms);
		if (n != 0 && !(n < 0 && errno == EINTR))
			return true; /* ready, or an error libpq will report */
	}
}

/* The next result of what was sent, as PQgetResult, or NULL with *late set at the
 * deadline. */
static PGresult *next_result(struct vs_pg *pg, int64_t deadline_us, bool *late)
{
	while (PQisBusy(pg->conn)) {
		if (!wait_socket(pg->conn, POLLIN, deadline_us)) {
			*late = true;
			return NULL;
		}
		if (!PQconsumeInput(pg->conn))
			break; /* PQgetResult reports the broken connection */
	}
	return PQgetResult(pg->conn);
}

/* No new connection before a backoff that doubles from 50 ms to 2 s. */
static void back_off(struct vs_pg *pg, int64_t now)
{
	pg->backoff_us = pg->backoff_us ? pg->backoff_us * 2 : BACKOFF_MIN_US;
	if (pg->backoff_us > BACKOFF_MAX_US)
		pg->backoff_us = BACKOFF_MAX_US;
	pg->next_attempt_us = now + pg->backoff_us;
}

static void drop_late(struct vs_pg *pg, const char *what)
{
	vs_log(VS_LOG_WARN, "the database did not answer %s within %ld ms; dropping the connection",
	       what, pg->wait_limit_ms);
	disconnect(pg);
	/* As after a failed connect: the rest of this request (a write-behind flush, say)
	 * and the next ones within the backoff answer at once instead of waiting again. */
	back_off(pg, vs_time_mono_us());
}

/* The outcome of the command just sent (sent: whether sending worked), as PQexec gives
 * it: the last result, or the first error. NULL when the server did not answer in time
 * (the connection is then gone: map_error answers VS_UNAVAILABLE). */
static PGresult *bounded_result(struct vs_pg *pg, bool sent, const char *what)
{
	if (!sent)
		return NULL;
	int64_t until = deadline_of(pg);
	bool late = false;
	PGresult *kept = NULL, *r;
	while ((r = next_result(pg, until, &late)) != NULL) {
		ExecStatusType st = PQresultStatus(kept);
		if (kept && (st == PGRES_FATAL_ERROR || st == PGRES_NONFATAL_ERROR)) {
			PQclear(r);
			continue;
		}
		PQclear(kept);
		kept = r;
		if (PQstatus(pg->conn) != CONNECTION_OK)
			break;
	}
	if (late) {
		PQclear(kept);
		drop_late(pg, what);
		return NULL;
	}
	return kept;
}

static PGresult *bounded_exec(struct vs_pg *pg, const char *sql)
{
	return bounded_result(pg, PQsendQuery(pg->conn, sql), "a statement");
}

/* libpq prints server notices to stderr, which is our JSON log: log them as lines. */
static void log_notice(void *arg, const char *message)
{
	(void)arg;
	char oneline[512];
	snprintf(oneline, sizeof(oneline), "%s", message);
	oneline[strcspn(oneline, "\n")] = '\0';
	vs_log(VS_LOG_INFO, "database notice: %s", oneline);
}

static bool configure_session(struct vs_pg *pg)
{
	PQsetNoticeProcessor(pg->conn, log_notice, NULL);
	char sql[384];
	/* Session settings, the same for every request; nothing request-specific (such as
	 * a tenant) is ever set at session level. Generic plans: see struct vs_pg_stmt. */
	snprintf(sql, sizeof(sql),
		 "SET statement_timeout = %ld; SET idle_in_transaction_session_timeout = %ld; "
		 "SET TimeZone = 'UTC'; SET application_name = '%s'; "
		 "SET plan_cache_mode = force_generic_plan; SET synchronous_commit = %s",
		 pg->statement_timeout_ms, pg->statement_timeout_ms * 2, pg->application_name,
		 pg->async_commit ? "off" : "on");
	PGresult *r = bounded_exec(pg, sql);
	bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	for (size_t i = 0; ok && i < pg->nlisteners; i++) {
		/* Channel names are our constants, not input. */
		snprintf(sql, sizeof(sql), "LISTEN %s", pg->listeners[i].channel);
		r = bounded_exec(pg, sql);
		ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	return ok;
}

/* PQconnectdb within the wait limit; NULL when the server did not answer in time. */
static PGconn *connect_bounded(const struct vs_pg *pg)
{
	PGconn *conn = PQconnectStart(pg->conninfo);
	if (!conn || PQstatus(conn) == CONNECTION_BAD)
		return conn;
	int64_t until = deadline_of(pg);
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		if (!wait_socket(conn, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, until)) {
			PQfinish(conn);
			return NULL;
		}
		st = PQconnectPoll(conn);
	}
	return conn;
}

static void connect_now(struct vs_pg *pg)
{
	int64_t now = vs_time_mono_us();
	disconnect(pg);
	pg->conn = connect_bounded(pg);
	if (pg->conn && PQstatus(pg->conn) == CONNECTION_OK && configure_session(pg)) {
		pg->stats.connects++;
		/* What was cached may have changed while away. */
		for (size_t i = 0; i < pg->nlisteners; i++)
			pg->listeners[i].fn(pg->listeners[i].ctx, NULL);
		pg->backoff_us = 0;
		pg->next_attempt_us = 0;
		vs_log(VS_LOG_INFO, "connected to the database");
		return;
	}
	pg->stats.connect_failures++;
	/* The message names host and user, never a password. */
	const char *msg = pg->conn ? PQerrorMessage(pg->conn) : "no answer within the wait limit";
	char oneline[256];
	snprintf(oneline, sizeof(oneline), "%s", msg);
	oneline[strcspn(oneline, "\n")] = '\0';
	disconnect(pg);
	back_off(pg, now);
	vs_log(VS_LOG_WARN, "could not connect to the database: %s", oneline);
}

/* Notifications that arrived (read while idle, or queued by libpq during queries). */
static void take_notifications(struct vs_pg *pg)
{
	PGnotify *n;
	while ((n = PQnotifies(pg->conn)) != NULL) {
		for (size_t i = 0; i < pg->nlisteners; i++) {
			if (strcmp(n->relname, pg->listeners[i].channel) == 0) {
				pg->listeners[i].fn(pg->listeners[i].ctx, n->extra);
				pg->stats.notifications++;
			}
		}
		PQfreemem(n);
	}
}

void vs_pg_mark_auth_change(struct vs_pg *pg)
{
	pg->auth_change = true;
}

bool vs_pg_take_auth_change(struct vs_pg *pg)
{
	bool changed = pg->auth_change;
	pg->auth_change = false;
	return changed;
}

void vs_pg_listen(struct vs_pg *pg, const char *channel, vs_pg_notify_fn fn, void *ctx)
{
	if (pg->nlisteners == MAX_LISTENERS)
		abort(); /* a programming error: raise MAX_LISTENERS */
	pg->listeners[pg->nlisteners++] = (struct listener){ channel, fn, ctx };
	if (pg->conn && PQtransactionStatus(pg->conn) == PQTRANS_IDLE) {
		char sql[128];
		snprintf(sql, sizeof(sql), "LISTEN %s", channel); /* our constant, not input */
		if (vs_pg_simple(pg, sql) != VS_OK)
			disconnect(pg); /* the next ensure connects and listens */
	}
}

enum vs_err vs_pg_wait(struct vs_pg *pg, int timeout_ms)
{
	enum vs_err rc = vs_pg_ensure(pg);
	if (rc != VS_OK) {
		int64_t wait_us = pg->next_attempt_us - vs_time_mono_us();
		if (wait_us > (int64_t)timeout_ms * 1000)
			wait_us = (int64_t)timeout_ms * 1000;
		if (wait_us > 0)
			poll(NULL, 0, (int)(wait_us / 1000));
		return rc;
	}
	struct pollfd p = { .fd = PQsocket(pg->conn), .events = POLLIN };
	if (poll(&p, 1, timeout_ms) > 0)
		return vs_pg_ensure(pg); /* reads what came and hands on the notifications */
	return VS_OK;
}

enum vs_err vs_pg_ensure(struct vs_pg *pg)
{
	if (pg->conn) {
		/* Reading what is pending (non-blocking) picks up notifications and notices a
		 * server that went away before a request uses the connection. */
		bool idle = PQtransactionStatus(pg->conn) == PQTRANS_IDLE;
		if (PQstatus(pg->conn) == CONNECTION_OK && (!idle || PQconsumeInput(pg->conn)) &&
		    PQstatus(pg->conn) == CONNECTION_OK) {
			take_notifications(pg);
			return VS_OK;
		}
		vs_log(VS_LOG_WARN, "lost the database connection");
		disconnect(pg);
	}
	if (vs_time_mono_us() < pg->next_attempt_us)
		return VS_UNAVAILABLE;
	connect_now(pg);
	return pg->conn ? VS_OK : VS_UNAVAILABLE;
}

int vs_pg_retry_after(const struct vs_pg *pg)
{
	(void)pg;
	return 1;
}

void vs_pg_request_done(struct vs_pg *pg)
{
	if (pg->conn && PQstatus(pg->conn) == CONNECTION_OK &&
	    PQtransactionStatus(pg->conn) != PQTRANS_IDLE) {
		PQclear(bounded_exec(pg, "ROLLBACK"));
	}
}

const struct vs_pg_stats *vs_pg_stats(const struct vs_pg *pg)
{
	return &pg->stats;
}

PGconn *vs_pg_conn(struct vs_pg *pg)
{
	return pg->conn;
}

enum vs_err vs_pg_sqlstate_err(const char *state)
{
	if (!state)
		return VS_INTERNAL;
	if (strcmp(state, "23505") == 0)
		return VS_CONFLICT;
	if (strcmp(state, "VSQ01") == 0) /* a limit of sql/015 */
		return VS_QUOTA;
	if (strcmp(state, "23503") == 0)
		return VS_NOTFOUND;
	if (strcmp(state, "23514") == 0 || strcmp(state, "22P02") == 0 ||
	    strcmp(state, "22001") == 0)
		return VS_INVALID;
	if (strcmp(state, "22021") == 0) /* invalid byte sequence for the encoding */
		return VS_BADREQ;
	/* Canceled (the statement timeout), the connection (08), an operator or a crash
	 * (57P01 admin shutdown, 57P02 crash shutdown, 57P03 starting up or in recovery),
	 * and the whole of class 53, insufficient resources: 53100 disk full, 53200 out of
	 * memory, 53300 too many connections, 53400 a configured limit. None is the
	 * request's fault and each passes once the server has recovered: 503 + Retry-After. */
	if (strcmp(state, "57014") == 0 || strncmp(state, "08", 2) == 0 ||
	    strncmp(state, "57P", 3) == 0 || strncmp(state, "53", 2) == 0)
		return VS_UNAVAILABLE;
	/* Serialization failure or deadlock: nothing conflicts with the request itself, so
	 * the client is told to retry (503 + Retry-After). */
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return VS_UNAVAILABLE;
	return VS_INTERNAL;
}

static enum vs_err map_error(struct vs_pg *pg, const PGresult *r, const char *what)
{
	if (!pg->conn || PQstatus(pg->conn) != CONNECTION_OK) {
		vs_log(VS_LOG_WARN, "lost the database connection during %s", what);
		disconnect(pg);
		return VS_UNAVAILABLE;
	}
	/* Every statement the database refused, as vs_db_query_errors_total says: expected
	 * ones (a duplicate, a serialization failure) too, which PostgreSQL's own log shows. */
	pg->stats.query_errors++;
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	enum vs_err rc = vs_pg_sqlstate_err(state);
	if (rc == VS_UNAVAILABLE && state && strncmp(state, "53", 2) == 0) {
		/* The server is short of disk, memory or connections: the client retries, the
		 * operator must hear of it. */
		const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		vs_log(VS_LOG_WARN, "the database could not run %s: %s (SQLSTATE %s)", what,
		       m ? m : "no message", state);
	}
	if (rc != VS_INTERNAL)
		return rc;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	vs_log(VS_LOG_ERROR, "could not run %s: %s (SQLSTATE %s)", what,
	       msg ? msg : PQerrorMessage(pg->conn), state ? state : "none");
	return VS_INTERNAL;
}

static bool is_prepared(const struct vs_pg *pg, const struct vs_pg_stmt *stmt)
{
	for (size_t i = 0; i < pg->nprepared; i++)
		if (pg->prepared[i] == stmt)
			return true;
	return false;
}

static enum vs_err prepare(struct vs_pg *pg, const struct vs_pg_stmt *stmt)
{
	if (is_prepared(pg, stmt))
		return VS_OK;
	if (pg->nprepared == MAX_PREPARED)
		abort(); /* a programming error: raise MAX_PREPARED */
	PGresult *r = bounded_result(
	    pg, PQsendPrepare(pg->conn, stmt->name, stmt->sql, stmt->nparams, NULL), stmt->name);
	enum vs_err rc = r && PQresultStatus(r) == PGRES_COMMAND_OK ? VS_OK
								     : map_error(pg, r, stmt->name);
	PQclear(r);
	if (rc == VS_OK)
		pg->prepared[pg->nprepared++] = stmt;
	return rc;
}

static void clear_result(void *r)
{
	PQclear(r);
}

struct pipelined {
	const struct vs_pg_stmt *stmt;
	const char *const *params;
	bool keep; /* the caller wants its result */
};

/* Reads the results of a pipeline up to its sync point; false if any failed. The first
 * failure goes to *failure (and its statement's number to *failed), the result of each
 * step marked keep to results[its number]; the caller clears them all. */
static bool drain_pipeline(struct vs_pg *pg, const struct pipelined *steps, int n,
			   PGresult **failure, int *failed, PGresult **results)
{
	bool ok = true, late = false;
	int index = 0;
	int64_t until = deadline_of(pg);
	for (;;) {
		PGresult *r = next_result(pg, until, &late);
		if (late) {
			drop_late(pg, steps[0].stmt->name);
			return false;
		}
		if (!r) {
			if (PQstatus(pg->conn) != CONNECTION_OK)
				return false;
			index++; /* end of one query's results */
			continue;
		}
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			return ok;
		}
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			if (ok) {
				*failure = r;
				*failed = index;
			} else {
				PQclear(r);
			}
			ok = false;
		} else if (index < n && steps[index].keep && !results[index]) {
			results[index] = r;
		} else {
			PQclear(r);
		}
	}
}

/* The statements and a sync in one round trip (libpq pipeline mode). Outside BEGIN they
 * are one implicit transaction, which ends at the sync. On VS_OK results[i] holds the
 * result of each step marked keep, for the caller to clear; on a failure, nothing. */
static enum vs_err run_pipeline(struct vs_pg *pg, const struct pipelined *steps, int n,
				PGresult **results)
{
	for (int i = 0; i < n; i++)
		results[i] = NULL;
	for (int i = 0; i < n; i++) {
		enum vs_err rc = prepare(pg, steps[i].stmt);
		if (rc != VS_OK)
			return rc;
	}
	bool sent = PQenterPipelineMode(pg->conn);
	for (int i = 0; sent && i < n; i++)
		sent = PQsendQueryPrepared(pg->conn, steps[i].stmt->name, steps[i].stmt->nparams,
					   steps[i].params, NULL, NULL, 0);
	PGresult *failure = NULL;
	int failed = 0; /* a failure to send is reported under the first kept step's name */
	while (failed < n - 1 && !steps[failed].keep)
		failed++;
	bool ok = sent && PQpipelineSync(pg->conn) &&
		  drain_pipeline(pg, steps, n, &failure, &failed, results);
	if (pg->conn && PQpipelineStatus(pg->conn) != PQ_PIPELINE_OFF)
		PQexitPipelineMode(pg->conn);
	if (ok)
		return VS_OK;
	enum vs_err rc = map_error(pg, failure, steps[failed].stmt->name);
	PQclear(failure);
	for (int i = 0; i < n; i++) {
		PQclear(results[i]);
		results[i] = NULL;
	}
	return rc;
}

/* The statements run between two changes of the session's plan mode, in one round trip:
 * PostgreSQL's own choice (plan_cache_mode auto), see vs_pg_page.
 * If one fails, its transaction (the caller's, or the pipeline's own) is aborted, and that
 * undoes the first change too. */
static enum vs_err run_auto_plan(struct vs_pg *pg, const struct pipelined *stmts, int n,
				 PGresult **results)
{
	static const struct vs_pg_stmt plan_mode = {
		"plan_mode", "SELECT set_config('plan_cache_mode', $1, false)", 1
	};
	static const char *const automatic[] = { "auto" };
	static const char *const generic[] = { "force_generic_plan" };
	struct pipelined steps[4] = { { &plan_mode, automatic, false } };
	PGresult *kept[4];
	if (n > 2)
		abort(); /* a programming error: make room */
	for (int i = 0; i < n; i++)
		results[i] = NULL;
	if (!pg->conn)
		return VS_UNAVAILABLE;
	for (int i = 0; i < n; i++)
		steps[1 + i] = stmts[i];
	steps[1 + n] = (struct pipelined){ &plan_mode, generic, false };
	enum vs_err rc = run_pipeline(pg, steps, n + 2, kept);
	for (int i = 0; i < n; i++)
		results[i] = kept[1 + i];
	return rc;
}

enum vs_err vs_pg_page(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *list,
		       const struct vs_pg_stmt *count, const char *const *params, PGresult **rows,
		       int64_t *total)
{
	const struct pipelined steps[] = { { list, params, true }, { count, params, true } };
	PGresult *results[2] = { NULL, NULL };
	*rows = NULL;
	if (count)
		*total = 0;
	enum vs_err rc = run_auto_plan(pg, steps, count ? 2 : 1, results);
	if (rc != VS_OK)
		return rc;
	vs_arena_defer(a, clear_result, results[0]);
	*rows = results[0];
	if (count) {
		*total = PQntuples(results[1]) == 1 ? vs_pg_int64(results[1], 0, 0) : 0;
		PQclear(results[1]);
	}
	return VS_OK;
}

/* Runs a statement; on VS_OK *res is its result, for the caller to clear. */
static enum vs_err execute(struct vs_pg *pg, const struct vs_pg_stmt *stmt,
			   const char *const *params, const int *lengths, const int *formats,
			   PGresult **res)
{
	*res = NULL;
	if (!pg->conn)
		return VS_UNAVAILABLE;
	enum vs_err rc = prepare(pg, stmt);
	if (rc != VS_OK)
		return rc;
	PGresult *r = bounded_result(pg,
				     PQsendQueryPrepared(pg->conn, stmt->name, stmt->nparams, params,
							 lengths, formats, 0),
				     stmt->name);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		rc = map_error(pg, r, stmt->name);
		PQclear(r);
		return rc;
	}
	*res = r;
	return VS_OK;
}

enum vs_err vs_pg_exec_ex(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *stmt,
			  const char *const *params, const int *lengths, const int *formats,
			  PGresult **res)
{
	if (res)
		*res = NULL;
	PGresult *r;
	enum vs_err rc = execute(pg, stmt, params, lengths, formats, &r);
	if (rc != VS_OK)
		return rc;
	if (res) {
		vs_arena_defer(a, clear_result, r);
		*res = r;
	} else {
		PQclear(r);
	}
	return VS_OK;
}

enum vs_err vs_pg_exec(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *stmt,
		       const char *const *params, PGresult **res)
{
	return vs_pg_exec_ex(pg, a, stmt, params, NULL, NULL, res);
}

enum vs_err vs_pg_exec_affected(struct vs_pg *pg, const struct vs_pg_stmt *stmt,
				const char *const *params, long *rows)
{
	*rows = 0;
	PGresult *r;
	enum vs_err rc = execute(pg, stmt, params, NULL, NULL, &r);
	if (rc != VS_OK)
		return rc;
	*rows = strtol(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return VS_OK;
}

enum vs_err vs_pg_scalar(struct vs_pg *pg, const struct vs_pg_stmt *stmt,
			 const char *const *params, char *out, size_t outlen)
{
	PGresult *r;
	enum vs_err rc = execute(pg, stmt, params, NULL, NULL, &r);
	if (rc != VS_OK)
		return rc;
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = map_error(pg, r, stmt->name);
	else if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0))
		rc = VS_NOTFOUND;
	else
		snprintf(out, outlen, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return rc;
}

static enum vs_err begin_with_once(struct vs_pg *pg, const struct vs_pg_stmt *stmt,
				   const char *const *params)
{
	static const struct vs_pg_stmt begin = { "begin", "BEGIN", 0 };
	if (!pg->conn)
		return VS_UNAVAILABLE;
	const struct pipelined steps[] = { { &begin, NULL, false }, { stmt, params, false } };
	PGresult *none[2];
	return run_pipeline(pg, steps, 2, none);
}

enum vs_err vs_pg_begin_with(struct vs_pg *pg, const struct vs_pg_stmt *stmt,
			     const char *const *params)
{
	enum vs_err rc = begin_with_once(pg, stmt, params);
	if (rc == VS_UNAVAILABLE && vs_pg_ensure(pg) == VS_OK)
		rc = begin_with_once(pg, stmt, params);
	if (rc != VS_OK && pg->conn && PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
		(void)vs_pg_simple(pg, "ROLLBACK");
	return rc;
}

enum vs_err vs_pg_scoped_reads(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *scope,
			       const struct vs_pg_stmt *query, const char *const *const *params,
			       int n, PGresult **res)
{
	struct pipelined steps[2 * VS_PG_MAX_SCOPED_READS];
	PGresult *results[2 * VS_PG_MAX_SCOPED_READS];
	if (n < 1 || n > VS_PG_MAX_SCOPED_READS)
		abort(); /* a programming error */
	for (int i = 0; i < n; i++)
		res[i] = NULL;
	if (!pg->conn)
		return VS_UNAVAILABLE;
	if (PQtransactionStatus(pg->conn) != PQTRANS_IDLE) /* the scope would outlive the read */
		return VS_INTERNAL;
	/* Outside BEGIN, the scopes hold until the sync, with no BEGIN or COMMIT to parse; a
	 * later scope replaces an earlier one. */
	for (int i = 0; i < n; i++) {
		steps[2 * i] = (struct pipelined){ scope, params[i], false };
		steps[2 * i + 1] = (struct pipelined){ query, params[i], true };
	}
	enum vs_err rc = run_pipeline(pg, steps, 2 * n, results);
	if (rc != VS_OK) {
		if (pg->conn && PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
			(void)vs_pg_simple(pg, "ROLLBACK");
		return rc;
	}
	for (int i = 0; i < n; i++) {
		vs_arena_defer(a, clear_result, results[2 * i + 1]);
		res[i] = results[2 * i + 1];
	}
	return VS_OK;
}

enum vs_err vs_pg_defer(struct vs_pg *pg, const struct vs_pg_stmt *stmt, const char *param)
{
	if (!pg->conn || PQtransactionStatus(pg->conn) != PQTRANS_INTRANS)
		return VS_INTERNAL; /* only inside a transaction: the commit sends it */
	if (pg->ndeferred == VS_PG_MAX_DEFERRED) { /* full: the oldest goes now */
		const char *params[] = { pg->deferred[0].param };
		enum vs_err rc = vs_pg_exec(pg, NULL, pg->deferred[0].stmt, params, NULL);
		free(pg->deferred[0].param);
		memmove(&pg->deferred[0], &pg->deferred[1],
			(pg->ndeferred - 1) * sizeof(pg->deferred[0]));
		pg->ndeferred--;
		if (rc != VS_OK)
			return rc;
	}
	char *copy = strdup(param);
	if (!copy)
		abort();
	pg->deferred[pg->ndeferred].stmt = stmt;
	pg->deferred[pg->ndeferred++].param = copy;
	return VS_OK;
}

enum vs_err vs_pg_commit(struct vs_pg *pg)
{
	static const struct vs_pg_stmt commit = { "commit", "COMMIT", 0 };
	if (!pg->conn) {
		vs_pg_forget_deferred(pg);
		return VS_UNAVAILABLE;
	}
	struct pipelined steps[VS_PG_MAX_DEFERRED + 1];
	PGresult *none[VS_PG_MAX_DEFERRED + 1];
	const char *params[VS_PG_MAX_DEFERRED][1];
	size_t n = pg->ndeferred;
	for (size_t i = 0; i < n; i++) {
		params[i][0] = pg->deferred[i].param;
		steps[i] = (struct pipelined){ pg->deferred[i].stmt, params[i], false };
	}
	steps[n] = (struct pipelined){ &commit, NULL, false };
	enum vs_err rc = run_pipeline(pg, steps, (int)n + 1, none);
	vs_pg_forget_deferred(pg);
	/* A held-back write that failed leaves the transaction aborted, COMMIT skipped. */
	if (rc != VS_OK && pg->conn && PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
		(void)vs_pg_simple(pg, "ROLLBACK");
	return rc;
}

enum vs_err vs_pg_simple(struct vs_pg *pg, const char *sql)
{
	if (!pg->conn)
		return VS_UNAVAILABLE;
	PGresult *r = bounded_exec(pg, sql);
	enum vs_err rc = r && PQresultStatus(r) == PGRES_COMMAND_OK ? VS_OK : map_error(pg, r, sql);
	PQclear(r);
	return rc;
}

const char *vs_pg_text(struct vs_arena *a, const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return vs_arena_strndup(a, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

bool vs_pg_bool(const PGresult *r, int row, int col)
{
	return PQgetvalue(r, row, col)[0] == 't';
}

int64_t vs_pg_int64(const PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

void vs_pg_uuid(const PGresult *r, int row, int col, vs_uuid *out)
{
	const char *s = PQgetvalue(r, row, col);
	if (!vs_uuid_parse(s, strlen(s), out))
		memset(out, 0, sizeof(*out));
}

enum vs_err vs_pg_schema_version(struct vs_pg *pg, long *version)
{
	static const struct vs_pg_stmt stmt = {
		"schema_version", "SELECT coalesce(max(version), 0) FROM vs_meta.schema_migrations", 0
	};
	char v[24];
	enum vs_err rc = vs_pg_scalar(pg, &stmt, NULL, v, sizeof(v));
	*version = rc == VS_OK ? strtol(v, NULL, 10) : 0;
	return rc;
}
