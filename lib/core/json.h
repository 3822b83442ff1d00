/* The one way request JSON enters the program (SECURITY.md, json-c 0.16): strict grammar,
 * valid UTF-8, the whole body consumed, depth ≤ 16, no duplicate keys, no NUL in strings,
 * and typed binding through field tables that reject unknown fields. */
#ifndef VS_CORE_JSON_H
#define VS_CORE_JSON_H

#include "core/arena.h"
#include "core/err.h"
#include "core/opt.h"
#include "core/uuid.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#define VS_JSON_MAX_DEPTH 16

/* Parses buf[0..len) strictly. On success *out is owned by the arena (released at reset).
 * Malformed input → VS_BADREQ with a detail that says why. */
enum vs_err vs_json_parse(struct vs_arena *a, const char *buf, size_t len,
			  struct json_object **out, struct vs_error *e);

/* Binding fills the vs_opt_* members of core/opt.h: vs_opt_strs for VS_JT_STRINGS,
 * vs_opt_uuids for VS_JT_UUIDS, and vs_json_array for any other array. */
struct vs_json_array {
	bool set;
	struct json_object *v; /* a JSON array, items still to be checked by the caller */
};

enum vs_json_type {
	VS_JT_STRING,
	VS_JT_BOOL,
	VS_JT_INT,
	VS_JT_UUID,
	VS_JT_TIME,
	VS_JT_ARRAY,
	VS_JT_STRINGS, /* an array of strings: at most max items, each passing check */
	VS_JT_UUIDS,   /* an array of UUIDs: at most max items */
};

enum { VS_JF_REQUIRED = 1, VS_JF_NULLABLE = 2 };

/* A string check returns NULL when the value is fine, else the message for the field. For
 * the items of VS_JT_STRINGS it is also called with s NULL for an item that is no string. */
typedef const char *(*vs_json_check)(const char *s, size_t len);

struct vs_json_field {
	const char *name;
	enum vs_json_type type;
	size_t offset; /* of the vs_opt_* / vs_json_array member in the output struct */
	unsigned flags;
	/* string length in characters, integer range, or for arrays of strings or UUIDs the
	 * most items (min unused); 0/0 = unchecked */
	int64_t min, max;
	vs_json_check check;
};

/* Binds a JSON object into out through the field table. Every problem found is reported
 * as a field error (unknown fields included); returns VS_INVALID if there was any. Arrays
 * of strings and UUIDs are allocated in the arena. */
enum vs_err vs_json_bind(struct vs_arena *a, struct json_object *obj,
			 const struct vs_json_field *fields, size_t nfields, void *out,
			 struct vs_error *e);

/* The same for a form (application/x-www-form-urlencoded) of string fields: a name given
 * twice is an error, and a name with an empty value counts as absent (RFC 6749 §3.1). */
struct vs_form;
enum vs_err vs_json_bind_form(struct vs_arena *a, const struct vs_form *form,
			      const struct vs_json_field *fields, size_t nfields, void *out,
			      struct vs_error *e);

#define VS_JSON_FIELDS_LEN(tbl) (sizeof(tbl) / sizeof((tbl)[0]))

/* Serialises compactly into the arena. */
const char *vs_json_text(struct vs_arena *a, struct json_object *obj, size_t *len);

/* Builders that accept NULL for JSON null. */
struct json_object *vs_json_str_or_null(const char *s);
struct json_object *vs_json_uuid(const vs_uuid *u);
struct json_object *vs_json_time(int64_t unix_seconds);

#endif
