/* jobs.jobs as requests use it: enqueue in the request's transaction, read and cancel
 * under row-level security (a tenant's jobs, or in platform scope the platform's). */
#include "adapters/pg/jobs/internal.h"
#include "jobs/port.h"

#include <stdio.h>
#include <string.h>

/* A duplicate unique key inserts nothing instead of failing, so that the caller's
 * transaction is not aborted by it. */
static const struct vs_pg_stmt enqueue_stmt = {
	"job_enqueue",
	"INSERT INTO jobs.jobs (kind, payload, max_attempts, tenant_id, created_by, unique_key, "
	"resource_type, resource_id, run_at) "
	"VALUES ($1, coalesce($2::jsonb, '{}'), $3, $4, $5, $6, $7, $8, "
	"coalesce(to_timestamp($9::bigint), now())) "
	"ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND status IN ('queued', 'running') "
	"DO NOTHING RETURNING id",
	9
};
static const struct vs_pg_stmt get_stmt = {
	"job_get", "SELECT " VS_PG_JOB_COLS " FROM jobs.jobs j WHERE j.id = $1", 1
};
/* Tenant $1's jobs, or the platform's when it is NULL (two statements, so that each reads
 * jobs_tenant_created_idx in order); $2 status, $3 kind, $4 resource: optional. Newest
 * first, from before ($5, $6). */
#define JOB_OPTIONS                                                                        \
	" AND ($2::text IS NULL OR j.status = $2) AND ($3::text IS NULL OR j.kind = $3) "       \
	"AND ($4::uuid IS NULL OR j.resource_id = $4)"
#define JOB_TENANT " FROM jobs.jobs j WHERE j.tenant_id = $1" JOB_OPTIONS
#define JOB_PLATFORM " FROM jobs.jobs j WHERE j.tenant_id IS NULL AND $1::uuid IS NULL" JOB_OPTIONS
#define JOB_PAGE                                                                           \
	" AND (j.created_at, j.id) < ($5::timestamptz, $6::uuid) "                           \
	"ORDER BY j.created_at DESC, j.id DESC OFFSET $7 LIMIT $8"
static const struct vs_pg_stmt list_stmt = {
	"job_list", "SELECT " VS_PG_JOB_COLS ", " VS_PG_KEY_US("j") JOB_TENANT JOB_PAGE, 8
};
static const struct vs_pg_stmt count_stmt = { "job_count", "SELECT count(*)" JOB_TENANT, 4 };
static const struct vs_pg_stmt platform_list_stmt = {
	"job_platform_list", "SELECT " VS_PG_JOB_COLS ", " VS_PG_KEY_US("j") JOB_PLATFORM JOB_PAGE, 8
};
static const struct vs_pg_stmt platform_count_stmt = {
	"job_platform_count", "SELECT count(*)" JOB_PLATFORM, 4
};
static const struct vs_pg_stmt cancel_stmt = {
	"job_cancel",
	"UPDATE jobs.jobs j SET status = 'cancelled', finished_at = now(), updated_at = now() "
	"WHERE j.id = $1 AND j.status = 'queued' RETURNING " VS_PG_JOB_COLS,
	1
};

struct pg_jobs {
	struct vs_job_repo base;
	struct vs_pg *pg;
};

static struct vs_pg *repo_pg(struct vs_job_repo *self)
{
	return ((struct pg_jobs *)self)->pg;
}

void vs_pg__row_to_job(struct vs_arena *a, const PGresult *r, int row, void *job)
{
	struct vs_job *j = job;
	memset(j, 0, sizeof(*j));
	vs_pg_uuid(r, row, 0, &j->id);
	j->has_tenant = !PQgetisnull(r, row, 1);
	if (j->has_tenant)
		vs_pg_uuid(r, row, 1, &j->tenant_id);
	j->kind = vs_pg_text(a, r, row, 2);
	j->payload = vs_pg_text(a, r, row, 3);
	(void)vs_job_status_parse(PQgetvalue(r, row, 4), &j->status);
	j->attempts = (int)vs_pg_int64(r, row, 5);
	j->max_attempts = (int)vs_pg_int64(r, row, 6);
	j->run_at = vs_pg_int64(r, row, 7);
	j->created_at = vs_pg_int64(r, row, 8);
	j->started_at = PQgetisnull(r, row, 9) ? 0 : vs_pg_int64(r, row, 9);
	j->finished_at = PQgetisnull(r, row, 10) ? 0 : vs_pg_int64(r, row, 10);
	j->result = vs_pg_text(a, r, row, 11);
	j->last_error = vs_pg_text(a, r, row, 12);
	j->resource_type = vs_pg_text(a, r, row, 13);
	j->has_resource = !PQgetisnull(r, row, 14);
	if (j->has_resource)
		vs_pg_uuid(r, row, 14, &j->resource_id);
	j->has_creator = !PQgetisnull(r, row, 15);
	if (j->has_creator)
		vs_pg_uuid(r, row, 15, &j->created_by);
}

static enum vs_err job_enqueue(struct vs_job_repo *self, struct vs_arena *a,
			       const struct vs_job_new *j, vs_uuid *id)
{
	struct pg_uuid_text t, c, r;
	char attempts[16], run_at[24];
	snprintf(attempts, sizeof(attempts), "%d", j->max_attempts);
	snprintf(run_at, sizeof(run_at), "%lld", (long long)j->run_at);
	const char *params[] = { j->kind,
				 j->payload,
				 attempts,
				 pg_uuid_param(&t, j->tenant),
				 pg_uuid_param(&c, j->created_by),
				 j->unique_key,
				 j->resource_type,
				 pg_uuid_param(&r, j->resource_id),
				 j->run_at ? run_at : NULL };
	PGresult *res;
	enum vs_err rc = vs_pg_exec(repo_pg(self), a, &enqueue_stmt, params, &res);
	if (rc == VS_OK && PQntuples(res) == 0)
		return VS_CONFLICT; /* a queued or running job has this unique key */
	if (rc == VS_OK)
		vs_pg_uuid(res, 0, 0, id);
	return rc;
}

static enum vs_err job_get(struct vs_job_repo *self, struct vs_arena *a, const vs_uuid *id,
			   struct vs_job *out)
{
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, id) };
	return vs_pg_one(repo_pg(self), a, &get_stmt, params, vs_pg__row_to_job, out);
}

static enum vs_err job_list(struct vs_job_repo *self, struct vs_arena *a,
			    const struct vs_job_query *q, struct vs_job_page *out)
{
	struct pg_uuid_text t, r;
	const char *params[8] = {
		q->platform ? NULL : pg_uuid_param(&t, q->tenant),
		q->has_status ? vs_job_status_name(q->status) : NULL,
		q->kind,
		pg_uuid_param(&r, q->resource_id),
	};
	return vs_pg_keyed_list(repo_pg(self), a, q->platform ? &platform_list_stmt : &list_stmt,
				q->platform ? &platform_count_stmt : &count_stmt, params, 4, &q->at,
				true, vs_pg__row_to_job, sizeof(*out->items), &out->items, &out->n,
				&out->end);
}

static enum vs_err job_cancel(struct vs_job_repo *self, struct vs_arena *a, const vs_uuid *id,
			      struct vs_job *out)
{
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, id) };
	enum vs_err rc = vs_pg_one(repo_pg(self), a, &cancel_stmt, params, vs_pg__row_to_job, out);
	if (rc != VS_NOTFOUND)
		return rc;
	/* Not queued (any more), or not there at all. */
	rc = vs_pg_one(repo_pg(self), a, &get_stmt, params, vs_pg__row_to_job, out);
	return rc == VS_OK ? VS_CONFLICT : rc;
}

static const struct vs_job_repo_ops ops = {
	.enqueue = job_enqueue,
	.get = job_get,
	.list = job_list,
	.cancel = job_cancel,
};

void vs_pg_jobs_wire(const struct vs_pg_wiring *w, struct vs_app *app)
{
	struct pg_jobs *repo = vs_arena_alloc(w->owned, sizeof(*repo));
	*repo = (struct pg_jobs){ { &ops }, w->pg };
	app->jobs = &repo->base;
	vs_pg__job_queue_wire(w, app);
}
