/* lib/invitations/email_job.c and email.c with a mailer that answers as told: the job reads
 * the invitation in its tenant's scope and mails its current token (a resend's, when it
 * was resent meanwhile) in a proper text and HTML mail with names escaped; a mailer that
 * may work later means a retry, one that never will a permanent failure, and the token is
 * never part of the job's error; an invitation no longer pending is skipped. */
#include "suites.h"

#include "core/time.h"
#include "invitations/email.h"
#include "invitations/inv_world.h"

#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define LINK_PREFIX IW_PUBLIC_URL "/accept-invitation#token="

struct job_env {
	struct inv_world iw;
	struct vs_invitation inv;
	const char *token; /* as create answered it */
	struct vs_job job;
};

static void job_env_init(struct job_env *env, const char *email)
{
	inv_world_init(&env->iw);
	struct world *w = &env->iw.w;
	struct vs_error e = { 0 };
	CU_ASSERT_EQUAL_FATAL(iw_invite(&env->iw, &env->iw.ivy, email, NULL, &env->inv, &env->token,
					&e),
			      VS_OK);
	struct fake_job_row *rows[2];
	CU_ASSERT_EQUAL_FATAL(iw_jobs_of(&env->iw, &env->inv.id, rows, 2), 1);
	env->job = (struct vs_job){
		.id = rows[0]->id,
		.has_tenant = true,
		.tenant_id = rows[0]->tenant_id,
		.kind = "invitation.email",
		.payload = vs_arena_strdup(w->a, rows[0]->payload),
		.status = VS_JOB_RUNNING,
		.attempts = 1,
		.max_attempts = 8,
	};
	fake_reset_journal(w->db);
}

static enum vs_job_verdict run_job(struct job_env *env, struct vs_job_run *run)
{
	*run = (struct vs_job_run){ &env->iw.w.app, env->iw.w.a, &env->job,
				    vs_time_mono_us() / 1000 + 60000, NULL, NULL, 0 };
	return vs_invitation_email_kind.run(run);
}

static bool has(const char *s, const char *needle)
{
	return s && strstr(s, needle);
}

static void test_kind_is_registered_for_the_runner(void)
{
	CU_ASSERT_STRING_EQUAL(vs_invitation_email_kind.name, "invitation.email");
	CU_ASSERT_EQUAL(vs_invitation_email_kind.max_attempts, 8);
	CU_ASSERT_EQUAL(vs_invitation_email_kind.timeout_s, 60);
	CU_ASSERT_EQUAL_FATAL(vs_invitations_job_kinds.n, 1);
	CU_ASSERT_PTR_EQUAL(vs_invitations_job_kinds.kinds[0], &vs_invitation_email_kind);
}

static void test_sends_the_current_token_in_a_text_and_html_mail(void)
{
	struct job_env env;
	job_env_init(&env, "guest@example.org");
	struct world *w = &env.iw.w;
	struct iw_mailer *m = &env.iw.mailer;
	struct vs_job_run run;
	CU_ASSERT_EQUAL(run_job(&env, &run), VS_JOB_DONE);
	CU_ASSERT_PTR_NULL(run.error);
	CU_ASSERT_STRING_EQUAL(ut_str(run.result), "{\"sent\":true}");
	CU_ASSERT_EQUAL_FATAL(m->sent, 1);
	CU_ASSERT(m->last_deadline_ms > 0 && m->last_deadline_ms <= 60000);
	/* Read in the job's tenant's scope, in a transaction that ended, under the row lock (a
	 * resend holding it is waited for). */
	CU_ASSERT_TRUE(w->db->scope.has_tenant && vs_uuid_eq(&w->db->scope.tenant, &w->acme));
	FAKE_ASSERT_TX_CLEAN(w->db);
	CU_ASSERT_EQUAL(fake_called(w->db, "invitations.get(lock)"), 1);

	const struct vs_mail *mail = &m->last;
	const char *link = vs_arena_printf(w->a, LINK_PREFIX "%s", env.token);
	CU_ASSERT_STRING_EQUAL(ut_str(mail->to.email), "guest@example.org");
	CU_ASSERT_PTR_NULL(mail->from.email); /* the mailer's configured sender */
	CU_ASSERT_STRING_EQUAL(ut_str(mail->subject), "You are invited to join Acme on VirtualStack");
	CU_ASSERT_TRUE(has(mail->text, link));
	CU_ASSERT_TRUE(has(mail->text, "Ivy Inviter (ivy@example.com) has invited you to join Acme"));
	CU_ASSERT_TRUE(has(mail->text, "2026-11-30 10:00 UTC"));
	CU_ASSERT_TRUE(has(mail->html, vs_arena_printf(w->a, "<a href=\"%s\">", link)));
	CU_ASSERT_TRUE(has(mail->html, "<strong>Acme</strong>"));
	CU_ASSERT_TRUE(has(mail->html, "2026-11-30 10:00 UTC"));

	/* It makes a proper MIME message: text, then HTML. */
	struct vs_mail whole = *mail;
	whole.from = (struct vs_mail_address){ "VirtualStack", "noreply@example.com" };
	uint8_t random[VS_MAIL_RANDOM_LEN] = { 1 };
	struct vs_str bytes;
	struct vs_error e = { 0 };
	CU_ASSERT_EQUAL_FATAL(vs_mail_compose(w->a, &whole, 1795428000, random, &bytes, &e), VS_OK);
	const char *text = vs_arena_strndup(w->a, bytes.p, bytes.len);
	CU_ASSERT_TRUE(has(text, "Content-Type: multipart/alternative;"));
	CU_ASSERT_TRUE(has(text, "Content-Type: text/plain; charset=utf-8"));
	CU_ASSERT_TRUE(has(text, "Content-Type: text/html; charset=utf-8"));
	CU_ASSERT_TRUE(strstr(text, "text/plain") < strstr(text, "text/html"));
	inv_world_free(&env.iw);
}

static void test_a_resent_invitation_gets_its_new_token(void)
{
	struct job_env env;
	job_env_init(&env, "again@example.org");
	struct world *w = &env.iw.w;
	struct vs_invitation out;
	const char *fresh;
	struct vs_error e = { 0 };
	const struct vs_opt_int none = { 0 };
	const struct vs_principal *p = world_enter(w, &env.iw.ivy, &w->acme);
	CU_ASSERT_EQUAL_FATAL(vs_invitations_resend(&w->app, w->a, p, &w->acme, &env.inv.id, &none,
						    &out, &fresh, &e),
			      VS_OK);
	CU_ASSERT_EQUAL_FATAL(world_leave(w, true), VS_OK);
	struct vs_job_run run;
	CU_ASSERT_EQUAL(run_job(&env, &run), VS_JOB_DONE); /* the job queued before the resend */
	CU_ASSERT_TRUE(has(env.iw.mailer.last.text, fresh));
	CU_ASSERT_FALSE(has(env.iw.mailer.last.text, env.token));
	inv_world_free(&env.iw);
}

static void test_names_are_escaped_in_html_only(void)
{
	struct job_env env;
	job_env_init(&env, "esc@example.org");
	struct world *w = &env.iw.w;
	struct fake_tenant_row *t = fake_tenant(w->db, &w->acme);
	strcpy(t->name, "<Acme & \"Sons\">");
	struct fake_user_row *ivy = fake_user(w->db, &env.iw.ivy);
	strcpy(ivy->first_name, "Ivy<script>");
	struct vs_job_run run;
	CU_ASSERT_EQUAL(run_job(&env, &run), VS_JOB_DONE);
	const struct vs_mail *mail = &env.iw.mailer.last;
	CU_ASSERT_TRUE(has(mail->html, "<strong>&lt;Acme &amp; &quot;Sons&quot;&gt;</strong>"));
	CU_ASSERT_TRUE(has(mail->html, "Ivy&lt;script&gt; Inviter"));
	CU_ASSERT_FALSE(has(mail->html, "<script>"));
	CU_ASSERT_TRUE(has(mail->text, "Ivy<script> Inviter (ivy@example.com) has invited you to "
				       "join <Acme & \"Sons\">"));
	CU_ASSERT_TRUE(has(mail->subject, "<Acme & \"Sons\">"));

	/* A name a header cannot carry stays out of the subject. */
	strcpy(t->name, "Acme\nBcc: victim@example.com");
	CU_ASSERT_EQUAL(run_job(&env, &run), VS_JOB_DONE);
	CU_ASSERT_STRING_EQUAL(ut_str(env.iw.mailer.last.subject), "You are invited to VirtualStack");
	inv_world_free(&env.iw);
}

static void test_mailer_verdicts_retry_or_fail_never_with_the_token(void)
{
	struct job_env env;
	job_env_init(&env, "fails@example.org");
	struct iw_mailer *m = &env.iw.mailer;
	struct vs_job_run run;

	m->answer = VS_UNAVAILABLE;
	m->detail = "could not send the mail: RCPT failed: 451 (the server said: 451 4.3.0 later)";
	CU_ASSERT_EQUAL(run_job(&env, &run), VS_JOB_RETRY);
	CU_ASSERT_STRING_EQUAL(ut_str(run.error), m->detail);
	CU_ASSERT_PTR_NULL(run.result);

	m->answer = VS_INVALID;
	m->detail = "cannot send the mail: RCPT failed: 550 (the server said: 550 no such user)";
	CU_ASSERT_EQUAL(run_job(&env, &run), VS_JOB_PERMANENT);
	CU_ASSERT_STRING_EQUAL(ut_str(run.error), m->detail);

	/* A reason that somehow echoes the message is not kept. */
	m->answer = VS_UNAVAILABLE;
	m->detail = vs_arena_printf(env.iw.w.a, "server said: %s", env.token);
	CU_ASSERT_EQUAL(run_job(&env, &run), VS_JOB_RETRY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(run.error);
	CU_ASSERT_FALSE(has(run.error, env.token));
	CU_ASSERT_EQUAL(m->sent, 3);
	/* Sent each time with the link in it, so the token did reach the mailer. */
	CU_ASSERT_TRUE(has(m->last.text, env.token));
	inv_world_free(&env.iw);
}

static void test_skips_an_invitation_no_longer_pending(void)
{
	struct job_env env;
	job_env_init(&env, "skip@example.org");
	struct fake_invitation_row *row = fake_invitation(env.iw.inv, &env.inv.id);
	struct vs_job_run run;
	const struct {
		enum vs_invitation_status status;
		int64_t expires_at;
		const char *result;
	} cases[] = {
		{ VS_INVITATION_REVOKED, row->expires_at, "{\"skipped\":\"the invitation is revoked\"}" },
		{ VS_INVITATION_ACCEPTED, row->expires_at,
		  "{\"skipped\":\"the invitation is accepted\"}" },
		{ VS_INVITATION_PENDING, fake_now(), "{\"skipped\":\"the invitation is expired\"}" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		row->status = cases[i].status;
		row->expires_at = cases[i].expires_at;
		CU_ASSERT_EQUAL(run_job(&env, &run), VS_JOB_DONE);
		CU_ASSERT_STRING_EQUAL(ut_str(run.result), cases[i].result);
		CU_ASSERT_PTR_NULL(run.error);
	}
	/* Gone (its tenant deleted): done too. */
	env.iw.inv->store.n = 0;
	CU_ASSERT_EQUAL(run_job(&env, &run), VS_JOB_DONE);
	CU_ASSERT_STRING_EQUAL(ut_str(run.result), "{\"skipped\":\"the invitation no longer exists\"}");
	CU_ASSERT_EQUAL(env.iw.mailer.sent, 0);
	inv_world_free(&env.iw);
}

static void test_cannot_run_without_what_it_needs(void)
{
	struct job_env env;
	job_env_init(&env, "odd@example.org");
	struct world *w = &env.iw.w;
	struct vs_job_run run;

	/* The database away: retried. */
	w->db->fail_after = 1;
	CU_ASSERT_EQUAL(run_job(&env, &run), VS_JOB_RETRY);
	CU_ASSERT_STRING_EQUAL(ut_str(run.error), "could not read the invitation");
	FAKE_ASSERT_TX_CLEAN(w->db);
	fake_reset_journal(w->db);

	/* No time left: retried, nothing sent. */
	run = (struct vs_job_run){ &w->app, w->a, &env.job, vs_time_mono_us() / 1000 - 1, NULL, NULL,
				   0 };
	CU_ASSERT_EQUAL(vs_invitation_email_kind.run(&run), VS_JOB_RETRY);
	CU_ASSERT_EQUAL(env.iw.mailer.sent, 0);

	/* A payload that names no invitation, or a job of no tenant: never runnable. */
	const char *payloads[] = { "{}", "{\"invitation_id\":42}", "{\"invitation_id\":\"x\"}",
				   "not json" };
	for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		struct vs_job bad = env.job;
		bad.payload = payloads[i];
		run = (struct vs_job_run){ &w->app, w->a, &bad, vs_time_mono_us() / 1000 + 60000, NULL,
					   NULL, 0 };
		CU_ASSERT_EQUAL(vs_invitation_email_kind.run(&run), VS_JOB_PERMANENT);
	}
	env.job.has_tenant = false;
	CU_ASSERT_EQUAL(run_job(&env, &run), VS_JOB_PERMANENT);
	inv_world_free(&env.iw);
}

static void test_accept_link_is_a_fragment(void)
{
	struct vs_arena *a = vs_arena_new();
	CU_ASSERT_STRING_EQUAL(vs_invitation_accept_link(a, "https://x.example", "abc_-"),
			       "https://x.example/accept-invitation#token=abc_-");
	vs_arena_free(a);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
		UT_TEST(test_kind_is_registered_for_the_runner),
		UT_TEST(test_sends_the_current_token_in_a_text_and_html_mail),
		UT_TEST(test_a_resent_invitation_gets_its_new_token),
		UT_TEST(test_names_are_escaped_in_html_only),
		UT_TEST(test_mailer_verdicts_retry_or_fail_never_with_the_token),
		UT_TEST(test_skips_an_invitation_no_longer_pending),
		UT_TEST(test_cannot_run_without_what_it_needs),
		UT_TEST(test_accept_link_is_a_fragment),
		UT_END,
	};
	ut_add_suite("invitations: the e-mail job", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
