#ifndef VS_CORE_UUID_H
#define VS_CORE_UUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint8_t b[16];
} vs_uuid;

#define VS_UUID_STRLEN 36

/* Accepts only the canonical 8-4-4-4-12 hex form (either case). */
bool vs_uuid_parse(const char *s, size_t len, vs_uuid *out);
/* Writes 36 lower-case characters and a NUL. */
void vs_uuid_format(const vs_uuid *u, char out[VS_UUID_STRLEN + 1]);
/* Random (version 4) UUID from the OS CSPRNG. */
void vs_uuid_v4(vs_uuid *out);
bool vs_uuid_eq(const vs_uuid *a, const vs_uuid *b);
bool vs_uuid_is_nil(const vs_uuid *u);

#endif
