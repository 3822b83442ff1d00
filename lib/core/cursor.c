#include "core/cursor.h"

#include "core/crypto.h"
#include "core/time.h"

#include <stdio.h>
#include <string.h>

#define CURSOR_VERSION 1
#define CURSOR_BYTES 25

void vs_cursor_encode(const struct vs_cursor *c, char out[VS_CURSOR_STRLEN + 1])
{
	uint8_t b[CURSOR_BYTES];
	uint64_t at = (uint64_t)c->at_us;
	b[0] = CURSOR_VERSION;
	for (int i = 0; i < 8; i++)
		b[1 + i] = (uint8_t)(at >> (56 - 8 * i));
	memcpy(b + 9, c->id.b, sizeof(c->id.b));
	char text[4 * ((CURSOR_BYTES + 2) / 3) + 1]; /* the encoder writes the padding first */
	vs_base64url_encode(b, sizeof(b), text);
	memcpy(out, text, VS_CURSOR_STRLEN + 1);
}

bool vs_cursor_decode(const char *s, size_t len, struct vs_cursor *out)
{
	uint8_t b[CURSOR_BYTES];
	size_t n;
	if (len != VS_CURSOR_STRLEN || !vs_base64url_decode(s, len, b, sizeof(b), &n) ||
	    n != CURSOR_BYTES || b[0] != CURSOR_VERSION)
		return false;
	uint64_t at = 0;
	for (int i = 0; i < 8; i++)
		at = at << 8 | b[1 + i];
	out->at_us = (int64_t)at;
	memcpy(out->id.b, b + 9, sizeof(out->id.b));
	return true;
}

void vs_cursor_time_text(int64_t at_us, char out[VS_CURSOR_TIME_STRLEN + 1])
{
	int64_t seconds = at_us / 1000000, micros = at_us % 1000000;
	if (micros < 0) { /* floor, for instants before 1970 */
		seconds -= 1;
		micros += 1000000;
	}
	char whole[VS_TIME_STRLEN + 1];
	vs_time_format(seconds, whole);
	snprintf(out, VS_CURSOR_TIME_STRLEN + 1, "%.19s.%06lldZ", whole, (long long)micros);
}
