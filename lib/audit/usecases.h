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
 * caller's transaction. An action not in audit/actions.h, or changes naming a secret
 * field, is a bug of the caller: INTERNAL, and nothing is written. */
enum vs_err vs_audit_record(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const struct vs_audit_event *ev);

/* The common case: action on the object of resource_type with that id, joining tenant's
 * chain (NULL: the platform's), with changes (not taken over; NULL: none). */
enum vs_err vs_audit_record_object(struct vs_app *app, struct vs_arena *a,
				   const struct vs_principal *p, const char *action,
				   const char *resource_type, const vs_uuid *id,
				   const vs_uuid *tenant, struct json_object *changes);

/* ---- reading (read.c) ---- */

/* GET /audit-logs: what the caller asks for; action is exact or "<resource>.*". */
struct vs_audit_filter {
	int64_t before_seq; /* 0: from the newest */
	const vs_uuid *actor;
	const char *action;
	const char *resource_type, *resource_id;
	bool has_from, has_to;
	int64_t from, to;
	int64_t limit;
};

/* The chain of tenant, or with none the platform's (superusers only), newest first;
 * audit:read. An unknown action or from after to: 422. */
enum vs_err vs_audit_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			  const vs_uuid *tenant, const struct vs_audit_filter *f,
			  struct vs_audit_page *out, struct vs_error *e);

/* GET /audit-logs/verify: the whole chain checked from seq 1 to its head. */
struct vs_audit_verdict {
	bool valid;
	int64_t checked;	     /* links that held */
	int64_t first_seq, last_seq; /* of those; 0 when none */
	uint8_t head[VS_SHA256_LEN]; /* the last good hash, when checked > 0 */
	int64_t broken_at;	     /* the first seq that does not hold; 0 when valid */
};
enum vs_err vs_audit_verify(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *tenant, struct vs_audit_verdict *out, struct vs_error *e);
/* The same for the operator's tools (vs-admin audit verify), which check no principal. */
enum vs_err vs_audit_verify_chain(struct vs_app *app, const vs_uuid *tenant,
				  struct vs_audit_verdict *out);

/* The chain's newest checkpoint against a verdict of the chain: links removed from the
 * end, with the head rewound to match, still show here. */
struct vs_audit_checkpoint_check {
	bool exists;
	struct vs_audit_checkpoint cp;
	bool signature_ok;  /* under the checkpoint's own public key */
	bool key_matches;   /* that key is app->audit_key's (true when none is configured) */
	bool matches_chain; /* the chain holds the signed seq with the signed hash */
};
enum vs_err vs_audit_check_checkpoint(struct vs_app *app, struct vs_arena *a, const vs_uuid *tenant,
				      const struct vs_audit_verdict *v,
				      struct vs_audit_checkpoint_check *out);

/* ---- checkpoints (checkpoint.c) ---- */

/* vs-worker: signs every chain head no checkpoint names yet with app->audit_key (none: does
 * nothing); *made how many. */
enum vs_err vs_audit_checkpoint(struct vs_app *app, struct vs_arena *a, int *made);
/* GET /audit-logs/checkpoints: a chain's, newest first, before before_seq (0: all). */
enum vs_err vs_audit_checkpoints_list(struct vs_app *app, struct vs_arena *a,
				      const struct vs_principal *p, const vs_uuid *tenant,
				      int64_t before_seq, int limit,
				      struct vs_audit_checkpoint **items, size_t *n,
				      struct vs_error *e);

#endif
