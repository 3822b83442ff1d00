/* The queue as /metrics shows it. */
#include "jobs/usecases.h"

enum vs_err vs_jobs_metrics(struct vs_app *app, struct vs_arena *a, struct vs_job_metrics *out,
			    struct vs_error *e)
{
	enum vs_err rc = app->job_queue->ops->metrics(app->job_queue, a, out);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}
