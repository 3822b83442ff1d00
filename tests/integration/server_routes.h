/*
 * The server's own route table (fcgi/routes.c), linked into this program when
 * it is built with VS_HAVE_ROUTE_TABLE, so that the authorization matrix can
 * prove it names every route and every route's rule.
 */
#ifndef IT_SERVER_ROUTES_H
#define IT_SERVER_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

struct srv_route {
	const char *method;  /* "GET" */
	const char *pattern; /* "/api/v1/users/{user_id}" */
	char rule[160];      /* "public", "authenticated", "user:read", "a&b" (all), "a|b" (any) */
};

/* Whether the route table is linked in. */
bool srv_routes_available(void);
/* The routes into a malloc'd array (free it); 0 when the table is not linked in. */
size_t srv_routes(struct srv_route **out);

/* "GET /api/v1/users/{}": the method and the path with every {name} made "{}". Free it. */
char *route_key(const char *method, const char *path);

#endif
