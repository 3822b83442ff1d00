#include "roles/render.h"

#include "core/json.h"

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
