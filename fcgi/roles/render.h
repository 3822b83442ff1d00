/* Roles and permissions → JSON, exactly the fields of API.md. */
#ifndef VS_FCGI_ROLES_RENDER_H
#define VS_FCGI_ROLES_RENDER_H

#include "roles/domain.h"

#include <json-c/json.h>
#include <stdbool.h>

struct json_object *vs_render_permission(const struct vs_permission *p);
/* with_permissions: the detail form; with_count: the list form (user_count). */
struct json_object *vs_render_role(const struct vs_role *r, bool with_permissions,
				   bool with_count);

#endif
