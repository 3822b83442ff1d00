/* Liveness and readiness. */
#include "system/handlers.h"

#include "app/db.h"
#include "messages.h"
#include "schema_version.h"

#include <json-c/json.h>

#define VS_VERSION "0.1.0"

enum vs_err vs_h_root(struct vs_worker *w, struct vs_request *req)
{
	(void)w;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string("healthy"));
	json_object_object_add(o, "version", json_object_new_string(VS_VERSION));
	json_object_object_add(o, "name", json_object_new_string("VirtualStack API"));
	vs_res_json(req, 200, o);
	return VS_OK;
}

enum vs_err vs_h_health(struct vs_worker *w, struct vs_request *req)
{
	return vs_h_root(w, req);
}

/* Ready: the database answers and has every migration this build expects. */
enum vs_err vs_h_health_ready(struct vs_worker *w, struct vs_request *req)
{
	long have;
	if (w->app->db->ops->schema_version(w->app->db, &have) != VS_OK)
		return vs_fail(&req->error, VS_UNAVAILABLE, VS_MSG_DB_UNAVAILABLE_READY);
	if (have < VS_SCHEMA_VERSION)
		return vs_fail(&req->error, VS_UNAVAILABLE,
			       vs_arena_printf(req->arena, VS_MSG_SCHEMA_BEHIND, have,
					       VS_SCHEMA_VERSION));
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string("ready"));
	json_object_object_add(o, "database", json_object_new_string("ok"));
	json_object_object_add(o, "schema_version", json_object_new_int64(have));
	vs_res_json(req, 200, o);
	return VS_OK;
}

