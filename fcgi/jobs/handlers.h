/* The jobs module's handlers (h_jobs.c). */
#ifndef VS_FCGI_JOBS_HANDLERS_H
#define VS_FCGI_JOBS_HANDLERS_H

#include "request.h"
#include "worker.h"

enum vs_err vs_h_jobs_list(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_jobs_get(struct vs_worker *w, struct vs_request *req);
enum vs_err vs_h_jobs_cancel(struct vs_worker *w, struct vs_request *req);

#endif
