/* What one worker process owns for its whole life. */
#ifndef VS_FCGI_WORKER_H
#define VS_FCGI_WORKER_H

#include "adapters/pg/pg.h"
#include "app/app.h"
#include "core/config.h"
#include "core/jwt.h"
#include "metrics.h"

struct vs_worker {
	struct vs_config cfg;
	struct vs_jwt_keys jwt;
	struct vs_pg *pg;
	struct vs_pg_repos *repos;
	struct vs_app app;
	struct vs_metrics *metrics; /* NULL: not counted */
	unsigned long requests;
};

#endif
