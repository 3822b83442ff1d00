/* Shared by the two sides of the jobs adapter: requests' (repo.c) and the runner's
 * (queue.c). */
#ifndef VS_ADAPTERS_PG_JOBS_INTERNAL_H
#define VS_ADAPTERS_PG_JOBS_INTERNAL_H

#include "adapters/pg/util.h"
#include "adapters/pg/wiring.h"
#include "jobs/domain.h"

/* The columns, in the order row_to_job reads them. */
#define VS_PG_JOB_COLS                                                                     \
	"j.id, j.tenant_id, j.kind, j.payload::text, j.status, j.attempts, j.max_attempts, "  \
	"extract(epoch FROM j.run_at)::bigint, extract(epoch FROM j.created_at)::bigint, "    \
	"extract(epoch FROM j.started_at)::bigint, extract(epoch FROM j.finished_at)::bigint, " \
	"j.result::text, j.last_error, j.resource_type, j.resource_id, j.created_by"

/* A vs_pg_row_fn filling a struct vs_job. */
void vs_pg__row_to_job(struct vs_arena *a, const PGresult *r, int row, void *out);
/* The runner's side, wired with the requests' (vs_pg_jobs_wire). */
void vs_pg__job_queue_wire(const struct vs_pg_wiring *w, struct vs_app *app);

#endif
