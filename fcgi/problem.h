/* Errors as problem+json (problem.c). */
#ifndef VS_FCGI_PROBLEM_H
#define VS_FCGI_PROBLEM_H

#include "request.h"

/* Turns req->error into the problem+json response (RFC 9457); retry_after goes into
 * Retry-After for 429 and 503. */
void vs_render_problem(struct vs_request *req, int retry_after);

#endif
