/* Lists over HTTP: which part of a list a request asks for (`skip` or `page`, or the
 * `after` cursor of keyset pagination, and `limit`), and the headers and fields that tell
 * the client how many items there are and where the next page starts (API.md §1). */
#ifndef VS_FCGI_LIST_H
#define VS_FCGI_LIST_H

#include "core/cursor.h"
#include "request.h"

/* `skip` (default 0) or `after`, and `limit` (1–100, default 100); 422 for a bad value,
 * an unknown cursor text, or `after` with `skip`. Returns req->error.code. */
enum vs_err vs_req_list_at(struct vs_request *req, struct vs_list_at *at);
/* The same for the users lists: `page` (default 1) or `after`, and `limit` (1–100,
 * default 20). *page is 0 for a keyed page. */
enum vs_err vs_req_page_at(struct vs_request *req, int64_t *page, struct vs_list_at *at);

/* `Link: <path?…&param=value>; rel="next"`: this request's query but the parameters that
 * say where a page starts, then param=value. */
void vs_res_next_page(struct vs_request *req, const char *param, const char *value);

/* 200 with the items as a JSON array, their total in X-Total-Count (absent on a keyed
 * page: it is not counted), and `Link: <…after=…>; rel="next"` when more follow. */
void vs_res_list(struct vs_request *req, struct json_object *items, const struct vs_list_end *end);
/* 200 with {"items":[…],"total":N,"page":P,"limit":L,"next":cursor}, total and page
 * null on a keyed page and next null on the last; the same Link header. */
void vs_res_list_envelope(struct vs_request *req, struct json_object *items,
			  const struct vs_list_end *end, int64_t page, int64_t limit);

#endif
