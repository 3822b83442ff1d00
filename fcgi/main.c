/* vs-fcgi: one FastCGI worker. spawn-fcgi hands it the listening socket on fd 0 and
 * multiwatch keeps N of them alive. One request at a time (a check worker may hold a few
 * waiting, see gather), one PostgreSQL connection. */
#include "accept.h"
#include "dispatch.h"
#include "router.h"
#include "worker.h"

#include "core/log.h"
#include "core/time.h"

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

/* Requests a check worker takes at once when one of them has to ask PostgreSQL. */
#define GATHER_MAX 8
_Static_assert(GATHER_MAX <= VS_PG_MAX_SCOPED_READS, "one round trip for all");

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
	const struct vs_pg_stats *db = vs_pg_stats(w->pg);
	struct vs_cache_stats keys, permissions;
	vs_pg_repos_cache_stats(w->repos, &keys, &permissions);
	unsigned long totals[VS_M_NTOTALS] = {
		[VS_M_DB_CONNECTS] = db->connects,
		[VS_M_DB_CONNECT_FAILURES] = db->connect_failures,
		[VS_M_DB_QUERY_ERRORS] = db->query_errors,
		[VS_M_DB_NOTIFICATIONS] = db->notifications,
		[VS_M_KEY_HITS] = keys.hits,
		[VS_M_KEY_MISSES] = keys.misses,
		[VS_M_KEY_REJECTED_HITS] = keys.rejected_hits,
		[VS_M_PERMISSION_HITS] = permissions.hits,
		[VS_M_PERMISSION_MISSES] = permissions.misses,
		[VS_M_KEY_LOOKUP_ROUND_TRIPS] = vs_pg_repos_key_lookup_round_trips(w->repos),
	};
	vs_metrics_worker_totals(w->metrics, totals);
}

/* A check whose key the cache cannot answer costs a round trip to PostgreSQL. Requests
 * already waiting are taken along, and whichever of their keys the cache cannot answer
 * either are looked up in that same round trip: under load, one trip serves several
 * checks. Only connections already there: none is waited for. */
static size_t gather(struct vs_worker *w, FCGX_Request *held)
{
	const char *keys[GATHER_MAX] = { FCGX_GetParam("HTTP_X_API_KEY", held[0].envp) };
	if (!vs_pg_repos_key_needs_lookup(w->repos, keys[0]))
		return 1;
	size_t n = 1;
	while (n < GATHER_MAX && vs_accept(&held[n], 0) >= 0) {
		keys[n] = FCGX_GetParam("HTTP_X_API_KEY", held[n].envp);
		n++;
	}
	vs_pg_repos_prefetch_keys(w->repos, keys, n);
	return n;
}

static void serve(struct vs_worker *w, FCGX_Request *fcgi, struct vs_arena *arena)
{
	struct vs_request req;
	vs_request_init(&req, fcgi, arena);
	vs_dispatch(w, &req);
	bool check = req.route && req.route->bare;
	bool log = !check || w->cfg.log_checks == VS_LOG_CHECKS_ALL ||
		   (w->cfg.log_checks == VS_LOG_CHECKS_FAILURES && req.status >= 300);
	vs_respond(&req, log);
	count(w, &req); /* before finish: that frees the request's parameters */
	finish(fcgi);
	vs_arena_reset(arena);
	w->requests++;
}

static bool worker_init(struct vs_worker *w, bool check_only)
{
	char err[256];
	memset(w, 0, sizeof(*w));
	if (!vs_config_load(&w->cfg, true, err, sizeof(err))) {
		vs_log(VS_LOG_ERROR, "cannot start: %s", err);
		return false;
	}
	vs_log_set_level(w->cfg.log_level);
	if (vs_jwt_keys_init(&w->jwt, w->cfg.jwt_secret, w->cfg.jwt_secret_len, w->cfg.jwt_issuer,
			     w->cfg.jwt_audience) != VS_OK) {
		vs_log(VS_LOG_ERROR, "cannot start: the JWT secret is too short");
		vs_config_release(&w->cfg);
		return false;
	}
	if (check_only)
		return true;
	w->pg = vs_pg_new(w->cfg.database_url, w->cfg.statement_timeout_ms);
	w->repos = vs_pg_repos_new(w->pg, (size_t)w->cfg.key_cache_size, w->cfg.key_cache_ttl,
				   w->cfg.shm_path);
	w->app = (struct vs_app){
		.repos = vs_pg_repos_ports(w->repos),
		.jwt = &w->jwt,
		.access_ttl = w->cfg.access_ttl,
		.refresh_ttl = w->cfg.refresh_ttl,
		.now = vs_time_now,
	};
	w->metrics = vs_metrics_open(w->cfg.metrics_path, w->cfg.pool);
	/* Connect now so the first request does not pay for it; if the database is away
	 * the worker still starts and answers 503 until it is back. */
	(void)vs_pg_ensure(w->pg);
	return true;
}

/* Checks are short and come in rounds from nginx: under SCHED_BATCH a woken worker waits
 * for nginx to finish handing out the round instead of preempting it for each check
 * (README, "Benchmark"). Any process may choose this policy for itself. */
static void apply_scheduling(const struct vs_worker *w)
{
	if (w->cfg.pool != VS_POOL_CHECK || w->cfg.check_scheduling != VS_CHECK_SCHED_BATCH)
		return;
	struct sched_param param = { .sched_priority = 0 }; /* the only one batch has */
	if (sched_setscheduler(0, SCHED_BATCH, &param) != 0)
		vs_log(VS_LOG_WARN, "cannot use SCHED_BATCH (%s); going on with the default policy",
		       strerror(errno));
}

static void worker_release(struct vs_worker *w)
{
	vs_metrics_close(w->metrics);
	vs_pg_repos_free(w->repos);
	vs_pg_free(w->pg);
	vs_config_release(&w->cfg);
}

int main(int argc, char **argv)
{
	struct vs_worker w;
	bool check_only = argc > 1 && strcmp(argv[1], "--check-config") == 0;

	if (!worker_init(&w, check_only))
		return 1;
	/* argon2 takes 19 MiB per hash. glibc raises its mmap threshold after such a block
	 * is freed, so later ones would come from the heap and stay resident; a fixed
	 * threshold returns each one to the system. */
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	if (check_only) {
		vs_config_release(&w.cfg);
		puts("configuration ok");
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_IsCGI()) {
		vs_log(VS_LOG_ERROR, "cannot start: fd 0 is not a FastCGI socket "
				     "(start vs-fcgi with spawn-fcgi)");
		worker_release(&w);
		return 1;
	}
	install_signals();
	apply_scheduling(&w);

	FCGX_Request held[GATHER_MAX];
	for (size_t i = 0; i < GATHER_MAX; i++)
		FCGX_InitRequest(&held[i], FCGI_LISTENSOCK_FILENO, FCGI_FAIL_ACCEPT_ON_INTR);
	struct vs_arena *arena = vs_arena_new();
	bool nonblocking = vs_accept_init();
	bool gathers = nonblocking && w.cfg.pool == VS_POOL_CHECK;
	while (!stopping) {
		int accepted = vs_accept(&held[0], nonblocking ? IDLE_WRITE_MS : -1);
		if (accepted == -ETIMEDOUT) { /* idle for a while: write what waits */
			vs_pg_repos_write_behind(w.repos, true);
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
		vs_pg_repos_prefetch_done(w.repos);
		/* Once no request is held, so that none waits for it. */
		vs_pg_repos_write_behind(w.repos, false);
		/* Recycling bounds the damage of any slow leak in a library. */
		if (w.cfg.max_requests && w.requests >= (unsigned long)w.cfg.max_requests)
			break;
	}
	for (size_t i = 0; i < GATHER_MAX; i++)
		FCGX_Free(&held[i], 0);
	vs_arena_free(arena);
	vs_pg_repos_write_behind(w.repos, true);
	worker_release(&w);
	vs_log(VS_LOG_INFO, "worker exiting after %lu requests", w.requests);
	return 0;
}
