/* /roles (tenant from X-Tenant-ID) and /tenants/{tenant_id}/roles, /permissions. */
#include "handlers.h"

#include "render.h"

#include <string.h>

#define ROLE_FIELD(name, type, flags, min, max)                                            \
	{ #name, type, offsetof(struct role_body, name), flags, min, max, NULL }

struct role_body {
	struct vs_opt_str name, description;
	struct vs_json_array permission_ids;
};

static const struct vs_json_field create_fields[] = {
	ROLE_FIELD(name, VS_JT_STRING, VS_JF_REQUIRED, 1, 100),
	ROLE_FIELD(description, VS_JT_STRING, VS_JF_NULLABLE, 0, 1000),
	ROLE_FIELD(permission_ids, VS_JT_ARRAY, 0, 0, 0),
};

static const struct vs_json_field update_fields[] = {
	ROLE_FIELD(name, VS_JT_STRING, 0, 1, 100),
	ROLE_FIELD(description, VS_JT_STRING, VS_JF_NULLABLE, 0, 1000),
	ROLE_FIELD(permission_ids, VS_JT_ARRAY, 0, 0, 0),
};

#define MAX_LIST_ITEMS 1000

/* A JSON array of strings (at most max_len bytes each) into a C array in the arena. */
static enum vs_err string_items(struct vs_request *req, const char *field,
				const struct vs_json_array *arr, size_t max_len,
				const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!arr->set)
		return VS_OK;
	size_t len = json_object_array_length(arr->v);
	if (len > MAX_LIST_ITEMS)
		return vs_fail_field(&req->error, field, "has too many items");
	*out = vs_arena_array(req->arena, len + 1, sizeof(**out));
	for (size_t i = 0; i < len; i++) {
		struct json_object *item = json_object_array_get_idx(arr->v, i);
		if (!json_object_is_type(item, json_type_string) ||
		    (size_t)json_object_get_string_len(item) > max_len)
			return vs_fail_field(&req->error, field,
					     "must be an array of short strings");
		(*out)[(*n)++] = json_object_get_string(item);
	}
	return VS_OK;
}

static enum vs_err bind_role(struct vs_request *req, const struct vs_json_field *fields,
			     size_t nfields, struct vs_role_input *in)
{
	struct role_body body = { 0 };
	enum vs_err rc = vs_req_bind_json(req, fields, nfields, &body);
	if (rc != VS_OK)
		return rc;
	in->name = body.name;
	in->description = body.description;
	in->permissions.set = body.permission_ids.set;
	return string_items(req, "permission_ids", &body.permission_ids, 64, &in->permissions.refs,
			    &in->permissions.n);
}

static void respond_role(struct vs_request *req, int status, const struct vs_role *r)
{
	vs_res_json(req, status, vs_render_role(r, true, false));
}

static enum vs_err list_params(struct vs_request *req, int64_t *skip, int64_t *limit)
{
	vs_req_query_int(req, "skip", 0, 0, INT32_MAX, skip);
	vs_req_query_int(req, "limit", 100, 1, 100, limit);
	return req->error.code;
}

VS_HANDLER(vs_h_roles_list)
{
	int64_t skip, limit;
	struct vs_role_page page;
	enum vs_err rc = list_params(req, &skip, &limit);
	if (rc == VS_OK)
		rc = vs_roles_list(&w->app, req->arena, &req->principal, req->tenant, skip, limit,
				   &page, &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *items = json_object_new_array();
	for (size_t i = 0; i < page.n; i++)
		json_object_array_add(items, vs_render_role(&page.items[i], false, true));
	vs_res_array(req, items, page.total);
	return VS_OK;
}

VS_HANDLER(vs_h_roles_create)
{
	struct vs_role_input in = { 0 };
	struct vs_role r;
	enum vs_err rc = bind_role(req, create_fields, VS_JSON_FIELDS_LEN(create_fields), &in);
	if (rc == VS_OK)
		rc = vs_roles_create(&w->app, req->arena, &req->principal, req->tenant, &in, &r,
				     &req->error);
	if (rc == VS_OK)
		respond_role(req, 201, &r);
	return rc;
}

VS_HANDLER(vs_h_roles_get)
{
	vs_uuid id;
	struct vs_role r;
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = vs_roles_get(&w->app, req->arena, &req->principal, &id, req->tenant, &r,
				  &req->error);
	if (rc == VS_OK)
		respond_role(req, 200, &r);
	return rc;
}

VS_HANDLER(vs_h_roles_update)
{
	vs_uuid id;
	struct vs_role_input in = { 0 };
	struct vs_role r;
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = bind_role(req, update_fields, VS_JSON_FIELDS_LEN(update_fields), &in);
	if (rc == VS_OK)
		rc = vs_roles_update(&w->app, req->arena, &req->principal, &id, req->tenant, &in,
				     &r, &req->error);
	if (rc == VS_OK)
		respond_role(req, 200, &r);
	return rc;
}

VS_HANDLER(vs_h_roles_delete)
{
	vs_uuid id;
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = vs_roles_delete(&w->app, req->arena, &req->principal, &id, req->tenant,
				     &req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}

VS_HANDLER(vs_h_roles_permissions)
{
	vs_uuid id;
	struct vs_role r;
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = vs_roles_get(&w->app, req->arena, &req->principal, &id, req->tenant, &r,
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

VS_HANDLER(vs_h_roles_add_permission)
{
	vs_uuid id;
	struct permission_ref_body body = { 0 };
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = vs_req_bind_json(req, permission_ref_fields,
				      VS_JSON_FIELDS_LEN(permission_ref_fields), &body);
	if (rc == VS_OK)
		rc = vs_roles_add_permission(&w->app, req->arena, &req->principal, &id,
					     req->tenant, body.permission_id.p, &req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}

VS_HANDLER(vs_h_roles_remove_permission)
{
	vs_uuid id;
	struct vs_str ref = vs_req_path_param(req, "permission_id");
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = vs_roles_remove_permission(&w->app, req->arena, &req->principal, &id,
						req->tenant,
						vs_arena_strndup(req->arena, ref.p, ref.len),
						&req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}

VS_HANDLER(vs_h_roles_users)
{
	vs_uuid id, *users;
	size_t n;
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = vs_roles_holders(&w->app, req->arena, &req->principal, &id, req->tenant,
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
	struct vs_json_array user_ids;
};

static const struct vs_json_field holders_fields[] = {
	{ "user_ids", VS_JT_ARRAY, offsetof(struct holders_body, user_ids), VS_JF_REQUIRED, 0, 0,
	  NULL },
};

VS_HANDLER(vs_h_roles_set_users)
{
	vs_uuid id;
	struct holders_body body = { 0 };
	const char **items;
	size_t n;
	enum vs_err rc = vs_req_path_uuid(req, "role_id", &id);
	if (rc == VS_OK)
		rc = vs_req_bind_json(req, holders_fields, VS_JSON_FIELDS_LEN(holders_fields),
				      &body);
	if (rc == VS_OK)
		rc = string_items(req, "user_ids", &body.user_ids, VS_UUID_STRLEN, &items, &n);
	if (rc != VS_OK)
		return rc;
	vs_uuid *users = vs_arena_array(req->arena, n + 1, sizeof(*users));
	for (size_t i = 0; i < n; i++)
		if (!vs_uuid_parse(items[i], strlen(items[i]), &users[i]))
			return vs_fail_field(&req->error, "user_ids", "must be an array of UUIDs");
	rc = vs_roles_set_holders(&w->app, req->arena, &req->principal, &id, req->tenant, users,
				  n, &req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}

VS_HANDLER(vs_h_permissions_list)
{
	int64_t skip, limit;
	struct vs_permission_page page;
	enum vs_err rc = list_params(req, &skip, &limit);
	if (rc == VS_OK)
		rc = vs_permissions_list(&w->app, req->arena, skip, limit, &page, &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *items = json_object_new_array();
	for (size_t i = 0; i < page.n; i++)
		json_object_array_add(items, vs_render_permission(&page.items[i]));
	vs_res_array(req, items, page.total);
	return VS_OK;
}

struct assignment_body {
	struct vs_opt_uuid role_id;
};

static const struct vs_json_field assignment_fields[] = {
	{ "role_id", VS_JT_UUID, offsetof(struct assignment_body, role_id), VS_JF_REQUIRED, 0, 0,
	  NULL },
};

VS_HANDLER(vs_h_assignments_grant)
{
	vs_uuid user;
	struct assignment_body body = { 0 };
	enum vs_err rc = vs_req_path_uuid(req, "user_id", &user);
	if (rc == VS_OK)
		rc = vs_req_bind_json(req, assignment_fields, VS_JSON_FIELDS_LEN(assignment_fields),
				      &body);
	if (rc == VS_OK)
		rc = vs_assignments_grant(&w->app, req->arena, &req->principal, req->tenant, &user,
					  &body.role_id.v, &req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}

VS_HANDLER(vs_h_assignments_revoke)
{
	vs_uuid user, role;
	enum vs_err rc = vs_req_path_uuid(req, "user_id", &user);
	if (rc == VS_OK)
		rc = vs_req_path_uuid(req, "role_id", &role);
	if (rc == VS_OK)
		rc = vs_assignments_revoke(&w->app, req->arena, &req->principal, req->tenant, &user,
					   &role, &req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}
