#include "metrics.h"

#include "core/log.h"
#include "core/shm.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC 0x5653206d65747269ull /* "VS metri" */
#define SLOTS 64		    /* workers of one host at most; more run uncounted */

static const int statuses[] = { 200, 201, 202, 204, 301, 304, 400, 401, 403, 404, 405,
				409, 413, 415, 422, 429, 500, 502, 503, 504 };
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1) /* the last: "other" */

/* Upper bounds of the latency buckets in µs; a last bucket takes the rest (+Inf). */
static const int64_t bounds_us[] = { 100,   250,   500,	   1000,    2500,    5000,   10000, 25000,
				     50000, 100000, 250000, 500000, 1000000, 2500000, 5000000 };
#define NBOUNDS (sizeof(bounds_us) / sizeof(bounds_us[0]))

enum check_outcome { ALLOWED, UNAUTHORIZED, FORBIDDEN, NOUTCOMES };

typedef _Atomic uint64_t counter;

struct slot {
	_Atomic int32_t pid;  /* the worker counting here; 0: free */
	_Atomic int32_t pool; /* its enum vs_pool */
	counter requests[VS_METRICS_ROUTES][NSTATUS];
	counter latency[VS_METRICS_ROUTES][NBOUNDS + 1];
	counter latency_sum_us[VS_METRICS_ROUTES];
	counter checks[VS_CHECK_KINDS][NOUTCOMES];
	counter totals[VS_M_NTOTALS];
};

struct file {
	_Atomic uint64_t magic;
	_Atomic uint64_t layout; /* sizeof(struct file): a file of another build is refused */
	struct slot slots[SLOTS];
};

struct vs_metrics {
	struct file *file;
	struct slot *mine;
	uint64_t base[VS_M_NTOTALS]; /* what the slot held when this worker took it over */
};

static bool alive(int32_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* The first worker writes the layout, then the magic; a file another build laid out keeps
 * its own layout value and is refused rather than misread. */
static bool usable(struct file *f, const char *path)
{
	uint64_t none = 0, fresh = 0;
	atomic_compare_exchange_strong(&f->layout, &none, sizeof(*f));
	atomic_compare_exchange_strong(&f->magic, &fresh, MAGIC);
	if (atomic_load(&f->magic) == MAGIC && atomic_load(&f->layout) == sizeof(*f))
		return true;
	vs_log(VS_LOG_WARN, "the metrics file %s was made by another build; remove it", path);
	return false;
}

static struct slot *claim(struct file *f, enum vs_pool pool)
{
	int32_t me = (int32_t)getpid();
	for (size_t i = 0; i < SLOTS; i++) {
		int32_t owner = atomic_load(&f->slots[i].pid);
		if ((owner == 0 || !alive(owner)) &&
		    atomic_compare_exchange_strong(&f->slots[i].pid, &owner, me)) {
			atomic_store(&f->slots[i].pool, (int32_t)pool);
			return &f->slots[i];
		}
	}
	return NULL;
}

struct vs_metrics *vs_metrics_open(const char *path, enum vs_pool pool)
{
	if (!path || !*path)
		return NULL;
	struct file *f = vs_shm_map(path, sizeof(*f), "metrics file");
	if (!f)
		return NULL;
	struct slot *s = usable(f, path) ? claim(f, pool) : NULL;
	if (!s) {
		if (atomic_load(&f->magic) == MAGIC)
			vs_log(VS_LOG_WARN, "all %d metrics slots are taken; this worker is not counted",
			       SLOTS);
		vs_shm_unmap(f, sizeof(*f));
		return NULL;
	}
	struct vs_metrics *m = calloc(1, sizeof(*m));
	if (!m)
		abort();
	m->file = f;
	m->mine = s;
	for (size_t i = 0; i < VS_M_NTOTALS; i++)
		m->base[i] = atomic_load(&s->totals[i]);
	return m;
}

void vs_metrics_close(struct vs_metrics *m)
{
	if (!m)
		return;
	atomic_store(&m->mine->pid, 0);
	vs_shm_unmap(m->file, sizeof(*m->file));
	free(m);
}

static void bump(counter *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static size_t status_index(int status)
{
	size_t i = 0;
	while (i < NSTATUS - 1 && statuses[i] != status)
		i++;
	return i;
}

void vs_metrics_request(struct vs_metrics *m, size_t route, int status, int64_t duration_us)
{
	if (!m)
		return;
	if (route > VS_METRICS_UNMATCHED)
		route = VS_METRICS_UNMATCHED;
	if (duration_us < 0)
		duration_us = 0;
	size_t b = 0;
	while (b < NBOUNDS && duration_us > bounds_us[b])
		b++;
	bump(&m->mine->requests[route][status_index(status)], 1);
	bump(&m->mine->latency[route][b], 1);
	bump(&m->mine->latency_sum_us[route], (uint64_t)duration_us);
}

void vs_metrics_check(struct vs_metrics *m, enum vs_check_credential credential, int status)
{
	if (!m || credential >= VS_CHECK_KINDS)
		return;
	enum check_outcome o = status < 300 ? ALLOWED : status == 403 ? FORBIDDEN : UNAUTHORIZED;
	bump(&m->mine->checks[credential][o], 1);
}

void vs_metrics_worker_totals(struct vs_metrics *m, const unsigned long totals[VS_M_NTOTALS])
{
	if (!m)
		return;
	for (size_t i = 0; i < VS_M_NTOTALS; i++)
		atomic_store_explicit(&m->mine->totals[i], m->base[i] + totals[i],
				      memory_order_relaxed);
}

/* ------------------------------------------------------------------ the exposition */

static uint64_t sum(const struct file *f, size_t offset)
{
	uint64_t total = 0;
	for (size_t i = 0; i < SLOTS; i++)
		total += atomic_load_explicit((counter *)((const char *)&f->slots[i] + offset),
					      memory_order_relaxed);
	return total;
}

#define SUM(f, field) sum((f), offsetof(struct slot, field))

void vs_metrics_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void route_labels(FILE *out, const struct vs_route *routes, size_t nroutes, size_t r,
			 struct vs_arena *a)
{
	if (r < nroutes)
		fprintf(out, "method=\"%s\",route=\"%s\"", vs_methods_text(a, routes[r].method),
			routes[r].pattern);
	else
		fputs("method=\"-\",route=\"unmatched\"", out);
}

static void render_requests(FILE *out, const struct file *f, const struct vs_route *routes,
			    size_t nroutes, struct vs_arena *a)
{
	vs_metrics_family(out, "vs_http_requests_total", "counter",
	       "Requests the workers answered, by route pattern and status.");
	for (size_t r = 0; r < VS_METRICS_ROUTES; r++) {
		for (size_t s = 0; s < NSTATUS; s++) {
			uint64_t n = SUM(f, requests[r][s]);
			if (!n)
				continue;
			fputs("vs_http_requests_total{", out);
			route_labels(out, routes, nroutes, r, a);
			if (s < NSTATUS - 1)
				fprintf(out, ",status=\"%d\"} %lu\n", statuses[s], (unsigned long)n);
			else
				fprintf(out, ",status=\"other\"} %lu\n", (unsigned long)n);
		}
	}
	vs_metrics_family(out, "vs_http_request_duration_seconds", "histogram",
	       "Time from a request's arrival at a worker to its answer, by route pattern.");
	for (size_t r = 0; r < VS_METRICS_ROUTES; r++) {
		uint64_t cumulative = 0;
		uint64_t buckets[NBOUNDS + 1];
		for (size_t b = 0; b <= NBOUNDS; b++)
			cumulative += buckets[b] = SUM(f, latency[r][b]);
		if (!cumulative)
			continue;
		cumulative = 0;
		for (size_t b = 0; b <= NBOUNDS; b++) {
			cumulative += buckets[b];
			fputs("vs_http_request_duration_seconds_bucket{", out);
			route_labels(out, routes, nroutes, r, a);
			if (b < NBOUNDS)
				fprintf(out, ",le=\"%g\"} %lu\n", (double)bounds_us[b] / 1e6,
					(unsigned long)cumulative);
			else
				fprintf(out, ",le=\"+Inf\"} %lu\n", (unsigned long)cumulative);
		}
		fputs("vs_http_request_duration_seconds_sum{", out);
		route_labels(out, routes, nroutes, r, a);
		fprintf(out, "} %.6f\n", (double)SUM(f, latency_sum_us[r]) / 1e6);
		fputs("vs_http_request_duration_seconds_count{", out);
		route_labels(out, routes, nroutes, r, a);
		fprintf(out, "} %lu\n", (unsigned long)cumulative);
	}
}

static void render_checks(FILE *out, const struct file *f)
{
	static const char *const credentials[] = { "none", "api_key", "bearer" };
	static const char *const outcomes[] = { "allowed", "unauthorized", "forbidden" };
	vs_metrics_family(out, "vs_auth_checks_total", "counter",
	       "auth_request checks (GET /api/v1/auth/check), by credential and outcome.");
	for (size_t c = 0; c < VS_CHECK_KINDS; c++)
		for (size_t o = 0; o < NOUTCOMES; o++)
			fprintf(out, "vs_auth_checks_total{credential=\"%s\",outcome=\"%s\"} %lu\n",
				credentials[c], outcomes[o], (unsigned long)SUM(f, checks[c][o]));
}

static void render_totals(FILE *out, const struct file *f)
{
	/* In enum vs_metrics_total order; a family's HELP goes with its first series. */
	static const struct {
		const char *name, *labels, *help;
	} totals[VS_M_NTOTALS] = {
		{ "vs_db_connections_total", "", "Database connections opened (first and reconnects)." },
		{ "vs_db_connection_failures_total", "", "Database connection attempts that failed." },
		{ "vs_db_query_errors_total", "", "Statements the database answered with an error." },
		{ "vs_db_notifications_total", "", "Cache invalidations received by LISTEN." },
		{ "vs_cache_lookups_total", "{cache=\"api_key\",result=\"hit\"}",
		  "Lookups in the workers' API key and permission caches." },
		{ "vs_cache_lookups_total", "{cache=\"api_key\",result=\"miss\"}", NULL },
		{ "vs_cache_lookups_total", "{cache=\"api_key\",result=\"rejected_hit\"}", NULL },
		{ "vs_cache_lookups_total", "{cache=\"permissions\",result=\"hit\"}", NULL },
		{ "vs_cache_lookups_total", "{cache=\"permissions\",result=\"miss\"}", NULL },
		{ "vs_key_lookup_round_trips_total", "",
		  "Database round trips for API key cache misses; one serves several when a check "
		  "worker takes waiting requests along." },
	};
	for (size_t i = 0; i < VS_M_NTOTALS; i++) {
		if (totals[i].help)
			vs_metrics_family(out, totals[i].name, "counter", totals[i].help);
		fprintf(out, "%s%s %lu\n", totals[i].name, totals[i].labels,
			(unsigned long)SUM(f, totals[i]));
	}
}

char *vs_metrics_capture(struct vs_arena *a, void (*write)(FILE *out, const void *ctx),
			 const void *ctx, size_t *len)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	if (!out)
		abort();
	write(out, ctx);
	if (fclose(out) != 0)
		abort();
	char *copy = vs_arena_strndup(a, text, size);
	free(text);
	if (len)
		*len = size;
	return copy;
}

struct render {
	const struct vs_metrics *m;
	struct vs_arena *a;
	const struct vs_route *routes;
	size_t nroutes;
};

static void write_all(FILE *out, const void *ctx)
{
	const struct render *r = ctx;
	const struct file *f = r->m->file;
	size_t workers[VS_POOLS] = { 0 };
	for (size_t i = 0; i < SLOTS; i++) {
		int32_t pool = atomic_load(&f->slots[i].pool);
		if (alive(atomic_load(&f->slots[i].pid)) && pool >= 0 && pool < VS_POOLS)
			workers[pool]++;
	}
	vs_metrics_family(out, "vs_pool_workers", "gauge",
			  "Workers alive now, by pool (API, key check).");
	for (size_t p = 0; p < VS_POOLS; p++)
		fprintf(out, "vs_pool_workers{pool=\"%s\"} %zu\n", vs_pool_name(p), workers[p]);
	render_requests(out, f, r->routes, r->nroutes, r->a);
	render_checks(out, f);
	render_totals(out, f);
}

char *vs_metrics_render(const struct vs_metrics *m, struct vs_arena *a,
			const struct vs_route *routes, size_t nroutes, size_t *len)
{
	if (!m)
		return NULL;
	const struct render r = { m, a, routes, nroutes };
	return vs_metrics_capture(a, write_all, &r, len);
}
