/* The system module's handlers: liveness and readiness (h_health.c), metrics
 * (h_metrics.c), the OpenAPI document (h_openapi.c). */
#ifndef VS_FCGI_SYSTEM_HANDLERS_H
#define VS_FCGI_SYSTEM_HANDLERS_H

#include "request.h"
#include "worker.h"

#include <stddef.h>

enum vs_err vs_h_root(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_health(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_health_ready(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_metrics(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_openapi(struct vs_worker *w, struct vs_request *req);

/* The built-in OpenAPI document, NUL-terminated; *len excludes the NUL. */
const char *vs_openapi_document(size_t *len);

#endif
