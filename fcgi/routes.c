/* Every endpoint and who may call it: the route tables of the modules (fcgi/<module>/
 * routes.c), one line each. tests/unit walks the result. */
#include "metrics.h"
#include "router.h"

#include <stdlib.h>
#include <string.h>

/* Where a literal and a parameter could both match, the literal wins (router.c). The
 * router stops at the first all-literal match: the hot path (the auth_request check)
 * comes first. */
#define VS_ROUTE_MODULES(X)                                                                \
	X(auth)                                                                             \
	X(system)                                                                           \
	X(sessions)                                                                         \
	X(users)                                                                            \
	X(tenants)                                                                          \
	X(assignments)                                                                      \
	X(api_keys)                                                                         \
	X(roles)                                                                            \
	X(jobs)                                                                             \
	X(invitations)                                                                      \
	X(audit)                                                                            \
	X(webhooks)

#define DECLARE(m) extern const struct vs_route_group vs_##m##_routes;
VS_ROUTE_MODULES(DECLARE)
#undef DECLARE

const struct vs_route *vs_routes(size_t *n)
{
	static struct vs_route table[VS_METRICS_UNMATCHED];
	static size_t count;
	if (!count) {
		static const struct vs_route_group *const groups[] = {
#define ENTRY(m) &vs_##m##_routes,
			VS_ROUTE_MODULES(ENTRY)
#undef ENTRY
		};
		for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
			if (count + groups[g]->n > sizeof(table) / sizeof(table[0]))
				abort(); /* a programming error: raise VS_METRICS_ROUTES */
			memcpy(&table[count], groups[g]->routes,
			       groups[g]->n * sizeof(*groups[g]->routes));
			count += groups[g]->n;
		}
	}
	*n = count;
	return table;
}
