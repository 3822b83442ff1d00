/* openapi-merge: the API document from its parts (a build tool, run by the Makefile).
 *
 *   openapi-merge BASE FRAGMENT... > openapi.json
 *
 * BASE is fcgi/openapi/base.json (info, servers, tags, the shared components); each
 * FRAGMENT is a module's fcgi/<module>/openapi.json with "paths", and optionally
 * "components" and "tags", of its own. A path, a component or a tag defined twice is an
 * error: every part of the document has one owner. */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static struct json_object *read_json(const char *path)
{
	struct json_object *o = json_object_from_file(path);
	if (!o || !json_object_is_type(o, json_type_object)) {
		fprintf(stderr, "openapi-merge: %s: %s\n", path,
			o ? "not a JSON object" : json_util_get_last_err());
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* The member key of o, created as an empty object or array when missing. */
static struct json_object *member(struct json_object *o, const char *key, enum json_type type)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v)) {
		v = type == json_type_array ? json_object_new_array() : json_object_new_object();
		json_object_object_add(o, key, v);
	}
	return json_object_is_type(v, type) ? v : NULL;
}

/* Copies every member of from into into; false (and says so) on a name both have. */
static bool add_members(struct json_object *into, struct json_object *from, const char *what,
			const char *path)
{
	bool ok = true;
	json_object_object_foreach(from, key, val)
	{
		if (json_object_object_get_ex(into, key, NULL)) {
			fprintf(stderr, "openapi-merge: %s: %s %s is defined already\n", path, what,
				key);
			ok = false;
			continue;
		}
		json_object_object_add(into, key, json_object_get(val));
	}
	return ok;
}

static bool has_tag(struct json_object *tags, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(tags); i++) {
		struct json_object *n;
		if (json_object_object_get_ex(json_object_array_get_idx(tags, i), "name", &n) &&
		    strcmp(json_object_get_string(n), name) == 0)
			return true;
	}
	return false;
}

static bool merge(struct json_object *doc, struct json_object *part, const char *path)
{
	bool ok = true;
	json_object_object_foreach(part, key, val)
	{
		if (strcmp(key, "paths") == 0 && json_object_is_type(val, json_type_object)) {
			if (!add_members(member(doc, "paths", json_type_object), val, "path", path))
				ok = false;
		} else if (strcmp(key, "components") == 0 &&
			   json_object_is_type(val, json_type_object)) {
			struct json_object *components = member(doc, "components", json_type_object);
			json_object_object_foreach(val, section, entries)
			{
				struct json_object *into = member(components, section, json_type_object);
				if (!into || !json_object_is_type(entries, json_type_object) ||
				    !add_members(into, entries, section, path))
					ok = false;
			}
		} else if (strcmp(key, "tags") == 0 && json_object_is_type(val, json_type_array)) {
			struct json_object *tags = member(doc, "tags", json_type_array);
			for (size_t i = 0; i < json_object_array_length(val); i++) {
				struct json_object *tag = json_object_array_get_idx(val, i), *name;
				if (!json_object_object_get_ex(tag, "name", &name) ||
				    has_tag(tags, json_object_get_string(name))) {
					fprintf(stderr, "openapi-merge: %s: a tag without a name, or "
							"one defined already\n", path);
					ok = false;
					continue;
				}
				json_object_array_add(tags, json_object_get(tag));
			}
		} else {
			fprintf(stderr, "openapi-merge: %s: a fragment has paths, components and "
					"tags only, not %s\n", path, key);
			ok = false;
		}
	}
	return ok;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: openapi-merge BASE FRAGMENT... > openapi.json\n", stderr);
		return 2;
	}
	struct json_object *doc = read_json(argv[1]);
	bool ok = doc != NULL;
	for (int i = 2; ok && i < argc; i++) {
		struct json_object *part = read_json(argv[i]);
		ok = part && merge(doc, part, argv[i]);
		json_object_put(part);
	}
	if (ok)
		ok = puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_SPACED |
							   JSON_C_TO_STRING_NOSLASHESCAPE)) >= 0;
	json_object_put(doc);
	return ok ? 0 : 1;
}
