/* Keyset pagination: a cursor names the last item of a page by its sort key (creation
 * time, then id), so that the next page starts right after it by an index, however deep
 * it is, where `skip` would read and drop every row before it. Clients see the cursor as
 * an opaque base64url text. */
#ifndef VS_CORE_CURSOR_H
#define VS_CORE_CURSOR_H

#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vs_cursor {
	int64_t at_us; /* created_at, microseconds since the Unix epoch */
	vs_uuid id;
};

/* Which part of a list to read: `limit` items from `offset`, or when `keyed` the `limit`
 * items that follow `after` in the list's order (offset is then 0). */
struct vs_list_at {
	int64_t offset, limit;
	bool keyed;
	struct vs_cursor after;
};

/* What a read found out about the rest of the list. */
struct vs_list_end {
	int64_t total; /* every item the filters match; -1 when not counted (a keyed page) */
	bool more;     /* items follow this page */
	struct vs_cursor next; /* the last item of the page, when `more` */
};

/* A version byte, then at_us big-endian, then the id: 25 bytes, 34 characters. */
#define VS_CURSOR_STRLEN 34

/* Writes the cursor's text and a NUL. */
void vs_cursor_encode(const struct vs_cursor *c, char out[VS_CURSOR_STRLEN + 1]);
/* Only a text vs_cursor_encode made (of this version) decodes. */
bool vs_cursor_decode(const char *s, size_t len, struct vs_cursor *out);

/* at_us as a PostgreSQL timestamptz literal, e.g. "2026-12-07T19:31:50.000123Z". */
#define VS_CURSOR_TIME_STRLEN 27
void vs_cursor_time_text(int64_t at_us, char out[VS_CURSOR_TIME_STRLEN + 1]);

#endif
