#include "router.h"

#include <string.h>

/* Matches one pattern against path, segment by segment; {name} takes one non-empty
 * segment. Parameters go into req only when the whole pattern matches and capture is
 * set; *nparams says how many the pattern has. */
static bool match(const char *pattern, struct vs_str path, struct vs_request *req,
		  bool capture, size_t *nparams)
{
	struct vs_str names[VS_MAX_PATH_PARAMS], values[VS_MAX_PATH_PARAMS];
	size_t n = 0;
	const char *s = path.p, *send = path.p + path.len;

	/* Most patterns differ from the path before their first parameter: a memcmp of
	 * that literal part settles them without the walk below. */
	const char *p = strchrnul(pattern, '{');
	size_t literal = (size_t)(p - pattern);
	if (literal > path.len || memcmp(pattern, path.p, literal) != 0)
		return false;
	s += literal;
	while (*p && s < send) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			const char *seg_end = memchr(s, '/', (size_t)(send - s));
			if (!seg_end)
				seg_end = send;
			if (!close || seg_end == s || n == VS_MAX_PATH_PARAMS)
				return false;
			names[n] = (struct vs_str){ p + 1, (size_t)(close - p - 1) };
			values[n] = (struct vs_str){ s, (size_t)(seg_end - s) };
			n++;
			p = close + 1;
			s = seg_end;
		} else if (*p++ != *s++) {
			return false;
		}
	}
	if (*p || s != send)
		return false;
	*nparams = n;
	if (capture) {
		memcpy(req->param_names, names, n * sizeof(*names));
		memcpy(req->param_values, values, n * sizeof(*values));
		req->nparams = n;
	}
	return true;
}

/* A path may fit several patterns (/users/me and /users/{user_id}); the one with the
 * fewest parameters wins, so DELETE /users/me is a 405, not a delete of user "me". An
 * all-literal fit ends the walk, so routes near the top of the table cost least. */
const struct vs_route *vs_route_match(const struct vs_route *routes, size_t n,
				      struct vs_request *req, unsigned *allowed)
{
	struct vs_str path = req->path;
	if (path.len > 1 && path.p[path.len - 1] == '/')
		path.len--;
	size_t fewest = VS_MAX_PATH_PARAMS + 1, np;
	const struct vs_route *found = NULL;
	*allowed = 0;
	req->nparams = 0;
	for (size_t i = 0; i < n; i++) {
		if (!match(routes[i].pattern, path, req, false, &np) || np > fewest)
			continue;
		if (np < fewest) { /* a more literal fit: forget what the others offered */
			fewest = np;
			found = NULL;
			*allowed = 0;
		}
		if (found)
			continue;
		if (routes[i].method == req->method ||
		    (req->method == VS_HEAD && routes[i].method == VS_GET))
			found = &routes[i];
		else
			*allowed |= routes[i].method;
		if (found && np == 0) /* nothing fits better than all-literal: stop here */
			break;
	}
	if (found)
		match(found->pattern, path, req, true, &np);
	return found;
}

const char *vs_methods_text(struct vs_arena *a, unsigned methods)
{
	static const char *const names[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD",
					     "OPTIONS" };
	char *out = vs_arena_alloc(a, 64);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(methods & (1u << i)))
			continue;
		if (*out)
			strcat(out, ", ");
		strcat(out, names[i]);
	}
	return out;
}
