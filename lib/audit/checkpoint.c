/* Checkpoints: vs-worker signs the heads that moved (requests read them in read.c). */
#include "audit/usecases.h"

#include "core/log.h"

#include <string.h>

enum vs_err vs_audit_checkpoint(struct vs_app *app, struct vs_arena *a, int *made)
{
	*made = 0;
	if (!app->audit_key || !app->audit->ops->unsigned_heads)
		return VS_OK;
	struct vs_audit_checkpoint *heads;
	size_t n;
	enum vs_err rc = app->audit->ops->unsigned_heads(app->audit, a, &heads, &n);
	int64_t now = app->now();
	for (size_t i = 0; rc == VS_OK && i < n; i++) {
		struct vs_audit_checkpoint *c = &heads[i];
		size_t len;
		c->signed_at = now;
		memcpy(c->public_key, app->audit_key->public_key, sizeof(c->public_key));
		const char *text = vs_audit_checkpoint_text(a, c, &len);
		if (!vs_ed25519_sign(app->audit_key, text, len, c->signature)) {
			vs_log(VS_LOG_ERROR, "cannot sign audit checkpoints: the key has no private half");
			return VS_INTERNAL;
		}
		rc = app->audit->ops->add_checkpoint(app->audit, c);
		if (rc == VS_NOTFOUND) /* the head moved on meanwhile: the next turn signs it */
			rc = VS_OK;
		else if (rc == VS_OK)
			(*made)++;
	}
	return rc;
}
