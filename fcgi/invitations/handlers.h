/* The invitations module's handlers (h_invitations.c). */
#ifndef VS_FCGI_INVITATIONS_HANDLERS_H
#define VS_FCGI_INVITATIONS_HANDLERS_H

#include "request.h"
#include "worker.h"

enum vs_err vs_h_invitations_list(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_invitations_create(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_invitations_get(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_invitations_revoke(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_invitations_resend(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_invitations_verify(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_invitations_accept(struct vs_worker *w, struct vs_request *req);

#endif
