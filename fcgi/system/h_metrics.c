/* The pool's metrics. */
#include "system/handlers.h"

#include "messages.h"
#include "metrics.h"
#include "router.h"

/* GET /metrics: the pool's counters in Prometheus text format. nginx lets only loopback
 * reach it; it names routes and statuses, never a tenant, user, key or token. */
enum vs_err vs_h_metrics(struct vs_worker *w, struct vs_request *req)
{
	size_t nroutes, len;
	const struct vs_route *routes = vs_routes(&nroutes);
	char *text = vs_metrics_render(w->metrics, req->arena, routes, nroutes, &len);
	if (!text)
		return vs_fail(&req->error, VS_UNAVAILABLE, VS_MSG_METRICS_OFF);
	vs_res_raw(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	return VS_OK;
}
