/* jobs.jobs as the runner uses it, across tenants, through the functions of
 * sql/011_jobs.sql and sql/014; each call a transaction of its own. Its listener hears of enqueues
 * (LISTEN vs_jobs) only once it waits: request workers never listen. */
#include "adapters/pg/jobs/internal.h"
#include "core/json.h"
#include "jobs/port.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Claiming, finishing, or both: a turn (jobs.turn) returns the jobs it ended with their
 * new status and those it claimed as 'running'. */
static const struct vs_pg_stmt claim_stmt = {
	"job_claim", "SELECT " VS_PG_JOB_COLS " FROM jobs.turn($1, '[]', $2, $3, $4) j", 4
};
static const struct vs_pg_stmt finish_claim_stmt = {
	"job_finish_claim",
	"SELECT " VS_PG_JOB_COLS " FROM jobs.turn($1, $2, $3, $4, $5) j WHERE j.status = 'running'",
	5
};
static const struct vs_pg_stmt finish_stmt = {
	"job_finish", "SELECT count(*) FROM jobs.turn($1, $2::jsonb, 0, 0, '{}')", 2
};
static const struct vs_pg_stmt renew_stmt = {
	"job_renew", "SELECT id FROM jobs.renew($1, $2::uuid[], $3) AS id", 3
};
static const struct vs_pg_stmt release_stmt = {
	"job_release", "SELECT jobs.release($1, $2::uuid[])", 2
};
static const struct vs_pg_stmt rescue_stmt = { "job_rescue", "SELECT jobs.rescue()", 0 };
static const struct vs_pg_stmt next_due_stmt = {
	"job_next_due", "SELECT floor(extract(epoch FROM jobs.next_due($1)) * 1000)::bigint", 1
};
static const struct vs_pg_stmt prune_stmt = { "job_prune", "SELECT jobs.prune($1, $2)", 2 };
static const struct vs_pg_stmt metrics_stmt = {
	"job_metrics",
	"SELECT kind, enqueued, succeeded, failed, retried, cancelled, queued, running, runs, "
	"run_seconds_sum, array_to_string(runs_under, ' '), oldest_due_seconds FROM jobs.metrics()",
	0
};

struct pg_job_queue {
	struct vs_job_queue base;
	struct vs_pg *pg;
	bool listening, woken;
};

static struct pg_job_queue *queue_of(struct vs_job_queue *self)
{
	return (struct pg_job_queue *)self;
}

/* The queue's connection, (re)connected if it can be: unlike a request, nothing else
 * reconnects a runner's connection after the database went away. Still without one
 * (backing off), the call that follows answers VS_UNAVAILABLE. */
static struct vs_pg *connected(struct vs_job_queue *self)
{
	struct vs_pg *pg = queue_of(self)->pg;
	(void)vs_pg_ensure(pg);
	return pg;
}

/* The kinds as a text[] literal: valid kind names need no quoting. */
static const char *kinds_array(struct vs_arena *a, const struct vs_job_kinds *kinds)
{
	size_t len = 3;
	for (size_t i = 0; i < kinds->n; i++)
		len += strlen(kinds->names[i]) + 1;
	char *out = vs_arena_alloc(a, len), *p = out;
	*p++ = '{';
	for (size_t i = 0; i < kinds->n; i++)
		p += sprintf(p, "%s%s", i ? "," : "", kinds->names[i]);
	strcpy(p, "}");
	return out;
}

/* The jobs a claiming statement returns, in a. */
static enum vs_err claimed(struct vs_job_queue *self, struct vs_arena *a,
			   const struct vs_pg_stmt *stmt, const char *const *params,
			   struct vs_job **jobs, size_t *count)
{
	PGresult *r;
	*count = 0;
	enum vs_err rc = vs_pg_exec(connected(self), a, stmt, params, &r);
	if (rc != VS_OK)
		return rc;
	*count = (size_t)PQntuples(r);
	*jobs = vs_arena_array(a, *count + 1, sizeof(**jobs));
	for (size_t i = 0; i < *count; i++)
		vs_pg__row_to_job(a, r, (int)i, &(*jobs)[i]);
	return VS_OK;
}

static enum vs_err q_claim(struct vs_job_queue *self, struct vs_arena *a, const char *runner,
			   const struct vs_job_kinds *kinds, int n, int lease_s,
			   struct vs_job **jobs, size_t *count)
{
	char limit[16], lease[16];
	snprintf(limit, sizeof(limit), "%d", n);
	snprintf(lease, sizeof(lease), "%d", lease_s);
	const char *params[] = { runner, limit, lease, kinds_array(a, kinds) };
	return claimed(self, a, &claim_stmt, params, jobs, count);
}

static void put_json(void *o)
{
	json_object_put(o);
}

/* The outcomes as the JSON array jobs.turn reads. */
static const char *outcomes_json(struct vs_arena *a, const struct vs_job_outcome *o, size_t n)
{
	struct json_object *arr = json_object_new_array();
	vs_arena_defer(a, put_json, arr);
	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_new_object();
		char id[VS_UUID_STRLEN + 1];
		vs_uuid_format(&o[i].id, id);
		json_object_object_add(x, "id", json_object_new_string(id));
		json_object_object_add(x, "status",
				       json_object_new_string(vs_job_status_name(o[i].status)));
		if (o[i].result) /* JSON the handler made; a bad one is dropped, not stored */
			json_object_object_add(x, "result", json_tokener_parse(o[i].result));
		if (o[i].error)
			json_object_object_add(x, "error", json_object_new_string(o[i].error));
		if (o[i].status == VS_JOB_QUEUED)
			json_object_object_add(x, "run_at_ms", json_object_new_int64(o[i].run_at_ms));
		json_object_array_add(arr, x);
	}
	return vs_json_text(a, arr, NULL);
}

static enum vs_err q_finish(struct vs_job_queue *self, struct vs_arena *a, const char *runner,
			    const struct vs_job_outcome *o, size_t n, size_t *applied)
{
	const char *params[] = { runner, outcomes_json(a, o, n) };
	char count[24];
	*applied = 0;
	enum vs_err rc = vs_pg_scalar(connected(self), &finish_stmt, params, count, sizeof(count));
	if (rc == VS_OK)
		*applied = (size_t)strtoull(count, NULL, 10);
	return rc;
}

static enum vs_err q_finish_and_claim(struct vs_job_queue *self, struct vs_arena *a,
				      const char *runner, const struct vs_job_outcome *o,
				      size_t nout, const struct vs_job_kinds *kinds, int n,
				      int lease_s, struct vs_job **jobs, size_t *count)
{
	char limit[16], lease[16];
	snprintf(limit, sizeof(limit), "%d", n);
	snprintf(lease, sizeof(lease), "%d", lease_s);
	const char *params[] = { runner, outcomes_json(a, o, nout), limit, lease,
				 kinds_array(a, kinds) };
	return claimed(self, a, &finish_claim_stmt, params, jobs, count);
}

static enum vs_err q_renew(struct vs_job_queue *self, struct vs_arena *a, const char *runner,
			   const vs_uuid *ids, size_t n, int lease_s, bool *held)
{
	char lease[16];
	snprintf(lease, sizeof(lease), "%d", lease_s);
	const char *params[] = { runner, vs_pg_uuid_array_param(a, ids, n), lease };
	PGresult *r;
	for (size_t i = 0; i < n; i++)
		held[i] = false;
	enum vs_err rc = vs_pg_exec(connected(self), a, &renew_stmt, params, &r);
	for (int row = 0; rc == VS_OK && row < PQntuples(r); row++) {
		vs_uuid id;
		vs_pg_uuid(r, row, 0, &id);
		for (size_t i = 0; i < n; i++)
			held[i] = held[i] || vs_uuid_eq(&ids[i], &id);
	}
	return rc;
}

static enum vs_err q_release(struct vs_job_queue *self, const char *runner, const vs_uuid *ids,
			     size_t n)
{
	struct vs_arena *a = vs_arena_new();
	const char *params[] = { runner, vs_pg_uuid_array_param(a, ids, n) };
	char ignored[24];
	enum vs_err rc = vs_pg_scalar(connected(self), &release_stmt, params, ignored,
				      sizeof(ignored));
	vs_arena_free(a);
	return rc;
}

/* A query of one integer. */
static enum vs_err one_int(struct vs_pg *pg, const struct vs_pg_stmt *stmt,
			   const char *const *params, int64_t *out)
{
	char v[32];
	enum vs_err rc = vs_pg_scalar(pg, stmt, params, v, sizeof(v));
	*out = rc == VS_OK ? strtoll(v, NULL, 10) : 0;
	return rc == VS_NOTFOUND ? VS_OK : rc; /* NULL: none */
}

static enum vs_err q_rescue(struct vs_job_queue *self, int *n)
{
	int64_t v;
	enum vs_err rc = one_int(connected(self), &rescue_stmt, NULL, &v);
	*n = (int)v;
	return rc;
}

static enum vs_err q_next_due(struct vs_job_queue *self, struct vs_arena *a,
			      const struct vs_job_kinds *kinds, int64_t *at_ms)
{
	const char *params[] = { kinds_array(a, kinds) };
	return one_int(connected(self), &next_due_stmt, params, at_ms);
}

static enum vs_err q_prune(struct vs_job_queue *self, int retention_s, int batch, int *n)
{
	char retention[16], limit[16];
	snprintf(retention, sizeof(retention), "%d", retention_s);
	snprintf(limit, sizeof(limit), "%d", batch);
	const char *params[] = { retention, limit };
	int64_t v;
	enum vs_err rc = one_int(connected(self), &prune_stmt, params, &v);
	*n = (int)v;
	return rc;
}

/* One kind's row of jobs.metrics(). */
static void kind_metrics(struct vs_arena *a, PGresult *r, int row, struct vs_job_kind_metrics *k)
{
	k->kind = vs_arena_strdup(a, PQgetvalue(r, row, 0));
	int64_t *totals[] = { &k->enqueued, &k->succeeded, &k->failed, &k->retried,
			      &k->cancelled, &k->queued, &k->running, &k->runs };
	for (int c = 0; c < 8; c++)
		*totals[c] = vs_pg_int64(r, row, c + 1);
	k->run_seconds_sum = strtod(PQgetvalue(r, row, 9), NULL);
	char *p = PQgetvalue(r, row, 10);
	for (int i = 0; i < VS_JOB_RUN_BOUNDS; i++)
		k->runs_under[i] = strtoll(p, &p, 10);
}

static enum vs_err q_metrics(struct vs_job_queue *self, struct vs_arena *a,
			     struct vs_job_metrics *out)
{
	PGresult *r;
	memset(out, 0, sizeof(*out));
	enum vs_err rc = vs_pg_exec(connected(self), a, &metrics_stmt, NULL, &r);
	if (rc != VS_OK)
		return rc;
	out->nkinds = (size_t)PQntuples(r);
	out->kinds = vs_arena_array(a, out->nkinds + 1, sizeof(*out->kinds));
	for (size_t i = 0; i < out->nkinds; i++) {
		struct vs_job_kind_metrics *k = &out->kinds[i];
		kind_metrics(a, r, (int)i, k);
		out->queued += k->queued;
		out->running += k->running;
		double oldest = strtod(PQgetvalue(r, (int)i, 11), NULL);
		if (oldest > out->oldest_due_seconds)
			out->oldest_due_seconds = oldest;
	}
	return VS_OK;
}

static void on_enqueued(void *ctx, const char *payload)
{
	(void)payload; /* NULL after a reconnection: enqueues may have been missed */
	((struct pg_job_queue *)ctx)->woken = true;
}

static enum vs_err q_wait(struct vs_job_queue *self, int timeout_ms, bool *woken)
{
	struct pg_job_queue *q = queue_of(self);
	if (!q->listening) {
		vs_pg_listen(q->pg, VS_PG_JOBS_CHANNEL, on_enqueued, q);
		q->listening = true;
	}
	q->woken = false;
	enum vs_err rc = vs_pg_wait(q->pg, timeout_ms);
	*woken = q->woken;
	return rc;
}

static const struct vs_job_queue_ops ops = {
	.claim = q_claim,
	.finish_and_claim = q_finish_and_claim,
	.finish = q_finish,
	.renew = q_renew,
	.release = q_release,
	.rescue = q_rescue,
	.next_due = q_next_due,
	.prune = q_prune,
	.metrics = q_metrics,
	.wait = q_wait,
};

void vs_pg__job_queue_wire(const struct vs_pg_wiring *w, struct vs_app *app)
{
	struct pg_job_queue *q = vs_arena_alloc(w->owned, sizeof(*q));
	*q = (struct pg_job_queue){ { &ops }, w->pg, false, false };
	app->job_queue = &q->base;
}
