/* /jobs: the tenant's jobs (a superuser without X-Tenant-ID: the platform's), one job, and
 * cancelling a queued one. */
#include "jobs/handlers.h"
#include "list.h"

#include "core/messages.h"
#include "jobs/messages.h"
#include "jobs/usecases.h"

#include <string.h>

static struct json_object *time_or_null(int64_t t)
{
	return t ? vs_json_time(t) : NULL;
}

/* The stored result, a JSON value PostgreSQL wrote out, as JSON again (through the one
 * strict parser: a result nested deeper than it allows would show as null). */
static struct json_object *result_json(struct vs_arena *a, const char *text)
{
	struct json_object *v = NULL;
	if (!text || vs_json_parse(a, text, strlen(text), &v, NULL) != VS_OK)
		return NULL;
	return json_object_get(v); /* the arena keeps its own reference */
}

/* Never the payload: it may carry secrets (tokens, addresses) for the runner only. */
static struct json_object *render_job(struct vs_arena *a, const struct vs_job *j)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "id", vs_json_uuid(&j->id));
	json_object_object_add(o, "tenant_id", j->has_tenant ? vs_json_uuid(&j->tenant_id) : NULL);
	json_object_object_add(o, "kind", json_object_new_string(j->kind));
	json_object_object_add(o, "status", json_object_new_string(vs_job_status_name(j->status)));
	json_object_object_add(o, "attempts", json_object_new_int(j->attempts));
	json_object_object_add(o, "max_attempts", json_object_new_int(j->max_attempts));
	json_object_object_add(o, "run_at", vs_json_time(j->run_at));
	json_object_object_add(o, "created_at", vs_json_time(j->created_at));
	json_object_object_add(o, "started_at", time_or_null(j->started_at));
	json_object_object_add(o, "finished_at", time_or_null(j->finished_at));
	json_object_object_add(o, "last_error", vs_json_str_or_null(j->last_error));
	json_object_object_add(o, "result", result_json(a, j->result));
	json_object_object_add(o, "resource_type", vs_json_str_or_null(j->resource_type));
	json_object_object_add(o, "resource_id",
			       j->has_resource ? vs_json_uuid(&j->resource_id) : NULL);
	json_object_object_add(o, "created_by",
			       j->has_creator ? vs_json_uuid(&j->created_by) : NULL);
	return o;
}

/* status, kind and resource_id of the query; each one wrong is a field of the 422. */
static enum vs_err bind_filter(struct vs_request *req, struct vs_job_filter *f, vs_uuid *resource)
{
	const char *status, *resource_text;
	vs_req_list_at(req, &f->at);
	vs_req_query_str(req, "status", 16, &status);
	vs_req_query_str(req, "kind", 64, &f->kind);
	vs_req_query_str(req, "resource_id", VS_UUID_STRLEN, &resource_text);
	if (status && !(f->has_status = vs_job_status_parse(status, &f->status)))
		vs_fail_field(&req->error, "status", VS_MSG_JOB_STATUS_INVALID);
	if (f->kind && !vs_job_kind_valid(f->kind))
		vs_fail_field(&req->error, "kind", VS_MSG_JOB_KIND_INVALID);
	if (resource_text && !vs_uuid_parse(resource_text, strlen(resource_text), resource))
		vs_fail_field(&req->error, "resource_id", VS_MSG_NOT_UUID);
	else if (resource_text)
		f->resource_id = resource;
	return req->error.code;
}

enum vs_err vs_h_jobs_list(struct vs_worker *w, struct vs_request *req)
{
	struct vs_job_filter f = { 0 };
	struct vs_job_page page;
	vs_uuid resource;
	enum vs_err rc = bind_filter(req, &f, &resource);
	if (rc == VS_OK)
		rc = vs_jobs_list(w->app, req->arena, &req->principal, req->tenant, &f, &page,
				  &req->error);
	if (rc != VS_OK)
		return rc;
	struct json_object *items = json_object_new_array();
	for (size_t i = 0; i < page.n; i++)
		json_object_array_add(items, render_job(req->arena, &page.items[i]));
	vs_res_list(req, items, &page.end);
	return VS_OK;
}

/* A use case on the job named in the path, answered with the job as it then is. */
typedef enum vs_err (*job_op)(struct vs_app *app, struct vs_arena *a,
			      const struct vs_principal *p, const vs_uuid *tenant,
			      const vs_uuid *id, struct vs_job *out, struct vs_error *e);

static enum vs_err on_path_job(struct vs_worker *w, struct vs_request *req, job_op op)
{
	vs_uuid id;
	struct vs_job j;
	enum vs_err rc = vs_req_path_uuid(req, "job_id", &id);
	if (rc == VS_OK)
		rc = op(w->app, req->arena, &req->principal, req->tenant, &id, &j, &req->error);
	if (rc == VS_OK)
		vs_res_json(req, 200, render_job(req->arena, &j));
	return rc;
}

enum vs_err vs_h_jobs_get(struct vs_worker *w, struct vs_request *req)
{
	return on_path_job(w, req, vs_jobs_get);
}

enum vs_err vs_h_jobs_cancel(struct vs_worker *w, struct vs_request *req)
{
	return on_path_job(w, req, vs_jobs_cancel);
}
