#include "core/uuid.h"

#include "core/crypto.h"
#include "core/hex.h"

#include <string.h>

bool vs_uuid_parse(const char *s, size_t len, vs_uuid *out)
{
	if (!s || len != VS_UUID_STRLEN)
		return false;
	size_t j = 0;
	for (size_t i = 0; i < len;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return false;
			continue;
		}
		int hi = vs_hex_digit(s[i]), lo = vs_hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out->b[j++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return true;
}

void vs_uuid_format(const vs_uuid *u, char out[VS_UUID_STRLEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	char *p = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[u->b[i] >> 4];
		*p++ = hex[u->b[i] & 15];
	}
	*p = '\0';
}

void vs_uuid_v4(vs_uuid *out)
{
	vs_random_bytes(out->b, sizeof(out->b));
	out->b[6] = (uint8_t)((out->b[6] & 0x0f) | 0x40);
	out->b[8] = (uint8_t)((out->b[8] & 0x3f) | 0x80);
}

bool vs_uuid_eq(const vs_uuid *a, const vs_uuid *b)
{
	return memcmp(a->b, b->b, 16) == 0;
}

bool vs_uuid_is_nil(const vs_uuid *u)
{
	static const vs_uuid nil;
	return vs_uuid_eq(u, &nil);
}
