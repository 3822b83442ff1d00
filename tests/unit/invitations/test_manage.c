/* lib/invitations/usecases.c on the fakes, inside request sessions as fcgi/pipeline.c runs
 * them: creating (the token shown once and only its hash stored, the e-mail job enqueued
 * in the same transaction with the invitation's id only; the role global or the tenant's
 * own and never beyond the inviter; members, a second pending invitation and a foreign
 * tenant_id refused with nothing written), listing by the status clients see, reading,
 * revoking and resending (a new token, the old one dead, one queued e-mail at most), and a
 * clean rollback on every repository fault. */
#include "suites.h"

#include "auth/messages.h"
#include "core/messages.h"
#include "invitations/inv_world.h"
#include "invitations/messages.h"
#include "roles/messages.h"

#include <stdlib.h>
#include <string.h>

#define NOW 1795428000
#define DAY 86400

static struct fake_invitation_row *row_of(struct inv_world *iw, const vs_uuid *id)
{
	struct fake_invitation_row *r = fake_invitation(iw->inv, id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	return r;
}

static bool bytes_contain(const void *hay, size_t n, const char *needle)
{
	return memmem(hay, n, needle, strlen(needle)) != NULL;
}

/* A refusal: the answer, its text (or its one field), and nothing written anywhere. */
static void assert_refused(struct inv_world *iw, const struct iw_snapshot *before, enum vs_err rc,
			   const struct vs_error *e, enum vs_err want, const char *detail,
			   const char *field)
{
	CU_ASSERT_EQUAL(rc, want);
	CU_ASSERT_EQUAL(e->code, want);
	if (field) {
		CU_ASSERT_EQUAL_FATAL(e->nfields, 1);
		CU_ASSERT_STRING_EQUAL(ut_str(e->fields[0].field), field);
		CU_ASSERT_STRING_EQUAL(ut_str(e->fields[0].message), detail);
	} else {
		CU_ASSERT_STRING_EQUAL(ut_str(e->detail), detail);
	}
	CU_ASSERT_TRUE(iw_unchanged(iw, before));
	FAKE_ASSERT_TX_CLEAN(iw->w.db);
}

/* ---- create ---- */

static void test_create_stores_only_the_hash_and_enqueues_the_email(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation inv;
	const char *token = NULL;
	struct vs_error e = { 0 };
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "New.Person@Example.COM", NULL, &inv, &token,
					&e),
			      VS_OK);
	FAKE_ASSERT_TX_CLEAN(w->db);

	/* As answered: the address lower-cased, Member, Ivy's, a week. */
	CU_ASSERT_STRING_EQUAL(ut_str(inv.email), "new.person@example.com");
	CU_ASSERT_TRUE(vs_uuid_eq(&inv.tenant_id, &w->acme));
	CU_ASSERT_TRUE(vs_uuid_eq(&inv.role_id, &w->member));
	CU_ASSERT_TRUE(inv.has_inviter && vs_uuid_eq(&inv.inviter_id, &iw.ivy));
	CU_ASSERT_FALSE(inv.has_user);
	CU_ASSERT_EQUAL(inv.status, VS_INVITATION_PENDING);
	CU_ASSERT_EQUAL(inv.expires_at, NOW + 7 * DAY);
	CU_ASSERT_STRING_EQUAL(ut_str(inv.tenant_name), "Acme");
	CU_ASSERT_STRING_EQUAL(ut_str(inv.inviter_email), "ivy@example.com");

	/* The token names this invitation, and only its SHA-256 is stored. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(token);
	CU_ASSERT_EQUAL_FATAL(strlen(token), VS_INVITATION_TOKEN_LEN);
	uint8_t key[VS_SHA256_LEN], digest[VS_SHA256_LEN];
	struct vs_invitation_token t;
	iw_token_key(key);
	CU_ASSERT_TRUE_FATAL(vs_invitation_token_open(key, token, strlen(token), &t));
	CU_ASSERT_TRUE(vs_uuid_eq(&t.id, &inv.id) && vs_uuid_eq(&t.tenant_id, &w->acme));
	const struct fake_invitation_row *row = row_of(&iw, &inv.id);
	vs_sha256(token, strlen(token), digest);
	CU_ASSERT_EQUAL(memcmp(row->token_hash, digest, sizeof(digest)), 0);
	CU_ASSERT_EQUAL(memcmp(row->nonce, t.nonce, sizeof(t.nonce)), 0);
	CU_ASSERT_FALSE(bytes_contain(row, sizeof(*row), token));
	CU_ASSERT_EQUAL(iw.inv->store.n, 1);

	/* One invitation.email job, naming the invitation and nothing else. */
	struct fake_job_row *jobs[4];
	CU_ASSERT_EQUAL_FATAL(iw_jobs_of(&iw, &inv.id, jobs, 4), 1);
	CU_ASSERT_EQUAL(iw.jobs.store.n, 1);
	CU_ASSERT_STRING_EQUAL(jobs[0]->kind, "invitation.email");
	char *payload = vs_arena_printf(w->a, "{\"invitation_id\":\"%s\"}", world_id(w, &inv.id));
	CU_ASSERT_STRING_EQUAL(jobs[0]->payload, payload);
	CU_ASSERT_STRING_EQUAL(jobs[0]->resource_type, "invitation");
	CU_ASSERT_TRUE(vs_uuid_eq(&jobs[0]->tenant_id, &w->acme));
	CU_ASSERT_TRUE(vs_uuid_eq(&jobs[0]->created_by, &iw.ivy));
	CU_ASSERT_TRUE(jobs[0]->unique_key[0] != '\0');
	CU_ASSERT_STRING_EQUAL(jobs[0]->unique_key,
			       vs_arena_printf(w->a, "invitation.email:%s", world_id(w, &inv.id)));
	CU_ASSERT_FALSE(bytes_contain(&iw.jobs.store, sizeof(iw.jobs.store), token));
	/* In the request's transaction, after the invitation. */
	CU_ASSERT_EQUAL(fake_called(w->db, "invitations.insert"), 1);
	CU_ASSERT_EQUAL(fake_called(w->db, "jobs.enqueue"), 1);
	inv_world_free(&iw);
}

static void test_create_with_a_role_of_the_tenant_and_an_expiry(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	const struct vs_invitation_input in = {
		.email = iw_str("ops@example.net"),
		.tenant_id = { .set = true, .v = w->acme },
		.role_id = { .set = true, .v = w->acme_ops },
		.expires_in_days = { .set = true, .v = 30 },
	};
	struct vs_invitation inv;
	const char *token;
	struct vs_error e = { 0 };
	const struct vs_principal *p = world_enter(w, &w->admin, &w->acme);
	CU_ASSERT_EQUAL(vs_invitations_create(&w->app, w->a, p, &w->acme, &in, &inv, &token, &e),
			VS_OK);
	CU_ASSERT_EQUAL(world_leave(w, true), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&inv.role_id, &w->acme_ops));
	CU_ASSERT_EQUAL(inv.expires_at, NOW + 30 * DAY);
	CU_ASSERT_TRUE(vs_uuid_eq(&row_of(&iw, &inv.id)->role_id, &w->acme_ops));
	inv_world_free(&iw);
}

struct refusal {
	const char *name;
	const char *email;
	bool no_tenant_id, no_context;
	const vs_uuid *tenant_id, *role, *as;
	struct vs_opt_int days;
	enum vs_err want;
	const char *detail, *field;
};

static void test_create_refusals_write_nothing(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	vs_uuid unknown;
	vs_uuid_v4(&unknown);
	const struct refusal cases[] = {
		{ "another tenant's role", "x@example.com", false, false, NULL, &w->globex_ops, NULL,
		  { 0 }, VS_NOTFOUND, VS_MSG_ROLE_NOT_FOUND, NULL },
		{ "an unknown role", "x@example.com", false, false, NULL, &unknown, NULL, { 0 },
		  VS_NOTFOUND, VS_MSG_ROLE_NOT_FOUND, NULL },
		{ "a role beyond the inviter", "x@example.com", false, false, NULL, &w->tenant_admin,
		  NULL, { 0 }, VS_FORBIDDEN, VS_MSG_CANNOT_GRANT, NULL },
		{ "a member already", "ANN@example.com", false, false, NULL, NULL, NULL, { 0 },
		  VS_CONFLICT, VS_MSG_INVITATION_MEMBER, NULL },
		{ "a member already, as superuser", "idle@example.com", false, false, NULL, NULL,
		  &w->root, { 0 }, VS_CONFLICT, VS_MSG_INVITATION_MEMBER, NULL },
		{ "tenant_id of another tenant", "x@example.com", false, false, &w->globex, NULL, NULL,
		  { 0 }, VS_INVALID, VS_MSG_INVITATION_OTHER_TENANT, "tenant_id" },
		{ "no tenant_id", "x@example.com", true, false, NULL, NULL, NULL, { 0 }, VS_INVALID,
		  VS_MSG_INVITATION_OTHER_TENANT, "tenant_id" },
		{ "0 days", "x@example.com", false, false, NULL, NULL, NULL, { true, 0 }, VS_INVALID,
		  VS_MSG_OUT_OF_RANGE, "expires_in_days" },
		{ "31 days", "x@example.com", false, false, NULL, NULL, NULL, { true, 31 },
		  VS_INVALID, VS_MSG_OUT_OF_RANGE, "expires_in_days" },
		{ "no tenant in context", "x@example.com", false, true, NULL, NULL, &w->root, { 0 },
		  VS_BADREQ, VS_MSG_TENANT_ID_REQUIRED, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct refusal *c = &cases[i];
		const vs_uuid *context = c->no_context ? NULL : &w->acme;
		const struct vs_invitation_input in = {
			.email = iw_str(c->email),
			.tenant_id = { .set = !c->no_tenant_id,
				       .v = c->tenant_id ? *c->tenant_id : w->acme },
			.role_id = { .set = c->role != NULL, .v = c->role ? *c->role : unknown },
			.expires_in_days = c->days,
		};
		struct iw_snapshot before;
		struct vs_invitation inv;
		const char *token = NULL;
		struct vs_error e = { 0 };
		iw_snap(&iw, &before);
		const struct vs_principal *p = world_enter(w, c->as ? c->as : &iw.ivy, context);
		enum vs_err rc = vs_invitations_create(&w->app, w->a, p, context, &in, &inv, &token, &e);
		world_leave(w, rc == VS_OK);
		if (rc != c->want)
			fprintf(stderr, "\n  %s: rc=%d (%s)\n", c->name, rc, ut_str(e.detail));
		assert_refused(&iw, &before, rc, &e, c->want, c->detail, c->field);
		CU_ASSERT_PTR_NULL(token);
		iw_snap_free(&before);
	}
	inv_world_free(&iw);
}

static void test_create_second_pending_for_an_address_is_409(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation first, again;
	struct vs_error e = { 0 };
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "twice@example.com", NULL, &first, NULL, &e),
			      VS_OK);
	struct iw_snapshot before;
	iw_snap(&iw, &before);
	enum vs_err rc = iw_invite(&iw, &w->admin, "Twice@Example.com", NULL, &again, NULL, &e);
	assert_refused(&iw, &before, rc, &e, VS_CONFLICT, VS_MSG_INVITATION_PENDING, NULL);
	iw_snap_free(&before);

	/* The address in another tenant, and a member of another tenant here: fine. */
	const struct vs_invitation_input in = { .email = iw_str("twice@example.com"),
						.tenant_id = { .set = true, .v = w->globex } };
	const char *token;
	struct vs_error e2 = { 0 };
	const struct vs_principal *p = world_enter(w, &w->root, &w->globex);
	CU_ASSERT_EQUAL(vs_invitations_create(&w->app, w->a, p, &w->globex, &in, &again, &token, &e2),
			VS_OK);
	CU_ASSERT_EQUAL(world_leave(w, true), VS_OK);
	CU_ASSERT_EQUAL(iw_invite(&iw, &iw.ivy, "gus@example.com", NULL, &again, NULL, &e2), VS_OK);
	inv_world_free(&iw);
}

static void test_create_after_expiry_takes_the_expired_ones_place(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct vs_invitation old, fresh;
	struct vs_error e = { 0 };
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "late@example.com", NULL, &old, NULL, &e),
			      VS_OK);
	fake_clock_advance(7 * DAY);
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "late@example.com", NULL, &fresh, NULL, &e),
			      VS_OK);
	CU_ASSERT_EQUAL(row_of(&iw, &old.id)->status, VS_INVITATION_EXPIRED);
	CU_ASSERT_EQUAL(row_of(&iw, &fresh.id)->status, VS_INVITATION_PENDING);
	inv_world_free(&iw);
}

/* ---- list and get ---- */

static enum vs_err list_in(struct inv_world *iw, const vs_uuid *tenant,
			   const struct vs_invitation_filter *f, struct vs_invitation_page *out,
			   struct vs_error *e)
{
	struct world *w = &iw->w;
	const struct vs_principal *p = world_enter(w, &w->root, tenant);
	enum vs_err rc = vs_invitations_list(&w->app, w->a, p, tenant, f, out, e);
	world_leave(w, rc == VS_OK);
	return rc;
}

static void test_list_filters_by_the_status_clients_see(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation inv[4];
	const char *emails[] = { "p@example.com", "a@example.com", "r@example.com", "e@example.com" };
	struct vs_error e = { 0 };
	for (size_t i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, emails[i], NULL, &inv[i], NULL, &e),
				      VS_OK);
		fake_clock_advance(1);
	}
	row_of(&iw, &inv[1].id)->status = VS_INVITATION_ACCEPTED;
	row_of(&iw, &inv[2].id)->status = VS_INVITATION_REVOKED;
	row_of(&iw, &inv[3].id)->expires_at = fake_now(); /* expired this instant */

	struct vs_invitation_page page;
	struct vs_invitation_filter f = { .at = { .limit = 100 } };
	CU_ASSERT_EQUAL_FATAL(list_in(&iw, &w->acme, &f, &page, &e), VS_OK);
	CU_ASSERT_EQUAL_FATAL(page.n, 4);
	CU_ASSERT_EQUAL(page.end.total, 4);
	CU_ASSERT_TRUE(vs_uuid_eq(&page.items[0].id, &inv[3].id)); /* newest first */
	CU_ASSERT_TRUE(vs_uuid_eq(&page.items[3].id, &inv[0].id));

	const enum vs_invitation_status want[] = { VS_INVITATION_PENDING, VS_INVITATION_ACCEPTED,
						   VS_INVITATION_REVOKED, VS_INVITATION_EXPIRED };
	for (size_t i = 0; i < 4; i++) {
		f = (struct vs_invitation_filter){ .has_status = true, .status = want[i], .at = { .limit = 100 } };
		CU_ASSERT_EQUAL_FATAL(list_in(&iw, &w->acme, &f, &page, &e), VS_OK);
		CU_ASSERT_EQUAL_FATAL(page.n, 1);
		CU_ASSERT_TRUE(vs_uuid_eq(&page.items[0].id, &inv[i].id));
	}
	/* skip/limit and the total. */
	f = (struct vs_invitation_filter){ .at = { .offset = 1, .limit = 2 } };
	CU_ASSERT_EQUAL_FATAL(list_in(&iw, &w->acme, &f, &page, &e), VS_OK);
	CU_ASSERT_EQUAL(page.n, 2);
	CU_ASSERT_EQUAL(page.end.total, 4);
	CU_ASSERT_TRUE(vs_uuid_eq(&page.items[0].id, &inv[2].id));
	/* Another tenant sees none of them; ?tenant_id= must be the context. */
	f = (struct vs_invitation_filter){ .at = { .limit = 100 } };
	CU_ASSERT_EQUAL_FATAL(list_in(&iw, &w->globex, &f, &page, &e), VS_OK);
	CU_ASSERT_EQUAL(page.end.total, 0);
	f.tenant_id = &w->globex;
	CU_ASSERT_EQUAL(list_in(&iw, &w->acme, &f, &page, &e), VS_INVALID);
	CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].field), "tenant_id");
	inv_world_free(&iw);
}

static enum vs_err get_in(struct inv_world *iw, const vs_uuid *tenant, const vs_uuid *id,
			  struct vs_invitation *out, struct vs_error *e)
{
	struct world *w = &iw->w;
	const struct vs_principal *p = world_enter(w, &w->root, tenant);
	enum vs_err rc = vs_invitations_get(&w->app, w->a, p, tenant, id, out, e);
	world_leave(w, rc == VS_OK);
	return rc;
}

static void test_get_in_its_tenant_only(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation inv, got;
	struct vs_error e = { 0 };
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "g@example.com", NULL, &inv, NULL, &e), VS_OK);
	CU_ASSERT_EQUAL_FATAL(get_in(&iw, &w->acme, &inv.id, &got, &e), VS_OK);
	CU_ASSERT_STRING_EQUAL(ut_str(got.tenant_name), "Acme");
	CU_ASSERT_STRING_EQUAL(ut_str(got.inviter_email), "ivy@example.com");
	CU_ASSERT_STRING_EQUAL(ut_str(got.inviter_first_name), "Ivy");
	struct vs_error e2 = { 0 };
	CU_ASSERT_EQUAL(get_in(&iw, &w->globex, &inv.id, &got, &e2), VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(e2.detail), VS_MSG_INVITATION_NOT_FOUND);
	vs_uuid unknown;
	vs_uuid_v4(&unknown);
	struct vs_error e3 = { 0 };
	CU_ASSERT_EQUAL(get_in(&iw, &w->acme, &unknown, &got, &e3), VS_NOTFOUND);
	FAKE_ASSERT_TX_CLEAN(w->db);
	inv_world_free(&iw);
}

/* ---- revoke ---- */

static enum vs_err revoke_in(struct inv_world *iw, const vs_uuid *tenant, const vs_uuid *id,
			     struct vs_invitation *out, struct vs_error *e)
{
	struct world *w = &iw->w;
	const struct vs_principal *p = world_enter(w, &iw->ivy, tenant);
	enum vs_err rc = vs_invitations_revoke(&w->app, w->a, p, tenant, id, out, e);
	world_leave(w, rc == VS_OK);
	return rc;
}

static void test_revoke_pending_or_expired_only(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation a, b, c, out;
	struct vs_error e = { 0 };
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "a@example.com", NULL, &a, NULL, &e), VS_OK);
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "b@example.com", NULL, &b, NULL, &e), VS_OK);
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "c@example.com", NULL, &c, NULL, &e), VS_OK);

	CU_ASSERT_EQUAL(revoke_in(&iw, &w->acme, &a.id, &out, &e), VS_OK);
	CU_ASSERT_EQUAL(out.status, VS_INVITATION_REVOKED);
	CU_ASSERT_EQUAL(row_of(&iw, &a.id)->status, VS_INVITATION_REVOKED);
	FAKE_ASSERT_TX_CLEAN(w->db);

	struct iw_snapshot before;
	struct vs_error e2 = { 0 };
	iw_snap(&iw, &before);
	enum vs_err rc = revoke_in(&iw, &w->acme, &a.id, &out, &e2);
	assert_refused(&iw, &before, rc, &e2, VS_CONFLICT,
		       "This invitation is revoked; only a pending or expired invitation can be "
		       "revoked.",
		       NULL);
	iw_snap_free(&before);

	row_of(&iw, &b.id)->status = VS_INVITATION_ACCEPTED;
	row_of(&iw, &b.id)->accepted_at = NOW;
	struct vs_error e3 = { 0 };
	iw_snap(&iw, &before);
	rc = revoke_in(&iw, &w->acme, &b.id, &out, &e3);
	assert_refused(&iw, &before, rc, &e3, VS_CONFLICT,
		       "This invitation is accepted; only a pending or expired invitation can be "
		       "revoked.",
		       NULL);
	struct vs_error e4 = { 0 };
	rc = revoke_in(&iw, &w->globex, &c.id, &out, &e4); /* another tenant's: not there */
	assert_refused(&iw, &before, rc, &e4, VS_NOTFOUND, VS_MSG_INVITATION_NOT_FOUND, NULL);
	iw_snap_free(&before);

	fake_clock_advance(8 * DAY); /* expired: may still be revoked */
	struct vs_error e5 = { 0 };
	CU_ASSERT_EQUAL(revoke_in(&iw, &w->acme, &c.id, &out, &e5), VS_OK);
	CU_ASSERT_EQUAL(out.status, VS_INVITATION_REVOKED);
	inv_world_free(&iw);
}

/* ---- resend ---- */

static enum vs_err resend_in(struct inv_world *iw, const vs_uuid *tenant, const vs_uuid *id,
			     const struct vs_opt_int *days, struct vs_invitation *out,
			     const char **token, struct vs_error *e)
{
	struct world *w = &iw->w;
	const struct vs_principal *p = world_enter(w, &iw->ivy, tenant);
	enum vs_err rc = vs_invitations_resend(&w->app, w->a, p, tenant, id, days, out, token, e);
	world_leave(w, rc == VS_OK);
	return rc;
}

static enum vs_err verify(struct inv_world *iw, const char *token)
{
	struct vs_invitation out;
	struct vs_error e = { 0 };
	return vs_invitations_verify(&iw->w.app, iw->w.a, token, strlen(token), &out, &e);
}

static void test_resend_issues_a_new_token_and_kills_the_old(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation inv, out;
	const char *old, *fresh;
	struct vs_error e = { 0 };
	const struct vs_opt_int none = { 0 };
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "r@example.com", NULL, &inv, &old, &e), VS_OK);
	fake_clock_advance(2 * DAY);
	CU_ASSERT_EQUAL_FATAL(resend_in(&iw, &w->acme, &inv.id, &none, &out, &fresh, &e), VS_OK);
	FAKE_ASSERT_TX_CLEAN(w->db);
	CU_ASSERT_STRING_NOT_EQUAL(fresh, old);
	CU_ASSERT_EQUAL(out.expires_at, NOW + 2 * DAY + 7 * DAY);
	CU_ASSERT_EQUAL(out.status, VS_INVITATION_PENDING);
	uint8_t digest[VS_SHA256_LEN];
	vs_sha256(fresh, strlen(fresh), digest);
	CU_ASSERT_EQUAL(memcmp(row_of(&iw, &inv.id)->token_hash, digest, sizeof(digest)), 0);
	CU_ASSERT_EQUAL(verify(&iw, old), VS_BADREQ);
	CU_ASSERT_EQUAL(verify(&iw, fresh), VS_OK);

	/* With a number of days. */
	const struct vs_opt_int three = { true, 3 };
	CU_ASSERT_EQUAL_FATAL(resend_in(&iw, &w->acme, &inv.id, &three, &out, &fresh, &e), VS_OK);
	CU_ASSERT_EQUAL(out.expires_at, NOW + 2 * DAY + 3 * DAY);
	inv_world_free(&iw);
}

/* The job holding the key reads the invitation when it runs: queued, it will send the new
 * token, so nothing more is queued; running, it may have read the old one, so one more
 * follows; never two queued. */
static void test_resend_queues_one_email_at_most(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation inv, out;
	const char *token;
	struct vs_error e = { 0 };
	const struct vs_opt_int none = { 0 };
	struct fake_job_row *jobs[8];
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "q@example.com", NULL, &inv, NULL, &e), VS_OK);
	CU_ASSERT_EQUAL(iw_jobs_of(&iw, &inv.id, jobs, 8), 1);

	/* Still queued: the queued one will do. */
	CU_ASSERT_EQUAL_FATAL(resend_in(&iw, &w->acme, &inv.id, &none, &out, &token, &e), VS_OK);
	CU_ASSERT_EQUAL_FATAL(iw_jobs_of(&iw, &inv.id, jobs, 8), 1);

	/* Sent: a new one, with the key. */
	jobs[0]->status = VS_JOB_SUCCEEDED;
	CU_ASSERT_EQUAL_FATAL(resend_in(&iw, &w->acme, &inv.id, &none, &out, &token, &e), VS_OK);
	CU_ASSERT_EQUAL_FATAL(iw_jobs_of(&iw, &inv.id, jobs, 8), 2);
	CU_ASSERT_TRUE(jobs[1]->unique_key[0] != '\0');
	CU_ASSERT_EQUAL(jobs[1]->status, VS_JOB_QUEUED);

	/* Running while it is resent: one more, without the key the running one holds. */
	jobs[1]->status = VS_JOB_RUNNING;
	CU_ASSERT_EQUAL_FATAL(resend_in(&iw, &w->acme, &inv.id, &none, &out, &token, &e), VS_OK);
	FAKE_ASSERT_TX_CLEAN(w->db);
	CU_ASSERT_EQUAL_FATAL(iw_jobs_of(&iw, &inv.id, jobs, 8), 3);
	CU_ASSERT_EQUAL(jobs[2]->unique_key[0], '\0');
	CU_ASSERT_STRING_EQUAL(jobs[2]->payload, jobs[1]->payload);
	CU_ASSERT_TRUE(vs_uuid_eq(&jobs[2]->resource_id, &inv.id));

	/* And that follow-up is the queued one from now on. */
	CU_ASSERT_EQUAL_FATAL(resend_in(&iw, &w->acme, &inv.id, &none, &out, &token, &e), VS_OK);
	jobs[1]->status = VS_JOB_SUCCEEDED;
	CU_ASSERT_EQUAL_FATAL(resend_in(&iw, &w->acme, &inv.id, &none, &out, &token, &e), VS_OK);
	CU_ASSERT_EQUAL(iw_jobs_of(&iw, &inv.id, jobs, 8), 3);
	inv_world_free(&iw);
}

static void test_resend_refusals_write_nothing(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation acc, rev, old, newer, out;
	struct vs_error e = { 0 };
	const struct vs_opt_int none = { 0 }, too_long = { true, 31 };
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "acc@example.com", NULL, &acc, NULL, &e), VS_OK);
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "rev@example.com", NULL, &rev, NULL, &e), VS_OK);
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "old@example.com", NULL, &old, NULL, &e), VS_OK);
	row_of(&iw, &acc.id)->status = VS_INVITATION_ACCEPTED;
	row_of(&iw, &rev.id)->status = VS_INVITATION_REVOKED;
	fake_clock_advance(8 * DAY);
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "old@example.com", NULL, &newer, NULL, &e),
			      VS_OK);

	struct {
		const vs_uuid *tenant, *id;
		const struct vs_opt_int *days;
		enum vs_err want;
		const char *detail, *field;
	} cases[] = {
		{ &w->acme, &acc.id, &none, VS_CONFLICT,
		  "This invitation is accepted; only a pending or expired invitation can be resent.",
		  NULL },
		{ &w->acme, &rev.id, &none, VS_CONFLICT,
		  "This invitation is revoked; only a pending or expired invitation can be resent.",
		  NULL },
		/* expired, but a newer one holds the address's pending place */
		{ &w->acme, &old.id, &none, VS_CONFLICT, VS_MSG_INVITATION_PENDING, NULL },
		{ &w->globex, &newer.id, &none, VS_NOTFOUND, VS_MSG_INVITATION_NOT_FOUND, NULL },
		{ &w->acme, &newer.id, &too_long, VS_INVALID, VS_MSG_OUT_OF_RANGE, "expires_in_days" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iw_snapshot before;
		const char *token = NULL;
		struct vs_error e2 = { 0 };
		iw_snap(&iw, &before);
		enum vs_err rc = resend_in(&iw, cases[i].tenant, cases[i].id, cases[i].days, &out,
					   &token, &e2);
		assert_refused(&iw, &before, rc, &e2, cases[i].want, cases[i].detail, cases[i].field);
		iw_snap_free(&before);
	}
	inv_world_free(&iw);
}

/* ---- faults ---- */

struct fault_ctx {
	struct inv_world *iw;
	vs_uuid id;
	int what; /* 0 create, 1 revoke, 2 resend */
};

static enum vs_err faulted_op(struct world *w, const struct vs_principal *p, void *ctx,
			      struct vs_error *e)
{
	struct fault_ctx *c = ctx;
	struct vs_invitation out;
	const char *token;
	const struct vs_opt_int none = { 0 };
	switch (c->what) {
	case 0: {
		const struct vs_invitation_input in = { .email = iw_str("fault@example.com"),
							.tenant_id = { .set = true, .v = w->acme } };
		return vs_invitations_create(&w->app, w->a, p, &w->acme, &in, &out, &token, e);
	}
	case 1: return vs_invitations_revoke(&w->app, w->a, p, &w->acme, &c->id, &out, e);
	default:
		return vs_invitations_resend(&w->app, w->a, p, &w->acme, &c->id, &none, &out, &token,
					     e);
	}
}

static void test_faults_fail_cleanly_with_nothing_half_written(void)
{
	struct inv_world iw;
	inv_world_init(&iw);
	struct world *w = &iw.w;
	struct vs_invitation revoked, resent;
	struct vs_error e = { 0 };
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "f1@example.com", NULL, &revoked, NULL, &e),
			      VS_OK);
	CU_ASSERT_EQUAL_FATAL(iw_invite(&iw, &iw.ivy, "f2@example.com", NULL, &resent, NULL, &e),
			      VS_OK);
	struct fault_ctx c = { &iw, revoked.id, 0 };
	CU_ASSERT(world_inject(w, "create", &iw.ivy, &w->acme, faulted_op, &c) >= 6);
	c.what = 1;
	CU_ASSERT(world_inject(w, "revoke", &iw.ivy, &w->acme, faulted_op, &c) >= 3);
	/* Resent while its job is queued, after it ran (a new one), and while it runs (the
	 * follow-up's path): each fails cleanly at every call. */
	struct fake_job_row *jobs[4];
	CU_ASSERT_EQUAL_FATAL(iw_jobs_of(&iw, &resent.id, jobs, 4), 1);
	c = (struct fault_ctx){ &iw, resent.id, 2 };
	CU_ASSERT(world_inject(w, "resend", &iw.ivy, &w->acme, faulted_op, &c) >= 5);
	jobs[0]->status = VS_JOB_SUCCEEDED;
	CU_ASSERT(world_inject(w, "resend after the e-mail", &iw.ivy, &w->acme, faulted_op, &c) >= 6);
	CU_ASSERT_EQUAL_FATAL(iw_jobs_of(&iw, &resent.id, jobs, 4), 2);
	jobs[1]->status = VS_JOB_RUNNING;
	CU_ASSERT(world_inject(w, "resend behind a running job", &iw.ivy, &w->acme, faulted_op,
			       &c) >= 7);
	CU_ASSERT_EQUAL(iw_jobs_of(&iw, &resent.id, jobs, 4), 3);
	inv_world_free(&iw);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
		UT_TEST(test_create_stores_only_the_hash_and_enqueues_the_email),
		UT_TEST(test_create_with_a_role_of_the_tenant_and_an_expiry),
		UT_TEST(test_create_refusals_write_nothing),
		UT_TEST(test_create_second_pending_for_an_address_is_409),
		UT_TEST(test_create_after_expiry_takes_the_expired_ones_place),
		UT_TEST(test_list_filters_by_the_status_clients_see),
		UT_TEST(test_get_in_its_tenant_only),
		UT_TEST(test_revoke_pending_or_expired_only),
		UT_TEST(test_resend_issues_a_new_token_and_kills_the_old),
		UT_TEST(test_resend_queues_one_email_at_most),
		UT_TEST(test_resend_refusals_write_nothing),
		UT_TEST(test_faults_fail_cleanly_with_nothing_half_written),
		UT_END,
	};
	ut_add_suite("invitations: managing them", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
