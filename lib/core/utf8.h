/* UTF-8 (RFC 3629): what the edge accepts, and what the logs may hold. */
#ifndef VS_CORE_UTF8_H
#define VS_CORE_UTF8_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>

/* Whether s[0..len) is UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
bool vs_utf8_valid(const void *s, size_t len);
/* s[0..len) with each byte that is not part of a valid sequence replaced by U+FFFD, in
 * a (NUL-terminated; its length in *out_len): for logging what a client sent. */
const char *vs_utf8_scrub(struct vs_arena *a, const char *s, size_t len, size_t *out_len);

#endif
