/* Helpers shared by the repository files of the pg adapter: parameters, row readers and
 * the statement shapes every repository repeats (one row, a page of a list, a change that
 * must find its row). */
#ifndef VS_ADAPTERS_PG_UTIL_H
#define VS_ADAPTERS_PG_UTIL_H

#include "adapters/pg/pg.h"
#include "core/cursor.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A UUID as a text parameter, in a caller's buffer. */
struct pg_uuid_text {
	char s[VS_UUID_STRLEN + 1];
};
static inline const char *pg_uuid_param(struct pg_uuid_text *buf, const vs_uuid *u)
{
	if (!u)
		return NULL;
	vs_uuid_format(u, buf->s);
	return buf->s;
}

/* "t"/"f" for a boolean parameter. */
static inline const char *pg_bool_param(bool v)
{
	return v ? "t" : "f";
}

/* '{uuid,uuid,…}': a uuid[] parameter in the arena, made of formatted UUIDs only. */
const char *vs_pg_uuid_array_param(struct vs_arena *a, const vs_uuid *ids, size_t n);
/* '{"a","b"}': a text[] parameter in the arena. Items must need no escaping (permission
 * codes: [a-z_:]), which the caller has checked. */
const char *vs_pg_text_array_param(struct vs_arena *a, const char *const *items, size_t n);
/* A JSON array of strings the database built (json_agg, array_to_json) into an arena
 * array; anything else counts as empty. */
const char **vs_pg_json_strings(struct vs_arena *a, const char *json, size_t *n);

/* Fills *out (a struct of the repository's) from row `row` of r. */
typedef void (*vs_pg_row_fn)(struct vs_arena *a, const PGresult *r, int row, void *out);

/* Runs stmt and reads its first row into out; no row → NOTFOUND. */
enum vs_err vs_pg_one(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *stmt,
		      const char *const *params, vs_pg_row_fn row, void *out);
/* The same for statements with binary parameters. */
enum vs_err vs_pg_one_ex(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *stmt,
			 const char *const *params, const int *lengths, const int *formats,
			 vs_pg_row_fn row, void *out);

/* One page of a list (vs_pg_page) read into an arena array of item_size items, whose
 * address goes to the pointer at `items` (&page->items): `list` takes the caller's
 * nfilter parameters, then offset and limit; `count` the same nfilter parameters. params
 * needs room for nfilter + 2 entries. */
enum vs_err vs_pg_list(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *list,
		       const struct vs_pg_stmt *count, const char **params, int nfilter,
		       int64_t offset, int64_t limit, vs_pg_row_fn row, size_t item_size,
		       void *items, size_t *n, int64_t *total);

/* One page of a list in (created_at, id) order, ascending or, when `descending`, not: the
 * same as vs_pg_list but the page may start after a cursor (at->keyed), by an index on
 * the order, however deep. `list` takes the nfilter filters, then the position to start
 * after (a timestamptz and a uuid: "-infinity" or "infinity" and the smallest or largest
 * uuid for the first page), then offset and limit; its first column is the item's id,
 * its last the item's created_at in microseconds. `count` runs only for a page that is
 * not keyed: counting would read every row a cursor skips. params needs room for
 * nfilter + 4 entries. */
/* The number of rows sql/016 keeps for a platform-wide total ('tenants', 'users'). */
#define VS_PG_PLATFORM_TOTAL(kind)                                                         \
	"coalesce((SELECT n FROM iam.usage WHERE kind = '" kind "' AND "                      \
	"scope = 'ffffffff-ffff-ffff-ffff-ffffffffffff'), 0)"

/* The last column of a keyed list: created_at of the row alias, in microseconds (exact:
 * extract returns numeric). */
#define VS_PG_KEY_US(alias) "(extract(epoch FROM " alias ".created_at) * 1000000)::int8"

enum vs_err vs_pg_keyed_list(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *list,
			     const struct vs_pg_stmt *count, const char **params, int nfilter,
			     const struct vs_list_at *at, bool descending, vs_pg_row_fn row,
			     size_t item_size, void *items, size_t *n, struct vs_list_end *end);

/* Runs an UPDATE or DELETE of one object: no row touched → NOTFOUND. */
enum vs_err vs_pg_change(struct vs_pg *pg, const struct vs_pg_stmt *stmt,
			 const char *const *params);

#endif
