#include "render.h"

#include <stdio.h>

struct json_object *vs_render_user(const struct vs_user *u)
{
	struct json_object *o = json_object_new_object();
	struct json_object *roles = json_object_new_array();
	for (size_t i = 0; i < u->nroles; i++)
		json_object_array_add(roles, json_object_new_string(u->roles[i]));
	json_object_object_add(o, "id", vs_json_uuid(&u->id));
	json_object_object_add(o, "email", json_object_new_string(u->email));
	json_object_object_add(o, "first_name", vs_json_str_or_null(u->first_name));
	json_object_object_add(o, "last_name", vs_json_str_or_null(u->last_name));
	json_object_object_add(o, "is_active", json_object_new_boolean(u->is_active));
	json_object_object_add(o, "is_superuser", json_object_new_boolean(u->is_superuser));
	json_object_object_add(o, "created_at", vs_json_time(u->created_at));
	json_object_object_add(o, "updated_at", vs_json_time(u->updated_at));
	json_object_object_add(o, "roles", roles);
	return o;
}

struct json_object *vs_render_tenant(const struct vs_tenant *t)
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

struct json_object *vs_render_tokens(const struct vs_token_pair *p)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "access_token", json_object_new_string(p->access_token));
	json_object_object_add(o, "token_type", json_object_new_string("bearer"));
	json_object_object_add(o, "expires_in", json_object_new_int64(p->expires_in));
	json_object_object_add(o, "refresh_token", json_object_new_string(p->refresh_token));
	return o;
}

struct json_object *vs_render_permission(const struct vs_permission *p)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "id", vs_json_uuid(&p->id));
	json_object_object_add(o, "code", json_object_new_string(p->code));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "description", vs_json_str_or_null(p->description));
	json_object_object_add(o, "module", json_object_new_string(p->module));
	return o;
}

struct json_object *vs_render_api_key(const struct vs_api_key *k, const char *key_text)
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

struct json_object *vs_render_role(const struct vs_role *r, bool with_permissions,
				   bool with_count)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "id", vs_json_uuid(&r->id));
	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "description", vs_json_str_or_null(r->description));
	json_object_object_add(o, "tenant_id", r->global ? NULL : vs_json_uuid(&r->tenant_id));
	json_object_object_add(o, "is_system_role", json_object_new_boolean(r->is_system_role));
	json_object_object_add(o, "created_at", vs_json_time(r->created_at));
	json_object_object_add(o, "updated_at", vs_json_time(r->updated_at));
	if (with_permissions) {
		struct json_object *perms = json_object_new_array();
		for (size_t i = 0; i < r->npermissions; i++)
			json_object_array_add(perms, vs_render_permission(&r->permissions[i]));
		json_object_object_add(o, "permissions", perms);
	}
	if (with_count)
		json_object_object_add(o, "user_count", json_object_new_int64(r->user_count));
	return o;
}

struct json_object *vs_render_envelope(struct json_object *items, int64_t total, int64_t page,
				       int64_t limit)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "items", items);
	json_object_object_add(o, "total", json_object_new_int64(total));
	json_object_object_add(o, "page", json_object_new_int64(page));
	json_object_object_add(o, "limit", json_object_new_int64(limit));
	return o;
}

void vs_res_array(struct vs_request *req, struct json_object *items, int64_t total)
{
	vs_res_header(req, "X-Total-Count", vs_arena_printf(req->arena, "%lld", (long long)total));
	vs_res_json(req, 200, items);
}
