/* The request pipeline: route → body limits → tenant context → authentication →
 * authorization → handler; an error becomes problem+json, or on the auth_request check a
 * bare 401/403. */
#include "pipeline.h"

#include "app/db.h"
#include "audit/domain.h"
#include "auth/messages.h"
#include "auth/usecases.h"
#include "core/messages.h"
#include "core/utf8.h"
#include "messages.h"
#include "problem.h"
#include "router.h"

#include <string.h>

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
		rc = vs_auth_open_key(w->app, req->arena, c.api_key, strlen(c.api_key), &req->tenant,
				      &req->tenant_buf, &req->principal, &req->error);
	else if (c.bearer)
		rc = vs_auth_open(w->app, req->arena, c.bearer, strlen(c.bearer), req->tenant,
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
	/* A repeated identity header is refused in the check's own terms (auth_request takes
	 * only 2xx, 401 and 403; a 400 would reach the client as a 500). Before our API the
	 * worker refuses it with a 400 that says why. */
	if (vs_req_repeated_identity_header(req)) {
		if (prefilter)
			vs_res_empty(req, 204);
		else
			vs_fail(&req->error, VS_FORBIDDEN, NULL);
		return;
	}
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

	/* nginx decodes the path: %ff arrives as the byte, which no route or database
	 * column should see. */
	if (!vs_utf8_valid(req->path.p, req->path.len)) {
		vs_fail(&req->error, VS_BADREQ, VS_MSG_PATH_NOT_UTF8);
		return;
	}
	/* Routed on nginx's normalised path, which must then be the path the client wrote. */
	if (req->path_rewritten) {
		vs_fail(&req->error, VS_BADREQ, VS_MSG_PATH_NOT_PLAIN);
		return;
	}
	req->route = vs_route_match(routes, nroutes, req, &allowed);
	if (!req->route) {
		if (allowed) {
			vs_res_header(req, "Allow", vs_methods_text(req->arena, allowed));
			vs_fail(&req->error, VS_METHOD, VS_MSG_METHOD_NOT_ALLOWED);
		} else {
			vs_fail(&req->error, VS_NOTFOUND, VS_MSG_NOT_FOUND);
		}
		return;
	}
	if (req->route->bare) { /* reads headers only: no query, no body */
		run_check(w, req);
		return;
	}
	const char *repeated = vs_req_repeated_identity_header(req);
	if (repeated) {
		vs_fail(&req->error, VS_BADREQ,
			vs_arena_printf(req->arena, VS_MSG_HEADER_REPEATED, repeated));
		return;
	}
	const char *qs = req->query_string ? req->query_string : "";
	if (!vs_form_parse(req->arena, qs, strlen(qs), &req->query)) {
		vs_fail(&req->error, VS_BADREQ, VS_MSG_QUERY_MALFORMED);
		return;
	}
	if (req->content_length > (int64_t)w->cfg->max_body_bytes) {
		vs_fail(&req->error, VS_TOOLARGE, VS_MSG_BODY_TOO_LARGE);
		return;
	}
	if (req->route->needs_db && w->app->db->ops->ensure(w->app->db) != VS_OK) {
		vs_fail(&req->error, VS_UNAVAILABLE, VS_MSG_DB_UNAVAILABLE);
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
		enum vs_err rc = vs_auth_close(w->app, req->error.code == VS_OK);
		if (rc != VS_OK && req->error.code == VS_OK) {
			/* The response was built, but its transaction did not commit. */
			vs_res_empty(req, 0);
			vs_fail(&req->error, rc == VS_CONFLICT ? VS_CONFLICT : rc, NULL);
		}
	}
}

/* A change refused to someone authenticated (403) is a security event, recorded after the
 * request's own transaction rolled back. */
static void record_denied(struct vs_worker *w, struct vs_request *req)
{
	bool change = req->method & (VS_POST | VS_PUT | VS_PATCH | VS_DELETE);
	if (req->error.code != VS_FORBIDDEN || !change || !req->route || req->route->bare ||
	    !req->principal.authenticated)
		return;
	vs_auth_record_denied(w->app, req->arena, &req->principal, req->tenant, req->method_name,
			      req->route->pattern, req->route->rule.permissions[0]);
}

void vs_dispatch(struct vs_worker *w, struct vs_request *req)
{
	/* Who asked, for the audit events the use cases write. */
	const struct vs_audit_origin origin = {
		vs_req_param_env(req, "REMOTE_ADDR"),
		strcmp(req->request_id, "-") ? req->request_id : NULL,
	};
	w->app->origin = &origin;
	run_pipeline(w, req);
	record_denied(w, req);
	if (req->error.code != VS_OK && req->route && req->route->bare) {
		/* nginx takes only 2xx, 401 and 403 from auth_request; no body. */
		if (req->error.code == VS_FORBIDDEN) {
			vs_res_empty(req, 403);
		} else {
			vs_res_empty(req, 401);
			vs_res_header(req, "WWW-Authenticate", "Bearer");
		}
	} else if (req->error.code != VS_OK) {
		vs_render_problem(req, w->app->db->ops->retry_after(w->app->db));
	}
	w->app->db->ops->request_done(w->app->db);
	w->app->origin = NULL;
}
