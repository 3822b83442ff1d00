/* GET and PUT /roles/{role_id}/users (and under /tenants/{tenant_id}/roles): who holds a
 * role in the tenant. */
#include "assignments/handlers.h"

#include "assignments/usecases.h"

/* User ids a request may name at once. */
#define MAX_HOLDERS 1000

enum vs_err vs_h_assignments_holders(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id, *users;
	size_t n;
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = vs_assignments_holders(w->app, req->arena, &req->principal, &id, req->tenant,
				      &users, &n, &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *ids = json_object_new_array(), *o = json_object_new_object();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(ids, vs_json_uuid(&users[i]));
	json_object_object_add(o, "user_ids", ids);
	vs_res_json(req, 200, o);
	return VS_OK;
}

struct holders_body {
	struct vs_opt_uuids user_ids;
};

static const struct vs_json_field holders_fields[] = {
	{ "user_ids", VS_JT_UUIDS, offsetof(struct holders_body, user_ids), VS_JF_REQUIRED, 0,
	  MAX_HOLDERS, NULL },
};

enum vs_err vs_h_assignments_set_holders(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct holders_body body = { 0 };
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = vs_req_bind_json(req, holders_fields, VS_JSON_FIELDS_LEN(holders_fields),
				      &body);
	if (rc == VS_OK)
		rc = vs_assignments_set_holders(w->app, req->arena, &req->principal, &id,
						req->tenant, body.user_ids.v, body.user_ids.n,
						&req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}

