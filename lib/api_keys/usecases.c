/* API keys: owned by a user, GLOBAL or bound to one tenant, limited by scopes, shown once.
 * A key never carries a permission its owner lacks in its tenant (checked here when the
 * tenant is known, and on every use). */
#include "api_keys/usecases.h"

#include "api_keys/messages.h"
#include "audit/usecases.h"
#include "auth/messages.h"
#include "limits/messages.h"
#include "core/crypto.h"
#include "core/time.h"
#include "roles/messages.h"
#include "roles/port.h"
#include "tenants/port.h"
#include "users/messages.h"
#include "users/port.h"

#include <string.h>

#define RANDOM_DRAW 64 /* bytes; enough for 34 base62 characters with rejections */

/* A request made with a limited key manages keys only with the matching scope, and only
 * makes keys limited to (a subset of) its own scopes: a key never mints a stronger one. */
static enum vs_err check_calling_key(const struct vs_principal *p, const char *needed,
				     const char **scopes, size_t nscopes, bool new_scopes,
				     struct vs_error *e)
{
	if (!p->key_limited)
		return VS_OK;
	if (!vs_permset_has(&p->key_scopes, needed))
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_FORBIDDEN);
	if (!new_scopes)
		return VS_OK;
	if (nscopes == 0)
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_KEY_BEYOND_SCOPES);
	for (size_t i = 0; i < nscopes; i++)
		if (!vs_permset_has(&p->key_scopes, scopes[i]))
			return vs_fail(e, VS_FORBIDDEN, VS_MSG_KEY_BEYOND_SCOPES);
	return VS_OK;
}

static enum vs_err key_error(struct vs_error *e, enum vs_err rc)
{
	if (rc == VS_NOTFOUND)
		return vs_fail(e, VS_NOTFOUND, VS_MSG_KEY_NOT_FOUND);
	if (rc == VS_QUOTA)
		return vs_fail(e, VS_QUOTA, VS_MSG_LIMIT_API_KEYS);
	return vs_fail(e, rc, NULL);
}

/* Visible → the key; someone else's → 403; none → 404 (API.md). */
static enum vs_err load_key(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *id, struct vs_api_key *out, struct vs_error *e)
{
	enum vs_err rc = app->api_keys->ops->get(app->api_keys, a, id, out);
	if (rc == VS_OK && (p->user.is_superuser || vs_uuid_eq(&out->user_id, &p->user.id)))
		return VS_OK;
	if (rc != VS_OK && rc != VS_NOTFOUND)
		return vs_fail(e, rc, NULL);
	vs_uuid owner;
	rc = app->api_keys->ops->owner(app->api_keys, id, &owner);
	if (rc == VS_OK)
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_KEY_NOT_YOURS);
	return key_error(e, rc);
}

/* A scope is a permission's code, never its id: a stored scope is compared with the codes
 * routes require, so anything else would be a scope that never matches. */
static enum vs_err find_scope(struct vs_app *app, struct vs_arena *a, const char *scope,
			      struct vs_error *e)
{
	struct vs_permission perm;
	enum vs_err rc = app->permissions->ops->find(app->permissions, a, scope, &perm);
	if (rc == VS_NOTFOUND || (rc == VS_OK && strcmp(perm.code, scope) != 0))
		return vs_fail_field(e, "scopes", VS_MSG_SCOPE_UNKNOWN);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

/* Scopes must be catalogue codes the key's owner holds in the key's tenant (when it has
 * one). The caller is the owner, or a superuser editing someone else's key: then the
 * owner's roles bound the key all the same. */
static enum vs_err check_scopes(struct vs_app *app, struct vs_arena *a,
				const struct vs_principal *p, const vs_uuid *owner,
				const vs_uuid *tenant, const char **scopes, size_t n,
				struct vs_error *e)
{
	bool own = vs_uuid_eq(owner, &p->user.id);
	struct vs_principal there = { .authenticated = true, .user = p->user };
	if (tenant) {
		enum vs_err rc = app->users->ops->principal(app->users, a, owner, tenant, &there);
		if (rc != VS_OK)
			return vs_fail(e, rc, NULL);
		there.authenticated = true;
		if (!there.tenant_found || (!there.member && !there.user.is_superuser))
			return vs_fail(e, VS_FORBIDDEN, VS_MSG_NOT_MEMBER);
		if (own && !vs_principal_holds(&there, "api_key:create"))
			return vs_fail(e, VS_FORBIDDEN, VS_MSG_FORBIDDEN);
	}
	for (size_t i = 0; i < n; i++) {
		enum vs_err rc = find_scope(app, a, scopes[i], e);
		if (rc != VS_OK)
			return rc;
		if (tenant && !vs_principal_holds(&there, scopes[i]))
			return vs_fail(e, VS_FORBIDDEN, VS_MSG_CANNOT_GRANT);
	}
	return VS_OK;
}

/* expires_at (any offset) or expires_on (end of that day in the tenant's zone). */
static enum vs_err resolve_expiry(struct vs_app *app, struct vs_arena *a,
				  const struct vs_api_key_input *in, const vs_uuid *tenant,
				  bool *expires, int64_t *at, struct vs_error *e)
{
	*expires = false;
	if (in->expires_at.set && in->expires_on.set)
		return vs_fail_field(e, "expires_on", VS_MSG_EXPIRY_BOTH);
	if (in->expires_at.set && !in->expires_at.null) {
		*expires = true;
		*at = in->expires_at.v;
	} else if (in->expires_on.set && !in->expires_on.null) {
		const char *zone = "UTC";
		if (tenant) {
			struct vs_tenant t;
			enum vs_err rc = app->tenants->ops->get(app->tenants, a, tenant, &t);
			if (rc != VS_OK)
				return vs_fail(e, rc, NULL);
			zone = t.timezone;
		}
		if (!vs_time_end_of_day(in->expires_on.p, in->expires_on.len, zone, at))
			return vs_fail_field(e, "expires_on", VS_MSG_EXPIRY_DATE);
		*expires = true;
	}
	if (*expires && *at <= app->now())
		return vs_fail_field(e, in->expires_at.set ? "expires_at" : "expires_on",
				     VS_MSG_EXPIRY_PAST);
	return VS_OK;
}

/* Draws random bytes until they make a key (rejection sampling rarely needs a second). */
static void new_key_text(char out[VS_API_KEY_LEN + 1])
{
	uint8_t random[RANDOM_DRAW];
	do
		vs_random_bytes(random, sizeof(random));
	while (!vs_api_key_compose(random, sizeof(random), out));
	memset(random, 0, sizeof(random));
}

static struct json_object *scopes_json(const struct vs_api_key *k)
{
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; i < k->nscopes; i++)
		json_object_array_add(arr, json_object_new_string(k->scopes[i]));
	return arr;
}

static struct json_object *expiry_json(const struct vs_api_key *k)
{
	char when[VS_TIME_STRLEN + 1];
	if (!k->expires)
		return NULL;
	vs_time_format(k->expires_at, when);
	return json_object_new_string(when);
}

/* api_key.<verb> in the chain of the key's tenant (the platform's for a GLOBAL key), with
 * what changed from before (NULL: created) to after (NULL: deleted); extra (taken over,
 * may be NULL) is merged into the changes. Never the key or its hash. */
static enum vs_err record_key(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			      const char *action, const struct vs_api_key *before,
			      const struct vs_api_key *after, struct json_object *extra)
{
	const struct vs_api_key *k = after ? after : before;
	struct json_object *changes = extra;
	vs_audit_change_text(&changes, "name", before ? before->name : NULL, after ? after->name : NULL);
	vs_audit_change_text(&changes, "description", before ? before->description : NULL,
			     after ? after->description : NULL);
	vs_audit_change_text(&changes, "key_prefix", before ? before->public_id : NULL,
			     after ? after->public_id : NULL);
	vs_audit_change_value(&changes, "scopes", before ? scopes_json(before) : NULL,
			      after ? scopes_json(after) : NULL);
	vs_audit_change_value(&changes, "is_active",
			      before ? json_object_new_boolean(before->is_active) : NULL,
			      after ? json_object_new_boolean(after->is_active) : NULL);
	vs_audit_change_value(&changes, "expires_at", before ? expiry_json(before) : NULL,
			      after ? expiry_json(after) : NULL);
	enum vs_err rc = vs_audit_record_object(app, a, p, action, "api_key", &k->id,
						k->global ? NULL : &k->tenant_id, changes);
	json_object_put(changes);
	return rc;
}

static enum vs_err insert_new_key(struct vs_app *app, struct vs_arena *a, struct vs_api_key *k,
				  const char **key_text)
{
	char *text = vs_arena_alloc(a, VS_API_KEY_LEN + 1);
	new_key_text(text);
	memcpy(k->public_id, text + VS_API_KEY_PREFIX_LEN, VS_API_KEY_PUBLIC_LEN);
	k->public_id[VS_API_KEY_PUBLIC_LEN] = '\0';
	vs_sha256(text, VS_API_KEY_LEN, k->hash);
	*key_text = text;
	return app->api_keys->ops->insert(app->api_keys, a, k);
}

enum vs_err vs_api_keys_create(struct vs_app *app, struct vs_arena *a,
			       const struct vs_principal *p, const struct vs_api_key_input *in,
			       struct vs_api_key *out, const char **key_text, struct vs_error *e)
{
	bool global = in->scope.set && !in->scope.null && strcmp(in->scope.p, "GLOBAL") == 0;
	const vs_uuid *tenant = in->tenant_id.set && !in->tenant_id.null ? &in->tenant_id.v : NULL;
	if (!global && !tenant)
		return vs_fail(e, VS_BADREQ, VS_MSG_KEY_NEEDS_TENANT);
	if (global && tenant)
		return vs_fail_field(e, "tenant_id", VS_MSG_KEY_GLOBAL_TENANT);
	enum vs_err rc = check_calling_key(p, "api_key:create", in->scopes, in->nscopes, true, e);
	if (rc == VS_OK)
		rc = check_scopes(app, a, p, &p->user.id, tenant, in->scopes, in->nscopes, e);
	if (rc != VS_OK)
		return rc;
	struct vs_api_key k = {
		.user_id = p->user.id,
		.global = global,
		.tenant_id = tenant ? *tenant : (vs_uuid){ { 0 } },
		.name = in->name.p,
		.description = vs_opt_str_or_null(&in->description),
		.scopes = in->scopes,
		.nscopes = in->nscopes,
		.is_active = true,
	};
	if ((rc = resolve_expiry(app, a, in, tenant, &k.expires, &k.expires_at, e)) != VS_OK)
		return rc;
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = insert_new_key(app, a, &k, key_text);
	if (rc == VS_OK)
		rc = record_key(app, a, p, "api_key.created", NULL, &k, NULL);
	rc = vs_app_end(app, rc);
	if (rc != VS_OK)
		return key_error(e, rc);
	*out = k;
	return VS_OK;
}

enum vs_err vs_api_keys_list(struct vs_app *app, struct vs_arena *a,
			     const struct vs_principal *p, const struct vs_api_key_filter *f,
			     struct vs_api_key_page *out, struct vs_error *e)
{
	struct vs_api_key_query q = { &p->user.id, NULL, f->offset, f->limit };
	if (p->user.is_superuser) {
		q.user = f->user;
		q.tenant = f->tenant;
		if (!f->user && !f->tenant)
			q.user = &p->user.id; /* one's own unless asked otherwise */
	} else if (f->user || f->tenant) {
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_FORBIDDEN);
	}
	enum vs_err rc = app->api_keys->ops->list(app->api_keys, a, &q, out);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

enum vs_err vs_api_keys_get(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *id, struct vs_api_key *out, struct vs_error *e)
{
	return load_key(app, a, p, id, out, e);
}

enum vs_err vs_api_keys_update(struct vs_app *app, struct vs_arena *a,
			       const struct vs_principal *p, const vs_uuid *id,
			       const struct vs_api_key_input *in, struct vs_api_key *out,
			       struct vs_error *e)
{
	struct vs_api_key current;
	enum vs_err rc = check_calling_key(p, "api_key:update", in->scopes, in->nscopes,
					   in->scopes_set, e);
	if (rc == VS_OK)
		rc = load_key(app, a, p, id, &current, e);
	if (rc != VS_OK)
		return rc;
	if (in->scope.set || in->tenant_id.set)
		return vs_fail_field(e, in->scope.set ? "scope" : "tenant_id",
				     VS_MSG_KEY_FIXED);
	const vs_uuid *tenant = current.global ? NULL : &current.tenant_id;
	if (in->scopes_set &&
	    (rc = check_scopes(app, a, p, &current.user_id, tenant, in->scopes, in->nscopes,
				  e)) != VS_OK)
		return rc;
	struct vs_api_key_changes c = {
		.name = in->name,
		.description = in->description,
		.is_active = in->is_active,
		.scopes_set = in->scopes_set,
		.scopes = in->scopes,
		.nscopes = in->nscopes,
	};
	bool expires = false;
	int64_t at = 0;
	if (in->expires_at.set || in->expires_on.set) {
		if ((rc = resolve_expiry(app, a, in, tenant, &expires, &at, e)) != VS_OK)
			return rc;
		c.expires_at = (struct vs_opt_time){ .set = true, .null = !expires, .v = at };
	}
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->api_keys->ops->update(app->api_keys, a, id, &c, out);
	if (rc == VS_OK)
		rc = record_key(app, a, p, "api_key.updated", &current, out, NULL);
	rc = vs_app_end(app, rc);
	return rc == VS_OK ? VS_OK : key_error(e, rc);
}

enum vs_err vs_api_keys_delete(struct vs_app *app, struct vs_arena *a,
			       const struct vs_principal *p, const vs_uuid *id, struct vs_error *e)
{
	struct vs_api_key current;
	enum vs_err rc = check_calling_key(p, "api_key:delete", NULL, 0, false, e);
	if (rc == VS_OK)
		rc = load_key(app, a, p, id, &current, e);
	if (rc != VS_OK)
		return rc;
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->api_keys->ops->remove(app->api_keys, id);
	if (rc == VS_OK)
		rc = record_key(app, a, p, "api_key.deleted", &current, NULL, NULL);
	rc = vs_app_end(app, rc);
	return rc == VS_OK ? VS_OK : key_error(e, rc);
}

enum vs_err vs_api_keys_rotate(struct vs_app *app, struct vs_arena *a,
			       const struct vs_principal *p, const vs_uuid *id,
			       int64_t grace_seconds, struct vs_api_key *out, const char **key_text,
			       struct vs_error *e)
{
	struct vs_api_key old;
	enum vs_err rc = load_key(app, a, p, id, &old, e);
	/* The new key has the old one's scopes: a limited caller may only renew keys
	 * within its own. */
	if (rc == VS_OK)
		rc = check_calling_key(p, "api_key:update", (const char **)old.scopes, old.nscopes,
				       true, e);
	if (rc != VS_OK)
		return rc;
	int64_t until = app->now() + grace_seconds;
	struct vs_api_key_changes retire = {
		.expires_at = { .set = true,
				.v = old.expires && old.expires_at < until ? old.expires_at : until },
	};
	struct vs_api_key fresh = old;
	fresh.last_used_at = 0;
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->api_keys->ops->update(app->api_keys, a, id, &retire, &old);
	if (rc == VS_OK)
		rc = insert_new_key(app, a, &fresh, key_text);
	/* API.md §8: the event names the new key, and the key it replaces */
	if (rc == VS_OK) {
		struct json_object *replaced = NULL;
		char old_id[VS_UUID_STRLEN + 1];
		vs_uuid_format(id, old_id);
		vs_audit_created_text(&replaced, "replaced_key_id", old_id);
		rc = record_key(app, a, p, "api_key.rotated", NULL, &fresh, replaced);
	}
	rc = vs_app_end(app, rc);
	if (rc != VS_OK)
		return key_error(e, rc);
	*out = fresh;
	return VS_OK;
}

/* Keys are stored in batches of this many, one transaction each. */
#define MINT_BATCH 5000

enum vs_err vs_api_keys_mint_many(struct vs_app *app, struct vs_arena *a, const char *email,
				  long count, const char **scopes, size_t nscopes,
				  void (*emit)(void *ctx, const char *key_text), void *ctx,
				  struct vs_error *e)
{
	static const struct vs_scope operator = { .operator = true };
	struct vs_user owner;
	char *normalised = vs_arena_strdup(a, email);
	vs_user_email_normalise(normalised);
	/* The schema owner's tool works across users in operator scope. */
	enum vs_err rc = app->tx->ops->begin(app->tx, &operator);
	if (rc != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->users->ops->get_by_email(app->users, a, normalised, &owner);
	if (rc != VS_OK)
		vs_fail(e, rc, rc == VS_NOTFOUND ? VS_MSG_USER_NOT_FOUND : NULL);
	for (size_t i = 0; rc == VS_OK && i < nscopes; i++)
		rc = find_scope(app, a, scopes[i], e);
	if ((rc = vs_app_end(app, rc)) != VS_OK) /* only read: commit or rollback */
		return e->code != VS_OK ? e->code : vs_fail(e, rc, NULL);
	struct vs_api_key *batch = vs_arena_array(a, MINT_BATCH, sizeof(*batch));
	char(*texts)[VS_API_KEY_LEN + 1] = vs_arena_array(a, MINT_BATCH, sizeof(*texts));
	for (long done = 0; done < count;) {
		size_t n = count - done < MINT_BATCH ? (size_t)(count - done) : MINT_BATCH;
		for (size_t i = 0; i < n; i++) {
			new_key_text(texts[i]);
			batch[i] = (struct vs_api_key){ .user_id = owner.id, .global = true,
							.name = "bench", .scopes = scopes,
							.nscopes = nscopes, .is_active = true };
			memcpy(batch[i].public_id, texts[i] + VS_API_KEY_PREFIX_LEN,
			       VS_API_KEY_PUBLIC_LEN);
			vs_sha256(texts[i], VS_API_KEY_LEN, batch[i].hash);
		}
		if ((rc = app->tx->ops->begin(app->tx, &operator)) != VS_OK)
			return vs_fail(e, rc, NULL);
		rc = vs_app_end(app, app->api_keys->ops->insert_many(app->api_keys, a, batch, n));
		if (rc != VS_OK)
			return vs_fail(e, rc, NULL);
		for (size_t i = 0; i < n; i++)
			emit(ctx, texts[i]);
		done += (long)n;
	}
	return VS_OK;
}
