/* Tenants: create, list (skip/limit, X-Total-Count), get, by slug, update, delete, conflicts, validation. */
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

static char *tenant_path(const char *id)
{
	return xasprintf("/api/v1/tenants/%s", id);
}

/* X-Total-Count of GET /tenants as the admin, or -1. */
static long tenant_total(void)
{
	struct resp *r = req("GET", "/api/v1/tenants?limit=1", fx.admin.access, NULL, NULL);
	long total = -1;

	EXPECT_COUNTED_ARRAY(r, &total);
	resp_free(r);
	return total;
}

/* Whether GET /tenants as the admin lists id, paging through with skip/limit. */
static bool tenant_listed(const char *id)
{
	for (long skip = 0; skip < 100 * 100; skip += 100) {
		char *path = xasprintf("/api/v1/tenants?skip=%ld&limit=100", skip);
		struct resp *r = req("GET", path, fx.admin.access, NULL, NULL);
		struct json_object *a = EXPECT_COUNTED_ARRAY(r, NULL);
		bool found = jarr_find_id(a, id) >= 0, last = jlen(a) < 100;

		resp_free(r);
		free(path);
		if (found)
			return true;
		if (!a || last)
			return false;
	}
	return false;
}

static struct resp *post_tenant(const char *path, const char *name, const char *slug,
				const char *extra)
{
	char *body = xasprintf("{\"name\":\"%s\",\"slug\":\"%s\"%s%s}", name, slug,
			       extra ? "," : "", extra ? extra : "");
	struct resp *r = req("POST", path, fx.admin.access, NULL, body);

	free(body);
	return r;
}

static void expect_slug_absent(const char *slug)
{
	char *path = xasprintf("/api/v1/tenants/slug/%s", slug);
	struct resp *r = req("GET", path, fx.admin.access, NULL, NULL);

	EXPECT(r->status == 404, "tenant with slug %s should not exist: %s", slug,
	       resp_summary(r));
	resp_free(r);
	free(path);
}

static void test_create_returns_201_with_fields(void)
{
	char *name = fx_unique("Acme"), *slug = fx_unique("acme"), *path;
	struct resp *r = post_tenant("/api/v1/tenants", name, slug,
				     "\"description\":\"first tenant\"");
	struct json_object *o = EXPECT_JSON(r, 201);
	bool active = false;
	char *id = NULL;

	if (o && EXPECT_TENANT_SHAPE(o)) {
		id = xstrdup(jstr(o, "id"));
		EXPECT_STR(o, "name", name);
		EXPECT_STR(o, "slug", slug);
		EXPECT_STR(o, "description", "first tenant");
		EXPECT(jbool(o, "is_active", &active) && active,
		       "a new tenant should be active by default: %s", resp_summary(r));
	}
	resp_free(r);
	if (!id)
		goto out;
	path = tenant_path(id);
	r = req("GET", path, fx.admin.access, NULL, NULL);
	o = EXPECT_JSON(r, 200);
	if (o && EXPECT_TENANT_SHAPE(o)) {
		EXPECT_STR(o, "id", id);
		EXPECT_STR(o, "slug", slug);
		EXPECT_STR(o, "name", name);
	}
	resp_free(r);
	free(path);
	path = xasprintf("/api/v1/tenants/slug/%s", slug);
	r = req("GET", path, fx.admin.access, NULL, NULL);
	o = EXPECT_JSON(r, 200);
	if (o)
		EXPECT_STR(o, "id", id);
	resp_free(r);
	free(path);
	EXPECT(tenant_listed(id), "the new tenant %s is not in GET /tenants", id);
	fx_delete_tenant(id);
out:
	free(id);
	free(name);
	free(slug);
}

static void test_create_with_trailing_slash_and_inactive(void)
{
	char *name = fx_unique("Slash"), *slug = fx_unique("slash");
	struct resp *r = post_tenant("/api/v1/tenants/", name, slug, "\"is_active\":false");
	struct json_object *o = EXPECT_JSON(r, 201);
	bool active = true;

	if (o) {
		EXPECT_STR(o, "slug", slug);
		EXPECT(jbool(o, "is_active", &active) && !active,
		       "is_active:false should be kept: %s", resp_summary(r));
		fx_delete_tenant(jstr(o, "id"));
	}
	resp_free(r);
	free(name);
	free(slug);
}

static void test_list_with_and_without_trailing_slash(void)
{
	char *id = fx_create_tenant(NULL);
	struct resp *a = req("GET", "/api/v1/tenants", fx.admin.access, NULL, NULL);
	struct resp *b = req("GET", "/api/v1/tenants/", fx.admin.access, NULL, NULL);
	long ta = -1, tb = -1;
	struct json_object *la = EXPECT_COUNTED_ARRAY(a, &ta);
	struct json_object *lb = EXPECT_COUNTED_ARRAY(b, &tb);

	EXPECT(ta >= 1 && ta == tb, "X-Total-Count differs with/without slash: %ld vs %ld",
	       ta, tb);
	EXPECT(jlen(la) == jlen(lb) && jlen(la) == (size_t)(ta < 100 ? ta : 100),
	       "default page should hold min(total, 100) items: %zu, %zu, total %ld",
	       jlen(la), jlen(lb), ta);
	for (size_t i = 0; i < jlen(la); i++)
		EXPECT_TENANT_SHAPE(jat(la, i));
	resp_free(a);
	resp_free(b);
	fx_delete_tenant(id);
	free(id);
}

static void test_skip_limit_pages_in_stable_order(void)
{
	char *t1 = fx_create_tenant(NULL), *t2 = fx_create_tenant(NULL);
	struct resp *two = req("GET", "/api/v1/tenants?skip=0&limit=2", fx.admin.access, NULL, NULL);
	struct resp *p0 = req("GET", "/api/v1/tenants?skip=0&limit=1", fx.admin.access, NULL, NULL);
	struct resp *p1 = req("GET", "/api/v1/tenants?skip=1&limit=1", fx.admin.access, NULL, NULL);
	long t_two, t0, t1c, tend;
	struct json_object *a2 = EXPECT_COUNTED_ARRAY(two, &t_two);
	struct json_object *a0 = EXPECT_COUNTED_ARRAY(p0, &t0);
	struct json_object *a1 = EXPECT_COUNTED_ARRAY(p1, &t1c);
	struct resp *end;
	char *path;

	EXPECT(jlen(a2) == 2 && jlen(a0) == 1 && jlen(a1) == 1,
	       "limit=2 gave %zu items, limit=1 gave %zu and %zu", jlen(a2),
	       jlen(a0), jlen(a1));
	EXPECT(t_two == t0 && t0 == t1c, "X-Total-Count changes with paging");
	if (jlen(a2) == 2 && jlen(a0) == 1 && jlen(a1) == 1) {
		const char *x = jstr(jat(a2, 0), "id"), *y = jstr(jat(a2, 1), "id");

		EXPECT(x && y && strcmp(x, y) != 0, "two pages give the same tenant");
		EXPECT(x && jstr(jat(a0, 0), "id") && strcmp(x, jstr(jat(a0, 0), "id")) == 0,
		       "skip=0&limit=1 is not the first of skip=0&limit=2");
		EXPECT(y && jstr(jat(a1, 0), "id") && strcmp(y, jstr(jat(a1, 0), "id")) == 0,
		       "skip=1&limit=1 is not the second of skip=0&limit=2");
	}
	path = xasprintf("/api/v1/tenants?skip=%ld&limit=10", t0 > 0 ? t0 : 0);
	end = req("GET", path, fx.admin.access, NULL, NULL);
	EXPECT(jlen(EXPECT_COUNTED_ARRAY(end, &tend)) == 0,
	       "skip=total should give an empty array: %s", resp_summary(end));
	resp_free(end);
	free(path);
	resp_free(two);
	resp_free(p0);
	resp_free(p1);
	fx_delete_tenant(t1);
	fx_delete_tenant(t2);
	free(t1);
	free(t2);
}

static void test_invalid_skip_or_limit_is_422(void)
{
	static const char *const q[] = {
		"limit=0", "limit=101", "limit=-5", "skip=-1", "limit=abc", "skip=x", NULL,
	};

	for (size_t i = 0; q[i]; i++) {
		char *path = xasprintf("/api/v1/tenants?%s", q[i]);
		struct resp *r = req("GET", path, fx.admin.access, NULL, NULL);

		if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
			EXPECT_FIELD_ERROR(r, q[i][0] == 'l' ? "limit" : "skip");
		resp_free(r);
		free(path);
	}
}

static void test_duplicate_name_is_409_and_creates_nothing(void)
{
	char *slug = NULL, *id = fx_create_tenant(&slug), *name = NULL;
	char *path, *new_slug = fx_unique("dupname");
	struct resp *r;
	long before, after;

	if (!id)
		goto out;
	path = tenant_path(id);
	r = req("GET", path, fx.admin.access, NULL, NULL);
	if (EXPECT_JSON(r, 200) && jstr(resp_json(r), "name"))
		name = xstrdup(jstr(resp_json(r), "name"));
	resp_free(r);
	free(path);
	if (!name)
		goto out;
	before = tenant_total();
	r = post_tenant("/api/v1/tenants", name, new_slug, NULL);
	EXPECT_PROBLEM(r, 409, "conflict", NULL);
	resp_free(r);
	after = tenant_total();
	EXPECT(before == after, "a 409 changed the tenant count: %ld -> %ld", before, after);
	expect_slug_absent(new_slug);
out:
	fx_delete_tenant(id);
	free(id);
	free(slug);
	free(name);
	free(new_slug);
}

static void test_duplicate_slug_is_409_and_creates_nothing(void)
{
	char *slug = NULL, *id = fx_create_tenant(&slug), *name = fx_unique("Dup Slug");
	struct resp *r;
	long before, after;

	if (!id)
		goto out;
	before = tenant_total();
	r = post_tenant("/api/v1/tenants", name, slug, NULL);
	EXPECT_PROBLEM(r, 409, "conflict", NULL);
	resp_free(r);
	after = tenant_total();
	EXPECT(before == after, "a 409 changed the tenant count: %ld -> %ld", before, after);
out:
	fx_delete_tenant(id);
	free(id);
	free(slug);
	free(name);
}

static void test_invalid_slugs_are_422_and_create_nothing(void)
{
	char *name = fx_unique("Bad Slug");
	char *too_long = xasprintf("x%s-%s", fx.suffix,
				   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	char *upper = xasprintf("Upper-%s", fx.suffix);
	const char *bad[] = { "ab", upper, "bad_chars", "semi;colon", "has space",
			      "dot.ted", too_long, "", NULL };
	long before = tenant_total(), after;

	for (size_t i = 0; bad[i]; i++) {
		struct resp *r = post_tenant("/api/v1/tenants", name, bad[i], NULL);

		chk_context("slug \"%s\"", bad[i]);
		if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
			EXPECT_FIELD_ERROR(r, "slug");
		resp_free(r);
	}
	chk_context(NULL);
	after = tenant_total();
	EXPECT(before == after, "rejected slugs changed the tenant count: %ld -> %ld",
	       before, after);
	free(name);
	free(too_long);
	free(upper);
}

static void test_missing_name_or_unknown_field_is_422(void)
{
	char *slug = fx_unique("noname"), *name = fx_unique("Unknown Field");
	char *body = xasprintf("{\"slug\":\"%s\"}", slug);
	struct resp *r = req("POST", "/api/v1/tenants", fx.admin.access, NULL, body);

	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "name");
	resp_free(r);
	free(body);
	r = post_tenant("/api/v1/tenants", name, slug, "\"owner_id\":\"x\"");
	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "owner_id");
	resp_free(r);
	expect_slug_absent(slug);
	free(slug);
	free(name);
}

static void test_malformed_id_in_path_is_400(void)
{
	static const char *const bad[] = {
		"not-a-uuid", "1234", "0000000-0000-0000-0000-000000000000",
		"zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", NULL,
	};

	for (size_t i = 0; bad[i]; i++) {
		char *path = tenant_path(bad[i]);
		struct resp *r = req("GET", path, fx.admin.access, NULL, NULL);

		EXPECT_PROBLEM(r, 400, "bad-request", NULL);
		resp_free(r);
		free(path);
	}
}

static void test_unknown_id_is_404_tenant_not_found(void)
{
	char id[37], *path, *detail;
	static const char *const methods[] = { "GET", "PUT", "PATCH", "DELETE", NULL };

	random_uuid(id);
	path = tenant_path(id);
	detail = xasprintf("Tenant %s not found.", id);
	for (size_t i = 0; methods[i]; i++) {
		bool has_body = methods[i][0] == 'P';
		struct resp *r = req(methods[i], path, fx.admin.access, NULL,
				     has_body ? "{\"description\":\"x\"}" : NULL);

		EXPECT_PROBLEM(r, 404, "not-found", detail);
		resp_free(r);
	}
	free(path);
	free(detail);
}

static void test_unknown_slug_is_404(void)
{
	char *slug = fx_unique("missing");
	char *path = xasprintf("/api/v1/tenants/slug/%s", slug);
	struct resp *r = req("GET", path, fx.admin.access, NULL, NULL);

	EXPECT_PROBLEM(r, 404, "not-found", NULL);
	resp_free(r);
	free(path);
	free(slug);
}

static void test_put_changes_name_and_description_keeps_slug(void)
{
	char *slug = NULL, *id = fx_create_tenant(&slug), *name = fx_unique("Renamed");
	char *path = NULL, *body = NULL;
	struct resp *r;
	struct json_object *o;

	if (!id)
		goto out;
	path = tenant_path(id);
	body = xasprintf("{\"name\":\"%s\",\"description\":\"changed\"}", name);
	r = req("PUT", path, fx.admin.access, NULL, body);
	o = EXPECT_JSON(r, 200);
	if (o && EXPECT_TENANT_SHAPE(o)) {
		EXPECT_STR(o, "name", name);
		EXPECT_STR(o, "description", "changed");
		EXPECT_STR(o, "slug", slug);
		EXPECT(strncmp(jstr(o, "updated_at"), jstr(o, "created_at"), 19) >= 0,
		       "updated_at precedes created_at: %s", resp_summary(r));
	}
	resp_free(r);
	r = req("GET", path, fx.admin.access, NULL, NULL);
	o = EXPECT_JSON(r, 200);
	if (o) {
		EXPECT_STR(o, "name", name);
		EXPECT_STR(o, "description", "changed");
	}
	resp_free(r);
out:
	fx_delete_tenant(id);
	free(id);
	free(slug);
	free(name);
	free(path);
	free(body);
}

static void test_patch_changes_only_fields_sent(void)
{
	char *slug = NULL, *id = fx_create_tenant(&slug), *path = NULL, *name = NULL;
	struct resp *r;
	struct json_object *o;

	if (!id)
		goto out;
	path = tenant_path(id);
	r = req("GET", path, fx.admin.access, NULL, NULL);
	if (EXPECT_JSON(r, 200) && jstr(resp_json(r), "name"))
		name = xstrdup(jstr(resp_json(r), "name"));
	resp_free(r);
	r = req("PATCH", path, fx.admin.access, NULL, "{\"description\":\"patched\"}");
	o = EXPECT_JSON(r, 200);
	if (o && name) {
		EXPECT_STR(o, "description", "patched");
		EXPECT_STR(o, "name", name);
		EXPECT_STR(o, "slug", slug);
	}
	resp_free(r);
	/* PUT with only is_active leaves name and description alone too */
	r = req("PUT", path, fx.admin.access, NULL, "{\"is_active\":false}");
	o = EXPECT_JSON(r, 200);
	if (o && name) {
		bool active = true;

		EXPECT_STR(o, "description", "patched");
		EXPECT_STR(o, "name", name);
		EXPECT(jbool(o, "is_active", &active) && !active,
		       "is_active:false not applied: %s", resp_summary(r));
	}
	resp_free(r);
out:
	fx_delete_tenant(id);
	free(id);
	free(slug);
	free(path);
	free(name);
}

static void test_slug_is_immutable(void)
{
	char *slug = NULL, *id = fx_create_tenant(&slug), *path = NULL, *body = NULL;
	char *other = fx_unique("other-slug");
	struct resp *r;

	if (!id)
		goto out;
	path = tenant_path(id);
	body = xasprintf("{\"slug\":\"%s\",\"description\":\"same slug\"}", slug);
	r = req("PUT", path, fx.admin.access, NULL, body);
	if (EXPECT_JSON(r, 200))
		EXPECT_STR(resp_json(r), "description", "same slug");
	resp_free(r);
	free(body);
	body = xasprintf("{\"slug\":\"%s\"}", other);
	for (int i = 0; i < 2; i++) {
		r = req(i ? "PATCH" : "PUT", path, fx.admin.access, NULL, body);
		if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
			EXPECT_FIELD_ERROR(r, "slug");
		resp_free(r);
	}
	r = req("GET", path, fx.admin.access, NULL, NULL);
	if (EXPECT_JSON(r, 200))
		EXPECT_STR(resp_json(r), "slug", slug);
	resp_free(r);
	expect_slug_absent(other);
out:
	fx_delete_tenant(id);
	free(id);
	free(slug);
	free(path);
	free(body);
	free(other);
}

static void test_rename_to_existing_name_is_409(void)
{
	char *id1 = fx_create_tenant(NULL), *id2 = fx_create_tenant(NULL);
	char *p1 = NULL, *p2 = NULL, *name1 = NULL, *name2 = NULL, *body = NULL;
	struct resp *r;

	if (!id1 || !id2)
		goto out;
	p1 = tenant_path(id1);
	p2 = tenant_path(id2);
	r = req("GET", p1, fx.admin.access, NULL, NULL);
	if (EXPECT_JSON(r, 200) && jstr(resp_json(r), "name"))
		name1 = xstrdup(jstr(resp_json(r), "name"));
	resp_free(r);
	r = req("GET", p2, fx.admin.access, NULL, NULL);
	if (EXPECT_JSON(r, 200) && jstr(resp_json(r), "name"))
		name2 = xstrdup(jstr(resp_json(r), "name"));
	resp_free(r);
	if (!name1 || !name2)
		goto out;
	body = xasprintf("{\"name\":\"%s\"}", name1);
	r = req("PATCH", p2, fx.admin.access, NULL, body);
	EXPECT_PROBLEM(r, 409, "conflict", NULL);
	resp_free(r);
	r = req("GET", p2, fx.admin.access, NULL, NULL);
	if (EXPECT_JSON(r, 200))
		EXPECT_STR(resp_json(r), "name", name2);
	resp_free(r);
out:
	fx_delete_tenant(id1);
	fx_delete_tenant(id2);
	free(id1);
	free(id2);
	free(p1);
	free(p2);
	free(name1);
	free(name2);
	free(body);
}

static void test_delete_is_204_then_404(void)
{
	char *slug = NULL, *id = fx_create_tenant(&slug), *path = NULL, *detail = NULL;
	struct resp *r;

	if (!id)
		goto out;
	path = tenant_path(id);
	detail = xasprintf("Tenant %s not found.", id);
	r = req("DELETE", path, fx.admin.access, NULL, NULL);
	EXPECT_STATUS(r, 204);
	EXPECT(r->len == 0, "204 must have no body: %s", resp_summary(r));
	resp_free(r);
	r = req("GET", path, fx.admin.access, NULL, NULL);
	EXPECT_PROBLEM(r, 404, "not-found", detail);
	resp_free(r);
	r = req("DELETE", path, fx.admin.access, NULL, NULL);
	EXPECT_PROBLEM(r, 404, "not-found", detail);
	resp_free(r);
	expect_slug_absent(slug);
	EXPECT(!tenant_listed(id), "a deleted tenant is still listed");
out:
	free(id);
	free(slug);
	free(path);
	free(detail);
}

static void test_non_superuser_cannot_create_and_sees_own_tenants(void)
{
	char *tid = fx_create_tenant(NULL), *name = fx_unique("Forbidden"), *slug = fx_unique("forbidden");
	char *body = xasprintf("{\"name\":\"%s\",\"slug\":\"%s\"}", name, slug);
	struct it_user m;
	struct resp *r;
	struct json_object *a;
	long total = -1, before, after;

	memset(&m, 0, sizeof(m));
	if (!tid || !fx_new_member(tid, &m))
		goto out;
	before = tenant_total();
	r = req("POST", "/api/v1/tenants", m.access, NULL, body);
	EXPECT_PROBLEM(r, 403, "forbidden", "Not enough permissions");
	resp_free(r);
	after = tenant_total();
	EXPECT(before == after, "a 403 create changed the tenant count");
	expect_slug_absent(slug);

	r = req("GET", "/api/v1/tenants", m.access, NULL, NULL);
	a = EXPECT_COUNTED_ARRAY(r, &total);
	EXPECT(jlen(a) == 1 && jarr_find_id(a, tid) == 0 && total == 1,
	       "a member of one tenant should see exactly that tenant: %s",
	       resp_summary(r));
	resp_free(r);

	/* deleting the tenant removes the membership */
	fx_delete_tenant(tid);
	r = req("GET", "/api/v1/tenants", m.access, NULL, NULL);
	a = EXPECT_COUNTED_ARRAY(r, &total);
	EXPECT(a && jlen(a) == 0 && total == 0,
	       "after its tenant was deleted the member should see none: %s",
	       resp_summary(r));
	resp_free(r);
out:
	fx_delete_user(m.id);
	fx_user_release(&m);
	fx_delete_tenant(tid);
	free(tid);
	free(name);
	free(slug);
	free(body);
}

static void test_tenant_users_path_checks_tenant(void)
{
	char id[37], *path, *detail;
	struct resp *r;

	r = req("GET", "/api/v1/tenants/not-a-uuid/users", fx.admin.access, NULL, NULL);
	EXPECT_PROBLEM(r, 400, "bad-request", NULL);
	resp_free(r);
	random_uuid(id);
	path = xasprintf("/api/v1/tenants/%s/users", id);
	detail = xasprintf("Tenant %s not found.", id);
	r = req("GET", path, fx.admin.access, NULL, NULL);
	EXPECT_PROBLEM(r, 404, "not-found", detail);
	resp_free(r);
	free(path);
	free(detail);
}

static int add_tenants_suite(void)
{
	static const struct it_test tests[] = {
		{ "POST /tenants is 201 with every field; GET by id and by slug find it", test_create_returns_201_with_fields },
		{ "POST /tenants/ (trailing slash) is 201 and keeps is_active:false", test_create_with_trailing_slash_and_inactive },
		{ "GET /tenants and /tenants/ return an array with X-Total-Count", test_list_with_and_without_trailing_slash },
		{ "skip/limit page the tenant list in a stable order", test_skip_limit_pages_in_stable_order },
		{ "invalid skip/limit values are 422", test_invalid_skip_or_limit_is_422 },
		{ "duplicate tenant name is 409 and creates nothing", test_duplicate_name_is_409_and_creates_nothing },
		{ "duplicate tenant slug is 409 and creates nothing", test_duplicate_slug_is_409_and_creates_nothing },
		{ "invalid slugs (short, upper-case, bad chars, long, empty) are 422 on slug", test_invalid_slugs_are_422_and_create_nothing },
		{ "missing name or an unknown field is 422 listing it", test_missing_name_or_unknown_field_is_422 },
		{ "malformed tenant id in the path is 400", test_malformed_id_in_path_is_400 },
		{ "unknown tenant id is 404 'Tenant {id} not found.' for GET/PUT/PATCH/DELETE", test_unknown_id_is_404_tenant_not_found },
		{ "unknown tenant slug is 404", test_unknown_slug_is_404 },
		{ "PUT changes name and description and keeps the slug", test_put_changes_name_and_description_keeps_slug },
		{ "PATCH and PUT change only the fields sent", test_patch_changes_only_fields_sent },
		{ "same slug in PUT is accepted; a different slug is 422 and not applied", test_slug_is_immutable },
		{ "renaming a tenant to another tenant's name is 409", test_rename_to_existing_name_is_409 },
		{ "DELETE /tenants/{id} is 204, then GET and DELETE are 404", test_delete_is_204_then_404 },
		{ "non-superuser: POST /tenants is 403; GET /tenants lists only its memberships", test_non_superuser_cannot_create_and_sees_own_tenants },
		{ "/tenants/{bad}/users is 400; /tenants/{unknown}/users is 404", test_tenant_users_path_checks_tenant },
		{ NULL, NULL },
	};

	return it_add_suite("tenants", NULL, NULL, tests);
}

IT_REGISTER(add_tenants_suite)
