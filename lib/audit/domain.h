/* Audit events (API.md §8): what a use case records about a change or a security event,
 * and the rules every event follows before it is written. */
#ifndef VS_AUDIT_DOMAIN_H
#define VS_AUDIT_DOMAIN_H

#include "core/uuid.h"

#include <json-c/json.h>
#include <stdbool.h>

/* Where a request came from, for the event's actor and request_id (NULLs outside a
 * request, e.g. in vs-admin). */
struct vs_audit_origin {
	const char *ip;
	const char *request_id;
};

struct vs_audit_event {
	const char *action;	   /* "<resource>.<verb, past tense>", e.g. "user.updated" */
	const char *resource_type; /* "user"; NULL for none */
	const char *resource_id;   /* its id as text; NULL for none */
	const vs_uuid *tenant;	   /* the tenant whose chain it joins; NULL: the platform's */
	struct json_object *changes; /* {field: {"from": …, "to": …}} or NULL; not owned */
	const char *outcome;	   /* "success" (NULL means it), "failure" or "denied" */
};

/* Whether action is "<resource>.<verb>": lower-case words of letters and underscores. */
bool vs_audit_action_valid(const char *action);

/* Whether a field of that name may hold a secret (a password, token, key, hash or
 * secret): such a field never goes into an event's changes. */
bool vs_audit_field_is_secret(const char *field);

/* The first field of changes (at any depth) that vs_audit_field_is_secret refuses, or
 * NULL when there is none. */
const char *vs_audit_secret_in(struct json_object *changes);

/* Changes, {field: {"from": …, "to": …}}, built one field at a time into *changes
 * (created on first use; the caller puts it). A field whose value did not change is left
 * out; NULL stands for JSON null. */
void vs_audit_change_text(struct json_object **changes, const char *field, const char *from,
			  const char *to);
void vs_audit_change_bool(struct json_object **changes, const char *field, bool from, bool to);
/* Any values (taken over; NULL: JSON null), left out when both print the same. */
void vs_audit_change_value(struct json_object **changes, const char *field,
			   struct json_object *from, struct json_object *to);
/* A field set on creation (no "from"). */
void vs_audit_created_text(struct json_object **changes, const char *field, const char *to);

#endif
