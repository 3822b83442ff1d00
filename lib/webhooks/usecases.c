/* Managing a tenant's webhooks: each use case checks webhook:manage in the tenant, runs in
 * one transaction and records its event there. */
#include "webhooks/usecases.h"

#include "audit/usecases.h"
#include "auth/messages.h"
#include "core/messages.h"
#include "core/time.h"
#include "webhooks/event_types.h"
#include "webhooks/messages.h"

#include <stdio.h>
#include <string.h>

#define PERMISSION "webhook:manage"

static enum vs_err allowed(const struct vs_principal *p, const vs_uuid *tenant,
			   struct vs_error *e)
{
	if (!tenant)
		return vs_fail(e, VS_BADREQ, VS_MSG_TENANT_ID_REQUIRED);
	return vs_principal_in_scope(p, tenant, PERMISSION, e);
}

static enum vs_err not_found(struct vs_error *e, enum vs_err rc)
{
	return rc == VS_NOTFOUND ? vs_fail(e, VS_NOTFOUND, VS_MSG_WEBHOOK_NOT_FOUND)
				 : vs_fail(e, rc, NULL);
}

/* Ends the transaction: rc is the outcome of its steps (their failure in e already). */
static enum vs_err end(struct vs_app *app, enum vs_err rc, struct vs_error *e)
{
	enum vs_err done = vs_app_end(app, rc);
	return rc != VS_OK ? rc : done == VS_OK ? VS_OK : vs_fail(e, done, NULL);
}

/* The URL as API.md §9 allows it: the form, then every address its host resolves to. */
static enum vs_err url_allowed(struct vs_app *app, const char *url, struct vs_error *e)
{
	const char *why = app->webhook_guard->ops->url_refusal(app->webhook_guard, url);
	return why ? vs_fail_field(e, "url", why) : VS_OK;
}

static enum vs_err event_types_valid(const struct vs_opt_strs *types, struct vs_error *e)
{
	if (types->n == 0)
		return vs_fail_field(e, "event_types", VS_MSG_WEBHOOK_EVENT_TYPES_EMPTY);
	for (size_t i = 0; i < types->n; i++) {
		const char *why = vs_webhook_event_type_check(types->v[i], strlen(types->v[i]));
		if (why)
			return vs_fail_field(e, "event_types", why);
	}
	return VS_OK;
}

static struct json_object *types_json(const char *const *types, size_t n)
{
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(types[i]));
	return arr;
}

static enum vs_err record(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			  const char *action, const struct vs_webhook *w,
			  struct json_object *changes)
{
	enum vs_err rc = vs_audit_record_object(app, a, p, action, "webhook", &w->id,
						&w->tenant_id, changes);
	json_object_put(changes);
	return rc;
}

enum vs_err vs_webhooks_create(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			       const vs_uuid *tenant, const struct vs_webhook_input *in,
			       struct vs_webhook *out, const char **secret, struct vs_error *e)
{
	enum vs_err rc = allowed(p, tenant, e);
	if (rc != VS_OK || (rc = event_types_valid(&in->event_types, e)) != VS_OK ||
	    (rc = url_allowed(app, in->url.p, e)) != VS_OK)
		return rc;
	char *fresh = vs_arena_alloc(a, VS_WEBHOOK_SECRET_LEN + 1);
	vs_webhook_secret_new(fresh);
	*out = (struct vs_webhook){
		.tenant_id = *tenant,
		.url = in->url.p,
		.description = vs_opt_str_or_null(&in->description),
		.event_types = in->event_types.v,
		.nevent_types = in->event_types.n,
		.is_active = in->is_active.set ? in->is_active.v : true,
		.secret = fresh,
	};
	vs_uuid_v4(&out->id);
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->webhooks->ops->insert(app->webhooks, a, &p->user.id, out);
	if (rc != VS_OK) {
		vs_fail(e, rc, NULL);
	} else {
		struct json_object *changes = NULL;
		vs_audit_change_value(&changes, "url", NULL, json_object_new_string(out->url));
		vs_audit_change_value(&changes, "event_types", NULL,
				      types_json(out->event_types, out->nevent_types));
		vs_audit_change_value(&changes, "is_active", NULL,
				      json_object_new_boolean(out->is_active));
		if ((rc = record(app, a, p, "webhook.created", out, changes)) != VS_OK)
			vs_fail(e, rc, NULL);
	}
	*secret = fresh;
	return end(app, rc, e);
}

enum vs_err vs_webhooks_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			     const vs_uuid *tenant, int64_t skip, int64_t limit,
			     struct vs_webhook **items, size_t *n, int64_t *total,
			     struct vs_error *e)
{
	enum vs_err rc = allowed(p, tenant, e);
	if (rc != VS_OK)
		return rc;
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->webhooks->ops->list(app->webhooks, a, tenant, skip, limit, items, n, total);
	if (rc != VS_OK)
		vs_fail(e, rc, NULL);
	return end(app, rc, e);
}

/* webhook:manage, a transaction, and the webhook id of the tenant in *w (404 when there is
 * none: the transaction is over then). On VS_OK the caller ends the transaction. */
static enum vs_err open_webhook(struct vs_app *app, struct vs_arena *a,
				const struct vs_principal *p, const vs_uuid *tenant,
				const vs_uuid *id, struct vs_webhook *w, struct vs_error *e)
{
	enum vs_err rc = allowed(p, tenant, e);
	if (rc != VS_OK)
		return rc;
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	if ((rc = app->webhooks->ops->get(app->webhooks, a, tenant, id, w)) != VS_OK)
		return end(app, not_found(e, rc), e);
	return VS_OK;
}

enum vs_err vs_webhooks_get(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *tenant, const vs_uuid *id, struct vs_webhook *out,
			    struct vs_error *e)
{
	enum vs_err rc = open_webhook(app, a, p, tenant, id, out, e);
	return rc == VS_OK ? end(app, VS_OK, e) : rc;
}

/* What a PATCH asks for, checked; the event's changes against before. */
static enum vs_err change_of(struct vs_app *app, const struct vs_webhook_input *in,
			     struct vs_webhook_change *c, struct vs_error *e)
{
	enum vs_err rc;
	memset(c, 0, sizeof(*c));
	if (in->url.set) {
		if ((rc = url_allowed(app, in->url.p, e)) != VS_OK)
			return rc;
		c->url = in->url.p;
	}
	if (in->event_types.set) {
		if ((rc = event_types_valid(&in->event_types, e)) != VS_OK)
			return rc;
		c->event_types = in->event_types.v;
		c->nevent_types = in->event_types.n;
	}
	c->set_description = in->description.set;
	c->description = vs_opt_str_or_null(&in->description);
	c->set_active = in->is_active.set;
	c->is_active = in->is_active.v;
	return VS_OK;
}

static struct json_object *changes_between(const struct vs_webhook *was,
					   const struct vs_webhook *now)
{
	struct json_object *changes = NULL;
	vs_audit_change_text(&changes, "url", was->url, now->url);
	vs_audit_change_text(&changes, "description", was->description, now->description);
	vs_audit_change_value(&changes, "event_types", types_json(was->event_types, was->nevent_types),
			      types_json(now->event_types, now->nevent_types));
	vs_audit_change_bool(&changes, "is_active", was->is_active, now->is_active);
	return changes;
}

enum vs_err vs_webhooks_update(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			       const vs_uuid *tenant, const vs_uuid *id,
			       const struct vs_webhook_input *in, struct vs_webhook *out,
			       struct vs_error *e)
{
	struct vs_webhook_change c;
	struct vs_webhook was;
	enum vs_err rc = allowed(p, tenant, e);
	if (rc != VS_OK || (rc = change_of(app, in, &c, e)) != VS_OK ||
	    (rc = open_webhook(app, a, p, tenant, id, &was, e)) != VS_OK)
		return rc;
	if ((rc = app->webhooks->ops->update(app->webhooks, a, tenant, id, &c, out)) != VS_OK)
		not_found(e, rc);
	else if ((rc = record(app, a, p, "webhook.updated", out, changes_between(&was, out))) != VS_OK)
		vs_fail(e, rc, NULL);
	return end(app, rc, e);
}

enum vs_err vs_webhooks_delete(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			       const vs_uuid *tenant, const vs_uuid *id, struct vs_error *e)
{
	struct vs_webhook was;
	enum vs_err rc = open_webhook(app, a, p, tenant, id, &was, e);
	if (rc != VS_OK)
		return rc;
	if ((rc = app->webhooks->ops->remove(app->webhooks, tenant, id)) != VS_OK) {
		not_found(e, rc);
	} else {
		struct json_object *changes = NULL;
		vs_audit_change_text(&changes, "url", was.url, NULL);
		if ((rc = record(app, a, p, "webhook.deleted", &was, changes)) != VS_OK)
			vs_fail(e, rc, NULL);
	}
	return end(app, rc, e);
}

enum vs_err vs_webhooks_rotate(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			       const vs_uuid *tenant, const vs_uuid *id, struct vs_webhook *out,
			       const char **secret, struct vs_error *e)
{
	enum vs_err rc = allowed(p, tenant, e);
	if (rc != VS_OK)
		return rc;
	char *fresh = vs_arena_alloc(a, VS_WEBHOOK_SECRET_LEN + 1);
	vs_webhook_secret_new(fresh);
	int64_t until = app->now() + VS_WEBHOOK_ROTATION_OVERLAP_S;
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->webhooks->ops->rotate(app->webhooks, a, tenant, id, fresh, until, out);
	if (rc != VS_OK) {
		not_found(e, rc);
	} else {
		char at[VS_TIME_STRLEN + 1];
		vs_time_format(until, at);
		struct json_object *changes = NULL;
		vs_audit_created_text(&changes, "previous_signs_until", at);
		if ((rc = record(app, a, p, "webhook.secret_rotated", out, changes)) != VS_OK)
			vs_fail(e, rc, NULL);
	}
	*secret = fresh;
	return end(app, rc, e);
}

/* {"type":"webhook.test","timestamp":…,"data":{"webhook_id":…,"tenant_id":…}} */
static const char *test_body(struct vs_arena *a, const struct vs_webhook *w, int64_t now)
{
	char id[VS_UUID_STRLEN + 1], tenant[VS_UUID_STRLEN + 1], at[VS_TIME_STRLEN + 1];
	vs_uuid_format(&w->id, id);
	vs_uuid_format(&w->tenant_id, tenant);
	vs_time_format(now, at);
	return vs_arena_printf(a,
			       "{\"type\":\"webhook.test\",\"timestamp\":\"%s\",\"data\":"
			       "{\"webhook_id\":\"%s\",\"tenant_id\":\"%s\"}}",
			       at, id, tenant);
}

enum vs_err vs_webhooks_test(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			     const vs_uuid *tenant, const vs_uuid *id, vs_uuid *delivery,
			     struct vs_error *e)
{
	struct vs_webhook w;
	enum vs_err rc = open_webhook(app, a, p, tenant, id, &w, e);
	if (rc != VS_OK)
		return rc;
	rc = app->webhooks->ops->add_delivery(app->webhooks, tenant, id, "webhook.test",
					      test_body(a, &w, app->now()), delivery);
	if (rc != VS_OK)
		not_found(e, rc);
	else if ((rc = record(app, a, p, "webhook.tested", &w, NULL)) != VS_OK)
		vs_fail(e, rc, NULL);
	return end(app, rc, e);
}

enum vs_err vs_webhooks_attempts(struct vs_app *app, struct vs_arena *a,
				 const struct vs_principal *p, const vs_uuid *tenant,
				 const vs_uuid *id, int limit, struct vs_webhook_attempt **items,
				 size_t *n, struct vs_error *e)
{
	struct vs_webhook w;
	enum vs_err rc = open_webhook(app, a, p, tenant, id, &w, e);
	if (rc != VS_OK)
		return rc;
	if ((rc = app->webhooks->ops->attempts(app->webhooks, a, tenant, id, limit, items, n)) !=
	    VS_OK)
		vs_fail(e, rc, NULL);
	return end(app, rc, e);
}

enum vs_err vs_webhooks_replay(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			       const vs_uuid *tenant, const vs_uuid *id, const vs_uuid *delivery,
			       struct vs_error *e)
{
	struct vs_webhook w;
	bool queued = false;
	enum vs_err rc = open_webhook(app, a, p, tenant, id, &w, e);
	if (rc != VS_OK)
		return rc;
	if ((rc = app->webhooks->ops->replay(app->webhooks, tenant, id, delivery, &queued)) !=
	    VS_OK) {
		vs_fail(e, rc, rc == VS_NOTFOUND ? VS_MSG_DELIVERY_NOT_FOUND : NULL);
	} else if (!queued) {
		rc = vs_fail(e, VS_CONFLICT, VS_MSG_DELIVERY_PENDING);
	} else {
		char d[VS_UUID_STRLEN + 1];
		vs_uuid_format(delivery, d);
		struct json_object *changes = NULL;
		vs_audit_created_text(&changes, "delivery_id", d);
		if ((rc = record(app, a, p, "webhook.replayed", &w, changes)) != VS_OK)
			vs_fail(e, rc, NULL);
	}
	return end(app, rc, e);
}

enum vs_err vs_webhooks_replay_since(struct vs_app *app, struct vs_arena *a,
				     const struct vs_principal *p, const vs_uuid *tenant,
				     const vs_uuid *id, int64_t since, int *n, struct vs_error *e)
{
	struct vs_webhook w;
	enum vs_err rc = allowed(p, tenant, e);
	if (rc != VS_OK)
		return rc;
	if (since > app->now())
		return vs_fail_field(e, "since", "must not be in the future");
	if ((rc = open_webhook(app, a, p, tenant, id, &w, e)) != VS_OK)
		return rc;
	if ((rc = app->webhooks->ops->replay_since(app->webhooks, tenant, id, since,
						   VS_WEBHOOK_REPLAY_MAX, n)) != VS_OK) {
		vs_fail(e, rc, NULL);
	} else {
		char at[VS_TIME_STRLEN + 1];
		vs_time_format(since, at);
		struct json_object *changes = NULL;
		vs_audit_created_text(&changes, "since", at);
		vs_audit_change_value(&changes, "deliveries", NULL, json_object_new_int(*n));
		if ((rc = record(app, a, p, "webhook.replayed", &w, changes)) != VS_OK)
			vs_fail(e, rc, NULL);
	}
	return end(app, rc, e);
}

enum vs_err vs_webhooks_prune(struct vs_app *app, int retention_s, int batch, int *removed)
{
	*removed = 0;
	if (!app->webhooks)
		return VS_OK;
	return app->webhooks->ops->prune(app->webhooks, retention_s, batch, removed);
}
