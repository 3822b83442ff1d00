/* The audit module's handlers (h_audit.c). */
#ifndef VS_FCGI_AUDIT_HANDLERS_H
#define VS_FCGI_AUDIT_HANDLERS_H

#include "request.h"
#include "worker.h"

enum vs_err vs_h_audit_list(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_audit_verify(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_audit_checkpoints(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_audit_public_key(struct vs_worker *w, struct vs_request *req);

#endif
