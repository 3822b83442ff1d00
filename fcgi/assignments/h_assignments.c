/* POST /tenants/{tenant_id}/users/{user_id}/roles and DELETE …/roles/{role_id}: one role
 * of one user in a tenant. */
#include "assignments/handlers.h"

#include "assignments/usecases.h"

struct assignment_body {
	struct vs_opt_uuid role_id;
};

static const struct vs_json_field assignment_fields[] = {
	{ "role_id", VS_JT_UUID, offsetof(struct assignment_body, role_id), VS_JF_REQUIRED, 0, 0,
	  NULL },
};

enum vs_err vs_h_assignments_grant(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid user;
	struct assignment_body body = { 0 };
	enum vs_err rc = vs_req_path_uuid(req, "user_id", &user);
	if (rc == VS_OK)
		rc = vs_req_bind_json(req, assignment_fields, VS_JSON_FIELDS_LEN(assignment_fields),
				      &body);
	if (rc == VS_OK)
		rc = vs_assignments_grant(w->app, req->arena, &req->principal, req->tenant, &user,
					  &body.role_id.v, &req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}

enum vs_err vs_h_assignments_revoke(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid user, role;
	enum vs_err rc = vs_req_path_uuid(req, "user_id", &user);
	if (rc == VS_OK)
		rc = vs_req_path_uuid(req, "role_id", &role);
	if (rc == VS_OK)
		rc = vs_assignments_revoke(w->app, req->arena, &req->principal, req->tenant, &user,
					   &role, &req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}
