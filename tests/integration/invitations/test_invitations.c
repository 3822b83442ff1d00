/*
 * Invitations (API.md §5 "Invitations", §7) against the real stack, every case of the
 * original service: create (201 with the token), verify (the fields; every unusable token
 * the exact 400), accept as a new user (who then logs in with the role) and as an existing
 * one (right and wrong password), accepting twice and at once, revoke, resend (the old
 * token dead, the new one good), the list by status, expiry, another tenant's invitation,
 * members, bad input; and the invitation.email job in jobs.jobs for create and resend,
 * none for a refused create. Tenant A's Tenant Admin invites (rbac_world.h).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "db_keys.h"
#include "fixtures.h"
#include "http.h"
#include "inv_util.h"
#include "json_get.h"
#include "pg_util.h"
#include "rbac_world.h"
#include "suites.h"
#include "util.h"

#define PASSWORD "Invited-pw-42"

static struct rbac_world world;
static bool world_tried, world_ok;
static char **accounts; /* users made by accepting: deleted at cleanup */
static size_t naccounts;

static struct rbac_world *get_world(void)
{
	if (!world_tried) {
		world_tried = true;
		world_ok = rw_build(&world);
		fx_remember_secret(PASSWORD);
	}
	EXPECT(world_ok, "could not build tenants A and B and their users "
			 "(the first failure above says why)");
	return world_ok ? &world : NULL;
}

static const char *admin_a(void)
{
	return rw_token(&world, P_TADMIN);
}

static void keep_account(const char *id)
{
	if (!id)
		return;
	accounts = xrealloc(accounts, (naccounts + 1) * sizeof(*accounts));
	accounts[naccounts++] = xstrdup(id);
}

static int suite_cleanup(void)
{
	for (size_t i = 0; i < naccounts; i++) {
		fx_delete_user(accounts[i]);
		free(accounts[i]);
	}
	free(accounts);
	accounts = NULL;
	naccounts = 0;
	if (world_tried)
		rw_free(&world);
	world_tried = world_ok = false;
	inv_owner_db_close();
	return 0;
}

/* POST /invitations/{id}/<verb> as A's Tenant Admin in A, with body (or none). */
static struct resp *act(const char *id, const char *verb, const char *body)
{
	char *path = xasprintf(INV_PATH "/%s/%s", id, verb);
	struct resp *r = req("POST", path, admin_a(), world.tenant_a, body);
	free(path);
	return r;
}

/* The Invitation object of API.md, with no token unless asked. */
static void expect_invitation(struct resp *r, struct json_object *o, const char *status,
			      bool with_token)
{
	static const char *const keys[] = { "id",	  "email",	"tenant_id", "role_id",
					    "status",	  "inviter_id", "user_id",   "expires_at",
					    "accepted_at", "created_at", "updated_at", NULL };
	for (size_t i = 0; keys[i]; i++)
		EXPECT(jhas(o, keys[i]), "the invitation lacks %s: %s", keys[i], resp_summary(r));
	EXPECT_STR(o, "status", status);
	EXPECT(is_uuid(jstr(o, "id")) && is_uuid(jstr(o, "role_id")) &&
		       is_rfc3339_utc(jstr(o, "expires_at")) && is_rfc3339_utc(jstr(o, "created_at")),
	       "ids and times: %s", resp_summary(r));
	EXPECT(jhas(o, "token") == with_token, "token %s expected: %s", with_token ? "" : "not",
	       resp_summary(r));
	EXPECT(!jhas(o, "token_hash") && !jhas(o, "nonce"), "stored secrets shown: %s",
	       resp_summary(r));
}

/* ---- create, verify ---- */

static void test_create_answers_the_invitation_with_its_token(void)
{
	struct rbac_world *w = get_world();
	if (!w)
		return;
	char *lower = fx_email("mixed"), *mixed = xstrdup(lower);
	mixed[0] = 'M'; /* "Mixed-…@example.com" */
	char *body = xasprintf("{\"email\":\"%s\",\"tenant_id\":\"%s\"}", mixed, w->tenant_a);
	struct resp *r = req("POST", INV_PATH, admin_a(), w->tenant_a, body);
	struct json_object *o = EXPECT_JSON(r, 201);
	if (o) {
		expect_invitation(r, o, "pending", true);
		EXPECT_STR(o, "email", lower);
		EXPECT_STR(o, "tenant_id", w->tenant_a);
		EXPECT_STR(o, "role_id", w->role_member); /* no role_id: Member */
		EXPECT_STR(o, "inviter_id", rw_user_id(w, P_TADMIN));
		EXPECT(jget(o, "user_id") == NULL && jget(o, "accepted_at") == NULL,
		       "not accepted yet: %s", resp_summary(r));
		const char *token = jstr(o, "token");
		EXPECT(token && strlen(token) == 128 &&
			       strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					     "0123456789-_") == 128,
		       "a 128-character base64url token: %s", resp_summary(r));
		if (token)
			fx_remember_secret(token);
		/* A week from now. */
		long now = now_s();
		struct tm tm = { 0 };
		const char *at = jstr(o, "expires_at");
		if (at && strptime(at, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
			long t = (long)timegm(&tm);
			EXPECT(t > now + 7 * 86400 - 120 && t < now + 7 * 86400 + 120,
			       "expires_at a week ahead: %s", at);
		}
		/* The detail adds the tenant, the inviter and the state. */
		struct resp *g;
		struct json_object *d = inv_get(admin_a(), w->tenant_a, jstr(o, "id"), &g);
		if (d) {
			expect_invitation(g, d, "pending", false);
			EXPECT(jstr(d, "tenant_name") != NULL, "tenant_name: %s", resp_summary(g));
			EXPECT_STR(d, "inviter_email", w->persona[P_TADMIN].email);
			bool pending = false, expired = true;
			EXPECT(jbool(d, "is_pending", &pending) && pending &&
				       jbool(d, "is_expired", &expired) && !expired,
			       "is_pending, is_expired: %s", resp_summary(g));
		}
		resp_free(g);
	}
	resp_free(r);
	free(body);
	free(mixed);
	free(lower);
}

static void test_verify_answers_what_the_invitee_needs(void)
{
	struct rbac_world *w = get_world();
	struct it_invitation inv;
	if (!w || !inv_create(admin_a(), w->tenant_a, NULL, "\"expires_in_days\":3", &inv))
		return;
	struct resp *r = inv_verify(inv.token);
	struct json_object *o = EXPECT_JSON(r, 200);
	bool valid = false;
	if (o) {
		EXPECT(jbool(o, "valid", &valid) && valid, "valid: %s", resp_summary(r));
		EXPECT_STR(o, "email", inv.email);
		EXPECT_STR(o, "tenant_id", w->tenant_a);
		EXPECT(jstr(o, "tenant_name") != NULL, "tenant_name: %s", resp_summary(r));
		EXPECT_STR(o, "inviter_email", w->persona[P_TADMIN].email);
		EXPECT(is_rfc3339_utc(jstr(o, "expires_at")), "expires_at: %s", resp_summary(r));
		EXPECT_STR(o, "role_id", w->role_member);
	}
	resp_free(r);
	inv_release(&inv);
}

static void test_bad_tokens_get_the_exact_400(void)
{
	struct rbac_world *w = get_world();
	struct it_invitation inv;
	if (!w || !inv_create(admin_a(), w->tenant_a, NULL, NULL, &inv))
		return;
	char junk[129], *changed = xstrdup(inv.token), *longer = xasprintf("%sA", inv.token);
	memset(junk, 'A', 128);
	junk[128] = '\0';
	changed[64] = changed[64] == 'x' ? 'y' : 'x';
	const char *bad[] = { "garbage", "", junk, changed, longer, "../../etc/passwd" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		chk_context("token %zu", i);
		struct resp *r = inv_verify(bad[i]);
		EXPECT_TOKEN_REFUSED(r);
		resp_free(r);
		r = inv_accept(bad[i], PASSWORD, NULL);
		EXPECT_TOKEN_REFUSED(r);
		resp_free(r);
	}
	chk_context(NULL);
	/* and the good one is untouched by all that */
	struct resp *r = inv_verify(inv.token);
	EXPECT_STATUS(r, 200);
	resp_free(r);
	free(changed);
	free(longer);
	inv_release(&inv);
}

/* ---- accept ---- */

static void test_accept_as_a_new_user_who_then_has_the_role(void)
{
	struct rbac_world *w = get_world();
	struct it_invitation inv;
	if (!w || !inv_create(admin_a(), w->tenant_a, NULL, NULL, &inv))
		return;
	struct resp *r = inv_accept(inv.token, PASSWORD,
				    "\"first_name\":\"Nia\",\"last_name\":\"Newcomer\"");
	struct json_object *u = EXPECT_JSON(r, 200);
	char *user_id = NULL;
	if (u && EXPECT_USER_SHAPE(r, u)) {
		user_id = xstrdup(jstr(u, "id"));
		keep_account(user_id);
		EXPECT_STR(u, "email", inv.email);
		EXPECT_STR(u, "first_name", "Nia");
		EXPECT_STR(u, "last_name", "Newcomer");
		EXPECT(jlen(jarr(u, "roles")) == 1 && jarr_has_str(jarr(u, "roles"), "Member"),
		       "roles in the tenant: %s", resp_summary(r));
	}
	resp_free(r);

	/* The new user logs in and is a Member of A. */
	struct it_user nu = { .email = inv.email, .password = PASSWORD };
	if (fx_login(&nu)) {
		r = req("GET", "/api/v1/users/me", nu.access, w->tenant_a, NULL);
		struct json_object *me = EXPECT_JSON(r, 200);
		EXPECT(me && jarr_has_str(jarr(me, "roles"), "Member"), "roles: %s", resp_summary(r));
		resp_free(r);
	}
	free(nu.access);
	free(nu.refresh);

	/* The invitation says who accepted it, when. */
	struct resp *g;
	struct json_object *d = inv_get(admin_a(), w->tenant_a, inv.id, &g);
	if (d) {
		expect_invitation(g, d, "accepted", false);
		EXPECT(user_id && jstr(d, "user_id") && strcmp(jstr(d, "user_id"), user_id) == 0,
		       "user_id: %s", resp_summary(g));
		EXPECT(is_rfc3339_utc(jstr(d, "accepted_at")), "accepted_at: %s", resp_summary(g));
	}
	resp_free(g);

	/* Twice: the exact 400, and verify says the same. */
	r = inv_accept(inv.token, PASSWORD, NULL);
	EXPECT_TOKEN_REFUSED(r);
	resp_free(r);
	r = inv_verify(inv.token);
	EXPECT_TOKEN_REFUSED(r);
	resp_free(r);
	free(user_id);
	inv_release(&inv);
}

/* Whether user holds a role in tenant A, as the superuser sees it. */
static bool member_of_a(const char *user)
{
	char *path = xasprintf("/api/v1/tenants/%s/users/%s", world.tenant_a, user);
	struct resp *r = req("GET", path, fx.admin.access, NULL, NULL);
	EXPECT(r->status == 200 || r->status == 404, "membership: %s", resp_summary(r));
	bool member = r->status == 200;
	resp_free(r);
	free(path);
	return member;
}

static void test_accept_as_an_existing_user_checks_the_password(void)
{
	struct rbac_world *w = get_world();
	struct it_user b;
	struct it_invitation inv;
	if (!w || !fx_create_user(w->tenant_b, NULL, &b))
		return;
	if (inv_create(admin_a(), w->tenant_a, b.email, NULL, &inv)) {
		/* Someone else's password: 401 as at login, and nothing changes. */
		struct resp *r = inv_accept(inv.token, "Not-the-password-1", NULL);
		EXPECT_PROBLEM(r, 401, "unauthorized", "Incorrect email or password");
		resp_free(r);
		struct resp *g;
		struct json_object *d = inv_get(admin_a(), w->tenant_a, inv.id, &g);
		if (d)
			EXPECT_STR(d, "status", "pending");
		resp_free(g);
		EXPECT(!member_of_a(b.id), "a wrong password made the user a member");

		/* Its own: the account joins A; its names stay its own. */
		r = inv_accept(inv.token, b.password, "\"first_name\":\"Ignored\"");
		struct json_object *u = EXPECT_JSON(r, 200);
		if (u) {
			EXPECT_STR(u, "id", b.id);
			EXPECT_STR(u, "first_name", "First");
			EXPECT(jarr_has_str(jarr(u, "roles"), "Member"), "roles: %s", resp_summary(r));
		}
		resp_free(r);
		EXPECT(member_of_a(b.id), "the user is not a member of A after accepting");
		inv_release(&inv);
	}
	fx_delete_user(b.id);
	fx_user_release(&b);
}

static void test_two_accepts_at_once_one_wins(void)
{
	struct rbac_world *w = get_world();
	struct it_invitation inv;
	if (!w || !inv_create(admin_a(), w->tenant_a, NULL, NULL, &inv))
		return;
	enum { N = 4 };
	const char *hdrs[] = { "Content-Type: application/json", NULL };
	char *body = xasprintf("{\"token\":\"%s\",\"password\":\"%s\"}", inv.token, PASSWORD);
	struct resp *out[N] = { NULL };
	size_t done = http_burst("POST", INV_PATH "/accept", hdrs, body, N, out);
	size_t won = 0, refused = 0;
	for (size_t i = 0; i < N; i++) {
		if (!out[i])
			continue;
		if (out[i]->status == 200) {
			won++;
			keep_account(jstr(resp_json(out[i]), "id"));
		} else if (out[i]->status == 400) {
			refused += strstr(out[i]->body, INV_TOKEN_INVALID) != NULL;
		}
		resp_free(out[i]);
	}
	EXPECT(done == N && won == 1 && refused == N - 1,
	       "%zu of %d accepts at once: %zu won, %zu got the 400", done, N, won, refused);
	free(body);
	inv_release(&inv);
}

/* ---- revoke, resend ---- */

static void test_revoked_invitations_are_dead(void)
{
	struct rbac_world *w = get_world();
	struct it_invitation inv;
	if (!w || !inv_create(admin_a(), w->tenant_a, NULL, NULL, &inv))
		return;
	struct resp *r = act(inv.id, "revoke", NULL);
	struct json_object *o = EXPECT_JSON(r, 200);
	if (o)
		expect_invitation(r, o, "revoked", false);
	resp_free(r);
	r = inv_verify(inv.token);
	EXPECT_TOKEN_REFUSED(r);
	resp_free(r);
	r = inv_accept(inv.token, PASSWORD, NULL);
	EXPECT_TOKEN_REFUSED(r);
	resp_free(r);
	r = act(inv.id, "revoke", NULL);
	EXPECT_PROBLEM(r, 409, "conflict",
		       "This invitation is revoked; only a pending or expired invitation can be "
		       "revoked.");
	resp_free(r);
	r = act(inv.id, "resend", NULL);
	EXPECT_PROBLEM(r, 409, "conflict",
		       "This invitation is revoked; only a pending or expired invitation can be "
		       "resent.");
	resp_free(r);
	inv_release(&inv);
}

static void test_resend_replaces_the_token(void)
{
	struct rbac_world *w = get_world();
	struct it_invitation inv;
	if (!w || !inv_create(admin_a(), w->tenant_a, NULL, NULL, &inv))
		return;
	struct resp *r = act(inv.id, "resend", NULL);
	struct json_object *o = EXPECT_JSON(r, 202);
	char *fresh = NULL;
	if (o) {
		expect_invitation(r, o, "pending", true);
		if (jstr(o, "token")) {
			fresh = xstrdup(jstr(o, "token"));
			fx_remember_secret(fresh);
		}
	}
	resp_free(r);
	if (!EXPECT(fresh && strcmp(fresh, inv.token) != 0, "resend gave no new token"))
		goto out;
	r = inv_verify(inv.token);
	EXPECT_TOKEN_REFUSED(r);
	resp_free(r);
	r = inv_verify(fresh);
	EXPECT_STATUS(r, 200);
	resp_free(r);

	/* With a number of days; out of range is a 422. */
	r = act(inv.id, "resend", "{\"expires_in_days\":2}");
	o = EXPECT_JSON(r, 202);
	if (o && jstr(o, "token"))
		fx_remember_secret(jstr(o, "token"));
	resp_free(r);
	r = act(inv.id, "resend", "{\"expires_in_days\":31}");
	EXPECT_PROBLEM(r, 422, "validation-error", NULL);
	EXPECT_FIELD_ERROR(r, "expires_in_days");
	resp_free(r);
	r = act(inv.id, "resend", "{\"days\":2}");
	EXPECT_FIELD_ERROR(r, "days");
	resp_free(r);
out:
	free(fresh);
	inv_release(&inv);
}

/* ---- list, expiry, tenants ---- */

/* Pushes expires_at into the past, as the owner. */
static bool expire(const char *id)
{
	const char *params[] = { id };
	PGconn *c = inv_owner_db();
	PGresult *r = c ? pg_run(c, "BEGIN", 0, NULL) : NULL;
	bool ok = r && EXPECT_PG_OK(r, "BEGIN");
	PQclear(r);
	if (!ok)
		return false;
	PQclear(pg_run(c, "SELECT iam.enter_scope(NULL, NULL, true)", 0, NULL));
	r = pg_run(c, "UPDATE iam.invitations SET expires_at = now() - interval '1 minute' "
		      "WHERE id = $1",
		   1, params);
	ok = EXPECT_PG_OK(r, "expire an invitation") && pg_touched(r) == 1;
	PQclear(r);
	PQclear(pg_run(c, ok ? "COMMIT" : "ROLLBACK", 0, NULL));
	return ok;
}

static void test_expired_invitations(void)
{
	struct rbac_world *w = get_world();
	struct it_invitation inv;
	if (!w || !inv_create(admin_a(), w->tenant_a, NULL, NULL, &inv) || !expire(inv.id))
		return;
	struct resp *r = inv_verify(inv.token);
	EXPECT_TOKEN_REFUSED(r);
	resp_free(r);
	r = inv_accept(inv.token, PASSWORD, NULL);
	EXPECT_TOKEN_REFUSED(r);
	resp_free(r);
	struct json_object *d = inv_get(admin_a(), w->tenant_a, inv.id, &r);
	bool expired = false, pending = true;
	if (d) {
		EXPECT_STR(d, "status", "expired");
		EXPECT(jbool(d, "is_expired", &expired) && expired &&
			       jbool(d, "is_pending", &pending) && !pending,
		       "is_expired, is_pending: %s", resp_summary(r));
	}
	resp_free(r);
	/* A new invitation for the address takes the expired one's place. */
	struct it_invitation again;
	if (inv_create(admin_a(), w->tenant_a, inv.email, NULL, &again))
		inv_release(&again);
	inv_release(&inv);
}

/* Whether GET /invitations?status=… in A lists id. */
static bool listed(const char *status, const char *id)
{
	char *path = xasprintf(INV_PATH "?status=%s&limit=100", status);
	struct resp *r = req("GET", path, admin_a(), world.tenant_a, NULL);
	long total = -1;
	struct json_object *items = EXPECT_COUNTED_ARRAY(r, &total);
	bool found = items && jarr_find_id(items, id) >= 0;
	for (size_t i = 0; i < jlen(items); i++)
		EXPECT_STR(jat(items, i), "status", status);
	resp_free(r);
	free(path);
	return found;
}

static void test_list_by_status(void)
{
	struct rbac_world *w = get_world();
	struct it_invitation p, a, v, e;
	if (!w || !inv_create(admin_a(), w->tenant_a, NULL, NULL, &p) ||
	    !inv_create(admin_a(), w->tenant_a, NULL, NULL, &a) ||
	    !inv_create(admin_a(), w->tenant_a, NULL, NULL, &v) ||
	    !inv_create(admin_a(), w->tenant_a, NULL, NULL, &e))
		return;
	struct resp *r = inv_accept(a.token, PASSWORD, NULL);
	if (EXPECT_STATUS(r, 200))
		keep_account(jstr(resp_json(r), "id"));
	resp_free(r);
	resp_free(act(v.id, "revoke", NULL));
	expire(e.id);
	const struct {
		const char *status;
		struct it_invitation *in;
	} want[] = { { "pending", &p }, { "accepted", &a }, { "revoked", &v }, { "expired", &e } };
	for (size_t i = 0; i < 4; i++)
		for (size_t j = 0; j < 4; j++)
			EXPECT(listed(want[i].status, want[j].in->id) == (i == j),
			       "?status=%s %s invitation %zu", want[i].status,
			       i == j ? "lacks" : "lists", j);

	/* All of them, newest first, paged, with the total. */
	long total = -1;
	r = req("GET", INV_PATH "?limit=2", admin_a(), w->tenant_a, NULL);
	struct json_object *items = EXPECT_COUNTED_ARRAY(r, &total);
	EXPECT(jlen(items) == 2 && total >= 4, "limit 2 of %ld: %s", total, resp_summary(r));
	EXPECT(items && jstr(jat(items, 0), "id") && strcmp(jstr(jat(items, 0), "id"), e.id) == 0,
	       "newest first: %s", resp_summary(r));
	resp_free(r);
	r = req("GET", INV_PATH "/?skip=1&limit=1", admin_a(), w->tenant_a, NULL);
	items = EXPECT_COUNTED_ARRAY(r, &total);
	EXPECT(items && jstr(jat(items, 0), "id") && strcmp(jstr(jat(items, 0), "id"), v.id) == 0,
	       "skip 1: %s", resp_summary(r));
	resp_free(r);

	/* ?tenant_id= must be the context; a status must be one of the four. */
	char *path = xasprintf(INV_PATH "?tenant_id=%s", w->tenant_a);
	r = req("GET", path, admin_a(), w->tenant_a, NULL);
	EXPECT_COUNTED_ARRAY(r, &total);
	resp_free(r);
	free(path);
	path = xasprintf(INV_PATH "?tenant_id=%s", w->tenant_b);
	r = req("GET", path, admin_a(), w->tenant_a, NULL);
	EXPECT_PROBLEM(r, 422, "validation-error", NULL);
	EXPECT_FIELD_ERROR(r, "tenant_id");
	resp_free(r);
	free(path);
	r = req("GET", INV_PATH "?status=cancelled", admin_a(), w->tenant_a, NULL);
	EXPECT_FIELD_ERROR(r, "status");
	resp_free(r);
	/* B's list does not show A's. */
	r = req("GET", INV_PATH "?limit=100", rw_token(w, P_OTHER), w->tenant_b, NULL);
	items = EXPECT_COUNTED_ARRAY(r, &total);
	EXPECT(items && jarr_find_id(items, p.id) < 0, "B lists A's invitation");
	resp_free(r);
	inv_release(&p);
	inv_release(&a);
	inv_release(&v);
	inv_release(&e);
}

static void test_another_tenants_invitation_is_404(void)
{
	struct rbac_world *w = get_world();
	struct it_invitation inv;
	if (!w || !inv_create(rw_token(w, P_OTHER), w->tenant_b, NULL, NULL, &inv))
		return;
	char *path = xasprintf(INV_PATH "/%s", inv.id);
	struct resp *r = req("GET", path, admin_a(), w->tenant_a, NULL);
	EXPECT_PROBLEM(r, 404, "not-found", "Invitation not found");
	resp_free(r);
	/* the superuser in A's context too */
	r = req("GET", path, fx.admin.access, w->tenant_a, NULL);
	EXPECT_PROBLEM(r, 404, "not-found", "Invitation not found");
	resp_free(r);
	r = act(inv.id, "revoke", NULL);
	EXPECT_PROBLEM(r, 404, "not-found", "Invitation not found");
	resp_free(r);
	r = act(inv.id, "resend", NULL);
	EXPECT_PROBLEM(r, 404, "not-found", "Invitation not found");
	resp_free(r);
	/* and it is untouched: its token still verifies */
	r = inv_verify(inv.token);
	EXPECT_STATUS(r, 200);
	resp_free(r);
	free(path);
	inv_release(&inv);
}

/* ---- refusals, and the job ---- */

static void test_refused_creates_change_nothing(void)
{
	struct rbac_world *w = get_world();
	struct it_invitation first;
	if (!w || !inv_create(admin_a(), w->tenant_a, NULL, NULL, &first))
		return;
	long jobs_before = inv_email_jobs_of(w->tenant_a);
	char *fresh = fx_email("refused"), *unknown_role = NULL, uuid[37];
	random_uuid(uuid);
	unknown_role = xstrdup(uuid);
	const struct {
		const char *name, *body;
		long status;
		const char *slug, *detail, *field;
	} cases[] = {
		{ "a member of A", xasprintf("{\"email\":\"%s\",\"tenant_id\":\"%s\"}", w->user_a.email, w->tenant_a),
		  409, "conflict", "A user with this email is already a member of this tenant.", NULL },
		{ "a second pending one", xasprintf("{\"email\":\"%s\",\"tenant_id\":\"%s\"}", first.email, w->tenant_a),
		  409, "conflict", "A pending invitation for this email already exists; resend or revoke it.", NULL },
		{ "a role of B", xasprintf("{\"email\":\"%s\",\"tenant_id\":\"%s\",\"role_id\":\"%s\"}", fresh, w->tenant_a, w->role_b),
		  404, "not-found", "Role not found", NULL },
		{ "an unknown role", xasprintf("{\"email\":\"%s\",\"tenant_id\":\"%s\",\"role_id\":\"%s\"}", fresh, w->tenant_a, unknown_role),
		  404, "not-found", "Role not found", NULL },
		{ "a malformed e-mail", xasprintf("{\"email\":\"not-an-email\",\"tenant_id\":\"%s\"}", w->tenant_a),
		  422, "validation-error", NULL, "email" },
		{ "an e-mail we cannot send to", xasprintf("{\"email\":\"a(b)@example.com\",\"tenant_id\":\"%s\"}", w->tenant_a),
		  422, "validation-error", NULL, "email" },
		{ "B's tenant_id under A", xasprintf("{\"email\":\"%s\",\"tenant_id\":\"%s\"}", fresh, w->tenant_b),
		  422, "validation-error", NULL, "tenant_id" },
		{ "no tenant_id", xasprintf("{\"email\":\"%s\"}", fresh),
		  422, "validation-error", NULL, "tenant_id" },
		{ "an unknown field", xasprintf("{\"email\":\"%s\",\"tenant_id\":\"%s\",\"status\":\"accepted\"}", fresh, w->tenant_a),
		  422, "validation-error", NULL, "status" },
		{ "0 days", xasprintf("{\"email\":\"%s\",\"tenant_id\":\"%s\",\"expires_in_days\":0}", fresh, w->tenant_a),
		  422, "validation-error", NULL, "expires_in_days" },
		{ "31 days", xasprintf("{\"email\":\"%s\",\"tenant_id\":\"%s\",\"expires_in_days\":31}", fresh, w->tenant_a),
		  422, "validation-error", NULL, "expires_in_days" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		chk_context("%s", cases[i].name);
		struct resp *r = req("POST", INV_PATH, admin_a(), w->tenant_a, cases[i].body);
		EXPECT_PROBLEM(r, cases[i].status, cases[i].slug, cases[i].detail);
		if (cases[i].field)
			EXPECT_FIELD_ERROR(r, cases[i].field);
		resp_free(r);
		free((char *)cases[i].body);
	}
	chk_context(NULL);
	/* A Member may not invite at all; a superuser must name the tenant. */
	char *body = xasprintf("{\"email\":\"%s\",\"tenant_id\":\"%s\"}", fresh, w->tenant_a);
	struct resp *r = req("POST", INV_PATH, rw_token(w, P_MEMBER), w->tenant_a, body);
	EXPECT_PROBLEM(r, 403, "forbidden", "Not enough permissions");
	resp_free(r);
	r = req("POST", INV_PATH, fx.admin.access, NULL, body);
	EXPECT_PROBLEM(r, 400, "bad-request", "X-Tenant-ID header is required.");
	resp_free(r);
	free(body);
	/* None of them left an invitation or a job behind. */
	r = req("GET", INV_PATH "?limit=100", admin_a(), w->tenant_a, NULL);
	long total;
	struct json_object *items = EXPECT_COUNTED_ARRAY(r, &total);
	for (size_t i = 0; i < jlen(items); i++)
		EXPECT(strcmp(jstr(jat(items, i), "email") ? jstr(jat(items, i), "email") : "",
			      fresh) != 0,
		       "a refused create left an invitation");
	resp_free(r);
	long jobs_after = inv_email_jobs_of(w->tenant_a);
	EXPECT(jobs_before >= 1 && jobs_after == jobs_before,
	       "refused creates changed the e-mail jobs of A: %ld, now %ld", jobs_before,
	       jobs_after);
	free(unknown_role);
	free(fresh);
	inv_release(&first);
}

/* sql as the owner in a transaction of its own (DDL of this suite's fault). */
static bool owner_run(const char *sql)
{
	PGconn *c = inv_owner_db();
	PGresult *r = c ? pg_run(c, sql, 0, NULL) : NULL;
	bool ok = r && EXPECT_PG_OK(r, sql);
	PQclear(r);
	return ok;
}

/* A create that got through the invitation and its job, whose transaction then fails at
 * COMMIT (a deferred trigger the owner adds for this suite's addresses "rollback-…"):
 * the invitation and the job go together. */
static void test_a_create_rolled_back_at_commit_leaves_no_job(void)
{
	struct rbac_world *w = get_world();
	if (!w || !owner_run("CREATE FUNCTION public.it_refuse_invitation() RETURNS trigger "
			     "LANGUAGE plpgsql AS $$ BEGIN IF NEW.email LIKE 'rollback-%' THEN "
			     "RAISE EXCEPTION 'refused at commit by the invitations suite'; END IF; "
			     "RETURN NULL; END $$") ||
	    !owner_run("CREATE CONSTRAINT TRIGGER it_refuse_invitation AFTER INSERT ON "
		       "iam.invitations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE "
		       "FUNCTION public.it_refuse_invitation()"))
		goto out;
	long jobs_before = inv_email_jobs_of(w->tenant_a);
	char *email = fx_email("rollback");
	char *body = xasprintf("{\"email\":\"%s\",\"tenant_id\":\"%s\"}", email, w->tenant_a);
	struct resp *r = req("POST", INV_PATH, admin_a(), w->tenant_a, body);
	EXPECT(r->status >= 500 && !strstr(r->body, "\"token\""),
	       "a create that could not commit: %s", resp_summary(r));
	resp_free(r);
	const char *params[] = { email };
	PGresult *q = db_in_platform_scope(inv_owner_db(),
					   "SELECT count(*) FROM iam.invitations WHERE email = $1", 1,
					   params);
	EXPECT(pg_succeeded(q) && pg_long(q, 0, 0) == 0, "the rolled-back invitation is there");
	PQclear(q);
	long jobs_after = inv_email_jobs_of(w->tenant_a);
	EXPECT(jobs_before >= 0 && jobs_after == jobs_before,
	       "a rolled-back create left a job: %ld e-mail jobs of A, then %ld", jobs_before,
	       jobs_after);
	free(body);
	free(email);
out:
	owner_run("DROP TRIGGER IF EXISTS it_refuse_invitation ON iam.invitations");
	owner_run("DROP FUNCTION IF EXISTS public.it_refuse_invitation()");
}

/* The job row of invitation id: one, of the kind, naming it and nothing more. */
static void expect_email_job(PGresult *r, int row, const char *id)
{
	char *payload = xasprintf("{\"invitation_id\": \"%s\"}", id);
	char *key = xasprintf("invitation.email:%s", id);
	EXPECT(strcmp(PQgetvalue(r, row, 0), "invitation.email") == 0 &&
		       strcmp(PQgetvalue(r, row, 1), "invitation") == 0 &&
		       strcmp(PQgetvalue(r, row, 2), payload) == 0,
	       "job %d of %s: kind %s, resource_type %s, payload %s", row, id,
	       PQgetvalue(r, row, 0), PQgetvalue(r, row, 1), PQgetvalue(r, row, 2));
	EXPECT(PQgetisnull(r, row, 5) || strcmp(PQgetvalue(r, row, 5), key) == 0,
	       "unique_key %s", PQgetvalue(r, row, 5));
	free(payload);
	free(key);
}

/* Waits until every job of id has finished; false after seconds. */
static bool jobs_settled(const char *id, double seconds)
{
	double deadline = now_mono() + seconds;
	for (;;) {
		PGresult *r = inv_jobs_of(id);
		bool busy = !pg_succeeded(r);
		for (int i = 0; !busy && i < PQntuples(r); i++)
			busy = strcmp(PQgetvalue(r, i, 3), "queued") == 0 ||
			       strcmp(PQgetvalue(r, i, 3), "running") == 0;
		PQclear(r);
		if (!busy || now_mono() > deadline)
			return !busy;
		sleep_ms(100);
	}
}

static void test_create_and_resend_enqueue_the_email_job(void)
{
	struct rbac_world *w = get_world();
	struct it_invitation inv;
	if (!w || !inv_create(admin_a(), w->tenant_a, NULL, NULL, &inv))
		return;
	PGresult *r = inv_jobs_of(inv.id);
	if (EXPECT_PG_OK(r, "jobs of the invitation") &&
	    EXPECT(PQntuples(r) == 1, "%d jobs after create", PQntuples(r))) {
		expect_email_job(r, 0, inv.id);
		EXPECT(!strstr(PQgetvalue(r, 0, 2), inv.token), "the job holds the token");
	}
	PQclear(r);
	/* Once it ran, a resend queues another. */
	EXPECT(jobs_settled(inv.id, 20), "the create's e-mail job did not finish");
	struct resp *res = act(inv.id, "resend", NULL);
	struct json_object *o = EXPECT_JSON(res, 202);
	if (o && jstr(o, "token"))
		fx_remember_secret(jstr(o, "token"));
	r = inv_jobs_of(inv.id);
	if (EXPECT_PG_OK(r, "jobs of the invitation") &&
	    EXPECT(PQntuples(r) == 2, "%d jobs after resend", PQntuples(r))) {
		expect_email_job(r, 1, inv.id);
		EXPECT(!o || !jstr(o, "token") || !strstr(PQgetvalue(r, 1, 2), jstr(o, "token")),
		       "the job holds the token");
	}
	PQclear(r);
	resp_free(res);
	inv_release(&inv);
}

static int add_invitations_suite(void)
{
	static const struct it_test tests[] = {
		{ "create answers the invitation and its token, shown once", test_create_answers_the_invitation_with_its_token },
		{ "verify answers the e-mail, tenant, inviter, expiry and role", test_verify_answers_what_the_invitee_needs },
		{ "garbage, altered and made-up tokens get the exact 400", test_bad_tokens_get_the_exact_400 },
		{ "accept makes a new user who logs in with the role; twice is the 400", test_accept_as_a_new_user_who_then_has_the_role },
		{ "accept by an existing account: its password, or 401 and nothing changes", test_accept_as_an_existing_user_checks_the_password },
		{ "of four accepts of one token at once, exactly one wins", test_two_accepts_at_once_one_wins },
		{ "a revoked invitation can be neither verified, accepted, revoked nor resent", test_revoked_invitations_are_dead },
		{ "resend gives a new token and the old one stops working", test_resend_replaces_the_token },
		{ "an expired invitation is shown so and its token refused", test_expired_invitations },
		{ "the list filters by status, newest first, with X-Total-Count", test_list_by_status },
		{ "another tenant's invitation is 404", test_another_tenants_invitation_is_404 },
		{ "refused creates (409, 404, 422) leave no invitation and no job", test_refused_creates_change_nothing },
		{ "a create rolled back at commit leaves neither the invitation nor its job", test_a_create_rolled_back_at_commit_leaves_no_job },
		{ "create and resend enqueue invitation.email naming only the invitation", test_create_and_resend_enqueue_the_email_job },
		{ NULL, NULL },
	};
	return it_add_suite("invitations", NULL, suite_cleanup, tests);
}

IT_REGISTER(add_invitations_suite)
