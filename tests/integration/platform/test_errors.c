/*
 * Malformed requests (README "API behaviour where API.md is silent"): each
 * gets its documented 4xx problem+json and changes nothing, and no worker
 * dies on any of them.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "procs.h"
#include "suites.h"
#include "util.h"

/* POST /api/v1/tenants with a raw body of len bytes and the given Content-Type line (or none). */
static struct resp *post_raw(const char *content_type_line, const char *body, size_t len,
			     unsigned flags, const char *extra_header)
{
	char *auth = xasprintf("Authorization: Bearer %s", fx.admin.access);
	const char *hdrs[4] = { auth, NULL, NULL, NULL };
	size_t n = 1;
	struct resp *r;

	if (content_type_line)
		hdrs[n++] = content_type_line;
	if (extra_header)
		hdrs[n++] = extra_header;
	r = http_do("POST", "/api/v1/tenants", hdrs, body, len, flags);
	free(auth);
	return r;
}

static struct resp *post_json(const char *body)
{
	return post_raw("Content-Type: application/json", body, strlen(body), 0, NULL);
}

static void expect_slug_absent(const char *slug)
{
	char *path = xasprintf("/api/v1/tenants/slug/%s", slug);
	struct resp *r = req("GET", path, fx.admin.access, NULL, NULL);

	EXPECT(r->status == 404, "a rejected request created tenant %s: %s", slug,
	       resp_summary(r));
	resp_free(r);
	free(path);
}

static void test_malformed_json_is_400(void)
{
	static const char *const bodies[] = {
		"{\"name\":", "not json at all", "{'name':'single quotes'}",
		"{\"name\":NaN}", "{\"name\":\"x\",}", "[1,2", "{\"name\" \"x\"}",
		"{\"is_active\":Infinity}", NULL,
	};

	for (size_t i = 0; bodies[i]; i++) {
		struct resp *r = post_json(bodies[i]);

		chk_context("body: %s", bodies[i]);
		EXPECT_PROBLEM(r, 400, "bad-request", NULL);
		resp_free(r);
	}
}

/* A valid tenant body with a fresh slug, followed by suffix. */
static void expect_trailing_400(const char *suffix, const char *what)
{
	char *slug = fx_unique("strict"), *name = fx_unique("Strict");
	char *obj = xasprintf("{\"name\":\"%s\",\"slug\":\"%s\"}", name, slug);
	char *body = xasprintf("%s%s", obj, suffix);
	struct resp *r = post_json(body);

	chk_context("%s: %s", what, body);
	EXPECT_PROBLEM(r, 400, "bad-request", NULL);
	resp_free(r);
	expect_slug_absent(slug);
	chk_context(NULL);
	free(slug);
	free(name);
	free(obj);
	free(body);
}

static void test_trailing_garbage_is_400_and_creates_nothing(void)
{
	expect_trailing_400(" x", "trailing word");
	expect_trailing_400("{}", "second object");
	expect_trailing_400(",", "trailing comma");
}

static void test_duplicate_keys_are_400_and_create_nothing(void)
{
	char *slug = fx_unique("dupkey"), *slug2 = fx_unique("dupkey"), *name = fx_unique("Dup Key");
	char *body = xasprintf("{\"name\":\"%s\",\"slug\":\"%s\",\"slug\":\"%s\"}",
			       name, slug, slug2);
	struct resp *r = post_json(body);

	EXPECT_PROBLEM(r, 400, "bad-request", NULL);
	resp_free(r);
	expect_slug_absent(slug);
	expect_slug_absent(slug2);
	free(body);
	free(slug);
	free(slug2);
	free(name);
}

static void test_invalid_utf8_and_nul_are_400(void)
{
	char *slug = fx_unique("utf8");
	char *bad_utf8 = xasprintf("{\"name\":\"bad \xff\xfe bytes\",\"slug\":\"%s\"}", slug);
	char *overlong = xasprintf("{\"name\":\"overlong \xc0\xaf\",\"slug\":\"%s\"}", slug);
	char *nul = xasprintf("{\"name\":\"nul\\u0000byte\",\"slug\":\"%s\"}", slug);
	struct resp *r;

	chk_context("invalid UTF-8 bytes ff fe");
	r = post_json(bad_utf8);
	EXPECT_PROBLEM(r, 400, "bad-request", NULL);
	resp_free(r);
	chk_context("overlong UTF-8 encoding c0 af");
	r = post_json(overlong);
	EXPECT_PROBLEM(r, 400, "bad-request", NULL);
	resp_free(r);
	chk_context("\\u0000 in a string");
	r = post_json(nul);
	EXPECT_PROBLEM(r, 400, "bad-request", NULL);
	resp_free(r);
	chk_context(NULL);
	expect_slug_absent(slug);
	free(slug);
	free(bad_utf8);
	free(overlong);
	free(nul);
}

/* RFC 8259: control characters are escaped in strings, and a \u escape of half a
 * surrogate pair is no character. json-c took both; each is 400 and creates nothing. */
static void test_raw_control_characters_and_lone_surrogates_are_400(void)
{
	char *slug = fx_unique("ctl");
	const char *names[] = { "tab\there", "line\nbreak", "unit\x1fsep", "\\ud800",
				"\\udc00 alone", "\\ud83d\\u0041" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *body = xasprintf("{\"name\":\"%s\",\"slug\":\"%s\"}", names[i], slug);
		struct resp *r = post_json(body);
		chk_context("name %zu", i);
		EXPECT_PROBLEM(r, 400, "bad-request", "Request body is not valid JSON.");
		resp_free(r);
		free(body);
	}
	chk_context(NULL);
	expect_slug_absent(slug);
	free(slug);
}

/* We read the first of two X-Tenant-ID (Authorization, X-API-Key) headers; a site behind
 * auth_request may read the other. Refused: 400 saying which, from the API (keyed requests
 * too, which nginx checks first), and the check's 403 from /auth/check. */
static void test_repeated_identity_headers_are_refused(void)
{
	char *bearer = xasprintf("Authorization: Bearer %s", fx.admin.access);
	const char *t1 = "X-Tenant-ID: 00000000-0000-4000-8000-000000000001";
	const char *t2 = "X-Tenant-ID: 00000000-0000-4000-8000-000000000002";
	const char *two_tenants[] = { bearer, t1, t2, NULL };
	const char *two_bearers[] = { bearer, bearer, NULL };
	const char *two_keys[] = { "X-API-Key: vs_live_aaaaaaaa", "X-API-Key: vs_live_bbbbbbbb", NULL };
	struct {
		const char *path, *const *headers, *why;
		int status;
		const char *detail;
	} cases[] = {
		{ "/api/v1/users/me", two_tenants, "two X-Tenant-ID", 400,
		  "The X-Tenant-ID header must be sent once." },
		/* nginx refuses a repeated Authorization itself (a unique header there) */
		{ "/api/v1/users/me", two_bearers, "two Authorization", 400, NULL },
		{ "/api/v1/users/me", two_keys, "two X-API-Key (past nginx's key check)", 400,
		  "The X-API-Key header must be sent once." },
		{ "/api/v1/auth/check", two_tenants, "two X-Tenant-ID on the check", 403, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct resp *r = http_do("GET", cases[i].path, cases[i].headers, NULL, 0, 0);
		chk_context("%s", cases[i].why);
		if (cases[i].status == 400)
			EXPECT_PROBLEM(r, 400, "bad-request", cases[i].detail);
		else
			EXPECT_STATUS(r, cases[i].status);
		resp_free(r);
	}
	chk_context(NULL);
	/* One of each is fine. */
	const char *once[] = { bearer, NULL };
	struct resp *r = http_do("GET", "/api/v1/users/me", once, NULL, 0, 0);
	EXPECT_STATUS(r, 200);
	resp_free(r);
	free(bearer);
}

/* nginx normalises %2e%2e and "//" before it hands the path over: DELETE
 * /roles/{id}/permissions/%2e%2e once reached DELETE /roles/{id}. A path that nginx would
 * rewrite is refused, and reaches no route (issue 22, defect 4). */
static void test_paths_nginx_would_rewrite_are_400(void)
{
	char *bearer = xasprintf("Authorization: Bearer %s", fx.admin.access);
	const char *hdrs[] = { bearer, NULL };
	static const char *const paths[] = {
		"/api/v1/users/me/%2e%2e",   "/api/v1/users/me/%2E%2e/",  "/api/v1/users/me/..",
		"/api/v1/users/me/.%2e",     "/api/v1/users/%2e/me",      "/api/v1/users/./me",
		"/api/v1//users/me",	     "/api/v1/users%2fme",	  "/api/v1/users%2Fme",
		"/api/v1/users/me%5c..",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct resp *r = http_do("GET", paths[i], hdrs, NULL, 0, 0);
		chk_context("GET %s", paths[i]);
		EXPECT_PROBLEM(r, 400, "bad-request", NULL);
		resp_free(r);
	}
	chk_context(NULL);
	/* Dots inside a segment are just characters. */
	struct resp *r = http_do("GET", "/api/v1/users/me", hdrs, NULL, 0, 0);
	EXPECT_STATUS(r, 200);
	resp_free(r);
	r = http_do("GET", "/api/v1/users/a..b", hdrs, NULL, 0, 0);
	EXPECT(r && r->status != 200 && r->status < 500, "GET /users/a..b: %s", resp_summary(r));
	resp_free(r);
	free(bearer);
}

/* A text request line naming HTTP/2.0 on an HTTP/1.1 connection got nginx's HTML 505;
 * it is problem+json like every error (issue 22, defect 10). libcurl cannot send such a
 * line, openssl s_client can. */
static void test_http2_as_text_is_a_505_problem(void)
{
	const char *port = strrchr(fx.cfg.url, ':');
	char *cmd = xasprintf("printf 'GET /api/v1/health HTTP/2.0\\r\\nHost: x\\r\\n\\r\\n' | "
			      "timeout 10 openssl s_client -quiet -connect 127.0.0.1%s "
			      "-alpn http/1.1 2>/dev/null",
			      port ? port : ":0");
	FILE *p = popen(cmd, "r");
	char out[4096] = "";
	size_t n = p ? fread(out, 1, sizeof(out) - 1, p) : 0;
	out[n] = '\0';
	if (p)
		pclose(p);
	EXPECT(strncmp(out, "HTTP/1.1 505", 12) == 0 &&
		       strstr(out, "Content-Type: application/problem+json") &&
		       strstr(out, "urn:virtualstack:problem:http-version-not-supported"),
	       "HTTP/2.0 as text: %.400s", out);
	free(cmd);
}

/* What nginx answers itself says how to cache it too: its problem pages never, the
 * documentation pages after revalidation (issue 22, defect 10). */
static void test_nginx_responses_carry_cache_control(void)
{
	static const struct {
		const char *path, *headers[2];
		long status;
		const char *cache_control;
	} cases[] = {
		{ "/api/v1", { NULL }, 404, "no-store" },		    /* nginx's own 404 */
		{ "/nowhere", { NULL }, 404, "no-store" },		    /* through error_page */
		{ "/api/v1/users/me", { "X-API-Key: vs_live_x", NULL }, 401, "no-store" }, /* auth_request */
		{ "/docs", { NULL }, 200, "no-cache" },
		{ "/api/v1/health", { NULL }, 200, "no-store" },	    /* the app's own, once */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* /docs is no API operation: kept out of the response log that
		 * tests/openapi/validate-responses.mjs checks against the document. */
		unsigned flags = strcmp(cases[i].path, "/docs") == 0 ? HTTP_NO_RESPONSE_LOG : 0;
		struct resp *r = http_do("GET", cases[i].path, cases[i].headers, NULL, 0, flags);
		chk_context("GET %s", cases[i].path);
		const char *cc = r ? resp_header(r, "Cache-Control") : NULL;
		EXPECT(r && r->status == cases[i].status && cc &&
			       strcmp(cc, cases[i].cache_control) == 0,
		       "%s: Cache-Control %s, want %s", resp_summary(r), cc ? cc : "(none)",
		       cases[i].cache_control);
		resp_free(r);
	}
	chk_context(NULL);
}

static void test_nesting_deeper_than_16_is_400(void)
{
	char *slug = fx_unique("deep");
	char open[41], close[41], *body;
	struct resp *r;

	memset(open, '[', 40);
	memset(close, ']', 40);
	open[40] = close[40] = '\0';
	body = xasprintf("{\"name\":%s1%s,\"slug\":\"%s\"}", open, close, slug);
	r = post_json(body);
	EXPECT_PROBLEM(r, 400, "bad-request", NULL);
	resp_free(r);
	expect_slug_absent(slug);
	free(body);
	free(slug);
}

static void test_wrong_content_type_is_415(void)
{
	static const char *const cts[] = {
		"Content-Type: text/plain", "Content-Type: application/x-www-form-urlencoded",
		"Content-Type: application/xml", NULL, /* no Content-Type at all */
		/* a charset other than UTF-8 (the body would be misread), or a list of
		 * parameters that cannot be read */
		"Content-Type: application/json; charset=utf-16",
		"Content-Type: application/json;charset=\"ISO-8859-1\"",
		"Content-Type: application/json; charset=utf-8; charset=latin1",
		"Content-Type: application/json; charset", "Content-Type: application/json; =x",
		"Content-Type: application/json x",
	};
	char *slug = fx_unique("ctype"), *name = fx_unique("Content Type");
	char *body = xasprintf("{\"name\":\"%s\",\"slug\":\"%s\"}", name, slug);

	for (size_t i = 0; i < sizeof(cts) / sizeof(cts[0]); i++) {
		struct resp *r = post_raw(cts[i], body, strlen(body), 0, NULL);

		chk_context("%s", cts[i] ? cts[i] : "no Content-Type");
		EXPECT_PROBLEM(r, 415, "unsupported-media-type",
			       "Content-Type must be application/json, in UTF-8.");
		resp_free(r);
	}
	chk_context(NULL);
	expect_slug_absent(slug);
	free(slug);
	free(name);
	free(body);
}

static void test_json_with_charset_is_accepted(void)
{
	static const char *const cts[] = {
		"Content-Type: application/json; charset=utf-8",
		"Content-Type: Application/JSON;charset=\"UTF-8\"",
		"Content-Type: application/json ; charset=UTF-8 ; version=1",
	};
	for (size_t i = 0; i < sizeof(cts) / sizeof(cts[0]); i++) {
		char *slug = fx_unique("charset"), *name = fx_unique("Charset");
		char *body = xasprintf("{\"name\":\"%s\",\"slug\":\"%s\"}", name, slug);
		struct resp *r = post_raw(cts[i], body, strlen(body), 0, NULL);

		chk_context("%s", cts[i]);
		if (EXPECT_JSON(r, 201)) {
			EXPECT_STR(resp_json(r), "slug", slug);
			fx_delete_tenant(jstr(resp_json(r), "id"));
		}
		resp_free(r);
		free(slug);
		free(name);
		free(body);
	}
	chk_context(NULL);
}

static void test_wrong_field_types_are_422_listing_each(void)
{
	char *slug = fx_unique("types");
	char *body = xasprintf("{\"name\":5,\"slug\":\"%s\",\"is_active\":\"yes\","
			       "\"description\":[\"x\"]}", slug);
	struct resp *r = post_json(body);

	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL)) {
		EXPECT_FIELD_ERROR(r, "name");
		EXPECT_FIELD_ERROR(r, "is_active");
		EXPECT_FIELD_ERROR(r, "description");
	}
	resp_free(r);
	expect_slug_absent(slug);
	free(body);
	free(slug);
}

static void test_body_over_64k_is_413_from_app(void)
{
	char *slug = fx_unique("big"), *big = xmalloc(100 * 1024 + 1), *body;
	struct resp *r;

	memset(big, 'a', 100 * 1024);
	big[100 * 1024] = '\0';
	body = xasprintf("{\"name\":\"%s\",\"slug\":\"%s\"}", big, slug);
	r = post_json(body);
	EXPECT_PROBLEM(r, 413, "payload-too-large", NULL);
	resp_free(r);
	expect_slug_absent(slug);
	free(body);
	free(big);
	free(slug);
}

static void test_body_over_1m_is_413_from_nginx(void)
{
	size_t n = 2 * 1024 * 1024;
	char *slug = fx_unique("huge"), *big = xmalloc(n + 1), *body;
	struct resp *r;

	memset(big, 'b', n);
	big[n] = '\0';
	body = xasprintf("{\"name\":\"%s\",\"slug\":\"%s\"}", big, slug);
	/* HTTP/1.1 with Expect: nginx can refuse before the body is sent */
	r = post_raw("Content-Type: application/json", body, strlen(body),
		     HTTP_FORCE_H1, "Expect: 100-continue");
	EXPECT_PROBLEM(r, 413, "payload-too-large", NULL);
	resp_free(r);
	expect_slug_absent(slug);
	free(body);
	free(big);
	free(slug);
}

static void test_unknown_route_is_404_problem(void)
{
	char id[37], *path;
	struct resp *r;

	r = req("GET", "/api/v1/no-such-thing", fx.admin.access, NULL, NULL);
	EXPECT_PROBLEM(r, 404, "not-found", NULL);
	resp_free(r);
	r = req("GET", "/api/v1/no-such-thing", NULL, NULL, NULL);
	EXPECT(r->status == 404 || r->status == 401,
	       "unknown route without credentials: %s", resp_summary(r));
	resp_free(r);
	random_uuid(id);
	path = xasprintf("/api/v1/tenants/%s/nonsense", id);
	r = req("GET", path, fx.admin.access, NULL, NULL);
	EXPECT_PROBLEM(r, 404, "not-found", NULL);
	resp_free(r);
	free(path);
}

static void test_wrong_method_is_405_with_allow(void)
{
	struct resp *r = req("DELETE", "/api/v1/health", fx.admin.access, NULL, NULL);
	const char *allow;

	if (EXPECT_PROBLEM(r, 405, "method-not-allowed", NULL)) {
		allow = resp_header(r, "Allow");
		EXPECT(allow && strstr(allow, "GET"), "Allow should list GET: %s",
		       allow ? allow : "(none)");
	}
	resp_free(r);
	r = req("PATCH", "/api/v1/tenants", fx.admin.access, NULL, "{}");
	if (EXPECT_PROBLEM(r, 405, "method-not-allowed", NULL)) {
		allow = resp_header(r, "Allow");
		EXPECT(allow && strstr(allow, "GET") && strstr(allow, "POST"),
		       "Allow for /tenants should list GET and POST: %s",
		       allow ? allow : "(none)");
	}
	resp_free(r);
}

static void test_oversized_token_is_4xx_not_5xx(void)
{
	size_t n = 6000;
	char *tok = xmalloc(n + 1);
	struct resp *r;

	memset(tok, 'A', n);
	tok[2000] = '.';
	tok[4000] = '.';
	tok[n] = '\0';
	r = req("GET", "/api/v1/users/me", tok, NULL, NULL);
	EXPECT(r->status >= 400 && r->status < 500,
	       "a 6000-byte bearer token should be refused with a 4xx: %s",
	       resp_summary(r));
	resp_free(r);
	free(tok);
}

static void test_no_worker_died_so_far(void)
{
	pid_t *now = NULL;
	size_t n = worker_pids(&now);
	bool same = same_pids(now, n, fx.workers_baseline, fx.nworkers_baseline);

	EXPECT(n > 0, "no worker processes found under multiwatch (%s/pids/multiwatch.pid)",
	       fx.cfg.state_dir);
	EXPECT(fx.cfg.workers <= 0 || (long)n == fx.cfg.workers,
	       "%zu workers run, VS_WORKERS=%ld", n, fx.cfg.workers);
	EXPECT(same, "a worker died and was replaced while serving the requests so far "
		     "(%zu workers at start, %zu now, pid sets differ)",
	       fx.nworkers_baseline, n);
	free(now);
}

static int add_errors_suite(void)
{
	static const struct it_test tests[] = {
		{ "malformed JSON (truncated, single quotes, NaN, trailing comma, ...) is 400", test_malformed_json_is_400 },
		{ "trailing garbage after the JSON value is 400 and creates nothing", test_trailing_garbage_is_400_and_creates_nothing },
		{ "duplicate keys are 400 and create nothing", test_duplicate_keys_are_400_and_create_nothing },
		{ "invalid UTF-8 and \\u0000 in strings are 400", test_invalid_utf8_and_nul_are_400 },
		{ "JSON nested deeper than 16 is 400", test_nesting_deeper_than_16_is_400 },
		{ "a body that is not application/json (or none declared) is 415", test_wrong_content_type_is_415 },
		{ "an HTTP/2.0 request line sent as text is a 505 problem+json", test_http2_as_text_is_a_505_problem },
		{ "nginx's own problem pages and the docs carry Cache-Control", test_nginx_responses_carry_cache_control },
		{ "a path nginx would rewrite (dot or empty segments, encoded slashes) is 400", test_paths_nginx_would_rewrite_are_400 },
		{ "a repeated X-Tenant-ID, Authorization or X-API-Key is refused", test_repeated_identity_headers_are_refused },
		{ "raw control characters and lone surrogate escapes in strings are 400", test_raw_control_characters_and_lone_surrogates_are_400 },
		{ "application/json with charset=utf-8 (any case, quoted or not) is accepted", test_json_with_charset_is_accepted },
		{ "wrong field types are 422 listing every field and create nothing", test_wrong_field_types_are_422_listing_each },
		{ "a 100 KiB body is 413 problem+json (worker cap) and creates nothing", test_body_over_64k_is_413_from_app },
		{ "a 2 MiB body is 413 problem+json (nginx cap) and creates nothing", test_body_over_1m_is_413_from_nginx },
		{ "unknown API route is 404 problem+json", test_unknown_route_is_404_problem },
		{ "wrong method on a known route is 405 with Allow", test_wrong_method_is_405_with_allow },
		{ "a 6000-byte bearer token is a 4xx, not a 5xx", test_oversized_token_is_4xx_not_5xx },
		{ "no worker died or was replaced during all of the above", test_no_worker_died_so_far },
		{ NULL, NULL },
	};

	return it_add_suite("bad input", NULL, NULL, tests);
}

IT_REGISTER(add_errors_suite)
