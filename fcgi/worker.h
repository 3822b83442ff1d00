/* What one worker process owns for its whole life, as its handlers see it. */
#ifndef VS_FCGI_WORKER_H
#define VS_FCGI_WORKER_H

#include "app/app.h"
#include "core/config.h"
#include "metrics.h"

struct vs_worker {
	struct vs_app *app; /* the use cases' ports, built by the runtime */
	const struct vs_config *cfg;
	struct vs_metrics *metrics; /* NULL: not counted */
	unsigned long requests;
};

#endif
