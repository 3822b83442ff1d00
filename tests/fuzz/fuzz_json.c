/* libFuzzer: the strict JSON parser and the binder (lib/core/json.c). A body it accepts is
 * UTF-8 and parses to an object json-c can write out again; that object is then bound
 * through a field table of every type, and what binding accepts obeys the table: no
 * unknown field, required ones present, strings within their length in characters and
 * passing their check, integers in range, UUIDs and timestamps that format back to the
 * same value, arrays no longer than allowed. A refusal names at least one field. */
#include "core/json.h"
#include "core/time.h"
#include "core/utf8.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct bound {
	struct vs_opt_str name, note;
	struct vs_opt_bool on;
	struct vs_opt_int n;
	struct vs_opt_uuid id;
	struct vs_opt_time at;
	struct vs_json_array any;
	struct vs_opt_strs tags;
	struct vs_opt_uuids ids;
};

/* Items of a list of strings come here too, s NULL for an item that is no string. */
static const char *no_space(const char *s, size_t len)
{
	if (!s)
		return "must be strings";
	return memchr(s, ' ', len) ? "must not contain spaces" : NULL;
}

#define F(field, type, flags, min, max, check)                                             \
	{ #field, type, offsetof(struct bound, field), flags, min, max, check }
static const struct vs_json_field fields[] = {
	F(name, VS_JT_STRING, VS_JF_REQUIRED, 1, 8, NULL),
	F(note, VS_JT_STRING, VS_JF_NULLABLE, 0, 0, no_space),
	F(on, VS_JT_BOOL, 0, 0, 0, NULL),
	F(n, VS_JT_INT, 0, -5, 1000, NULL),
	F(id, VS_JT_UUID, VS_JF_NULLABLE, 0, 0, NULL),
	F(at, VS_JT_TIME, VS_JF_NULLABLE, 0, 0, NULL),
	F(any, VS_JT_ARRAY, 0, 0, 0, NULL),
	F(tags, VS_JT_STRINGS, 0, 0, 3, no_space),
	F(ids, VS_JT_UUIDS, 0, 0, 2, NULL),
};

static size_t chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static void check_string(const struct vs_opt_str *s, int64_t min, int64_t max,
			 vs_json_check check)
{
	if (!s->set || s->null)
		return;
	if (strlen(s->p) != s->len || !vs_utf8_valid(s->p, s->len))
		abort();
	size_t c = chars(s->p, s->len);
	if ((min || max) && ((int64_t)c < min || (int64_t)c > max))
		abort();
	if (check && check(s->p, s->len))
		abort();
}

static void check_uuid(const vs_uuid *u)
{
	char text[VS_UUID_STRLEN + 1];
	vs_uuid again;
	vs_uuid_format(u, text);
	if (!vs_uuid_parse(text, strlen(text), &again) || !vs_uuid_eq(u, &again))
		abort();
}

static void check_bound(struct json_object *obj, const struct bound *b)
{
	json_object_object_foreach(obj, key, val)
	{
		bool known = false;
		(void)val;
		for (size_t i = 0; i < VS_JSON_FIELDS_LEN(fields); i++)
			known |= strcmp(fields[i].name, key) == 0;
		if (!known)
			abort();
	}
	if (!b->name.set || b->name.null)
		abort();
	check_string(&b->name, 1, 8, NULL);
	check_string(&b->note, 0, 0, no_space);
	if (b->n.set && (b->n.v < -5 || b->n.v > 1000))
		abort();
	if (b->id.set && !b->id.null)
		check_uuid(&b->id.v);
	if (b->at.set && !b->at.null) {
		char text[VS_TIME_STRLEN + 1];
		int64_t again;
		vs_time_format(b->at.v, text);
		if (!vs_time_parse(text, strlen(text), &again) || again != b->at.v)
			abort();
	}
	if (b->any.set && !json_object_is_type(b->any.v, json_type_array))
		abort();
	if (b->tags.set) {
		if (b->tags.n > 3)
			abort();
		for (size_t i = 0; i < b->tags.n; i++)
			if (!b->tags.v[i] || no_space(b->tags.v[i], strlen(b->tags.v[i])))
				abort();
	}
	if (b->ids.set) {
		if (b->ids.n > 2)
			abort();
		for (size_t i = 0; i < b->ids.n; i++)
			check_uuid(&b->ids.v[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_arena *a = vs_arena_new();
	struct json_object *obj;
	struct vs_error e = { 0 };
	if (vs_json_parse(a, (const char *)data, size, &obj, &e) == VS_OK) {
		if (!vs_utf8_valid(data, size) || !json_object_to_json_string(obj))
			abort();
		struct bound b;
		memset(&b, 0, sizeof(b));
		struct vs_error be = { 0 };
		enum vs_err rc = vs_json_bind(a, obj, fields, VS_JSON_FIELDS_LEN(fields), &b, &be);
		if (rc == VS_OK)
			check_bound(obj, &b);
		else if (rc != VS_INVALID || be.nfields == 0)
			abort();
	}
	vs_arena_free(a);
	return 0;
}
