/* /audit-logs: a page of the chain, newest first, and the chain checked end to end. */
#include "audit/handlers.h"
#include "list.h"

#include "audit/usecases.h"
#include "core/ed25519.h"
#include "core/hex.h"
#include "core/messages.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

#define MSG_BEFORE_SEQ "before_seq must be a positive integer."
#define MSG_NO_KEY "No audit signing key is configured (VS_AUDIT_SIGNING_KEY)."

/* The stored event with its place in the chain (API.md §8 AuditEvent). */
static struct json_object *render_link(const struct vs_audit_link *l)
{
	struct json_object *o = json_tokener_parse(l->canonical);
	if (!json_object_is_type(o, json_type_object)) { /* never: the database checked it */
		json_object_put(o);
		o = json_object_new_object();
	}
	char hex[2 * VS_SHA256_LEN + 1];
	json_object_object_add(o, "seq", json_object_new_int64(l->seq));
	vs_hex_encode(l->prev_hash, l->prev_len == VS_SHA256_LEN ? VS_SHA256_LEN : 0, hex);
	json_object_object_add(o, "prev_hash", json_object_new_string(hex));
	vs_hex_encode(l->hash, l->hash_len == VS_SHA256_LEN ? VS_SHA256_LEN : 0, hex);
	json_object_object_add(o, "hash", json_object_new_string(hex));
	return o;
}

/* The page of a chain asked for: `before_seq` a positive integer written plainly (else
 * 400: it is the cursor the Link header gave, not a value the caller chose) and `limit`
 * (1–100, default 100; 422). Returns req->error.code. */
static enum vs_err bind_page(struct vs_request *req, int64_t *before_seq, int64_t *limit)
{
	const char *s;
	*before_seq = 0;
	if (vs_req_query_str(req, "before_seq", 32, &s) == VS_OK && s) {
		size_t n = strlen(s);
		if (n == 0 || n > 18 || s[0] == '0' || strspn(s, "0123456789") != n)
			return vs_fail(&req->error, VS_BADREQ, MSG_BEFORE_SEQ);
		*before_seq = strtoll(s, NULL, 10);
	}
	vs_req_query_int(req, "limit", 100, 1, 100, limit);
	return req->error.code;
}

static void bind_time(struct vs_request *req, const char *name, bool *has, int64_t *out)
{
	const char *text;
	if (vs_req_query_str(req, name, 64, &text) != VS_OK || !text)
		return;
	*has = vs_time_parse(text, strlen(text), out);
	if (!*has)
		vs_fail_field(&req->error, name, VS_MSG_NOT_TIMESTAMP);
}

static enum vs_err bind_filter(struct vs_request *req, struct vs_audit_filter *f, vs_uuid *actor)
{
	const char *actor_text;
	if (bind_page(req, &f->before_seq, &f->limit) == VS_BADREQ)
		return VS_BADREQ;
	vs_req_query_str(req, "actor_id", VS_UUID_STRLEN, &actor_text);
	vs_req_query_str(req, "action", 64, &f->action);
	vs_req_query_str(req, "resource_type", 64, &f->resource_type);
	vs_req_query_str(req, "resource_id", 256, &f->resource_id);
	bind_time(req, "from", &f->has_from, &f->from);
	bind_time(req, "to", &f->has_to, &f->to);
	if (actor_text && vs_uuid_parse(actor_text, strlen(actor_text), actor))
		f->actor = actor;
	else if (actor_text)
		vs_fail_field(&req->error, "actor_id", VS_MSG_NOT_UUID);
	return req->error.code;
}

enum vs_err vs_h_audit_list(struct vs_worker *w, struct vs_request *req)
{
	struct vs_audit_filter f = { 0 };
	struct vs_audit_page page;
	vs_uuid actor;
	enum vs_err rc = bind_filter(req, &f, &actor);
	if (rc == VS_OK)
		rc = vs_audit_list(w->app, req->arena, &req->principal, req->tenant, &f, &page,
				   &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *items = json_object_new_array();
	for (size_t i = 0; i < page.n; i++)
		json_object_array_add(items, render_link(&page.items[i]));
	if (page.more)
		vs_res_next_page(req, "before_seq",
				 vs_arena_printf(req->arena, "%lld",
						 (long long)page.items[page.n - 1].seq));
	vs_res_json(req, 200, items);
	return VS_OK;
}

enum vs_err vs_h_audit_verify(struct vs_worker *w, struct vs_request *req)
{
	struct vs_audit_verdict v;
	enum vs_err rc = vs_audit_verify(w->app, req->arena, &req->principal, req->tenant, &v,
					 &req->error);
	if (rc != VS_OK)
		return rc;
	char hex[2 * VS_SHA256_LEN + 1];
	vs_hex_encode(v.head, VS_SHA256_LEN, hex);
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "valid", json_object_new_boolean(v.valid));
	json_object_object_add(o, "events_checked", json_object_new_int64(v.checked));
	json_object_object_add(o, "first_seq", v.checked ? json_object_new_int64(v.first_seq) : NULL);
	json_object_object_add(o, "last_seq", v.checked ? json_object_new_int64(v.last_seq) : NULL);
	json_object_object_add(o, "head_hash", v.checked ? json_object_new_string(hex) : NULL);
	json_object_object_add(o, "broken_at_seq",
			       v.broken_at ? json_object_new_int64(v.broken_at) : NULL);
	vs_res_json(req, 200, o);
	return VS_OK;
}

static struct json_object *hex_string(const uint8_t *b, size_t len)
{
	char hex[2 * VS_ED25519_SIGNATURE_LEN + 1];
	vs_hex_encode(b, len, hex);
	return json_object_new_string(hex);
}

static struct json_object *render_checkpoint(const struct vs_audit_checkpoint *c)
{
	static const vs_uuid platform = { { 0 } };
	char when[VS_TIME_STRLEN + 1];
	vs_time_format(c->signed_at, when);
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "tenant_id",
			       vs_uuid_eq(&c->chain, &platform) ? NULL : vs_json_uuid(&c->chain));
	json_object_object_add(o, "seq", json_object_new_int64(c->seq));
	json_object_object_add(o, "hash", hex_string(c->hash, VS_SHA256_LEN));
	json_object_object_add(o, "signed_at", json_object_new_string(when));
	json_object_object_add(o, "public_key", hex_string(c->public_key, VS_ED25519_PUBLIC_LEN));
	json_object_object_add(o, "signature", hex_string(c->signature, VS_ED25519_SIGNATURE_LEN));
	return o;
}

enum vs_err vs_h_audit_checkpoints(struct vs_worker *w, struct vs_request *req)
{
	int64_t before_seq, limit;
	if (bind_page(req, &before_seq, &limit) != VS_OK)
		return req->error.code;
	struct vs_audit_checkpoint *items;
	size_t n;
	enum vs_err rc = vs_audit_checkpoints_list(w->app, req->arena, &req->principal, req->tenant,
						   before_seq, (int)limit, &items, &n, &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, render_checkpoint(&items[i]));
	vs_res_json(req, 200, arr);
	return VS_OK;
}

enum vs_err vs_h_audit_public_key(struct vs_worker *w, struct vs_request *req)
{
	const struct vs_ed25519 *k = w->app->audit_key;
	if (!k)
		return vs_fail(&req->error, VS_NOTFOUND, MSG_NO_KEY);
	char *pem = vs_ed25519_public_pem(k->public_key);
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "algorithm", json_object_new_string("Ed25519"));
	json_object_object_add(o, "public_key", hex_string(k->public_key, VS_ED25519_PUBLIC_LEN));
	json_object_object_add(o, "pem", pem ? json_object_new_string(pem) : NULL);
	free(pem);
	vs_res_json(req, 200, o);
	return VS_OK;
}
