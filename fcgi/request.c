#include "request.h"

#include "core/log.h"
#include "core/messages.h"
#include "core/time.h"
#include "messages.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A parameter name's slot hash: its length and its first and last 8 bytes, mixed. Names
 * are short and differ in those places; a byte-by-byte hash cost half the index's time. */
static inline uint32_t name_hash(const char *name, size_t len)
{
	uint64_t head = 0, tail = 0;
	if (len >= 8) { /* fixed-size loads: one instruction each */
		memcpy(&head, name, 8);
		memcpy(&tail, name + len - 8, 8);
	} else {
		for (size_t i = 0; i < len; i++)
			head = head << 8 | (uint8_t)name[i];
	}
	uint64_t h = (head ^ (tail * 0x9e3779b97f4a7c15u) ^ len) * 0xff51afd7ed558ccdu;
	return (uint32_t)(h >> 32);
}

static bool same_name(const char *entry, const char *name, size_t len)
{
	return memcmp(entry, name, len) == 0 && entry[len] == '=';
}

static const struct {
	const char *param, *name;
} identity_headers[] = {
	{ "HTTP_X_TENANT_ID", "X-Tenant-ID" },
	{ "HTTP_AUTHORIZATION", "Authorization" },
	{ "HTTP_X_API_KEY", "X-API-Key" },
	{ "HTTP_X_VS_REQUIRED_PERMISSION", "X-VS-Required-Permission" },
};

/* The header name of the parameter entry (NAME=value, len the name's), if it carries
 * identity. */
static const char *identity_header(const char *entry, size_t len)
{
	for (size_t i = 0; i < sizeof(identity_headers) / sizeof(identity_headers[0]); i++)
		if (strlen(identity_headers[i].param) == len &&
		    memcmp(entry, identity_headers[i].param, len) == 0)
			return identity_headers[i].name;
	return NULL;
}

/* The slow path, for a request with too many parameters to index. */
static const char *scan_repeated(char **envp)
{
	for (char **e = envp; e && *e; e++) {
		size_t len = (size_t)(strchrnul(*e, '=') - *e);
		const char *name = identity_header(*e, len);
		for (char **later = e + 1; name && *later; later++)
			if (same_name(*later, *e, len))
				return name;
	}
	return NULL;
}

const char *vs_req_repeated_identity_header(const struct vs_request *req)
{
	if (req->fcgi && req->params.overflow)
		return scan_repeated(req->fcgi->envp);
	return req->params.repeated;
}

void vs_req_index_params(struct vs_request *req)
{
	struct vs_params *ix = &req->params; /* zeroed by vs_request_init */
	size_t n = 0;
	for (char **e = req->fcgi ? req->fcgi->envp : NULL; e && *e; e++) {
		if (++n > VS_PARAM_SLOTS / 4 * 3) {
			ix->overflow = true;
			return;
		}
		const char *eq = strchrnul(*e, '=');
		size_t len = (size_t)(eq - *e);
		uint32_t h = name_hash(*e, len);
		size_t i = h & (VS_PARAM_SLOTS - 1);
		/* The first of two equal names wins, as with FCGX_GetParam. */
		while (ix->entry[i] && !(ix->hash[i] == h && same_name(ix->entry[i], *e, len)))
			i = (i + 1) & (VS_PARAM_SLOTS - 1);
		if (!ix->entry[i]) {
			ix->entry[i] = *e;
			ix->hash[i] = h;
		} else if (!ix->repeated) {
			ix->repeated = identity_header(*e, len);
		}
	}
}

const char *vs_req_param_env(const struct vs_request *req, const char *name)
{
	const struct vs_params *ix = &req->params;
	if (!req->fcgi)
		return NULL;
	if (ix->overflow)
		return FCGX_GetParam(name, req->fcgi->envp);
	size_t len = strlen(name);
	uint32_t h = name_hash(name, len);
	for (size_t i = h & (VS_PARAM_SLOTS - 1); ix->entry[i]; i = (i + 1) & (VS_PARAM_SLOTS - 1))
		if (ix->hash[i] == h && same_name(ix->entry[i], name, len))
			return ix->entry[i] + len + 1;
	return NULL;
}

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

/* Whether the client's path (REQUEST_URI up to the query, as sent) is one that nginx's
 * normalisation leaves alone: no "." or ".." segment, plain or percent-encoded, no empty
 * segment but a trailing one (merge_slashes), no encoded '/' or '\\'. Otherwise the path
 * we route on (DOCUMENT_URI, normalised) is not the one the client wrote: .../%2e%2e
 * would reach the route one level up. */
static bool raw_path_is_plain(const char *uri)
{
	size_t len = strcspn(uri, "?");
	if (len == 0 || uri[0] != '/')
		return false;
	for (size_t i = 1, start = 1; i <= len; i++) {
		if (i < len && uri[i] != '/') {
			if (uri[i] == '%' && len - i >= 3 &&
			    (strncasecmp(uri + i, "%2f", 3) == 0 || strncasecmp(uri + i, "%5c", 3) == 0))
				return false;
			continue;
		}
		/* the segment uri[start..i): its length once each %2e is one '.' */
		size_t dots = 0, other = 0;
		for (size_t k = start; k < i; k++) {
			if (uri[k] == '.') {
				dots++;
			} else if (i - k >= 3 && strncasecmp(uri + k, "%2e", 3) == 0) {
				dots++;
				k += 2;
			} else {
				other++;
			}
		}
		if (other == 0 && (dots == 1 || dots == 2))
			return false;
		if (i == start && i < len) /* "//" */
			return false;
		start = i + 1;
	}
	return true;
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
	const char *raw = vs_req_param_env(req, "REQUEST_URI");
	req->path_rewritten = raw && !raw_path_is_plain(raw);
	req->query_string = vs_req_param_env(req, "QUERY_STRING");
	req->content_type = vs_req_param_env(req, "CONTENT_TYPE");
	const char *cl = vs_req_param_env(req, "CONTENT_LENGTH");
	req->content_length = cl && *cl ? strtoll(cl, NULL, 10) : -1;
	const char *id = vs_req_param_env(req, "VS_REQUEST_ID");
	req->request_id = id && *id ? id : vs_arena_strdup(a, "-");
	vs_log_set_request(req->request_id);
}

struct vs_str vs_req_path_param(const struct vs_request *req, const char *name)
{
	for (size_t i = 0; i < req->nparams; i++)
		if (vs_str_eq_c(req->param_names[i], name))
			return req->param_values[i];
	return VS_STR("");
}

enum vs_err vs_req_path_uuid(struct vs_request *req, const char *name, vs_uuid *out)
{
	struct vs_str v = vs_req_path_param(req, name);
	if (vs_uuid_parse(v.p, v.len, out))
		return VS_OK;
	/* "tenant_id" → "Invalid tenant ID format. Must be a valid UUID." */
	size_t n = strlen(name);
	const char *noun = vs_arena_strndup(req->arena, name, n > 3 ? n - 3 : n);
	return vs_fail(&req->error, VS_BADREQ,
		       vs_arena_printf(req->arena, VS_MSG_PATH_ID_INVALID, noun));
}

enum vs_err vs_req_query_str(struct vs_request *req, const char *name, size_t max_len,
			     const char **out)
{
	*out = NULL;
	size_t n = vs_form_count(&req->query, name);
	if (n == 0)
		return VS_OK;
	if (n > 1)
		return vs_fail_field(&req->error, name, VS_MSG_GIVEN_TWICE);
	const char *v = vs_form_get(&req->query, name);
	if (strlen(v) > max_len)
		return vs_fail_field(&req->error, name, VS_MSG_TOO_LONG);
	*out = v;
	return VS_OK;
}

/* An integer written the one way it is written: optional '-', then "0" or digits without
 * a leading zero. strtoll alone also takes spaces, '+' and leading zeros ("%2b1", "01"),
 * so that two spellings of one value could reach a cache or a signature. */
static bool canonical_int(const char *v)
{
	if (*v == '-')
		v++;
	if (v[0] == '0')
		return v[1] == '\0';
	if (*v < '1' || *v > '9')
		return false;
	while (*v >= '0' && *v <= '9')
		v++;
	return *v == '\0';
}

enum vs_err vs_req_query_int(struct vs_request *req, const char *name, int64_t fallback,
			     int64_t min, int64_t max, int64_t *out)
{
	const char *v;
	enum vs_err rc = vs_req_query_str(req, name, 20, &v);
	*out = fallback;
	if (rc != VS_OK || !v)
		return rc;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (!canonical_int(v) || *end || errno || n < min || n > max)
		return vs_fail_field(&req->error, name,
				     vs_arena_printf(req->arena,
						     VS_MSG_QUERY_INT,
						     (long long)min, (long long)max));
	*out = n;
	return VS_OK;
}

enum vs_err vs_req_skip_limit(struct vs_request *req, int64_t *skip, int64_t *limit)
{
	vs_req_query_int(req, "skip", 0, 0, INT32_MAX, skip);
	vs_req_query_int(req, "limit", 100, 1, 100, limit);
	return req->error.code;
}

enum vs_err vs_req_read_body(struct vs_request *req, size_t max)
{
	if (req->body_read)
		return VS_OK;
	req->body_read = true;
	if (req->content_length > 0 && (uint64_t)req->content_length > max)
		return vs_fail(&req->error, VS_TOOLARGE, VS_MSG_BODY_TOO_LARGE);
	if (req->content_length <= 0 || !req->fcgi)
		return VS_OK;
	size_t len = (size_t)req->content_length;
	char *buf = vs_arena_alloc(req->arena, len + 1);
	int got = FCGX_GetStr(buf, (int)len, req->fcgi->in);
	if (got < 0 || (size_t)got != len)
		return vs_fail(&req->error, VS_BADREQ, VS_MSG_BODY_SHORT);
	req->body = buf;
	req->body_len = len;
	return VS_OK;
}

bool vs_req_content_type_is(const struct vs_request *req, const char *type)
{
	const char *ct = req->content_type;
	if (!ct)
		return false;
	size_t n = strlen(type);
	if (strncasecmp(ct, type, n) != 0)
		return false;
	char next = ct[n];
	return next == '\0' || next == ';' || next == ' ' || next == '\t';
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* The parameters after a media type (RFC 9110 §8.3.1: *( OWS ";" OWS name "=" value ),
 * the value a token or a quoted string) name no charset but UTF-8. A body in another
 * charset read as UTF-8 would be misread, and a malformed list is not guessed at. */
static bool params_say_utf8(const char *p)
{
	for (;;) {
		while (is_ows(*p))
			p++;
		if (*p == '\0')
			return true;
		if (*p++ != ';')
			return false;
		while (is_ows(*p))
			p++;
		const char *name = p;
		while (*p && *p != '=' && *p != ';' && !is_ows(*p))
			p++;
		size_t name_len = (size_t)(p - name);
		if (name_len == 0 || *p++ != '=')
			return false;
		char value[16];
		size_t n = 0;
		bool quoted = *p == '"', fits = true;
		if (quoted)
			p++;
		while (*p && (quoted ? *p != '"' : *p != ';' && !is_ows(*p))) {
			if (quoted && *p == '\\' && p[1])
				p++;
			if (n + 1 < sizeof(value))
				value[n++] = *p;
			else
				fits = false;
			p++;
		}
		if (quoted && *p++ != '"')
			return false;
		value[n] = '\0';
		if (name_len == 7 && strncasecmp(name, "charset", 7) == 0 &&
		    (!fits || strcasecmp(value, "utf-8") != 0))
			return false;
	}
}

enum vs_err vs_req_bind_json(struct vs_request *req, const struct vs_json_field *fields,
			     size_t nfields, void *out)
{
	struct json_object *obj;
	if (!vs_req_content_type_is(req, "application/json") ||
	    !params_say_utf8(req->content_type + strlen("application/json")))
		return vs_fail(&req->error, VS_MEDIATYPE, VS_MSG_JSON_ONLY);
	enum vs_err rc = vs_req_read_body(req, SIZE_MAX);
	if (rc != VS_OK)
		return rc;
	rc = vs_json_parse(req->arena, req->body, req->body_len, &obj, &req->error);
	if (rc != VS_OK)
		return rc;
	return vs_json_bind(req->arena, obj, fields, nfields, out, &req->error);
}

enum vs_err vs_req_bind_form(struct vs_request *req, size_t max, const struct vs_json_field *fields,
			     size_t nfields, void *out)
{
	struct vs_form form;
	enum vs_err rc = vs_req_read_body(req, max);
	if (rc != VS_OK)
		return rc;
	if (!vs_form_parse(req->arena, req->body, req->body_len, &form))
		return vs_fail(&req->error, VS_BADREQ, VS_MSG_FORM_INVALID);
	return vs_json_bind_form(req->arena, &form, fields, nfields, out, &req->error);
}

void vs_res_header(struct vs_request *req, const char *name, const char *value)
{
	if (req->nheaders == VS_MAX_RESPONSE_HEADERS)
		abort(); /* a programming error: raise the limit */
	req->header_names[req->nheaders] = name;
	req->header_values[req->nheaders] = value;
	req->nheaders++;
}

static void put_json(void *p)
{
	json_object_put(p);
}

void vs_res_json(struct vs_request *req, int status, struct json_object *body)
{
	req->status = status;
	req->json = body;
	vs_arena_defer(req->arena, put_json, body);
}

void vs_res_empty(struct vs_request *req, int status)
{
	req->status = status;
	req->json = NULL;
	req->raw_body = NULL;
}

void vs_res_raw(struct vs_request *req, int status, const char *content_type, const char *body,
		size_t len)
{
	req->status = status;
	req->json = NULL;
	req->raw_body = body;
	req->raw_len = len;
	req->raw_type = content_type;
}

void vs_res_array(struct vs_request *req, struct json_object *items, int64_t total)
{
	vs_res_header(req, "X-Total-Count", vs_arena_printf(req->arena, "%lld", (long long)total));
	vs_res_json(req, 200, items);
}

