/* /tenants. */
#include "tenants/handlers.h"
#include "list.h"

#include "core/time.h"
#include "tenants/messages.h"
#include "tenants/usecases.h"

static const char *timezone_check(const char *s, size_t len)
{
	(void)len;
	return vs_timezone_valid(s) ? NULL : VS_MSG_TIMEZONE_INVALID;
}

static struct json_object *render_tenant(const struct vs_tenant *t)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "id", vs_json_uuid(&t->id));
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(o, "slug", json_object_new_string(t->slug));
	json_object_object_add(o, "description", vs_json_str_or_null(t->description));
	json_object_object_add(o, "timezone", json_object_new_string(t->timezone ? t->timezone : "UTC"));
	json_object_object_add(o, "is_active", json_object_new_boolean(t->is_active));
	json_object_object_add(o, "created_at", vs_json_time(t->created_at));
	json_object_object_add(o, "updated_at", vs_json_time(t->updated_at));
	return o;
}

#define TENANT_FIELD(name, type, flags, min, max, check)                                   \
	{ #name, type, offsetof(struct vs_tenant_input, name), flags, min, max, check }

static const struct vs_json_field create_fields[] = {
	TENANT_FIELD(name, VS_JT_STRING, VS_JF_REQUIRED, 1, 100, NULL),
	TENANT_FIELD(slug, VS_JT_STRING, VS_JF_REQUIRED, 0, 0, vs_tenant_slug_check),
	TENANT_FIELD(description, VS_JT_STRING, VS_JF_NULLABLE, 0, 1000, NULL),
	TENANT_FIELD(is_active, VS_JT_BOOL, 0, 0, 0, NULL),
	TENANT_FIELD(timezone, VS_JT_STRING, 0, 0, 0, timezone_check),
};

/* slug is accepted so that a client may send the object back; changing it is refused. */
static const struct vs_json_field update_fields[] = {
	TENANT_FIELD(name, VS_JT_STRING, 0, 1, 100, NULL),
	TENANT_FIELD(slug, VS_JT_STRING, 0, 0, 0, NULL),
	TENANT_FIELD(description, VS_JT_STRING, VS_JF_NULLABLE, 0, 1000, NULL),
	TENANT_FIELD(is_active, VS_JT_BOOL, 0, 0, 0, NULL),
	TENANT_FIELD(timezone, VS_JT_STRING, 0, 0, 0, timezone_check),
};

enum vs_err vs_h_tenants_list(struct vs_worker *w, struct vs_request *req)
{
	struct vs_list_at at;
	struct vs_tenant_page page;
	if (vs_req_list_at(req, &at) != VS_OK)
		return req->error.code;
	enum vs_err rc =
		vs_tenants_list(w->app, req->arena, &req->principal, &at, &page, &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *items = json_object_new_array();
	for (size_t i = 0; i < page.n; i++)
		json_object_array_add(items, render_tenant(&page.items[i]));
	vs_res_list(req, items, &page.end);
	return VS_OK;
}

enum vs_err vs_h_tenants_create(struct vs_worker *w, struct vs_request *req)
{
	struct vs_tenant_input in = { 0 };
	struct vs_tenant t;
	enum vs_err rc =
		vs_req_bind_json(req, create_fields, VS_JSON_FIELDS_LEN(create_fields), &in);
	if (rc == VS_OK)
		rc = vs_tenants_create(w->app, req->arena, &req->principal, &in, &t, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 201, render_tenant(&t));
	return rc;
}

enum vs_err vs_h_tenants_get(struct vs_worker *w, struct vs_request *req)
{
	struct vs_tenant t;
	enum vs_err rc =
		vs_tenants_get(w->app, req->arena, &req->principal, req->tenant, &t, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, render_tenant(&t));
	return rc;
}

enum vs_err vs_h_tenants_get_by_slug(struct vs_worker *w, struct vs_request *req)
{
	struct vs_tenant t;
	struct vs_str slug = vs_req_path_param(req, "slug");
	enum vs_err rc = vs_tenants_get_by_slug(w->app, req->arena, &req->principal,
						vs_arena_strndup(req->arena, slug.p, slug.len), &t,
						&req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, render_tenant(&t));
	return rc;
}

enum vs_err vs_h_tenants_update(struct vs_worker *w, struct vs_request *req)
{
	struct vs_tenant_input in = { 0 };
	struct vs_tenant t;
	enum vs_err rc =
		vs_req_bind_json(req, update_fields, VS_JSON_FIELDS_LEN(update_fields), &in);
	if (rc == VS_OK)
		rc = vs_tenants_update(w->app, req->arena, &req->principal, req->tenant, &in, &t,
				       &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, render_tenant(&t));
	return rc;
}

enum vs_err vs_h_tenants_delete(struct vs_worker *w, struct vs_request *req)
{
	enum vs_err rc =
		vs_tenants_delete(w->app, req->arena, &req->principal, req->tenant, &req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}
