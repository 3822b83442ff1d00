/* The assignments module's handlers: one role of one user (h_assignments.c), the
 * holders of a role (h_holders.c). */
#ifndef VS_FCGI_ASSIGNMENTS_HANDLERS_H
#define VS_FCGI_ASSIGNMENTS_HANDLERS_H

#include "request.h"
#include "worker.h"

enum vs_err vs_h_assignments_grant(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_assignments_revoke(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_assignments_holders(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_assignments_set_holders(struct vs_worker *w, struct vs_request *req);

#endif
