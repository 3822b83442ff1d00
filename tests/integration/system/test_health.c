/* GET /, /health, /api/v1/health, /api/v1/health/ready; X-Request-Id; TLS and HTTP/2. */
#include <curl/curl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "suites.h"
#include "util.h"

static void expect_healthy_body(const char *path)
{
	struct resp *r = req("GET", path, NULL, NULL, NULL);
	struct json_object *o = EXPECT_JSON(r, 200);

	if (o) {
		EXPECT_STR(o, "status", "healthy");
		EXPECT_STR(o, "name", "VirtualStack API");
		EXPECT(jstr(o, "version") && *jstr(o, "version"),
		       "%s: version should be a non-empty string: %s", path,
		       resp_summary(r));
	}
	resp_free(r);
}

static void test_root_reports_healthy(void)
{
	expect_healthy_body("/");
}

static void test_health_alias_reports_healthy(void)
{
	expect_healthy_body("/health");
}

static void test_api_health_answers_200_json(void)
{
	struct resp *r = req("GET", "/api/v1/health", NULL, NULL, NULL);
	struct json_object *o = EXPECT_JSON(r, 200);

	EXPECT(o && json_object_is_type(o, json_type_object),
	       "health body should be a JSON object: %s", resp_summary(r));
	resp_free(r);
}

static void test_ready_answers_200_while_database_up(void)
{
	struct resp *r = req("GET", "/api/v1/health/ready", NULL, NULL, NULL);
	struct json_object *o = EXPECT_JSON(r, 200);

	EXPECT(o && json_object_is_type(o, json_type_object),
	       "ready body should be a JSON object: %s", resp_summary(r));
	resp_free(r);
}

/* The OpenAPI document: public, JSON, OpenAPI 3.1, and read-only. */
static void test_openapi_document_is_served(void)
{
	struct resp *r = req("GET", "/api/v1/openapi.json", NULL, NULL, NULL);
	struct json_object *o = EXPECT_JSON(r, 200);
	const char *version = o ? jstr(o, "openapi") : NULL;

	EXPECT(version && strncmp(version, "3.1", 3) == 0,
	       "openapi should start with \"3.1\", is %s", version ? version : "(none)");
	EXPECT(o && jget(jget(o, "paths"), "/api/v1/openapi.json"),
	       "the document should describe itself: %s", resp_summary(r));
	resp_free(r);

	r = req("POST", "/api/v1/openapi.json", NULL, NULL, "{}");
	EXPECT_PROBLEM(r, 405, "method-not-allowed", NULL);
	EXPECT(resp_header(r, "Allow") && strcmp(resp_header(r, "Allow"), "GET") == 0,
	       "POST /api/v1/openapi.json should be 405 with Allow: GET: %s", resp_summary(r));
	resp_free(r);
}

static struct resp *get_with_request_id(const char *id)
{
	char *h = xasprintf("X-Request-Id: %s", id);
	const char *hdrs[] = { h, NULL };
	struct resp *r = http_do("GET", "/api/v1/health", hdrs, NULL, 0, 0);

	free(h);
	return r;
}

static void test_sane_client_request_id_is_echoed(void)
{
	struct resp *r;
	const char *got;
	char id[64];

	snprintf(id, sizeof(id), "it-%s-echo-%u", fx.suffix, ++fx.counter);
	r = get_with_request_id(id);
	EXPECT_STATUS(r, 200);
	got = resp_header(r, "X-Request-Id");
	EXPECT(got && strcmp(got, id) == 0, "X-Request-Id should echo \"%s\", is \"%s\"", id,
	       got ? got : "(none)");
	resp_free(r);
}

static void expect_replaced(const char *sent)
{
	struct resp *r = get_with_request_id(sent);
	const char *got;

	EXPECT_STATUS(r, 200);
	got = resp_header(r, "X-Request-Id");
	EXPECT(got && *got && strcmp(got, sent) != 0 && !strchr(got, ' ') &&
		       strlen(got) < 200,
	       "an insane X-Request-Id (\"%.40s...\", %zu chars) should be replaced "
	       "by a generated one, got \"%s\"",
	       sent, strlen(sent), got ? got : "(none)");
	resp_free(r);
}

static void test_request_id_with_spaces_is_replaced(void)
{
	expect_replaced("bad request id with spaces");
}

static void test_overlong_request_id_is_replaced(void)
{
	char id[301];

	memset(id, 'a', 300);
	id[300] = '\0';
	expect_replaced(id);
}

static void test_generated_request_ids_are_unique(void)
{
	struct resp *a = req("GET", "/api/v1/health", NULL, NULL, NULL);
	struct resp *b = req("GET", "/api/v1/health", NULL, NULL, NULL);
	const char *ia, *ib;

	EXPECT_STATUS(a, 200);
	EXPECT_STATUS(b, 200);
	ia = resp_header(a, "X-Request-Id");
	ib = resp_header(b, "X-Request-Id");
	EXPECT(ia && ib && strcmp(ia, ib) != 0,
	       "two requests got the same generated request id \"%s\"",
	       ia ? ia : "(none)");
	resp_free(a);
	resp_free(b);
}

static void test_tls_verifies_and_http2_is_negotiated(void)
{
	curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	struct resp *r = req("GET", "/api/v1/health", NULL, NULL, NULL);

	/* status != 0 means the handshake verified against tls/cert.pem */
	EXPECT_STATUS(r, 200);
	if (v->features & CURL_VERSION_HTTP2)
		EXPECT(r->http_version == CURL_HTTP_VERSION_2_0,
		       "nginx should offer HTTP/2 over TLS (ALPN); curl used "
		       "version code %ld", r->http_version);
	else
		fprintf(stderr, "note: this libcurl has no HTTP/2; not checked\n");
	resp_free(r);
}

static int add_health_suite(void)
{
	static const struct it_test tests[] = {
		{ "GET / answers 200 {status: healthy, name, version}", test_root_reports_healthy },
		{ "GET /health answers 200 {status: healthy, name, version}", test_health_alias_reports_healthy },
		{ "GET /api/v1/health answers 200 JSON", test_api_health_answers_200_json },
		{ "GET /api/v1/health/ready answers 200 while the database is up", test_ready_answers_200_while_database_up },
		{ "GET /api/v1/openapi.json serves the OpenAPI 3.1 document, read-only", test_openapi_document_is_served },
		{ "a sane client X-Request-Id is echoed", test_sane_client_request_id_is_echoed },
		{ "an X-Request-Id with spaces is replaced by a generated one", test_request_id_with_spaces_is_replaced },
		{ "a 300-character X-Request-Id is replaced by a generated one", test_overlong_request_id_is_replaced },
		{ "generated request ids differ between requests", test_generated_request_ids_are_unique },
		{ "the certificate verifies and HTTP/2 is negotiated", test_tls_verifies_and_http2_is_negotiated },
		{ NULL, NULL },
	};

	return it_add_suite("health", NULL, NULL, tests);
}

IT_REGISTER(add_health_suite)
