/* Login (form or JSON), refresh-token rotation, logout. */
#include "handlers.h"

#include "core/password.h"
#include "render.h"

#include <string.h>

struct credentials {
	struct vs_opt_str username, password, grant_type, scope, client_id, client_secret;
};

static const struct vs_json_field credential_fields[] = {
	{ "username", VS_JT_STRING, offsetof(struct credentials, username), VS_JF_REQUIRED, 1, 254,
	  NULL },
	{ "password", VS_JT_STRING, offsetof(struct credentials, password), VS_JF_REQUIRED, 1,
	  VS_PASSWORD_MAX_LEN, NULL },
};

/* OAuth2 password-grant form (RFC 6749 §4.3): username, password, and the optional fields
 * OAuth clients send along. */
static enum vs_err read_form(struct vs_request *req, struct credentials *c)
{
	struct vs_form form;
	enum vs_err rc = vs_req_read_body(req, 8192);
	if (rc != VS_OK)
		return rc;
	if (!vs_form_parse(req->arena, req->body, req->body_len, &form))
		return vs_fail(&req->error, VS_BADREQ, "Request body is not a valid form.");
	static const struct {
		const char *name;
		size_t offset;
	} known[] = {
		{ "username", offsetof(struct credentials, username) },
		{ "password", offsetof(struct credentials, password) },
		{ "grant_type", offsetof(struct credentials, grant_type) },
		{ "scope", offsetof(struct credentials, scope) },
		{ "client_id", offsetof(struct credentials, client_id) },
		{ "client_secret", offsetof(struct credentials, client_secret) },
	};
	for (size_t i = 0; i < form.n; i++) {
		size_t k = 0;
		while (k < sizeof(known) / sizeof(known[0]) && strcmp(known[k].name, form.pairs[i].name))
			k++;
		if (k == sizeof(known) / sizeof(known[0])) {
			vs_fail_field(&req->error, form.pairs[i].name, "unknown field");
			continue;
		}
		struct vs_opt_str *dst = (struct vs_opt_str *)((char *)c + known[k].offset);
		if (dst->set)
			vs_fail_field(&req->error, known[k].name, "must be given once");
		*dst = (struct vs_opt_str){ .set = true, .p = form.pairs[i].value,
					    .len = form.pairs[i].value_len };
	}
	if (!c->username.set || c->username.len == 0)
		vs_fail_field(&req->error, "username", "field required");
	if (!c->password.set || c->password.len == 0)
		vs_fail_field(&req->error, "password", "field required");
	if (c->password.len > VS_PASSWORD_MAX_LEN)
		vs_fail_field(&req->error, "password", "is too long");
	if (c->grant_type.set && strcmp(c->grant_type.p, "password") != 0)
		vs_fail_field(&req->error, "grant_type", "must be \"password\"");
	return req->error.code == VS_OK ? VS_OK : req->error.code;
}

static enum vs_err login(struct vs_worker *w, struct vs_request *req, const struct vs_opt_str *email,
			 const struct vs_opt_str *password)
{
	struct vs_token_pair pair;
	enum vs_err rc = vs_auth_login(&w->app, req->arena, email->p, password->p, password->len,
				       &pair, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, vs_render_tokens(&pair));
	return rc;
}

VS_HANDLER(vs_h_auth_token)
{
	struct credentials c = { 0 };
	enum vs_err rc;
	if (vs_req_content_type_is(req, "application/x-www-form-urlencoded"))
		rc = read_form(req, &c);
	else
		rc = vs_req_bind_json(req, credential_fields,
				      VS_JSON_FIELDS_LEN(credential_fields), &c);
	return rc != VS_OK ? rc : login(w, req, &c.username, &c.password);
}

struct email_login {
	struct vs_opt_str email, password;
};

static const struct vs_json_field email_login_fields[] = {
	{ "email", VS_JT_STRING, offsetof(struct email_login, email), VS_JF_REQUIRED, 1, 254, NULL },
	{ "password", VS_JT_STRING, offsetof(struct email_login, password), VS_JF_REQUIRED, 1,
	  VS_PASSWORD_MAX_LEN, NULL },
};

VS_HANDLER(vs_h_auth_login)
{
	struct email_login in = { 0 };
	enum vs_err rc = vs_req_bind_json(req, email_login_fields,
					  VS_JSON_FIELDS_LEN(email_login_fields), &in);
	return rc != VS_OK ? rc : login(w, req, &in.email, &in.password);
}

struct refresh_input {
	struct vs_opt_str refresh_token;
};

static const struct vs_json_field refresh_fields[] = {
	{ "refresh_token", VS_JT_STRING, offsetof(struct refresh_input, refresh_token),
	  VS_JF_REQUIRED, 1, 512, NULL },
};

VS_HANDLER(vs_h_auth_refresh)
{
	struct refresh_input in = { 0 };
	struct vs_token_pair pair;
	enum vs_err rc =
		vs_req_bind_json(req, refresh_fields, VS_JSON_FIELDS_LEN(refresh_fields), &in);
	if (rc == VS_OK)
		rc = vs_auth_refresh(&w->app, req->arena, in.refresh_token.p, in.refresh_token.len,
				     &pair, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, vs_render_tokens(&pair));
	return rc;
}

VS_HANDLER(vs_h_auth_logout)
{
	struct refresh_input in = { 0 };
	enum vs_err rc =
		vs_req_bind_json(req, refresh_fields, VS_JSON_FIELDS_LEN(refresh_fields), &in);
	if (rc == VS_OK)
		rc = vs_auth_logout(&w->app, req->arena, &req->principal, in.refresh_token.p,
				    in.refresh_token.len, &req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}
