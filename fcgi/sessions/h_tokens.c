/* Login (form or JSON), refresh-token rotation, logout. */
#include "sessions/handlers.h"

#include "core/password.h"
#include "sessions/messages.h"
#include "sessions/usecases.h"

#include <string.h>

#define FORM_MAX_BYTES 8192

struct credentials {
	struct vs_opt_str username, password, grant_type, scope, client_id, client_secret;
};

static const struct vs_json_field credential_fields[] = {
	{ "username", VS_JT_STRING, offsetof(struct credentials, username), VS_JF_REQUIRED, 1, 254,
	  NULL },
	{ "password", VS_JT_STRING, offsetof(struct credentials, password), VS_JF_REQUIRED, 1,
	  VS_PASSWORD_MAX_LEN, NULL },
};

static const char *grant_type_check(const char *s, size_t len)
{
	(void)len;
	return strcmp(s, "password") == 0 ? NULL : VS_MSG_GRANT_TYPE;
}

/* OAuth2 password-grant form (RFC 6749 §4.3): username, password, and the optional fields
 * OAuth clients send along. */
static const struct vs_json_field form_fields[] = {
	{ "username", VS_JT_STRING, offsetof(struct credentials, username), VS_JF_REQUIRED, 0, 0,
	  NULL },
	{ "password", VS_JT_STRING, offsetof(struct credentials, password), VS_JF_REQUIRED, 0,
	  VS_PASSWORD_MAX_LEN, NULL },
	{ "grant_type", VS_JT_STRING, offsetof(struct credentials, grant_type), 0, 0, 0,
	  grant_type_check },
	{ "scope", VS_JT_STRING, offsetof(struct credentials, scope), 0, 0, 0, NULL },
	{ "client_id", VS_JT_STRING, offsetof(struct credentials, client_id), 0, 0, 0, NULL },
	{ "client_secret", VS_JT_STRING, offsetof(struct credentials, client_secret), 0, 0, 0,
	  NULL },
};

static struct json_object *render_tokens(const struct vs_token_pair *p)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "access_token", json_object_new_string(p->access_token));
	json_object_object_add(o, "token_type", json_object_new_string("bearer"));
	json_object_object_add(o, "expires_in", json_object_new_int64(p->expires_in));
	json_object_object_add(o, "refresh_token", json_object_new_string(p->refresh_token));
	return o;
}

static enum vs_err login(struct vs_worker *w, struct vs_request *req, const struct vs_opt_str *email,
			 const struct vs_opt_str *password)
{
	struct vs_token_pair pair;
	enum vs_err rc = vs_sessions_login(w->app, req->arena, email->p, password->p, password->len,
				       &pair, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, render_tokens(&pair));
	return rc;
}

enum vs_err vs_h_sessions_token(struct vs_worker *w, struct vs_request *req)
{
	struct credentials c = { 0 };
	enum vs_err rc;
	if (vs_req_content_type_is(req, "application/x-www-form-urlencoded"))
		rc = vs_req_bind_form(req, FORM_MAX_BYTES, form_fields, VS_JSON_FIELDS_LEN(form_fields),
				      &c);
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

enum vs_err vs_h_sessions_login(struct vs_worker *w, struct vs_request *req)
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

enum vs_err vs_h_sessions_refresh(struct vs_worker *w, struct vs_request *req)
{
	struct refresh_input in = { 0 };
	struct vs_token_pair pair;
	enum vs_err rc =
		vs_req_bind_json(req, refresh_fields, VS_JSON_FIELDS_LEN(refresh_fields), &in);
	if (rc == VS_OK)
		rc = vs_sessions_refresh(w->app, req->arena, in.refresh_token.p, in.refresh_token.len,
				     &pair, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, render_tokens(&pair));
	return rc;
}

enum vs_err vs_h_sessions_logout(struct vs_worker *w, struct vs_request *req)
{
	struct refresh_input in = { 0 };
	enum vs_err rc =
		vs_req_bind_json(req, refresh_fields, VS_JSON_FIELDS_LEN(refresh_fields), &in);
	if (rc == VS_OK)
		rc = vs_sessions_logout(w->app, req->arena, &req->principal, in.refresh_token.p,
				    in.refresh_token.len, &req->error);
	if (rc == VS_OK)
		vs_res_empty(req, 204);
	return rc;
}
