/*
 * Keyset pagination (`after`, README "Deep pages"): following each page's
 * `Link: <…>; rel="next"` walks a list exactly as the offset pages show it, keeps the
 * filters, counts only the first page, and does not move when an item before the
 * cursor goes away (where `skip` would skip one). Bad cursors are 422s.
 */
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

/* The target of a `Link: <target>; rel="next"`, or NULL when there is none. */
static char *next_link(const struct resp *r)
{
	const char *h = resp_header(r, "Link");
	if (!h)
		return NULL;
	const char *end = strchr(h, '>');
	if (!EXPECT(h[0] == '<' && end && strstr(end, "; rel=\"next\"") == end + 1,
		    "Link is not <…>; rel=\"next\": %s", h))
		return NULL;
	return xstrndup(h + 1, (size_t)(end - h - 1));
}

/* The ids of a JSON array of objects, appended to ids[*n]. */
static void take_ids(struct json_object *items, char **ids, size_t cap, size_t *n)
{
	for (size_t i = 0; items && i < jlen(items); i++)
		if (EXPECT(*n < cap, "more items than the test expects"))
			ids[(*n)++] = xstrdup(jstr(jat(items, i), "id"));
}

/* Every item of a list (array kind) of at most cap items: by offset pages of 100, or by
 * following the Link of pages of `limit`. Returns how many. */
static size_t walk(const char *path, const char *tenant, bool by_link, int limit, char **ids,
		   size_t cap)
{
	size_t n = 0;
	const char *sep = strchr(path, '?') ? "&" : "?";
	char *url = by_link ? xasprintf("%s%slimit=%d", path, sep, limit)
			    : xasprintf("%s%sskip=0&limit=100", path, sep);
	for (int page = 0; url && page < 1000; page++) {
		struct resp *r = req("GET", url, fx.admin.access, tenant, NULL);
		long total = -1;
		struct json_object *items = NULL;
		if (page == 0 || !by_link) {
			items = EXPECT_COUNTED_ARRAY(r, &total);
		} else {
			items = EXPECT_JSON(r, 200);
			EXPECT(resp_header(r, "X-Total-Count") == NULL,
			       "a page after a cursor is not counted: %s", resp_summary(r));
		}
		take_ids(items, ids, cap, &n);
		free(url);
		url = NULL;
		if (by_link) {
			url = next_link(r);
			EXPECT(url || jlen(items) <= (size_t)limit, "a full page without a Link");
			EXPECT(!url || strstr(url, "after="), "the Link has no cursor: %s", url);
		} else if (total > (long)n) {
			url = xasprintf("%s%sskip=%zu&limit=100", path, sep, n);
		}
		resp_free(r);
	}
	free(url);
	return n;
}

static bool same_ids(char **a, size_t na, char **b, size_t nb, const char *what)
{
	if (!EXPECT(na == nb, "%s: %zu items by offset, %zu by cursor", what, na, nb))
		return false;
	for (size_t i = 0; i < na; i++)
		if (!EXPECT(!strcmp(a[i], b[i]), "%s: item %zu differs", what, i))
			return false;
	return true;
}

static void free_ids(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
}

#define MAX_ITEMS 4000

/* Every tenant, in pages of 7 by Link, is the list by offset, in its order. */
static void test_tenants_by_link_are_the_tenants_by_offset(void)
{
	char *t1 = fx_create_tenant(NULL), *t2 = fx_create_tenant(NULL);
	static char *by_offset[MAX_ITEMS], *by_link[MAX_ITEMS];
	size_t no = walk("/api/v1/tenants", NULL, false, 0, by_offset, MAX_ITEMS);
	size_t nl = walk("/api/v1/tenants", NULL, true, 7, by_link, MAX_ITEMS);
	EXPECT(no >= 2, "the tenants just made are listed");
	same_ids(by_offset, no, by_link, nl, "GET /tenants");
	free_ids(by_offset, no);
	free_ids(by_link, nl);
	fx_delete_tenant(t1);
	fx_delete_tenant(t2);
	free(t1);
	free(t2);
}

/* Invitations and their e-mail jobs, newest first, with a filter the Link keeps. */
static void test_newest_first_lists_keep_their_filters(void)
{
	char *tenant = fx_create_tenant(NULL);
	if (!tenant)
		return;
	for (int i = 0; i < 5; i++) {
		char *email = fx_email("page");
		char *body = xasprintf("{\"email\":\"%s\",\"tenant_id\":\"%s\"}", email, tenant);
		struct resp *r = req("POST", "/api/v1/invitations", fx.admin.access, tenant, body);
		EXPECT_STATUS(r, 201);
		resp_free(r);
		free(body);
		free(email);
	}
	static const char *const lists[] = { "/api/v1/invitations",
					      "/api/v1/invitations?status=pending",
					      "/api/v1/jobs?kind=invitation.email" };
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		char *by_offset[16], *by_link[16];
		size_t no = walk(lists[l], tenant, false, 0, by_offset, 16);
		size_t nl = walk(lists[l], tenant, true, 2, by_link, 16);
		EXPECT(no == 5, "%s: 5 items, not %zu", lists[l], no);
		same_ids(by_offset, no, by_link, nl, lists[l]);
		free_ids(by_offset, no);
		free_ids(by_link, nl);
	}
	/* The filter travels in the Link. */
	struct resp *r = req("GET", "/api/v1/jobs?kind=invitation.email&limit=1", fx.admin.access,
			     tenant, NULL);
	char *link = next_link(r);
	EXPECT(link && strstr(link, "?kind=invitation.email&limit=1&after="),
	       "Link keeps kind and limit: %s",
	       link ? link : "(none)");
	free(link);
	resp_free(r);
	fx_delete_tenant(tenant);
	free(tenant);
}

/* A tenant's users by `next`: removing an item the client has seen does not make the
 * next page skip one, as `page` does. */
static void test_a_cursor_does_not_move_when_an_earlier_item_goes(void)
{
	char *tenant = fx_create_tenant(NULL);
	struct it_user u[5] = { 0 };
	bool made = tenant != NULL;
	for (int i = 0; made && i < 5; i++)
		made = fx_create_user(tenant, NULL, &u[i]);
	if (!made)
		goto out;
	char *path = xasprintf("/api/v1/tenants/%s/users?limit=2", tenant);
	struct resp *first = req("GET", path, fx.admin.access, tenant, NULL);
	struct json_object *items = EXPECT_ENVELOPE(first, 1, 2);
	struct json_object *o = resp_json(first);
	const char *next = o ? jstr(o, "next") : NULL;
	char *link = next_link(first);
	EXPECT(next && link && strstr(link, next), "next %s is the Link's cursor %s",
	       next ? next : "(null)", link ? link : "(none)");
	char *seen = items && jlen(items) == 2 ? xstrdup(jstr(jat(items, 0), "id")) : NULL;
	char *after = next ? xstrdup(next) : NULL;
	resp_free(first);
	free(link);
	/* The page-2 items before anything changes. */
	char *page2 = xasprintf("%s&page=2", path);
	struct resp *r = req("GET", page2, fx.admin.access, tenant, NULL);
	items = EXPECT_ENVELOPE(r, 2, 2);
	char *third = items && jlen(items) ? xstrdup(jstr(jat(items, 0), "id")) : NULL;
	resp_free(r);
	if (!EXPECT(seen && after && third, "two full pages"))
		goto done;
	fx_delete_user(seen);
	for (int i = 0; i < 5; i++)
		if (u[i].id && !strcmp(u[i].id, seen))
			u[i].id[0] = '\0';
	/* `page=2` now starts one later; `after` where it did. */
	r = req("GET", page2, fx.admin.access, tenant, NULL);
	items = EXPECT_ENVELOPE(r, 2, 2);
	EXPECT(items && jlen(items) && strcmp(jstr(jat(items, 0), "id"), third),
	       "page=2 moved on by one (the test's premise)");
	resp_free(r);
	char *keyed = xasprintf("%s&after=%s", path, after);
	r = req("GET", keyed, fx.admin.access, tenant, NULL);
	o = EXPECT_JSON(r, 200);
	items = o ? jarr(o, "items") : NULL;
	EXPECT(items && jlen(items) && !strcmp(jstr(jat(items, 0), "id"), third),
	       "after= starts at the third user still: %s", resp_summary(r));
	EXPECT(o && jget(o, "total") == NULL && jget(o, "page") == NULL && jhas(o, "total"),
	       "a keyed page has total and page null: %s", resp_summary(r));
	resp_free(r);
	free(keyed);
done:
	free(seen);
	free(after);
	free(third);
	free(page2);
	free(path);
out:
	for (int i = 0; i < 5; i++) {
		if (u[i].id && u[i].id[0])
			fx_delete_user(u[i].id);
		fx_user_release(&u[i]);
	}
	if (tenant)
		fx_delete_tenant(tenant);
	free(tenant);
}

static void test_bad_cursors_are_422(void)
{
	char *t1 = fx_create_tenant(NULL), *t2 = fx_create_tenant(NULL);
	struct resp *r = req("GET", "/api/v1/tenants?limit=1", fx.admin.access, NULL, NULL);
	char *link = next_link(r);
	resp_free(r);
	if (!EXPECT(link != NULL, "more than one tenant exists"))
		goto out;
	const char *cursor = strstr(link, "after=") + 6;
	char *bad[] = {
		xstrdup("/api/v1/tenants?after=not-a-cursor"),
		xasprintf("/api/v1/tenants?skip=1&after=%s", cursor),
		xasprintf("/api/v1/users?page=1&after=%s", cursor),
		xasprintf("/api/v1/tenants?after=%s&after=%s", cursor, cursor),
		xasprintf("/api/v1/tenants?after=%.33sB", cursor), /* trailing bits set */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = req("GET", bad[i], fx.admin.access, NULL, NULL);
		EXPECT_STATUS(r, 422);
		EXPECT_FIELD_ERROR(r, "after");
		resp_free(r);
		free(bad[i]);
	}
out:
	free(link);
	fx_delete_tenant(t1);
	fx_delete_tenant(t2);
	free(t1);
	free(t2);
}

static int add_pages_suite(void)
{
	static const struct it_test tests[] = {
		{ "every tenant by Link pages of 7 is the list by offset, in order", test_tenants_by_link_are_the_tenants_by_offset },
		{ "invitations and jobs, newest first, by Link keep their filters", test_newest_first_lists_keep_their_filters },
		{ "a cursor does not move when an earlier item is deleted (page=2 does)", test_a_cursor_does_not_move_when_an_earlier_item_goes },
		{ "bad cursors, and a cursor with skip or page, are 422 on after", test_bad_cursors_are_422 },
		{ NULL, NULL },
	};
	return it_add_suite("pages", NULL, NULL, tests);
}

IT_REGISTER(add_pages_suite)
