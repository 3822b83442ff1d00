/* Liveness, readiness and metrics. */
#include "handlers.h"
#include "metrics.h"
#include "schema_version.h"

#include <json-c/json.h>

#define VS_VERSION "0.1.0"

VS_HANDLER(vs_h_root)
{
	(void)w;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string("healthy"));
	json_object_object_add(o, "version", json_object_new_string(VS_VERSION));
	json_object_object_add(o, "name", json_object_new_string("VirtualStack API"));
	vs_res_json(req, 200, o);
	return VS_OK;
}

VS_HANDLER(vs_h_health)
{
	return vs_h_root(w, req);
}

/* Ready: the database answers and has every migration this build expects. */
VS_HANDLER(vs_h_health_ready)
{
	long have;
	if (vs_pg_schema_version(w->pg, &have) != VS_OK)
		return vs_fail(&req->error, VS_UNAVAILABLE, "The database is unavailable.");
	if (have < VS_SCHEMA_VERSION)
		return vs_fail(&req->error, VS_UNAVAILABLE,
			       vs_arena_printf(req->arena,
					       "The database schema is at version %ld; this build "
					       "needs %d. Run vs-admin migrate.",
					       have, VS_SCHEMA_VERSION));
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string("ready"));
	json_object_object_add(o, "database", json_object_new_string("ok"));
	json_object_object_add(o, "schema_version", json_object_new_int64(have));
	vs_res_json(req, 200, o);
	return VS_OK;
}

/* GET /metrics: the pool's counters in Prometheus text format. nginx lets only loopback
 * reach it; it names routes and statuses, never a tenant, user, key or token. */
VS_HANDLER(vs_h_metrics)
{
	size_t nroutes, len;
	const struct vs_route *routes = vs_routes(&nroutes);
	char *text = vs_metrics_render(w->metrics, req->arena, routes, nroutes, &len);
	if (!text)
		return vs_fail(&req->error, VS_UNAVAILABLE,
			       "Metrics are off: the workers have no VS_METRICS_PATH or VS_SHM_PATH.");
	vs_res_raw(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	return VS_OK;
}
