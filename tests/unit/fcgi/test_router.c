/* fcgi/router.c and the route table of fcgi/routes.c: matching, and a walk of the table
 * that proves no route is unprotected, misnamed or unreachable by accident. */
#include "suites.h"

#include "system/handlers.h"
#include "tenants/handlers.h"
#include "users/handlers.h"
#include "router.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define UID "3f2b8c1e-9a7d-4e5f-8b6a-1c2d3e4f5a6b"
#define TID "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"

/* Matches method + path against the real route table. */
static const struct vs_route *route(struct vs_request *req, enum vs_method m, const char *path,
				    unsigned *allowed)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	memset(req, 0, sizeof(*req));
	req->method = m;
	req->path = vs_str_c(path);
	return vs_route_match(routes, n, req, allowed);
}

static bool param_is(const struct vs_request *req, const char *name, const char *want)
{
	return vs_str_eq_c(vs_req_path_param(req, name), want);
}

/* ---- matching ---- */

static void test_router_users_me_matches_me_route_not_user_id(void)
{
	struct vs_request req;
	unsigned allowed = 99;
	const struct vs_route *r = route(&req, VS_GET, "/api/v1/users/me", &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(ut_str(r->pattern), "/api/v1/users/me");
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_users_me);
	CU_ASSERT_EQUAL(req.nparams, 0);
	r = route(&req, VS_PATCH, "/api/v1/users/me", &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_users_me_update);
	CU_ASSERT_EQUAL(r->rule.kind, VS_RULE_AUTHENTICATED);
}

static void test_router_user_id_route_captures_param(void)
{
	struct vs_request req;
	unsigned allowed;
	const struct vs_route *r = route(&req, VS_GET, "/api/v1/users/" UID, &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(ut_str(r->pattern), "/api/v1/users/{user_id}");
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_users_get);
	CU_ASSERT_EQUAL(req.nparams, 1);
	CU_ASSERT_TRUE(param_is(&req, "user_id", UID));
	CU_ASSERT_TRUE(param_is(&req, "tenant_id", "")); /* absent → empty */
	r = route(&req, VS_DELETE, "/api/v1/users/" UID, &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_users_delete);
}

static void test_router_collection_with_trailing_slash(void)
{
	struct vs_request req;
	unsigned allowed;
	const struct vs_route *r = route(&req, VS_GET, "/api/v1/tenants/", &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(ut_str(r->pattern), "/api/v1/tenants");
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_tenants_list);
	r = route(&req, VS_POST, "/api/v1/tenants/", &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_tenants_create);
	r = route(&req, VS_GET, "/api/v1/users/", &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_users_list);
	r = route(&req, VS_GET, "/", &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_root);
}

static void test_router_rejects_double_slash_and_empty_segment(void)
{
	struct vs_request req;
	unsigned allowed = 99;
	CU_ASSERT_PTR_NULL(route(&req, VS_GET, "/api/v1/tenants//", &allowed));
	CU_ASSERT_EQUAL(allowed, 0);
	CU_ASSERT_PTR_NULL(route(&req, VS_GET, "/api/v1/tenants//users", &allowed));
	CU_ASSERT_EQUAL(allowed, 0);
	CU_ASSERT_PTR_NULL(route(&req, VS_GET, "//api/v1/health", &allowed));
	CU_ASSERT_PTR_NULL(route(&req, VS_GET, "", &allowed));
}

static void test_router_slug_route_takes_precedence(void)
{
	struct vs_request req;
	unsigned allowed;
	const struct vs_route *r = route(&req, VS_GET, "/api/v1/tenants/slug/acme", &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_tenants_get_by_slug);
	CU_ASSERT_EQUAL(req.nparams, 1);
	CU_ASSERT_TRUE(param_is(&req, "slug", "acme"));
	r = route(&req, VS_GET, "/api/v1/tenants/" TID, &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_tenants_get);
	CU_ASSERT_TRUE(param_is(&req, "tenant_id", TID));
}

static void test_router_tenant_user_route_captures_both_params(void)
{
	struct vs_request req;
	unsigned allowed;
	const struct vs_route *r =
	    route(&req, VS_GET, "/api/v1/tenants/" TID "/users/" UID, &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_tenant_users_get);
	CU_ASSERT_EQUAL(req.nparams, 2);
	CU_ASSERT_TRUE(param_is(&req, "tenant_id", TID));
	CU_ASSERT_TRUE(param_is(&req, "user_id", UID));
	CU_ASSERT_EQUAL(r->tenant, VS_TENANT_PATH);
	r = route(&req, VS_GET, "/api/v1/tenants/" TID "/users/", &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_tenant_users_list);
}

static void test_router_unknown_path_returns_null_and_no_methods(void)
{
	struct vs_request req;
	unsigned allowed = 99;
	CU_ASSERT_PTR_NULL(route(&req, VS_GET, "/api/v1/nope", &allowed));
	CU_ASSERT_EQUAL(allowed, 0);
	CU_ASSERT_PTR_NULL(route(&req, VS_GET, "/api/v1/users/" UID "/extra", &allowed));
	CU_ASSERT_EQUAL(allowed, 0);
	CU_ASSERT_PTR_NULL(route(&req, VS_GET, "/api/v1/healthz", &allowed));
	CU_ASSERT_EQUAL(allowed, 0);
	CU_ASSERT_PTR_NULL(route(&req, VS_GET, "/api/v1", &allowed));
	CU_ASSERT_EQUAL(allowed, 0);
}

static void test_router_wrong_method_reports_allowed_methods(void)
{
	struct vs_request req;
	unsigned allowed = 0;
	struct vs_arena *a = vs_arena_new();
	CU_ASSERT_PTR_NULL(route(&req, VS_DELETE, "/api/v1/tenants", &allowed));
	CU_ASSERT_EQUAL(allowed, VS_GET | VS_POST);
	CU_ASSERT_STRING_EQUAL(ut_str(vs_methods_text(a, allowed)), "GET, POST");
	CU_ASSERT_PTR_NULL(route(&req, VS_POST, "/api/v1/health", &allowed));
	CU_ASSERT_EQUAL(allowed, VS_GET);
	CU_ASSERT_PTR_NULL(route(&req, VS_GET, "/api/v1/auth/login", &allowed));
	CU_ASSERT_EQUAL(allowed, VS_POST);
	CU_ASSERT_PTR_NULL(route(&req, VS_POST, "/api/v1/tenants/" TID, &allowed));
	CU_ASSERT_EQUAL(allowed, VS_GET | VS_PUT | VS_PATCH | VS_DELETE);
	CU_ASSERT_STRING_EQUAL(ut_str(vs_methods_text(a, allowed)), "GET, PUT, PATCH, DELETE");
	CU_ASSERT_EQUAL(req.nparams, 0); /* no parameters left behind by a failed match */
	vs_arena_free(a);
}

/* /users/me is a literal path: its methods win over /users/{user_id} with user_id="me". */
static void test_router_literal_path_beats_parameter_for_allowed_methods(void)
{
	struct vs_request req;
	unsigned allowed = 0;
	CU_ASSERT_PTR_NULL(route(&req, VS_DELETE, "/api/v1/users/me", &allowed));
	CU_ASSERT_EQUAL(allowed, VS_GET | VS_PUT | VS_PATCH);
	const struct vs_route *r = route(&req, VS_DELETE, "/api/v1/users/" UID, &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(r->pattern, "/api/v1/users/{user_id}");
}

static void test_router_head_matches_get(void)
{
	struct vs_request req;
	unsigned allowed;
	const struct vs_route *r = route(&req, VS_HEAD, "/api/v1/health", &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->method, VS_GET);
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_health);
	r = route(&req, VS_HEAD, "/api/v1/users/" UID, &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_users_get);
	/* HEAD on a POST-only path is not a GET. */
	CU_ASSERT_PTR_NULL(route(&req, VS_HEAD, "/api/v1/auth/token", &allowed));
	CU_ASSERT_EQUAL(allowed, VS_POST);
}

static void test_router_methods_text(void)
{
	struct vs_arena *a = vs_arena_new();
	CU_ASSERT_STRING_EQUAL(ut_str(vs_methods_text(a, 0)), "");
	CU_ASSERT_STRING_EQUAL(ut_str(vs_methods_text(a, VS_DELETE)), "DELETE");
	CU_ASSERT_STRING_EQUAL(ut_str(vs_methods_text(a, VS_GET | VS_POST | VS_PUT | VS_PATCH |
							     VS_DELETE | VS_HEAD | VS_OPTIONS)),
			       "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");
	vs_arena_free(a);
}

/* A private table for the matcher's edge cases. */
static enum vs_err dummy_handler(struct vs_worker *w, struct vs_request *req)
{
	(void)w;
	(void)req;
	return VS_OK;
}

static const struct vs_route edge_routes[] = {
    {VS_GET, "/a/{x}/b/{y}", dummy_handler, {VS_RULE_PUBLIC, {NULL}}, VS_TENANT_NONE, false, false},
    {VS_GET, "/p/{a}/{b}/{c}/{d}/{e}", dummy_handler, {VS_RULE_PUBLIC, {NULL}}, VS_TENANT_NONE,
     false, false},
    {VS_GET, "/q/{a}/{b}/{c}/{d}", dummy_handler, {VS_RULE_PUBLIC, {NULL}}, VS_TENANT_NONE, false,
     false},
};

static void test_router_param_takes_exactly_one_segment(void)
{
	struct vs_request req;
	unsigned allowed;
	memset(&req, 0, sizeof(req));
	req.method = VS_GET;
	req.path = vs_str_c("/a/1/b/2");
	CU_ASSERT_PTR_EQUAL(vs_route_match(edge_routes, 3, &req, &allowed), &edge_routes[0]);
	CU_ASSERT_TRUE(param_is(&req, "x", "1") && param_is(&req, "y", "2"));
	req.path = vs_str_c("/a/1/2/b/3");
	CU_ASSERT_PTR_NULL(vs_route_match(edge_routes, 3, &req, &allowed));
	req.path = vs_str_c("/a//b/2");
	CU_ASSERT_PTR_NULL(vs_route_match(edge_routes, 3, &req, &allowed));
	req.path = vs_str_c("/a/1/b");
	CU_ASSERT_PTR_NULL(vs_route_match(edge_routes, 3, &req, &allowed));
	req.path = vs_str_c("/a/1/b/");
	CU_ASSERT_PTR_NULL(vs_route_match(edge_routes, 3, &req, &allowed));
}

static void test_router_param_count_is_bounded(void)
{
	struct vs_request req;
	unsigned allowed;
	memset(&req, 0, sizeof(req));
	req.method = VS_GET;
	req.path = vs_str_c("/q/1/2/3/4");
	CU_ASSERT_PTR_EQUAL(vs_route_match(edge_routes, 3, &req, &allowed), &edge_routes[2]);
	CU_ASSERT_EQUAL(req.nparams, VS_MAX_PATH_PARAMS);
	CU_ASSERT_TRUE(param_is(&req, "d", "4"));
	/* Five parameters cannot be captured: the route never matches, nothing overflows. */
	req.path = vs_str_c("/p/1/2/3/4/5");
	CU_ASSERT_PTR_NULL(vs_route_match(edge_routes, 3, &req, &allowed));
	CU_ASSERT_EQUAL(req.nparams, 0);
}

/* ---- the route table ---- */

/* API.md §4: the permission catalogue. */
static const char *const catalogue[] = {
    "user:read",	 "user:create",
    "user:update",	 "user:delete",
    "tenant:read",	 "tenant:create",
    "tenant:update",	 "tenant:delete",
    "tenant:view_users", "tenant:manage_invitations",
    "api_key:read",	 "api_key:create",
    "api_key:update",	 "api_key:delete",
    "role:read",	 "role:create",
    "role:update",	 "role:delete",
    "role:assign",	 "role:assign_users",
    "permission:read",	 "permission:assign",
    "vm:read",		 "vm:create",
    "vm:update",	 "vm:delete",
    "vm:start",		 "vm:stop",
    "vm:restart",	 "template:read",
    "template:create",	 "template:update",
    "template:delete",	 "audit:read",
    "job:read",		 "job:cancel",
    "billing:read",	 "billing:manage",
    "ticket:read",	 "ticket:create",
    "webhook:manage",	 "broadcast:manage",
};
#define CATALOGUE_LEN (sizeof(catalogue) / sizeof(catalogue[0]))

static bool in_catalogue(const char *code)
{
	for (size_t i = 0; code && i < CATALOGUE_LEN; i++)
		if (strcmp(code, catalogue[i]) == 0)
			return true;
	return false;
}

/* The only routes anyone may call without a credential. */
static const struct {
	enum vs_method method;
	const char *pattern;
} public_allow_list[] = {
    {VS_GET, "/"},
    {VS_GET, "/health"},
    {VS_GET, "/api/v1/health"},
    {VS_GET, "/api/v1/health/ready"},
    {VS_POST, "/api/v1/auth/token"},
    {VS_POST, "/api/v1/auth/login/access-token"},
    {VS_POST, "/api/v1/auth/login"},
    {VS_POST, "/api/v1/auth/refresh"},
    {VS_GET, "/api/v1/auth/check"},
    {VS_GET, "/api/v1/openapi.json"},
    {VS_GET, "/metrics"},
    {VS_POST, "/api/v1/invitations/verify"},
    {VS_POST, "/api/v1/invitations/accept"},
    {VS_GET, "/api/v1/audit-logs/public-key"},
};
#define PUBLIC_LEN (sizeof(public_allow_list) / sizeof(public_allow_list[0]))

static void test_routes_catalogue_has_42_codes(void)
{
	CU_ASSERT_EQUAL(CATALOGUE_LEN, 42);
	for (size_t i = 0; i < CATALOGUE_LEN; i++)
		for (size_t j = i + 1; j < CATALOGUE_LEN; j++)
			CU_ASSERT_STRING_NOT_EQUAL(ut_str(catalogue[i]), catalogue[j]);
}

static void test_routes_every_route_has_handler_and_absolute_pattern(void)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	CU_ASSERT_FATAL(n > 0);
	for (size_t i = 0; i < n; i++) {
		CU_ASSERT_PTR_NOT_NULL(routes[i].handler);
		CU_ASSERT_PTR_NOT_NULL_FATAL(routes[i].pattern);
		CU_ASSERT_EQUAL(routes[i].pattern[0], '/');
		/* Exactly one method bit. */
		unsigned m = (unsigned)routes[i].method;
		CU_ASSERT(m != 0 && (m & (m - 1)) == 0);
		CU_ASSERT_NOT_EQUAL(m, VS_HEAD); /* HEAD is served by the GET route */
	}
}

static void test_routes_patterns_are_well_formed(void)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	for (size_t i = 0; i < n; i++) {
		const char *p = routes[i].pattern;
		size_t len = strlen(p), params = 0;
		bool ok = true;
		if (len > 1 && p[len - 1] == '/')
			ok = false; /* the matcher strips a trailing slash from the path */
		if (strstr(p, "//"))
			ok = false;
		for (const char *c = p; *c; c++) {
			if (*c == '{') {
				const char *close = strchr(c, '}');
				/* A parameter is a whole segment: "/{name}" followed by '/' or end.
				 */
				if (!close || close == c + 1 || c[-1] != '/' ||
				    (close[1] != '/' && close[1] != '\0') ||
				    memchr(c + 1, '{', (size_t)(close - c - 1)))
					ok = false;
				params++;
				if (close)
					c = close;
			} else if (*c == '}') {
				ok = false;
			}
		}
		if (params > VS_MAX_PATH_PARAMS)
			ok = false;
		if (!ok)
			fprintf(stderr, "\n  malformed route pattern: %s\n", p);
		CU_ASSERT_TRUE(ok);
	}
}

static bool needs_permission(const struct vs_rule *rule)
{
	return rule->kind == VS_RULE_PERMISSION || rule->kind == VS_RULE_ANY_OF;
}

static size_t rule_codes(const struct vs_rule *rule)
{
	size_t n = 0;
	while (n < VS_RULE_MAX_PERMISSIONS && rule->permissions[n])
		n++;
	return n;
}

static void test_routes_permission_codes_are_in_catalogue(void)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	for (size_t i = 0; i < n; i++) {
		const struct vs_rule *rule = &routes[i].rule;
		size_t codes = rule_codes(rule);
		if (needs_permission(rule)) {
			/* At least one code (all of nothing would let anyone in), each known,
			 * each once, and nothing after the NULL that ends them. */
			bool ok = codes > 0;
			for (size_t c = 0; c < codes; c++) {
				ok = ok && in_catalogue(rule->permissions[c]);
				for (size_t d = c + 1; d < codes; d++)
					ok = ok && strcmp(rule->permissions[c], rule->permissions[d]);
			}
			for (size_t c = codes; c < VS_RULE_MAX_PERMISSIONS; c++)
				ok = ok && rule->permissions[c] == NULL;
			if (!ok)
				fprintf(stderr, "\n  %s has a bad permission list (first: %s)\n",
					routes[i].pattern,
					rule->permissions[0] ? rule->permissions[0] : "(null)");
			CU_ASSERT_TRUE(ok);
		} else {
			/* Only a permission rule names a permission. */
			CU_ASSERT_TRUE(rule->kind == VS_RULE_PUBLIC ||
				       rule->kind == VS_RULE_AUTHENTICATED);
			CU_ASSERT_EQUAL(codes, 0);
			for (size_t c = 0; c < VS_RULE_MAX_PERMISSIONS; c++)
				CU_ASSERT_PTR_NULL(rule->permissions[c]);
		}
	}
}

static bool in_public_allow_list(const struct vs_route *r)
{
	for (size_t i = 0; i < PUBLIC_LEN; i++)
		if (r->method == public_allow_list[i].method &&
		    strcmp(r->pattern, public_allow_list[i].pattern) == 0)
			return true;
	return false;
}

static void test_routes_public_routes_are_exactly_the_allow_list(void)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	size_t public_count = 0;
	for (size_t i = 0; i < n; i++) {
		if (routes[i].rule.kind != VS_RULE_PUBLIC)
			continue;
		public_count++;
		bool ok = in_public_allow_list(&routes[i]);
		if (!ok)
			fprintf(stderr, "\n  unexpected public route: %s\n", routes[i].pattern);
		CU_ASSERT_TRUE(ok);
		CU_ASSERT_EQUAL(routes[i].tenant, VS_TENANT_NONE);
	}
	/* And every allow-listed route exists and is public. */
	for (size_t j = 0; j < PUBLIC_LEN; j++) {
		bool found = false;
		for (size_t i = 0; i < n; i++)
			if (routes[i].rule.kind == VS_RULE_PUBLIC &&
			    routes[i].method == public_allow_list[j].method &&
			    strcmp(routes[i].pattern, public_allow_list[j].pattern) == 0)
				found = true;
		CU_ASSERT_TRUE(found);
	}
	CU_ASSERT_EQUAL(public_count, PUBLIC_LEN);
}

static void test_routes_tenant_id_routes_take_tenant_from_path(void)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	for (size_t i = 0; i < n; i++) {
		bool has_param = strstr(routes[i].pattern, "{tenant_id}") != NULL;
		if (has_param)
			CU_ASSERT_EQUAL(routes[i].tenant, VS_TENANT_PATH);
		if (routes[i].tenant == VS_TENANT_PATH)
			CU_ASSERT_TRUE(has_param);
	}
}

static void test_routes_no_duplicate_method_and_pattern(void)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			bool dup = routes[i].method == routes[j].method &&
				   strcmp(routes[i].pattern, routes[j].pattern) == 0;
			if (dup)
				fprintf(stderr, "\n  duplicate route: %s\n", routes[i].pattern);
			CU_ASSERT_FALSE(dup);
		}
}

/* The pattern with each {param} replaced by a sample value ("acme" for a slug). */
static const char *concrete_path(struct vs_arena *a, const char *pattern)
{
	char *out = vs_arena_alloc(a, strlen(pattern) * 4 + 64);
	size_t n = 0;
	for (const char *p = pattern; *p;) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			if (!close)
				return pattern;
			const char *value = strncmp(p, "{slug}", 6) == 0
						? "acme"
						: "5d0c2f8e-4b1a-4c3d-9e8f-7a6b5c4d3e2f";
			memcpy(out + n, value, strlen(value));
			n += strlen(value);
			p = close + 1;
		} else {
			out[n++] = *p++;
		}
	}
	return out;
}

static void test_routes_every_route_is_reachable(void)
{
	/* No earlier, more general pattern shadows a later one. */
	struct vs_arena *a = vs_arena_new();
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	for (size_t i = 0; i < n; i++) {
		struct vs_request req;
		unsigned allowed;
		memset(&req, 0, sizeof(req));
		req.method = routes[i].method;
		req.path = vs_str_c(concrete_path(a, routes[i].pattern));
		const struct vs_route *got = vs_route_match(routes, n, &req, &allowed);
		if (got != &routes[i])
			fprintf(stderr, "\n  %s is not reached by %.*s\n", routes[i].pattern,
				(int)req.path.len, req.path.p);
		CU_ASSERT_PTR_EQUAL(got, &routes[i]);
	}
	vs_arena_free(a);
}

/* ---- the roles API at its two mountings ---- */

#define ROLES_BY_HEADER "/api/v1/roles"
#define ROLES_BY_PATH	"/api/v1/tenants/{tenant_id}/roles"

/* What follows prefix in pattern ("" or "/…"), or NULL when pattern is not under it. */
static const char *under(const char *pattern, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(pattern, prefix, n) != 0 || (pattern[n] != '\0' && pattern[n] != '/'))
		return NULL;
	return pattern + n;
}

static void test_routes_role_mountings_take_their_tenant_source(void)
{
	size_t n, by_header = 0, by_path = 0;
	const struct vs_route *routes = vs_routes(&n);
	for (size_t i = 0; i < n; i++) {
		const char *p = routes[i].pattern;
		if (strncmp(p, ROLES_BY_HEADER, strlen(ROLES_BY_HEADER)) == 0) {
			by_header++;
			if (routes[i].tenant != VS_TENANT_HEADER)
				fprintf(stderr, "\n  %s does not take X-Tenant-ID\n", p);
			CU_ASSERT_EQUAL(routes[i].tenant, VS_TENANT_HEADER);
		}
		if (strncmp(p, ROLES_BY_PATH, strlen(ROLES_BY_PATH)) == 0) {
			by_path++;
			if (routes[i].tenant != VS_TENANT_PATH)
				fprintf(stderr, "\n  %s does not take its tenant_id\n", p);
			CU_ASSERT_EQUAL(routes[i].tenant, VS_TENANT_PATH);
		}
	}
	/* CRUD (6), permissions (3), holders (2) at each. */
	CU_ASSERT_EQUAL(by_header, 11);
	CU_ASSERT_EQUAL(by_path, 11);
}

static bool same_rule(const struct vs_rule *a, const struct vs_rule *b)
{
	if (a->kind != b->kind)
		return false;
	for (size_t c = 0; c < VS_RULE_MAX_PERMISSIONS; c++) {
		const char *x = a->permissions[c], *y = b->permissions[c];
		if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
			return false;
	}
	return true;
}

/* The route mounted under `to` with r's method and suffix under `from`, or NULL. */
static const struct vs_route *twin(const struct vs_route *routes, size_t n,
				   const struct vs_route *r, const char *from, const char *to)
{
	const char *suffix = under(r->pattern, from);
	for (size_t i = 0; suffix && i < n; i++) {
		const char *other = under(routes[i].pattern, to);
		if (other && routes[i].method == r->method && strcmp(other, suffix) == 0)
			return &routes[i];
	}
	return NULL;
}

/* Checks that every route under from has its twin under to: same method and suffix, same
 * rule (kind and codes), handler and database need. Returns how many routes it checked. */
static size_t check_twins(const struct vs_route *routes, size_t n, const char *from,
			  const char *to)
{
	size_t checked = 0;
	for (size_t i = 0; i < n; i++) {
		if (!under(routes[i].pattern, from))
			continue;
		checked++;
		const struct vs_route *t = twin(routes, n, &routes[i], from, to);
		if (!t || !same_rule(&t->rule, &routes[i].rule) || t->handler != routes[i].handler ||
		    t->needs_db != routes[i].needs_db)
			fprintf(stderr, "\n  %s has no identical twin under %s\n",
				routes[i].pattern, to);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		CU_ASSERT_TRUE(same_rule(&t->rule, &routes[i].rule));
		CU_ASSERT_PTR_EQUAL(t->handler, routes[i].handler);
		CU_ASSERT_EQUAL(t->needs_db, routes[i].needs_db);
	}
	return checked;
}

static void test_routes_role_mountings_are_the_same_api(void)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	size_t a = check_twins(routes, n, ROLES_BY_HEADER, ROLES_BY_PATH);
	size_t b = check_twins(routes, n, ROLES_BY_PATH, ROLES_BY_HEADER);
	CU_ASSERT_EQUAL(a, b);
	CU_ASSERT(a > 0);
}

static void test_routes_slug_lookup_is_authenticated_only(void)
{
	struct vs_request req;
	unsigned allowed;
	const struct vs_route *r = route(&req, VS_GET, "/api/v1/tenants/slug/acme", &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	/* tenant:read is checked in the tenant the slug names, by the use case. */
	CU_ASSERT_EQUAL(r->rule.kind, VS_RULE_AUTHENTICATED);
	CU_ASSERT_PTR_NULL(r->rule.permissions[0]);
	CU_ASSERT_EQUAL(r->tenant, VS_TENANT_NONE);
}

/* ---- the README's table, route by route ---- */

struct expected_route {
	enum vs_method method;
	const char *pattern;
	enum vs_rule_kind kind;
	const char *code;
	enum vs_tenant_source tenant;
};

#define PUB(m, p)     {m, p, VS_RULE_PUBLIC, NULL, VS_TENANT_NONE}
#define AUTH(m, p, t) {m, p, VS_RULE_AUTHENTICATED, NULL, t}
#define PERM(m, p, c, t) {m, p, VS_RULE_PERMISSION, c, t}
#define T_ "/api/v1/tenants/{tenant_id}"
#define U_ "/api/v1/users/{user_id}"
#define I_ "/api/v1/invitations/{invitation_id}"
#define W_ "/api/v1/webhooks/{webhook_id}"

static const struct expected_route readme_table[] = {
    PUB(VS_GET, "/"),
    PUB(VS_GET, "/health"),
    PUB(VS_GET, "/api/v1/health"),
    PUB(VS_GET, "/api/v1/health/ready"),
    PUB(VS_POST, "/api/v1/auth/token"),
    PUB(VS_POST, "/api/v1/auth/login/access-token"),
    PUB(VS_POST, "/api/v1/auth/login"),
    PUB(VS_POST, "/api/v1/auth/refresh"),
    PUB(VS_GET, "/api/v1/auth/check"),
    PUB(VS_GET, "/api/v1/openapi.json"),
    PUB(VS_GET, "/metrics"),
    AUTH(VS_POST, "/api/v1/auth/logout", VS_TENANT_NONE),
    AUTH(VS_GET, "/api/v1/api-keys", VS_TENANT_NONE),
    AUTH(VS_POST, "/api/v1/api-keys", VS_TENANT_NONE),
    AUTH(VS_GET, "/api/v1/api-keys/{key_id}", VS_TENANT_NONE),
    AUTH(VS_PUT, "/api/v1/api-keys/{key_id}", VS_TENANT_NONE),
    AUTH(VS_PATCH, "/api/v1/api-keys/{key_id}", VS_TENANT_NONE),
    AUTH(VS_DELETE, "/api/v1/api-keys/{key_id}", VS_TENANT_NONE),
    AUTH(VS_POST, "/api/v1/api-keys/{key_id}/rotate", VS_TENANT_NONE),
    AUTH(VS_GET, "/api/v1/users/me", VS_TENANT_HEADER),
    AUTH(VS_PUT, "/api/v1/users/me", VS_TENANT_HEADER),
    AUTH(VS_PATCH, "/api/v1/users/me", VS_TENANT_HEADER),
    PERM(VS_GET, "/api/v1/users", "user:read", VS_TENANT_HEADER),
    PERM(VS_POST, "/api/v1/users", "user:create", VS_TENANT_HEADER),
    PERM(VS_GET, U_, "user:read", VS_TENANT_HEADER),
    PERM(VS_PUT, U_, "user:update", VS_TENANT_HEADER),
    PERM(VS_PATCH, U_, "user:update", VS_TENANT_HEADER),
    PERM(VS_DELETE, U_, "user:delete", VS_TENANT_HEADER),
    AUTH(VS_GET, "/api/v1/tenants", VS_TENANT_NONE),
    PERM(VS_POST, "/api/v1/tenants", "tenant:create", VS_TENANT_NONE),
    AUTH(VS_GET, "/api/v1/tenants/slug/{slug}", VS_TENANT_NONE),
    PERM(VS_GET, T_, "tenant:read", VS_TENANT_PATH),
    PERM(VS_PUT, T_, "tenant:update", VS_TENANT_PATH),
    PERM(VS_PATCH, T_, "tenant:update", VS_TENANT_PATH),
    PERM(VS_DELETE, T_, "tenant:delete", VS_TENANT_PATH),
    PERM(VS_GET, T_ "/users", "tenant:view_users", VS_TENANT_PATH),
    PERM(VS_GET, T_ "/users/{user_id}", "tenant:view_users", VS_TENANT_PATH),
    PERM(VS_POST, T_ "/users/{user_id}/roles", "role:assign_users", VS_TENANT_PATH),
    PERM(VS_DELETE, T_ "/users/{user_id}/roles/{role_id}", "role:assign_users",
	 VS_TENANT_PATH),
    PERM(VS_GET, "/api/v1/permissions", "permission:read", VS_TENANT_HEADER),
    PERM(VS_GET, "/api/v1/jobs", "job:read", VS_TENANT_HEADER),
    PERM(VS_GET, "/api/v1/jobs/{job_id}", "job:read", VS_TENANT_HEADER),
    PERM(VS_POST, "/api/v1/jobs/{job_id}/cancel", "job:cancel", VS_TENANT_HEADER),
    PERM(VS_GET, "/api/v1/audit-logs", "audit:read", VS_TENANT_HEADER),
    PERM(VS_GET, "/api/v1/audit-logs/verify", "audit:read", VS_TENANT_HEADER),
    PERM(VS_GET, "/api/v1/audit-logs/checkpoints", "audit:read", VS_TENANT_HEADER),
    PUB(VS_GET, "/api/v1/audit-logs/public-key"),
    PUB(VS_POST, "/api/v1/invitations/verify"),
    PUB(VS_POST, "/api/v1/invitations/accept"),
    PERM(VS_GET, "/api/v1/invitations", "tenant:manage_invitations", VS_TENANT_HEADER),
    PERM(VS_POST, "/api/v1/invitations", "tenant:manage_invitations", VS_TENANT_HEADER),
    PERM(VS_GET, I_, "tenant:manage_invitations", VS_TENANT_HEADER),
    PERM(VS_POST, I_ "/revoke", "tenant:manage_invitations", VS_TENANT_HEADER),
    PERM(VS_POST, I_ "/resend", "tenant:manage_invitations", VS_TENANT_HEADER),
    PERM(VS_GET, "/api/v1/webhooks", "webhook:manage", VS_TENANT_HEADER),
    PERM(VS_POST, "/api/v1/webhooks", "webhook:manage", VS_TENANT_HEADER),
    PERM(VS_GET, W_, "webhook:manage", VS_TENANT_HEADER),
    PERM(VS_PATCH, W_, "webhook:manage", VS_TENANT_HEADER),
    PERM(VS_DELETE, W_, "webhook:manage", VS_TENANT_HEADER),
    PERM(VS_POST, W_ "/rotate-secret", "webhook:manage", VS_TENANT_HEADER),
    PERM(VS_POST, W_ "/test", "webhook:manage", VS_TENANT_HEADER),
    PERM(VS_GET, W_ "/deliveries", "webhook:manage", VS_TENANT_HEADER),
    PERM(VS_POST, W_ "/deliveries/{delivery_id}/replay", "webhook:manage", VS_TENANT_HEADER),
    PERM(VS_POST, W_ "/replay", "webhook:manage", VS_TENANT_HEADER),
};

/* Under each roles mounting. */
static const struct {
	enum vs_method method;
	const char *suffix, *code;
} readme_role_table[] = {
    {VS_GET, "", "role:read"},
    {VS_POST, "", "role:create"},
    {VS_GET, "/{role_id}", "role:read"},
    {VS_PUT, "/{role_id}", "role:update"},
    {VS_PATCH, "/{role_id}", "role:update"},
    {VS_DELETE, "/{role_id}", "role:delete"},
    {VS_GET, "/{role_id}/permissions", "role:read"},
    {VS_POST, "/{role_id}/permissions", "permission:assign"},
    {VS_DELETE, "/{role_id}/permissions/{permission_id}", "permission:assign"},
    {VS_GET, "/{role_id}/users", "role:read"},
    {VS_PUT, "/{role_id}/users", "role:assign_users"},
};

#define N_README (sizeof(readme_table) / sizeof(readme_table[0]))
#define N_README_ROLES (sizeof(readme_role_table) / sizeof(readme_role_table[0]))

static bool rule_is(const struct vs_route *r, enum vs_rule_kind kind, const char *code)
{
	if (r->rule.kind != kind)
		return false;
	if (!code)
		return r->rule.permissions[0] == NULL;
	return r->rule.permissions[0] && strcmp(r->rule.permissions[0], code) == 0 &&
	       r->rule.permissions[1] == NULL;
}

/* Whether route r is what the README says, and which entry it matched (or none). */
static bool as_documented(const struct vs_route *r, size_t *entry)
{
	for (size_t j = 0; j < N_README; j++) {
		const struct expected_route *x = &readme_table[j];
		if (x->method == r->method && strcmp(x->pattern, r->pattern) == 0) {
			*entry = j;
			return rule_is(r, x->kind, x->code) && r->tenant == x->tenant;
		}
	}
	const char *mounts[] = {ROLES_BY_HEADER, ROLES_BY_PATH};
	const enum vs_tenant_source sources[] = {VS_TENANT_HEADER, VS_TENANT_PATH};
	for (size_t m = 0; m < 2; m++) {
		const char *suffix = under(r->pattern, mounts[m]);
		for (size_t j = 0; suffix && j < N_README_ROLES; j++) {
			if (readme_role_table[j].method != r->method ||
			    strcmp(readme_role_table[j].suffix, suffix) != 0)
				continue;
			*entry = N_README + m * N_README_ROLES + j;
			return rule_is(r, VS_RULE_PERMISSION, readme_role_table[j].code) &&
			       r->tenant == sources[m];
		}
	}
	return false;
}

static void test_routes_match_the_readme_table(void)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	bool seen[N_README + 2 * N_README_ROLES] = {false};
	for (size_t i = 0; i < n; i++) {
		size_t entry = SIZE_MAX;
		bool ok = as_documented(&routes[i], &entry);
		if (!ok)
			fprintf(stderr, "\n  method %u %s is not as the README documents it\n",
				(unsigned)routes[i].method, routes[i].pattern);
		CU_ASSERT_TRUE(ok);
		if (entry != SIZE_MAX) {
			CU_ASSERT_FALSE(seen[entry]);
			seen[entry] = true;
		}
	}
	/* And nothing documented is missing. */
	for (size_t j = 0; j < N_README + 2 * N_README_ROLES; j++)
		CU_ASSERT_TRUE(seen[j]);
	CU_ASSERT_EQUAL(n, N_README + 2 * N_README_ROLES);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_router_users_me_matches_me_route_not_user_id),
	    UT_TEST(test_router_user_id_route_captures_param),
	    UT_TEST(test_router_collection_with_trailing_slash),
	    UT_TEST(test_router_rejects_double_slash_and_empty_segment),
	    UT_TEST(test_router_slug_route_takes_precedence),
	    UT_TEST(test_router_tenant_user_route_captures_both_params),
	    UT_TEST(test_router_unknown_path_returns_null_and_no_methods),
	    UT_TEST(test_router_wrong_method_reports_allowed_methods),
	    UT_TEST(test_router_literal_path_beats_parameter_for_allowed_methods),
	    UT_TEST(test_router_head_matches_get),
	    UT_TEST(test_router_methods_text),
	    UT_TEST(test_router_param_takes_exactly_one_segment),
	    UT_TEST(test_router_param_count_is_bounded),
	    UT_TEST(test_routes_catalogue_has_42_codes),
	    UT_TEST(test_routes_every_route_has_handler_and_absolute_pattern),
	    UT_TEST(test_routes_patterns_are_well_formed),
	    UT_TEST(test_routes_permission_codes_are_in_catalogue),
	    UT_TEST(test_routes_public_routes_are_exactly_the_allow_list),
	    UT_TEST(test_routes_tenant_id_routes_take_tenant_from_path),
	    UT_TEST(test_routes_no_duplicate_method_and_pattern),
	    UT_TEST(test_routes_every_route_is_reachable),
	    UT_TEST(test_routes_role_mountings_take_their_tenant_source),
	    UT_TEST(test_routes_role_mountings_are_the_same_api),
	    UT_TEST(test_routes_slug_lookup_is_authenticated_only),
	    UT_TEST(test_routes_match_the_readme_table),
	    UT_END,
	};
	ut_add_suite("fcgi: router", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
