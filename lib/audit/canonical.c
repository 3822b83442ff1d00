#include "audit/canonical.h"

#include "core/utf8.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32
#define MAX_SAFE_INTEGER 9007199254740992LL /* 2^53: beyond it JCS would write an exponent */

struct out {
	char *p;
	size_t len, cap;
	bool failed;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		while (o->len + n + 1 > cap)
			cap *= 2;
		char *p = realloc(o->p, cap);
		if (!p) {
			o->failed = true;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void put_string(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	if (!vs_utf8_valid(s, n)) {
		o->failed = true;
		return;
	}
	put(o, "\"", 1);
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(o, s + start, i - start);
		start = i + 1;
		char esc[7] = { '\\', 0 };
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(o, esc, 6);
			continue;
		}
		put(o, esc, 2);
	}
	put(o, s + start, n - start);
	put(o, "\"", 1);
}

static int by_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void put_value(struct out *o, struct json_object *v, int depth);

static void put_object(struct out *o, struct json_object *v, int depth)
{
	size_t n = (size_t)json_object_object_length(v), i = 0;
	const char **keys = n ? malloc(n * sizeof(*keys)) : NULL;
	if (n && !keys) {
		o->failed = true;
		return;
	}
	json_object_object_foreach(v, key, member)
	{
		(void)member;
		keys[i++] = key;
	}
	if (n > 1) /* qsort must not be given NULL, which an empty object has */
		qsort(keys, n, sizeof(*keys), by_key);
	put(o, "{", 1);
	for (i = 0; i < n && !o->failed; i++) {
		if (i)
			put(o, ",", 1);
		put_string(o, keys[i], strlen(keys[i]));
		put(o, ":", 1);
		put_value(o, json_object_object_get(v, keys[i]), depth + 1);
	}
	put(o, "}", 1);
	free(keys);
}

static void put_value(struct out *o, struct json_object *v, int depth)
{
	if (depth > MAX_DEPTH) {
		o->failed = true;
		return;
	}
	switch (json_object_get_type(v)) {
	case json_type_null: put(o, "null", 4); break;
	case json_type_boolean:
		if (json_object_get_boolean(v))
			put(o, "true", 4);
		else
			put(o, "false", 5);
		break;
	case json_type_int: {
		int64_t n = json_object_get_int64(v);
		if (n > MAX_SAFE_INTEGER || n < -MAX_SAFE_INTEGER) {
			o->failed = true;
			break;
		}
		char buf[24];
		int len = snprintf(buf, sizeof(buf), "%" PRId64, n);
		put(o, buf, (size_t)len);
		break;
	}
	case json_type_string:
		put_string(o, json_object_get_string(v), (size_t)json_object_get_string_len(v));
		break;
	case json_type_array: {
		size_t n = json_object_array_length(v);
		put(o, "[", 1);
		for (size_t i = 0; i < n && !o->failed; i++) {
			if (i)
				put(o, ",", 1);
			put_value(o, json_object_array_get_idx(v, i), depth + 1);
		}
		put(o, "]", 1);
		break;
	}
	case json_type_object: put_object(o, v, depth); break;
	case json_type_double: o->failed = true; break;
	}
}

char *vs_audit_canonical(struct vs_arena *a, struct json_object *v, size_t *len)
{
	struct out o = { 0 };
	put_value(&o, v, 0);
	char *text = o.failed || !o.p ? NULL : vs_arena_strndup(a, o.p, o.len);
	if (text && len)
		*len = o.len;
	free(o.p);
	return text;
}
