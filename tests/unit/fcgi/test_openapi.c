/* The OpenAPI document (fcgi/openapi/base.json and the modules' fragments, as built into
 * the binary) against the route table of fcgi/routes.c:
 * every route is an operation and every operation a route, with the route's rule in
 * x-vs-permission, responses, every path parameter declared, and the security the rule
 * implies. A route added without documenting it, or a documented one that is gone, fails
 * here. */
#include "audit/actions.h"
#include "suites.h"

#include "system/handlers.h"
#include "router.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static struct json_object *doc;

static int parse_document(void)
{
	size_t len;
	const char *text = vs_openapi_document(&len);
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		return 1;
	doc = json_tokener_parse_ex(tok, text, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		fprintf(stderr, "\n  the OpenAPI document is not valid JSON: %s\n",
			json_tokener_error_desc(json_tokener_get_error(tok)));
		json_object_put(doc);
		doc = NULL;
	}
	json_tokener_free(tok);
	return doc && json_object_is_type(doc, json_type_object) ? 0 : 1;
}

static int release_document(void)
{
	json_object_put(doc);
	doc = NULL;
	return 0;
}

/* ---- helpers ---- */

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (o && json_object_is_type(o, json_type_object))
		json_object_object_get_ex(o, key, &v);
	return v;
}

static const char *member_str(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* Follows a local "$ref": "#/a/b~1c" (a few hops at most). */
static struct json_object *deref(struct json_object *o)
{
	for (int hops = 0; hops < 8; hops++) {
		const char *ref = member_str(o, "$ref");
		if (!ref)
			return o;
		if (strncmp(ref, "#/", 2) != 0)
			return NULL;
		struct json_object *at = doc;
		const char *p = ref + 2;
		while (at && *p) {
			char key[256];
			size_t n = 0;
			for (; *p && *p != '/' && n + 1 < sizeof(key); p++) {
				if (p[0] == '~' && p[1] == '1')
					key[n++] = '/', p++;
				else if (p[0] == '~' && p[1] == '0')
					key[n++] = '~', p++;
				else
					key[n++] = *p;
			}
			key[n] = '\0';
			if (*p == '/')
				p++;
			at = member(at, key);
		}
		o = at;
	}
	return NULL;
}

static const char *method_key(enum vs_method m)
{
	switch (m) {
	case VS_GET:
		return "get";
	case VS_POST:
		return "post";
	case VS_PUT:
		return "put";
	case VS_PATCH:
		return "patch";
	case VS_DELETE:
		return "delete";
	case VS_HEAD:
		return "head";
	case VS_OPTIONS:
		return "options";
	}
	return "?";
}

static const char *const http_methods[] = {"get",     "put",  "post",  "delete",
					   "options", "head", "patch", "trace"};

static bool is_http_method(const char *key)
{
	for (size_t i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++)
		if (strcmp(key, http_methods[i]) == 0)
			return true;
	return false;
}

/* What x-vs-permission must say for a rule: "public", "authenticated", or the codes
 * ("a&b" for all of them, "a|b" for any one). */
static void rule_text(const struct vs_rule *r, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	if (r->kind == VS_RULE_PUBLIC) {
		snprintf(buf, size, "public");
		return;
	}
	if (r->kind == VS_RULE_AUTHENTICATED) {
		snprintf(buf, size, "authenticated");
		return;
	}
	for (size_t i = 0; i < VS_RULE_MAX_PERMISSIONS && r->permissions[i]; i++) {
		int n =
		    snprintf(buf + used, size - used, "%s%s",
			     i ? (r->kind == VS_RULE_ANY_OF ? "|" : "&") : "", r->permissions[i]);
		if (n < 0 || (size_t)n >= size - used)
			return;
		used += (size_t)n;
	}
}

static struct json_object *operation_of(const struct vs_route *r)
{
	return member(deref(member(member(doc, "paths"), r->pattern)), method_key(r->method));
}

static bool has_route(const char *pattern, const char *method)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(routes[i].pattern, pattern) == 0 &&
		    (!method || strcmp(method_key(routes[i].method), method) == 0))
			return true;
	return false;
}

/* The path parameter `name` declared on the operation or its path item. */
static bool declares_path_param(struct json_object *item, struct json_object *op, const char *name,
				size_t len)
{
	struct json_object *lists[] = {member(op, "parameters"), member(item, "parameters")};
	for (size_t l = 0; l < 2; l++) {
		size_t n = lists[l] && json_object_is_type(lists[l], json_type_array)
			       ? json_object_array_length(lists[l])
			       : 0;
		for (size_t i = 0; i < n; i++) {
			struct json_object *p = deref(json_object_array_get_idx(lists[l], i));
			const char *in = member_str(p, "in"), *pname = member_str(p, "name");
			struct json_object *required = member(p, "required");
			if (in && pname && strcmp(in, "path") == 0 && strlen(pname) == len &&
			    strncmp(pname, name, len) == 0 && required &&
			    json_object_get_boolean(required))
				return true;
		}
	}
	return false;
}

/* ---- the document ---- */

static void test_openapi_document_is_openapi_3_1(void)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	const char *version = member_str(doc, "openapi");
	CU_ASSERT_TRUE(version && strncmp(version, "3.1.", 4) == 0);
	CU_ASSERT_PTR_NOT_NULL(member_str(member(doc, "info"), "title"));
	CU_ASSERT_PTR_NOT_NULL(member_str(member(doc, "info"), "version"));
	struct json_object *servers = member(doc, "servers");
	CU_ASSERT_TRUE_FATAL(servers && json_object_is_type(servers, json_type_array) &&
			     json_object_array_length(servers) == 1);
	CU_ASSERT_STRING_EQUAL(ut_str(member_str(json_object_array_get_idx(servers, 0), "url")),
			       "/");
	struct json_object *schemes = member(member(doc, "components"), "securitySchemes");
	CU_ASSERT_STRING_EQUAL(ut_str(member_str(member(schemes, "bearerAuth"), "scheme")),
			       "bearer");
	CU_ASSERT_STRING_EQUAL(ut_str(member_str(member(schemes, "apiKey"), "name")), "X-API-Key");
	CU_ASSERT_STRING_EQUAL(ut_str(member_str(member(schemes, "apiKey"), "in")), "header");
}

static void test_openapi_every_route_is_an_operation(void)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	for (size_t i = 0; i < n; i++) {
		bool ok = operation_of(&routes[i]) != NULL;
		if (!ok)
			fprintf(stderr, "\n  route missing from the OpenAPI document: %s %s\n",
				method_key(routes[i].method), routes[i].pattern);
		CU_ASSERT_TRUE(ok);
	}
}

static void test_openapi_every_operation_is_a_route(void)
{
	struct json_object *paths = member(doc, "paths");
	CU_ASSERT_TRUE_FATAL(paths && json_object_is_type(paths, json_type_object));
	json_object_object_foreach(paths, path, raw_item)
	{
		struct json_object *item = deref(raw_item);
		size_t operations = 0;
		bool known_path = has_route(path, NULL);
		if (!known_path)
			fprintf(stderr,
				"\n  the OpenAPI document has a path with no route: %s\n", path);
		CU_ASSERT_TRUE(known_path);
		if (!item || !json_object_is_type(item, json_type_object))
			continue;
		json_object_object_foreach(item, key, op)
		{
			(void)op;
			if (!is_http_method(key))
				continue;
			operations++;
			bool ok = has_route(path, key);
			if (!ok)
				fprintf(stderr,
					"\n  the OpenAPI document has %s %s, not a route\n", key,
					path);
			CU_ASSERT_TRUE(ok);
		}
		CU_ASSERT(operations > 0);
	}
}

static void test_openapi_permission_matches_rule(void)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	for (size_t i = 0; i < n; i++) {
		struct json_object *op = operation_of(&routes[i]);
		if (!op)
			continue; /* reported by test_openapi_every_route_is_an_operation */
		char want[256];
		rule_text(&routes[i].rule, want, sizeof(want));
		const char *got = member_str(op, "x-vs-permission");
		bool ok = got && strcmp(got, want) == 0;
		if (!ok)
			fprintf(stderr,
				"\n  %s %s: x-vs-permission is %s, the route table says %s\n",
				method_key(routes[i].method), routes[i].pattern,
				got ? got : "(missing)", want);
		CU_ASSERT_TRUE(ok);
		/* The description states it, too. */
		const char *text = member_str(op, "description");
		bool described = text && (routes[i].rule.kind != VS_RULE_PERMISSION ||
					  strstr(text, routes[i].rule.permissions[0]));
		if (!described)
			fprintf(stderr, "\n  %s %s: the description does not name its permission\n",
				method_key(routes[i].method), routes[i].pattern);
		CU_ASSERT_TRUE(described);
	}
}

static void test_openapi_operations_have_responses_and_path_params(void)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = deref(member(member(doc, "paths"), routes[i].pattern));
		struct json_object *op = operation_of(&routes[i]);
		if (!op)
			continue;
		struct json_object *responses = member(op, "responses");
		bool success = false;
		if (responses && json_object_is_type(responses, json_type_object)) {
			json_object_object_foreach(responses, status, response)
			{
				(void)response;
				success = success || status[0] == '2';
			}
		}
		if (!success)
			fprintf(stderr, "\n  %s %s has no success response\n",
				method_key(routes[i].method), routes[i].pattern);
		CU_ASSERT_TRUE(success);

		/* Every {param} of the pattern is a required path parameter... */
		size_t params = 0;
		for (const char *p = strchr(routes[i].pattern, '{'); p; p = strchr(p + 1, '{')) {
			const char *close = strchr(p, '}');
			if (!close)
				break;
			params++;
			bool ok = declares_path_param(item, op, p + 1, (size_t)(close - p - 1));
			if (!ok)
				fprintf(stderr, "\n  %s %s: path parameter %.*s is not declared\n",
					method_key(routes[i].method), routes[i].pattern,
					(int)(close - p - 1), p + 1);
			CU_ASSERT_TRUE(ok);
		}
		/* ...and no other path parameter is declared. */
		struct json_object *list = member(op, "parameters");
		size_t declared = 0, len = list && json_object_is_type(list, json_type_array)
					       ? json_object_array_length(list)
					       : 0;
		for (size_t k = 0; k < len; k++) {
			const char *in =
			    member_str(deref(json_object_array_get_idx(list, k)), "in");
			declared += in && strcmp(in, "path") == 0;
		}
		if (declared != params)
			fprintf(stderr,
				"\n  %s %s declares %zu path parameters, the pattern has %zu\n",
				method_key(routes[i].method), routes[i].pattern, declared, params);
		CU_ASSERT_EQUAL(declared, params);
	}
}

static void test_openapi_operation_ids_and_security(void)
{
	size_t n;
	const struct vs_route *routes = vs_routes(&n);
	for (size_t i = 0; i < n; i++) {
		struct json_object *op = operation_of(&routes[i]);
		if (!op)
			continue;
		const char *id = member_str(op, "operationId");
		CU_ASSERT_PTR_NOT_NULL(id);
		CU_ASSERT_PTR_NOT_NULL(member_str(op, "summary"));
		CU_ASSERT_PTR_NOT_NULL(member(op, "tags"));
		for (size_t j = i + 1; id && j < n; j++) {
			const char *other = member_str(operation_of(&routes[j]), "operationId");
			bool dup = other && strcmp(id, other) == 0;
			if (dup)
				fprintf(stderr, "\n  duplicate operationId %s\n", id);
			CU_ASSERT_FALSE(dup);
		}
		/* Public routes say so with "security": [] (the auth_request check reads a
		 * credential itself); every other route keeps the global requirement. */
		struct json_object *security = member(op, "security");
		bool empty = security && json_object_is_type(security, json_type_array) &&
			     json_object_array_length(security) == 0;
		bool want_empty = routes[i].rule.kind == VS_RULE_PUBLIC && !routes[i].bare;
		if (empty != want_empty)
			fprintf(stderr, "\n  %s %s: security is %s, the route is %s\n",
				method_key(routes[i].method), routes[i].pattern,
				empty ? "empty" : "required", want_empty ? "public" : "protected");
		CU_ASSERT_EQUAL(empty, want_empty);
	}
}

/* The actions an event may have are the ones lib/audit/actions.h lists, in its order. */
static void test_openapi_lists_the_audit_actions(void)
{
	struct json_object *schemas = member(member(doc, "components"), "schemas");
	struct json_object *e =
		member(member(member(member(schemas, "AuditEvent"), "properties"), "action"), "enum");
	CU_ASSERT_TRUE_FATAL(e && json_object_is_type(e, json_type_array));
	CU_ASSERT_EQUAL(json_object_array_length(e), vs_audit_nactions);
	for (size_t i = 0; i < vs_audit_nactions && i < json_object_array_length(e); i++)
		CU_ASSERT_STRING_EQUAL(ut_str(json_object_get_string(json_object_array_get_idx(e, i))),
				       vs_audit_actions[i]);
}

static void test_openapi_route_serves_the_document(void)
{
	struct vs_request req;
	unsigned allowed;
	size_t n, len;
	const struct vs_route *routes = vs_routes(&n);
	memset(&req, 0, sizeof(req));
	req.method = VS_GET;
	req.path = vs_str_c("/api/v1/openapi.json");
	const struct vs_route *r = vs_route_match(routes, n, &req, &allowed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_EQUAL(r->handler, vs_h_openapi);
	CU_ASSERT_EQUAL(r->rule.kind, VS_RULE_PUBLIC);
	CU_ASSERT_FALSE(r->needs_db);
	/* Read-only: other methods are a 405 with Allow: GET. */
	req.method = VS_POST;
	CU_ASSERT_PTR_NULL(vs_route_match(routes, n, &req, &allowed));
	CU_ASSERT_EQUAL(allowed, VS_GET);
	/* The embedded text is the whole file, NUL-terminated. */
	const char *text = vs_openapi_document(&len);
	CU_ASSERT(len > 2);
	CU_ASSERT_EQUAL(text[0], '{');
	CU_ASSERT_EQUAL(text[len], '\0');
	CU_ASSERT_EQUAL(strlen(text), len);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_openapi_document_is_openapi_3_1),
	    UT_TEST(test_openapi_every_route_is_an_operation),
	    UT_TEST(test_openapi_every_operation_is_a_route),
	    UT_TEST(test_openapi_permission_matches_rule),
	    UT_TEST(test_openapi_operations_have_responses_and_path_params),
	    UT_TEST(test_openapi_operation_ids_and_security),
	    UT_TEST(test_openapi_lists_the_audit_actions),
	    UT_TEST(test_openapi_route_serves_the_document),
	    UT_END,
	};
	ut_add_suite("fcgi: openapi", parse_document, release_document, tests);
}
UT_REGISTER(register_tests)
