#include "audit/usecases.h"

#include "audit/actions.h"
#include "audit/canonical.h"
#include "core/log.h"
#include "core/time.h"

static struct json_object *text_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *uuid_text(const vs_uuid *id)
{
	char text[VS_UUID_STRLEN + 1];
	vs_uuid_format(id, text);
	return json_object_new_string(text);
}

static struct json_object *actor_of(const struct vs_app *app, const struct vs_principal *p)
{
	struct json_object *actor = json_object_new_object();
	bool known = p && p->authenticated;
	json_object_object_add(actor, "user_id", known ? uuid_text(&p->user.id) : NULL);
	json_object_object_add(actor, "api_key_id", known && p->via_key ? uuid_text(&p->key_id) : NULL);
	json_object_object_add(actor, "ip", text_or_null(app->origin ? app->origin->ip : NULL));
	return actor;
}

/* The event as API.md §8 names its members, less seq and the hashes (the chain's). */
static struct json_object *event_json(const struct vs_app *app, const struct vs_principal *p,
				      const struct vs_audit_event *ev)
{
	struct json_object *o = json_object_new_object();
	vs_uuid id;
	vs_uuid_v4(&id);
	char when[VS_TIME_STRLEN + 1];
	vs_time_format(app->now(), when);
	json_object_object_add(o, "id", uuid_text(&id));
	json_object_object_add(o, "tenant_id", ev->tenant ? uuid_text(ev->tenant) : NULL);
	json_object_object_add(o, "occurred_at", json_object_new_string(when));
	json_object_object_add(o, "actor", actor_of(app, p));
	json_object_object_add(o, "request_id",
			       text_or_null(app->origin ? app->origin->request_id : NULL));
	json_object_object_add(o, "action", json_object_new_string(ev->action));
	struct json_object *resource = json_object_new_object();
	json_object_object_add(resource, "type", text_or_null(ev->resource_type));
	json_object_object_add(resource, "id", text_or_null(ev->resource_id));
	json_object_object_add(o, "resource", resource);
	json_object_object_add(o, "changes",
			       ev->changes ? json_object_get(ev->changes) : json_object_new_object());
	json_object_object_add(o, "outcome", json_object_new_string(ev->outcome ? ev->outcome
										: "success"));
	return o;
}

enum vs_err vs_audit_record(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const struct vs_audit_event *ev)
{
	const char *secret = vs_audit_secret_in(ev->changes);
	if (!vs_audit_action_known(ev->action) || secret) {
		vs_log(VS_LOG_ERROR, "refused to record audit event %s: %s", ev->action ? ev->action : "(none)",
		       secret ? "its changes name a secret field" : "not in audit/actions.h");
		return VS_INTERNAL;
	}
	struct json_object *o = event_json(app, p, ev);
	size_t len = 0;
	const char *canonical = vs_audit_canonical(a, o, &len);
	json_object_put(o);
	if (!canonical) {
		vs_log(VS_LOG_ERROR, "audit event %s holds what an event cannot (a float, a huge "
				     "integer, text that is not UTF-8)", ev->action);
		return VS_INTERNAL;
	}
	return app->audit->ops->append(app->audit, canonical, len, ev->tenant);
}

enum vs_err vs_audit_record_object(struct vs_app *app, struct vs_arena *a,
				   const struct vs_principal *p, const char *action,
				   const char *resource_type, const vs_uuid *id,
				   const vs_uuid *tenant, struct json_object *changes)
{
	char text[VS_UUID_STRLEN + 1];
	vs_uuid_format(id, text);
	struct vs_audit_event ev = {
		.action = action,
		.resource_type = resource_type,
		.resource_id = text,
		.tenant = tenant,
		.changes = changes,
	};
	return vs_audit_record(app, a, p, &ev);
}
