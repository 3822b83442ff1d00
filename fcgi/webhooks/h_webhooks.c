/* /webhooks: a tenant's subscriptions, their delivery log and replays (API.md §9). */
#include "webhooks/handlers.h"

#include "core/messages.h"
#include "webhooks/event_types.h"
#include "webhooks/usecases.h"

#include <string.h>

#define DELIVERIES_DEFAULT 50
#define DELIVERIES_MAX 200

#define FIELD(name, type, flags, min, max, check)                                          \
	{ #name, type, offsetof(struct vs_webhook_input, name), flags, min, max, check }

static const struct vs_json_field create_fields[] = {
	FIELD(url, VS_JT_STRING, VS_JF_REQUIRED, 1, VS_WEBHOOK_URL_MAX, NULL),
	FIELD(event_types, VS_JT_STRINGS, VS_JF_REQUIRED, 0, VS_WEBHOOK_EVENT_TYPES_MAX,
	      vs_webhook_event_type_check),
	FIELD(description, VS_JT_STRING, VS_JF_NULLABLE, 0, VS_WEBHOOK_DESCRIPTION_MAX, NULL),
	FIELD(is_active, VS_JT_BOOL, 0, 0, 0, NULL),
};

static const struct vs_json_field update_fields[] = {
	FIELD(url, VS_JT_STRING, 0, 1, VS_WEBHOOK_URL_MAX, NULL),
	FIELD(event_types, VS_JT_STRINGS, 0, 0, VS_WEBHOOK_EVENT_TYPES_MAX,
	      vs_webhook_event_type_check),
	FIELD(description, VS_JT_STRING, VS_JF_NULLABLE, 0, VS_WEBHOOK_DESCRIPTION_MAX, NULL),
	FIELD(is_active, VS_JT_BOOL, 0, 0, 0, NULL),
};

struct replay_body {
	struct vs_opt_time since;
};
static const struct vs_json_field replay_fields[] = {
	{ "since", VS_JT_TIME, offsetof(struct replay_body, since), VS_JF_REQUIRED, 0, 0, NULL },
};

/* The Webhook of API.md; secret only when just made. */
static struct json_object *render_webhook(const struct vs_webhook *h, const char *secret)
{
	struct json_object *o = json_object_new_object(), *types = json_object_new_array();
	for (size_t i = 0; i < h->nevent_types; i++)
		json_object_array_add(types, json_object_new_string(h->event_types[i]));
	json_object_object_add(o, "id", vs_json_uuid(&h->id));
	json_object_object_add(o, "tenant_id", vs_json_uuid(&h->tenant_id));
	json_object_object_add(o, "url", json_object_new_string(h->url));
	json_object_object_add(o, "description", vs_json_str_or_null(h->description));
	json_object_object_add(o, "event_types", types);
	json_object_object_add(o, "is_active", json_object_new_boolean(h->is_active));
	json_object_object_add(o, "failing_since",
			       h->failing_since ? vs_json_time(h->failing_since) : NULL);
	json_object_object_add(o, "created_at", vs_json_time(h->created_at));
	json_object_object_add(o, "updated_at", vs_json_time(h->updated_at));
	if (secret)
		json_object_object_add(o, "secret", json_object_new_string(secret));
	return o;
}

static struct json_object *render_attempt(const struct vs_webhook_attempt *t)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "id", vs_json_uuid(&t->delivery_id));
	json_object_object_add(o, "event_id", t->has_event ? vs_json_uuid(&t->event_id) : NULL);
	json_object_object_add(o, "event_type", json_object_new_string(t->event_type));
	json_object_object_add(o, "attempt", json_object_new_int(t->attempt));
	json_object_object_add(o, "status_code",
			       t->status_code ? json_object_new_int(t->status_code) : NULL);
	json_object_object_add(o, "duration_ms", json_object_new_int64(t->duration_ms));
	json_object_object_add(o, "error", vs_json_str_or_null(t->error));
	json_object_object_add(o, "next_attempt_at",
			       t->next_attempt_at ? vs_json_time(t->next_attempt_at) : NULL);
	json_object_object_add(o, "status", json_object_new_string(vs_delivery_status_name(t->status)));
	json_object_object_add(o, "attempted_at", vs_json_time(t->at));
	return o;
}

enum vs_err vs_h_webhooks_list(struct vs_worker *w, struct vs_request *req)
{
	int64_t skip, limit, total = 0;
	struct vs_webhook *items;
	size_t n;
	enum vs_err rc = vs_req_skip_limit(req, &skip, &limit);
	if (rc == VS_OK)
		rc = vs_webhooks_list(w->app, req->arena, &req->principal, req->tenant, skip, limit,
				      &items, &n, &total, &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, render_webhook(&items[i], NULL));
	vs_res_array(req, arr, total);
	return VS_OK;
}

enum vs_err vs_h_webhooks_create(struct vs_worker *w, struct vs_request *req)
{
	struct vs_webhook_input in = { 0 };
	struct vs_webhook h;
	const char *secret = NULL;
	enum vs_err rc =
		vs_req_bind_json(req, create_fields, VS_JSON_FIELDS_LEN(create_fields), &in);
	if (rc == VS_OK)
		rc = vs_webhooks_create(w->app, req->arena, &req->principal, req->tenant, &in, &h,
					&secret, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 201, render_webhook(&h, secret));
	return rc;
}

enum vs_err vs_h_webhooks_get(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct vs_webhook h;
	enum vs_err rc = vs_req_path_uuid(req, "webhook_id", &id);
	if (rc == VS_OK)
		rc = vs_webhooks_get(w->app, req->arena, &req->principal, req->tenant, &id, &h,
				     &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, render_webhook(&h, NULL));
	return rc;
}

enum vs_err vs_h_webhooks_update(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct vs_webhook_input in = { 0 };
	struct vs_webhook h;
	enum vs_err rc = vs_req_path_uuid(req, "webhook_id", &id);
	if (rc == VS_OK)
		rc = vs_req_bind_json(req, update_fields, VS_JSON_FIELDS_LEN(update_fields), &in);
	if (rc == VS_OK)
		rc = vs_webhooks_update(w->app, req->arena, &req->principal, req->tenant, &id, &in,
					&h, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, render_webhook(&h, NULL));
	return rc;
}

enum vs_err vs_h_webhooks_delete(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	enum vs_err rc = vs_req_path_uuid(req, "webhook_id", &id);
	if (rc == VS_OK)
		rc = vs_webhooks_delete(w->app, req->arena, &req->principal, req->tenant, &id,
					&req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}

enum vs_err vs_h_webhooks_rotate(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct vs_webhook h;
	const char *secret = NULL;
	enum vs_err rc = vs_req_path_uuid(req, "webhook_id", &id);
	if (rc == VS_OK)
		rc = vs_webhooks_rotate(w->app, req->arena, &req->principal, req->tenant, &id, &h,
					&secret, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 201, render_webhook(&h, secret));
	return rc;
}

static void accepted_delivery(struct vs_request *req, const vs_uuid *delivery)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "delivery_id", vs_json_uuid(delivery));
	vs_res_json(req, 202, o);
}

enum vs_err vs_h_webhooks_test(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id, delivery;
	enum vs_err rc = vs_req_path_uuid(req, "webhook_id", &id);
	if (rc == VS_OK)
		rc = vs_webhooks_test(w->app, req->arena, &req->principal, req->tenant, &id,
				      &delivery, &req->error);
	if (rc == VS_OK)
		accepted_delivery(req, &delivery);
	return rc;
}

enum vs_err vs_h_webhooks_deliveries(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	int64_t limit;
	struct vs_webhook_attempt *items;
	size_t n;
	enum vs_err rc = vs_req_path_uuid(req, "webhook_id", &id);
	if (rc == VS_OK)
		rc = vs_req_query_int(req, "limit", DELIVERIES_DEFAULT, 1, DELIVERIES_MAX, &limit);
	if (rc == VS_OK)
		rc = vs_webhooks_attempts(w->app, req->arena, &req->principal, req->tenant, &id,
					  (int)limit, &items, &n, &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, render_attempt(&items[i]));
	vs_res_json(req, 200, arr);
	return VS_OK;
}

enum vs_err vs_h_webhooks_replay_delivery(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id, delivery;
	enum vs_err rc = vs_req_path_uuid(req, "webhook_id", &id);
	if (rc == VS_OK)
		rc = vs_req_path_uuid(req, "delivery_id", &delivery);
	if (rc == VS_OK)
		rc = vs_webhooks_replay(w->app, req->arena, &req->principal, req->tenant, &id,
					&delivery, &req->error);
	if (rc == VS_OK)
		accepted_delivery(req, &delivery);
	return rc;
}

enum vs_err vs_h_webhooks_replay(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct replay_body body = { 0 };
	int n = 0;
	enum vs_err rc = vs_req_path_uuid(req, "webhook_id", &id);
	if (rc == VS_OK)
		rc = vs_req_bind_json(req, replay_fields, VS_JSON_FIELDS_LEN(replay_fields), &body);
	if (rc == VS_OK)
		rc = vs_webhooks_replay_since(w->app, req->arena, &req->principal, req->tenant, &id,
					      body.since.v, &n, &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "replayed", json_object_new_int(n));
	vs_res_json(req, 202, o);
	return VS_OK;
}
