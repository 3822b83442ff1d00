/* Prometheus metrics of the whole pool, not of one worker: each worker counts into its
 * own slot of a file every worker of the host maps (VS_METRICS_PATH), and GET /metrics
 * adds the slots up. Labels are route patterns, methods and statuses only, never a
 * tenant, user, key or token. */
#ifndef VS_FCGI_METRICS_H
#define VS_FCGI_METRICS_H

#include "core/arena.h"
#include "core/config.h"
#include "router.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Routes a table may have; the last index counts requests that matched none. */
#define VS_METRICS_ROUTES 128
#define VS_METRICS_UNMATCHED (VS_METRICS_ROUTES - 1)

enum vs_check_credential { VS_CHECK_NONE, VS_CHECK_API_KEY, VS_CHECK_BEARER, VS_CHECK_KINDS };

/* What a worker counts itself (its database connection and caches), as totals since it
 * started; vs_metrics_worker_totals adds them to its slot. */
enum vs_metrics_total {
	VS_M_DB_CONNECTS,
	VS_M_DB_CONNECT_FAILURES,
	VS_M_DB_QUERY_ERRORS,
	VS_M_DB_NOTIFICATIONS,
	VS_M_KEY_HITS,
	VS_M_KEY_MISSES,
	VS_M_KEY_REJECTED_HITS,
	VS_M_PERMISSION_HITS,
	VS_M_PERMISSION_MISSES,
	VS_M_KEY_LOOKUP_ROUND_TRIPS,
	VS_M_NTOTALS
};

struct vs_metrics;

/* Claims a slot in the file at path (a free one, or one whose worker died: its counts
 * carry on) for a worker of pool. NULL when path is NULL or the file cannot be used;
 * every call below then does nothing. */
struct vs_metrics *vs_metrics_open(const char *path, enum vs_pool pool);
/* Gives the slot back; its counts stay in the sums. */
void vs_metrics_close(struct vs_metrics *m);

void vs_metrics_request(struct vs_metrics *m, size_t route, int status, int64_t duration_us);
void vs_metrics_check(struct vs_metrics *m, enum vs_check_credential credential, int status);
void vs_metrics_worker_totals(struct vs_metrics *m, const unsigned long totals[VS_M_NTOTALS]);

/* The "# HELP" and "# TYPE" lines of one family. */
void vs_metrics_family(FILE *out, const char *name, const char *type, const char *help);
/* What write prints, as a string in a (*len its length, when len is not NULL). */
char *vs_metrics_capture(struct vs_arena *a, void (*write)(FILE *out, const void *ctx),
			 const void *ctx, size_t *len);

/* The text exposition (format 0.0.4) of all slots, in the arena; routes label the
 * request counters. NULL when m is NULL. */
char *vs_metrics_render(const struct vs_metrics *m, struct vs_arena *a,
			const struct vs_route *routes, size_t nroutes, size_t *len);

#endif
