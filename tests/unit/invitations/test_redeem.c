/* lib/invitations/redeem.c on the fakes, as the public routes run it (no session): the
 * token verified in one transaction scoped to the tenant it names, every unusable token
 * the same exact 400; accepting creates the user or links an existing one whose password
 * it checks, grants the role, marks the invitation accepted, all at once or not at all. */
#include "suites.h"

#include "auth/messages.h"
#include "invitations/inv_world.h"
#include "invitations/messages.h"
#include "sessions/messages.h"

#include <stdlib.h>
#include <string.h>

#define NOW 1795428000
#define DAY 86400
#define NEW_PASSWORD "a new password 123"

static enum vs_err verify(struct inv_world *iw, const char *token, struct vs_invitation *out,
			  struct vs_error *e)
{
	return vs_invitations_verify(&iw->w.app, iw->w.a, token, strlen(token), out, e);
}

static enum vs_err accept(struct inv_world *iw, const char *token, const char *password,
			  const char *first, struct vs_user *out, struct vs_error *e)
{
	struct vs_invitation_acceptance in = { .token = token,
					       .token_len = strlen(token),
					       .password = iw_str(password) };
	if (first)
		in.first_name = iw_str(first);
	return vs_invitations_accept(&iw->w.app, iw->w.a, &in, out, e);
}

/* The last transaction was scoped to acme, and to nothing else. */
static void assert_scoped_to_acme(struct inv_world *iw)
{
	const struct fake_scope *s = &iw->w.db->scope;
	CU_ASSERT_TRUE(s->given && s->has_tenant && vs_uuid_eq(&s->tenant, &iw->w.acme));
	CU_ASSERT_FALSE(s->has_user || s->operator);
}

static void test_verify_answers_what_the_invitee_needs(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation inv, got;
	const char *token;
	struct vs_error e = { 0 };
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "v@example.com", NULL, &inv, &token, &e),
			      VS_OK);
	fake_reset_journal(w->db);
	CU_ASSERT_EQUAL_FATAL(verify(&iw, token, &got, &e), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&got.id, &inv.id));
	CU_ASSERT_STRING_EQUAL(ut_str(got.email), "v@example.com");
	CU_ASSERT_TRUE(vs_uuid_eq(&got.tenant_id, &w->acme));
	CU_ASSERT_STRING_EQUAL(ut_str(got.tenant_name), "Acme");
	CU_ASSERT_STRING_EQUAL(ut_str(got.inviter_email), "ivy@example.com");
	CU_ASSERT_EQUAL(got.expires_at, NOW + 7 * DAY);
	CU_ASSERT_TRUE(vs_uuid_eq(&got.role_id, &w->member));
	assert_scoped_to_acme(&iw);
	FAKE_ASSERT_TX_CLEAN(w->db);
	CU_ASSERT_EQUAL(w->db->begins, 1);
	/* A good token names its tenant: the lookup runs in that scope only. */
	CU_ASSERT_EQUAL(fake_called(w->db, "invitations.find_by_hash"), 1);
	inv_world_free(&iw);
}

/* What cannot be a token of ours is refused before any lookup. */
static void test_verify_refuses_malformed_or_forged_tokens_unread(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation inv, got;
	const char *token;
	struct vs_error e = { 0 };
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "f@example.com", NULL, &inv, &token, &e),
			      VS_OK);
	char *changed = vs_arena_strdup(w->a, token);
	changed[40] = changed[40] == 'A' ? 'B' : 'A';
	char *longer = vs_arena_printf(w->a, "%sA", token);
	char *shorter = vs_arena_strndup(w->a, token, VS_INVITATION_TOKEN_LEN - 1);
	/* Made with another secret: a forger's, for this very invitation. */
	uint8_t other[VS_SHA256_LEN];
	struct vs_invitation_token t = { w->acme, inv.id, { 0 } };
	char forged[VS_INVITATION_TOKEN_LEN + 1];
	vs_invitation_token_key((const uint8_t *)"not-the-server-secret-0123456789!", 33, other);
	vs_invitation_token_make(other, &t, forged);
	const char *bad[] = { "", "garbage", changed, longer, shorter, forged,
			      "\xff\xfe not even text" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vs_error e2 = { 0 };
		fake_reset_journal(w->db);
		CU_ASSERT_EQUAL(verify(&iw, bad[i], &got, &e2), VS_BADREQ);
		CU_ASSERT_STRING_EQUAL(ut_str(e2.detail), VS_MSG_INVITATION_TOKEN_INVALID);
		CU_ASSERT_EQUAL(w->db->njournal, 0); /* nothing looked up, no transaction */
	}
	inv_world_free(&iw);
}

/* Every way a well-made token can be unusable gives the same answer. */
static void test_verify_refuses_unusable_invitations_alike(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation inv[4], got;
	const char *tokens[4];
	struct vs_error e = { 0 };
	const char *emails[] = { "rev@example.com", "acc@example.com", "exp@example.com",
				 "res@example.com" };
	for (size_t i = 0; i < 4; i++)
		CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, emails[i], NULL, &inv[i], &tokens[i], &e),
				      VS_OK);
	fake_invitation(iw.inv, &inv[0].id)->status = VS_INVITATION_REVOKED;
	fake_invitation(iw.inv, &inv[1].id)->status = VS_INVITATION_ACCEPTED;
	fake_invitation(iw.inv, &inv[2].id)->expires_at = NOW; /* expired this instant */
	/* resent: a new nonce and hash stored, the old token kept */
	vs_random_bytes(fake_invitation(iw.inv, &inv[3].id)->nonce, VS_INVITATION_NONCE_LEN);
	vs_random_bytes(fake_invitation(iw.inv, &inv[3].id)->token_hash, VS_SHA256_LEN);
	/* and a well-made token of an invitation that does not exist */
	uint8_t key[VS_SHA256_LEN];
	struct vs_invitation_token t = { w->acme, { { 0 } }, { 0 } };
	char ghost[VS_INVITATION_TOKEN_LEN + 1];
	vs_uuid_v4(&t.id);
	iw_token_key(key);
	vs_invitation_token_make(key, &t, ghost);
	const char *bad[] = { tokens[0], tokens[1], tokens[2], tokens[3], ghost };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vs_error e2 = { 0 };
		CU_ASSERT_EQUAL(verify(&iw, bad[i], &got, &e2), VS_BADREQ);
		CU_ASSERT_STRING_EQUAL(ut_str(e2.detail), VS_MSG_INVITATION_TOKEN_INVALID);
		FAKE_ASSERT_TX_CLEAN(w->db);
	}
	inv_world_free(&iw);
}

static void test_accept_as_a_new_user(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation inv;
	struct vs_user u;
	const char *token;
	struct vs_error e = { 0 };
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "Newbie@Example.com", NULL, &inv, &token, &e),
			      VS_OK);
	size_t users = w->db->store.nusers;
	fake_clock_advance(3600);
	fake_reset_journal(w->db);
	CU_ASSERT_EQUAL_FATAL(accept(&iw, token, NEW_PASSWORD, "Nora", &u, &e), VS_OK);
	assert_scoped_to_acme(&iw);
	FAKE_ASSERT_TX_CLEAN(w->db);
	CU_ASSERT_EQUAL(w->db->begins, 1); /* all of it in one transaction */

	/* The user as /users/me shows it, with its role in the tenant. */
	CU_ASSERT_STRING_EQUAL(ut_str(u.email), "newbie@example.com");
	CU_ASSERT_STRING_EQUAL(ut_str(u.first_name), "Nora");
	CU_ASSERT_PTR_NULL(u.last_name);
	CU_ASSERT_TRUE(u.is_active);
	CU_ASSERT_FALSE(u.is_superuser);
	CU_ASSERT_EQUAL_FATAL(u.nroles, 1);
	CU_ASSERT_STRING_EQUAL(ut_str(u.roles[0]), "Member");
	CU_ASSERT_PTR_NULL(u.password_hash);

	/* Stored: the user with the password, the role, the invitation accepted by it. */
	CU_ASSERT_EQUAL(w->db->store.nusers, users + 1);
	const struct fake_user_row *row = fake_user_by_email(w->db, "newbie@example.com");
	CU_ASSERT_PTR_NOT_NULL_FATAL(row);
	CU_ASSERT_TRUE(vs_password_verify(row->password_hash, NEW_PASSWORD, strlen(NEW_PASSWORD)));
	CU_ASSERT_TRUE(fake_has_grant(w->db, &w->acme, &row->id, &w->member));
	const struct fake_invitation_row *r = fake_invitation(iw.inv, &inv.id);
	CU_ASSERT_EQUAL(r->status, VS_INVITATION_ACCEPTED);
	CU_ASSERT_TRUE(r->has_user && vs_uuid_eq(&r->user_id, &row->id));
	CU_ASSERT_EQUAL(r->accepted_at, NOW + 3600);

	/* Twice: the same 400 as any spent token, and nothing changes. */
	struct iw_snapshot before;
	struct vs_error e2 = { 0 };
	iw_snap(&iw, &before);
	CU_ASSERT_EQUAL(accept(&iw, token, NEW_PASSWORD, NULL, &u, &e2), VS_BADREQ);
	CU_ASSERT_STRING_EQUAL(ut_str(e2.detail), VS_MSG_INVITATION_TOKEN_INVALID);
	CU_ASSERT_TRUE(iw_unchanged(&iw, &before));
	FAKE_ASSERT_TX_CLEAN(w->db);
	iw_snap_free(&before);
	inv_world_free(&iw);
}

static void test_accept_links_an_existing_account_after_its_password(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation inv;
	struct vs_user u;
	const char *token;
	struct vs_error e = { 0 };
	/* gus: a member of globex, invited into acme as Ops by its Tenant Admin */
	const struct vs_invitation_input in = { .email = iw_str("gus@example.com"),
						.tenant_id = { .set = true, .v = w->acme },
						.role_id = { .set = true, .v = w->acme_ops } };
	const struct vs_principal *p = world_enter(w, &w->admin, &w->acme);
	CU_ASSERT_EQUAL_FATAL(vs_invitations_create(&w->app, w->a, p, &w->acme, &in, &inv, &token, &e),
			      VS_OK);
	CU_ASSERT_EQUAL_FATAL(world_leave(w, true), VS_OK);

	/* A wrong password: 401 as at login, and nothing changes. */
	struct iw_snapshot before;
	iw_snap(&iw, &before);
	CU_ASSERT_EQUAL(accept(&iw, token, "not gus's password", NULL, &u, &e), VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), VS_MSG_LOGIN_FAILED);
	CU_ASSERT_TRUE(iw_unchanged(&iw, &before));
	FAKE_ASSERT_TX_CLEAN(w->db);
	iw_snap_free(&before);

	/* The right one: no new user, the role given, the names left as they were. */
	size_t users = w->db->store.nusers;
	struct vs_error e2 = { 0 };
	CU_ASSERT_EQUAL_FATAL(accept(&iw, token, FAKE_PASSWORD, "Ignored", &u, &e2), VS_OK);
	CU_ASSERT_EQUAL(w->db->store.nusers, users);
	CU_ASSERT_TRUE(vs_uuid_eq(&u.id, &w->gus));
	CU_ASSERT_PTR_NULL(u.first_name);
	CU_ASSERT_EQUAL_FATAL(u.nroles, 1);
	CU_ASSERT_STRING_EQUAL(ut_str(u.roles[0]), "Ops");
	CU_ASSERT_TRUE(fake_has_grant(w->db, &w->acme, &w->gus, &w->acme_ops));
	CU_ASSERT_TRUE(fake_has_grant(w->db, &w->globex, &w->gus, &w->member));
	CU_ASSERT_TRUE(vs_uuid_eq(&fake_invitation(iw.inv, &inv.id)->user_id, &w->gus));
	inv_world_free(&iw);
}

static void test_accept_by_an_inactive_account_is_refused(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation inv;
	struct vs_user u;
	const char *token;
	struct vs_error e = { 0 };
	fake_seed_user(w->db, "sleepy@example.com", fake_password_hash(), false, false);
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "sleepy@example.com", NULL, &inv, &token, &e),
			      VS_OK);
	struct iw_snapshot before;
	iw_snap(&iw, &before);
	CU_ASSERT_EQUAL(accept(&iw, token, FAKE_PASSWORD, NULL, &u, &e), VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), VS_MSG_INACTIVE_USER);
	CU_ASSERT_TRUE(iw_unchanged(&iw, &before));
	FAKE_ASSERT_TX_CLEAN(w->db);
	iw_snap_free(&before);
	inv_world_free(&iw);
}

struct accept_ctx {
	struct inv_world *iw;
	const char *token, *password;
};

static enum vs_err accept_op(void *ctx, struct vs_error *e)
{
	struct accept_ctx *c = ctx;
	struct vs_user u;
	return accept(c->iw, c->token, c->password, "Faulty", &u, e);
}

static void test_accept_faults_fail_cleanly_with_nothing_half_written(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation fresh, linked;
	const char *t1, *t2;
	struct vs_error e = { 0 };
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "new@example.com", NULL, &fresh, &t1, &e),
			      VS_OK);
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "loner@example.com", NULL, &linked, &t2, &e),
			      VS_OK);
	struct accept_ctx c = { &iw, t1, NEW_PASSWORD };
	CU_ASSERT(fake_inject_each_call(w->db, "accept as a new user", accept_op, &c) >= 7);
	CU_ASSERT_EQUAL(fake_invitation(iw.inv, &fresh.id)->status, VS_INVITATION_ACCEPTED);
	c = (struct accept_ctx){ &iw, t2, FAKE_PASSWORD };
	CU_ASSERT(fake_inject_each_call(w->db, "accept as loner", accept_op, &c) >= 7);
	CU_ASSERT_EQUAL(fake_invitation(iw.inv, &linked.id)->status, VS_INVITATION_ACCEPTED);
	inv_world_free(&iw);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
		UT_TEST(test_verify_answers_what_the_invitee_needs),
		UT_TEST(test_verify_refuses_malformed_or_forged_tokens_unread),
		UT_TEST(test_verify_refuses_unusable_invitations_alike),
		UT_TEST(test_accept_as_a_new_user),
		UT_TEST(test_accept_links_an_existing_account_after_its_password),
		UT_TEST(test_accept_by_an_inactive_account_is_refused),
		UT_TEST(test_accept_faults_fail_cleanly_with_nothing_half_written),
		UT_END,
	};
	ut_add_suite("invitations: verifying and accepting", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
