#include "core/json.h"

#include "core/form.h"
#include "core/messages.h"
#include "core/time.h"
#include "core/utf8.h"

#include <string.h>

/* The value of the 4 hex digits at s, or -1. */
static long hex4(const char *s)
{
	long v = 0;
	for (int k = 0; k < 4; k++) {
		char c = s[k];
		int d = c >= '0' && c <= '9' ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* One lexical pass over text json-c accepted, for what json-c lets through:
 * - duplicate keys (json-c keeps the last): every member has exactly one ':' outside
 *   string literals, so that count is compared with the members json-c kept;
 * - single-quoted strings (accepted even in strict mode): a quote outside a string
 *   literal never occurs in JSON;
 * - raw control characters (U+0000 to U+001F) inside a string, which RFC 8259 requires
 *   to be escaped;
 * - a \u escape of half a surrogate pair without its other half ("\ud800"): no
 *   character, and not UTF-8 once decoded;
 * - the escape \u0000, which json-c decodes and C strings then cut short (in keys too).
 * Returns NULL when the text is fine, else the reason. */
static const char *scan_text(const char *buf, size_t len, size_t *members)
{
	size_t n = 0;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (in_string) {
			if ((unsigned char)c < 0x20)
				return VS_MSG_BODY_NOT_JSON;
			if (c == '\\' && len - i > 5 && buf[i + 1] == 'u') {
				long u = hex4(buf + i + 2);
				if (u == 0)
					return VS_MSG_BODY_NUL;
				if (u >= 0xDC00 && u <= 0xDFFF)
					return VS_MSG_BODY_NOT_JSON; /* a low half first */
				if (u >= 0xD800 && u <= 0xDBFF) {
					long low = len - i > 11 && buf[i + 6] == '\\' && buf[i + 7] == 'u'
							   ? hex4(buf + i + 8)
							   : -1;
					if (low < 0xDC00 || low > 0xDFFF)
						return VS_MSG_BODY_NOT_JSON;
					i += 6; /* the low half, checked */
				}
				i += 5;
			} else if (c == '\\') {
				i++;
			} else if (c == '"') {
				in_string = false;
			}
		} else if (c == '"') {
			in_string = true;
		} else if (c == ':') {
			n++;
		} else if (c == '\'') {
			return VS_MSG_BODY_NOT_JSON;
		}
	}
	*members = n;
	return NULL;
}

static size_t count_members_in_tree(struct json_object *o)
{
	size_t n = 0;
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, val)
		{
			(void)key;
			n += 1 + count_members_in_tree(val);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		size_t len = json_object_array_length(o);
		for (size_t i = 0; i < len; i++)
			n += count_members_in_tree(json_object_array_get_idx(o, i));
	}
	return n;
}

static bool has_non_finite(struct json_object *o)
{
	if (json_object_is_type(o, json_type_double)) {
		double d = json_object_get_double(o);
		return d != d || d > 1.7976931348623157e308 || d < -1.7976931348623157e308;
	}
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, val)
		{
			(void)key;
			if (has_non_finite(val))
				return true;
		}
	} else if (json_object_is_type(o, json_type_array)) {
		size_t len = json_object_array_length(o);
		for (size_t i = 0; i < len; i++)
			if (has_non_finite(json_object_array_get_idx(o, i)))
				return true;
	}
	return false;
}

static void put_json(void *p)
{
	json_object_put(p);
}

enum vs_err vs_json_parse(struct vs_arena *a, const char *buf, size_t len,
			  struct json_object **out, struct vs_error *e)
{
	*out = NULL;
	if (len == 0)
		return vs_fail(e, VS_BADREQ, VS_MSG_BODY_EMPTY);
	if (len > INT32_MAX)
		return vs_fail(e, VS_TOOLARGE, VS_MSG_BODY_TOO_LARGE);

	/* json-c's own check lets overlong forms through, and PostgreSQL would then refuse
	 * them deep inside a request. */
	if (!vs_utf8_valid(buf, len))
		return vs_fail(e, VS_BADREQ, VS_MSG_BODY_NOT_UTF8);
	struct json_tokener *tok = json_tokener_new_ex(VS_JSON_MAX_DEPTH);
	if (!tok)
		return vs_fail(e, VS_INTERNAL, VS_MSG_PARSER_FAILED);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	struct json_object *obj = json_tokener_parse_ex(tok, buf, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);

	if (!obj || jerr != json_tokener_success) {
		json_object_put(obj);
		if (jerr == json_tokener_error_depth)
			return vs_fail(e, VS_BADREQ, VS_MSG_BODY_TOO_DEEP);
		if (jerr == json_tokener_error_parse_utf8_string)
			return vs_fail(e, VS_BADREQ, VS_MSG_BODY_NOT_UTF8);
		return vs_fail(e, VS_BADREQ, VS_MSG_BODY_NOT_JSON);
	}
	vs_arena_defer(a, put_json, obj);
	while (end < len && (buf[end] == ' ' || buf[end] == '\t' || buf[end] == '\r' ||
			     buf[end] == '\n'))
		end++;
	if (end != len)
		return vs_fail(e, VS_BADREQ, VS_MSG_BODY_TRAILING);
	size_t members;
	const char *bad = scan_text(buf, len, &members);
	if (bad)
		return vs_fail(e, VS_BADREQ, bad);
	if (members != count_members_in_tree(obj))
		return vs_fail(e, VS_BADREQ, VS_MSG_BODY_DUPLICATE_KEYS);
	if (has_non_finite(obj))
		return vs_fail(e, VS_BADREQ, VS_MSG_BODY_NOT_JSON);
	*out = obj;
	return VS_OK;
}

/* Length in characters (code points) of valid UTF-8. */
static size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static const struct vs_json_field *find_field(const struct vs_json_field *f, size_t n,
					      const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

/* An array of strings, each passing f->check, into the arena. */
static void bind_strings(struct vs_arena *a, const struct vs_json_field *f, struct json_object *v,
			 struct vs_opt_strs *out, struct vs_error *e)
{
	size_t n = json_object_array_length(v);
	if (f->max && n > (size_t)f->max) {
		vs_fail_field(e, f->name, VS_MSG_TOO_MANY_ITEMS);
		return;
	}
	out->v = vs_arena_array(a, n + 1, sizeof(*out->v));
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(v, i);
		bool string = json_object_is_type(item, json_type_string);
		const char *s = string ? json_object_get_string(item) : NULL;
		size_t len = string ? (size_t)json_object_get_string_len(item) : 0;
		const char *msg = f->check ? f->check(s, len) : string ? NULL : VS_MSG_NOT_STRINGS;
		if (msg) {
			vs_fail_field(e, f->name, msg);
			return;
		}
		out->v[out->n++] = s;
	}
	out->set = true;
}

static void bind_uuids(struct vs_arena *a, const struct vs_json_field *f, struct json_object *v,
		       struct vs_opt_uuids *out, struct vs_error *e)
{
	size_t n = json_object_array_length(v);
	if (f->max && n > (size_t)f->max) {
		vs_fail_field(e, f->name, VS_MSG_TOO_MANY_ITEMS);
		return;
	}
	out->v = vs_arena_array(a, n + 1, sizeof(*out->v));
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(v, i);
		if (!json_object_is_type(item, json_type_string) ||
		    !vs_uuid_parse(json_object_get_string(item),
				   (size_t)json_object_get_string_len(item), &out->v[out->n++])) {
			vs_fail_field(e, f->name, VS_MSG_NOT_UUIDS);
			return;
		}
	}
	out->set = true;
}

static void bind_one(struct vs_arena *a, const struct vs_json_field *f, struct json_object *v,
		     void *out, struct vs_error *e)
{
	char *dst = (char *)out + f->offset;
	bool is_null = v == NULL || json_object_is_type(v, json_type_null);

	if (is_null) {
		if (!(f->flags & VS_JF_NULLABLE)) {
			vs_fail_field(e, f->name, VS_MSG_NOT_NULL);
			return;
		}
	}
	switch (f->type) {
	case VS_JT_STRING: {
		struct vs_opt_str *s = (struct vs_opt_str *)dst;
		s->set = true;
		if (is_null) {
			s->null = true;
			return;
		}
		if (!json_object_is_type(v, json_type_string)) {
			vs_fail_field(e, f->name, VS_MSG_NOT_STRING);
			return;
		}
		s->p = json_object_get_string(v);
		s->len = (size_t)json_object_get_string_len(v);
		size_t chars = utf8_chars(s->p, s->len);
		if ((f->min || f->max) && ((int64_t)chars < f->min || (int64_t)chars > f->max)) {
			vs_fail_field(e, f->name,
				      f->min > 0 && (int64_t)chars < f->min ? VS_MSG_TOO_SHORT
									    : VS_MSG_TOO_LONG);
			return;
		}
		const char *msg = f->check ? f->check(s->p, s->len) : NULL;
		if (msg)
			vs_fail_field(e, f->name, msg);
		return;
	}
	case VS_JT_BOOL: {
		struct vs_opt_bool *b = (struct vs_opt_bool *)dst;
		if (!json_object_is_type(v, json_type_boolean)) {
			vs_fail_field(e, f->name, VS_MSG_NOT_BOOLEAN);
			return;
		}
		b->set = true;
		b->v = json_object_get_boolean(v);
		return;
	}
	case VS_JT_INT: {
		struct vs_opt_int *i = (struct vs_opt_int *)dst;
		/* json-c clamps out-of-range integers to INT64_MIN/MAX; treat those as too big. */
		if (!json_object_is_type(v, json_type_int)) {
			vs_fail_field(e, f->name, VS_MSG_NOT_INTEGER);
			return;
		}
		int64_t val = json_object_get_int64(v);
		if (val == INT64_MAX || val == INT64_MIN ||
		    ((f->min || f->max) && (val < f->min || val > f->max))) {
			vs_fail_field(e, f->name, VS_MSG_OUT_OF_RANGE);
			return;
		}
		i->set = true;
		i->v = val;
		return;
	}
	case VS_JT_UUID: {
		struct vs_opt_uuid *u = (struct vs_opt_uuid *)dst;
		u->set = true;
		if (is_null) {
			u->null = true;
			return;
		}
		if (!json_object_is_type(v, json_type_string) ||
		    !vs_uuid_parse(json_object_get_string(v),
				   (size_t)json_object_get_string_len(v), &u->v))
			vs_fail_field(e, f->name, VS_MSG_NOT_UUID);
		return;
	}
	case VS_JT_TIME: {
		struct vs_opt_time *t = (struct vs_opt_time *)dst;
		t->set = true;
		if (is_null) {
			t->null = true;
			return;
		}
		if (!json_object_is_type(v, json_type_string) ||
		    !vs_time_parse(json_object_get_string(v),
				   (size_t)json_object_get_string_len(v), &t->v))
			vs_fail_field(e, f->name,
				      VS_MSG_NOT_TIMESTAMP);
		return;
	}
	case VS_JT_ARRAY:
	case VS_JT_STRINGS:
	case VS_JT_UUIDS:
		if (!json_object_is_type(v, json_type_array)) {
			vs_fail_field(e, f->name, VS_MSG_NOT_ARRAY);
			return;
		}
		if (f->type == VS_JT_STRINGS) {
			bind_strings(a, f, v, (struct vs_opt_strs *)dst, e);
		} else if (f->type == VS_JT_UUIDS) {
			bind_uuids(a, f, v, (struct vs_opt_uuids *)dst, e);
		} else {
			struct vs_json_array *arr = (struct vs_json_array *)dst;
			arr->set = true;
			arr->v = v;
		}
		return;
	}
}

enum vs_err vs_json_bind(struct vs_arena *a, struct json_object *obj,
			 const struct vs_json_field *fields, size_t nfields, void *out,
			 struct vs_error *e)
{
	size_t before = e->nfields;
	if (!json_object_is_type(obj, json_type_object))
		return vs_fail_field(e, "body", VS_MSG_NOT_OBJECT);

	json_object_object_foreach(obj, key, val)
	{
		const struct vs_json_field *f = find_field(fields, nfields, key);
		if (!f) {
			vs_fail_field(e, key, VS_MSG_UNKNOWN_FIELD);
			continue;
		}
		bind_one(a, f, val, out, e);
	}
	for (size_t i = 0; i < nfields; i++) {
		if ((fields[i].flags & VS_JF_REQUIRED) &&
		    !json_object_object_get_ex(obj, fields[i].name, NULL))
			vs_fail_field(e, fields[i].name, VS_MSG_FIELD_REQUIRED);
	}
	return e->nfields > before || e->code == VS_INVALID ? VS_INVALID : VS_OK;
}

enum vs_err vs_json_bind_form(struct vs_arena *a, const struct vs_form *form,
			      const struct vs_json_field *fields, size_t nfields, void *out,
			      struct vs_error *e)
{
	/* One pass with json-c's hash tables: vs_form_get and vs_form_count for each pair
	 * made this quadratic, 57 ms of a worker for an 8 KiB login form of 2730 names. */
	struct json_object *obj = json_object_new_object(), *seen = json_object_new_object();
	vs_arena_defer(a, put_json, obj);
	vs_arena_defer(a, put_json, seen);
	for (size_t i = 0; i < form->n; i++) {
		const struct vs_form_pair *pair = &form->pairs[i];
		struct json_object *times;
		if (!json_object_object_get_ex(seen, pair->name, &times)) {
			json_object_object_add(seen, pair->name, json_object_new_boolean(false));
			if (pair->value_len > 0)
				json_object_object_add(obj, pair->name,
						       json_object_new_string_len(pair->value,
										  (int)pair->value_len));
		} else if (!json_object_get_boolean(times)) { /* the first repetition */
			json_object_set_boolean(times, true);
			json_object_object_del(obj, pair->name);
			vs_fail_field(e, pair->name, VS_MSG_GIVEN_TWICE);
		}
	}
	return vs_json_bind(a, obj, fields, nfields, out, e);
}

const char *vs_json_text(struct vs_arena *a, struct json_object *obj, size_t *len)
{
	size_t n = 0;
	const char *s = json_object_to_json_string_length(
		obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (len)
		*len = n;
	return vs_arena_strndup(a, s, n);
}

struct json_object *vs_json_str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

struct json_object *vs_json_uuid(const vs_uuid *u)
{
	char buf[VS_UUID_STRLEN + 1];
	vs_uuid_format(u, buf);
	return json_object_new_string_len(buf, VS_UUID_STRLEN);
}

struct json_object *vs_json_time(int64_t unix_seconds)
{
	char buf[VS_TIME_STRLEN + 1];
	vs_time_format(unix_seconds, buf);
	return json_object_new_string(buf);
}
