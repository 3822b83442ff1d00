#include "pg_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

PGconn *pg_open(const char *url)
{
	PGconn *c = PQconnectdb(url);

	if (PQstatus(c) != CONNECTION_OK) {
		EXPECT(false, "cannot connect to %s: %s", url, PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

PGresult *pg_run(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);

	return r ? r : PQmakeEmptyPGresult(c, PGRES_FATAL_ERROR);
}

PGresult *pg_try(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r;

	PQclear(pg_run(c, "SAVEPOINT it_try", 0, NULL));
	r = pg_run(c, sql, n, params);
	PQclear(pg_run(c, "ROLLBACK TO SAVEPOINT it_try", 0, NULL));
	PQclear(pg_run(c, "RELEASE SAVEPOINT it_try", 0, NULL));
	return r;
}

bool pg_succeeded(const PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);

	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

const char *pg_sqlstate(const PGresult *r)
{
	const char *s = pg_succeeded(r) ? NULL : PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return s ? s : "";
}

long pg_long(const PGresult *r, int row, int col)
{
	if (!pg_succeeded(r) || row >= PQntuples(r) || col >= PQnfields(r) ||
	    PQgetisnull(r, row, col))
		return -1;
	return atol(PQgetvalue(r, row, col));
}

long pg_touched(const PGresult *r)
{
	const char *n = pg_succeeded(r) ? PQcmdTuples((PGresult *)r) : "";

	return *n ? atol(n) : -1;
}

const char *pg_error(const PGresult *r)
{
	static char buf[300];
	const char *m = PQresultErrorMessage(r);

	snprintf(buf, sizeof(buf), "%s", m ? m : "");
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

bool chk_pg_error(const PGresult *r, const char *state, const char *what, const char *file,
		  int line)
{
	if (pg_succeeded(r))
		return chk(false, file, line, "%s should fail%s%s, but succeeded (%ld rows)", what,
			   state ? " with SQLSTATE " : "", state ? state : "",
			   PQntuples(r) ? (long)PQntuples(r) : pg_touched(r));
	return chk(!state || strcmp(pg_sqlstate(r), state) == 0, file, line,
		   "%s should fail with SQLSTATE %s, failed with %s: %s", what, state,
		   pg_sqlstate(r), pg_error(r));
}

void chk_app_refused(const char *setup, const char *const *sql, size_t n, const char *file,
		     int line)
{
	PGconn *db = pg_open(getenv("VS_DATABASE_URL"));
	if (!db)
		return;
	PGresult *r = pg_run(db, "BEGIN", 0, NULL);
	PQclear(r);
	if (setup) {
		r = pg_run(db, setup, 0, NULL);
		PQclear(r);
	}
	for (size_t i = 0; i < n; i++) {
		r = pg_try(db, sql[i], 0, NULL);
		chk_pg_error(r, "42501", sql[i], file, line);
		PQclear(r);
	}
	r = pg_run(db, "ROLLBACK", 0, NULL);
	PQclear(r);
	PQfinish(db);
}
