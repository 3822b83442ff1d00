/* /invitations: managing a tenant's invitations, and verifying and accepting a token. */
#include "invitations/handlers.h"
#include "list.h"

#include "core/messages.h"
#include "invitations/messages.h"
#include "invitations/usecases.h"
#include "mail/domain.h"
#include "users/messages.h"
#include "users/render.h"

#include <string.h>

#define NAME_MAX_CHARS 100

/* An address we can both keep as a user's and send mail to. */
static const char *invitee_email_check(const char *s, size_t len)
{
	const char *why = vs_user_email_check(s, len);
	return why ? why : vs_mail_email_check(s) ? VS_MSG_EMAIL_INVALID : NULL;
}

#define INPUT_FIELD(name, type, flags, min, max, check)                                    \
	{ #name, type, offsetof(struct vs_invitation_input, name), flags, min, max, check }

static const struct vs_json_field create_fields[] = {
	INPUT_FIELD(email, VS_JT_STRING, VS_JF_REQUIRED, 0, 0, invitee_email_check),
	INPUT_FIELD(tenant_id, VS_JT_UUID, VS_JF_REQUIRED, 0, 0, NULL),
	INPUT_FIELD(role_id, VS_JT_UUID, VS_JF_NULLABLE, 0, 0, NULL),
	INPUT_FIELD(expires_in_days, VS_JT_INT, 0, 0, 0, NULL), /* range: the use case's */
};

static const struct vs_json_field resend_fields[] = {
	INPUT_FIELD(expires_in_days, VS_JT_INT, 0, 0, 0, NULL),
};

struct token_body {
	struct vs_opt_str token, password, first_name, last_name;
};

#define TOKEN_FIELD(name, type, flags, min, max, check)                                    \
	{ #name, type, offsetof(struct token_body, name), flags, min, max, check }

static const struct vs_json_field verify_fields[] = {
	TOKEN_FIELD(token, VS_JT_STRING, VS_JF_REQUIRED, 0, 0, NULL),
};

static const struct vs_json_field accept_fields[] = {
	TOKEN_FIELD(token, VS_JT_STRING, VS_JF_REQUIRED, 0, 0, NULL),
	TOKEN_FIELD(password, VS_JT_STRING, VS_JF_REQUIRED, 0, 0, vs_user_password_check),
	TOKEN_FIELD(first_name, VS_JT_STRING, VS_JF_NULLABLE, 0, NAME_MAX_CHARS, NULL),
	TOKEN_FIELD(last_name, VS_JT_STRING, VS_JF_NULLABLE, 0, NAME_MAX_CHARS, NULL),
};

/* ---- rendering ---- */

static struct json_object *uuid_or_null(bool has, const vs_uuid *id)
{
	return has ? vs_json_uuid(id) : NULL;
}

/* The Invitation of API.md; detail adds the tenant's name, the inviter's e-mail and the
 * state as booleans; token (create, resend) is shown this once. */
static struct json_object *render_invitation(const struct vs_invitation *inv, int64_t now,
					     bool detail, const char *token)
{
	enum vs_invitation_status status = vs_invitation_status_at(inv, now);
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "id", vs_json_uuid(&inv->id));
	json_object_object_add(o, "email", json_object_new_string(inv->email));
	json_object_object_add(o, "tenant_id", vs_json_uuid(&inv->tenant_id));
	json_object_object_add(o, "role_id", vs_json_uuid(&inv->role_id));
	json_object_object_add(o, "status", json_object_new_string(vs_invitation_status_name(status)));
	json_object_object_add(o, "inviter_id", uuid_or_null(inv->has_inviter, &inv->inviter_id));
	json_object_object_add(o, "user_id", uuid_or_null(inv->has_user, &inv->user_id));
	json_object_object_add(o, "expires_at", vs_json_time(inv->expires_at));
	json_object_object_add(o, "accepted_at",
			       inv->accepted_at ? vs_json_time(inv->accepted_at) : NULL);
	json_object_object_add(o, "created_at", vs_json_time(inv->created_at));
	json_object_object_add(o, "updated_at", vs_json_time(inv->updated_at));
	if (detail) {
		json_object_object_add(o, "tenant_name", vs_json_str_or_null(inv->tenant_name));
		json_object_object_add(o, "inviter_email", vs_json_str_or_null(inv->inviter_email));
		json_object_object_add(o, "is_expired",
				       json_object_new_boolean(status == VS_INVITATION_EXPIRED));
		json_object_object_add(o, "is_pending",
				       json_object_new_boolean(status == VS_INVITATION_PENDING));
	}
	if (token)
		json_object_object_add(o, "token", json_object_new_string(token));
	return o;
}

/* ---- managing ---- */

/* ?status= and ?tenant_id=, as 422s when they cannot be read. */
static enum vs_err bind_filter(struct vs_request *req, struct vs_invitation_filter *f,
			       vs_uuid *tenant_buf)
{
	const char *status, *tenant;
	vs_req_list_at(req, &f->at);
	vs_req_query_str(req, "status", 16, &status);
	vs_req_query_str(req, "tenant_id", VS_UUID_STRLEN, &tenant);
	if (status && !(f->has_status = vs_invitation_status_parse(status, &f->status)))
		vs_fail_field(&req->error, "status", VS_MSG_INVITATION_STATUS_INVALID);
	if (tenant && !vs_uuid_parse(tenant, strlen(tenant), tenant_buf))
		vs_fail_field(&req->error, "tenant_id", VS_MSG_NOT_UUID);
	f->tenant_id = tenant ? tenant_buf : NULL;
	return req->error.code;
}

enum vs_err vs_h_invitations_list(struct vs_worker *w, struct vs_request *req)
{
	struct vs_invitation_filter f = { 0 };
	struct vs_invitation_page page;
	vs_uuid tenant_buf;
	enum vs_err rc = bind_filter(req, &f, &tenant_buf);
	if (rc == VS_OK)
		rc = vs_invitations_list(w->app, req->arena, &req->principal, req->tenant, &f, &page,
					 &req->error);
	if (rc != VS_OK)
		return rc;
	int64_t now = w->app->now();
	struct json_object *items = json_object_new_array();
	for (size_t i = 0; i < page.n; i++)
		json_object_array_add(items, render_invitation(&page.items[i], now, false, NULL));
	vs_res_list(req, items, &page.end);
	return VS_OK;
}

enum vs_err vs_h_invitations_create(struct vs_worker *w, struct vs_request *req)
{
	struct vs_invitation_input in = { 0 };
	struct vs_invitation inv;
	const char *token;
	enum vs_err rc =
		vs_req_bind_json(req, create_fields, VS_JSON_FIELDS_LEN(create_fields), &in);
	if (rc == VS_OK)
		rc = vs_invitations_create(w->app, req->arena, &req->principal, req->tenant, &in,
					   &inv, &token, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 201, render_invitation(&inv, w->app->now(), false, token));
	return rc;
}

/* A use case on the invitation of the path, answered 200 with it. */
typedef enum vs_err (*invitation_fn)(struct vs_app *, struct vs_arena *, const struct vs_principal *,
				     const vs_uuid *tenant, const vs_uuid *id,
				     struct vs_invitation *out, struct vs_error *);

static enum vs_err on_invitation(struct vs_worker *w, struct vs_request *req, invitation_fn fn,
				 bool detail)
{
	vs_uuid id;
	struct vs_invitation inv;
	enum vs_err rc = vs_req_path_uuid(req, "invitation_id", &id);
	if (rc == VS_OK)
		rc = fn(w->app, req->arena, &req->principal, req->tenant, &id, &inv, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, render_invitation(&inv, w->app->now(), detail, NULL));
	return rc;
}

enum vs_err vs_h_invitations_get(struct vs_worker *w, struct vs_request *req)
{
	return on_invitation(w, req, vs_invitations_get, true);
}

enum vs_err vs_h_invitations_revoke(struct vs_worker *w, struct vs_request *req)
{
	return on_invitation(w, req, vs_invitations_revoke, false);
}

enum vs_err vs_h_invitations_resend(struct vs_worker *w, struct vs_request *req)
{
	vs_uuid id;
	struct vs_invitation_input in = { 0 };
	struct vs_invitation inv;
	const char *token;
	enum vs_err rc = vs_req_path_uuid(req, "invitation_id", &id);
	/* The body is optional: a week again without one. */
	if (rc == VS_OK && req->content_length > 0)
		rc = vs_req_bind_json(req, resend_fields, VS_JSON_FIELDS_LEN(resend_fields), &in);
	if (rc == VS_OK)
		rc = vs_invitations_resend(w->app, req->arena, &req->principal, req->tenant, &id,
					   &in.expires_in_days, &inv, &token, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 202, render_invitation(&inv, w->app->now(), false, token));
	return rc;
}

/* ---- the token's side ---- */

enum vs_err vs_h_invitations_verify(struct vs_worker *w, struct vs_request *req)
{
	struct token_body body = { 0 };
	struct vs_invitation inv;
	enum vs_err rc =
		vs_req_bind_json(req, verify_fields, VS_JSON_FIELDS_LEN(verify_fields), &body);
	if (rc == VS_OK)
		rc = vs_invitations_verify(w->app, req->arena, body.token.p, body.token.len, &inv,
					   &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "valid", json_object_new_boolean(true));
	json_object_object_add(o, "email", json_object_new_string(inv.email));
	json_object_object_add(o, "tenant_id", vs_json_uuid(&inv.tenant_id));
	json_object_object_add(o, "tenant_name", vs_json_str_or_null(inv.tenant_name));
	json_object_object_add(o, "inviter_email", vs_json_str_or_null(inv.inviter_email));
	json_object_object_add(o, "expires_at", vs_json_time(inv.expires_at));
	json_object_object_add(o, "role_id", vs_json_uuid(&inv.role_id));
	vs_res_json(req, 200, o);
	return VS_OK;
}

enum vs_err vs_h_invitations_accept(struct vs_worker *w, struct vs_request *req)
{
	struct token_body body = { 0 };
	struct vs_user u;
	enum vs_err rc =
		vs_req_bind_json(req, accept_fields, VS_JSON_FIELDS_LEN(accept_fields), &body);
	if (rc != VS_OK)
		return rc;
	const struct vs_invitation_acceptance in = {
		.token = body.token.p,
		.token_len = body.token.len,
		.password = body.password,
		.first_name = body.first_name,
		.last_name = body.last_name,
	};
	rc = vs_invitations_accept(w->app, req->arena, &in, &u, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, vs_render_user(&u));
	return rc;
}
