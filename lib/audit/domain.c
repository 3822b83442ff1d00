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
