/* Entities → JSON, exactly the fields of API.md (never a password hash). */
#ifndef VS_FCGI_RENDER_H
#define VS_FCGI_RENDER_H

#include "app/app.h"
#include "request.h"

#include <json-c/json.h>

struct json_object *vs_render_user(const struct vs_user *u);
struct json_object *vs_render_tenant(const struct vs_tenant *t);
struct json_object *vs_render_tokens(const struct vs_token_pair *p);
struct json_object *vs_render_permission(const struct vs_permission *p);
/* key_text: the key itself, only in the response that creates it. */
struct json_object *vs_render_api_key(const struct vs_api_key *k, const char *key_text);
/* with_permissions: the detail form; with_count: the list form (user_count). */
struct json_object *vs_render_role(const struct vs_role *r, bool with_permissions,
				   bool with_count);

/* {"items":[…],"total":N,"page":P,"limit":L} */
struct json_object *vs_render_envelope(struct json_object *items, int64_t total, int64_t page,
				       int64_t limit);
/* A JSON array response with its total in X-Total-Count. */
void vs_res_array(struct vs_request *req, struct json_object *items, int64_t total);

#endif
