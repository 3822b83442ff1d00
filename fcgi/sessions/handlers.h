/* The sessions module's handlers (h_tokens.c). */
#ifndef VS_FCGI_SESSIONS_HANDLERS_H
#define VS_FCGI_SESSIONS_HANDLERS_H

#include "request.h"
#include "worker.h"

enum vs_err vs_h_sessions_token(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_sessions_login(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_sessions_refresh(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_sessions_logout(struct vs_worker *w, struct vs_request *req);

#endif
