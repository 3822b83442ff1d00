/* The access log: one JSON line per request on stderr, never a secret. */
#include "access_log.h"

#include "core/log.h"
#include "core/time.h"
#include "core/utf8.h"
#include "router.h"

void vs_access_log(const struct vs_request *req)
{
	struct json_object *line = json_object_new_object();
	char id[VS_UUID_STRLEN + 1];
	json_object_object_add(line, "msg", json_object_new_string("request"));
	json_object_object_add(line, "method",
			       json_object_new_string(req->method_name ? req->method_name : "-"));
	/* The path as decoded by nginx may hold any byte (a refused %ff): json-c would
	 * write it raw and the line would not be JSON. */
	size_t len;
	const char *path = vs_utf8_scrub(req->arena, req->path.p, req->path.len, &len);
	json_object_object_add(line, "path", json_object_new_string_len(path, (int)len));
	json_object_object_add(line, "route",
			       req->route ? json_object_new_string(req->route->pattern) : NULL);
	json_object_object_add(line, "status", json_object_new_int(req->status));
	json_object_object_add(line, "duration_ms",
			       vs_log_duration_ms(vs_time_mono_us() - req->started_us));
	if (req->tenant) {
		vs_uuid_format(req->tenant, id);
		json_object_object_add(line, "tenant", json_object_new_string(id));
	}
	if (req->principal.authenticated) {
		vs_uuid_format(&req->principal.user.id, id);
		json_object_object_add(line, "principal", json_object_new_string(id));
	}
	vs_log_object(VS_LOG_INFO, line);
	json_object_put(line);
}
