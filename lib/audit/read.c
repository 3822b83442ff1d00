/* Reading the audit log: a page of a chain, a chain checked end to end, its checkpoints. */
#include "audit/usecases.h"

#include "audit/actions.h"
#include "audit/messages.h"

#include <string.h>

#define VERIFY_BATCH 5000 /* links read at a time: memory stays flat however long the chain */

#define PERMISSION "audit:read" /* in the tenant; the platform's chain is the superusers' */

enum vs_err vs_audit_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			  const vs_uuid *tenant, const struct vs_audit_filter *f,
			  struct vs_audit_page *out, struct vs_error *e)
{
	struct vs_audit_query q = {
		.tenant = tenant,
		.before_seq = f->before_seq,
		.actor = f->actor,
		.action = f->action,
		.resource_type = f->resource_type,
		.resource_id = f->resource_id,
		.has_from = f->has_from,
		.has_to = f->has_to,
		.from = f->from,
		.to = f->to,
		.limit = f->limit,
	};
	size_t len = f->action ? strlen(f->action) : 0;
	if (len > 2 && !strcmp(f->action + len - 2, ".*")) {
		if (!vs_audit_resource_known(f->action, len - 2))
			vs_fail_field(e, "action", VS_MSG_AUDIT_ACTION_UNKNOWN);
		q.action = vs_arena_strndup(a, f->action, len - 1); /* "user." */
		q.action_prefix = true;
	} else if (f->action && !vs_audit_action_known(f->action)) {
		vs_fail_field(e, "action", VS_MSG_AUDIT_ACTION_UNKNOWN);
	}
	if (f->has_from && f->has_to && f->from > f->to)
		vs_fail_field(e, "from", VS_MSG_AUDIT_RANGE_BACKWARDS);
	if (e->code != VS_OK)
		return e->code;
	enum vs_err rc = vs_principal_in_scope(p, tenant, PERMISSION, e);
	if (rc != VS_OK)
		return rc;
	rc = app->audit->ops->list(app->audit, a, &q, out);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

enum vs_err vs_audit_verify(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *tenant, struct vs_audit_verdict *out, struct vs_error *e)
{
	(void)a;
	memset(out, 0, sizeof(*out));
	enum vs_err rc = vs_principal_in_scope(p, tenant, PERMISSION, e);
	if (rc == VS_OK)
		rc = vs_audit_verify_chain(app, tenant, out);
	return rc == VS_OK || e->code != VS_OK ? rc : vs_fail(e, rc, NULL);
}

enum vs_err vs_audit_verify_chain(struct vs_app *app, const vs_uuid *tenant,
				  struct vs_audit_verdict *out)
{
	memset(out, 0, sizeof(*out));
	/* The head first: links the sequencer adds meanwhile are past it and not read. */
	int64_t head_seq;
	uint8_t head_hash[VS_SHA256_LEN];
	enum vs_err rc = app->audit->ops->head(app->audit, tenant, &head_seq, head_hash);
	struct vs_audit_verifier v;
	vs_audit_verifier_init(&v);
	for (int64_t after = 0; rc == VS_OK && after < head_seq;) {
		struct vs_audit_link *links;
		size_t n;
		struct vs_arena *batch = vs_arena_new(); /* one batch's rows at a time */
		rc = app->audit->ops->links(app->audit, batch, tenant, after, head_seq, VERIFY_BATCH,
					    &links, &n);
		bool whole = rc == VS_OK;
		for (size_t i = 0; whole && i < n; i++)
			whole = vs_audit_verify_link(&v, &links[i]);
		after = n ? links[n - 1].seq : head_seq; /* none left: the end is checked below */
		vs_arena_free(batch);
		if (!whole)
			break;
	}
	if (rc != VS_OK)
		return rc;
	out->valid = vs_audit_verify_end(&v, head_seq, head_hash);
	out->checked = v.checked;
	out->first_seq = v.first_seq;
	out->last_seq = v.last_seq;
	out->broken_at = v.broken_at;
	memcpy(out->head, v.head, sizeof(out->head));
	return VS_OK;
}

enum vs_err vs_audit_check_checkpoint(struct vs_app *app, struct vs_arena *a, const vs_uuid *tenant,
				      const struct vs_audit_verdict *v,
				      struct vs_audit_checkpoint_check *out)
{
	memset(out, 0, sizeof(*out));
	struct vs_audit_checkpoint *items;
	size_t n;
	enum vs_err rc = app->audit->ops->checkpoints(app->audit, a, tenant, 0, 1, &items, &n);
	if (rc != VS_OK || n == 0)
		return rc;
	out->exists = true;
	out->cp = items[0];
	out->signature_ok = vs_audit_checkpoint_valid(a, &out->cp);
	out->key_matches = !app->audit_key ||
			   memcmp(app->audit_key->public_key, out->cp.public_key,
				  sizeof(out->cp.public_key)) == 0;
	if (out->cp.seq > v->last_seq)
		return VS_OK; /* the chain ends before the head that was signed */
	struct vs_audit_link *link;
	rc = app->audit->ops->links(app->audit, a, tenant, out->cp.seq - 1, out->cp.seq, 1, &link, &n);
	out->matches_chain = rc == VS_OK && n == 1 && link->hash_len == VS_SHA256_LEN &&
			     memcmp(link->hash, out->cp.hash, VS_SHA256_LEN) == 0;
	return rc;
}

enum vs_err vs_audit_checkpoints_list(struct vs_app *app, struct vs_arena *a,
				      const struct vs_principal *p, const vs_uuid *tenant,
				      int64_t before_seq, int limit,
				      struct vs_audit_checkpoint **items, size_t *n,
				      struct vs_error *e)
{
	*n = 0;
	enum vs_err rc = vs_principal_in_scope(p, tenant, PERMISSION, e);
	if (rc != VS_OK)
		return rc;
	rc = app->audit->ops->checkpoints(app->audit, a, tenant, before_seq, limit,
						      items, n);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}
