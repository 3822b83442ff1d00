#include "audit/domain.h"

#include <string.h>

static bool word(const char **s)
{
	const char *p = *s;
	while ((*p >= 'a' && *p <= 'z') || *p == '_')
		p++;
	bool ok = p > *s && **s != '_';
	*s = p;
	return ok;
}

bool vs_audit_action_valid(const char *action)
{
	const char *p = action;
	return p && word(&p) && *p++ == '.' && word(&p) && *p == '\0' && strlen(action) <= 64;
}

bool vs_audit_field_is_secret(const char *field)
{
	static const char *const secret[] = { "password", "token", "secret", "hash", "key" };
	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		const char *hit = strstr(field, secret[i]);
		if (!hit)
			continue;
		/* whole words of a snake_case name: "api_key_id" names a key, not one */
		size_t n = strlen(secret[i]);
		bool starts = hit == field || hit[-1] == '_';
		bool ends = hit[n] == '\0' || (hit[n] == '_' && strcmp(hit + n, "_id") != 0 &&
					       strcmp(hit + n, "_ids") != 0 &&
					       strcmp(hit + n, "_prefix") != 0);
		if (starts && ends)
			return true;
	}
	return false;
}

const char *vs_audit_secret_in(struct json_object *changes)
{
	if (!json_object_is_type(changes, json_type_object))
		return NULL;
	json_object_object_foreach(changes, field, value)
	{
		if (vs_audit_field_is_secret(field))
			return field;
		const char *inner = vs_audit_secret_in(value);
		if (inner)
			return inner;
	}
	return NULL;
}

static void add_change(struct json_object **changes, const char *field, struct json_object *from,
		       struct json_object *to, bool with_from)
{
	if (!*changes)
		*changes = json_object_new_object();
	struct json_object *c = json_object_new_object();
	if (with_from)
		json_object_object_add(c, "from", from);
	json_object_object_add(c, "to", to);
	json_object_object_add(*changes, field, c);
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

void vs_audit_change_text(struct json_object **changes, const char *field, const char *from,
			  const char *to)
{
	if (same_text(from, to))
		return;
	add_change(changes, field, from ? json_object_new_string(from) : NULL,
		   to ? json_object_new_string(to) : NULL, true);
}

void vs_audit_change_bool(struct json_object **changes, const char *field, bool from, bool to)
{
	if (from != to)
		add_change(changes, field, json_object_new_boolean(from),
			   json_object_new_boolean(to), true);
}

void vs_audit_change_value(struct json_object **changes, const char *field,
			   struct json_object *from, struct json_object *to)
{
	if (same_text(json_object_to_json_string_ext(from, JSON_C_TO_STRING_PLAIN),
		      json_object_to_json_string_ext(to, JSON_C_TO_STRING_PLAIN))) {
		json_object_put(from);
		json_object_put(to);
		return;
	}
	add_change(changes, field, from, to, true);
}

void vs_audit_created_text(struct json_object **changes, const char *field, const char *to)
{
	if (to)
		add_change(changes, field, NULL, json_object_new_string(to), false);
}
