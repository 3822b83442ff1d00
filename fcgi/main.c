/* vs-fcgi: one FastCGI worker. spawn-fcgi hands it the listening socket on fd 0 and
 * multiwatch keeps N of them alive. One request at a time (a check worker may hold a few
 * waiting, see gather), one PostgreSQL connection. */
#include "accept.h"
#include "pipeline.h"
#include "respond.h"
#include "router.h"
#include "worker.h"

#include "api_keys/port.h"
#include "app/db.h"
#include "core/log.h"
#include "core/time.h"
#include "runtime/runtime.h"

#include <errno.h>
#include <fastcgi.h>
#include <fcgiapp.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: accept() must return so the worker can exit cleanly. SIGUSR1 is
	 * multiwatch's stop: libfcgi's own handler for it would only tell libfcgi, and the
	 * loop below, which goes on after an interrupted accept, would never learn of it. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* nginx closing early must not kill the worker */
}

/* The batched last_used_at waits for a minute or a full batch, or for the worker to be
 * idle this long: a quiet worker would otherwise keep it until its next request. */
#define IDLE_WRITE_MS 1000

/* Requests a check worker takes at once when one of them has to ask PostgreSQL (the key
 * port looks up to 16 keys in one round trip). */
#define GATHER_MAX 8

/* libfcgi closes a connection by shutting down its side and waiting for nginx to close,
 * in case unread input would make the kernel reset it. Reading all input first removes
 * that case, so the connection can be closed at once: a round trip less per request. */
static void finish(FCGX_Request *fcgi)
{
	char drain[4096];
	while (FCGX_GetStr(drain, sizeof(drain), fcgi->in) > 0)
		;
	FCGX_Detach(fcgi);
	FCGX_Finish_r(fcgi);
}

/* Counts a request into this worker's metrics slot: a few relaxed atomic adds. */
static void count(struct vs_worker *w, const struct vs_request *req)
{
	size_t nroutes;
	const struct vs_route *routes = vs_routes(&nroutes);
	if (!w->metrics)
		return;
	vs_metrics_request(w->metrics, req->route ? (size_t)(req->route - routes) : nroutes,
			   req->status, vs_time_mono_us() - req->started_us);
	if (req->route && req->route->bare) {
		enum vs_check_credential c = vs_req_header(req, "HTTP_X_API_KEY")   ? VS_CHECK_API_KEY
					     : vs_req_header(req, "HTTP_AUTHORIZATION") ? VS_CHECK_BEARER
											: VS_CHECK_NONE;
		vs_metrics_check(w->metrics, c, req->status);
	}
	struct vs_db_stats db;
	w->app->db->ops->stats(w->app->db, &db);
	unsigned long totals[VS_M_NTOTALS] = {
		[VS_M_DB_CONNECTS] = db.connects,
		[VS_M_DB_CONNECT_FAILURES] = db.connect_failures,
		[VS_M_DB_QUERY_ERRORS] = db.query_errors,
		[VS_M_DB_NOTIFICATIONS] = db.notifications,
		[VS_M_KEY_HITS] = db.key_hits,
		[VS_M_KEY_MISSES] = db.key_misses,
		[VS_M_KEY_REJECTED_HITS] = db.key_rejected_hits,
		[VS_M_PERMISSION_HITS] = db.permission_hits,
		[VS_M_PERMISSION_MISSES] = db.permission_misses,
		[VS_M_KEY_LOOKUP_ROUND_TRIPS] = db.key_lookup_round_trips,
	};
	vs_metrics_worker_totals(w->metrics, totals);
}

/* A check whose key the cache cannot answer costs a round trip to PostgreSQL. Requests
 * already waiting are taken along, and whichever of their keys the cache cannot answer
 * either are looked up in that same round trip: under load, one trip serves several
 * checks. Only connections already there: none is waited for. */
static size_t gather(struct vs_worker *w, FCGX_Request *held)
{
	struct vs_api_key_repo *repo = w->app->api_keys;
	const char *keys[GATHER_MAX] = { FCGX_GetParam("HTTP_X_API_KEY", held[0].envp) };
	if (!repo->ops->needs_lookup(repo, keys[0]))
		return 1;
	size_t n = 1;
	while (n < GATHER_MAX && vs_accept(&held[n], 0) >= 0) {
		keys[n] = FCGX_GetParam("HTTP_X_API_KEY", held[n].envp);
		n++;
	}
	repo->ops->prefetch(repo, keys, n);
	return n;
}

static void serve(struct vs_worker *w, FCGX_Request *fcgi, struct vs_arena *arena)
{
	struct vs_request req;
	vs_request_init(&req, fcgi, arena);
	vs_dispatch(w, &req);
	bool check = req.route && req.route->bare;
	bool log = !check || w->cfg->log_checks == VS_LOG_CHECKS_ALL ||
		   (w->cfg->log_checks == VS_LOG_CHECKS_FAILURES && req.status >= 300);
	vs_respond(&req, log);
	count(w, &req); /* before finish: that frees the request's parameters */
	finish(fcgi);
	vs_arena_reset(arena);
	w->requests++;
}

static bool worker_init(struct vs_worker *w, struct vs_runtime *rt, bool check_only)
{
	const struct vs_runtime_options opt = { .need_jwt = true, .offline = check_only };
	char err[256];
	memset(w, 0, sizeof(*w));
	if (!vs_runtime_open(rt, &opt, err, sizeof(err))) {
		vs_log(VS_LOG_ERROR, "cannot start: %s", err);
		return false;
	}
	w->app = &rt->app;
	w->cfg = &rt->cfg;
	if (check_only)
		return true;
	w->metrics = vs_metrics_open(w->cfg->metrics_path, w->cfg->pool);
	/* Connect now so the first request does not pay for it; if the database is away
	 * the worker still starts and answers 503 until it is back. */
	(void)w->app->db->ops->ensure(w->app->db);
	return true;
}

/* Checks are short and come in rounds from nginx: under SCHED_BATCH a woken worker waits
 * for nginx to finish handing out the round instead of preempting it for each check
 * (README, "Benchmark"). Any process may choose this policy for itself. */
static void apply_scheduling(const struct vs_worker *w)
{
	if (w->cfg->pool != VS_POOL_CHECK || w->cfg->check_scheduling != VS_CHECK_SCHED_BATCH)
		return;
	struct sched_param param = { .sched_priority = 0 }; /* the only one batch has */
	if (sched_setscheduler(0, SCHED_BATCH, &param) != 0)
		vs_log(VS_LOG_WARN, "cannot use SCHED_BATCH (%s); going on with the default policy",
		       strerror(errno));
}

static void worker_release(struct vs_worker *w, struct vs_runtime *rt)
{
	vs_metrics_close(w->metrics);
	vs_runtime_close(rt);
}

int main(int argc, char **argv)
{
	struct vs_runtime rt;
	struct vs_worker w;
	bool check_only = argc > 1 && strcmp(argv[1], "--check-config") == 0;

	if (!worker_init(&w, &rt, check_only))
		return 1;
	/* argon2 takes 19 MiB per hash. glibc raises its mmap threshold after such a block
	 * is freed, so later ones would come from the heap and stay resident; a fixed
	 * threshold returns each one to the system. */
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	if (check_only) {
		vs_runtime_close(&rt);
		puts("configuration ok");
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_IsCGI()) {
		vs_log(VS_LOG_ERROR, "cannot start: fd 0 is not a FastCGI socket "
				     "(start vs-fcgi with spawn-fcgi)");
		worker_release(&w, &rt);
		return 1;
	}
	install_signals();
	apply_scheduling(&w);

	FCGX_Request held[GATHER_MAX];
	for (size_t i = 0; i < GATHER_MAX; i++)
		FCGX_InitRequest(&held[i], FCGI_LISTENSOCK_FILENO, FCGI_FAIL_ACCEPT_ON_INTR);
	struct vs_arena *arena = vs_arena_new();
	bool nonblocking = vs_accept_init();
	bool gathers = nonblocking && w.cfg->pool == VS_POOL_CHECK;
	struct vs_db *db = w.app->db;
	struct vs_api_key_repo *keys = w.app->api_keys;
	while (!stopping) {
		int accepted = vs_accept(&held[0], nonblocking ? IDLE_WRITE_MS : -1);
		if (accepted == -ETIMEDOUT) { /* idle for a while: write what waits */
			db->ops->write_behind(db, true);
			continue;
		}
		/* A signal: `stopping` says whether it was one to stop for. (A debugger attaching
		 * interrupts a wait too.) */
		if (accepted == -EINTR)
			continue;
		if (accepted < 0) {
			vs_log(VS_LOG_ERROR, "cannot accept a FastCGI connection (%d)", accepted);
			break;
		}
		size_t n = gathers ? gather(&w, held) : 1;
		for (size_t i = 0; i < n; i++)
			serve(&w, &held[i], arena);
		keys->ops->prefetch_done(keys);
		/* Once no request is held, so that none waits for it. */
		db->ops->write_behind(db, false);
		/* Recycling bounds the damage of any slow leak in a library. */
		if (w.cfg->max_requests && w.requests >= (unsigned long)w.cfg->max_requests)
			break;
	}
	for (size_t i = 0; i < GATHER_MAX; i++)
		FCGX_Free(&held[i], 0);
	vs_arena_free(arena);
	db->ops->write_behind(db, true);
	worker_release(&w, &rt);
	vs_log(VS_LOG_INFO, "worker exiting after %lu requests", w.requests);
	return 0;
}
