/* The tenants module's handlers (h_tenants.c). */
#ifndef VS_FCGI_TENANTS_HANDLERS_H
#define VS_FCGI_TENANTS_HANDLERS_H

#include "request.h"
#include "worker.h"

enum vs_err vs_h_tenants_list(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_tenants_create(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_tenants_get(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_tenants_get_by_slug(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_tenants_update(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_tenants_delete(struct vs_worker *w, struct vs_request *req);

#endif
