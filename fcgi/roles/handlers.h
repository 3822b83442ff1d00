/* The roles module's handlers: roles (h_roles.c) and the permission catalogue
 * (h_permissions.c). */
#ifndef VS_FCGI_ROLES_HANDLERS_H
#define VS_FCGI_ROLES_HANDLERS_H

#include "request.h"
#include "worker.h"

enum vs_err vs_h_roles_list(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_roles_create(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_roles_get(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_roles_update(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_roles_delete(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_roles_permissions(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_roles_add_permission(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_roles_remove_permission(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_permissions_list(struct vs_worker *w, struct vs_request *req);

#endif
