/*
 * libpq for the row-level security suite: connecting with the stack's URLs,
 * statements with text parameters, SQLSTATEs, statements tried inside a
 * savepoint, and CUnit assertions on results.
 */
#ifndef IT_PG_UTIL_H
#define IT_PG_UTIL_H

#include <libpq-fe.h>
#include <stdbool.h>

/* A connection, or NULL after a recorded failure. */
PGconn *pg_open(const char *url);
/* sql with n text parameters. Never NULL (a fatal result stands in for none). */
PGresult *pg_run(PGconn *c, const char *sql, int n, const char *const *params);
/*
 * sql inside a savepoint that is rolled back afterwards, whatever happened:
 * the transaction stays usable and keeps no effect of it.
 */
PGresult *pg_try(PGconn *c, const char *sql, int n, const char *const *params);
bool pg_succeeded(const PGresult *r);
/* The SQLSTATE of a failed result, "" for a success. */
const char *pg_sqlstate(const PGresult *r);
/* The value of row, col as a number; -1 when absent. */
long pg_long(const PGresult *r, int row, int col);
/* Rows a command touched (PQcmdTuples); -1 when it failed. */
long pg_touched(const PGresult *r);
/* The first line of the error, "" for a success; a static buffer. */
const char *pg_error(const PGresult *r);

#define EXPECT_PG_OK(r, what) \
	chk(pg_succeeded(r), __FILE__, __LINE__, "%s failed: %s", (what), pg_error(r))
/* Failed with SQLSTATE state (any error when state is NULL). */
#define EXPECT_PG_ERROR(r, state, what) \
	chk_pg_error((r), (state), (what), __FILE__, __LINE__)

bool chk_pg_error(const PGresult *r, const char *state, const char *what, const char *file,
		  int line);

/* As the application role (VS_DATABASE_URL), in one transaction rolled back at the end,
 * after `setup` (NULL: none): each of the n statements is refused with 42501. */
#define EXPECT_APP_REFUSED(setup, sql, n) chk_app_refused((setup), (sql), (n), __FILE__, __LINE__)
void chk_app_refused(const char *setup, const char *const *sql, size_t n, const char *file,
		     int line);

#endif
