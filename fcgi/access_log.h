/* The access log (access_log.c). */
#ifndef VS_FCGI_ACCESS_LOG_H
#define VS_FCGI_ACCESS_LOG_H

#include "request.h"

/* Method, path, route, status, duration, tenant and principal of req, as one line. */
void vs_access_log(const struct vs_request *req);

#endif
