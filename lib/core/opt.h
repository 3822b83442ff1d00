/* Optional values as sent by a client: `set` says whether the field was present, `null`
 * whether it was explicitly null. Plain C, so the domain and ports can use them. */
#ifndef VS_CORE_OPT_H
#define VS_CORE_OPT_H

#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vs_opt_str {
	bool set, null;
	const char *p; /* NUL-terminated */
	size_t len;
};
struct vs_opt_bool {
	bool set;
	bool v;
};
struct vs_opt_int {
	bool set;
	int64_t v;
};
struct vs_opt_uuid {
	bool set, null;
	vs_uuid v;
};
struct vs_opt_time {
	bool set, null;
	int64_t v; /* Unix seconds */
};

struct vs_opt_strs {
	bool set;
	const char **v; /* NUL-terminated strings */
	size_t n;
};
struct vs_opt_uuids {
	bool set;
	vs_uuid *v;
	size_t n;
};

/* The string to store: NULL when absent or null. */
static inline const char *vs_opt_str_or_null(const struct vs_opt_str *s)
{
	return s->set && !s->null ? s->p : NULL;
}

#endif
