#include "core/form.h"

#include "core/hex.h"
#include "core/utf8.h"

#include <string.h>

/* Decodes into the arena; returns NULL on a bad escape, a decoded NUL or decoded bytes
 * that are not UTF-8 (they would reach the database, and the logs, as they came). */
static char *decode(struct vs_arena *a, const char *s, size_t len, size_t *out_len)
{
	char *out = vs_arena_alloc(a, len + 1);
	size_t j = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (len - i < 3)
				return NULL;
			int hi = vs_hex_digit(s[i + 1]), lo = vs_hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				return NULL;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0')
			return NULL;
		out[j++] = c;
	}
	out[j] = '\0';
	*out_len = j;
	return vs_utf8_valid(out, j) ? out : NULL;
}

bool vs_form_parse(struct vs_arena *a, const char *s, size_t len, struct vs_form *out)
{
	out->pairs = NULL;
	out->n = 0;
	if (!s || len == 0)
		return true;
	size_t max = 1;
	for (size_t i = 0; i < len; i++)
		max += s[i] == '&';
	out->pairs = vs_arena_array(a, max, sizeof(*out->pairs));

	const char *p = s, *end = s + len;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *seg_end = amp ? amp : end;
		if (seg_end > p) {
			const char *eq = memchr(p, '=', (size_t)(seg_end - p));
			const char *name_end = eq ? eq : seg_end;
			const char *val = eq ? eq + 1 : seg_end;
			size_t name_len, value_len;
			char *name = decode(a, p, (size_t)(name_end - p), &name_len);
			char *value = decode(a, val, (size_t)(seg_end - val), &value_len);
			if (!name || !value)
				return false;
			out->pairs[out->n++] =
				(struct vs_form_pair){ name, value, value_len };
		}
		p = seg_end + 1;
	}
	return true;
}

const char *vs_form_get(const struct vs_form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->pairs[i].name, name) == 0)
			return f->pairs[i].value;
	return NULL;
}

size_t vs_form_count(const struct vs_form *f, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += strcmp(f->pairs[i].name, name) == 0;
	return n;
}
