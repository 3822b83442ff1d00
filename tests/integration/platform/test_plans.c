/* How the worker's statements are planned, through the worker's own database layer as
 * the application role: once per session (a generic plan), except the lists' statements,
 * which get PostgreSQL's own choice (custom plans first); read back from
 * pg_prepared_statements. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/pg/pg.h"
#include "core/log.h"
#include "check.h"
#include "suites.h"

/* An optional filter, as the lists have them: with a NULL parameter PostgreSQL would
 * prefer a fresh plan for every call, in which the filter folds away. */
#define OPTIONAL_FILTER "SELECT count(*) FROM iam.permissions WHERE ($1::text IS NULL OR code = $1)"

static const struct vs_pg_stmt generic_stmt = { "it_plans_generic", OPTIONAL_FILTER, 1 };
/* A list and its count, as vs_pg_page runs them. */
static const struct vs_pg_stmt list_stmt = {
	"it_plans_list",
	"SELECT code FROM iam.permissions WHERE ($1::text IS NULL OR code = $1) ORDER BY code", 1
};
static const struct vs_pg_stmt count_stmt = { "it_plans_count", OPTIONAL_FILTER, 1 };
static const struct vs_pg_stmt failing_stmt = { "it_plans_failing", "SELECT $1::int", 1 };

static struct vs_pg *pg;
static struct vs_arena *arena;

static int suite_init(void)
{
	const char *url = getenv("VS_DATABASE_URL");
	if (!url || !*url) {
		fprintf(stderr,
			"plans: VS_DATABASE_URL must be set (tests/integration/run exports it)\n");
		return -1;
	}
	vs_log_set_level(VS_LOG_WARN); /* not "connected to the database" amid the results */
	pg = vs_pg_new(url, "vs-tests", 5000);
	arena = vs_arena_new();
	return 0;
}

static int suite_cleanup(void)
{
	vs_pg_free(pg);
	vs_arena_free(arena);
	pg = NULL;
	arena = NULL;
	return 0;
}

static bool connected(void)
{
	return EXPECT(vs_pg_ensure(pg) == VS_OK, "the database layer could not connect");
}

/* One value of the session, as text; "" when the query failed. */
static const char *session_value(const char *sql, int n, const char *const *params)
{
	static char value[64];
	PGresult *r = PQexecParams(vs_pg_conn(pg), sql, n, NULL, params, NULL, NULL, 0);
	value[0] = '\0';
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		snprintf(value, sizeof(value), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return value;
}

static const char *plan_mode(void)
{
	return session_value("SHOW plan_cache_mode", 0, NULL);
}

/* "generic custom": how often the session's statement `name` ran on either kind of plan. */
static const char *plans_of(const char *name)
{
	const char *params[] = { name };
	return session_value("SELECT generic_plans || ' ' || custom_plans FROM pg_prepared_statements "
			     "WHERE name = $1",
			     1, params);
}

static long permission_count(PGresult *r)
{
	return r && PQntuples(r) == 1 ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : -1;
}

/* How many permissions match: through vs_pg_exec of the count statement `stmt`, or as a
 * page of the list and its total, which must agree. -1 after a recorded failure. */
static long matching(const struct vs_pg_stmt *stmt, bool page, const char *const *params)
{
	PGresult *r = NULL;
	int64_t total = -1;
	enum vs_err rc = page ? vs_pg_page(pg, arena, &list_stmt, &count_stmt, params, &r, &total)
			      : vs_pg_exec(pg, arena, stmt, params, &r);
	if (!EXPECT(rc == VS_OK, "%s: %s", page ? "a page" : stmt->name, vs_err_slug(rc)))
		return -1;
	if (!page)
		return permission_count(r);
	EXPECT(PQntuples(r) == total, "a page of %d rows, total %lld", PQntuples(r), (long long)total);
	return (long)total;
}

/* Alternately without and with a filter; each answer checked. */
static void run_filtered(const struct vs_pg_stmt *stmt, bool page, int calls)
{
	const char *all[] = { NULL }, *one[] = { "user:read" };
	for (int i = 0; i < calls; i++) {
		long n = matching(stmt, page, i % 2 ? one : all);
		if (i % 2)
			EXPECT(n == 1, "with a filter: %ld permissions, want 1", n);
		else
			EXPECT(n > 1, "without a filter: %ld permissions, want all", n);
	}
}

static void test_statements_are_planned_once(void)
{
	if (!connected())
		return;
	EXPECT(strcmp(plan_mode(), "force_generic_plan") == 0, "plan_cache_mode is '%s'", plan_mode());
	run_filtered(&generic_stmt, false, 8);
	/* PostgreSQL's default would have planned at least the first five calls afresh. */
	EXPECT(strcmp(plans_of(generic_stmt.name), "8 0") == 0,
	       "generic and custom plans: '%s', want '8 0'", plans_of(generic_stmt.name));
}

static void test_lists_get_postgresql_plans(void)
{
	if (!connected())
		return;
	run_filtered(NULL, true, 6);
	/* PostgreSQL's own choice: its first five calls are always planned for their values. */
	const struct vs_pg_stmt *both[] = { &list_stmt, &count_stmt };
	for (size_t i = 0; i < 2; i++) {
		long generic = -1, custom = -1;
		sscanf(plans_of(both[i]->name), "%ld %ld", &generic, &custom);
		EXPECT(generic + custom == 6 && custom >= 5,
		       "%s: generic and custom plans '%s', want 6 with at least 5 custom",
		       both[i]->name, plans_of(both[i]->name));
	}
	EXPECT(strcmp(plan_mode(), "force_generic_plan") == 0,
	       "after the list, plan_cache_mode is '%s'", plan_mode());
	/* The same inside a transaction that commits. */
	EXPECT(vs_pg_simple(pg, "BEGIN") == VS_OK, "BEGIN");
	run_filtered(NULL, true, 2);
	EXPECT(vs_pg_simple(pg, "COMMIT") == VS_OK, "COMMIT");
	EXPECT(strcmp(plan_mode(), "force_generic_plan") == 0,
	       "after a committed transaction, plan_cache_mode is '%s'", plan_mode());
}

static void test_a_failed_list_leaves_generic_plans(void)
{
	if (!connected())
		return;
	const char *bad[] = { "not a number" };
	PGresult *r = NULL;
	int64_t total;
	enum vs_err rc = vs_pg_page(pg, arena, &failing_stmt, &count_stmt, bad, &r, &total);
	EXPECT(rc != VS_OK && r == NULL, "a failing list gave %s", vs_err_slug(rc));
	EXPECT(strcmp(plan_mode(), "force_generic_plan") == 0,
	       "after a failure on its own, plan_cache_mode is '%s'", plan_mode());

	EXPECT(vs_pg_simple(pg, "BEGIN") == VS_OK, "BEGIN");
	rc = vs_pg_page(pg, arena, &failing_stmt, &count_stmt, bad, &r, &total);
	EXPECT(rc != VS_OK, "a failing list in a transaction gave %s", vs_err_slug(rc));
	EXPECT(vs_pg_simple(pg, "ROLLBACK") == VS_OK, "ROLLBACK");
	EXPECT(strcmp(plan_mode(), "force_generic_plan") == 0,
	       "after a failure in a transaction, plan_cache_mode is '%s'", plan_mode());
	run_filtered(&generic_stmt, false, 2); /* and the session still answers */
}

static int add_plans_suite(void)
{
	static const struct it_test tests[] = {
		{ "statements are planned once per session, also with a NULL parameter", test_statements_are_planned_once },
		{ "a list's statements get PostgreSQL's own plans (custom first), and the session goes back to generic plans", test_lists_get_postgresql_plans },
		{ "a list's statement that fails leaves the session on generic plans", test_a_failed_list_leaves_generic_plans },
		{ NULL, NULL },
	};

	return it_add_suite("statement plans", suite_init, suite_cleanup, tests);
}

IT_REGISTER(add_plans_suite)
