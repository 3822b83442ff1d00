/* The users module's handlers (h_users.c). */
#ifndef VS_FCGI_USERS_HANDLERS_H
#define VS_FCGI_USERS_HANDLERS_H

#include "request.h"
#include "worker.h"

enum vs_err vs_h_users_list(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_tenant_users_list(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_users_create(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_users_get(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_tenant_users_get(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_users_update(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_users_delete(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_users_me(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_users_me_update(struct vs_worker *w, struct vs_request *req);

#endif
