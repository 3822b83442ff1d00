/* Hexadecimal digits, the one decoder of them (UUIDs, percent escapes, hashes). */
#ifndef VS_CORE_HEX_H
#define VS_CORE_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value of one hex digit of either case, or -1. */
static inline int vs_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20); /* either case */
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Lower-case hex; out needs 2 * len + 1 bytes. */
void vs_hex_encode(const uint8_t *in, size_t len, char *out);
/* Exactly 2 * len hex digits (either case) and nothing after them into len bytes; false
 * for anything else (out then holds garbage). */
bool vs_hex_decode(const char *in, uint8_t *out, size_t len);

#endif
