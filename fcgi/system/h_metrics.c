/* The pool's metrics. */
#include "system/handlers.h"

#include "jobs/metrics_text.h"
#include "jobs/usecases.h"
#include "messages.h"
#include "metrics.h"
#include "router.h"

#include <string.h>

/* GET /metrics: the pool's counters in Prometheus text format, and the job queue's from
 * the database (left out while it is away). nginx lets only loopback reach it; it names
 * routes, statuses and job kinds, never a tenant, user, key or token. */
enum vs_err vs_h_metrics(struct vs_worker *w, struct vs_request *req)
{
	size_t nroutes, len;
	const struct vs_route *routes = vs_routes(&nroutes);
	char *text = vs_metrics_render(w->metrics, req->arena, routes, nroutes, &len);
	if (!text)
		return vs_fail(&req->error, VS_UNAVAILABLE, VS_MSG_METRICS_OFF);
	struct vs_job_metrics jobs;
	struct vs_error ignored = { 0 };
	if (vs_jobs_metrics(w->app, req->arena, &jobs, &ignored) == VS_OK) {
		text = vs_arena_printf(req->arena, "%s%s", text,
				       vs_jobs_metrics_text(req->arena, &jobs));
		len = strlen(text);
	}
	vs_res_raw(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	return VS_OK;
}
