/* Routes are data: method, path pattern with {params}, handler, the rule the caller must
 * satisfy, and where the tenant in context comes from. */
#ifndef VS_FCGI_ROUTER_H
#define VS_FCGI_ROUTER_H

#include "auth/domain.h"
#include "request.h"

#include <stdbool.h>
#include <stddef.h>

struct vs_worker;
typedef enum vs_err (*vs_handler)(struct vs_worker *w, struct vs_request *req);

enum vs_tenant_source {
	VS_TENANT_NONE,	  /* the route works outside any tenant */
	VS_TENANT_HEADER, /* X-Tenant-ID, when sent */
	VS_TENANT_PATH,	  /* the {tenant_id} path parameter */
};

struct vs_route {
	enum vs_method method;
	const char *pattern;
	vs_handler handler;
	struct vs_rule rule;
	enum vs_tenant_source tenant;
	bool needs_db;
	/* nginx auth_request: answers only 204, 401 or 403, never with a body, whatever
	 * the input (anything else would become a 500 for the protected site's client). */
	bool bare;
};

/* For the modules' route tables: a rule, and a route that needs nothing unusual. */
#define VS_PUBLIC { VS_RULE_PUBLIC, { NULL } }
#define VS_AUTHENTICATED { VS_RULE_AUTHENTICATED, { NULL } }
#define VS_PERMISSION(code) { VS_RULE_PERMISSION, { code } }
#define VS_ROUTE(m, path, fn, rule_, source, db)                                           \
	{ .method = (m), .pattern = (path), .handler = (fn), .rule = rule_, .tenant = (source), \
	  .needs_db = (db) }

/* A module's routes (fcgi/<module>/routes.c), listed in routes.c. */
struct vs_route_group {
	const struct vs_route *routes;
	size_t n;
};
#define VS_ROUTE_GROUP(table) { (table), sizeof(table) / sizeof((table)[0]) }

/* Every module's routes in one table, built at the first call (routes.c). */
const struct vs_route *vs_routes(size_t *n);

/* Matches req->path (one trailing slash ignored) and req->method. On a match fills the
 * path parameters and returns the route. Otherwise NULL, with *allowed the methods the
 * path does accept (0: unknown path). */
const struct vs_route *vs_route_match(const struct vs_route *routes, size_t n,
				      struct vs_request *req, unsigned *allowed);

/* "GET, PUT" for a method set, in the arena. */
const char *vs_methods_text(struct vs_arena *a, unsigned methods);

#endif
