#include "dispatch.h"

#include "app/messages.h"
#include "core/log.h"
#include "core/time.h"
#include "router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum vs_method parse_method(const char *m)
{
	static const struct {
		const char *name;
		enum vs_method method;
	} methods[] = { { "GET", VS_GET },	 { "POST", VS_POST }, { "PUT", VS_PUT },
			{ "PATCH", VS_PATCH },	 { "DELETE", VS_DELETE }, { "HEAD", VS_HEAD },
			{ "OPTIONS", VS_OPTIONS } };
	for (size_t i = 0; m && i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(m, methods[i].name) == 0)
			return methods[i].method;
	return 0;
}

void vs_request_init(struct vs_request *req, FCGX_Request *fcgi, struct vs_arena *a)
{
	memset(req, 0, sizeof(*req));
	req->fcgi = fcgi;
	req->arena = a;
	req->started_us = vs_time_mono_us();
	vs_req_index_params(req);
	req->method_name = vs_req_param_env(req, "REQUEST_METHOD");
	req->method = parse_method(req->method_name);

	const char *uri = vs_req_param_env(req, "DOCUMENT_URI");
	if (!uri) {
		/* Not behind our nginx: take REQUEST_URI up to the query. */
		uri = vs_req_param_env(req, "REQUEST_URI");
		if (uri)
			uri = vs_arena_strndup(a, uri, strcspn(uri, "?"));
	}
	req->path = vs_str_c(uri ? uri : "/");
	req->query_string = vs_req_param_env(req, "QUERY_STRING");
	req->content_type = vs_req_param_env(req, "CONTENT_TYPE");
	const char *cl = vs_req_param_env(req, "CONTENT_LENGTH");
	req->content_length = cl && *cl ? strtoll(cl, NULL, 10) : -1;
	const char *id = vs_req_param_env(req, "VS_REQUEST_ID");
	req->request_id = id && *id ? id : vs_arena_strdup(a, "-");
	vs_log_set_request(req->request_id);
}

/* X-Tenant-ID is checked on every request (400 when malformed); the route decides whether
 * it sets the tenant in context. */
static enum vs_err resolve_tenant(struct vs_request *req)
{
	const char *header = vs_req_header(req, "HTTP_X_TENANT_ID");
	bool from_header = header && req->route->tenant == VS_TENANT_HEADER;
	if (header && !vs_uuid_parse(header, strlen(header), &req->tenant_buf))
		return vs_fail(&req->error, VS_BADREQ, VS_MSG_TENANT_ID_INVALID);
	if (req->route->tenant == VS_TENANT_PATH) {
		enum vs_err rc = vs_req_path_uuid(req, "tenant_id", &req->tenant_buf);
		if (rc != VS_OK)
			return rc;
		req->tenant = &req->tenant_buf;
	} else if (from_header) {
		req->tenant = &req->tenant_buf;
	}
	return VS_OK;
}

/* Which credential the request carries. An X-API-Key wins over a bearer token: an invalid
 * key is refused even when a valid token comes with it. */
struct credential {
	const char *api_key, *bearer;
};

static struct credential credential_of(const struct vs_request *req)
{
	struct credential c = { vs_req_header(req, "HTTP_X_API_KEY"), NULL };
	const char *auth = vs_req_header(req, "HTTP_AUTHORIZATION");
	if (!c.api_key && auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		c.bearer = auth + 7;
		while (*c.bearer == ' ')
			c.bearer++;
	}
	return c;
}

/* Opens the request's session for the credential; false when there is none. */
static enum vs_err open_session(struct vs_worker *w, struct vs_request *req, bool *opened)
{
	struct credential c = credential_of(req);
	*opened = false;
	enum vs_err rc = VS_OK;
	if (c.api_key)
		rc = vs_session_open_key(&w->app, req->arena, c.api_key, strlen(c.api_key),
					 &req->tenant, &req->tenant_buf, &req->principal,
					 &req->error);
	else if (c.bearer)
		rc = vs_session_open(&w->app, req->arena, c.bearer, strlen(c.bearer), req->tenant,
				     &req->principal, &req->error);
	else
		return VS_OK; /* anonymous; the rule decides */
	*opened = rc == VS_OK;
	return rc;
}

/* The auth_request check decides everything itself and answers only 204, 401 or 403.
 * The database connection is touched only for a credential that may be valid: the key
 * repository reads pending notifications before it trusts its cache, the bearer check
 * needs the user's state; with no connection either fails closed. */
static void run_check(struct vs_worker *w, struct vs_request *req)
{
	/* VS_CHECK_MODE=prefilter is set only by the project's own nginx (a FastCGI param,
	 * which no client header can become): there the request goes on to a worker that
	 * checks the key again, so "cannot tell now" defers to it and it answers 503. */
	const char *mode = vs_req_param_env(req, "VS_CHECK_MODE");
	bool prefilter = mode && strcmp(mode, "prefilter") == 0;
	if (req->route->handler(w, req) != VS_OK && req->error.code == VS_OK)
		vs_fail(&req->error, VS_UNAUTHORIZED, NULL);
	if (req->error.code == VS_UNAVAILABLE && prefilter) {
		req->error = (struct vs_error){ 0 };
		vs_res_empty(req, 204);
	}
}

static void run_pipeline(struct vs_worker *w, struct vs_request *req)
{
	size_t nroutes;
	unsigned allowed;
	const struct vs_route *routes = vs_routes(&nroutes);

	req->route = vs_route_match(routes, nroutes, req, &allowed);
	if (!req->route) {
		if (allowed) {
			vs_res_header(req, "Allow", vs_methods_text(req->arena, allowed));
			vs_fail(&req->error, VS_METHOD, "Method Not Allowed");
		} else {
			vs_fail(&req->error, VS_NOTFOUND, "Not Found");
		}
		return;
	}
	if (req->route->bare) { /* reads headers only: no query, no body */
		run_check(w, req);
		return;
	}
	const char *qs = req->query_string ? req->query_string : "";
	if (!vs_form_parse(req->arena, qs, strlen(qs), &req->query)) {
		vs_fail(&req->error, VS_BADREQ, "The query string is malformed.");
		return;
	}
	if (req->content_length > (int64_t)w->cfg.max_body_bytes) {
		vs_fail(&req->error, VS_TOOLARGE, "Request body is too large.");
		return;
	}
	if (req->route->needs_db && vs_pg_ensure(w->pg) != VS_OK) {
		vs_fail(&req->error, VS_UNAVAILABLE, "The database is unavailable; retry shortly.");
		return;
	}
	if (resolve_tenant(req) != VS_OK)
		return;
	/* The whole request is one transaction scoped to the tenant and principal. */
	bool in_session = false;
	if (req->route->rule.kind != VS_RULE_PUBLIC && open_session(w, req, &in_session) != VS_OK)
		return;
	if (vs_authorize(req->arena, &req->principal, &req->route->rule, req->tenant,
			 req->route->tenant == VS_TENANT_HEADER, &req->error) == VS_OK &&
	    req->route->handler(w, req) != VS_OK && req->error.code == VS_OK)
		vs_fail(&req->error, VS_INTERNAL, NULL);
	if (in_session) {
		enum vs_err rc = vs_session_close(&w->app, req->error.code == VS_OK);
		if (rc != VS_OK && req->error.code == VS_OK) {
			/* The response was built, but its transaction did not commit. */
			vs_res_empty(req, 0);
			vs_fail(&req->error, rc == VS_CONFLICT ? VS_CONFLICT : rc, NULL);
		}
	}
}

void vs_dispatch(struct vs_worker *w, struct vs_request *req)
{
	run_pipeline(w, req);
	if (req->error.code != VS_OK && req->route && req->route->bare) {
		/* nginx takes only 2xx, 401 and 403 from auth_request; no body. */
		if (req->error.code == VS_FORBIDDEN) {
			vs_res_empty(req, 403);
		} else {
			vs_res_empty(req, 401);
			vs_res_header(req, "WWW-Authenticate", "Bearer");
		}
	} else if (req->error.code != VS_OK) {
		vs_render_problem(req, vs_pg_retry_after(w->pg));
	}
	vs_pg_repos_request_done(w->repos);
}

void vs_render_problem(struct vs_request *req, int retry_after)
{
	struct vs_error *e = &req->error;
	int status = vs_err_status(e->code);
	const char *detail = e->detail;
	if (e->code == VS_INTERNAL || !detail)
		detail = e->code == VS_INTERNAL ? "An internal error occurred." : vs_err_title(e->code);

	struct json_object *p = json_object_new_object();
	json_object_object_add(p, "type", json_object_new_string(vs_arena_printf(
						  req->arena, "urn:virtualstack:problem:%s",
						  vs_err_slug(e->code))));
	json_object_object_add(p, "title", json_object_new_string(vs_err_title(e->code)));
	json_object_object_add(p, "status", json_object_new_int(status));
	json_object_object_add(p, "detail", json_object_new_string(detail));
	if (e->code == VS_INVALID) {
		struct json_object *errors = json_object_new_array();
		for (size_t i = 0; i < e->nfields; i++) {
			struct json_object *f = json_object_new_object();
			json_object_object_add(f, "field", json_object_new_string(e->fields[i].field));
			json_object_object_add(f, "message",
					       json_object_new_string(e->fields[i].message));
			json_object_array_add(errors, f);
		}
		json_object_object_add(p, "errors", errors);
	}
	if (e->code == VS_UNAUTHORIZED)
		vs_res_header(req, "WWW-Authenticate", "Bearer");
	if (e->code == VS_UNAVAILABLE || e->code == VS_RATELIMIT)
		vs_res_header(req, "Retry-After", vs_arena_printf(req->arena, "%d", retry_after));
	vs_res_json(req, status, p);
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

static void access_log(const struct vs_request *req)
{
	struct json_object *line = json_object_new_object();
	char id[VS_UUID_STRLEN + 1];
	json_object_object_add(line, "msg", json_object_new_string("request"));
	json_object_object_add(line, "method",
			       json_object_new_string(req->method_name ? req->method_name : "-"));
	json_object_object_add(line, "path",
			       json_object_new_string_len(req->path.p, (int)req->path.len));
	json_object_object_add(line, "route",
			       req->route ? json_object_new_string(req->route->pattern) : NULL);
	json_object_object_add(line, "status", json_object_new_int(req->status));
	json_object_object_add(line, "duration_ms",
			       json_object_new_double((double)(vs_time_mono_us() - req->started_us) /
						      1000.0));
	if (req->tenant) {
		vs_uuid_format(req->tenant, id);
		json_object_object_add(line, "tenant", json_object_new_string(id));
	}
	if (req->principal.authenticated) {
		vs_uuid_format(&req->principal.user.id, id);
		json_object_object_add(line, "principal", json_object_new_string(id));
	}
	vs_log_object(VS_LOG_INFO, line);
	json_object_put(line);
}

/* The response head is built in one buffer and written with one call: FCGX_FPrintF's
 * own printf costs more per header than the key check itself. */
struct head {
	char *p, *end;
};

static void put(struct head *h, const char *s, size_t n)
{
	if (n > (size_t)(h->end - h->p))
		abort(); /* head_size undercounted: a programming error */
	memcpy(h->p, s, n);
	h->p += n;
}

static void put_str(struct head *h, const char *s)
{
	put(h, s, strlen(s));
}

static void put_header(struct head *h, const char *name, const char *value)
{
	put_str(h, name);
	put(h, ": ", 2);
	put_str(h, value);
	put(h, "\r\n", 2);
}

/* Decimal text of v, written backwards from the end of buf. */
static const char *decimal(size_t v, char *buf, size_t size)
{
	char *p = buf + size;
	*--p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) && p > buf);
	return p;
}

static bool has_header(const struct vs_request *req, const char *name)
{
	for (size_t i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->header_names[i], name) == 0)
			return true;
	return false;
}

void vs_respond(struct vs_request *req, bool log)
{
	size_t len = 0;
	const char *body = NULL, *type = NULL;
	if (req->json) {
		body = vs_json_text(req->arena, req->json, &len);
		type = req->status >= 400 ? "application/problem+json" : "application/json";
	} else if (req->raw_body) {
		body = req->raw_body;
		len = req->raw_len;
		type = req->raw_type;
	}

	/* Fixed text (status line, names, separators, a length) fits in 256 bytes. */
	size_t head_size = 256 + strlen(req->request_id) + (type ? strlen(type) : 0);
	for (size_t i = 0; i < req->nheaders; i++)
		head_size += strlen(req->header_names[i]) + strlen(req->header_values[i]) + 4;
	char *buf = vs_arena_alloc(req->arena, head_size);
	struct head h = { buf, buf + head_size };
	char number[24];

	put_str(&h, "Status: ");
	put_str(&h, decimal((size_t)req->status, number, sizeof(number)));
	put(&h, " ", 1);
	put_str(&h, reason(req->status));
	put(&h, "\r\n", 2);
	if (body) {
		put_header(&h, "Content-Type", type);
		put_header(&h, "Content-Length", decimal(len, number, sizeof(number)));
	}
	/* A handler may allow caching of what is the same for everyone (the API document). */
	if (!has_header(req, "Cache-Control"))
		put_header(&h, "Cache-Control", "no-store");
	put_header(&h, "X-Request-Id", req->request_id);
	for (size_t i = 0; i < req->nheaders; i++)
		put_header(&h, req->header_names[i], req->header_values[i]);
	put(&h, "\r\n", 2);

	FCGX_Stream *out = req->fcgi->out;
	FCGX_PutStr(buf, (int)(h.p - buf), out);
	if (body && req->method != VS_HEAD)
		FCGX_PutStr(body, (int)len, out);
	if (log)
		access_log(req);
	vs_log_set_request(NULL);
}
