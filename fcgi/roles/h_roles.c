/* /roles (tenant from X-Tenant-ID) and /tenants/{tenant_id}/roles: roles and their
 * permissions. */
#include "roles/handlers.h"

#include "roles/messages.h"
#include "roles/render.h"
#include "roles/usecases.h"

#include <string.h>

/* Permission references (UUID or code) a request may carry at once. */
#define MAX_PERMISSION_REFS 1000

static const char *permission_ref_check(const char *s, size_t len)
{
	return s && len <= 64 ? NULL : VS_MSG_PERMISSION_REFS;
}

#define ROLE_FIELD(name, type, flags, min, max)                                            \
	{ #name, type, offsetof(struct role_body, name), flags, min, max, NULL }
#define ROLE_REFS(name, max, check)                                                        \
	{ #name, VS_JT_STRINGS, offsetof(struct role_body, name), 0, 0, max, check }

struct role_body {
	struct vs_opt_str name, description;
	struct vs_opt_strs permission_ids;
};

static const struct vs_json_field create_fields[] = {
	ROLE_FIELD(name, VS_JT_STRING, VS_JF_REQUIRED, 1, 100),
	ROLE_FIELD(description, VS_JT_STRING, VS_JF_NULLABLE, 0, 1000),
	ROLE_REFS(permission_ids, MAX_PERMISSION_REFS, permission_ref_check),
};

static const struct vs_json_field update_fields[] = {
	ROLE_FIELD(name, VS_JT_STRING, 0, 1, 100),
	ROLE_FIELD(description, VS_JT_STRING, VS_JF_NULLABLE, 0, 1000),
	ROLE_REFS(permission_ids, MAX_PERMISSION_REFS, permission_ref_check),
};

static enum vs_err bind_role(struct vs_request *req, const struct vs_json_field *fields,
			     size_t nfields, struct vs_role_input *in)
{
	struct role_body body = { 0 };
	enum vs_err rc = vs_req_bind_json(req, fields, nfields, &body);
	if (rc != VS_OK)
		return rc;
	in->name = body.name;
	in->description = body.description;
	in->permissions = (struct vs_permission_refs){ body.permission_ids.set,
						       body.permission_ids.v, body.permission_ids.n };
	return VS_OK;
}

static void respond_role(struct vs_request *req, int status, const struct vs_role *r)
{
	vs_res_json(req, status, vs_render_role(r, true, false));
}

enum vs_err vs_h_roles_list(struct vs_worker *w, struct vs_request *req)
{
	int64_t skip, limit;
	struct vs_role_page page;
	enum vs_err rc = vs_req_skip_limit(req, &skip, &limit);
	if (rc == VS_OK)
		rc = vs_roles_list(w->app, req->arena, &req->principal, req->tenant, skip, limit,
				   &page, &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *items = json_object_new_array();
	for (size_t i = 0; i < page.n; i++)
		json_object_array_add(items, vs_render_role(&page.items[i], false, true));
	vs_res_array(req, items, page.total);
	return VS_OK;
}

enum vs_err vs_h_roles_create(struct vs_worker *w, struct vs_request *req)
{
	struct vs_role_input in = { 0 };
	struct vs_role r;
	enum vs_err rc = bind_role(req, create_fields, VS_JSON_FIELDS_LEN(create_fields), &in);
	if (rc == VS_OK)
		rc = vs_roles_create(w->app, req->arena, &req->principal, req->tenant, &in, &r,
				     &req->error);
	if (rc == VS_OK)
		respond_role(req, 201, &r);
	return rc;
}

enum vs_err vs_h_roles_get(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct vs_role r;
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = vs_roles_get(w->app, req->arena, &req->principal, &id, req->tenant, &r,
				  &req->error);
	if (rc == VS_OK)
		respond_role(req, 200, &r);
	return rc;
}

enum vs_err vs_h_roles_update(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct vs_role_input in = { 0 };
	struct vs_role r;
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = bind_role(req, update_fields, VS_JSON_FIELDS_LEN(update_fields), &in);
	if (rc == VS_OK)
		rc = vs_roles_update(w->app, req->arena, &req->principal, &id, req->tenant, &in,
				     &r, &req->error);
	if (rc == VS_OK)
		respond_role(req, 200, &r);
	return rc;
}

enum vs_err vs_h_roles_delete(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = vs_roles_delete(w->app, req->arena, &req->principal, &id, req->tenant,
				     &req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}

enum vs_err vs_h_roles_permissions(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct vs_role r;
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = vs_roles_get(w->app, req->arena, &req->principal, &id, req->tenant, &r,
				  &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *items = json_object_new_array();
	for (size_t i = 0; i < r.npermissions; i++)
		json_object_array_add(items, vs_render_permission(&r.permissions[i]));
	vs_res_array(req, items, (int64_t)r.npermissions);
	return VS_OK;
}

struct permission_ref_body {
	struct vs_opt_str permission_id;
};

static const struct vs_json_field permission_ref_fields[] = {
	{ "permission_id", VS_JT_STRING, offsetof(struct permission_ref_body, permission_id),
	  VS_JF_REQUIRED, 1, 64, NULL },
};

enum vs_err vs_h_roles_add_permission(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct permission_ref_body body = { 0 };
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = vs_req_bind_json(req, permission_ref_fields,
				      VS_JSON_FIELDS_LEN(permission_ref_fields), &body);
	if (rc == VS_OK)
		rc = vs_roles_add_permission(w->app, req->arena, &req->principal, &id,
					     req->tenant, body.permission_id.p, &req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}

enum vs_err vs_h_roles_remove_permission(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct vs_str ref = vs_req_path_param(req, "permission_id");
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = vs_roles_remove_permission(w->app, req->arena, &req->principal, &id,
						req->tenant,
						vs_arena_strndup(req->arena, ref.p, ref.len),
						&req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}

