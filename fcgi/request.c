#include "request.h"

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
		       vs_arena_printf(req->arena, "Invalid %s ID format. Must be a valid UUID.",
				       noun));
}

enum vs_err vs_req_query_str(struct vs_request *req, const char *name, size_t max_len,
			     const char **out)
{
	*out = NULL;
	size_t n = vs_form_count(&req->query, name);
	if (n == 0)
		return VS_OK;
	if (n > 1)
		return vs_fail_field(&req->error, name, "must be given once");
	const char *v = vs_form_get(&req->query, name);
	if (strlen(v) > max_len)
		return vs_fail_field(&req->error, name, "is too long");
	*out = v;
	return VS_OK;
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
	if (!*v || *end || errno || n < min || n > max)
		return vs_fail_field(&req->error, name,
				     vs_arena_printf(req->arena,
						     "must be an integer from %lld to %lld",
						     (long long)min, (long long)max));
	*out = n;
	return VS_OK;
}

enum vs_err vs_req_read_body(struct vs_request *req, size_t max)
{
	if (req->body_read)
		return VS_OK;
	req->body_read = true;
	if (req->content_length > 0 && (uint64_t)req->content_length > max)
		return vs_fail(&req->error, VS_TOOLARGE, "Request body is too large.");
	if (req->content_length <= 0 || !req->fcgi)
		return VS_OK;
	size_t len = (size_t)req->content_length;
	char *buf = vs_arena_alloc(req->arena, len + 1);
	int got = FCGX_GetStr(buf, (int)len, req->fcgi->in);
	if (got < 0 || (size_t)got != len)
		return vs_fail(&req->error, VS_BADREQ, "Request body is shorter than its length.");
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

enum vs_err vs_req_bind_json(struct vs_request *req, const struct vs_json_field *fields,
			     size_t nfields, void *out)
{
	struct json_object *obj;
	if (!vs_req_content_type_is(req, "application/json"))
		return vs_fail(&req->error, VS_MEDIATYPE,
			       "Content-Type must be application/json.");
	enum vs_err rc = vs_req_read_body(req, SIZE_MAX);
	if (rc != VS_OK)
		return rc;
	rc = vs_json_parse(req->arena, req->body, req->body_len, &obj, &req->error);
	if (rc != VS_OK)
		return rc;
	return vs_json_bind(obj, fields, nfields, out, &req->error);
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
