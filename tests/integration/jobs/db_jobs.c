#include "jobs/db_jobs.h"

#include <stdlib.h>

#include "check.h"
#include "db_keys.h"
#include "pg_util.h"
#include "util.h"

/* The columns a status implies (sql/011's CHECKs), and parked (db_jobs.h). */
#define NEW_JOB                                                                              \
	"INSERT INTO jobs.jobs (tenant_id, kind, status, payload, result, last_error, "       \
	"resource_type, resource_id, max_attempts, attempts, run_at, locked_by, locked_until, " \
	"started_at, finished_at, created_at) "                                               \
	"SELECT $1::uuid, $2, $3, coalesce($4::jsonb, '{}'), $5::jsonb, $6, "                  \
	"CASE WHEN $7::uuid IS NOT NULL THEN 'test' END, $7::uuid, 3, "                       \
	"CASE WHEN $3 IN ('queued', 'cancelled') THEN 0 ELSE 1 END, "                         \
	"CASE WHEN $3 = 'queued' THEN now() + interval '365 days' ELSE now() END, "           \
	"CASE WHEN $3 = 'running' THEN 'it-parked' END, "                                     \
	"CASE WHEN $3 = 'running' THEN now() + interval '365 days' END, "                     \
	"CASE WHEN $3 NOT IN ('queued', 'cancelled') THEN now() END, "                        \
	"CASE WHEN $3 IN ('succeeded', 'failed', 'cancelled') THEN now() END, "               \
	"now() - make_interval(secs => $8::int) "                                             \
	"RETURNING id"

char *db_job_new(PGconn *c, const struct db_job *j)
{
	char *age = xasprintf("%d", j->age_s);
	const char *params[] = { j->tenant, j->kind,       j->status,      j->payload,
				 j->result, j->last_error, j->resource_id, age };
	PGresult *r = db_in_platform_scope(c, NEW_JOB, 8, params);
	char *id = pg_succeeded(r) && PQntuples(r) == 1 ? xstrdup(PQgetvalue(r, 0, 0)) : NULL;

	PQclear(r);
	free(age);
	return id;
}

char *db_job_queued(const char *tenant, const char *kind)
{
	const char *url = getenv("VS_OWNER_DATABASE_URL");
	PGconn *c = EXPECT(url && *url, "VS_OWNER_DATABASE_URL is not set") ? pg_open(url) : NULL;
	const struct db_job j = { .tenant = tenant, .kind = kind, .status = "queued" };
	char *id = c ? db_job_new(c, &j) : NULL;

	PQfinish(c);
	return id;
}

char *db_job_state(PGconn *c, const char *id)
{
	const char *params[] = { id };
	PGresult *r = db_in_platform_scope(c,
					   "SELECT status || ' ' || updated_at || ' ' || "
					   "coalesce(finished_at::text, '-') FROM jobs.jobs "
					   "WHERE id = $1",
					   1, params);
	char *state = pg_succeeded(r) && PQntuples(r) == 1 ? xstrdup(PQgetvalue(r, 0, 0)) : NULL;

	PQclear(r);
	return state;
}
