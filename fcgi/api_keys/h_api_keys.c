/* /api-keys: a user's own keys (superusers may look at anyone's). */
#include "api_keys/handlers.h"

#include "api_keys/messages.h"
#include "api_keys/usecases.h"
#include "core/messages.h"

#include <stdio.h>
#include <string.h>

struct key_body {
	struct vs_opt_str name, description, scope, expires_on;
	struct vs_opt_uuid tenant_id;
	struct vs_opt_time expires_at;
	struct vs_opt_bool is_active;
	struct vs_opt_strs scopes;
};

#define KEY_FIELD(name, type, flags, min, max, check)                                      \
	{ #name, type, offsetof(struct key_body, name), flags, min, max, check }

static const char *scope_check(const char *s, size_t len)
{
	(void)len;
	return strcmp(s, "GLOBAL") == 0 || strcmp(s, "TENANT") == 0 ? NULL : VS_MSG_SCOPE_KIND;
}

/* Permission codes look like "vm:read". */
static const char *code_check(const char *s, size_t len)
{
	const char *colon = s ? strchr(s, ':') : NULL;
	if (!colon || colon == s || !colon[1] || len > 64)
		return VS_MSG_SCOPE_SHAPE;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_' || p == colon))
			return VS_MSG_SCOPE_SHAPE;
	return NULL;
}

static const struct vs_json_field create_fields[] = {
	KEY_FIELD(name, VS_JT_STRING, VS_JF_REQUIRED, 1, 100, NULL),
	KEY_FIELD(description, VS_JT_STRING, VS_JF_NULLABLE, 0, 1000, NULL),
	KEY_FIELD(scope, VS_JT_STRING, 0, 0, 0, scope_check),
	KEY_FIELD(tenant_id, VS_JT_UUID, VS_JF_NULLABLE, 0, 0, NULL),
	KEY_FIELD(scopes, VS_JT_STRINGS, 0, 0, 64, code_check),
	KEY_FIELD(expires_at, VS_JT_TIME, VS_JF_NULLABLE, 0, 0, NULL),
	KEY_FIELD(expires_on, VS_JT_STRING, VS_JF_NULLABLE, 10, 10, NULL),
};

static const struct vs_json_field update_fields[] = {
	KEY_FIELD(name, VS_JT_STRING, 0, 1, 100, NULL),
	KEY_FIELD(description, VS_JT_STRING, VS_JF_NULLABLE, 0, 1000, NULL),
	KEY_FIELD(is_active, VS_JT_BOOL, 0, 0, 0, NULL),
	KEY_FIELD(scope, VS_JT_STRING, 0, 0, 0, scope_check),
	KEY_FIELD(tenant_id, VS_JT_UUID, VS_JF_NULLABLE, 0, 0, NULL),
	KEY_FIELD(scopes, VS_JT_STRINGS, 0, 0, 64, code_check),
	KEY_FIELD(expires_at, VS_JT_TIME, VS_JF_NULLABLE, 0, 0, NULL),
	KEY_FIELD(expires_on, VS_JT_STRING, VS_JF_NULLABLE, 10, 10, NULL),
};

static struct json_object *render_api_key(const struct vs_api_key *k, const char *key_text)
{
	struct json_object *o = json_object_new_object(), *scopes = json_object_new_array();
	char prefix[VS_API_KEY_PREFIX_LEN + VS_API_KEY_PUBLIC_LEN + 1];
	snprintf(prefix, sizeof(prefix), "%s%s", VS_API_KEY_PREFIX, k->public_id);
	for (size_t i = 0; i < k->nscopes; i++)
		json_object_array_add(scopes, json_object_new_string(k->scopes[i]));
	json_object_object_add(o, "id", vs_json_uuid(&k->id));
	json_object_object_add(o, "name", json_object_new_string(k->name));
	json_object_object_add(o, "description", vs_json_str_or_null(k->description));
	json_object_object_add(o, "key_prefix", json_object_new_string(prefix));
	json_object_object_add(o, "scope", json_object_new_string(k->global ? "GLOBAL" : "TENANT"));
	json_object_object_add(o, "tenant_id", k->global ? NULL : vs_json_uuid(&k->tenant_id));
	json_object_object_add(o, "scopes", scopes);
	json_object_object_add(o, "is_active", json_object_new_boolean(k->is_active));
	json_object_object_add(o, "expires_at", k->expires ? vs_json_time(k->expires_at) : NULL);
	json_object_object_add(o, "last_used_at",
			       k->last_used_at ? vs_json_time(k->last_used_at) : NULL);
	json_object_object_add(o, "user_id", vs_json_uuid(&k->user_id));
	json_object_object_add(o, "created_at", vs_json_time(k->created_at));
	json_object_object_add(o, "updated_at", vs_json_time(k->updated_at));
	if (key_text)
		json_object_object_add(o, "key", json_object_new_string(key_text));
	return o;
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
		.scopes = body.scopes.v,
		.nscopes = body.scopes.n,
	};
	return VS_OK;
}

enum vs_err vs_h_api_keys_list(struct vs_worker *w, struct vs_request *req)
{
	struct vs_api_key_filter f = { 0 };
	struct vs_api_key_page page;
	const char *user, *tenant;
	vs_uuid user_id, tenant_id;
	vs_req_skip_limit(req, &f.offset, &f.limit);
	vs_req_query_str(req, "user_id", VS_UUID_STRLEN, &user);
	vs_req_query_str(req, "tenant_id", VS_UUID_STRLEN, &tenant);
	if (user && !vs_uuid_parse(user, strlen(user), &user_id))
		vs_fail_field(&req->error, "user_id", VS_MSG_NOT_UUID);
	if (tenant && !vs_uuid_parse(tenant, strlen(tenant), &tenant_id))
		vs_fail_field(&req->error, "tenant_id", VS_MSG_NOT_UUID);
	if (req->error.code != VS_OK)
		return req->error.code;
	f.user = user ? &user_id : NULL;
	f.tenant = tenant ? &tenant_id : NULL;
	enum vs_err rc = vs_api_keys_list(w->app, req->arena, &req->principal, &f, &page,
					  &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *items = json_object_new_array();
	for (size_t i = 0; i < page.n; i++)
		json_object_array_add(items, render_api_key(&page.items[i], NULL));
	vs_res_array(req, items, page.total);
	return VS_OK;
}

enum vs_err vs_h_api_keys_create(struct vs_worker *w, struct vs_request *req)
{
	struct vs_api_key_input in;
	struct vs_api_key k;
	const char *text;
	enum vs_err rc = bind_key(req, create_fields, VS_JSON_FIELDS_LEN(create_fields), &in);
	if (rc == VS_OK)
		rc = vs_api_keys_create(w->app, req->arena, &req->principal, &in, &k, &text,
					&req->error);
	if (rc == VS_OK)
		vs_res_json(req, 201, render_api_key(&k, text));
	return rc;
}

enum vs_err vs_h_api_keys_get(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct vs_api_key k;
	enum vs_err rc = vs_req_path_uuid(req, "key_id", &id);
	if (rc == VS_OK)
		rc = vs_api_keys_get(w->app, req->arena, &req->principal, &id, &k, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, render_api_key(&k, NULL));
	return rc;
}

enum vs_err vs_h_api_keys_update(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct vs_api_key_input in;
	struct vs_api_key k;
	enum vs_err rc = vs_req_path_uuid(req, "key_id", &id);
	if (rc == VS_OK)
		rc = bind_key(req, update_fields, VS_JSON_FIELDS_LEN(update_fields), &in);
	if (rc == VS_OK)
		rc = vs_api_keys_update(w->app, req->arena, &req->principal, &id, &in, &k,
					&req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, render_api_key(&k, NULL));
	return rc;
}

enum vs_err vs_h_api_keys_delete(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	enum vs_err rc = vs_req_path_uuid(req, "key_id", &id);
	if (rc == VS_OK)
		rc = vs_api_keys_delete(w->app, req->arena, &req->principal, &id, &req->error);
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

enum vs_err vs_h_api_keys_rotate(struct vs_worker *w, struct vs_request *req)
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
		rc = vs_api_keys_rotate(w->app, req->arena, &req->principal, &id,
					body.grace_seconds.set ? body.grace_seconds.v : 0, &k,
					&text, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 201, render_api_key(&k, text));
	return rc;
}
