/* fcgi/router.c and the route table of fcgi/routes.c: matching, and a walk of the table
 * that proves no route is unprotected, misnamed or unreachable by accident. */
#include "suites.h"

#include "handlers.h"
#include "router.h"

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
static VS_HANDLER(dummy_handler)
{
	(void)w;
	(void)req;
	return VS_OK;
}

static const struct vs_route edge_routes[] = {
    {VS_GET, "/a/{x}/b/{y}", dummy_handler, {VS_RULE_PUBLIC, NULL}, VS_TENANT_NONE, false},
    {VS_GET,
     "/p/{a}/{b}/{c}/{d}/{e}",
     dummy_handler,
     {VS_RULE_PUBLIC, NULL},
     VS_TENANT_NONE,
     false},
    {VS_GET, "/q/{a}/{b}/{c}/{d}", dummy_handler, {VS_RULE_PUBLIC, NULL}, VS_TENANT_NONE, false},
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
    "job:read",		 "billing:read",
    "billing:manage",	 "ticket:read",
    "ticket:create",	 "webhook:manage",
    "broadcast:manage",
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
};
#define PUBLIC_LEN (sizeof(public_allow_list) / sizeof(public_allow_list[0]))

static void test_routes_catalogue_has_41_codes(void)
{
	CU_ASSERT_EQUAL(CATALOGUE_LEN, 41);
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

static void test_routes_permission_codes_are_in_catalogue(void)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	for (size_t i = 0; i < n; i++) {
		const struct vs_rule *rule = &routes[i].rule;
		if (rule->kind == VS_RULE_PERMISSION) {
			bool ok = in_catalogue(rule->permission);
			if (!ok)
				fprintf(stderr, "\n  %s names unknown permission %s\n",
					routes[i].pattern,
					rule->permission ? rule->permission : "(null)");
			CU_ASSERT_TRUE(ok);
		} else {
			/* Only a permission rule names a permission. */
			CU_ASSERT_PTR_NULL(rule->permission);
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

void register_router_tests(void)
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
	    UT_TEST(test_routes_catalogue_has_41_codes),
	    UT_TEST(test_routes_every_route_has_handler_and_absolute_pattern),
	    UT_TEST(test_routes_patterns_are_well_formed),
	    UT_TEST(test_routes_permission_codes_are_in_catalogue),
	    UT_TEST(test_routes_public_routes_are_exactly_the_allow_list),
	    UT_TEST(test_routes_tenant_id_routes_take_tenant_from_path),
	    UT_TEST(test_routes_no_duplicate_method_and_pattern),
	    UT_TEST(test_routes_every_route_is_reachable),
	    UT_END,
	};
	ut_add_suite("router", NULL, NULL, tests);
}
