/* lib/app/session.c: the request session. vs_session_open verifies the access token,
 * opens the request's transaction scoped to the tenant and the principal, and loads what
 * the principal holds there; vs_session_close commits or rolls back. */
#include "suites.h"

#include "auth/usecases.h"
#include "core/jwt.h"
#include "fakes/world.h"
#include "users/usecases.h"

#include <stdlib.h>
#include <string.h>

static enum vs_err open_as(struct world *w, const char *token, const vs_uuid *tenant,
			   struct vs_principal *p, struct vs_error *e)
{
	return vs_auth_open(&w->app, w->a, token, strlen(token), tenant, p, e);
}

static void assert_zeroed(const struct vs_principal *p)
{
	CU_ASSERT_FALSE(p->authenticated);
	CU_ASSERT_FALSE(p->tenant_found || p->member);
	CU_ASSERT_EQUAL(p->permissions.n, 0);
	CU_ASSERT_PTR_NULL(p->user.email);
	CU_ASSERT_TRUE(vs_uuid_is_nil(&p->user.id));
}

static void test_session_open_loads_principal_and_keeps_tx_open(void)
{
	struct world w;
	world_init(&w);
	struct vs_principal p;
	struct vs_error e = {0};
	const char *token = fake_access_token(w.a, &w.manager);
	CU_ASSERT_EQUAL_FATAL(open_as(&w, token, &w.acme, &p, &e), VS_OK);
	CU_ASSERT_EQUAL(e.code, VS_OK);
	CU_ASSERT_TRUE(p.authenticated);
	CU_ASSERT_TRUE(vs_uuid_eq(&p.user.id, &w.manager));
	CU_ASSERT_STRING_EQUAL(ut_str(p.user.email), "manager@example.com");
	CU_ASSERT_FALSE(p.user.is_superuser);
	CU_ASSERT_PTR_NULL(p.user.password_hash);
	CU_ASSERT_TRUE(p.tenant_found);
	CU_ASSERT_TRUE(p.member);
	/* Managers ∪ Viewer in acme, sorted, each code once (Viewer's three are in both). */
	const char *want[] = {"permission:assign", "permission:read", "role:assign_users",
			      "role:create",	   "role:delete",     "role:read",
			      "role:update",	   "tenant:read",     "tenant:view_users",
			      "user:create",	   "user:read",	      "user:update",
			      "vm:read"};
	CU_ASSERT_EQUAL_FATAL(p.permissions.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < p.permissions.n; i++)
		CU_ASSERT_STRING_EQUAL(ut_str(p.permissions.codes[i]), want[i]);
	CU_ASSERT_FALSE(vs_permset_has(&p.permissions, "vm:create"));
	CU_ASSERT_EQUAL_FATAL(p.user.nroles, 2);
	CU_ASSERT_STRING_EQUAL(ut_str(p.user.roles[0]), "Managers");
	CU_ASSERT_STRING_EQUAL(ut_str(p.user.roles[1]), "Viewer");

	/* One transaction, still open, scoped to acme and the manager. */
	CU_ASSERT_EQUAL(w.db->depth, 1);
	CU_ASSERT_EQUAL(w.db->begins, 1);
	CU_ASSERT_EQUAL(w.db->commits + w.db->rollbacks, 0);
	CU_ASSERT_EQUAL(fake_called(w.db, "users.principal"), 1);
	CU_ASSERT_TRUE(w.db->scope.given);
	CU_ASSERT_TRUE(w.db->scope.has_tenant && vs_uuid_eq(&w.db->scope.tenant, &w.acme));
	CU_ASSERT_TRUE(w.db->scope.has_user && vs_uuid_eq(&w.db->scope.user, &w.manager));
	CU_ASSERT_FALSE(w.db->scope.operator);
	/* The principal was read inside it, not before. */
	CU_ASSERT_EQUAL_FATAL(w.db->njournal, 2);
	CU_ASSERT_STRING_EQUAL(w.db->journal[0], "begin");
	CU_ASSERT_STRING_EQUAL(w.db->journal[1], "users.principal");

	CU_ASSERT_EQUAL(vs_auth_close(&w.app, true), VS_OK);
	CU_ASSERT_EQUAL(w.db->commits, 1);
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

static void test_session_open_without_tenant_or_outside_it(void)
{
	struct world w;
	world_init(&w);
	struct vs_principal p;
	struct vs_error e = {0};
	/* No tenant in context: nothing about one, and none in the scope. */
	CU_ASSERT_EQUAL_FATAL(open_as(&w, fake_access_token(w.a, &w.ann), NULL, &p, &e), VS_OK);
	CU_ASSERT_TRUE(p.authenticated);
	CU_ASSERT_FALSE(p.tenant_found || p.member);
	CU_ASSERT_EQUAL(p.permissions.n, 0);
	CU_ASSERT_TRUE(w.db->scope.given);
	CU_ASSERT_FALSE(w.db->scope.has_tenant);
	CU_ASSERT_TRUE(vs_uuid_eq(&w.db->scope.user, &w.ann));
	CU_ASSERT_EQUAL(vs_auth_close(&w.app, true), VS_OK);

	/* A tenant gus is not a member of: found, not a member, no codes from elsewhere. */
	CU_ASSERT_EQUAL_FATAL(open_as(&w, fake_access_token(w.a, &w.gus), &w.acme, &p, &e), VS_OK);
	CU_ASSERT_TRUE(p.tenant_found);
	CU_ASSERT_FALSE(p.member);
	CU_ASSERT_EQUAL(p.permissions.n, 0);
	CU_ASSERT_TRUE(vs_uuid_eq(&w.db->scope.tenant, &w.acme));
	CU_ASSERT_EQUAL(vs_auth_close(&w.app, true), VS_OK);

	/* A tenant that does not exist. */
	vs_uuid nowhere;
	vs_uuid_v4(&nowhere);
	CU_ASSERT_EQUAL_FATAL(open_as(&w, fake_access_token(w.a, &w.gus), &nowhere, &p, &e),
			      VS_OK);
	CU_ASSERT_FALSE(p.tenant_found);
	CU_ASSERT_FALSE(p.member);
	CU_ASSERT_EQUAL(vs_auth_close(&w.app, false), VS_OK);

	/* A superuser: loaded as such, holding no role anywhere. */
	CU_ASSERT_EQUAL_FATAL(open_as(&w, fake_access_token(w.a, &w.root), &w.acme, &p, &e),
			      VS_OK);
	CU_ASSERT_TRUE(p.authenticated && p.user.is_superuser);
	CU_ASSERT_TRUE(p.tenant_found);
	CU_ASSERT_FALSE(p.member);
	CU_ASSERT_EQUAL(vs_auth_close(&w.app, true), VS_OK);
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

static void test_session_bad_or_expired_token_opens_nothing(void)
{
	struct world w;
	world_init(&w);
	const char *good = fake_access_token(w.a, &w.ann);
	char *tampered = vs_arena_strdup(w.a, good);
	size_t len = strlen(tampered);
	tampered[len - 2] = tampered[len - 2] == 'A' ? 'B' : 'A'; /* the signature */
	const char *bad[] = {"", "garbage", "a.b.c", tampered,
			     "vsrt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vs_principal p;
		memset(&p, 0xA5, sizeof(p)); /* whatever was there is wiped */
		struct vs_error e = {0};
		CU_ASSERT_EQUAL(open_as(&w, bad[i], &w.acme, &p, &e), VS_UNAUTHORIZED);
		CU_ASSERT_EQUAL(e.code, VS_UNAUTHORIZED);
		CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Could not validate credentials");
		assert_zeroed(&p);
	}
	fake_clock_advance(FAKE_ACCESS_TTL + VS_JWT_LEEWAY_SECONDS);
	struct vs_principal p;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(open_as(&w, good, &w.acme, &p, &e), VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Could not validate credentials");
	assert_zeroed(&p);
	/* Decided from the token alone: no transaction, no call. */
	CU_ASSERT_EQUAL(w.db->calls, 0);
	CU_ASSERT_EQUAL(w.db->begins, 0);
	CU_ASSERT_EQUAL(w.db->depth, 0);
	world_free(&w);
}

static void test_session_token_of_deleted_user_is_401_and_rolled_back(void)
{
	struct world w;
	world_init(&w);
	const char *token = fake_access_token(w.a, &w.ann);
	fake_drop_user(w.db, &w.ann);
	struct vs_principal p;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(open_as(&w, token, &w.acme, &p, &e), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(e.code, VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Could not validate credentials");
	assert_zeroed(&p);
	CU_ASSERT_EQUAL(w.db->begins, 1);
	CU_ASSERT_EQUAL(w.db->rollbacks, 1);
	CU_ASSERT_EQUAL(w.db->commits, 0);
	CU_ASSERT_EQUAL(w.db->stray_rollbacks, 0);
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

static void test_session_inactive_user_is_401_and_rolled_back(void)
{
	struct world w;
	world_init(&w);
	const char *token = fake_access_token(w.a, &w.idle);
	struct vs_principal p;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(open_as(&w, token, &w.acme, &p, &e), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(e.code, VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Inactive user");
	/* Nothing of what was loaded is left for a careless caller. */
	assert_zeroed(&p);
	CU_ASSERT_EQUAL(w.db->rollbacks, 1);
	CU_ASSERT_EQUAL(w.db->commits, 0);
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

struct open_ctx {
	struct world *w;
	const char *token;
};

static enum vs_err open_close_op(void *ctx, struct vs_error *e)
{
	struct open_ctx *c = ctx;
	struct vs_principal p;
	enum vs_err rc = open_as(c->w, c->token, &c->w->acme, &p, e);
	if (rc != VS_OK)
		return rc;
	rc = vs_auth_close(&c->w->app, true);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

static void test_session_database_faults_are_503_never_401(void)
{
	struct world w;
	world_init(&w);
	struct open_ctx ctx = {&w, fake_access_token(w.a, &w.ann)};
	/* begin, users.principal, commit. */
	CU_ASSERT_EQUAL(fake_inject_each_call(w.db, "session", open_close_op, &ctx), 3);
	/* A failed begin leaves nothing to roll back. */
	fake_reset_journal(w.db);
	w.db->fail_after = 1;
	struct vs_principal p;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(open_as(&w, ctx.token, &w.acme, &p, &e), VS_UNAVAILABLE);
	CU_ASSERT_EQUAL(e.code, VS_UNAVAILABLE);
	assert_zeroed(&p);
	CU_ASSERT_EQUAL(w.db->stray_rollbacks, 0);
	CU_ASSERT_EQUAL(w.db->depth, 0);
	/* A failed principal read is rolled back and is not an authentication failure. */
	fake_reset_journal(w.db);
	w.db->fail_after = 2;
	e = (struct vs_error){0};
	CU_ASSERT_EQUAL(open_as(&w, ctx.token, &w.acme, &p, &e), VS_UNAVAILABLE);
	CU_ASSERT_EQUAL(e.code, VS_UNAVAILABLE);
	assert_zeroed(&p);
	CU_ASSERT_EQUAL(w.db->rollbacks, 1);
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

/* The request's writes live and die with the session's transaction. */
static void test_session_close_commits_or_rolls_back_the_request(void)
{
	struct world w;
	world_init(&w);
	struct vs_user_input in = {.first_name = {.set = true, .p = "Annie", .len = 5}};
	struct vs_user u;
	struct vs_error e = {0};
	struct fake_store *before = WORLD_SNAPSHOT(&w);

	const struct vs_principal *p = world_enter(&w, &w.ann, &w.acme);
	CU_ASSERT_EQUAL_FATAL(vs_users_update_me(&w.app, w.a, p, &w.acme, &in, &u, &e), VS_OK);
	/* The use case's own transaction nested: nothing reached the store yet. */
	CU_ASSERT_EQUAL(w.db->depth, 1);
	CU_ASSERT_EQUAL(fake_called(w.db, "tx.nested_begin"), 1);
	CU_ASSERT_EQUAL(fake_called(w.db, "tx.nested_commit"), 1);
	CU_ASSERT_EQUAL(fake_called(w.db, "commit"), 0);
	/* The scope stays the session's. */
	CU_ASSERT_TRUE(vs_uuid_eq(&w.db->scope.tenant, &w.acme));
	CU_ASSERT_TRUE(vs_uuid_eq(&w.db->scope.user, &w.ann));
	CU_ASSERT_EQUAL(world_leave(&w, false), VS_OK);
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	FAKE_ASSERT_TX_CLEAN(w.db);

	p = world_enter(&w, &w.ann, &w.acme);
	CU_ASSERT_EQUAL_FATAL(vs_users_update_me(&w.app, w.a, p, &w.acme, &in, &u, &e), VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_EQUAL(fake_called(w.db, "commit"), 1);
	CU_ASSERT_STRING_EQUAL(ut_str(fake_user(w.db, &w.ann)->first_name), "Annie");
	FAKE_ASSERT_TX_CLEAN(w.db);
	free(before);
	world_free(&w);
}

/* A use case that failed inside the session dooms it: committing anyway (a dispatcher that
 * ignored the error) writes nothing and fails. */
static void test_session_close_after_a_failed_use_case_cannot_commit(void)
{
	struct world w;
	world_init(&w);
	struct vs_user_input first = {.first_name = {.set = true, .p = "Annie", .len = 5}};
	struct vs_user_input taken = {.email = {.set = true, .p = "gus@example.com", .len = 15}};
	struct vs_user u;
	struct vs_error e = {0}, conflict = {0};
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	const struct vs_principal *p = world_enter(&w, &w.ann, &w.acme);
	CU_ASSERT_EQUAL(vs_users_update_me(&w.app, w.a, p, &w.acme, &first, &u, &e), VS_OK);
	CU_ASSERT_EQUAL(vs_users_update_me(&w.app, w.a, p, &w.acme, &taken, &u, &conflict),
			VS_CONFLICT);
	CU_ASSERT_TRUE(w.db->doomed);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_INTERNAL);
	CU_ASSERT_EQUAL(w.db->doomed_commits, 1);
	CU_ASSERT_EQUAL(w.db->depth, 0);
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before)); /* "Annie" went too */
	free(before);
	world_free(&w);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_session_open_loads_principal_and_keeps_tx_open),
	    UT_TEST(test_session_open_without_tenant_or_outside_it),
	    UT_TEST(test_session_bad_or_expired_token_opens_nothing),
	    UT_TEST(test_session_token_of_deleted_user_is_401_and_rolled_back),
	    UT_TEST(test_session_inactive_user_is_401_and_rolled_back),
	    UT_TEST(test_session_database_faults_are_503_never_401),
	    UT_TEST(test_session_close_commits_or_rolls_back_the_request),
	    UT_TEST(test_session_close_after_a_failed_use_case_cannot_commit),
	    UT_END,
	};
	ut_add_suite("auth: request session", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
