/* invitation.email: the job that mails an invitation (API.md §7). Its payload names the
 * invitation only; the handler reads the invitation when it runs and makes its current
 * token from the stored nonce and the secret, so no job row or log ever holds a usable
 * token, and a job still queued when the invitation is resent sends the new one. */
#include "invitations/usecases.h"

#include "core/time.h"
#include "invitations/email.h"
#include "invitations/internal.h"
#include "jobs/port.h"
#include "mail/port.h"

#include <json-c/json.h>
#include <string.h>

#define KIND "invitation.email"
#define MAX_ATTEMPTS 8
#define TIMEOUT_S 60

/* ---- enqueueing ---- */

/* Whether a job of this invitation waits in the queue: it will read the current token. */
static enum vs_err queued_already(struct vs_app *app, struct vs_arena *a,
				  const struct vs_invitation *inv, bool *queued)
{
	const struct vs_job_query q = { .tenant = &inv->tenant_id,
					.has_status = true,
					.status = VS_JOB_QUEUED,
					.kind = KIND,
					.resource_id = &inv->id,
					.at = { .limit = 1 } };
	struct vs_job_page page;
	enum vs_err rc = app->jobs->ops->list(app->jobs, a, &q, &page);
	*queued = rc == VS_OK && page.n > 0;
	return rc;
}

enum vs_err vs__invitation_queue_email(struct vs_app *app, struct vs_arena *a,
				       const struct vs_invitation *inv, const vs_uuid *by,
				       struct vs_error *e)
{
	char id[VS_UUID_STRLEN + 1];
	bool queued;
	vs_uuid job;
	vs_uuid_format(&inv->id, id);
	enum vs_err rc = queued_already(app, a, inv, &queued);
	if (rc != VS_OK || queued)
		return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
	struct vs_job_args args = {
		.payload = vs_arena_printf(a, "{\"invitation_id\":\"%s\"}", id),
		.tenant = &inv->tenant_id,
		.created_by = by,
		.resource_type = "invitation",
		.resource_id = &inv->id,
		.unique_key = vs_arena_printf(a, KIND ":%s", id),
	};
	struct vs_error conflict = { 0 };
	rc = vs_jobs_enqueue(app, a, &vs_invitation_email_kind, &args, &job, &conflict);
	if (rc != VS_CONFLICT)
		return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
	/* None is queued, so the one holding the key is running, and may have read the token
	 * this change replaces: one more follows it. It cannot hold the key meanwhile, but it
	 * stays the only queued one: every enqueue looks for a queued one first, under the
	 * invitation's row lock (which a job's read of the invitation waits for). */
	args.unique_key = NULL;
	rc = vs_jobs_enqueue(app, a, &vs_invitation_email_kind, &args, &job, e);
	return rc;
}

/* ---- running ---- */

/* The invitation the payload names, or false. */
static enum vs_job_verdict skipped(struct vs_job_run *run, const char *why)
{
	run->result = vs_arena_printf(run->a, "{\"skipped\":\"%s\"}", why);
	return VS_JOB_DONE;
}

static enum vs_job_verdict failed(struct vs_job_run *run, enum vs_job_verdict v, const char *why)
{
	run->error = why;
	return v;
}

/* The invitation as it is now, read in its tenant's scope. The read takes the row lock:
 * a resend or an accept that holds it is waited for, so that a job it left queued never
 * mails the token it has just replaced. */
static enum vs_err load(struct vs_app *app, struct vs_arena *a, const vs_uuid *tenant,
			const vs_uuid *id, struct vs_invitation *out)
{
	const struct vs_scope scope = { .tenant = tenant };
	enum vs_err rc = app->tx->ops->begin(app->tx, &scope);
	if (rc != VS_OK)
		return rc;
	rc = app->invitations->ops->get(app->invitations, a, tenant, id, true, out);
	enum vs_err end = vs_app_end(app, rc);
	return rc != VS_OK ? rc : end;
}

/* The mailer's reason, unless it somehow holds the token (it is kept as last_error). */
static const char *safe_reason(const struct vs_error *e, const char *token)
{
	if (!e->detail)
		return "could not send the mail";
	return strstr(e->detail, token) ? "could not send the mail (the reason held the token)"
					: e->detail;
}

static enum vs_job_verdict run_email(struct vs_job_run *run)
{
	struct vs_app *app = run->app;
	struct vs_invitation inv;
	struct vs_error e = { 0 };
	vs_uuid id;
	if (!run->job->has_tenant || !vs_job_payload_uuid(run->job, "invitation_id", &id))
		return failed(run, VS_JOB_PERMANENT, KIND ": the payload names no invitation");
	enum vs_err rc = load(app, run->a, &run->job->tenant_id, &id, &inv);
	if (rc == VS_NOTFOUND)
		return skipped(run, "the invitation no longer exists");
	if (rc != VS_OK)
		return failed(run, VS_JOB_RETRY, "could not read the invitation");
	enum vs_invitation_status status = vs_invitation_status_at(&inv, app->now());
	if (status != VS_INVITATION_PENDING)
		return skipped(run, vs_arena_printf(run->a, "the invitation is %s",
						    vs_invitation_status_name(status)));
	if (!app->mailer)
		return failed(run, VS_JOB_RETRY, "this runner has no mailer");

	char token[VS_INVITATION_TOKEN_LEN + 1];
	struct vs_mail mail;
	if (vs__invitation_token(app, &inv, token, &e) != VS_OK)
		return failed(run, VS_JOB_PERMANENT, "this runner has no signing secret");
	vs_invitation_email(run->a, &inv,
			    vs_invitation_accept_link(run->a, app->public_url, token), &mail);
	int64_t left_ms = run->deadline_ms - vs_time_mono_us() / 1000;
	enum vs_job_verdict v = VS_JOB_DONE;
	if (left_ms <= 0) {
		v = failed(run, VS_JOB_RETRY, "no time was left to send the mail");
	} else if ((rc = app->mailer->ops->send(app->mailer, run->a, &mail, left_ms, &e)) ==
		   VS_OK) {
		run->result = "{\"sent\":true}";
	} else {
		/* Later may work (a 4xx, a timeout); a refusal for good never will. */
		v = failed(run, rc == VS_UNAVAILABLE ? VS_JOB_RETRY : VS_JOB_PERMANENT,
			   safe_reason(&e, token));
	}
	memset(token, 0, sizeof(token));
	return v;
}

const struct vs_job_kind vs_invitation_email_kind = { KIND, MAX_ATTEMPTS, TIMEOUT_S, run_email };

static const struct vs_job_kind *const kinds[] = { &vs_invitation_email_kind };
const struct vs_job_kind_group vs_invitations_job_kinds = VS_JOB_KIND_GROUP(kinds);
