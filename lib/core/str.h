/* Strings that carry their length (ngx_str_t); NUL-terminated only at library boundaries. */
#ifndef VS_CORE_STR_H
#define VS_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct vs_str {
	const char *p;
	size_t len;
};

#define VS_STR(lit) ((struct vs_str){ (lit), sizeof(lit) - 1 })

static inline struct vs_str vs_str_c(const char *s)
{
	return (struct vs_str){ s, s ? strlen(s) : 0 };
}

static inline bool vs_str_eq(struct vs_str a, struct vs_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline bool vs_str_eq_c(struct vs_str a, const char *b)
{
	return vs_str_eq(a, vs_str_c(b));
}

#endif
