#include "users/render.h"

#include "core/json.h"

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
