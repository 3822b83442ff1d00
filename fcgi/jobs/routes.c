/* Jobs (API.md §6): read and cancelled in the tenant from X-Tenant-ID; a superuser without
 * the header works on the platform's own jobs (checked by the use cases). */
#include "jobs/handlers.h"
#include "router.h"

#define HEADER VS_TENANT_HEADER

static const struct vs_route routes[] = {
	VS_ROUTE(VS_GET, "/api/v1/jobs", vs_h_jobs_list, VS_PERMISSION("job:read"), HEADER, true),
	VS_ROUTE(VS_GET, "/api/v1/jobs/{job_id}", vs_h_jobs_get, VS_PERMISSION("job:read"), HEADER,
		 true),
	VS_ROUTE(VS_POST, "/api/v1/jobs/{job_id}/cancel", vs_h_jobs_cancel,
		 VS_PERMISSION("job:cancel"), HEADER, true),
};

const struct vs_route_group vs_jobs_routes = VS_ROUTE_GROUP(routes);
