/* Row-level security, run as the application role over libpq: catalog, reads and writes across tenants, foreign keys, no scope, no inherited scope; and over HTTP. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "pg_util.h"
#include "rbac_world.h"
#include "suites.h"
#include "util.h"

#define NIL_UUID "00000000-0000-0000-0000-000000000000"
#define NOT_SYSTEM_SCHEMA(col) \
	"(" col " NOT LIKE 'pg\\_%' AND " col " <> 'information_schema')"

static const char *app_url, *owner_url;
static PGconn *app, *owner;
static struct rbac_world world;
static bool world_tried, world_ok;

static int suite_init(void)
{
	app_url = getenv("VS_DATABASE_URL");
	owner_url = getenv("VS_OWNER_DATABASE_URL");
	if (!app_url || !*app_url || !owner_url || !*owner_url) {
		fprintf(stderr, "rls: VS_DATABASE_URL and VS_OWNER_DATABASE_URL must be set "
				"(tests/integration/run exports them)\n");
		return -1;
	}
	return 0;
}

static int suite_cleanup(void)
{
	if (app)
		PQfinish(app);
	if (owner)
		PQfinish(owner);
	app = owner = NULL;
	if (world_tried)
		rw_free(&world);
	world_tried = world_ok = false;
	return 0;
}

/* Connections, and for the data tests the tenants A and B with their roles and users. */
static bool connected(void)
{
	if (!app)
		app = pg_open(app_url);
	if (!owner)
		owner = pg_open(owner_url);
	return app && owner;
}

static struct rbac_world *get_world(void)
{
	if (!world_tried) {
		world_tried = true;
		world_ok = rw_build(&world);
	}
	EXPECT(world_ok, "could not build tenants A and B (the first failure above says why)");
	return world_ok && connected() ? &world : NULL;
}

/* The rows of a catalog query, one "a b c" line each, for messages; "" when none. */
static char *rows_text(const PGresult *r)
{
	char *out = xstrdup("");

	for (int i = 0; pg_succeeded(r) && i < PQntuples(r) && i < 20; i++) {
		char *next = xasprintf("%s%s", out, i ? "; " : "");

		free(out);
		out = next;
		for (int j = 0; j < PQnfields(r); j++) {
			next = xasprintf("%s%s%s", out, j ? " " : "", PQgetvalue(r, i, j));
			free(out);
			out = next;
		}
	}
	return out;
}

/* The catalog query must return no rows; the rows name the offenders. */
static void expect_no_rows(PGconn *c, const char *sql, const char *param, const char *what)
{
	const char *params[] = { param };
	PGresult *r = pg_run(c, sql, param ? 1 : 0, params);
	char *text;

	if (EXPECT_PG_OK(r, what)) {
		text = rows_text(r);
		EXPECT(PQntuples(r) == 0, "%s: %s", what, text);
		free(text);
	}
	PQclear(r);
}

static char *app_role_name(void)
{
	PGresult *r = pg_run(app, "SELECT current_user", 0, NULL);
	char *name = EXPECT_PG_OK(r, "SELECT current_user") ? xstrdup(PQgetvalue(r, 0, 0)) : NULL;

	PQclear(r);
	return name;
}

/* ---- catalog --------------------------------------------------------------------------- */

static void test_app_role_is_not_privileged(void)
{
	char *role;

	if (!connected() || !(role = app_role_name()))
		return;
	expect_no_rows(owner,
		       "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles "
		       "WHERE rolname = $1 AND (rolsuper OR rolbypassrls)",
		       role, "the application role must have neither SUPERUSER nor BYPASSRLS");
	{
		const char *params[] = { role };
		PGresult *r = pg_run(owner, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, params);

		EXPECT(pg_succeeded(r) && PQntuples(r) == 1, "role %s not in pg_roles", role);
		PQclear(r);
	}
	free(role);
}

static void test_app_role_owns_nothing(void)
{
	char *role;

	if (!connected() || !(role = app_role_name()))
		return;
	expect_no_rows(owner,
		       "SELECT 'relation', n.nspname || '.' || c.relname FROM pg_class c "
		       "JOIN pg_namespace n ON n.oid = c.relnamespace "
		       "WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = $1) "
		       "  AND " NOT_SYSTEM_SCHEMA("n.nspname") " "
		       "UNION ALL SELECT 'schema', nspname FROM pg_namespace "
		       "WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = $1) "
		       "UNION ALL SELECT 'function', p.oid::regprocedure::text FROM pg_proc p "
		       "JOIN pg_namespace n ON n.oid = p.pronamespace "
		       "WHERE p.proowner = (SELECT oid FROM pg_roles WHERE rolname = $1) "
		       "  AND " NOT_SYSTEM_SCHEMA("n.nspname") " "
		       "UNION ALL SELECT 'database', datname FROM pg_database "
		       "WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = $1)",
		       role, "the application role must own nothing (iam, vs_meta or elsewhere)");
	free(role);
}

static void test_tenant_tables_force_rls(void)
{
	static const char *const tables[] = {
		"iam.roles", "iam.role_permissions", "iam.assignments", "iam.tenants",
	};

	if (!connected())
		return;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		const char *params[] = { tables[i] };
		PGresult *r = pg_run(owner,
				     "SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
				     "WHERE oid = to_regclass($1)", 1, params);

		if (EXPECT_PG_OK(r, tables[i]) &&
		    EXPECT(PQntuples(r) == 1, "no table %s", tables[i]))
			EXPECT(strcmp(PQgetvalue(r, 0, 0), "t") == 0 &&
				       strcmp(PQgetvalue(r, 0, 1), "t") == 0,
			       "%s: row security enabled=%s forced=%s (both must be t)", tables[i],
			       PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
		PQclear(r);
	}
	expect_no_rows(owner,
		       "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
		       "JOIN pg_namespace n ON n.oid = c.relnamespace "
		       "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' "
		       "  AND NOT a.attisdropped "
		       "WHERE n.nspname = 'iam' AND c.relkind IN ('r', 'p') "
		       "  AND NOT (c.relrowsecurity AND c.relforcerowsecurity)",
		       NULL, "every iam table with a tenant_id column has RLS enabled and forced");
	/* superuser and BYPASSRLS owners skip even forced RLS */
	expect_no_rows(owner,
		       "SELECT c.relname, r.rolname FROM pg_class c "
		       "JOIN pg_namespace n ON n.oid = c.relnamespace "
		       "JOIN pg_roles r ON r.oid = c.relowner "
		       "WHERE n.nspname = 'iam' AND c.relrowsecurity "
		       "  AND (r.rolsuper OR r.rolbypassrls)",
		       NULL, "tables with RLS must not be owned by a role that skips it");
}

static void test_views_and_definer_functions(void)
{
	char *role;

	if (!connected() || !(role = app_role_name()))
		return;
	expect_no_rows(owner,
		       "SELECT c.relname, coalesce(array_to_string(c.reloptions, ','), '') "
		       "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
		       "WHERE n.nspname = 'iam' AND c.relkind = 'v' AND NOT EXISTS ("
		       "  SELECT 1 FROM unnest(coalesce(c.reloptions, '{}')) o "
		       "  WHERE lower(o) IN ('security_invoker=true', 'security_invoker=on', "
		       "                     'security_invoker=1', 'security_invoker=yes'))",
		       NULL, "every view in schema iam must be security_invoker");
	expect_no_rows(owner,
		       "SELECT p.oid::regprocedure::text, r.rolname FROM pg_proc p "
		       "JOIN pg_namespace n ON n.oid = p.pronamespace "
		       "JOIN pg_roles r ON r.oid = p.proowner "
		       "WHERE p.prosecdef AND " NOT_SYSTEM_SCHEMA("n.nspname") " "
		       "  AND has_function_privilege($1, p.oid, 'EXECUTE') "
		       "  AND (r.rolsuper OR r.rolbypassrls)",
		       role, "no SECURITY DEFINER function the app may call runs as a role that "
			     "skips RLS");
	free(role);
}

/* ---- data, as the application role ------------------------------------------------------ */

/* BEGIN and the scope of a request in tenant (user and platform empty). */
static bool enter(PGconn *c, const char *tenant)
{
	const char *params[] = { tenant };
	PGresult *r = pg_run(c, "BEGIN", 0, NULL);
	bool ok = EXPECT_PG_OK(r, "BEGIN");

	PQclear(r);
	r = pg_run(c,
		   "SELECT set_config('vs.tenant_id', $1, true), "
		   "set_config('vs.user_id', '', true), set_config('vs.platform', '', true)",
		   1, params);
	ok = ok && EXPECT_PG_OK(r, "set_config");
	PQclear(r);
	return ok;
}

static void leave(PGconn *c, const char *how)
{
	PQclear(pg_run(c, how, 0, NULL));
}

/* One row of counts from sql with params; false when it failed. */
static bool counts(PGconn *c, const char *sql, int n, const char *const *params, long *out,
		   int nout)
{
	PGresult *r = pg_run(c, sql, n, params);
	bool ok = EXPECT_PG_OK(r, sql) && EXPECT(PQntuples(r) == 1, "no row from %s", sql);

	for (int i = 0; i < nout; i++)
		out[i] = ok ? pg_long(r, 0, i) : -1;
	PQclear(r);
	return ok;
}

static void test_scope_a_reads_only_a(void)
{
	struct rbac_world *w = get_world();
	long c[4];

	if (!w || !enter(app, w->tenant_a))
		return;
	{
		const char *p[] = { w->tenant_a, w->role_b };

		if (counts(app,
			   "SELECT count(*) FILTER "
			   "  (WHERE tenant_id IS NOT NULL AND tenant_id <> $1::uuid), "
			   "count(*) FILTER (WHERE tenant_id = $1::uuid), "
			   "count(*) FILTER (WHERE tenant_id IS NULL), "
			   "count(*) FILTER (WHERE id = $2::uuid) FROM iam.roles", 2, p, c, 4))
			EXPECT(c[0] == 0 && c[1] >= 2 && c[2] >= 3 && c[3] == 0,
			       "iam.roles in scope A: %ld of other tenants (want 0), %ld of A "
			       "(want >= 2), %ld global (want >= 3), B's role %ld times (want 0)",
			       c[0], c[1], c[2], c[3]);
	}
	{
		const char *p[] = { w->tenant_a, w->user_b.id };

		if (counts(app,
			   "SELECT count(*) FILTER (WHERE tenant_id <> $1::uuid), "
			   "count(*) FILTER (WHERE tenant_id = $1::uuid), "
			   "count(*) FILTER (WHERE user_id = $2::uuid) FROM iam.assignments",
			   2, p, c, 3))
			EXPECT(c[0] == 0 && c[1] >= 1 && c[2] == 0,
			       "iam.assignments in scope A: %ld of other tenants (want 0), "
			       "%ld of A (want >= 1), %ld of B's user (want 0)", c[0], c[1], c[2]);
	}
	{
		const char *p[] = { w->role_a, w->role_b };

		if (counts(app,
			   "SELECT count(*) FILTER (WHERE rp.role_id = $1::uuid), "
			   "count(*) FILTER (WHERE rp.role_id = $2::uuid), "
			   "count(*) FILTER (WHERE NOT EXISTS "
			   "  (SELECT 1 FROM iam.roles r WHERE r.id = rp.role_id)) "
			   "FROM iam.role_permissions rp", 2, p, c, 3))
			EXPECT(c[0] >= 1 && c[1] == 0 && c[2] == 0,
			       "iam.role_permissions in scope A: %ld of A's role (want >= 1), %ld "
			       "of B's role (want 0), %ld of roles A cannot see (want 0)",
			       c[0], c[1], c[2]);
	}
	{
		const char *p[] = { w->tenant_a };

		if (counts(app,
			   "SELECT count(*) FILTER (WHERE id <> $1::uuid), "
			   "count(*) FILTER (WHERE id = $1::uuid) FROM iam.tenants", 1, p, c, 2))
			EXPECT(c[0] == 0 && c[1] == 1,
			       "iam.tenants in scope A: %ld others (want 0), A %ld times (want 1)",
			       c[0], c[1]);
	}
	leave(app, "ROLLBACK");
}

/* Views the application may read that carry a tenant_id: none shows another tenant's rows. */
static void test_scope_a_views_show_only_a(void)
{
	struct rbac_world *w = get_world();
	PGresult *views;

	if (!w)
		return;
	views = pg_run(owner,
		       "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
		       "JOIN pg_namespace n ON n.oid = c.relnamespace "
		       "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' "
		       "WHERE c.relkind IN ('v', 'm') AND " NOT_SYSTEM_SCHEMA("n.nspname") " "
		       "  AND has_table_privilege($1, c.oid, 'SELECT')",
		       1, (const char *const[]){ PQuser(app) });
	if (EXPECT_PG_OK(views, "listing views") && enter(app, w->tenant_a)) {
		for (int i = 0; i < PQntuples(views); i++) {
			const char *p[] = { w->tenant_a };
			char *sql = xasprintf("SELECT count(*) FROM %s WHERE tenant_id IS NOT NULL "
					      "AND tenant_id <> $1::uuid", PQgetvalue(views, i, 0));
			long n = -1;

			counts(app, sql, 1, p, &n, 1);
			EXPECT(n == 0, "view %s shows %ld rows of other tenants in scope A",
			       PQgetvalue(views, i, 0), n);
			free(sql);
		}
		leave(app, "ROLLBACK");
	}
	PQclear(views);
}

/* sql must affect exactly want rows. */
static void expect_touched(const char *sql, int n, const char *const *params, long want)
{
	PGresult *r = pg_try(app, sql, n, params);

	if (EXPECT_PG_OK(r, sql))
		EXPECT(pg_touched(r) == want, "%s touched %ld rows, want %ld", sql, pg_touched(r),
		       want);
	PQclear(r);
}

static void expect_refused(const char *sql, int n, const char *const *params, const char *state)
{
	PGresult *r = pg_try(app, sql, n, params);

	EXPECT_PG_ERROR(r, state, sql);
	PQclear(r);
}

static void test_scope_a_cannot_write_b(void)
{
	struct rbac_world *w = get_world();

	if (!w || !enter(app, w->tenant_a))
		return;
	{
		const char *b[] = { w->tenant_b };
		const char *rb[] = { w->role_b };
		const char *ra[] = { w->role_a };
		const char *ra_b[] = { w->role_a, w->tenant_b };

		expect_refused("INSERT INTO iam.roles (tenant_id, name) "
			       "VALUES ($1::uuid, 'rls-probe')", 1, b, "42501");
		expect_touched("UPDATE iam.roles SET description = 'rls probe' WHERE id = $1::uuid",
			       1, rb, 0);
		expect_touched("DELETE FROM iam.roles WHERE id = $1::uuid", 1, rb, 0);
		expect_touched("DELETE FROM iam.role_permissions WHERE role_id = $1::uuid",
			       1, rb, 0);
		expect_touched("DELETE FROM iam.assignments WHERE tenant_id = $1::uuid",
			       1, b, 0);
		expect_touched("UPDATE iam.tenants SET description = 'rls probe' "
			       "WHERE id = $1::uuid", 1, b, 0);
		expect_touched("DELETE FROM iam.tenants WHERE id = $1::uuid", 1, b, 0);
		/* global roles belong to no tenant */
		expect_touched("UPDATE iam.roles SET description = description "
			       "WHERE tenant_id IS NULL", 0, NULL, 0);
		/* moving A's own row into B is writing B's rows */
		expect_refused("UPDATE iam.roles SET tenant_id = $2::uuid WHERE id = $1::uuid",
			       2, ra_b, "42501");
		/* control: A's own role can be written, so the zeros above mean something */
		expect_touched("UPDATE iam.roles SET description = 'rls probe' WHERE id = $1::uuid",
			       1, ra, 1);
	}
	leave(app, "ROLLBACK");
}

/* ---- foreign keys: an INSERT built from the table's columns ----------------------------- */

struct fill {
	const char *tenant, *user, *role, *permission; /* values of the well-known columns */
	const char *scopes[3]; /* A, B, nil: for other tenant or scope columns */
};

struct column {
	char *name;
	const char *fixed;  /* one value, or NULL when the column varies over scopes[] */
	bool omit_too;      /* a nullable varying column is also tried left out */
};

/* The columns an INSERT must (or might) name; false (reported) for one we cannot fill. */
static bool insert_columns(const char *table, const struct fill *f, struct column *cols,
			   int *n)
{
	const char *params[] = { table };
	PGresult *r = pg_run(owner,
			     "SELECT column_name, is_nullable = 'YES', "
			     "  column_default IS NOT NULL OR is_generated <> 'NEVER' "
			     "  OR is_identity = 'YES', data_type "
			     "FROM information_schema.columns WHERE table_schema = 'iam' "
			     "  AND table_name = $1 ORDER BY ordinal_position",
			     1, params);
	bool ok = EXPECT_PG_OK(r, "reading information_schema.columns");

	*n = 0;
	for (int i = 0; ok && i < PQntuples(r) && *n < 8; i++) {
		const char *name = PQgetvalue(r, i, 0), *type = PQgetvalue(r, i, 3);
		bool nullable = *PQgetvalue(r, i, 1) == 't', dflt = *PQgetvalue(r, i, 2) == 't';
		const char *fixed = strcmp(name, "tenant_id") == 0	   ? f->tenant
				    : strcmp(name, "user_id") == 0	   ? f->user
				    : strcmp(name, "role_id") == 0	   ? f->role
				    : strcmp(name, "permission_id") == 0 ? f->permission
									 : NULL;
		bool scope = strcmp(type, "uuid") == 0 &&
			     (strstr(name, "tenant") || strstr(name, "scope"));

		if (dflt || (!fixed && !scope && nullable))
			continue;
		if (!fixed && !scope) {
			ok = EXPECT(false, "iam.%s.%s (%s, NOT NULL, no default): the test "
					   "does not know how to fill it", table, name, type);
			break;
		}
		cols[*n] = (struct column){ xstrdup(name), fixed, nullable };
		(*n)++;
	}
	PQclear(r);
	return ok && *n > 0;
}

/*
 * Tries the INSERT into iam.<table> with every combination of the varying
 * columns; returns how many succeeded, and the SQLSTATEs of the failures in states.
 */
static int try_inserts(const char *table, const struct fill *f, char *states, size_t size)
{
	struct column cols[8];
	int n, combos = 1, ok = 0;
	size_t used = 0;

	states[0] = '\0';
	if (!insert_columns(table, f, cols, &n))
		return -1;
	for (int i = 0; i < n; i++)
		if (!cols[i].fixed)
			combos *= cols[i].omit_too ? 4 : 3;
	for (int c = 0; c < combos; c++) {
		char *names = xstrdup(""), *vals = xstrdup(""), *sql, *next;
		const char *params[8];
		int np = 0, rest = c;

		for (int i = 0; i < n; i++) {
			const char *v = cols[i].fixed;

			if (!v) {
				int base = cols[i].omit_too ? 4 : 3, pick = rest % base;

				rest /= base;
				if (pick == 3)
					continue; /* left out: NULL */
				v = f->scopes[pick];
			}
			params[np++] = v;
			next = xasprintf("%s%s%s", names, np > 1 ? ", " : "", cols[i].name);
			free(names);
			names = next;
			next = xasprintf("%s%s$%d::uuid", vals, np > 1 ? ", " : "", np);
			free(vals);
			vals = next;
		}
		sql = xasprintf("INSERT INTO iam.%s (%s) VALUES (%s)", table, names, vals);
		{
			PGresult *r = pg_try(app, sql, np, params);
			int w = snprintf(states + used, size - used, "%s%s",
					 used ? "," : "", pg_succeeded(r) ? "ok" : pg_sqlstate(r));

			if (w > 0 && (size_t)w < size - used)
				used += (size_t)w;
			ok += pg_succeeded(r);
			PQclear(r);
		}
		free(sql);
		free(names);
		free(vals);
	}
	for (int i = 0; i < n; i++)
		free(cols[i].name);
	return ok;
}

static void test_foreign_keys_refuse_b_role(void)
{
	struct rbac_world *w = get_world();
	char states[256];
	int ok;

	if (!w || !enter(app, w->tenant_a))
		return;
	{
		struct fill attack = { w->tenant_a, w->user_a.id, w->role_b, w->perm_job_read,
				       { w->tenant_a, w->tenant_b, NIL_UUID } };
		struct fill control = attack;

		control.role = w->role_a;
		ok = try_inserts("assignments", &attack, states, sizeof(states));
		EXPECT(ok == 0, "an assignment in A of B's role was accepted (%d ways; results %s)",
		       ok, states);
		ok = try_inserts("assignments", &control, states, sizeof(states));
		EXPECT(ok > 0, "control: the same INSERT with A's role should work (results %s)",
		       states);
		ok = try_inserts("role_permissions", &attack, states, sizeof(states));
		EXPECT(ok == 0, "a permission was added to B's role in scope A (%d ways; "
				"results %s)", ok, states);
		ok = try_inserts("role_permissions", &control, states, sizeof(states));
		EXPECT(ok > 0, "control: adding job:read to A's role should work (results %s)",
		       states);
	}
	leave(app, "ROLLBACK");
}

/* ---- no scope ----------------------------------------------------------------------------- */

static void test_no_scope_is_an_error(void)
{
	static const char *const tables[] = {
		"iam.assignments", "iam.roles", "iam.role_permissions", "iam.tenants",
	};
	PGconn *fresh;

	if (!get_world() || !(fresh = pg_open(app_url)))
		return;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char *sql = xasprintf("SELECT * FROM %s", tables[i]);
		PGresult *r = pg_run(fresh, sql, 0, NULL);

		EXPECT_PG_ERROR(r, "42501", sql);
		PQclear(r);
		free(sql);
	}
	{
		const char *p[] = { world.tenant_a };
		PGresult *r = pg_run(fresh, "INSERT INTO iam.roles (tenant_id, name) "
					    "VALUES ($1::uuid, 'rls-no-scope')", 1, p);

		EXPECT_PG_ERROR(r, "42501", "INSERT into iam.roles with no scope");
		PQclear(r);
	}
	PQfinish(fresh);
}

static void test_scope_ends_with_its_transaction(void)
{
	struct rbac_world *w = get_world();
	const char *sql = "SELECT count(*) FROM iam.assignments";
	PGresult *r;

	if (!w || !enter(app, w->tenant_a))
		return;
	r = pg_run(app, sql, 0, NULL);
	if (EXPECT_PG_OK(r, "reading in scope A"))
		EXPECT(pg_long(r, 0, 0) > 0, "scope A should see A's memberships");
	PQclear(r);
	leave(app, "COMMIT");

	/* the next "request" on the same connection states no scope */
	leave(app, "BEGIN");
	r = pg_run(app, sql, 0, NULL);
	EXPECT_PG_ERROR(r, "42501", "the transaction after a committed scope-A one");
	PQclear(r);
	leave(app, "ROLLBACK");
	r = pg_run(app, sql, 0, NULL);
	EXPECT_PG_ERROR(r, "42501", "a statement outside any transaction after scope A");
	PQclear(r);
}

/* README: vs.platform is decided by the database from iam.users, not by the worker. */
static void test_platform_scope_needs_a_superuser(void)
{
	struct rbac_world *w = get_world();
	const char *users[] = { "", NULL };
	PGresult *r;

	if (!w)
		return;
	users[1] = w->user_a.id;
	for (size_t i = 0; i < 2; i++) {
		const char *p[] = { users[i] };
		const char *q[] = { w->role_b, w->tenant_b };

		leave(app, "BEGIN");
		PQclear(pg_run(app,
			       "SELECT set_config('vs.tenant_id', '', true), "
			       "set_config('vs.user_id', $1, true), "
			       "set_config('vs.platform', 'on', true)",
			       1, p));
		r = pg_run(app,
			   "SELECT (SELECT count(*) FROM iam.roles WHERE id = $1::uuid) + "
			   "(SELECT count(*) FROM iam.tenants WHERE id = $2::uuid)",
			   2, q);
		EXPECT(!pg_succeeded(r) || pg_long(r, 0, 0) == 0,
		       "the worker set vs.platform=on itself (vs.user_id '%s', not a superuser) "
		       "and saw tenant B's rows (%ld)", users[i], pg_long(r, 0, 0));
		PQclear(r);
		leave(app, "ROLLBACK");
	}
}

/* ---- over HTTP ------------------------------------------------------------------------------ */

static void test_http_alternating_tenants_never_mix(void)
{
	struct rbac_world *w = get_world();
	int bad = 0;
	char first_bad[800] = "";

	if (!w)
		return;
	for (int i = 0; i < 200; i++) {
		bool b = i % 2;
		const char *tenant = b ? w->tenant_b : w->tenant_a;
		const char *mine = b ? w->role_b : w->role_a, *theirs = b ? w->role_a : w->role_b;
		char *path = (i / 2) % 2 ? xasprintf("/api/v1/tenants/%s/roles?limit=100", tenant)
					 : xstrdup("/api/v1/roles?limit=100");
		struct resp *r = req("GET", path, rw_token(w, b ? P_OTHER : P_TADMIN),
				     (i / 2) % 2 ? NULL : tenant, NULL);
		struct json_object *a = r->status == 200 ? jarr(resp_json(r), NULL) : NULL;
		bool ok = a && jarr_find_id(a, mine) >= 0 && jarr_find_id(a, theirs) < 0;

		for (size_t j = 0; ok && j < jlen(a); j++) {
			const char *t = jstr(jat(a, j), "tenant_id");

			ok = !t || strcmp(t, tenant) == 0;
		}
		if (!ok && bad++ == 0)
			snprintf(first_bad, sizeof(first_bad), "request %d as %s: %s", i,
				 b ? "B's admin" : "A's admin", resp_summary(r));
		resp_free(r);
		free(path);
	}
	EXPECT(bad == 0, "%d of 200 role lists were not exactly their own tenant's (a 200 listing "
			 "its own custom role, never the other's); first: %s", bad, first_bad);
}

static int add_rls_suite(void)
{
	static const struct it_test tests[] = {
		{ "the application role has neither SUPERUSER nor BYPASSRLS", test_app_role_is_not_privileged },
		{ "the application role owns no relation, schema, function or database", test_app_role_owns_nothing },
		{ "tenants, roles, role_permissions, assignments (and every iam table with tenant_id) force RLS", test_tenant_tables_force_rls },
		{ "iam views are security_invoker; no SECURITY DEFINER function runs as a role that skips RLS", test_views_and_definer_functions },
		{ "in scope A the app reads only A's rows (and global roles)", test_scope_a_reads_only_a },
		{ "in scope A no view shows another tenant's rows", test_scope_a_views_show_only_a },
		{ "in scope A the app cannot insert, change, move or delete B's rows", test_scope_a_cannot_write_b },
		{ "in scope A an assignment or permission pointing at B's role is refused", test_foreign_keys_refuse_b_role },
		{ "with no scope set, touching tenant tables fails with 42501", test_no_scope_is_an_error },
		{ "a transaction never inherits the previous transaction's tenant", test_scope_ends_with_its_transaction },
		{ "setting vs.platform=on does not give a non-superuser platform scope", test_platform_scope_needs_a_superuser },
		{ "alternating requests of A's and B's admins never list the other tenant's role", test_http_alternating_tenants_never_mix },
		{ NULL, NULL },
	};

	return it_add_suite("rls", suite_init, suite_cleanup, tests);
}

IT_REGISTER(add_rls_suite)
