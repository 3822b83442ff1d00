/* The fake job queue: see fake_queue.h. Each op takes the mutex for its whole call, as
 * each SQL function is one statement. */
#include "runner/fake_queue.h"

#include "app/db.h"
#include "core/time.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RESCUE_ERROR "the runner stopped before the job ended (its lease expired)"
#define AWAY_WAIT_MS 20 /* a failing wait sleeps this long at most, then answers */

struct fake_queue {
	struct vs_job_queue base;
	pthread_mutex_t lock;
	pthread_cond_t notified; /* an enqueue, or a kick */

	struct fake_job_row rows[FAKE_QUEUE_MAX_JOBS];
	size_t nrows;
	int max_running;
	struct fake_finish_rec finishes[FAKE_QUEUE_MAX_FINISHES];
	size_t nfinishes;

	unsigned notifications; /* enqueues the listener has not heard yet */
	unsigned kicks;		/* fake_queue_kick calls so far */

	unsigned calls[FQ_NOPS], failed[FQ_NOPS], fail_next[FQ_NOPS];
	bool away;

	struct vs_runner_apps apps;
	struct fake_queue_app_counts counts;
	void *user;
};

/* An app of a runner's thread: its own vs_app, on a database port that does nothing. */
struct fake_app {
	struct vs_app app;
	struct vs_db db;
	struct fake_queue *q;
};

static struct fake_queue *queue_of(struct vs_job_queue *self)
{
	return (struct fake_queue *)self;
}

int64_t fake_queue_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		abort(); /* a test gave the fake something too big */
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* Under the lock: counts the call of op and says whether it must fail. */
static bool fails(struct fake_queue *q, enum fake_queue_op op)
{
	q->calls[op]++;
	bool fail = q->away;
	if (q->fail_next[op] > 0) {
		fail = true;
		if (q->fail_next[op] != FAKE_QUEUE_FOREVER)
			q->fail_next[op]--;
	}
	q->failed[op] += fail;
	return fail;
}

static struct fake_job_row *find(struct fake_queue *q, const vs_uuid *id)
{
	for (size_t i = 0; i < q->nrows; i++)
		if (vs_uuid_eq(&q->rows[i].id, id))
			return &q->rows[i];
	return NULL;
}

static bool kind_in(const char *kind, const struct vs_job_kinds *kinds)
{
	for (size_t i = 0; i < kinds->n; i++)
		if (strcmp(kinds->names[i], kind) == 0)
			return true;
	return false;
}

/* ORDER BY run_at, id */
static bool before(const struct fake_job_row *a, const struct fake_job_row *b)
{
	if (a->run_at_ms != b->run_at_ms)
		return a->run_at_ms < b->run_at_ms;
	return memcmp(&a->id, &b->id, sizeof(a->id)) < 0;
}

/* The first queued row of kinds due by now (now 0: due or not) in (run_at, id) order that
 * is not in taken, or NULL. */
static struct fake_job_row *first_queued(struct fake_queue *q, const struct vs_job_kinds *kinds,
					 int64_t now, const bool *taken)
{
	struct fake_job_row *best = NULL;
	for (size_t i = 0; i < q->nrows; i++) {
		struct fake_job_row *r = &q->rows[i];
		if (r->status != VS_JOB_QUEUED || (taken && taken[i]) || !kind_in(r->kind, kinds) ||
		    (now && r->run_at_ms > now))
			continue;
		if (!best || before(r, best))
			best = r;
	}
	return best;
}

static void clear_lock(struct fake_job_row *r)
{
	r->locked_by[0] = '\0';
	r->locked_until_ms = 0;
}

/* ---- the port ---- */

/* The claim of jobs.turn, under the lock. */
static void claim_locked(struct fake_queue *q, struct vs_arena *a, const char *runner,
			 const struct vs_job_kinds *kinds, int n, int lease_s, struct vs_job **jobs,
			 size_t *count)
{
	bool taken[FAKE_QUEUE_MAX_JOBS] = {false};
	int64_t now = fake_queue_now_ms();
	*jobs = vs_arena_array(a, (size_t)(n > 0 ? n : 0) + 1, sizeof(**jobs));
	while ((int)*count < n) {
		struct fake_job_row *r = first_queued(q, kinds, now, taken);
		if (!r)
			break;
		taken[r - q->rows] = true;
		r->status = VS_JOB_RUNNING;
		r->attempts++;
		copy_str(r->locked_by, sizeof(r->locked_by), runner);
		r->locked_until_ms = now + (int64_t)lease_s * 1000;
		r->started_ms = now;
		r->claims++;
		struct vs_job *j = &(*jobs)[(*count)++];
		*j = (struct vs_job){.id = r->id,
				     .kind = vs_arena_strdup(a, r->kind),
				     .payload = vs_arena_strdup(a, r->payload),
				     .status = r->status,
				     .attempts = r->attempts,
				     .max_attempts = r->max_attempts,
				     .run_at = r->run_at_ms / 1000,
				     .created_at = r->created_ms / 1000,
				     .started_at = r->started_ms / 1000,
				     .last_error =
					 r->has_error ? vs_arena_strdup(a, r->last_error) : NULL};
	}
	int running = 0;
	for (size_t i = 0; i < q->nrows; i++)
		running += q->rows[i].status == VS_JOB_RUNNING;
	if (running > q->max_running)
		q->max_running = running;
}

static enum vs_err q_claim(struct vs_job_queue *self, struct vs_arena *a, const char *runner,
			   const struct vs_job_kinds *kinds, int n, int lease_s,
			   struct vs_job **jobs, size_t *count)
{
	struct fake_queue *q = queue_of(self);
	enum vs_err rc = VS_OK;
	*count = 0;
	pthread_mutex_lock(&q->lock);
	if (fails(q, FQ_CLAIM))
		rc = VS_UNAVAILABLE;
	else
		claim_locked(q, a, runner, kinds, n, lease_s, jobs, count);
	pthread_mutex_unlock(&q->lock);
	return rc;
}

/* The outcomes of jobs.turn, under the lock. */
static void finish_locked(struct fake_queue *q, const char *runner, const struct vs_job_outcome *o,
			  size_t n, size_t *applied)
{
	*applied = 0;
	int64_t now = fake_queue_now_ms();
	for (size_t i = 0; i < n; i++) {
		struct fake_job_row *r = find(q, &o[i].id);
		if (!r || r->status != VS_JOB_RUNNING || strcmp(r->locked_by, runner) != 0 ||
		    (o[i].status != VS_JOB_SUCCEEDED && o[i].status != VS_JOB_FAILED &&
		     o[i].status != VS_JOB_QUEUED))
			continue;
		r->status = o[i].status;
		r->has_result = o[i].result != NULL;
		copy_str(r->result, sizeof(r->result), o[i].result);
		r->has_error = o[i].error != NULL; /* last_error = o.error, NULL included */
		copy_str(r->last_error, sizeof(r->last_error), o[i].error);
		if (o[i].status == VS_JOB_QUEUED) /* run_at_ms is sent for a retry only */
			r->run_at_ms = o[i].run_at_ms;
		clear_lock(r);
		r->finished_ms = o[i].status == VS_JOB_QUEUED ? 0 : now;
		r->finishes++;
		(*applied)++;
		if (q->nfinishes < FAKE_QUEUE_MAX_FINISHES) {
			struct fake_finish_rec *f = &q->finishes[q->nfinishes++];
			*f = (struct fake_finish_rec){.id = r->id,
						      .status = r->status,
						      .attempts = r->attempts,
						      .run_at_ms = r->run_at_ms,
						      .at_ms = now,
						      .has_error = r->has_error};
			copy_str(f->last_error, sizeof(f->last_error), r->last_error);
		}
	}
}

static enum vs_err q_finish(struct vs_job_queue *self, struct vs_arena *a, const char *runner,
			    const struct vs_job_outcome *o, size_t n, size_t *applied)
{
	(void)a;
	struct fake_queue *q = queue_of(self);
	enum vs_err rc = VS_OK;
	*applied = 0;
	pthread_mutex_lock(&q->lock);
	if (fails(q, FQ_FINISH))
		rc = VS_UNAVAILABLE;
	else
		finish_locked(q, runner, o, n, applied);
	pthread_mutex_unlock(&q->lock);
	return rc;
}

/* One transaction: counts as a finish and a claim, and fails as either would. */
static enum vs_err q_finish_and_claim(struct vs_job_queue *self, struct vs_arena *a,
				      const char *runner, const struct vs_job_outcome *o,
				      size_t nout, const struct vs_job_kinds *kinds, int n,
				      int lease_s, struct vs_job **jobs, size_t *count)
{
	struct fake_queue *q = queue_of(self);
	enum vs_err rc = VS_OK;
	size_t applied;
	*count = 0;
	pthread_mutex_lock(&q->lock);
	if (fails(q, FQ_FINISH) || fails(q, FQ_CLAIM)) {
		rc = VS_UNAVAILABLE;
	} else {
		finish_locked(q, runner, o, nout, &applied);
		claim_locked(q, a, runner, kinds, n, lease_s, jobs, count);
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static enum vs_err q_renew(struct vs_job_queue *self, struct vs_arena *a, const char *runner,
			   const vs_uuid *ids, size_t n, int lease_s, bool *held)
{
	(void)a;
	struct fake_queue *q = queue_of(self);
	enum vs_err rc = VS_OK;
	for (size_t i = 0; i < n; i++)
		held[i] = false;
	pthread_mutex_lock(&q->lock);
	if (fails(q, FQ_RENEW)) {
		rc = VS_UNAVAILABLE;
		goto out;
	}
	int64_t now = fake_queue_now_ms();
	for (size_t i = 0; i < n; i++) {
		struct fake_job_row *r = find(q, &ids[i]);
		if (!r || r->status != VS_JOB_RUNNING || strcmp(r->locked_by, runner) != 0)
			continue;
		r->locked_until_ms = now + (int64_t)lease_s * 1000;
		r->renewals++;
		held[i] = true;
	}
out:
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static enum vs_err q_release(struct vs_job_queue *self, const char *runner, const vs_uuid *ids,
			     size_t n)
{
	struct fake_queue *q = queue_of(self);
	enum vs_err rc = VS_OK;
	pthread_mutex_lock(&q->lock);
	if (fails(q, FQ_RELEASE)) {
		rc = VS_UNAVAILABLE;
		goto out;
	}
	int64_t now = fake_queue_now_ms();
	for (size_t i = 0; i < n; i++) {
		struct fake_job_row *r = find(q, &ids[i]);
		if (!r || r->status != VS_JOB_RUNNING || strcmp(r->locked_by, runner) != 0)
			continue;
		r->status = VS_JOB_QUEUED;
		r->attempts = r->attempts > 0 ? r->attempts - 1 : 0;
		r->run_at_ms = now;
		clear_lock(r);
		r->started_ms = 0;
		r->releases++;
	}
out:
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static enum vs_err q_rescue(struct vs_job_queue *self, int *n)
{
	struct fake_queue *q = queue_of(self);
	enum vs_err rc = VS_OK;
	*n = 0;
	pthread_mutex_lock(&q->lock);
	if (fails(q, FQ_RESCUE)) {
		rc = VS_UNAVAILABLE;
		goto out;
	}
	int64_t now = fake_queue_now_ms();
	for (size_t i = 0; i < q->nrows; i++) {
		struct fake_job_row *r = &q->rows[i];
		if (r->status != VS_JOB_RUNNING || r->locked_until_ms >= now)
			continue;
		bool last = r->attempts >= r->max_attempts;
		r->status = last ? VS_JOB_FAILED : VS_JOB_QUEUED;
		r->finished_ms = last ? now : 0;
		r->has_error = true;
		copy_str(r->last_error, sizeof(r->last_error), RESCUE_ERROR);
		r->run_at_ms = now;
		clear_lock(r);
		r->rescues++;
		(*n)++;
	}
out:
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static enum vs_err q_next_due(struct vs_job_queue *self, struct vs_arena *a,
			      const struct vs_job_kinds *kinds, int64_t *at_ms)
{
	(void)a;
	struct fake_queue *q = queue_of(self);
	enum vs_err rc = VS_OK;
	*at_ms = 0;
	pthread_mutex_lock(&q->lock);
	if (fails(q, FQ_NEXT_DUE)) {
		rc = VS_UNAVAILABLE;
		goto out;
	}
	const struct fake_job_row *r = first_queued(q, kinds, 0, NULL);
	*at_ms = r ? r->run_at_ms : 0;
out:
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static bool finished(enum vs_job_status s)
{
	return s == VS_JOB_SUCCEEDED || s == VS_JOB_FAILED || s == VS_JOB_CANCELLED;
}

static enum vs_err q_prune(struct vs_job_queue *self, int retention_s, int batch, int *n)
{
	struct fake_queue *q = queue_of(self);
	enum vs_err rc = VS_OK;
	*n = 0;
	pthread_mutex_lock(&q->lock);
	if (fails(q, FQ_PRUNE)) {
		rc = VS_UNAVAILABLE;
		goto out;
	}
	int64_t cutoff = fake_queue_now_ms() - (int64_t)retention_s * 1000;
	while (*n < batch) {
		size_t oldest = q->nrows;
		for (size_t i = 0; i < q->nrows; i++)
			if (finished(q->rows[i].status) && q->rows[i].finished_ms < cutoff &&
			    (oldest == q->nrows ||
			     q->rows[i].finished_ms < q->rows[oldest].finished_ms))
				oldest = i;
		if (oldest == q->nrows)
			break;
		q->rows[oldest] = q->rows[--q->nrows];
		memset(&q->rows[q->nrows], 0, sizeof(q->rows[0]));
		(*n)++;
	}
out:
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static enum vs_err q_metrics(struct vs_job_queue *self, struct vs_arena *a,
			     struct vs_job_metrics *out)
{
	(void)a; /* no kinds: the runner never asks for metrics */
	struct fake_queue *q = queue_of(self);
	enum vs_err rc = VS_OK;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&q->lock);
	if (fails(q, FQ_METRICS)) {
		rc = VS_UNAVAILABLE;
		goto out;
	}
	int64_t now = fake_queue_now_ms(), oldest = 0;
	for (size_t i = 0; i < q->nrows; i++) {
		const struct fake_job_row *r = &q->rows[i];
		out->queued += r->status == VS_JOB_QUEUED;
		out->running += r->status == VS_JOB_RUNNING;
		if (r->status == VS_JOB_QUEUED && r->run_at_ms <= now &&
		    (!oldest || r->run_at_ms < oldest))
			oldest = r->run_at_ms;
	}
	out->oldest_due_seconds = oldest ? (double)(now - oldest) / 1000.0 : 0;
out:
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static struct timespec deadline_in(int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

static enum vs_err q_wait(struct vs_job_queue *self, int timeout_ms, bool *woken)
{
	struct fake_queue *q = queue_of(self);
	enum vs_err rc = VS_OK;
	*woken = false;
	pthread_mutex_lock(&q->lock);
	unsigned kicks = q->kicks;
	if (fails(q, FQ_WAIT)) {
		/* As the adapter: no connection, so it sleeps until its next attempt. */
		struct timespec until =
		    deadline_in(timeout_ms < AWAY_WAIT_MS ? timeout_ms : AWAY_WAIT_MS);
		while (q->kicks == kicks &&
		       pthread_cond_timedwait(&q->notified, &q->lock, &until) != ETIMEDOUT)
			;
		rc = VS_UNAVAILABLE;
		goto out;
	}
	struct timespec until = deadline_in(timeout_ms);
	while (!q->notifications && q->kicks == kicks &&
	       pthread_cond_timedwait(&q->notified, &q->lock, &until) != ETIMEDOUT)
		;
	*woken = q->notifications > 0;
	q->notifications = 0;
out:
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static const struct vs_job_queue_ops fake_queue_ops = {
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

/* ---- the database port of the apps: nothing to do, counted ---- */

static struct fake_queue *queue_of_db(const struct vs_db *db)
{
	return ((const struct fake_app *)((const char *)db - offsetof(struct fake_app, db)))->q;
}

static enum vs_err db_ensure(struct vs_db *db)
{
	struct fake_queue *q = queue_of_db(db);
	pthread_mutex_lock(&q->lock);
	q->counts.ensures++;
	pthread_mutex_unlock(&q->lock);
	return VS_OK;
}

static int db_retry_after(const struct vs_db *db)
{
	(void)db;
	return 1;
}

static enum vs_err db_schema_version(struct vs_db *db, long *version)
{
	(void)db;
	*version = 0;
	return VS_OK;
}

static void db_request_done(struct vs_db *db)
{
	struct fake_queue *q = queue_of_db(db);
	pthread_mutex_lock(&q->lock);
	q->counts.request_dones++;
	pthread_mutex_unlock(&q->lock);
}

static void db_write_behind(struct vs_db *db, bool force)
{
	(void)db;
	(void)force;
}

static void db_stats(const struct vs_db *db, struct vs_db_stats *out)
{
	(void)db;
	memset(out, 0, sizeof(*out));
}

static const struct vs_db_ops noop_db_ops = {
    .ensure = db_ensure,
    .retry_after = db_retry_after,
    .schema_version = db_schema_version,
    .request_done = db_request_done,
    .write_behind = db_write_behind,
    .stats = db_stats,
};

static struct vs_app *open_app(void *ctx)
{
	struct fake_queue *q = ctx;
	struct fake_app *fa = calloc(1, sizeof(*fa));
	if (!fa)
		abort();
	fa->q = q;
	fa->db.ops = &noop_db_ops;
	fa->app.db = &fa->db;
	fa->app.job_queue = &q->base;
	fa->app.now = vs_time_now;
	pthread_mutex_lock(&q->lock);
	q->counts.opened++;
	pthread_mutex_unlock(&q->lock);
	return &fa->app;
}

static void close_app(void *ctx, struct vs_app *app)
{
	struct fake_queue *q = ctx;
	pthread_mutex_lock(&q->lock);
	q->counts.closed++;
	pthread_mutex_unlock(&q->lock);
	free((struct fake_app *)app);
}

/* ---- for the tests ---- */

struct fake_queue *fake_queue_new(void)
{
	struct fake_queue *q = calloc(1, sizeof(*q));
	if (!q)
		abort();
	q->base.ops = &fake_queue_ops;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->notified, NULL);
	q->apps = (struct vs_runner_apps){open_app, close_app, q};
	return q;
}

void fake_queue_free(struct fake_queue *q)
{
	if (!q)
		return;
	pthread_cond_destroy(&q->notified);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

struct vs_job_queue *fake_queue_port(struct fake_queue *q)
{
	return &q->base;
}

vs_uuid fake_queue_enqueue(struct fake_queue *q, const char *kind, const char *payload,
			   int max_attempts, int64_t run_at_ms)
{
	pthread_mutex_lock(&q->lock);
	if (q->nrows == FAKE_QUEUE_MAX_JOBS)
		abort(); /* raise FAKE_QUEUE_MAX_JOBS */
	struct fake_job_row *r = &q->rows[q->nrows++];
	memset(r, 0, sizeof(*r));
	vs_uuid_v4(&r->id);
	copy_str(r->kind, sizeof(r->kind), kind);
	copy_str(r->payload, sizeof(r->payload), payload ? payload : "{}");
	r->status = VS_JOB_QUEUED;
	r->max_attempts = max_attempts;
	r->created_ms = fake_queue_now_ms();
	r->run_at_ms = run_at_ms ? run_at_ms : r->created_ms;
	q->notifications++;
	pthread_cond_broadcast(&q->notified);
	vs_uuid id = r->id;
	pthread_mutex_unlock(&q->lock);
	return id;
}

bool fake_queue_row(struct fake_queue *q, const vs_uuid *id, struct fake_job_row *out)
{
	pthread_mutex_lock(&q->lock);
	const struct fake_job_row *r = find(q, id);
	if (r)
		*out = *r;
	pthread_mutex_unlock(&q->lock);
	return r != NULL;
}

size_t fake_queue_count(struct fake_queue *q, enum vs_job_status s)
{
	size_t n = 0;
	pthread_mutex_lock(&q->lock);
	for (size_t i = 0; i < q->nrows; i++)
		n += q->rows[i].status == s;
	pthread_mutex_unlock(&q->lock);
	return n;
}

int fake_queue_max_running(struct fake_queue *q)
{
	pthread_mutex_lock(&q->lock);
	int n = q->max_running;
	pthread_mutex_unlock(&q->lock);
	return n;
}

size_t fake_queue_finishes(struct fake_queue *q, const vs_uuid *id, struct fake_finish_rec *out,
			   size_t cap)
{
	size_t n = 0;
	pthread_mutex_lock(&q->lock);
	for (size_t i = 0; i < q->nfinishes; i++)
		if (vs_uuid_eq(&q->finishes[i].id, id) && n < cap)
			out[n++] = q->finishes[i];
	pthread_mutex_unlock(&q->lock);
	return n;
}

unsigned fake_queue_calls(struct fake_queue *q, enum fake_queue_op op)
{
	pthread_mutex_lock(&q->lock);
	unsigned n = q->calls[op];
	pthread_mutex_unlock(&q->lock);
	return n;
}

unsigned fake_queue_failed(struct fake_queue *q, enum fake_queue_op op)
{
	pthread_mutex_lock(&q->lock);
	unsigned n = q->failed[op];
	pthread_mutex_unlock(&q->lock);
	return n;
}

void fake_queue_fail_next(struct fake_queue *q, enum fake_queue_op op, unsigned k)
{
	pthread_mutex_lock(&q->lock);
	q->fail_next[op] = k;
	pthread_mutex_unlock(&q->lock);
}

void fake_queue_set_away(struct fake_queue *q, bool away)
{
	pthread_mutex_lock(&q->lock);
	q->away = away;
	pthread_mutex_unlock(&q->lock);
}

void fake_queue_kick(struct fake_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->kicks++;
	pthread_cond_broadcast(&q->notified);
	pthread_mutex_unlock(&q->lock);
}

const struct vs_runner_apps *fake_queue_apps(struct fake_queue *q)
{
	return &q->apps;
}

/* No database port: the coordinator uses only its queue. */
void fake_queue_app_init(struct fake_queue *q, struct vs_app *app)
{
	memset(app, 0, sizeof(*app));
	app->job_queue = &q->base;
	app->now = vs_time_now;
}

void fake_queue_set_user(struct fake_queue *q, void *user)
{
	q->user = user;
}

void *fake_queue_user(const struct vs_app *app)
{
	return queue_of(app->job_queue)->user;
}

struct fake_queue_app_counts fake_queue_app_counts(struct fake_queue *q)
{
	pthread_mutex_lock(&q->lock);
	struct fake_queue_app_counts c = q->counts;
	pthread_mutex_unlock(&q->lock);
	return c;
}
