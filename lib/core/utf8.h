/* UTF-8 (RFC 3629): what the edge accepts, and what the logs may hold. */
#ifndef VS_CORE_UTF8_H
#define VS_CORE_UTF8_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The length (1 to 4) of the valid sequence that starts s[0..n), its code point in *cp;
 * 0 when it is not one (n > 0). */
size_t vs_utf8_next(const void *s, size_t n, uint32_t *cp);
/* Whether s[0..len) is UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
bool vs_utf8_valid(const void *s, size_t len);
/* s[0..len) with each byte that is not part of a valid sequence replaced by U+FFFD, in
 * a (NUL-terminated; its length in *out_len): for logging what a client sent. */
const char *vs_utf8_scrub(struct vs_arena *a, const char *s, size_t len, size_t *out_len);

#endif
