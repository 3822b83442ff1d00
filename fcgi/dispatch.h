/* The request pipeline: route → body limits → tenant context → authentication →
 * authorization → handler → response and access-log line. */
#ifndef VS_FCGI_DISPATCH_H
#define VS_FCGI_DISPATCH_H

#include "request.h"
#include "worker.h"

/* Reads method, path, query and headers of fcgi into req. */
void vs_request_init(struct vs_request *req, FCGX_Request *fcgi, struct vs_arena *a);
/* Runs the pipeline; the response is left in req. */
void vs_dispatch(struct vs_worker *w, struct vs_request *req);
/* Turns req->error into the problem+json response (RFC 9457). */
void vs_render_problem(struct vs_request *req, int retry_after);
/* Writes the response to FastCGI and, when log is set, the access-log line to stderr. */
void vs_respond(struct vs_request *req, bool log);

#endif
