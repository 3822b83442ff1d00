/* Sending the response (respond.c). */
#ifndef VS_FCGI_RESPOND_H
#define VS_FCGI_RESPOND_H

#include "request.h"

#include <stdbool.h>

/* Writes the response to FastCGI and, when log is set, the access-log line to stderr. */
void vs_respond(struct vs_request *req, bool log);

#endif
