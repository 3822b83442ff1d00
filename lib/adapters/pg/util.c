#include "adapters/pg/util.h"

#include <json-c/json.h>
#include <string.h>

const char *vs_pg_uuid_array_param(struct vs_arena *a, const vs_uuid *ids, size_t n)
{
	char *s = vs_arena_alloc(a, n * (VS_UUID_STRLEN + 1) + 3), *p = s;
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		vs_uuid_format(&ids[i], p);
		p += VS_UUID_STRLEN;
	}
	*p++ = '}';
	*p = '\0';
	return s;
}

const char *vs_pg_text_array_param(struct vs_arena *a, const char *const *items, size_t n)
{
	size_t len = 3;
	for (size_t i = 0; i < n; i++)
		len += strlen(items[i]) + 3;
	char *s = vs_arena_alloc(a, len), *p = s;
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		size_t item = strlen(items[i]);
		if (i)
			*p++ = ',';
		*p++ = '"';
		memcpy(p, items[i], item);
		p += item;
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return s;
}

const char **vs_pg_json_strings(struct vs_arena *a, const char *json, size_t *n)
{
	struct json_object *arr = json_tokener_parse(json);
	size_t len = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	const char **items = vs_arena_array(a, len + 1, sizeof(*items));
	*n = 0;
	for (size_t i = 0; i < len; i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);
		if (json_object_is_type(s, json_type_string))
			items[(*n)++] = vs_arena_strdup(a, json_object_get_string(s));
	}
	json_object_put(arr);
	return items;
}

enum vs_err vs_pg_one_ex(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *stmt,
			 const char *const *params, const int *lengths, const int *formats,
			 vs_pg_row_fn row, void *out)
{
	PGresult *r;
	enum vs_err rc = vs_pg_exec_ex(pg, a, stmt, params, lengths, formats, &r);
	if (rc != VS_OK)
		return rc;
	if (PQntuples(r) == 0)
		return VS_NOTFOUND;
	row(a, r, 0, out);
	return VS_OK;
}

enum vs_err vs_pg_one(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *stmt,
		      const char *const *params, vs_pg_row_fn row, void *out)
{
	return vs_pg_one_ex(pg, a, stmt, params, NULL, NULL, row, out);
}

/* Reads the first n rows of r into an arena array at `items`. */
static void read_rows(struct vs_arena *a, const PGresult *r, size_t n, vs_pg_row_fn row,
		      size_t item_size, void *items)
{
	char *array = vs_arena_array(a, n + 1, item_size);
	for (size_t i = 0; i < n; i++)
		row(a, r, (int)i, array + i * item_size);
	memcpy(items, &array, sizeof(array)); /* the caller's pointer, of its own type */
}

enum vs_err vs_pg_list(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *list,
		       const struct vs_pg_stmt *count, const char **params, int nfilter,
		       int64_t offset, int64_t limit, vs_pg_row_fn row, size_t item_size,
		       void *items, size_t *n, int64_t *total)
{
	PGresult *r;
	params[nfilter] = vs_arena_printf(a, "%lld", (long long)offset);
	params[nfilter + 1] = vs_arena_printf(a, "%lld", (long long)limit);
	*n = 0;
	enum vs_err rc = vs_pg_page(pg, a, list, count, params, &r, total);
	if (rc != VS_OK)
		return rc;
	*n = (size_t)PQntuples(r);
	read_rows(a, r, *n, row, item_size, items);
	return VS_OK;
}

enum vs_err vs_pg_keyed_list(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *list,
			     const struct vs_pg_stmt *count, const char **params, int nfilter,
			     const struct vs_list_at *at, bool descending, vs_pg_row_fn row,
			     size_t item_size, void *items, size_t *n, struct vs_list_end *end)
{
	if (at->keyed) {
		char *time = vs_arena_alloc(a, VS_CURSOR_TIME_STRLEN + 1);
		char *id = vs_arena_alloc(a, VS_UUID_STRLEN + 1);
		vs_cursor_time_text(at->after.at_us, time);
		vs_uuid_format(&at->after.id, id);
		params[nfilter] = time;
		params[nfilter + 1] = id;
	} else {
		params[nfilter] = descending ? "infinity" : "-infinity";
		params[nfilter + 1] = descending ? "ffffffff-ffff-ffff-ffff-ffffffffffff"
						 : "00000000-0000-0000-0000-000000000000";
	}
	/* One row more than the page tells whether another page follows. */
	params[nfilter + 2] = vs_arena_printf(a, "%lld", (long long)(at->keyed ? 0 : at->offset));
	params[nfilter + 3] = vs_arena_printf(a, "%lld", (long long)at->limit + 1);
	PGresult *r;
	*n = 0;
	*end = (struct vs_list_end){ .total = -1 };
	enum vs_err rc = vs_pg_page(pg, a, list, at->keyed ? NULL : count, params, &r, &end->total);
	if (rc != VS_OK)
		return rc;
	size_t rows = (size_t)PQntuples(r);
	*n = rows > (size_t)at->limit ? (size_t)at->limit : rows;
	read_rows(a, r, *n, row, item_size, items);
	end->more = rows > *n;
	if (end->more) {
		int last = (int)*n - 1;
		vs_pg_uuid(r, last, 0, &end->next.id);
		end->next.at_us = vs_pg_int64(r, last, PQnfields(r) - 1);
	}
	return VS_OK;
}

enum vs_err vs_pg_change(struct vs_pg *pg, const struct vs_pg_stmt *stmt,
			 const char *const *params)
{
	long rows;
	enum vs_err rc = vs_pg_exec_affected(pg, stmt, params, &rows);
	return rc == VS_OK && rows == 0 ? VS_NOTFOUND : rc;
}
