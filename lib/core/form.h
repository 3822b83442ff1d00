/* application/x-www-form-urlencoded and query strings (WHATWG URL "urlencoded" parsing). */
#ifndef VS_CORE_FORM_H
#define VS_CORE_FORM_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>

struct vs_form_pair {
	const char *name, *value; /* decoded, NUL-terminated, in the arena */
	size_t value_len;
};

struct vs_form {
	struct vs_form_pair *pairs;
	size_t n;
};

/* Decodes s[0..len). Returns false on a malformed percent escape or a NUL byte. */
bool vs_form_parse(struct vs_arena *a, const char *s, size_t len, struct vs_form *out);
/* The first value of name, or NULL. */
const char *vs_form_get(const struct vs_form *f, const char *name);
/* How many times name occurs (a repeated parameter is refused by callers). */
size_t vs_form_count(const struct vs_form *f, const char *name);

#endif
