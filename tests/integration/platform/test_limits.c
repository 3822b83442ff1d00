/*
 * Per-scope limits (sql/015, `vs-admin limits`): a write that would go over one is a 409
 * quota-exceeded naming the limit and changes nothing; concurrent writes cannot both
 * take the last slot; the counters the database keeps match its rows. Limits are set
 * with the real vs-admin of the build under test, as an operator would.
 */
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "db_keys.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "pg_util.h"
#include "suites.h"
#include "util.h"

#define MSG_ROLES "The tenant has reached its limit of roles (roles_per_tenant)."
#define MSG_MEMBERS "The tenant has reached its limit of members (members_per_tenant)."
#define MSG_KEYS "The user has reached its limit of API keys (api_keys_per_user)."

/* `vs-admin limits ARGS` of this build, as the owner. */
static int vs_admin_limits(const char *args, char **out)
{
	char *all = xasprintf("limits %s", args);
	int rc = fx_vs_admin(all, out);
	free(all);
	return rc;
}

static bool set_limit(const char *kind, long max, const char *target)
{
	char *args = xasprintf("set %s %ld %s", kind, max, target);
	char *out = NULL;
	int rc = vs_admin_limits(args, &out);
	bool ok = EXPECT(rc == 0, "vs-admin limits %s exited %d: %s", args, rc, out ? out : "");
	free(out);
	free(args);
	return ok;
}

static struct resp *create_role(const char *tenant, const char *name)
{
	char *body = xasprintf("{\"name\":\"%s\"}", name);
	struct resp *r = req("POST", "/api/v1/roles", fx.admin.access, tenant, body);
	free(body);
	return r;
}

static long role_total(const char *tenant)
{
	struct resp *r = req("GET", "/api/v1/roles?limit=1", fx.admin.access, tenant, NULL);
	long total = -1;
	EXPECT_COUNTED_ARRAY(r, &total);
	resp_free(r);
	return total;
}

static void test_role_limit_refuses_with_409_and_writes_nothing(void)
{
	char *tenant = fx_create_tenant(NULL);
	char *names[3] = { fx_unique("lim-role"), fx_unique("lim-role"), fx_unique("lim-role") };
	char *target = xasprintf("--tenant %s", tenant ? tenant : "");
	if (!tenant || !set_limit("roles_per_tenant", 2, target))
		goto out;
	long before = role_total(tenant); /* the global roles */
	struct resp *r = create_role(tenant, names[0]);
	struct json_object *o = EXPECT_JSON(r, 201);
	char *first = xstrdup(o && jstr(o, "id") ? jstr(o, "id") : "");
	resp_free(r);
	r = create_role(tenant, names[1]);
	EXPECT_STATUS(r, 201);
	resp_free(r);

	r = create_role(tenant, names[2]);
	EXPECT_PROBLEM(r, 409, "quota-exceeded", MSG_ROLES);
	resp_free(r);
	EXPECT(role_total(tenant) == before + 2, "the refused role was written (total %ld, was %ld)",
	       role_total(tenant), before);

	/* a slot freed is a slot to take */
	char *path = xasprintf("/api/v1/roles/%s", first);
	r = req("DELETE", path, fx.admin.access, tenant, NULL);
	EXPECT_STATUS(r, 204);
	resp_free(r);
	r = create_role(tenant, names[2]);
	EXPECT_STATUS(r, 201);
	resp_free(r);
	EXPECT(role_total(tenant) == before + 2, "X-Total-Count %ld, want %ld", role_total(tenant),
	       before + 2);
	free(path);
	free(first);
out:
	fx_delete_tenant(tenant);
	free(tenant);
	free(target);
	for (int i = 0; i < 3; i++)
		free(names[i]);
}

/* The id of the role named name, as tenant lists it. */
static char *role_named(const char *tenant, const char *name)
{
	struct resp *r = req("GET", "/api/v1/roles", fx.admin.access, tenant, NULL);
	struct json_object *a = EXPECT_JSON(r, 200);
	char *id = NULL;
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		struct json_object *o = json_object_array_get_idx(a, i);
		if (!id && jstr(o, "name") && strcmp(jstr(o, "name"), name) == 0)
			id = xstrdup(jstr(o, "id"));
	}
	EXPECT(id != NULL, "no role %s in the list: %s", name, resp_summary(r));
	resp_free(r);
	return id;
}

static void test_concurrent_key_creates_cannot_both_take_the_last_slot(void)
{
	enum { N = 8 };
	char *tenant = fx_create_tenant(NULL);
	char *role = tenant ? role_named(tenant, "Tenant Admin") : NULL;
	char *extra = xasprintf("\"role_id\":\"%s\"", role ? role : "");
	struct it_user u = { 0 };
	if (!role || !fx_create_user(tenant, extra, &u) || !fx_login(&u))
		goto out;
	char *target = xasprintf("--email %s", u.email);
	bool set = set_limit("api_keys_per_user", 1, target);
	free(target);
	if (!set)
		goto out;

	char *auth = xasprintf("Authorization: Bearer %s", u.access);
	char *body = xasprintf("{\"name\":\"race\",\"scope\":\"TENANT\",\"tenant_id\":\"%s\"}",
			       tenant);
	const char *hdrs[] = { auth, "Content-Type: application/json", NULL };
	const char *const *each[N];
	struct resp *rs[N];
	for (int i = 0; i < N; i++)
		each[i] = hdrs;
	size_t done = http_burst_each("POST", "/api/v1/api-keys", each, body, N, rs, NULL);
	EXPECT(done == N, "only %zu of %d concurrent creates were answered", done, N);
	int created = 0, refused = 0;
	for (size_t i = 0; i < done; i++) {
		if (rs[i]->status == 201)
			created++;
		else if (EXPECT_PROBLEM(rs[i], 409, "quota-exceeded", MSG_KEYS))
			refused++;
		resp_free(rs[i]);
	}
	EXPECT(created == 1 && refused == N - 1,
	       "%d of %d concurrent creates at a limit of 1 succeeded, %d refused", created, N,
	       refused);
	free(body);
	free(auth);
out:
	if (u.id)
		fx_delete_user(u.id);
	fx_user_release(&u);
	fx_delete_tenant(tenant);
	free(tenant);
	free(role);
	free(extra);
}

static void test_reset_gives_the_default_back(void)
{
	char *tenant = fx_create_tenant(NULL);
	char *role = tenant ? role_named(tenant, "Tenant Admin") : NULL;
	char *extra = xasprintf("\"role_id\":\"%s\"", role ? role : "");
	char *target = NULL, *args = NULL, *out = NULL, *body = NULL;
	struct it_user u = { 0 };
	if (!role || !fx_create_user(tenant, extra, &u) || !fx_login(&u))
		goto out;
	target = xasprintf("--email %s", u.email);
	body = xasprintf("{\"name\":\"k\",\"scope\":\"TENANT\",\"tenant_id\":\"%s\"}", tenant);
	if (!set_limit("api_keys_per_user", 0, target))
		goto out;
	struct resp *r = req("POST", "/api/v1/api-keys", u.access, NULL, body);
	EXPECT_PROBLEM(r, 409, "quota-exceeded", MSG_KEYS);
	resp_free(r);

	args = xasprintf("reset api_keys_per_user %s", target);
	int rc = vs_admin_limits(args, &out);
	EXPECT(rc == 0, "vs-admin limits %s exited %d: %s", args, rc, out ? out : "");
	EXPECT(out && !strstr(out, u.id), "the override is still listed: %s", out ? out : "");
	r = req("POST", "/api/v1/api-keys", u.access, NULL, body);
	EXPECT_STATUS(r, 201);
	resp_free(r);
out:
	if (u.id)
		fx_delete_user(u.id);
	fx_user_release(&u);
	fx_delete_tenant(tenant);
	free(tenant);
	free(role);
	free(extra);
	free(target);
	free(args);
	free(out);
	free(body);
}

/* Users found by an exact e-mail, platform-wide. */
static long users_with_email(const char *email)
{
	char *term = form_escape(email), *path = xasprintf("/api/v1/users?search=%s", term);
	free(term);
	struct resp *r = req("GET", path, fx.admin.access, NULL, NULL);
	struct json_object *o = EXPECT_JSON(r, 200);
	int64_t total = -1;
	if (o)
		jint(o, "total", &total);
	resp_free(r);
	free(path);
	return (long)total;
}

static void test_member_limit_counts_users_not_roles(void)
{
	char *tenant = fx_create_tenant(NULL);
	char *target = xasprintf("--tenant %s", tenant ? tenant : "");
	char *extra_role = NULL, *path = NULL, *member = NULL;
	struct it_user a = { 0 }, b = { 0 };
	char *c_email = fx_email("lim-member");
	if (!tenant || !set_limit("members_per_tenant", 2, target) || !fx_create_user(tenant, NULL, &a) ||
	    !fx_create_user(tenant, NULL, &b))
		goto out;

	/* a third member: refused, and the user it would have created does not exist */
	char *body = xasprintf("{\"email\":\"%s\",\"password\":\"limit-password-1\"}", c_email);
	struct resp *r = req("POST", "/api/v1/users", fx.admin.access, tenant, body);
	EXPECT_PROBLEM(r, 409, "quota-exceeded", MSG_MEMBERS);
	resp_free(r);
	EXPECT(users_with_email(c_email) == 0, "the refused user was created");

	/* another role for a member makes no new member */
	extra_role = role_named(tenant, "Tenant Admin");
	path = xasprintf("/api/v1/tenants/%s/users/%s/roles", tenant, a.id);
	char *grant = xasprintf("{\"role_id\":\"%s\"}", extra_role ? extra_role : "");
	r = req("POST", path, fx.admin.access, NULL, grant);
	EXPECT_STATUS(r, 204);
	resp_free(r);
	free(grant);

	/* b leaves (its only role goes): c fits */
	member = role_named(tenant, "Member");
	free(path);
	path = xasprintf("/api/v1/tenants/%s/users/%s/roles/%s", tenant, b.id, member ? member : "");
	r = req("DELETE", path, fx.admin.access, NULL, NULL);
	EXPECT_STATUS(r, 204);
	resp_free(r);
	r = req("POST", "/api/v1/users", fx.admin.access, tenant, body);
	struct json_object *o = EXPECT_JSON(r, 201);
	char *c_id = xstrdup(o && jstr(o, "id") ? jstr(o, "id") : "");
	resp_free(r);
	free(body);

	/* replacing the Member role's holders with three users: refused, holders unchanged */
	free(path);
	path = xasprintf("/api/v1/roles/%s/users", member ? member : "");
	body = xasprintf("{\"user_ids\":[\"%s\",\"%s\"]}", c_id, b.id);
	r = req("PUT", path, fx.admin.access, tenant, body);
	EXPECT_PROBLEM(r, 409, "quota-exceeded", MSG_MEMBERS);
	resp_free(r);
	r = req("GET", path, fx.admin.access, tenant, NULL);
	o = EXPECT_JSON(r, 200);
	struct json_object *ids = o ? jget(o, "user_ids") : NULL;
	EXPECT(ids && json_object_array_length(ids) == 2, "the Member role's holders changed: %s",
	       resp_summary(r));
	resp_free(r);
	fx_delete_user(c_id);
	free(c_id);
	free(body);
out:
	if (a.id)
		fx_delete_user(a.id);
	if (b.id)
		fx_delete_user(b.id);
	fx_user_release(&a);
	fx_user_release(&b);
	fx_delete_tenant(tenant);
	free(tenant);
	free(target);
	free(extra_role);
	free(path);
	free(c_email);
	free(member);
}

static void test_vs_admin_refuses_what_is_no_limit(void)
{
	static const struct {
		const char *args, *says;
	} cases[] = {
		{ "set tenants_per_user 5", "no such limit" },
		{ "set roles_total 5", "no such limit" },
		{ "set roles_per_tenant 5 --email nobody@example.com", "--tenant" },
		{ "set api_keys_per_user 5 --tenant 00000000-0000-4000-8000-000000000000", "--email" },
		{ "set roles_per_tenant 5 --tenant 00000000-0000-4000-8000-000000000000",
		  "no such tenant" },
		{ "set api_keys_per_user 5 --email nobody-at-all@example.com", "User not found" },
		{ "set roles_per_tenant 3000000000", "from 0 to 2147483647" },
		{ "reset roles_per_tenant", "no limit of its own" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL;
		int rc = vs_admin_limits(cases[i].args, &out);
		EXPECT(rc == 1 && out && strstr(out, cases[i].says),
		       "vs-admin limits %s: exit %d (want 1), said \"%s\" (want \"%s\")",
		       cases[i].args, rc, out ? out : "", cases[i].says);
		free(out);
	}
	char *out = NULL;
	EXPECT(vs_admin_limits("", &out) == 0 && out && strstr(out, "roles_per_tenant"),
	       "vs-admin limits lists nothing: %s", out ? out : "");
	free(out);
}

/* What iam.usage says each scope holds, against the rows: the same, after everything
 * this run did so far (creates, refusals, deletes, cascades). */
static void test_counters_match_the_rows(void)
{
	PGconn *db = pg_open(getenv("VS_OWNER_DATABASE_URL"));
	if (!db)
		return;
	/* the tables' policies hold for their owner too: platform scope, a transaction */
	PGresult *r = db_in_platform_scope(db,
		"WITH actual AS ("
		" SELECT 'roles_per_tenant' AS kind, scope_tenant AS scope, count(*)::int AS n"
		"   FROM iam.roles GROUP BY 2"
		" UNION ALL SELECT 'api_keys_per_user', user_id, count(*) FROM iam.api_keys GROUP BY 2"
		" UNION ALL SELECT 'members_per_tenant', tenant_id, count(DISTINCT user_id)"
		"   FROM iam.assignments GROUP BY 2"
		" UNION ALL SELECT 'tenants', 'ffffffff-ffff-ffff-ffff-ffffffffffff', count(*)"
		"   FROM iam.tenants"
		" UNION ALL SELECT 'users', 'ffffffff-ffff-ffff-ffff-ffffffffffff', count(*)"
		"   FROM iam.users) "
		"SELECT coalesce(a.kind, u.kind), coalesce(a.scope, u.scope)::text, a.n, u.n "
		"FROM actual a FULL JOIN iam.usage u ON u.kind = a.kind AND u.scope = a.scope "
		"WHERE coalesce(a.n, 0) <> coalesce(u.n, 0)",
		0, NULL);
	if (pg_succeeded(r))
		EXPECT(PQntuples(r) == 0, "%d counters are off, e.g. %s of %s: %s rows, counted %s",
		       PQntuples(r), PQntuples(r) ? PQgetvalue(r, 0, 0) : "",
		       PQntuples(r) ? PQgetvalue(r, 0, 1) : "", PQntuples(r) ? PQgetvalue(r, 0, 2) : "",
		       PQntuples(r) ? PQgetvalue(r, 0, 3) : "");
	PQclear(r);
	PQfinish(db);
}

static void test_application_cannot_write_limits_or_counters(void)
{
	static const char *const writes[] = {
		"UPDATE iam.limits SET max_count = 2147483647",
		"INSERT INTO iam.limits (kind, max_count) VALUES ('roles_per_tenant', 1)",
		"UPDATE iam.usage SET n = 0",
		"DELETE FROM iam.usage",
	};
	EXPECT_APP_REFUSED(NULL, writes, sizeof(writes) / sizeof(writes[0]));
}

static int add_limits_suite(void)
{
	static const struct it_test tests[] = {
		{ "a role over roles_per_tenant is a 409 quota-exceeded naming it, and is not written", test_role_limit_refuses_with_409_and_writes_nothing },
		{ "8 concurrent key creates at api_keys_per_user 1: one 201, seven 409", test_concurrent_key_creates_cannot_both_take_the_last_slot },
		{ "vs-admin limits reset gives a user the default back", test_reset_gives_the_default_back },
		{ "members_per_tenant counts users, not their roles; a refused user is not created", test_member_limit_counts_users_not_roles },
		{ "vs-admin limits refuses unknown limits, wrong scopes, unknown targets, bad numbers", test_vs_admin_refuses_what_is_no_limit },
		{ "the application role cannot write iam.limits or iam.usage", test_application_cannot_write_limits_or_counters },
		{ "every counter in iam.usage matches the rows it counts", test_counters_match_the_rows },
		{ NULL, NULL },
	};

	return it_add_suite("limits", NULL, NULL, tests);
}

IT_REGISTER(add_limits_suite)
