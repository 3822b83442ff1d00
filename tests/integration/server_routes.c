#include "server_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#ifdef VS_HAVE_ROUTE_TABLE
#include "router.h"

static const char *method_text(enum vs_method m)
{
	switch (m) {
	case VS_GET: return "GET";
	case VS_POST: return "POST";
	case VS_PUT: return "PUT";
	case VS_PATCH: return "PATCH";
	case VS_DELETE: return "DELETE";
	case VS_HEAD: return "HEAD";
	case VS_OPTIONS: return "OPTIONS";
	}
	return "?";
}

static void rule_text(const struct vs_rule *r, char *buf, size_t size)
{
	const char *sep = r->kind == VS_RULE_ANY_OF ? "|" : "&";
	size_t used = 0;

	buf[0] = '\0';
	switch (r->kind) {
	case VS_RULE_PUBLIC:
		snprintf(buf, size, "public");
		return;
	case VS_RULE_AUTHENTICATED:
		snprintf(buf, size, "authenticated");
		return;
	case VS_RULE_PERMISSION:
	case VS_RULE_ANY_OF:
		for (size_t i = 0; i < VS_RULE_MAX_PERMISSIONS && r->permissions[i]; i++) {
			int n = snprintf(buf + used, size - used, "%s%s", i ? sep : "",
					 r->permissions[i]);

			if (n < 0 || (size_t)n >= size - used)
				break;
			used += (size_t)n;
		}
		if (used == 0)
			snprintf(buf, size, "(no permission named)");
		return;
	}
	snprintf(buf, size, "(rule kind %d)", (int)r->kind);
}

bool srv_routes_available(void)
{
	return true;
}

size_t srv_routes(struct srv_route **out)
{
	size_t n = 0;
	const struct vs_route *routes = vs_routes(&n);

	*out = xcalloc(n, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		(*out)[i].method = method_text(routes[i].method);
		(*out)[i].pattern = routes[i].pattern;
		rule_text(&routes[i].rule, (*out)[i].rule, sizeof((*out)[i].rule));
	}
	return n;
}

#else

bool srv_routes_available(void)
{
	return false;
}

size_t srv_routes(struct srv_route **out)
{
	*out = NULL;
	return 0;
}

#endif

char *route_key(const char *method, const char *path)
{
	char *key = xasprintf("%s %s", method, path), *o = key + strlen(method) + 1;

	for (const char *s = path; *s; s++) {
		*o++ = *s;
		if (*s == '{') {
			const char *end = strchr(s, '}');

			if (end)
				s = end - 1;
		}
	}
	*o = '\0';
	return key;
}
