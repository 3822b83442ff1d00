/* The request pipeline (pipeline.c). */
#ifndef VS_FCGI_PIPELINE_H
#define VS_FCGI_PIPELINE_H

#include "request.h"
#include "worker.h"

/* Runs the pipeline; the response is left in req. */
void vs_dispatch(struct vs_worker *w, struct vs_request *req);

#endif
