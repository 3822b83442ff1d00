/* fcgi/list.c without FastCGI: `skip`/`page` or `after`, and the Link and X-Total-Count of
 * a page. */
#include "suites.h"

#include "core/log.h"
#include "list.h"

#include <string.h>

static void fake_request(struct vs_request *req, struct vs_arena *a, const char *path,
			 const char *query)
{
	vs_request_init(req, NULL, a);
	req->path = vs_str_c(path);
	CU_ASSERT_TRUE_FATAL(vs_form_parse(a, query, strlen(query), &req->query));
}

static const char *header(const struct vs_request *req, const char *name)
{
	for (size_t i = 0; i < req->nheaders; i++)
		if (!strcmp(req->header_names[i], name))
			return req->header_values[i];
	return NULL;
}

static void test_list_at_reads_skip_or_after(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_request req;
	struct vs_list_at at;
	fake_request(&req, a, "/api/v1/tenants", "skip=5&limit=7");
	CU_ASSERT_EQUAL(vs_req_list_at(&req, &at), VS_OK);
	CU_ASSERT_FALSE(at.keyed);
	CU_ASSERT_EQUAL(at.offset, 5);
	CU_ASSERT_EQUAL(at.limit, 7);

	struct vs_cursor c = { 1796672310000123, { { 0 } } };
	vs_uuid_v4(&c.id);
	char text[VS_CURSOR_STRLEN + 1], q[64];
	vs_cursor_encode(&c, text);
	snprintf(q, sizeof(q), "after=%s", text);
	fake_request(&req, a, "/api/v1/tenants", q);
	CU_ASSERT_EQUAL(vs_req_list_at(&req, &at), VS_OK);
	CU_ASSERT_TRUE(at.keyed);
	CU_ASSERT_EQUAL(at.offset, 0);
	CU_ASSERT_EQUAL(at.limit, 100);
	CU_ASSERT_EQUAL(at.after.at_us, c.at_us);
	CU_ASSERT_TRUE(vs_uuid_eq(&at.after.id, &c.id));

	/* Not both; not a text we did not make. */
	snprintf(q, sizeof(q), "skip=0&after=%s", text);
	fake_request(&req, a, "/api/v1/tenants", q);
	CU_ASSERT_EQUAL(vs_req_list_at(&req, &at), VS_INVALID);
	CU_ASSERT_STRING_EQUAL(ut_str(req.error.fields[0].field), "after");
	CU_ASSERT_STRING_EQUAL(ut_str(req.error.fields[0].message), "cannot be combined with skip");
	fake_request(&req, a, "/api/v1/tenants", "after=abc");
	CU_ASSERT_EQUAL(vs_req_list_at(&req, &at), VS_INVALID);
	CU_ASSERT_STRING_EQUAL(ut_str(req.error.fields[0].field), "after");
	snprintf(q, sizeof(q), "page=2&after=%s", text);
	int64_t page;
	fake_request(&req, a, "/api/v1/users", q);
	CU_ASSERT_EQUAL(vs_req_page_at(&req, &page, &at), VS_INVALID);
	snprintf(q, sizeof(q), "limit=5&after=%s", text);
	fake_request(&req, a, "/api/v1/users", q);
	CU_ASSERT_EQUAL(vs_req_page_at(&req, &page, &at), VS_OK);
	CU_ASSERT_EQUAL(page, 0);
	CU_ASSERT_TRUE(at.keyed);
	fake_request(&req, a, "/api/v1/users", "page=3&limit=5");
	CU_ASSERT_EQUAL(vs_req_page_at(&req, &page, &at), VS_OK);
	CU_ASSERT_EQUAL(at.offset, 10);
	vs_log_set_request(NULL);
	vs_arena_free(a);
}

/* The next page's link keeps the filters (encoded again), drops skip, page and after. */
static void test_list_links_the_next_page(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_request req;
	struct vs_list_end end = { .total = 250, .more = true };
	vs_uuid_v4(&end.next.id);
	end.next.at_us = 42;
	char text[VS_CURSOR_STRLEN + 1], want[256];
	vs_cursor_encode(&end.next, text);
	fake_request(&req, a, "/api/v1/jobs", "status=queued&skip=100&kind=a%20b%26c&after=x");
	vs_res_list(&req, json_object_new_array(), &end);
	CU_ASSERT_EQUAL(req.status, 200);
	CU_ASSERT_STRING_EQUAL(ut_str(header(&req, "X-Total-Count")), "250");
	snprintf(want, sizeof(want), "</api/v1/jobs?status=queued&kind=a%%20b%%26c&after=%s>; rel=\"next\"",
		 text);
	CU_ASSERT_STRING_EQUAL(ut_str(header(&req, "Link")), want);

	/* A keyed page has no total; the last page no link. */
	fake_request(&req, a, "/api/v1/jobs", "");
	end = (struct vs_list_end){ .total = -1, .more = false };
	vs_res_list(&req, json_object_new_array(), &end);
	CU_ASSERT_PTR_NULL(header(&req, "X-Total-Count"));
	CU_ASSERT_PTR_NULL(header(&req, "Link"));
	vs_log_set_request(NULL);
	vs_arena_free(a);
}

static void test_list_envelope_says_next(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_request req;
	struct vs_list_end end = { .total = -1, .more = true };
	char text[VS_CURSOR_STRLEN + 1];
	vs_cursor_encode(&end.next, text);
	fake_request(&req, a, "/api/v1/users", "limit=2");
	vs_res_list_envelope(&req, json_object_new_array(), &end, 0, 2);
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(req.json, JSON_C_TO_STRING_PLAIN),
			       vs_arena_printf(a, "{\"items\":[],\"total\":null,\"page\":null,"
						  "\"limit\":2,\"next\":\"%s\"}", text));
	CU_ASSERT_PTR_NOT_NULL(header(&req, "Link"));
	end = (struct vs_list_end){ .total = 3 };
	fake_request(&req, a, "/api/v1/users", "");
	vs_res_list_envelope(&req, json_object_new_array(), &end, 1, 20);
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(req.json, JSON_C_TO_STRING_PLAIN),
			       "{\"items\":[],\"total\":3,\"page\":1,\"limit\":20,\"next\":null}");
	vs_log_set_request(NULL);
	vs_arena_free(a);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_list_at_reads_skip_or_after),
	    UT_TEST(test_list_links_the_next_page),
	    UT_TEST(test_list_envelope_says_next),
	    UT_END,
	};
	ut_add_suite("fcgi: list", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
