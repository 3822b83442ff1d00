/* The API-keys module's handlers (h_api_keys.c). */
#ifndef VS_FCGI_API_KEYS_HANDLERS_H
#define VS_FCGI_API_KEYS_HANDLERS_H

#include "request.h"
#include "worker.h"

enum vs_err vs_h_api_keys_list(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_api_keys_create(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_api_keys_get(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_api_keys_update(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_api_keys_delete(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_api_keys_rotate(struct vs_worker *w, struct vs_request *req);

#endif
