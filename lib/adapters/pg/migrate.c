#include "adapters/pg/migrate.h"

#include "core/crypto.h"
#include "core/hex.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCK_KEY "7428010017" /* any constant shared by every runner */
#define MAX_MIGRATIONS 999

struct migration {
	int version;
	char name[256];
};

static bool exec_ok(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(r);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(err, errlen, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

static int by_version(const void *a, const void *b)
{
	return ((const struct migration *)a)->version - ((const struct migration *)b)->version;
}

/* NNN_name.sql files of dir, sorted; duplicate numbers are an error. */
static int list_migrations(const char *dir, struct migration *out, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "could not open %s: %s", dir, strerror(errno));
		return -1;
	}
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < MAX_MIGRATIONS) {
		const char *s = de->d_name;
		size_t len = strlen(s);
		if (len < 9 || len >= sizeof(out->name) || s[3] != '_' ||
		    strcmp(s + len - 4, ".sql") != 0 || s[0] < '0' || s[0] > '9' || s[1] < '0' ||
		    s[1] > '9' || s[2] < '0' || s[2] > '9')
			continue;
		out[n].version = atoi(s);
		snprintf(out[n].name, sizeof(out[n].name), "%s", s);
		n++;
	}
	closedir(d);
	qsort(out, (size_t)n, sizeof(*out), by_version);
	for (int i = 1; i < n; i++) {
		if (out[i].version == out[i - 1].version) {
			snprintf(err, errlen, "two migrations have number %03d", out[i].version);
			return -1;
		}
	}
	return n;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
	if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[size] = '\0';
		*len = (size_t)size;
	}
	return buf;
}

/* The checksum recorded for an applied migration, or NULL when not applied. */
static char *applied_checksum(PGconn *conn, int version)
{
	char v[16];
	snprintf(v, sizeof(v), "%d", version);
	const char *params[] = { v };
	PGresult *r = PQexecParams(conn,
				   "SELECT checksum FROM vs_meta.schema_migrations WHERE version = $1",
				   1, NULL, params, NULL, NULL, 0);
	char *sum = NULL;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		sum = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return sum;
}

static bool apply_one(PGconn *conn, const char *dir, const struct migration *m, int *applied,
		      char *err, size_t errlen)
{
	char path[4096], sum[2 * VS_SHA256_LEN + 1], v[16];
	uint8_t digest[VS_SHA256_LEN];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, m->name);
	char *sql = read_file(path, &len);
	if (!sql) {
		snprintf(err, errlen, "could not read %s: %s", path, strerror(errno));
		return false;
	}
	vs_sha256(sql, len, digest);
	vs_hex_encode(digest, sizeof(digest), sum);

	char *done = applied_checksum(conn, m->version);
	bool ok = true;
	if (done) {
		/* An applied migration that changed would leave databases that differ. */
		if (strcmp(done, sum) != 0) {
			snprintf(err, errlen, "%s was changed after it was applied", m->name);
			ok = false;
		}
		free(done);
		free(sql);
		return ok;
	}
	snprintf(v, sizeof(v), "%d", m->version);
	const char *params[] = { v, m->name, sum };
	ok = exec_ok(conn, "BEGIN", err, errlen) && exec_ok(conn, sql, err, errlen);
	if (ok) {
		PGresult *r = PQexecParams(conn,
					   "INSERT INTO vs_meta.schema_migrations "
					   "(version, name, checksum) VALUES ($1, $2, $3)",
					   3, NULL, params, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			snprintf(err, errlen, "%s", PQresultErrorMessage(r));
		PQclear(r);
	}
	ok = ok && exec_ok(conn, "COMMIT", err, errlen);
	if (!ok) {
		char ignored[8];
		exec_ok(conn, "ROLLBACK", ignored, sizeof(ignored));
		size_t used = strlen(err);
		snprintf(err + used, errlen - used, " (in %s; nothing of it was applied)", m->name);
	} else {
		printf("applied %s\n", m->name);
		(*applied)++;
	}
	free(sql);
	return ok;
}

/* The application role reads and writes the data, and owns nothing (SECURITY.md): every
 * schema the owner made (a module's migration makes its own) is the application's to use,
 * less what a migration restricted in vs_meta.app_privileges. The role's name travels in a
 * setting so that the block quotes it itself (%I). */
static const char grant_sql[] =
	"DO $grant$ "
	"DECLARE app text := current_setting('vs.app_role'); s record; p record; "
	"BEGIN "
	"  FOR s IN SELECT nspname FROM pg_namespace WHERE nspowner = "
	"      (SELECT oid FROM pg_roles WHERE rolname = current_user) AND nspname <> 'vs_meta' "
	"  LOOP "
	"    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s.nspname, app); "
	"    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I "
	"                    TO %I', s.nspname, app); "
	"    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO %I', s.nspname, app); "
	"  END LOOP; "
	"  FOR p IN SELECT * FROM vs_meta.app_privileges LOOP "
	"    EXECUTE format('REVOKE ALL ON %I.%I FROM %I', p.schema_name, p.table_name, app); "
	"    IF p.privileges <> '' THEN "
	"      EXECUTE format('GRANT %s ON %I.%I TO %I', p.privileges, p.schema_name, "
	"                     p.table_name, app); "
	"    END IF; "
	"  END LOOP; "
	"  EXECUTE format('GRANT USAGE ON SCHEMA vs_meta TO %I', app); "
	"  EXECUTE format('GRANT SELECT ON vs_meta.schema_migrations TO %I', app); "
	"END $grant$";

static bool grant_app_role(PGconn *conn, const char *role, char *err, size_t errlen)
{
	const char *params[] = { role };
	PGresult *r = PQexecParams(conn, "SELECT set_config('vs.app_role', $1, false)", 1, NULL,
				   params, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(err, errlen, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return ok && exec_ok(conn, grant_sql, err, errlen);
}

enum vs_err vs_migrate(PGconn *conn, const char *dir, const char *app_role, int *applied,
		       char *err, size_t errlen)
{
	static struct migration list[MAX_MIGRATIONS];
	*applied = 0;
	int n = list_migrations(dir, list, err, errlen);
	if (n < 0)
		return VS_INVALID;
	if (!exec_ok(conn, "SELECT pg_advisory_lock(" LOCK_KEY ")", err, errlen))
		return VS_UNAVAILABLE;
	bool ok = exec_ok(conn,
			  "SET client_min_messages = warning; "
			  "CREATE SCHEMA IF NOT EXISTS vs_meta; "
			  "CREATE TABLE IF NOT EXISTS vs_meta.schema_migrations ("
			  "version integer PRIMARY KEY, name text NOT NULL, "
			  "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now()); "
			  /* What the application role may do to a table, when not all of
			   * SELECT, INSERT, UPDATE, DELETE: rows written by migrations. */
			  "CREATE TABLE IF NOT EXISTS vs_meta.app_privileges ("
			  "schema_name text NOT NULL, table_name text NOT NULL, "
			  "privileges text NOT NULL CHECK (privileges ~ "
			  "'^((SELECT|INSERT|UPDATE|DELETE)(, (SELECT|INSERT|UPDATE|DELETE))*)?$'), "
			  "PRIMARY KEY (schema_name, table_name))",
			  err, errlen);
	for (int i = 0; ok && i < n; i++)
		ok = apply_one(conn, dir, &list[i], applied, err, errlen);
	if (ok && app_role && *app_role)
		ok = grant_app_role(conn, app_role, err, errlen);
	char ignored[8];
	exec_ok(conn, "SELECT pg_advisory_unlock(" LOCK_KEY ")", ignored, sizeof(ignored));
	return ok ? VS_OK : VS_INTERNAL;
}
