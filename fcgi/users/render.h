/* User → JSON, exactly the fields of API.md (never a password hash): the users' routes and
 * the modules that answer with a User (an accepted invitation). */
#ifndef VS_FCGI_USERS_RENDER_H
#define VS_FCGI_USERS_RENDER_H

#include "users/domain.h"

#include <json-c/json.h>

struct json_object *vs_render_user(const struct vs_user *u);

#endif
