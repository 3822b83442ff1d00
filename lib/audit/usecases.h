/* The one place events are made: a use case describes its change, this adds who, when
 * and from where, checks the rules, and writes the event in the use case's transaction. */
#ifndef VS_AUDIT_USECASES_H
#define VS_AUDIT_USECASES_H

#include "app/app.h"
#include "audit/domain.h"
#include "audit/port.h"
#include "auth/domain.h"
#include "core/arena.h"
#include "core/err.h"

/* Writes ev as done by p (NULL: nobody authenticated, e.g. a failed login) inside the
 * caller's transaction. An action that is not "<resource>.<verb>", or changes naming a
 * secret field, is a bug of the caller: INTERNAL, and nothing is written. */
enum vs_err vs_audit_record(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const struct vs_audit_event *ev);

/* The common case: action on the object of resource_type with that id, joining tenant's
 * chain (NULL: the platform's), with changes (not taken over; NULL: none). */
enum vs_err vs_audit_record_object(struct vs_app *app, struct vs_arena *a,
				   const struct vs_principal *p, const char *action,
				   const char *resource_type, const vs_uuid *id,
				   const vs_uuid *tenant, struct json_object *changes);

#endif
