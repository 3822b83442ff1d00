#include "core/utf8.h"

#include <stdint.h>
#include <string.h>

/* The length of the valid sequence at s[i] (1 to 4), or 0. */
static size_t sequence_at(const unsigned char *s, size_t len, size_t i)
{
	unsigned char c = s[i];
	size_t n;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 1, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 2, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 3, cp = c & 0x07;
	else
		return 0;
	if (len - i <= n)
		return 0;
	for (size_t k = 1; k <= n; k++) {
		if ((s[i + k] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i + k] & 0x3F);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n + 1;
}

bool vs_utf8_valid(const void *s, size_t len)
{
	for (size_t i = 0, n; i < len; i += n)
		if ((n = sequence_at(s, len, i)) == 0)
			return false;
	return true;
}

const char *vs_utf8_scrub(struct vs_arena *a, const char *s, size_t len, size_t *out_len)
{
	static const char replacement[] = "\xEF\xBF\xBD";
	char *out = vs_arena_alloc(a, 3 * len + 1), *o = out;
	for (size_t i = 0, n; i < len; i += n) {
		n = sequence_at((const unsigned char *)s, len, i);
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
