/* The canonical bytes of an audit event, which its chain hash covers: JSON as RFC 8785
 * (JCS) writes it, for the values events hold — objects, arrays, strings, integers of at
 * most 2^53 in magnitude, booleans, null. Object members sorted by key (byte order, which
 * is JCS's UTF-16 order for the ASCII keys events use), no whitespace, strings escaped
 * only where JSON must (", \, control characters), everything else verbatim UTF-8.
 * Another language re-creates the bytes with its canonical JSON writer, e.g. Python's
 * json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False). */
#ifndef VS_AUDIT_CANONICAL_H
#define VS_AUDIT_CANONICAL_H

#include "core/arena.h"

#include <json-c/json.h>
#include <stddef.h>

/* The canonical text of v in the arena (NUL-terminated, its length in *len), or NULL
 * when v holds what events never hold (a double, an integer beyond 2^53, a string that
 * is not UTF-8, nesting deeper than 32). */
char *vs_audit_canonical(struct vs_arena *a, struct json_object *v, size_t *len);

#endif
