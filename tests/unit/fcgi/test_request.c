/* fcgi/request.c without FastCGI: path parameters, query parameters, content type and
 * JSON binding of a body that is already read. */
#include "suites.h"

#include "core/log.h"
#include "request.h"

#include <stddef.h>
#include <string.h>

/* A request as vs_request_init leaves it outside FastCGI, with path parameters and query. */
static void fake_request(struct vs_request *req, struct vs_arena *a, const char *query)
{
	vs_request_init(req, NULL, a);
	if (query)
		CU_ASSERT_TRUE_FATAL(vs_form_parse(a, query, strlen(query), &req->query));
}

static void set_param(struct vs_request *req, const char *name, const char *value)
{
	req->param_names[req->nparams] = vs_str_c(name);
	req->param_values[req->nparams] = vs_str_c(value);
	req->nparams++;
}

/* The parameter index against FCGX_GetParam, the scan it replaces: short names, names
 * that share their first and last 8 bytes, a repeated name (the first wins), absent ones. */
static void test_params_index_finds_what_a_scan_finds(void)
{
	char *env[] = { "HTTPS=on",
			"A=1",
			"HTTP_X_VS_USER_ID=u",
			"HTTP_X_VS_KEY_ID=k",
			"HTTP_X_AB_ID=x",
			"HTTP_X_ABC_ID=y",
			"HTTP_X_API_KEY=first",
			"HTTP_X_API_KEY=second",
			"REQUEST_METHOD=GET",
			"DOCUMENT_URI=/api/v1/auth/check",
			"EMPTY=",
			NULL };
	const char *names[] = { "HTTPS",	  "A",		  "HTTP_X_VS_USER_ID", "HTTP_X_VS_KEY_ID",
				"HTTP_X_AB_ID",	  "HTTP_X_ABC_ID", "HTTP_X_API_KEY",	 "REQUEST_METHOD",
				"DOCUMENT_URI",	  "EMPTY",	  "HTTP",		 "HTTP_X_API_KE",
				"HTTP_X_API_KEYS", "B",		  "" };
	FCGX_Request fcgi;
	memset(&fcgi, 0, sizeof(fcgi));
	fcgi.envp = env;
	struct vs_arena *a = vs_arena_new();
	struct vs_request req;
	vs_request_init(&req, &fcgi, a);
	CU_ASSERT_FALSE(req.params.overflow);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *want = FCGX_GetParam(names[i], env), *got = vs_req_param_env(&req, names[i]);
		CU_ASSERT_TRUE(want == got);
	}
	CU_ASSERT_STRING_EQUAL(vs_req_param_env(&req, "HTTP_X_API_KEY"), "first");
	CU_ASSERT_TRUE(vs_str_eq_c(req.path, "/api/v1/auth/check"));
	vs_log_set_request(NULL);
	vs_arena_free(a);
}

/* A request with the FastCGI parameters env (NULL-terminated), in a. */
static void request_with(struct vs_request *req, FCGX_Request *fcgi, char **env, struct vs_arena *a)
{
	memset(fcgi, 0, sizeof(*fcgi));
	fcgi->envp = env;
	vs_request_init(req, fcgi, a);
}

static void test_request_names_a_repeated_identity_header(void)
{
	struct vs_arena *a = vs_arena_new();
	FCGX_Request fcgi;
	struct vs_request req;
	char *twice[] = { "HTTP_X_TENANT_ID=a", "HTTP_ACCEPT=x", "HTTP_X_TENANT_ID=b", NULL };
	request_with(&req, &fcgi, twice, a);
	CU_ASSERT_STRING_EQUAL(ut_str(vs_req_repeated_identity_header(&req)), "X-Tenant-ID");
	char *keys[] = { "HTTP_X_API_KEY=a", "HTTP_X_API_KEY=b", NULL };
	request_with(&req, &fcgi, keys, a);
	CU_ASSERT_STRING_EQUAL(ut_str(vs_req_repeated_identity_header(&req)), "X-API-Key");
	/* Other headers may repeat; one of each identity header is fine. */
	char *fine[] = { "HTTP_ACCEPT=x", "HTTP_ACCEPT=y", "HTTP_X_TENANT_ID=a",
			 "HTTP_AUTHORIZATION=Bearer t", NULL };
	request_with(&req, &fcgi, fine, a);
	CU_ASSERT_PTR_NULL(vs_req_repeated_identity_header(&req));
	vs_log_set_request(NULL);
	vs_arena_free(a);
}

static void test_request_marks_paths_nginx_would_rewrite(void)
{
	static const char *const rewritten[] = {
		"/api/v1/roles/x/permissions/%2e%2e", "/a/%2E%2E/b", "/a/../b", "/a/./b", "/a/.",
		"/a//b", "/a/%2fb", "/a/%5Cb", "/a/.%2e?q=1", "relative",
	};
	static const char *const plain[] = {
		"/", "/api/v1/users/me", "/api/v1/users/", "/a/b.c", "/a/..b", "/a/...",
		"/a/%2e%2ex", "/a?x=/../", "/a?x=%2e%2e",
	};
	struct vs_arena *a = vs_arena_new();
	FCGX_Request fcgi;
	struct vs_request req;
	for (size_t i = 0; i < sizeof(rewritten) / sizeof(rewritten[0]); i++) {
		char *env[] = { vs_arena_printf(a, "REQUEST_URI=%s", rewritten[i]), NULL };
		request_with(&req, &fcgi, env, a);
		CU_ASSERT_TRUE(req.path_rewritten);
	}
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		char *env[] = { vs_arena_printf(a, "REQUEST_URI=%s", plain[i]), NULL };
		request_with(&req, &fcgi, env, a);
		CU_ASSERT_FALSE(req.path_rewritten);
	}
	vs_log_set_request(NULL);
	vs_arena_free(a);
}

static void test_request_query_ints_are_written_one_way(void)
{
	static const char *const bad[] = { "n=%2b1", "n=+1", "n=01", "n=%201", "n=1%20", "n=-01",
					   "n=1e2", "n=0x10", "n=" };
	struct vs_arena *a = vs_arena_new();
	struct vs_request req;
	int64_t n;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_request(&req, a, bad[i]);
		CU_ASSERT_EQUAL(vs_req_query_int(&req, "n", 7, -100, 100, &n), VS_INVALID);
	}
	fake_request(&req, a, "n=-12");
	CU_ASSERT_EQUAL(vs_req_query_int(&req, "n", 7, -100, 100, &n), VS_OK);
	CU_ASSERT_EQUAL(n, -12);
	fake_request(&req, a, "n=0");
	CU_ASSERT_EQUAL(vs_req_query_int(&req, "n", 7, -100, 100, &n), VS_OK);
	CU_ASSERT_EQUAL(n, 0);
	vs_arena_free(a);
}

static void test_request_init_without_fcgi_has_safe_defaults(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_request req;
	vs_request_init(&req, NULL, a);
	CU_ASSERT_TRUE(vs_str_eq_c(req.path, "/"));
	CU_ASSERT_EQUAL(req.method, 0);
	CU_ASSERT_EQUAL(req.content_length, -1);
	CU_ASSERT_STRING_EQUAL(ut_str(req.request_id), "-");
	CU_ASSERT_PTR_NULL(vs_req_header(&req, "HTTP_X_TENANT_ID"));
	vs_log_set_request(NULL);
	vs_arena_free(a);
}

static void test_request_path_uuid_parses_and_names_bad_ids(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_request req;
	fake_request(&req, a, NULL);
	set_param(&req, "tenant_id", "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3");
	set_param(&req, "user_id", "me");
	vs_uuid u;
	CU_ASSERT_EQUAL(vs_req_path_uuid(&req, "tenant_id", &u), VS_OK);
	CU_ASSERT_EQUAL(u.b[0], 0x0a);
	CU_ASSERT_EQUAL(vs_req_path_uuid(&req, "user_id", &u), VS_BADREQ);
	CU_ASSERT_EQUAL(req.error.code, VS_BADREQ);
	CU_ASSERT_STRING_EQUAL(ut_str(req.error.detail),
			       "Invalid user ID format. Must be a valid UUID.");

	struct vs_request req2;
	fake_request(&req2, a, NULL);
	set_param(&req2, "tenant_id", "not-a-uuid");
	CU_ASSERT_EQUAL(vs_req_path_uuid(&req2, "tenant_id", &u), VS_BADREQ);
	/* API.md §3, exactly. */
	CU_ASSERT_STRING_EQUAL(ut_str(req2.error.detail),
			       "Invalid tenant ID format. Must be a valid UUID.");
	vs_log_set_request(NULL);
	vs_arena_free(a);
}

static void test_request_query_int_default_range_and_garbage(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_request req;
	int64_t v;
	fake_request(&req, a, "page=3&limit=0&skip=12x&n=-5");
	CU_ASSERT_EQUAL(vs_req_query_int(&req, "page", 1, 1, 100, &v), VS_OK);
	CU_ASSERT_EQUAL(v, 3);
	CU_ASSERT_EQUAL(vs_req_query_int(&req, "absent", 20, 1, 100, &v), VS_OK);
	CU_ASSERT_EQUAL(v, 20);
	CU_ASSERT_EQUAL(req.error.nfields, 0);
	CU_ASSERT_EQUAL(vs_req_query_int(&req, "limit", 20, 1, 100, &v), VS_INVALID);
	CU_ASSERT_EQUAL(vs_req_query_int(&req, "skip", 0, 0, 100, &v), VS_INVALID);
	CU_ASSERT_EQUAL(vs_req_query_int(&req, "n", 0, 0, 100, &v), VS_INVALID);
	CU_ASSERT_EQUAL(req.error.code, VS_INVALID);
	CU_ASSERT_EQUAL(req.error.nfields, 3);
	CU_ASSERT_STRING_EQUAL(ut_str(req.error.fields[0].field), "limit");
	CU_ASSERT_STRING_EQUAL(ut_str(req.error.fields[0].message),
			       "must be an integer from 1 to 100");
	vs_log_set_request(NULL);
	vs_arena_free(a);
}

static void test_request_query_str_refuses_repeats_and_long_values(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_request req;
	const char *s = "unset";
	fake_request(&req, a, "search=bob&search=eve&q=abcdef&ok=x%20y");
	CU_ASSERT_EQUAL(vs_req_query_str(&req, "ok", 10, &s), VS_OK);
	CU_ASSERT_STRING_EQUAL(ut_str(s), "x y");
	CU_ASSERT_EQUAL(vs_req_query_str(&req, "none", 10, &s), VS_OK);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_EQUAL(vs_req_query_str(&req, "search", 10, &s), VS_INVALID);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_STRING_EQUAL(ut_str(req.error.fields[0].message), "must be given once");
	CU_ASSERT_EQUAL(vs_req_query_str(&req, "q", 5, &s), VS_INVALID);
	CU_ASSERT_PTR_NULL(s);
	vs_log_set_request(NULL);
	vs_arena_free(a);
}

static void test_request_content_type_ignores_parameters_and_case(void)
{
	struct vs_request req;
	memset(&req, 0, sizeof(req));
	req.content_type = "application/json";
	CU_ASSERT_TRUE(vs_req_content_type_is(&req, "application/json"));
	req.content_type = "Application/JSON; charset=utf-8";
	CU_ASSERT_TRUE(vs_req_content_type_is(&req, "application/json"));
	req.content_type = "application/jsonp";
	CU_ASSERT_FALSE(vs_req_content_type_is(&req, "application/json"));
	req.content_type = "text/plain";
	CU_ASSERT_FALSE(vs_req_content_type_is(&req, "application/json"));
	req.content_type = NULL;
	CU_ASSERT_FALSE(vs_req_content_type_is(&req, "application/json"));
}

struct login_body {
	struct vs_opt_str email;
};

static const struct vs_json_field login_fields[] = {
    {"email", VS_JT_STRING, offsetof(struct login_body, email), VS_JF_REQUIRED, 0, 0, NULL},
};

static void test_request_bind_json_checks_media_type_then_binds(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_request req;
	struct login_body in = {0};
	fake_request(&req, a, NULL);
	req.body = "{\"email\":\"a@b.io\"}";
	req.body_len = strlen(req.body);
	req.body_read = true;
	req.content_type = "text/plain";
	CU_ASSERT_EQUAL(vs_req_bind_json(&req, login_fields, 1, &in), VS_MEDIATYPE);
	CU_ASSERT_EQUAL(vs_err_status(req.error.code), 415);
	CU_ASSERT_FALSE(in.email.set);

	memset(&req.error, 0, sizeof(req.error));
	req.content_type = "application/json";
	CU_ASSERT_EQUAL(vs_req_bind_json(&req, login_fields, 1, &in), VS_OK);
	CU_ASSERT_STRING_EQUAL(ut_str(in.email.p), "a@b.io");

	memset(&req.error, 0, sizeof(req.error));
	req.body = "{\"email\":\"a@b.io\",\"email\":\"c@d.io\"}";
	req.body_len = strlen(req.body);
	CU_ASSERT_EQUAL(vs_req_bind_json(&req, login_fields, 1, &in), VS_BADREQ);
	vs_log_set_request(NULL);
	vs_arena_free(a);
}

static void test_request_read_body_refuses_declared_length_over_limit(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_request req;
	fake_request(&req, a, NULL);
	req.content_length = 70000;
	CU_ASSERT_EQUAL(vs_req_read_body(&req, 65536), VS_TOOLARGE);
	CU_ASSERT_EQUAL(vs_err_status(req.error.code), 413);
	vs_log_set_request(NULL);
	vs_arena_free(a);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_request_init_without_fcgi_has_safe_defaults),
	    UT_TEST(test_params_index_finds_what_a_scan_finds),
	    UT_TEST(test_request_names_a_repeated_identity_header),
	    UT_TEST(test_request_marks_paths_nginx_would_rewrite),
	    UT_TEST(test_request_query_ints_are_written_one_way),
	    UT_TEST(test_request_path_uuid_parses_and_names_bad_ids),
	    UT_TEST(test_request_query_int_default_range_and_garbage),
	    UT_TEST(test_request_query_str_refuses_repeats_and_long_values),
	    UT_TEST(test_request_content_type_ignores_parameters_and_case),
	    UT_TEST(test_request_bind_json_checks_media_type_then_binds),
	    UT_TEST(test_request_read_body_refuses_declared_length_over_limit),
	    UT_END,
	};
	ut_add_suite("fcgi: request", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
