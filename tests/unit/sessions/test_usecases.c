/* lib/app/auth.c on fake repositories: login, refresh-token rotation and reuse detection,
 * logout. (Bearer tokens: test_session.c; the authorization decision: test_authorize.c.) */
#include "suites.h"

#include "core/crypto.h"
#include "core/jwt.h"
#include "fakes/fakes.h"
#include "sessions/usecases.h"

#include <argon2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0	    ((int64_t)1795428000)
#define REFRESH_LEN 48 /* "vsrt_" + 43 base64url characters (256 bits) */

struct env {
	struct fake_db *db;
	struct vs_app app;
	struct vs_arena *a;
	vs_uuid alice, bob, carol; /* carol is inactive */
	vs_uuid tenant, member_role;
};

static void env_init(struct env *x)
{
	fake_clock_set(T0);
	x->db = fake_db_new();
	fake_app_init(&x->app, x->db);
	x->a = vs_arena_new();
	const char *hash = fake_password_hash();
	x->alice = fake_seed_user(x->db, "alice@example.com", hash, true, false);
	x->bob = fake_seed_user(x->db, "bob@example.com", hash, true, false);
	x->carol = fake_seed_user(x->db, "carol@example.com", hash, false, false);
	x->tenant = fake_seed_tenant(x->db, "Acme", "acme");
	x->member_role = fake_seed_role(x->db, "Member", NULL);
	fake_seed_grant(x->db, &x->tenant, &x->alice, &x->member_role);
}

static void env_free(struct env *x)
{
	vs_arena_free(x->a);
	fake_db_free(x->db);
}

static enum vs_err login(struct env *x, const char *email, const char *password,
			 struct vs_token_pair *out, struct vs_error *e)
{
	return vs_sessions_login(&x->app, x->a, email, password, strlen(password), out, e);
}

static enum vs_err refresh(struct env *x, const char *token, struct vs_token_pair *out,
			   struct vs_error *e)
{
	return vs_sessions_refresh(&x->app, x->a, token, strlen(token), out, e);
}

/* Logs alice in (must succeed) and clears the journal. */
static struct vs_token_pair login_alice(struct env *x)
{
	struct vs_token_pair p = {0};
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(login(x, "alice@example.com", FAKE_PASSWORD, &p, &e), VS_OK);
	fake_reset_journal(x->db);
	return p;
}

/* The stored session of token; the test stops here if there is none. */
static struct fake_session_row *session_of(struct env *x, const char *token)
{
	struct fake_session_row *s = fake_session_by_token(x->db, token);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

static struct fake_user_row *user_row(struct env *x, const vs_uuid *id)
{
	struct fake_user_row *r = fake_user(x->db, id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	return r;
}

static struct vs_principal principal_of(const vs_uuid *id, bool superuser)
{
	struct vs_principal p = {.authenticated = true};
	p.user.id = *id;
	p.user.is_superuser = superuser;
	return p;
}

/* ---- login ---- */

static void test_auth_login_returns_tokens_that_verify(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair p = {0};
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(login(&x, "alice@example.com", FAKE_PASSWORD, &p, &e), VS_OK);
	CU_ASSERT_EQUAL(e.code, VS_OK);
	CU_ASSERT_EQUAL(p.expires_in, FAKE_ACCESS_TTL);

	struct vs_access_claims c;
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.access_token);
	CU_ASSERT_EQUAL_FATAL(vs_jwt_verify(x.a, fake_jwt_keys(), p.access_token,
					    strlen(p.access_token), fake_now(), &c),
			      VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&c.sub, &x.alice));
	CU_ASSERT_EQUAL(c.iat, T0);
	CU_ASSERT_EQUAL(c.exp, T0 + FAKE_ACCESS_TTL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p.refresh_token);
	CU_ASSERT_EQUAL(strlen(p.refresh_token), REFRESH_LEN);
	CU_ASSERT_EQUAL(strncmp(p.refresh_token, VS_REFRESH_TOKEN_PREFIX, 5), 0);
	CU_ASSERT_EQUAL(strspn(p.refresh_token + 5,
			       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
			       "vwxyz0123456789-_"),
			REFRESH_LEN - 5);

	/* Stored by its SHA-256, as the first of a new family, never in clear. */
	CU_ASSERT_EQUAL(x.db->store.nsessions, 1);
	struct fake_session_row *s = fake_session_by_token(x.db, p.refresh_token);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_TRUE(vs_uuid_eq(&s->t.user_id, &x.alice));
	CU_ASSERT_TRUE(vs_uuid_eq(&s->t.family_id, &s->t.id));
	CU_ASSERT_EQUAL(s->t.expires_at, T0 + FAKE_REFRESH_TTL);
	CU_ASSERT_FALSE(s->t.rotated || s->t.revoked);

	CU_ASSERT_EQUAL(x.db->begins, 1);
	CU_ASSERT_EQUAL(x.db->commits, 1);
	CU_ASSERT_EQUAL(x.db->rollbacks, 0);
	FAKE_ASSERT_TX_CLEAN(x.db);
	env_free(&x);
}

static void test_auth_login_email_is_case_insensitive(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair p = {0};
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(login(&x, "ALICE@Example.COM", FAKE_PASSWORD, &p, &e), VS_OK);
	env_free(&x);
}

static void test_auth_login_unknown_email_and_wrong_password_look_the_same(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair p = {0};
	struct vs_error unknown = {0}, wrong = {0};
	CU_ASSERT_EQUAL(login(&x, "nobody@example.com", FAKE_PASSWORD, &p, &unknown),
			VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(login(&x, "alice@example.com", "wrong password!", &p, &wrong),
			VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(unknown.code, VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(wrong.code, VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(unknown.detail), "Incorrect email or password");
	CU_ASSERT_STRING_EQUAL(ut_str(wrong.detail), "Incorrect email or password");
	CU_ASSERT_EQUAL(x.db->store.nsessions, 0);
	/* Each failure is one event of its own (the same for both), and nothing else. */
	CU_ASSERT_EQUAL_FATAL(fake_audit_count(x.db), 2);
	for (size_t i = 0; i < 2; i++) {
		const char *ev = fake_audit_event(x.db, i);
		CU_ASSERT_PTR_NOT_NULL(strstr(ev, "\"action\":\"auth.login_failed\""));
		CU_ASSERT_PTR_NOT_NULL(strstr(ev, "\"outcome\":\"failure\""));
		CU_ASSERT_PTR_NULL(strstr(ev, "wrong password")); /* never the password */
	}
	env_free(&x);
}

static void test_auth_login_inactive_user(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair p = {0};
	struct vs_error right = {0}, wrong = {0};
	CU_ASSERT_EQUAL(login(&x, "carol@example.com", FAKE_PASSWORD, &p, &right), VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(right.detail), "Inactive user");
	/* Without the password, an inactive account is not revealed. */
	CU_ASSERT_EQUAL(login(&x, "carol@example.com", "wrong password!", &p, &wrong),
			VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(wrong.detail), "Incorrect email or password");
	CU_ASSERT_EQUAL(x.db->store.nsessions, 0);
	FAKE_ASSERT_TX_CLEAN(x.db);
	env_free(&x);
}

static void test_auth_login_rehashes_a_hash_with_old_parameters(void)
{
	struct env x;
	env_init(&x);
	const unsigned char salt[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	char old[VS_PASSWORD_HASH_MAX];
	CU_ASSERT_EQUAL_FATAL(argon2id_hash_encoded(1, 19456, 1, FAKE_PASSWORD,
						    strlen(FAKE_PASSWORD), salt, sizeof(salt), 32,
						    old, sizeof(old)),
			      ARGON2_OK);
	vs_uuid dave = fake_seed_user(x.db, "dave@example.com", old, true, false);
	struct vs_token_pair p = {0};
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(login(&x, "dave@example.com", FAKE_PASSWORD, &p, &e), VS_OK);
	const struct fake_user_row *r = fake_user(x.db, &dave);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_NOT_EQUAL(ut_str(r->password_hash), old);
	CU_ASSERT_FALSE(vs_password_needs_rehash(r->password_hash));
	CU_ASSERT_EQUAL(fake_called(x.db, "users.update"), 1);
	CU_ASSERT_EQUAL(x.db->commits, 1);
	env_free(&x);
}

struct login_ctx {
	struct env *x;
};

static enum vs_err login_op(void *ctx, struct vs_error *e)
{
	struct env *x = ((struct login_ctx *)ctx)->x;
	struct vs_token_pair p = {0};
	return login(x, "alice@example.com", FAKE_PASSWORD, &p, e);
}

static void test_auth_login_fails_cleanly_on_each_repository_fault(void)
{
	struct env x;
	env_init(&x);
	struct login_ctx ctx = {&x};
	/* get_by_email, begin, sessions.insert, audit, commit. */
	CU_ASSERT_EQUAL(fake_inject_each_call(x.db, "login", login_op, &ctx), 5);
	env_free(&x);
}

/* ---- refresh ---- */

static void test_auth_refresh_rotates_within_the_family(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair first = login_alice(&x), next = {0};
	struct vs_error e = {0};
	fake_clock_advance(60);
	CU_ASSERT_EQUAL_FATAL(refresh(&x, first.refresh_token, &next, &e), VS_OK);
	CU_ASSERT_STRING_NOT_EQUAL(ut_str(next.refresh_token), first.refresh_token);
	CU_ASSERT_EQUAL(strlen(next.refresh_token), REFRESH_LEN);

	struct fake_session_row *old = fake_session_by_token(x.db, first.refresh_token);
	struct fake_session_row *new = fake_session_by_token(x.db, next.refresh_token);
	CU_ASSERT_PTR_NOT_NULL_FATAL(old);
	CU_ASSERT_PTR_NOT_NULL_FATAL(new);
	CU_ASSERT_TRUE(old->t.rotated);
	CU_ASSERT_FALSE(old->t.revoked);
	CU_ASSERT_TRUE(vs_uuid_eq(&new->t.family_id, &old->t.family_id));
	CU_ASSERT_FALSE(vs_uuid_eq(&new->t.id, &old->t.id));
	CU_ASSERT_TRUE(vs_uuid_eq(&new->t.user_id, &x.alice));
	CU_ASSERT_FALSE(new->t.rotated || new->t.revoked);
	CU_ASSERT_EQUAL(new->t.expires_at, T0 + 60 + FAKE_REFRESH_TTL);

	struct vs_access_claims c;
	CU_ASSERT_EQUAL(vs_jwt_verify(x.a, fake_jwt_keys(), next.access_token,
				      strlen(next.access_token), fake_now(), &c),
			VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&c.sub, &x.alice));
	CU_ASSERT_EQUAL(x.db->commits, 1);
	CU_ASSERT_EQUAL(x.db->rollbacks, 0);
	FAKE_ASSERT_TX_CLEAN(x.db);
	env_free(&x);
}

static void test_auth_refresh_reuse_revokes_the_whole_family_and_commits(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair first = login_alice(&x), second = {0}, third = {0};
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(refresh(&x, first.refresh_token, &second, &e), VS_OK);
	vs_uuid family = session_of(&x, first.refresh_token)->t.family_id;
	fake_reset_journal(x.db);

	/* The spent token comes back: someone copied it. */
	struct vs_error reuse = {0};
	CU_ASSERT_EQUAL(refresh(&x, first.refresh_token, &third, &reuse), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(reuse.code, VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(reuse.detail), "Invalid or expired refresh token");
	CU_ASSERT_EQUAL(fake_called(x.db, "sessions.revoke_family"), 1);
	CU_ASSERT_EQUAL_FATAL(x.db->nrevoked, 1);
	CU_ASSERT_TRUE(vs_uuid_eq(&x.db->revoked_families[0], &family));
	/* The revocation is committed, not rolled back with the refused request. */
	CU_ASSERT_EQUAL(x.db->commits, 1);
	CU_ASSERT_EQUAL(x.db->rollbacks, 0);
	CU_ASSERT_TRUE(session_of(&x, first.refresh_token)->t.revoked);
	CU_ASSERT_TRUE(session_of(&x, second.refresh_token)->t.revoked);
	CU_ASSERT_EQUAL(x.db->store.nsessions, 2); /* no new token issued */
	FAKE_ASSERT_TX_CLEAN(x.db);

	/* The legitimate holder's current token is dead too. */
	struct vs_error after = {0};
	CU_ASSERT_EQUAL(refresh(&x, second.refresh_token, &third, &after), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(x.db->store.nsessions, 2);
	env_free(&x);
}

static void test_auth_refresh_rejects_expired_token(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair p = login_alice(&x), out = {0};
	struct vs_error e = {0};
	fake_clock_advance(FAKE_REFRESH_TTL);
	CU_ASSERT_EQUAL(refresh(&x, p.refresh_token, &out, &e), VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Invalid or expired refresh token");
	struct fake_session_row *s = session_of(&x, p.refresh_token);
	CU_ASSERT_FALSE(s->t.rotated);
	CU_ASSERT_EQUAL(x.db->store.nsessions, 1);
	CU_ASSERT_EQUAL(x.db->commits, 0);
	FAKE_ASSERT_TX_CLEAN(x.db);
	/* One second earlier it still works. */
	fake_clock_advance(-1);
	struct vs_error ok = {0};
	CU_ASSERT_EQUAL(refresh(&x, p.refresh_token, &out, &ok), VS_OK);
	env_free(&x);
}

static void test_auth_refresh_malformed_token_makes_no_repository_call(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair p = login_alice(&x), out = {0};
	char wrong_prefix[REFRESH_LEN + 1], too_long[REFRESH_LEN + 2];
	memcpy(wrong_prefix, p.refresh_token, REFRESH_LEN + 1);
	memcpy(wrong_prefix, "vsak_", 5);
	snprintf(too_long, sizeof(too_long), "%sA", p.refresh_token);
	const char *bad[] = {"", "vsrt_", "vsrt_short", wrong_prefix, too_long, p.access_token};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vs_error e = {0};
		CU_ASSERT_EQUAL(refresh(&x, bad[i], &out, &e), VS_UNAUTHORIZED);
		CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Invalid or expired refresh token");
	}
	/* Cut short by length only. */
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_sessions_refresh(&x.app, x.a, p.refresh_token, REFRESH_LEN - 1, &out, &e),
			VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(x.db->calls, 0);
	CU_ASSERT_EQUAL(x.db->njournal, 0);
	env_free(&x);
}

static void test_auth_refresh_unknown_token_is_rolled_back(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair out = {0};
	struct vs_error e = {0};
	const char *unknown = "vsrt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	CU_ASSERT_EQUAL_FATAL(strlen(unknown), REFRESH_LEN);
	CU_ASSERT_EQUAL(refresh(&x, unknown, &out, &e), VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Invalid or expired refresh token");
	CU_ASSERT_EQUAL(x.db->store.nsessions, 0);
	CU_ASSERT_EQUAL(x.db->commits, 0);
	FAKE_ASSERT_TX_CLEAN(x.db);
	env_free(&x);
}

static void test_auth_refresh_refuses_inactive_user(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair p = login_alice(&x), out = {0};
	struct vs_error e = {0};
	user_row(&x, &x.alice)->is_active = false;
	CU_ASSERT_EQUAL(refresh(&x, p.refresh_token, &out, &e), VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Inactive user");
	CU_ASSERT_FALSE(session_of(&x, p.refresh_token)->t.rotated);
	CU_ASSERT_EQUAL(x.db->store.nsessions, 1);
	CU_ASSERT_EQUAL(x.db->commits, 0);
	FAKE_ASSERT_TX_CLEAN(x.db);
	env_free(&x);
}

static void test_auth_refresh_refuses_token_of_missing_user(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair p = login_alice(&x), out = {0};
	struct vs_error e = {0};
	/* A session whose user no longer exists (no cascade in between, e.g. a race). */
	vs_uuid_v4(&session_of(&x, p.refresh_token)->t.user_id);
	CU_ASSERT_EQUAL(refresh(&x, p.refresh_token, &out, &e), VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Invalid or expired refresh token");
	CU_ASSERT_FALSE(session_of(&x, p.refresh_token)->t.rotated);
	CU_ASSERT_EQUAL(x.db->store.nsessions, 1);
	FAKE_ASSERT_TX_CLEAN(x.db);
	env_free(&x);
}

struct refresh_ctx {
	struct env *x;
	const char *token;
};

static enum vs_err refresh_op(void *ctx, struct vs_error *e)
{
	struct refresh_ctx *c = ctx;
	struct vs_token_pair out = {0};
	return refresh(c->x, c->token, &out, e);
}

static void test_auth_refresh_fails_cleanly_on_each_repository_fault(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair p = login_alice(&x);
	struct refresh_ctx ctx = {&x, p.refresh_token};
	/* begin, take, users.get, mark_rotated, sessions.insert, audit, commit. */
	CU_ASSERT_EQUAL(fake_inject_each_call(x.db, "refresh", refresh_op, &ctx), 7);
	env_free(&x);
}

static enum vs_err reuse_op(void *ctx, struct vs_error *e)
{
	struct refresh_ctx *c = ctx;
	struct vs_token_pair out = {0};
	enum vs_err rc = refresh(c->x, c->token, &out, e);
	/* The expected outcome of a reuse is a 401 after a committed revocation. */
	if (rc == VS_UNAUTHORIZED && !c->x->db->injected)
		return VS_OK;
	return rc;
}

static void test_auth_refresh_reuse_fails_cleanly_on_each_repository_fault(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair p = login_alice(&x), second = {0};
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(refresh(&x, p.refresh_token, &second, &e), VS_OK);
	struct refresh_ctx ctx = {&x, p.refresh_token};
	/* begin, take, revoke_family, users.get (the actor), audit, commit: a failed
	 * revocation must not half-happen. */
	CU_ASSERT_EQUAL(fake_inject_each_call(x.db, "refresh reuse", reuse_op, &ctx), 6);
	env_free(&x);
}

/* ---- logout ---- */

static void test_auth_logout_revokes_own_family(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair p = login_alice(&x), out = {0};
	struct vs_principal alice = principal_of(&x.alice, false);
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(
	    vs_sessions_logout(&x.app, x.a, &alice, p.refresh_token, strlen(p.refresh_token), &e),
	    VS_OK);
	CU_ASSERT_TRUE(session_of(&x, p.refresh_token)->t.revoked);
	CU_ASSERT_EQUAL(x.db->commits, 1);
	FAKE_ASSERT_TX_CLEAN(x.db);
	struct vs_error after = {0};
	CU_ASSERT_EQUAL(refresh(&x, p.refresh_token, &out, &after), VS_UNAUTHORIZED);
	env_free(&x);
}

static void test_auth_logout_leaves_another_users_token_alone(void)
{
	struct env x;
	env_init(&x);
	struct vs_token_pair p = login_alice(&x), out = {0};
	struct vs_principal bob = principal_of(&x.bob, false);
	struct vs_error e = {0};
	/* Not reported (RFC 7009), but nothing happens to alice's login. */
	CU_ASSERT_EQUAL(
	    vs_sessions_logout(&x.app, x.a, &bob, p.refresh_token, strlen(p.refresh_token), &e), VS_OK);
	CU_ASSERT_FALSE(session_of(&x, p.refresh_token)->t.revoked);
	CU_ASSERT_EQUAL(fake_called(x.db, "sessions.revoke_family"), 0);
	FAKE_ASSERT_TX_CLEAN(x.db);
	struct vs_error still = {0};
	CU_ASSERT_EQUAL(refresh(&x, p.refresh_token, &out, &still), VS_OK);
	env_free(&x);
}

static void test_auth_logout_malformed_or_unknown_token_is_quietly_ok(void)
{
	struct env x;
	env_init(&x);
	struct vs_principal alice = principal_of(&x.alice, false);
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(vs_sessions_logout(&x.app, x.a, &alice, "nonsense", 8, &e), VS_OK);
	CU_ASSERT_EQUAL(x.db->calls, 0);
	const char *unknown = "vsrt_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
	CU_ASSERT_EQUAL(vs_sessions_logout(&x.app, x.a, &alice, unknown, strlen(unknown), &e), VS_OK);
	CU_ASSERT_EQUAL(e.code, VS_OK);
	FAKE_ASSERT_TX_CLEAN(x.db);
	env_free(&x);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_auth_login_returns_tokens_that_verify),
	    UT_TEST(test_auth_login_email_is_case_insensitive),
	    UT_TEST(test_auth_login_unknown_email_and_wrong_password_look_the_same),
	    UT_TEST(test_auth_login_inactive_user),
	    UT_TEST(test_auth_login_rehashes_a_hash_with_old_parameters),
	    UT_TEST(test_auth_login_fails_cleanly_on_each_repository_fault),
	    UT_TEST(test_auth_refresh_rotates_within_the_family),
	    UT_TEST(test_auth_refresh_reuse_revokes_the_whole_family_and_commits),
	    UT_TEST(test_auth_refresh_rejects_expired_token),
	    UT_TEST(test_auth_refresh_malformed_token_makes_no_repository_call),
	    UT_TEST(test_auth_refresh_unknown_token_is_rolled_back),
	    UT_TEST(test_auth_refresh_refuses_inactive_user),
	    UT_TEST(test_auth_refresh_refuses_token_of_missing_user),
	    UT_TEST(test_auth_refresh_fails_cleanly_on_each_repository_fault),
	    UT_TEST(test_auth_refresh_reuse_fails_cleanly_on_each_repository_fault),
	    UT_TEST(test_auth_logout_revokes_own_family),
	    UT_TEST(test_auth_logout_leaves_another_users_token_alone),
	    UT_TEST(test_auth_logout_malformed_or_unknown_token_is_quietly_ok),
	    UT_END,
	};
	ut_add_suite("sessions: use cases", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
