/* webhook.deliver: one delivery, attempt after attempt. Its payload names the delivery
 * only; the body and the webhook (URL, secrets, whether it is active) are read at each
 * attempt, so a changed URL or a rotated secret applies to the retries too. A run makes
 * one attempt, logs it, and asks the runner for the next on the schedule; the job fails
 * with the delivery after the last. An endpoint failing for disable_after_s is disabled
 * (an event of its tenant's chain, by nobody). Delivery is at least once: an attempt the
 * receiver took whose outcome was never logged is made again, with the same webhook-id. */
#include "webhooks/usecases.h"

#include "audit/usecases.h"
#include "core/time.h"
#include "webhooks/port.h"

#include <json-c/json.h>
#include <string.h>

#define KIND "webhook.deliver"
#define MAX_ATTEMPTS 100 /* the schedule ends the job first (sql/018 enqueues with it) */
#define TIMEOUT_S 30

static enum vs_job_verdict finish(struct vs_job_run *run, enum vs_job_verdict v, const char *why)
{
	run->error = why;
	return v;
}

/* A transaction in the tenant's scope around one repository step. */
static enum vs_err begin(struct vs_app *app, const vs_uuid *tenant)
{
	const struct vs_scope scope = { .tenant = tenant };
	return app->tx->ops->begin(app->tx, &scope);
}

static enum vs_err load(struct vs_app *app, struct vs_arena *a, const vs_uuid *tenant,
			const vs_uuid *id, struct vs_webhook_delivery *d, struct vs_webhook *w)
{
	enum vs_err rc = begin(app, tenant);
	if (rc != VS_OK)
		return rc;
	rc = app->webhooks->ops->delivery(app->webhooks, a, tenant, id, d, w);
	enum vs_err done = vs_app_end(app, rc);
	return rc != VS_OK ? rc : done;
}

/* The webhook disabled for failing since failing_since, and its event, by nobody. */
static enum vs_err disable(struct vs_app *app, struct vs_arena *a, const struct vs_webhook *w,
			   int64_t failing_since)
{
	bool changed = false;
	enum vs_err rc = app->webhooks->ops->disable(app->webhooks, &w->tenant_id, &w->id, &changed);
	if (rc != VS_OK || !changed)
		return rc;
	char since[VS_TIME_STRLEN + 1];
	vs_time_format(failing_since, since);
	struct json_object *changes = NULL;
	vs_audit_change_bool(&changes, "is_active", true, false);
	vs_audit_created_text(&changes, "failing_since", since);
	const struct vs_principal nobody = { .authenticated = false };
	rc = vs_audit_record_object(app, a, &nobody, "webhook.disabled", "webhook", &w->id,
				    &w->tenant_id, changes);
	json_object_put(changes);
	return rc;
}

/* The attempt in the log, the delivery moved, and the endpoint disabled when it has failed
 * for too long: one transaction. */
static enum vs_err log_attempt(struct vs_app *app, struct vs_arena *a, const struct vs_webhook *w,
			       const struct vs_webhook_attempt_record *r)
{
	int64_t failing_since = 0;
	enum vs_err rc = begin(app, &w->tenant_id);
	if (rc != VS_OK)
		return rc;
	rc = app->webhooks->ops->record_attempt(app->webhooks, r, &failing_since);
	if (rc == VS_OK && r->status != VS_DELIVERY_SUCCEEDED && failing_since &&
	    app->now() - failing_since >= app->webhook_settings->disable_after_s)
		rc = disable(app, a, w, failing_since);
	enum vs_err done = vs_app_end(app, rc);
	return rc != VS_OK ? rc : done;
}

static struct vs_webhook_response attempt(struct vs_job_run *run, const struct vs_webhook_delivery *d,
					  const struct vs_webhook *w)
{
	struct vs_app *app = run->app;
	struct vs_webhook_response res = { 0 };
	char msg_id[VS_UUID_STRLEN + 1];
	vs_uuid_format(&d->id, msg_id);
	int64_t now = app->now();
	int64_t left_ms = run->deadline_ms - vs_time_mono_us() / 1000 - 1000;
	size_t len = strlen(d->body);
	const struct vs_webhook_request req = {
		.url = w->url,
		.msg_id = msg_id,
		.timestamp = now,
		.signature = vs_webhook_signatures(run->a, w, msg_id, now, d->body, len, now),
		.body = d->body,
		.body_len = len,
		.timeout_ms = left_ms < VS_WEBHOOK_TIMEOUT_MS ? left_ms : VS_WEBHOOK_TIMEOUT_MS,
	};
	if (!req.signature)
		res.error = "the webhook has no usable secret";
	else if (req.timeout_ms <= 0)
		res.error = "no time was left for the attempt";
	else if (app->webhook_sender->ops->post(app->webhook_sender, run->a, &req, &res) != VS_OK &&
		 !res.error)
		res.error = "the attempt could not be made";
	return res;
}

static enum vs_job_verdict run_deliver(struct vs_job_run *run)
{
	struct vs_app *app = run->app;
	struct vs_webhook_delivery d;
	struct vs_webhook w;
	vs_uuid id;
	if (!run->job->has_tenant || !vs_job_payload_uuid(run->job, "delivery_id", &id))
		return finish(run, VS_JOB_PERMANENT, KIND ": the payload names no delivery");
	if (!app->webhook_sender || !app->webhook_settings)
		return finish(run, VS_JOB_RETRY, "this runner sends no webhooks");
	enum vs_err rc = load(app, run->a, &run->job->tenant_id, &id, &d, &w);
	if (rc == VS_NOTFOUND) {
		run->result = "{\"skipped\":\"the webhook or the delivery no longer exists\"}";
		return VS_JOB_DONE;
	}
	if (rc != VS_OK)
		return finish(run, VS_JOB_RETRY, "could not read the delivery");

	struct vs_webhook_attempt_record r = {
		.delivery_id = d.id,
		.webhook_id = w.id,
		.tenant_id = w.tenant_id,
		.status = VS_DELIVERY_FAILED,
	};
	int64_t wait_ms = -1;
	if (!w.is_active) {
		r.error = "the webhook is disabled";
	} else {
		struct vs_webhook_response res = attempt(run, &d, &w);
		r.status_code = res.status_code;
		r.duration_ms = res.duration_ms;
		r.error = res.error;
		if (vs_webhook_status_ok(res.status_code))
			r.status = VS_DELIVERY_SUCCEEDED;
		else if ((wait_ms = vs_webhook_schedule_next(&app->webhook_settings->schedule,
							     run->job->attempts)) >= 0)
			r.status = VS_DELIVERY_PENDING;
		if (!r.error && !vs_webhook_status_ok(res.status_code))
			r.error = vs_arena_printf(run->a, "the endpoint answered %d", res.status_code);
	}
	if (r.status == VS_DELIVERY_PENDING)
		r.next_attempt_at = app->now() + (wait_ms + 999) / 1000;
	if ((rc = log_attempt(app, run->a, &w, &r)) == VS_NOTFOUND) {
		/* Deleted while the attempt was made: nothing is left to log or retry. */
		run->result = "{\"skipped\":\"the webhook was deleted during the attempt\"}";
		return VS_JOB_DONE;
	}
	if (rc != VS_OK)
		return finish(run, VS_JOB_RETRY, "could not log the attempt");
	switch (r.status) {
	case VS_DELIVERY_SUCCEEDED:
		run->result = vs_arena_printf(run->a, "{\"status_code\":%d}", r.status_code);
		return VS_JOB_DONE;
	case VS_DELIVERY_PENDING:
		run->retry_after_ms = wait_ms;
		return finish(run, VS_JOB_RETRY, r.error);
	default:
		return finish(run, VS_JOB_PERMANENT, r.error);
	}
}

const struct vs_job_kind vs_webhook_deliver_kind = { KIND, MAX_ATTEMPTS, TIMEOUT_S, run_deliver };

static const struct vs_job_kind *const kinds[] = { &vs_webhook_deliver_kind };
const struct vs_job_kind_group vs_webhooks_job_kinds = VS_JOB_KIND_GROUP(kinds);
