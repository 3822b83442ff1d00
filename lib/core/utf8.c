#include "core/utf8.h"

#include <stdint.h>
#include <string.h>

size_t vs_utf8_next(const void *p, size_t n, uint32_t *cp)
{
	const unsigned char *s = p;
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, v = c & 0x1Fu, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, v = c & 0x0Fu, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, v = c & 0x07u, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[k] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

bool vs_utf8_valid(const void *s, size_t len)
{
	uint32_t cp;
	for (size_t i = 0, n; i < len; i += n)
		if ((n = vs_utf8_next((const char *)s + i, len - i, &cp)) == 0)
			return false;
	return true;
}

const char *vs_utf8_scrub(struct vs_arena *a, const char *s, size_t len, size_t *out_len)
{
	static const char replacement[] = "\xEF\xBF\xBD";
	char *out = vs_arena_alloc(a, 3 * len + 1), *o = out;
	uint32_t cp;
	for (size_t i = 0, n; i < len; i += n) {
		n = vs_utf8_next(s + i, len - i, &cp);
		if (n == 0) {
			memcpy(o, replacement, 3);
			o += 3;
			n = 1;
		} else {
			memcpy(o, s + i, n);
			o += n;
		}
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
}
