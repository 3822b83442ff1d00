/* /users, /users/me and /tenants/{tenant_id}/users. */
#include "users/handlers.h"
#include "list.h"

#include "users/render.h"
#include "users/usecases.h"

#define NAME_MAX_CHARS 100

#define USER_FIELD(name, type, flags, min, max, check)                                     \
	{ #name, type, offsetof(struct vs_user_input, name), flags, min, max, check }

static const struct vs_json_field create_fields[] = {
	USER_FIELD(email, VS_JT_STRING, VS_JF_REQUIRED, 0, 0, vs_user_email_check),
	USER_FIELD(password, VS_JT_STRING, VS_JF_REQUIRED, 0, 0, vs_user_password_check),
	USER_FIELD(first_name, VS_JT_STRING, VS_JF_NULLABLE, 0, NAME_MAX_CHARS, NULL),
	USER_FIELD(last_name, VS_JT_STRING, VS_JF_NULLABLE, 0, NAME_MAX_CHARS, NULL),
	USER_FIELD(is_active, VS_JT_BOOL, 0, 0, 0, NULL),
	USER_FIELD(is_superuser, VS_JT_BOOL, 0, 0, 0, NULL),
	USER_FIELD(role_id, VS_JT_UUID, VS_JF_NULLABLE, 0, 0, NULL),
};

static const struct vs_json_field update_fields[] = {
	USER_FIELD(email, VS_JT_STRING, 0, 0, 0, vs_user_email_check),
	USER_FIELD(password, VS_JT_STRING, 0, 0, 0, vs_user_password_check),
	USER_FIELD(first_name, VS_JT_STRING, VS_JF_NULLABLE, 0, NAME_MAX_CHARS, NULL),
	USER_FIELD(last_name, VS_JT_STRING, VS_JF_NULLABLE, 0, NAME_MAX_CHARS, NULL),
	USER_FIELD(is_active, VS_JT_BOOL, 0, 0, 0, NULL),
	USER_FIELD(is_superuser, VS_JT_BOOL, 0, 0, 0, NULL),
};

/* Self-service: no is_active (a user cannot reactivate themselves). */
static const struct vs_json_field me_fields[] = {
	USER_FIELD(email, VS_JT_STRING, 0, 0, 0, vs_user_email_check),
	USER_FIELD(password, VS_JT_STRING, 0, 0, 0, vs_user_password_check),
	USER_FIELD(first_name, VS_JT_STRING, VS_JF_NULLABLE, 0, NAME_MAX_CHARS, NULL),
	USER_FIELD(last_name, VS_JT_STRING, VS_JF_NULLABLE, 0, NAME_MAX_CHARS, NULL),
	USER_FIELD(is_superuser, VS_JT_BOOL, 0, 0, 0, NULL),
};

static void respond_user(struct vs_request *req, int status, const struct vs_user *u)
{
	vs_res_json(req, status, vs_render_user(u));
}

/* The envelope list shared by /users and /tenants/{tenant_id}/users. */
static enum vs_err list_users(struct vs_worker *w, struct vs_request *req)
{
	int64_t page;
	struct vs_list_at at;
	const char *search;
	struct vs_user_page result;
	vs_req_page_at(req, &page, &at);
	vs_req_query_str(req, "search", 100, &search);
	if (req->error.code != VS_OK)
		return req->error.code;
	enum vs_err rc = vs_users_list(w->app, req->arena, &req->principal, req->tenant, search,
				       &at, &result, &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *items = json_object_new_array();
	for (size_t i = 0; i < result.n; i++)
		json_object_array_add(items, vs_render_user(&result.items[i]));
	vs_res_list_envelope(req, items, &result.end, page, at.limit);
	return VS_OK;
}

enum vs_err vs_h_users_list(struct vs_worker *w, struct vs_request *req)
{
	return list_users(w, req);
}

enum vs_err vs_h_tenant_users_list(struct vs_worker *w, struct vs_request *req)
{
	return list_users(w, req);
}

enum vs_err vs_h_users_create(struct vs_worker *w, struct vs_request *req)
{
	struct vs_user_input in = { 0 };
	struct vs_user u;
	enum vs_err rc =
		vs_req_bind_json(req, create_fields, VS_JSON_FIELDS_LEN(create_fields), &in);
	if (rc == VS_OK)
		rc = vs_users_create(w->app, req->arena, &req->principal, req->tenant, &in, &u,
				     &req->error);
	if (rc == VS_OK)
		respond_user(req, 201, &u);
	return rc;
}

static enum vs_err get_user(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct vs_user u;
	enum vs_err rc = vs_req_path_uuid(req, "user_id", &id);
	if (rc == VS_OK)
		rc = vs_users_get(w->app, req->arena, &req->principal, &id, req->tenant, &u,
				  &req->error);
	if (rc == VS_OK)
		respond_user(req, 200, &u);
	return rc;
}

enum vs_err vs_h_users_get(struct vs_worker *w, struct vs_request *req)
{
	return get_user(w, req);
}

enum vs_err vs_h_tenant_users_get(struct vs_worker *w, struct vs_request *req)
{
	return get_user(w, req);
}

enum vs_err vs_h_users_update(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct vs_user_input in = { 0 };
	struct vs_user u;
	enum vs_err rc = vs_req_path_uuid(req, "user_id", &id);
	if (rc == VS_OK)
		rc = vs_req_bind_json(req, update_fields, VS_JSON_FIELDS_LEN(update_fields), &in);
	if (rc == VS_OK)
		rc = vs_users_update(w->app, req->arena, &req->principal, &id, req->tenant, &in,
				     &u, &req->error);
	if (rc == VS_OK)
		respond_user(req, 200, &u);
	return rc;
}

enum vs_err vs_h_users_delete(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	enum vs_err rc = vs_req_path_uuid(req, "user_id", &id);
	if (rc == VS_OK)
		rc = vs_users_delete(w->app, req->arena, &req->principal, &id, req->tenant,
				     &req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}

enum vs_err vs_h_users_me(struct vs_worker *w, struct vs_request *req)
{
	(void)w;
	respond_user(req, 200, &req->principal.user);
	return VS_OK;
}

enum vs_err vs_h_users_me_update(struct vs_worker *w, struct vs_request *req)
{
	struct vs_user_input in = { 0 };
	struct vs_user u;
	enum vs_err rc = vs_req_bind_json(req, me_fields, VS_JSON_FIELDS_LEN(me_fields), &in);
	if (rc == VS_OK)
		rc = vs_users_update_me(w->app, req->arena, &req->principal, req->tenant, &in, &u,
					&req->error);
	if (rc == VS_OK)
		respond_user(req, 200, &u);
	return rc;
}
