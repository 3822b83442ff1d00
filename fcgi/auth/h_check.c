/* GET /api/v1/auth/check: nginx auth_request. Answers 204 with the identity headers, or
 * 401 / 403, never a body (DESIGN.md §6). The request's own headers name the credential
 * (X-API-Key wins over a bearer token), the tenant (X-Tenant-ID) and what the protected
 * location requires (X-VS-Required-Permission). */
#include "auth/handlers.h"

#include "app/db.h"
#include "auth/messages.h"
#include "auth/usecases.h"

#include <string.h>

static void identity_headers(struct vs_request *req, const struct vs_check_result *r)
{
	char id[VS_UUID_STRLEN + 1];
	vs_uuid_format(&r->user_id, id);
	vs_res_header(req, "X-VS-User-Id", vs_arena_strdup(req->arena, id));
	if (r->tenant) {
		vs_uuid_format(r->tenant, id);
		vs_res_header(req, "X-VS-Tenant-Id", vs_arena_strdup(req->arena, id));
	}
	if (r->via_key) {
		vs_uuid_format(&r->key_id, id);
		vs_res_header(req, "X-VS-Key-Id", vs_arena_strdup(req->arena, id));
		size_t len = 1;
		for (size_t i = 0; i < r->scopes.n; i++)
			len += strlen(r->scopes.codes[i]) + 1;
		char *scopes = vs_arena_alloc(req->arena, len);
		for (size_t i = 0; i < r->scopes.n; i++) {
			if (i)
				strcat(scopes, ",");
			strcat(scopes, r->scopes.codes[i]);
		}
		vs_res_header(req, "X-VS-Scopes", scopes);
	}
}

enum vs_err vs_h_auth_check(struct vs_worker *w, struct vs_request *req)
{
	struct vs_check_result result;
	vs_uuid tenant_buf;
	const vs_uuid *tenant = NULL;
	const char *key = vs_req_header(req, "HTTP_X_API_KEY");
	const char *auth = vs_req_header(req, "HTTP_AUTHORIZATION");
	const char *tenant_header = vs_req_header(req, "HTTP_X_TENANT_ID");
	const char *required = vs_req_header(req, "HTTP_X_VS_REQUIRED_PERMISSION");
	enum vs_err rc;

	if (tenant_header) {
		if (!vs_uuid_parse(tenant_header, strlen(tenant_header), &tenant_buf))
			return vs_fail(&req->error, VS_FORBIDDEN, VS_MSG_CHECK_TENANT_INVALID);
		tenant = &tenant_buf;
	}
	if (key) {
		rc = vs_auth_check_key(w->app, req->arena, key, strlen(key), tenant, required,
				       &result, &req->error);
	} else if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		const char *token = auth + 7;
		while (*token == ' ')
			token++;
		if (w->app->db->ops->ensure(w->app->db) != VS_OK)
			return vs_fail(&req->error, VS_UNAVAILABLE, NULL);
		rc = vs_auth_check_bearer(w->app, req->arena, token, strlen(token), tenant,
					  required, &result, &req->error);
	} else {
		return vs_fail(&req->error, VS_UNAUTHORIZED, NULL);
	}
	if (rc != VS_OK)
		return rc;
	identity_headers(req, &result);
	vs_res_empty(req, 204);
	return VS_OK;
}
