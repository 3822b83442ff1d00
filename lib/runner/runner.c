/* The runner: see runner.h. One mutex guards the slots and the flags; the coordinator
 * alone talks to its queue, each handler thread alone to its own app. */
#include "runner/runner.h"

#include "app/db.h"
#include "audit/usecases.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/time.h"
#include "webhooks/usecases.h"

#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CONCURRENCY 256
#define PRUNE_EVERY_MS 60000
#define PRUNE_BATCH 1000
#define LISTEN_WAIT_MS 1000
/* How long a turn waits for jobs that started just before it to end (see gather). */
#define GATHER_MS 2

enum slot_state {
	SLOT_IDLE,     /* waiting for a job */
	SLOT_ASSIGNED, /* given one; its thread has not taken it yet */
	SLOT_RUNNING,
	SLOT_DONE, /* its outcome waits for the coordinator */
};

struct runner;

struct slot {
	struct runner *r;
	pthread_t thread;
	pthread_cond_t wake;
	enum slot_state state;
	struct vs_arena *arena; /* the job's copy and the handler's allocations */
	struct vs_job job;
	const struct vs_job_kind *kind; /* NULL: no handler for the job's kind */
	int64_t started_us, deadline_ms, give_up_ms;
	bool given_up; /* the coordinator has recorded an outcome for it already */
	enum vs_job_verdict verdict;
	const char *result, *error;
	int64_t retry_after_ms;
};

struct runner {
	pthread_mutex_t lock;
	pthread_cond_t coordinator; /* a slot is done, or an enqueue was heard */
	bool woken, quit;
	bool gathering; /* the coordinator waits for the last short run to end (gather) */
	struct slot *slots;
	int nslots;
	pthread_t listener;
	bool listener_started;
	const struct vs_runner_settings *s;
	const struct vs_runner_apps *apps;
	const struct vs_runner_observer *observer;
	const struct vs_job_kind_group *const *groups;
	size_t ngroups;
	struct vs_job_kinds kinds; /* the names of the groups' kinds: what it claims */
};

static int64_t mono_ms(void)
{
	return vs_time_mono_us() / 1000;
}

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct vs_job_kind *find_kind(const struct runner *r, const char *name)
{
	for (size_t g = 0; g < r->ngroups; g++)
		for (size_t i = 0; i < r->groups[g]->n; i++)
			if (strcmp(r->groups[g]->kinds[i]->name, name) == 0)
				return r->groups[g]->kinds[i];
	return NULL;
}

static bool short_run_pending(const struct runner *r, int64_t now_us);

/* ---- handler threads ---- */

static void *handler_main(void *arg)
{
	struct slot *slot = arg;
	struct runner *r = slot->r;
	struct vs_app *app = NULL;
	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (slot->state != SLOT_ASSIGNED && !r->quit)
			pthread_cond_wait(&slot->wake, &r->lock);
		if (slot->state != SLOT_ASSIGNED)
			break;
		slot->state = SLOT_RUNNING;
		pthread_mutex_unlock(&r->lock);

		if (!app)
			app = r->apps->open(r->apps->ctx);
		struct vs_job_run run = { app, slot->arena, &slot->job, slot->deadline_ms, NULL, NULL,
					  0 };
		enum vs_job_verdict v;
		if (!slot->kind) {
			v = VS_JOB_PERMANENT;
			run.error = "no handler for this kind of job in this runner";
		} else if (!app) {
			v = VS_JOB_RETRY;
			run.error = "the runner could not reach the database";
		} else {
			/* As a request does: a connection lost since the last job is made anew
			 * (a failure shows as VS_UNAVAILABLE in the handler: a retry). */
			(void)app->db->ops->ensure(app->db);
			v = slot->kind->run(&run);
			app->db->ops->request_done(app->db); /* whatever the handler left open */
		}

		pthread_mutex_lock(&r->lock);
		slot->verdict = v;
		slot->result = run.result;
		slot->error = run.error;
		slot->retry_after_ms = run.retry_after_ms;
		slot->state = SLOT_DONE;
		/* A gathering coordinator wants only the last of the short runs: one wake-up
		 * per turn rather than one per job. */
		if (!r->gathering || !short_run_pending(r, vs_time_mono_us()))
			pthread_cond_signal(&r->coordinator);
	}
	pthread_mutex_unlock(&r->lock);
	if (app)
		r->apps->close(r->apps->ctx, app);
	return NULL;
}

/* ---- the listener: LISTEN on a connection of its own ---- */

static void *listener_main(void *arg)
{
	struct runner *r = arg;
	struct vs_app *app = NULL;
	for (;;) {
		pthread_mutex_lock(&r->lock);
		bool quit = r->quit;
		pthread_mutex_unlock(&r->lock);
		if (quit)
			break;
		if (!app && !(app = r->apps->open(r->apps->ctx))) {
			struct timespec pause = { 0, 200 * 1000000 };
			nanosleep(&pause, NULL);
			continue;
		}
		bool woken = false;
		enum vs_err rc = app->job_queue->ops->wait(app->job_queue, LISTEN_WAIT_MS, &woken);
		if (woken || rc != VS_OK) {
			/* An enqueue, or enqueues perhaps missed while the connection was away. */
			pthread_mutex_lock(&r->lock);
			r->woken = true;
			pthread_cond_signal(&r->coordinator);
			pthread_mutex_unlock(&r->lock);
		}
	}
	if (app)
		r->apps->close(r->apps->ctx, app);
	return NULL;
}

/* ---- the coordinator ---- */

/* Outcomes recorded but not yet written (the database may be away for a while). */
struct pending {
	struct vs_job_outcome *items;
	size_t n, cap;
	struct vs_arena *arena; /* their strings */
};

/* text with every byte that is not printable ASCII as '?': a handler's error may quote
 * what a server said, and one byte that is not UTF-8 would make the whole batch of
 * outcomes fail to be recorded. */
static char *printable_copy(struct vs_arena *a, const char *text)
{
	char *copy = vs_arena_strdup(a, text);
	for (char *c = copy; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			*c = '?';
	return copy;
}

static void pending_add(struct pending *p, const struct vs_job_outcome *o)
{
	/* No claim while outcomes wait, so at most one per slot plus one per given-up run. */
	if (p->n == p->cap)
		abort();
	p->items[p->n] = *o;
	p->items[p->n].result = o->result ? vs_arena_strdup(p->arena, o->result) : NULL;
	p->items[p->n].error = o->error ? printable_copy(p->arena, o->error) : NULL;
	p->n++;
}

static void log_run(const struct runner *r, const struct slot *slot, const struct vs_job_outcome *o,
		    int64_t duration_us)
{
	enum vs_log_level level = o->status == VS_JOB_SUCCEEDED ? VS_LOG_INFO : VS_LOG_WARN;
	if (!vs_log_enabled(level))
		return; /* a line per job is not built to be dropped */
	char id[VS_UUID_STRLEN + 1];
	struct json_object *line = json_object_new_object();
	vs_uuid_format(&slot->job.id, id);
	json_object_object_add(line, "msg", json_object_new_string("job"));
	json_object_object_add(line, "job", json_object_new_string(id));
	json_object_object_add(line, "kind", json_object_new_string(slot->job.kind));
	json_object_object_add(line, "attempt", json_object_new_int(slot->job.attempts));
	json_object_object_add(line, "outcome",
			       json_object_new_string(o->status == VS_JOB_QUEUED
							      ? "retry"
							      : vs_job_status_name(o->status)));
	json_object_object_add(line, "duration_ms",
			       vs_log_duration_ms(duration_us));
	if (o->error)
		json_object_object_add(line, "error", json_object_new_string(o->error));
	json_object_object_add(line, "runner", json_object_new_string(r->s->id));
	vs_log_object(level, line);
	json_object_put(line);
}

/* The outcome of slot's run, from its handler's verdict. */
static struct vs_job_outcome outcome_of(const struct runner *r, const struct slot *slot,
					enum vs_job_verdict v, const char *error, int64_t retry_after_ms)
{
	uint32_t random;
	vs_random_bytes(&random, sizeof(random));
	int64_t backoff = vs_job_backoff_ms(slot->job.attempts, r->s->backoff_base_ms,
					    r->s->backoff_cap_ms, random);
	struct vs_job_next next = vs_job_after_run(slot->job.attempts, slot->job.max_attempts, v,
						   wall_ms(), backoff, retry_after_ms);
	return (struct vs_job_outcome){ .id = slot->job.id,
					.status = next.status,
					.run_at_ms = next.run_at_ms,
					.result = v == VS_JOB_DONE ? slot->result : NULL,
					.error = v == VS_JOB_DONE ? NULL : error };
}

static void ended(const struct runner *r, const struct slot *slot, const struct vs_job_outcome *o)
{
	int64_t duration_us = vs_time_mono_us() - slot->started_us;
	log_run(r, slot, o, duration_us);
	if (r->observer)
		r->observer->run_ended(r->observer->ctx, &slot->job, o->status, duration_us);
}

/* Under the lock: outcomes of finished slots into p, and of runs that overran twice
 * their timeout (given up: their thread's eventual verdict is dropped). */
static void collect(struct runner *r, struct pending *p, int64_t now)
{
	for (int i = 0; i < r->nslots; i++) {
		struct slot *slot = &r->slots[i];
		if (slot->state == SLOT_DONE) {
			if (!slot->given_up) {
				struct vs_job_outcome o = outcome_of(r, slot, slot->verdict, slot->error,
								     slot->retry_after_ms);
				ended(r, slot, &o);
				pending_add(p, &o);
			}
			slot->state = SLOT_IDLE;
			vs_arena_reset(slot->arena);
		} else if (slot->state == SLOT_RUNNING && !slot->given_up && now > slot->give_up_ms) {
			const char *why = vs_arena_printf(p->arena,
							  "the handler did not return within twice "
							  "its timeout (%d s)",
							  slot->kind ? slot->kind->timeout_s : 0);
			struct vs_job_outcome o = outcome_of(r, slot, VS_JOB_RETRY, why, 0);
			vs_log(VS_LOG_ERROR, "job %s: %s; its thread is lost until it returns",
			       slot->job.kind, why);
			ended(r, slot, &o);
			pending_add(p, &o);
			slot->given_up = true;
		}
	}
}

/* Writes the pending outcomes; kept for the next turn when the database is away. */
/* Writes the pending outcomes; kept for the next turn while the database is away. One
 * the database refuses (a bug) is logged and dropped, so it cannot hold back the rest:
 * its lease runs out and the job is tried again. True when any was a retry. */
static bool flush(struct runner *r, struct vs_job_queue *q, struct pending *p, struct vs_arena *a)
{
	if (p->n == 0)
		return false;
	size_t applied = 0;
	enum vs_err rc = q->ops->finish(q, a, r->s->id, p->items, p->n, &applied);
	if (rc == VS_UNAVAILABLE)
		return false;
	if (rc != VS_OK) {
		applied = 0;
		for (size_t i = 0; i < p->n; i++) {
			size_t one = 0;
			rc = q->ops->finish(q, a, r->s->id, &p->items[i], 1, &one);
			if (rc == VS_UNAVAILABLE)
				return false; /* all kept: finishing twice changes nothing */
			if (rc != VS_OK)
				vs_log(VS_LOG_ERROR, "the database refused a job's outcome; the job "
						     "runs again when its lease runs out");
			applied += one;
		}
	}
	bool retries = false;
	for (size_t i = 0; i < p->n; i++)
		retries |= p->items[i].status == VS_JOB_QUEUED;
	if (applied < p->n)
		vs_log(VS_LOG_WARN, "%zu of %zu finished jobs were no longer this runner's "
				    "(their lease had run out; another runner has them)",
		       p->n - applied, p->n);
	p->n = 0;
	vs_arena_reset(p->arena);
	return retries;
}

/* A claimed job into an idle slot (under the lock). */
static void assign(struct runner *r, struct slot *slot, const struct vs_job *job)
{
	struct vs_arena *a = slot->arena;
	slot->job = *job;
	slot->job.kind = vs_arena_strdup(a, job->kind);
	slot->job.payload = vs_arena_strdup(a, job->payload ? job->payload : "{}");
	slot->job.result = NULL;
	slot->job.last_error = job->last_error ? vs_arena_strdup(a, job->last_error) : NULL;
	slot->job.resource_type = job->resource_type ? vs_arena_strdup(a, job->resource_type) : NULL;
	slot->kind = find_kind(r, job->kind);
	slot->started_us = vs_time_mono_us();
	int timeout_ms = (slot->kind ? slot->kind->timeout_s : 1) * 1000;
	slot->deadline_ms = slot->started_us / 1000 + timeout_ms;
	slot->give_up_ms = slot->deadline_ms + timeout_ms;
	slot->given_up = false;
	slot->result = slot->error = NULL;
	slot->state = SLOT_ASSIGNED;
	pthread_cond_signal(&slot->wake);
}

/* The jobs this runner holds leases of (running, not given up), under the lock. */
static size_t held_ids(const struct runner *r, vs_uuid *ids)
{
	size_t n = 0;
	for (int i = 0; i < r->nslots; i++) {
		const struct slot *slot = &r->slots[i];
		if ((slot->state == SLOT_ASSIGNED || slot->state == SLOT_RUNNING) && !slot->given_up)
			ids[n++] = slot->job.id;
	}
	return n;
}

/* False when the database did not answer. */
static bool renew(struct runner *r, struct vs_job_queue *q, struct vs_arena *a, const vs_uuid *ids,
		  size_t n)
{
	bool *held = vs_arena_array(a, n + 1, sizeof(*held));
	if (n == 0)
		return true;
	if (q->ops->renew(q, a, r->s->id, ids, n, r->s->lease_s, held) != VS_OK)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!held[i])
			vs_log(VS_LOG_WARN, "lost the lease of a running job (the database was "
					    "away longer than the lease); another runner may run it");
	return true;
}

/* Claims jobs for the idle slots, writing the pending outcomes in the same call when
 * there are any (one round trip per turn of a busy runner); a retry among them is found
 * by the next_due that follows. Returns how many, -1 when nothing was claimed (outcomes
 * the database did not answer for stay pending). */
static int claim(struct runner *r, struct vs_job_queue *q, struct vs_arena *a, int idle,
		 struct pending *p)
{
	struct vs_job *jobs;
	size_t n;
	if (p->n == 0) {
		if (q->ops->claim(q, a, r->s->id, &r->kinds, idle, r->s->lease_s, &jobs, &n) != VS_OK)
			return -1;
	} else {
		enum vs_err rc = q->ops->finish_and_claim(q, a, r->s->id, p->items, p->n, &r->kinds,
							  idle, r->s->lease_s, &jobs, &n);
		if (rc != VS_OK) {
			if (rc != VS_UNAVAILABLE)
				(void)flush(r, q, p, a); /* one by one, the refused dropped */
			return -1;
		}
		p->n = 0;
		vs_arena_reset(p->arena);
	}
	pthread_mutex_lock(&r->lock);
	size_t next = 0;
	for (int i = 0; i < r->nslots && next < n; i++)
		if (r->slots[i].state == SLOT_IDLE)
			assign(r, &r->slots[i], &jobs[next++]);
	pthread_mutex_unlock(&r->lock);
	if (next < n) {
		/* More than asked for: give the rest back at once rather than hold leases that
		 * no slot renews. */
		vs_log(VS_LOG_ERROR, "the queue returned %zu jobs for %d slots; giving back %zu", n,
		       idle, n - next);
		vs_uuid *back = vs_arena_array(a, n - next, sizeof(*back));
		for (size_t i = next; i < n; i++)
			back[i - next] = jobs[i].id;
		(void)q->ops->release(q, r->s->id, back, n - next);
	}
	return (int)next;
}

/* When a claim is next worth trying, in monotonic ms: the next due job, or the poll. */
static int64_t next_claim_at(const struct runner *r, struct vs_job_queue *q,
			     struct vs_arena *a, int64_t now)
{
	int64_t due_wall = 0, poll = now + r->s->poll_ms;
	if (q->ops->next_due(q, a, &r->kinds, &due_wall) != VS_OK || due_wall == 0)
		return poll;
	int64_t due = now + (due_wall - wall_ms());
	return due < poll ? due : poll;
}

static int64_t earliest(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* delay_ms from now on the clock pthread_cond_timedwait reads. */
static struct timespec realtime_in(int64_t delay_ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += delay_ms / 1000;
	ts.tv_nsec += (delay_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

/* Under the lock: whether an outcome waits for the coordinator. */
static bool any_done(const struct runner *r)
{
	for (int i = 0; i < r->nslots; i++)
		if (r->slots[i].state == SLOT_DONE)
			return true;
	return false;
}

static void wait_until(struct runner *r, int64_t at_mono_ms)
{
	int64_t delay = at_mono_ms - mono_ms();
	if (delay <= 0)
		return;
	struct timespec ts = realtime_in(delay);
	pthread_mutex_lock(&r->lock);
	if (!r->woken && !any_done(r))
		pthread_cond_timedwait(&r->coordinator, &r->lock, &ts);
	pthread_mutex_unlock(&r->lock);
}

/* Under the lock: whether a job that started less than GATHER_MS ago is still running. */
static bool short_run_pending(const struct runner *r, int64_t now_us)
{
	for (int i = 0; i < r->nslots; i++) {
		const struct slot *slot = &r->slots[i];
		if ((slot->state == SLOT_ASSIGNED || slot->state == SLOT_RUNNING) && !slot->given_up &&
		    now_us - slot->started_us < GATHER_MS * 1000)
			return true;
	}
	return false;
}

/* Under the lock, when jobs have ended: a turn costs the database about a millisecond
 * however few outcomes it records, so wait (at most GATHER_MS) for the jobs that started
 * just now to end too and be recorded by the same turn. Short jobs end together, one
 * turn per batch; a job that has run longer than that is not waited for. */
static void gather(struct runner *r)
{
	if (!any_done(r))
		return;
	struct timespec until = realtime_in(GATHER_MS);
	r->gathering = true;
	while (!r->quit && short_run_pending(r, vs_time_mono_us()))
		if (pthread_cond_timedwait(&r->coordinator, &r->lock, &until) == ETIMEDOUT)
			break;
	r->gathering = false;
}

static bool start_threads(struct runner *r)
{
	for (int i = 0; i < r->nslots; i++) {
		struct slot *slot = &r->slots[i];
		slot->r = r;
		slot->arena = vs_arena_new();
		pthread_cond_init(&slot->wake, NULL);
		if (pthread_create(&slot->thread, NULL, handler_main, slot) != 0) {
			r->nslots = i;
			return false;
		}
	}
	r->listener_started = pthread_create(&r->listener, NULL, listener_main, r) == 0;
	return r->listener_started;
}

/* Stops the threads: idle ones are joined, one still in a handler (given up) is left
 * to end with the process. Returns how many were left. */
static int stop_threads(struct runner *r)
{
	int left = 0;
	pthread_mutex_lock(&r->lock);
	r->quit = true;
	for (int i = 0; i < r->nslots; i++)
		pthread_cond_signal(&r->slots[i].wake);
	pthread_mutex_unlock(&r->lock);
	for (int i = 0; i < r->nslots; i++) {
		struct slot *slot = &r->slots[i];
		pthread_mutex_lock(&r->lock);
		bool busy = slot->state == SLOT_RUNNING;
		pthread_mutex_unlock(&r->lock);
		if (busy) {
			pthread_detach(slot->thread);
			left++;
			continue;
		}
		pthread_join(slot->thread, NULL);
		pthread_cond_destroy(&slot->wake);
		vs_arena_free(slot->arena);
	}
	if (r->listener_started)
		pthread_join(r->listener, NULL);
	return left;
}

int vs_runner_run(struct vs_app *app, const struct vs_job_kind_group *const *groups,
		  size_t ngroups, const struct vs_runner_settings *s,
		  const struct vs_runner_apps *apps, const struct vs_runner_observer *observer,
		  volatile sig_atomic_t *stopping)
{
	/* On the heap: a thread left in a handler past the grace period may still touch it
	 * while the process exits. */
	struct runner *r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	*r = (struct runner){ .s = s, .apps = apps, .observer = observer, .groups = groups,
			      .ngroups = ngroups };
	struct vs_job_queue *q = app->job_queue;
	r->nslots = s->concurrency < 1 ? 1 : s->concurrency > MAX_CONCURRENCY ? MAX_CONCURRENCY
									      : s->concurrency;
	r->slots = calloc((size_t)r->nslots, sizeof(*r->slots));
	size_t nkinds = 0;
	for (size_t g = 0; g < ngroups; g++)
		nkinds += groups[g]->n;
	const char **names = calloc(nkinds + 1, sizeof(*names));
	if (!names)
		abort();
	for (size_t g = 0; g < ngroups; g++)
		for (size_t i = 0; i < groups[g]->n; i++)
			names[r->kinds.n++] = groups[g]->kinds[i]->name;
	r->kinds.names = names;
	/* Leases held: running slots, and outcomes not yet written (up to twice the slots). */
	vs_uuid *ids = calloc(3 * (size_t)r->nslots, sizeof(*ids));
	struct pending p = { calloc(2 * (size_t)r->nslots, sizeof(*p.items)), 0, 2 * (size_t)r->nslots,
			     vs_arena_new() };
	if (!r->slots || !ids || !p.items)
		abort();
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->coordinator, NULL);
	int status = 0;
	if (!start_threads(r)) {
		vs_log(VS_LOG_ERROR, "cannot start the runner's threads");
		status = 1;
		*stopping = 1;
	}
	struct vs_arena *a = vs_arena_new();
	int64_t now = mono_ms(), next_claim = now, next_renew = now + s->lease_s * 1000 / 3,
		next_rescue = now, next_prune = now + PRUNE_EVERY_MS, drain_until = 0,
		next_checkpoint = now, next_sequence = now;
	bool renew_failing = false;
	for (;;) {
		vs_arena_reset(a);
		now = mono_ms();
		pthread_mutex_lock(&r->lock);
		gather(r);
		collect(r, &p, now);
		bool woken = r->woken;
		r->woken = false;
		int idle = 0;
		for (int i = 0; i < r->nslots; i++)
			idle += r->slots[i].state == SLOT_IDLE;
		size_t nheld = held_ids(r, ids);
		pthread_mutex_unlock(&r->lock);

		/* A busy runner writes its outcomes with its next claim (below); otherwise now. */
		bool claim_due = idle > 0 && !*stopping && (woken || now >= next_claim);
		if (!(claim_due && q->ops->finish_and_claim) && flush(r, q, &p, a))
			woken = true; /* a retry may be due before the next poll */
		/* An outcome not yet written still needs its lease: otherwise a rescue (ours
		 * too) would run the job again while we hold what it came to. */
		size_t nrunning = nheld;
		for (size_t i = 0; i < p.n; i++)
			ids[nheld++] = p.items[i].id;
		/* While renewing fails, try every turn and rescue nothing: when the database
		 * answers again our leases are extended before a rescue of ours can take the
		 * jobs we still run. */
		if (now >= next_renew || renew_failing) {
			renew_failing = !renew(r, q, a, ids, nheld);
			next_renew = now + s->lease_s * 1000 / 3;
		}
		if (*stopping && !drain_until)
			drain_until = now + s->shutdown_grace_ms;
		if (drain_until) {
			if (nheld == 0 && p.n == 0 && idle == r->nslots)
				break;
			if (now >= drain_until) {
				/* Untried as far as the queue is concerned: the next runner
				 * starts them afresh. */
				if (nrunning && q->ops->release(q, s->id, ids, nrunning) == VS_OK)
					vs_log(VS_LOG_WARN, "gave back %zu running jobs unfinished",
					       nrunning);
				break;
			}
			wait_until(r, earliest(now + 50, drain_until));
			continue;
		}
		if (now >= next_rescue && !renew_failing) {
			int rescued = 0;
			if (q->ops->rescue(q, &rescued) == VS_OK && rescued > 0) {
				vs_log(VS_LOG_WARN, "requeued %d jobs whose runner stopped", rescued);
				woken = true;
			}
			next_rescue = now + s->poll_ms;
		}
		/* The audit log's sequencer: events written since join their chains. */
		if (now >= next_sequence) {
			int joined = 0;
			if (app->audit && app->audit->ops->sequence)
				(void)app->audit->ops->sequence(app->audit, &joined);
			next_sequence = now + (s->sequence_ms > 0 ? s->sequence_ms : 200);
		}
		if (now >= next_checkpoint) {
			int made = 0;
			if (vs_audit_checkpoint(app, a, &made) == VS_OK && made > 0)
				vs_log(VS_LOG_INFO, "signed %d audit checkpoints", made);
			next_checkpoint = now + (int64_t)(s->checkpoint_s > 0 ? s->checkpoint_s : 300) * 1000;
		}
		if (now >= next_prune) {
			int removed = 0, deliveries = 0;
			(void)q->ops->prune(q, s->retention_s, PRUNE_BATCH, &removed);
			/* The webhooks' delivery log is kept as long as the jobs that made it. */
			(void)vs_webhooks_prune(app, s->retention_s, PRUNE_BATCH, &deliveries);
			next_prune = now + (removed == PRUNE_BATCH || deliveries == PRUNE_BATCH
						    ? 1000
						    : PRUNE_EVERY_MS);
		}
		/* No claim while outcomes cannot be written: what could not be recorded is not
		 * added to. */
		int claimed = 0;
		if (idle > 0 && (p.n == 0 || q->ops->finish_and_claim) && (woken || now >= next_claim)) {
			claimed = claim(r, q, a, idle, &p);
			if (claimed > 0 && nheld == 0)
				next_renew = now + s->lease_s * 1000 / 3; /* leases just taken */
			if (claimed == idle)
				continue; /* more may be due: claim again once slots free up */
			next_claim = claimed < 0 ? now + earliest(s->poll_ms, 500)
						 : next_claim_at(r, q, a, now);
		}
		int64_t wake = earliest(earliest(next_rescue, next_prune),
					earliest(next_checkpoint, next_sequence));
		if (nheld || claimed > 0)
			wake = earliest(wake, next_renew);
		if (p.n || renew_failing)
			wake = earliest(wake, now + earliest(250, s->poll_ms)); /* try them again */
		if (idle > 0)
			wake = earliest(wake, next_claim);
		wait_until(r, wake);
	}
	int left = stop_threads(r);
	vs_arena_free(a);
	vs_arena_free(p.arena);
	free(p.items);
	free(ids);
	if (left) {
		/* Those threads still use the runner; it ends with the process. */
		vs_log(VS_LOG_WARN, "%d handlers still running at exit", left);
		return VS_RUNNER_HANDLERS_LEFT;
	}
	free(r->slots);
	free(names);
	pthread_cond_destroy(&r->coordinator);
	pthread_mutex_destroy(&r->lock);
	free(r);
	return status;
}
