/* Jobs as requests see them: enqueued inside another use case's transaction, listed,
 * read and cancelled in the tenant (or, for superusers, the platform). */
#include "jobs/usecases.h"

#include "audit/usecases.h"

#include "jobs/messages.h"

enum vs_err vs_jobs_enqueue(struct vs_app *app, struct vs_arena *a, const struct vs_job_kind *kind,
			    const struct vs_job_args *args, vs_uuid *id, struct vs_error *e)
{
	const struct vs_job_new j = {
		.kind = kind->name,
		.payload = args->payload,
		.max_attempts = kind->max_attempts,
		.tenant = args->tenant,
		.created_by = args->created_by,
		.unique_key = args->unique_key,
		.resource_type = args->resource_type,
		.resource_id = args->resource_id,
		.run_at = args->run_at,
	};
	enum vs_err rc = app->jobs->ops->enqueue(app->jobs, a, &j, id);
	if (rc == VS_CONFLICT)
		return vs_fail(e, VS_CONFLICT, VS_MSG_JOB_DUPLICATE);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

enum vs_err vs_jobs_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			 const vs_uuid *tenant, const struct vs_job_filter *f,
			 struct vs_job_page *out, struct vs_error *e)
{
	enum vs_err rc = vs_principal_in_scope(p, tenant, "job:read", e);
	if (rc != VS_OK)
		return rc;
	const struct vs_job_query q = {
		.platform = tenant == NULL,
		.tenant = tenant,
		.has_status = f->has_status,
		.status = f->status,
		.kind = f->kind,
		.resource_id = f->resource_id,
		.at = f->at,
	};
	rc = app->jobs->ops->list(app->jobs, a, &q, out);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

/* The job, if it is of the tenant (or, with none, a platform job). */
static enum vs_err load(struct vs_app *app, struct vs_arena *a, const vs_uuid *tenant,
			const vs_uuid *id, struct vs_job *out, struct vs_error *e)
{
	enum vs_err rc = app->jobs->ops->get(app->jobs, a, id, out);
	if (rc == VS_OK && (tenant ? !out->has_tenant || !vs_uuid_eq(&out->tenant_id, tenant)
				   : out->has_tenant))
		rc = VS_NOTFOUND;
	if (rc == VS_NOTFOUND)
		return vs_fail(e, VS_NOTFOUND, VS_MSG_JOB_NOT_FOUND);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

enum vs_err vs_jobs_get(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			const vs_uuid *tenant, const vs_uuid *id, struct vs_job *out,
			struct vs_error *e)
{
	enum vs_err rc = vs_principal_in_scope(p, tenant, "job:read", e);
	return rc == VS_OK ? load(app, a, tenant, id, out, e) : rc;
}

enum vs_err vs_jobs_cancel(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			   const vs_uuid *tenant, const vs_uuid *id, struct vs_job *out,
			   struct vs_error *e)
{
	struct vs_job current;
	enum vs_err rc = vs_principal_in_scope(p, tenant, "job:cancel", e);
	if (rc == VS_OK)
		rc = load(app, a, tenant, id, &current, e);
	if (rc != VS_OK)
		return rc;
	if (!vs_job_cancellable(current.status))
		return vs_fail(e, VS_CONFLICT,
			       vs_arena_printf(a, VS_MSG_JOB_NOT_CANCELLABLE,
					       vs_job_status_name(current.status)));
	if ((rc = vs_app_begin(app)) != VS_OK)
		return vs_fail(e, rc, NULL);
	rc = app->jobs->ops->cancel(app->jobs, a, id, out);
	if (rc == VS_OK) {
		struct json_object *changes = NULL;
		vs_audit_created_text(&changes, "kind", out->kind);
		vs_audit_change_text(&changes, "status", vs_job_status_name(current.status),
				     vs_job_status_name(out->status));
		rc = vs_audit_record_object(app, a, p, "job.cancelled", "job", id,
					    out->has_tenant ? &out->tenant_id : NULL, changes);
		json_object_put(changes);
	}
	rc = vs_app_end(app, rc);
	if (rc == VS_CONFLICT) /* it started meanwhile */
		return vs_fail(e, VS_CONFLICT,
			       vs_arena_printf(a, VS_MSG_JOB_NOT_CANCELLABLE,
					       vs_job_status_name(out->status)));
	if (rc == VS_NOTFOUND)
		return vs_fail(e, VS_NOTFOUND, VS_MSG_JOB_NOT_FOUND);
	return rc == VS_OK ? VS_OK : vs_fail(e, rc, NULL);
}

static enum vs_job_verdict run_noop(struct vs_job_run *run)
{
	(void)run;
	return VS_JOB_DONE;
}

const struct vs_job_kind vs_jobs_noop_kind = { "jobs.noop", 3, 10, run_noop };

static const struct vs_job_kind *const kinds[] = { &vs_jobs_noop_kind };
const struct vs_job_kind_group vs_jobs_job_kinds = VS_JOB_KIND_GROUP(kinds);
