/*
 * CUnit assertions that report the caller's file and line and say what the
 * server actually sent (method, path, status, a body excerpt). Each returns
 * whether it held, so a test can skip follow-up checks that would only
 * repeat the failure. None of them returns from or aborts the test.
 */
#ifndef IT_CHECK_H
#define IT_CHECK_H

#include <stdbool.h>

struct resp;
struct json_object;

#define PROBLEM_TYPE_PREFIX "urn:virtualstack:problem:"

#define EXPECT(cond, ...) chk((cond), __FILE__, __LINE__, __VA_ARGS__)
/* Status equals code, and the response carries a non-empty X-Request-Id. */
#define EXPECT_STATUS(r, code) chk_status((r), (code), __FILE__, __LINE__)
/* EXPECT_STATUS plus a JSON Content-Type and a body that parses; the JSON or NULL. */
#define EXPECT_JSON(r, code) chk_json((r), (code), __FILE__, __LINE__)
/*
 * A problem+json error: status, Content-Type, type = PROBLEM_TYPE_PREFIX slug,
 * title, integer status, detail (exactly, when detail is not NULL), and the
 * headers that go with the code (WWW-Authenticate: Bearer on 401, Retry-After
 * on 429/503, Allow on 405, an errors array on 422).
 */
#define EXPECT_PROBLEM(r, code, slug, detail) \
	chk_problem((r), (code), (slug), (detail), __FILE__, __LINE__)
/* A 422 whose errors array has an entry for field. */
#define EXPECT_FIELD_ERROR(r, field) chk_field_error((r), (field), __FILE__, __LINE__)
/* o[key] is a string equal to want. */
#define EXPECT_STR(o, key, want) chk_str((o), (key), (want), __FILE__, __LINE__)
/* A User object as API.md §5 describes it, with no password material. */
#define EXPECT_USER_SHAPE(r, o) chk_user_shape((r), (o), __FILE__, __LINE__)
/* A Tenant object as API.md §5 describes it. */
#define EXPECT_TENANT_SHAPE(o) chk_tenant_shape((o), __FILE__, __LINE__)
/* An envelope {"items","total","page","limit"}; returns items or NULL. */
#define EXPECT_ENVELOPE(r, page, limit) chk_envelope((r), (page), (limit), __FILE__, __LINE__)
/* A JSON array with an integer X-Total-Count header; returns the array. */
#define EXPECT_COUNTED_ARRAY(r, total_out) chk_counted_array((r), (total_out), __FILE__, __LINE__)

bool chk(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool chk_status(struct resp *r, long code, const char *file, int line);
struct json_object *chk_json(struct resp *r, long code, const char *file, int line);
bool chk_problem(struct resp *r, long code, const char *slug, const char *detail,
		 const char *file, int line);
bool chk_field_error(struct resp *r, const char *field, const char *file, int line);
bool chk_str(struct json_object *o, const char *key, const char *want,
	     const char *file, int line);
bool chk_user_shape(struct resp *r, struct json_object *o, const char *file, int line);
bool chk_tenant_shape(struct json_object *o, const char *file, int line);
struct json_object *chk_envelope(struct resp *r, long page, long limit,
				 const char *file, int line);
struct json_object *chk_counted_array(struct resp *r, long *total_out,
				      const char *file, int line);

/*
 * A note appended to every failure message until cleared with NULL, e.g. the
 * name of the forged token or bad body being tried. Copied.
 */
void chk_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "POST /path -> 500: {body excerpt}" for messages; static buffer. */
const char *resp_summary(const struct resp *r);

#endif
