/* The job repository fake, as lib/adapters/pg/jobs/repo.c over sql/011: row-level security
 * lets a transaction see and write the jobs of the tenant in context, or every job in
 * platform scope (an active superuser without a tenant, or no principal: the owner's
 * tools); a list is newest first (created_at, then id); cancel changes only a queued job;
 * an enqueue whose unique key a queued or running job holds inserts nothing. */
#include "fakes/internal.h"

#include <stdlib.h>

static struct fake_jobs *jobs_of(struct vs_job_repo *r);

struct fake_job_row *fake_job(struct fake_jobs *jobs, const vs_uuid *id)
{
	for (size_t i = 0; i < jobs->store.n; i++)
		if (vs_uuid_eq(&jobs->store.rows[i].id, id))
			return &jobs->store.rows[i];
	return NULL;
}

static bool platform_scope(struct fake_db *db)
{
	if (!db->scope.has_user)
		return true;
	const struct fake_user_row *u = fake_user(db, &db->scope.user);
	return !db->scope.has_tenant && u && u->is_superuser && u->is_active;
}

/* iam.row_writable(tenant_id), which jobs.jobs uses for reading too. */
static bool in_scope(struct fake_db *db, bool has_tenant, const vs_uuid *tenant)
{
	if (platform_scope(db))
		return true;
	return has_tenant && db->scope.has_tenant && vs_uuid_eq(tenant, &db->scope.tenant);
}

static struct fake_job_row *visible_job(struct fake_jobs *jobs, const vs_uuid *id)
{
	struct fake_job_row *row = fake_job(jobs, id);
	return row && in_scope(jobs->db, row->has_tenant, &row->tenant_id) ? row : NULL;
}

static const char *text_or_null(struct vs_arena *a, bool has, const char *s)
{
	return has ? vs_arena_strdup(a, s) : NULL;
}

static void row_to_job(struct vs_arena *a, const struct fake_job_row *r, struct vs_job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = r->id;
	j->has_tenant = r->has_tenant;
	j->tenant_id = r->tenant_id;
	j->kind = vs_arena_strdup(a, r->kind);
	j->payload = vs_arena_strdup(a, r->payload);
	j->status = r->status;
	j->attempts = r->attempts;
	j->max_attempts = r->max_attempts;
	j->run_at = r->run_at;
	j->created_at = r->created_at;
	j->started_at = r->started_at;
	j->finished_at = r->finished_at;
	j->result = text_or_null(a, r->has_result, r->result);
	j->last_error = text_or_null(a, r->has_last_error, r->last_error);
	j->resource_type = text_or_null(a, r->resource_type[0], r->resource_type);
	j->has_resource = r->has_resource;
	j->resource_id = r->resource_id;
	j->has_creator = r->has_creator;
	j->created_by = r->created_by;
}

static struct fake_job_row *new_row(struct fake_jobs *jobs)
{
	if (jobs->store.n == FAKE_MAX_JOBS)
		abort(); /* raise FAKE_MAX_JOBS */
	struct fake_job_row *row = &jobs->store.rows[jobs->store.n++];
	memset(row, 0, sizeof(*row));
	vs_uuid_v4(&row->id);
	row->created_at = row->run_at = fake_now();
	return row;
}

static bool key_taken(const struct fake_jobs *jobs, const char *key)
{
	for (size_t i = 0; key && i < jobs->store.n; i++) {
		const struct fake_job_row *row = &jobs->store.rows[i];
		if ((row->status == VS_JOB_QUEUED || row->status == VS_JOB_RUNNING) &&
		    strcmp(row->unique_key, key) == 0)
			return true;
	}
	return false;
}

static enum vs_err job_enqueue(struct vs_job_repo *repo, struct vs_arena *a,
			       const struct vs_job_new *j, vs_uuid *id)
{
	(void)a;
	struct fake_jobs *jobs = jobs_of(repo);
	struct fake_db *db = jobs->db;
	if (fake__call(db, "jobs.enqueue"))
		return VS_UNAVAILABLE;
	if (!in_scope(db, j->tenant != NULL, j->tenant))
		return fake__sql_error(db, VS_INTERNAL); /* the policy's WITH CHECK: 42501 */
	if ((j->tenant && !fake_tenant(db, j->tenant)) ||
	    (j->created_by && !fake_user(db, j->created_by)))
		return fake__sql_error(db, VS_NOTFOUND); /* foreign key */
	if (key_taken(jobs, j->unique_key))
		return VS_CONFLICT; /* ON CONFLICT DO NOTHING: no error, no row */
	fake__wrote(db);
	struct fake_job_row *row = new_row(jobs);
	row->has_tenant = j->tenant != NULL;
	if (j->tenant)
		row->tenant_id = *j->tenant;
	fake__copy_str(row->kind, sizeof(row->kind), j->kind);
	fake__copy_str(row->payload, sizeof(row->payload), j->payload ? j->payload : "{}");
	fake__copy_str(row->unique_key, sizeof(row->unique_key), j->unique_key);
	fake__copy_str(row->resource_type, sizeof(row->resource_type), j->resource_type);
	row->has_resource = j->resource_id != NULL;
	if (j->resource_id)
		row->resource_id = *j->resource_id;
	row->has_creator = j->created_by != NULL;
	if (j->created_by)
		row->created_by = *j->created_by;
	row->status = VS_JOB_QUEUED;
	row->max_attempts = j->max_attempts;
	if (j->run_at)
		row->run_at = j->run_at;
	*id = row->id;
	return VS_OK;
}

static enum vs_err job_get(struct vs_job_repo *repo, struct vs_arena *a, const vs_uuid *id,
			   struct vs_job *out)
{
	struct fake_jobs *jobs = jobs_of(repo);
	if (fake__call(jobs->db, "jobs.get"))
		return VS_UNAVAILABLE;
	const struct fake_job_row *row = visible_job(jobs, id);
	if (!row)
		return VS_NOTFOUND;
	row_to_job(a, row, out);
	return VS_OK;
}

/* ORDER BY created_at DESC, id DESC */
static int newest_first(const void *pa, const void *pb)
{
	const struct fake_job_row *a = *(const struct fake_job_row *const *)pa;
	const struct fake_job_row *b = *(const struct fake_job_row *const *)pb;
	if (a->created_at != b->created_at)
		return a->created_at < b->created_at ? 1 : -1;
	return -memcmp(a->id.b, b->id.b, sizeof(a->id.b));
}

static bool matches(struct fake_db *db, const struct fake_job_row *row,
		    const struct vs_job_query *q)
{
	if (!in_scope(db, row->has_tenant, &row->tenant_id))
		return false;
	if (q->platform ? row->has_tenant
			: !row->has_tenant || !vs_uuid_eq(&row->tenant_id, q->tenant))
		return false;
	return (!q->has_status || row->status == q->status) &&
	       (!q->kind || strcmp(row->kind, q->kind) == 0) &&
	       (!q->resource_id ||
		(row->has_resource && vs_uuid_eq(&row->resource_id, q->resource_id)));
}

static enum vs_err job_list(struct vs_job_repo *repo, struct vs_arena *a,
			    const struct vs_job_query *q, struct vs_job_page *out)
{
	struct fake_jobs *jobs = jobs_of(repo);
	if (fake__call(jobs->db, "jobs.list"))
		return VS_UNAVAILABLE;
	const struct fake_job_row *found[FAKE_MAX_JOBS];
	size_t n = 0;
	for (size_t i = 0; i < jobs->store.n; i++)
		if (matches(jobs->db, &jobs->store.rows[i], q))
			found[n++] = &jobs->store.rows[i];
	qsort(found, n, sizeof(found[0]), newest_first);
	struct fake_pager pager;
	fake_pager_init(&pager, &q->at, &out->end, &out->n);
	out->items = vs_arena_array(a, n + 1, sizeof(*out->items));
	for (size_t i = 0; i < n; i++)
		if (fake_pager_take(&pager, &found[i]->id, found[i]->created_at))
			row_to_job(a, found[i], &out->items[out->n++]);
	fake_pager_finish(&pager);
	return VS_OK;
}

static enum vs_err job_cancel(struct vs_job_repo *repo, struct vs_arena *a, const vs_uuid *id,
			      struct vs_job *out)
{
	struct fake_jobs *jobs = jobs_of(repo);
	if (fake__call(jobs->db, "jobs.cancel"))
		return VS_UNAVAILABLE;
	struct fake_job_row *row = visible_job(jobs, id);
	if (!row)
		return VS_NOTFOUND;
	if (row->status != VS_JOB_QUEUED) {
		row_to_job(a, row, out); /* the UPDATE matched nothing: the row as it is */
		return VS_CONFLICT;
	}
	fake__wrote(jobs->db);
	row->status = VS_JOB_CANCELLED;
	row->finished_at = fake_now();
	row_to_job(a, row, out);
	return VS_OK;
}

static const struct vs_job_repo_ops fake_job_ops = {
	.enqueue = job_enqueue,
	.get = job_get,
	.list = job_list,
	.cancel = job_cancel,
};

static struct fake_jobs *jobs_of(struct vs_job_repo *r)
{
	if (!r || r->ops != &fake_job_ops)
		abort();
	return (struct fake_jobs *)r;
}

void fake_jobs_init(struct fake_jobs *jobs, struct fake_db *db, struct vs_app *app)
{
	memset(jobs, 0, sizeof(*jobs));
	jobs->base.ops = &fake_job_ops;
	jobs->db = db;
	fake_db_attach(db, &jobs->store, sizeof(jobs->store));
	app->jobs = &jobs->base;
}

struct fake_job_row *fake_seed_job(struct fake_jobs *jobs, const vs_uuid *tenant, const char *kind,
				   enum vs_job_status status)
{
	struct fake_job_row *row = new_row(jobs);
	row->has_tenant = tenant != NULL;
	if (tenant)
		row->tenant_id = *tenant;
	fake__copy_str(row->kind, sizeof(row->kind), kind);
	fake__copy_str(row->payload, sizeof(row->payload), "{}");
	row->status = status;
	row->max_attempts = 3;
	if (status != VS_JOB_QUEUED && status != VS_JOB_CANCELLED) {
		row->attempts = 1;
		row->started_at = fake_now();
	}
	if (status != VS_JOB_QUEUED && status != VS_JOB_RUNNING)
		row->finished_at = fake_now();
	return row;
}

static void claim_row(struct fake_job_row *row)
{
	row->status = VS_JOB_RUNNING;
	row->attempts++;
	row->started_at = fake_now();
}

void fake_jobs_claim(struct fake_jobs *jobs, const vs_uuid *id)
{
	struct fake_job_row *row = fake_job(jobs, id);
	if (!row)
		abort();
	claim_row(row);
	/* The snapshot the open transaction's rollback would put back. */
	struct fake_db *db = jobs->db;
	for (size_t i = 0; db->depth > 0 && i < db->nattached; i++)
		if (db->attached[i].rows == &jobs->store)
			claim_row(&((struct fake_job_store *)db->attached[i].saved)
					   ->rows[row - jobs->store.rows]);
}
