/* Errors as RFC 9457 problem details: a stable type per error code, the title from the
 * error table, the detail clients read, and for 422 the fields. */
#include "problem.h"

#include "messages.h"

void vs_render_problem(struct vs_request *req, int retry_after)
{
	struct vs_error *e = &req->error;
	int status = vs_err_status(e->code);
	const char *detail = e->detail;
	if (e->code == VS_INTERNAL)
		detail = VS_MSG_INTERNAL;
	else if (!detail && e->code == VS_UNAVAILABLE)
		/* The one thing that is ever unavailable here: a use case that lost the database
		 * mid-request says nothing more, and the title ("Service Unavailable") tells the
		 * client less than the documented detail. */
		detail = VS_MSG_DB_UNAVAILABLE;
	else if (!detail)
		detail = vs_err_title(e->code);

	struct json_object *p = json_object_new_object();
	json_object_object_add(p, "type", json_object_new_string(vs_arena_printf(
						  req->arena, "urn:virtualstack:problem:%s",
						  vs_err_slug(e->code))));
	json_object_object_add(p, "title", json_object_new_string(vs_err_title(e->code)));
	json_object_object_add(p, "status", json_object_new_int(status));
	json_object_object_add(p, "detail", json_object_new_string(detail));
	if (e->code == VS_INVALID) {
		struct json_object *errors = json_object_new_array();
		for (size_t i = 0; i < e->nfields; i++) {
			struct json_object *f = json_object_new_object();
			json_object_object_add(f, "field", json_object_new_string(e->fields[i].field));
			json_object_object_add(f, "message",
					       json_object_new_string(e->fields[i].message));
			json_object_array_add(errors, f);
		}
		json_object_object_add(p, "errors", errors);
	}
	if (e->code == VS_UNAUTHORIZED)
		vs_res_header(req, "WWW-Authenticate", "Bearer");
	if (e->code == VS_UNAVAILABLE || e->code == VS_RATELIMIT)
		vs_res_header(req, "Retry-After", vs_arena_printf(req->arena, "%d", retry_after));
	vs_res_json(req, status, p);
}
