/* The job queue's families of /metrics (fcgi/system/h_metrics.c appends them). */
#ifndef VS_FCGI_JOBS_METRICS_TEXT_H
#define VS_FCGI_JOBS_METRICS_TEXT_H

#include "core/arena.h"
#include "jobs/port.h"

/* The families in Prometheus text format, in a. */
char *vs_jobs_metrics_text(struct vs_arena *a, const struct vs_job_metrics *m);

#endif
