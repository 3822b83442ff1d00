#include "json_get.h"

#include <json-c/json.h>
#include <string.h>

struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

bool jhas(struct json_object *o, const char *key)
{
	return o && json_object_is_type(o, json_type_object) &&
	       json_object_object_get_ex(o, key, NULL);
}

const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

bool jint(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v = jget(o, key);

	if (!v || !json_object_is_type(v, json_type_int))
		return false;
	if (out)
		*out = json_object_get_int64(v);
	return true;
}

bool jbool(struct json_object *o, const char *key, bool *out)
{
	struct json_object *v = jget(o, key);

	if (!v || !json_object_is_type(v, json_type_boolean))
		return false;
	if (out)
		*out = json_object_get_boolean(v);
	return true;
}

struct json_object *jarr(struct json_object *o, const char *key)
{
	struct json_object *v = key ? jget(o, key) : o;

	return v && json_object_is_type(v, json_type_array) ? v : NULL;
}

size_t jlen(struct json_object *arr)
{
	return arr && json_object_is_type(arr, json_type_array)
		       ? json_object_array_length(arr)
		       : 0;
}

struct json_object *jat(struct json_object *arr, size_t i)
{
	return i < jlen(arr) ? json_object_array_get_idx(arr, i) : NULL;
}

bool jarr_has_str(struct json_object *arr, const char *s)
{
	for (size_t i = 0; i < jlen(arr); i++) {
		struct json_object *v = jat(arr, i);

		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), s) == 0)
			return true;
	}
	return false;
}

long jarr_find_id(struct json_object *arr, const char *id)
{
	for (size_t i = 0; i < jlen(arr); i++) {
		const char *v = jstr(jat(arr, i), "id");

		if (v && strcmp(v, id) == 0)
			return (long)i;
	}
	return -1;
}

struct json_object *jparse(const char *s, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		if (o)
			json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}
