/* One HTTP request as the worker sees it, and the response being built for it. Everything
 * hangs off the request's arena. */
#ifndef VS_FCGI_REQUEST_H
#define VS_FCGI_REQUEST_H

#include "core/arena.h"
#include "core/err.h"
#include "core/form.h"
#include "core/json.h"
#include "core/str.h"
#include "auth/domain.h"

#include <fcgiapp.h>
#include <stdbool.h>
#include <stdint.h>

enum vs_method {
	VS_GET = 1 << 0,
	VS_POST = 1 << 1,
	VS_PUT = 1 << 2,
	VS_PATCH = 1 << 3,
	VS_DELETE = 1 << 4,
	VS_HEAD = 1 << 5,
	VS_OPTIONS = 1 << 6,
};

#define VS_MAX_PATH_PARAMS 4
#define VS_MAX_RESPONSE_HEADERS 12

struct vs_route;

/* The request's FastCGI parameters, indexed once: a dozen lookups a request by linear
 * scan (FCGX_GetParam) cost more than the whole key check. */
#define VS_PARAM_SLOTS 128
struct vs_params {
	const char *entry[VS_PARAM_SLOTS]; /* "NAME=value" from the FastCGI envp */
	uint32_t hash[VS_PARAM_SLOTS];
	bool overflow; /* more than 3/4 of VS_PARAM_SLOTS parameters: scan instead */
	const char *repeated; /* the first identity header sent more than once, or NULL */
};

struct vs_request {
	FCGX_Request *fcgi; /* NULL in unit tests */
	struct vs_arena *arena;
	struct vs_params params;

	/* What the client sent */
	enum vs_method method;
	const char *method_name;
	struct vs_str path; /* decoded and normalised by nginx, without the query */
	bool path_rewritten; /* the client's path had dot or empty segments, or an encoded '/' */
	const char *query_string;
	struct vs_form query;
	const char *request_id;
	const char *content_type;
	int64_t content_length; /* -1 when absent */
	const char *body;
	size_t body_len;
	bool body_read;

	/* What dispatch found out */
	const struct vs_route *route;
	struct vs_str param_names[VS_MAX_PATH_PARAMS];
	struct vs_str param_values[VS_MAX_PATH_PARAMS];
	size_t nparams;
	struct vs_principal principal;
	const vs_uuid *tenant; /* the tenant in context, or NULL */
	vs_uuid tenant_buf;
	struct vs_error error;

	/* The response */
	int status;
	const char *header_names[VS_MAX_RESPONSE_HEADERS];
	const char *header_values[VS_MAX_RESPONSE_HEADERS];
	size_t nheaders;
	struct json_object *json; /* body; owned by the arena */
	const char *raw_body;	  /* or a body already serialised (vs_res_raw) */
	size_t raw_len;
	const char *raw_type;
	int64_t started_us;
};

/* Indexes the FastCGI parameters of a zeroed req (vs_request_init does both). */
void vs_req_index_params(struct vs_request *req);
/* Request parameters from FastCGI (REQUEST_METHOD, HTTP_X_…); NULL when absent. */
const char *vs_req_param_env(const struct vs_request *req, const char *name);
/* A client header by its CGI name, e.g. "HTTP_X_TENANT_ID". */
#define vs_req_header(req, cgi_name) vs_req_param_env((req), (cgi_name))
/* A header that carries identity or tenant (X-Tenant-ID, Authorization, X-API-Key,
 * X-VS-Required-Permission) sent more than once, by its name, or NULL. We read the first,
 * a site behind auth_request may read another: such a request is refused. */
const char *vs_req_repeated_identity_header(const struct vs_request *req);

/* The path parameter {name}, or an empty string. */
struct vs_str vs_req_path_param(const struct vs_request *req, const char *name);
/* Parses the path parameter {name} as a UUID; 400 when malformed. */
enum vs_err vs_req_path_uuid(struct vs_request *req, const char *name, vs_uuid *out);

/* An integer query parameter within [min, max], default when absent; 422 otherwise. */
enum vs_err vs_req_query_int(struct vs_request *req, const char *name, int64_t fallback,
			     int64_t min, int64_t max, int64_t *out);
/* The `skip` (default 0) and `limit` (1–100, default 100) of a plain list (API.md §1);
 * returns req->error.code. */
enum vs_err vs_req_skip_limit(struct vs_request *req, int64_t *skip, int64_t *limit);
/* A query string parameter, or NULL; a repeated one is a 422. */
enum vs_err vs_req_query_str(struct vs_request *req, const char *name, size_t max_len,
			     const char **out);

/* Reads the body (at most max bytes: 413 beyond). */
enum vs_err vs_req_read_body(struct vs_request *req, size_t max);
/* Reads method, path, query and headers of fcgi into req. */
void vs_request_init(struct vs_request *req, FCGX_Request *fcgi, struct vs_arena *a);

/* Requires application/json (415), reads and parses it strictly (400), binds fields (422). */
enum vs_err vs_req_bind_json(struct vs_request *req, const struct vs_json_field *fields,
			     size_t nfields, void *out);
/* Reads a form body of at most max bytes (413), parses it (400), binds its string fields
 * (422; see vs_json_bind_form). */
enum vs_err vs_req_bind_form(struct vs_request *req, size_t max, const struct vs_json_field *fields,
			     size_t nfields, void *out);
/* True when the Content-Type's media type is `type` (parameters ignored). */
bool vs_req_content_type_is(const struct vs_request *req, const char *type);

/* Response building */
void vs_res_header(struct vs_request *req, const char *name, const char *value);
void vs_res_json(struct vs_request *req, int status, struct json_object *body);
void vs_res_empty(struct vs_request *req, int status);
/* 200 with a JSON array and its total in X-Total-Count: the short lists (roles,
 * permissions, API keys); the others are in list.h. */
void vs_res_array(struct vs_request *req, struct json_object *items, int64_t total);
/* A body that outlives the request (static text), sent as it is. */
void vs_res_raw(struct vs_request *req, int status, const char *content_type, const char *body,
		size_t len);

#endif
