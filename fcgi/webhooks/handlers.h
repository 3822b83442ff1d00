/* The webhooks module's handlers (h_webhooks.c). */
#ifndef VS_FCGI_WEBHOOKS_HANDLERS_H
#define VS_FCGI_WEBHOOKS_HANDLERS_H

#include "request.h"
#include "worker.h"

enum vs_err vs_h_webhooks_list(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_webhooks_create(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_webhooks_get(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_webhooks_update(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_webhooks_delete(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_webhooks_rotate(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_webhooks_test(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_webhooks_deliveries(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_webhooks_replay_delivery(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_webhooks_replay(struct vs_worker *w, struct vs_request *req);

#endif
