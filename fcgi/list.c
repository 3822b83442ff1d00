#include "list.h"

#include "messages.h"

#include <string.h>

/* `after` into at, unless absent; `instead` is the parameter it excludes. */
static void read_after(struct vs_request *req, const char *instead, struct vs_list_at *at)
{
	const char *after;
	at->keyed = false;
	if (vs_req_query_str(req, "after", VS_CURSOR_STRLEN + 1, &after) != VS_OK || !after)
		return;
	if (vs_form_get(&req->query, instead)) {
		vs_fail_field(&req->error, "after",
			      vs_arena_printf(req->arena, VS_MSG_CURSOR_WITH, instead));
		return;
	}
	if (!vs_cursor_decode(after, strlen(after), &at->after)) {
		vs_fail_field(&req->error, "after", VS_MSG_CURSOR_INVALID);
		return;
	}
	at->keyed = true;
	at->offset = 0;
}

enum vs_err vs_req_list_at(struct vs_request *req, struct vs_list_at *at)
{
	vs_req_skip_limit(req, &at->offset, &at->limit);
	read_after(req, "skip", at);
	return req->error.code;
}

enum vs_err vs_req_page_at(struct vs_request *req, int64_t *page, struct vs_list_at *at)
{
	vs_req_query_int(req, "page", 1, 1, 1000000, page);
	vs_req_query_int(req, "limit", 20, 1, 100, &at->limit);
	at->offset = (*page - 1) * at->limit;
	read_after(req, "page", at);
	if (at->keyed)
		*page = 0;
	return req->error.code;
}

/* Appends s percent-encoded (all but RFC 3986's unreserved characters) to out. */
static char *put_encoded(char *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			*out++ = (char)c;
		} else {
			*out++ = '%';
			*out++ = hex[c >> 4];
			*out++ = hex[c & 15];
		}
	}
	return out;
}

/* Whether a query parameter says where a page starts (and so is not carried over). */
static bool names_a_place(const char *name)
{
	return !strcmp(name, "skip") || !strcmp(name, "page") || !strcmp(name, "after") ||
	       !strcmp(name, "before_seq");
}

void vs_res_next_page(struct vs_request *req, const char *param, const char *value)
{
	size_t len = req->path.len + 3 * (strlen(param) + strlen(value)) + 32;
	for (size_t i = 0; i < req->query.n; i++)
		len += 3 * (strlen(req->query.pairs[i].name) + req->query.pairs[i].value_len) + 2;
	char *link = vs_arena_alloc(req->arena, len), *p = link;
	*p++ = '<';
	memcpy(p, req->path.p, req->path.len); /* a route's path: only safe characters */
	p += req->path.len;
	char sep = '?';
	for (size_t i = 0; i < req->query.n; i++) {
		const struct vs_form_pair *q = &req->query.pairs[i];
		if (names_a_place(q->name))
			continue;
		*p++ = sep;
		sep = '&';
		p = put_encoded(p, q->name, strlen(q->name));
		*p++ = '=';
		p = put_encoded(p, q->value, q->value_len);
	}
	*p++ = sep;
	p = put_encoded(p, param, strlen(param));
	*p++ = '=';
	p = put_encoded(p, value, strlen(value));
	memcpy(p, ">; rel=\"next\"", sizeof(">; rel=\"next\""));
	vs_res_header(req, "Link", link);
}

static void put_link(struct vs_request *req, const struct vs_list_end *end)
{
	char next[VS_CURSOR_STRLEN + 1];
	if (!end->more)
		return;
	vs_cursor_encode(&end->next, next);
	vs_res_next_page(req, "after", next);
}

void vs_res_list(struct vs_request *req, struct json_object *items, const struct vs_list_end *end)
{
	if (end->total >= 0)
		vs_res_header(req, "X-Total-Count",
			      vs_arena_printf(req->arena, "%lld", (long long)end->total));
	put_link(req, end);
	vs_res_json(req, 200, items);
}

void vs_res_list_envelope(struct vs_request *req, struct json_object *items,
			  const struct vs_list_end *end, int64_t page, int64_t limit)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "items", items);
	json_object_object_add(o, "total",
			       end->total >= 0 ? json_object_new_int64(end->total) : NULL);
	json_object_object_add(o, "page", page > 0 ? json_object_new_int64(page) : NULL);
	json_object_object_add(o, "limit", json_object_new_int64(limit));
	char next[VS_CURSOR_STRLEN + 1];
	if (end->more)
		vs_cursor_encode(&end->next, next);
	json_object_object_add(o, "next", end->more ? json_object_new_string(next) : NULL);
	put_link(req, end);
	vs_res_json(req, 200, o);
}
