/* /api-keys: a user's own keys (superusers may look at anyone's). */
#include "handlers.h"

#include "render.h"

#include <string.h>

struct key_body {
	struct vs_opt_str name, description, scope, expires_on;
	struct vs_opt_uuid tenant_id;
	struct vs_opt_time expires_at;
	struct vs_opt_bool is_active;
	struct vs_json_array scopes;
};

#define KEY_FIELD(name, type, flags, min, max, check)                                      \
	{ #name, type, offsetof(struct key_body, name), flags, min, max, check }

static const char *scope_check(const char *s, size_t len)
{
	(void)len;
	return strcmp(s, "GLOBAL") == 0 || strcmp(s, "TENANT") == 0 ? NULL
								   : "must be GLOBAL or TENANT";
}

static const struct vs_json_field create_fields[] = {
	KEY_FIELD(name, VS_JT_STRING, VS_JF_REQUIRED, 1, 100, NULL),
	KEY_FIELD(description, VS_JT_STRING, VS_JF_NULLABLE, 0, 1000, NULL),
	KEY_FIELD(scope, VS_JT_STRING, 0, 0, 0, scope_check),
	KEY_FIELD(tenant_id, VS_JT_UUID, VS_JF_NULLABLE, 0, 0, NULL),
	KEY_FIELD(scopes, VS_JT_ARRAY, 0, 0, 0, NULL),
	KEY_FIELD(expires_at, VS_JT_TIME, VS_JF_NULLABLE, 0, 0, NULL),
	KEY_FIELD(expires_on, VS_JT_STRING, VS_JF_NULLABLE, 10, 10, NULL),
};

static const struct vs_json_field update_fields[] = {
	KEY_FIELD(name, VS_JT_STRING, 0, 1, 100, NULL),
	KEY_FIELD(description, VS_JT_STRING, VS_JF_NULLABLE, 0, 1000, NULL),
	KEY_FIELD(is_active, VS_JT_BOOL, 0, 0, 0, NULL),
	KEY_FIELD(scope, VS_JT_STRING, 0, 0, 0, scope_check),
	KEY_FIELD(tenant_id, VS_JT_UUID, VS_JF_NULLABLE, 0, 0, NULL),
	KEY_FIELD(scopes, VS_JT_ARRAY, 0, 0, 0, NULL),
	KEY_FIELD(expires_at, VS_JT_TIME, VS_JF_NULLABLE, 0, 0, NULL),
	KEY_FIELD(expires_on, VS_JT_STRING, VS_JF_NULLABLE, 10, 10, NULL),
};

/* Permission codes look like "vm:read". */
static bool code_shape(const char *s)
{
	const char *colon = strchr(s, ':');
	if (!colon || colon == s || !colon[1] || strlen(s) > 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_' || p == colon))
			return false;
	return true;
}

static enum vs_err bind_key(struct vs_request *req, const struct vs_json_field *fields,
			    size_t nfields, struct vs_api_key_input *in)
{
	struct key_body body = { 0 };
	enum vs_err rc = vs_req_bind_json(req, fields, nfields, &body);
	if (rc != VS_OK)
		return rc;
	*in = (struct vs_api_key_input){
		.name = body.name,
		.description = body.description,
		.scope = body.scope,
		.expires_on = body.expires_on,
		.tenant_id = body.tenant_id,
		.expires_at = body.expires_at,
		.is_active = body.is_active,
		.scopes_set = body.scopes.set,
	};
	if (!body.scopes.set)
		return VS_OK;
	size_t n = json_object_array_length(body.scopes.v);
	if (n > 64)
		return vs_fail_field(&req->error, "scopes", "has too many items");
	in->scopes = vs_arena_array(req->arena, n + 1, sizeof(*in->scopes));
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(body.scopes.v, i);
		if (!json_object_is_type(item, json_type_string) ||
		    !code_shape(json_object_get_string(item)))
			return vs_fail_field(&req->error, "scopes",
					     "must be an array of permission codes");
		in->scopes[in->nscopes++] = json_object_get_string(item);
	}
	return VS_OK;
}

VS_HANDLER(vs_h_api_keys_list)
{
	struct vs_api_key_filter f = { 0 };
	struct vs_api_key_page page;
	const char *user, *tenant;
	vs_uuid user_id, tenant_id;
	vs_req_query_int(req, "skip", 0, 0, INT32_MAX, &f.offset);
	vs_req_query_int(req, "limit", 100, 1, 100, &f.limit);
	vs_req_query_str(req, "user_id", VS_UUID_STRLEN, &user);
	vs_req_query_str(req, "tenant_id", VS_UUID_STRLEN, &tenant);
	if (user && !vs_uuid_parse(user, strlen(user), &user_id))
		vs_fail_field(&req->error, "user_id", "must be a UUID");
	if (tenant && !vs_uuid_parse(tenant, strlen(tenant), &tenant_id))
		vs_fail_field(&req->error, "tenant_id", "must be a UUID");
	if (req->error.code != VS_OK)
		return req->error.code;
	f.user = user ? &user_id : NULL;
	f.tenant = tenant ? &tenant_id : NULL;
	enum vs_err rc = vs_api_keys_list(&w->app, req->arena, &req->principal, &f, &page,
					  &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *items = json_object_new_array();
	for (size_t i = 0; i < page.n; i++)
		json_object_array_add(items, vs_render_api_key(&page.items[i], NULL));
	vs_res_array(req, items, page.total);
	return VS_OK;
}

VS_HANDLER(vs_h_api_keys_create)
{
	struct vs_api_key_input in;
	struct vs_api_key k;
	const char *text;
	enum vs_err rc = bind_key(req, create_fields, VS_JSON_FIELDS_LEN(create_fields), &in);
	if (rc == VS_OK)
		rc = vs_api_keys_create(&w->app, req->arena, &req->principal, &in, &k, &text,
					&req->error);
	if (rc == VS_OK)
		vs_res_json(req, 201, vs_render_api_key(&k, text));
	return rc;
}

VS_HANDLER(vs_h_api_keys_get)
{
	vs_uuid id;
	struct vs_api_key k;
	enum vs_err rc = vs_req_path_uuid(req, "key_id", &id);
	if (rc == VS_OK)
		rc = vs_api_keys_get(&w->app, req->arena, &req->principal, &id, &k, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, vs_render_api_key(&k, NULL));
	return rc;
}

VS_HANDLER(vs_h_api_keys_update)
{
	vs_uuid id;
	struct vs_api_key_input in;
	struct vs_api_key k;
	enum vs_err rc = vs_req_path_uuid(req, "key_id", &id);
	if (rc == VS_OK)
		rc = bind_key(req, update_fields, VS_JSON_FIELDS_LEN(update_fields), &in);
	if (rc == VS_OK)
		rc = vs_api_keys_update(&w->app, req->arena, &req->principal, &id, &in, &k,
					&req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, vs_render_api_key(&k, NULL));
	return rc;
}

VS_HANDLER(vs_h_api_keys_delete)
{
	vs_uuid id;
	enum vs_err rc = vs_req_path_uuid(req, "key_id", &id);
	if (rc == VS_OK)
		rc = vs_api_keys_delete(&w->app, req->arena, &req->principal, &id, &req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}

struct rotate_body {
	struct vs_opt_int grace_seconds;
};

static const struct vs_json_field rotate_fields[] = {
	{ "grace_seconds", VS_JT_INT, offsetof(struct rotate_body, grace_seconds), 0, 0, 604800,
	  NULL },
};

VS_HANDLER(vs_h_api_keys_rotate)
{
	vs_uuid id;
	struct rotate_body body = { 0 };
	struct vs_api_key k;
	const char *text;
	enum vs_err rc = vs_req_path_uuid(req, "key_id", &id);
	/* The body is optional: no grace period without one. */
	if (rc == VS_OK && req->content_length > 0)
		rc = vs_req_bind_json(req, rotate_fields, VS_JSON_FIELDS_LEN(rotate_fields), &body);
	if (rc == VS_OK)
		rc = vs_api_keys_rotate(&w->app, req->arena, &req->principal, &id,
					body.grace_seconds.set ? body.grace_seconds.v : 0, &k,
					&text, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 201, vs_render_api_key(&k, text));
	return rc;
}
