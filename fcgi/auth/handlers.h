/* The auth module's handlers (h_check.c). */
#ifndef VS_FCGI_AUTH_HANDLERS_H
#define VS_FCGI_AUTH_HANDLERS_H

#include "request.h"
#include "worker.h"

enum vs_err vs_h_auth_check(struct vs_worker *w, struct vs_request *req);

#endif
