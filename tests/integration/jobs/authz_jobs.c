/* The authorization matrix's rows for fcgi/jobs' routes: jobs of the tenant in context
 * (X-Tenant-ID), a superuser without the header works on the platform's. {xjid} is a
 * queued job made for the row in the database (jobs/db_jobs.h): every cancel that
 * succeeds spends its own. */
#include "authz_rows.h"

static const struct authz_row jobs_rows[] = {
	COLL3("GET", "/api/v1/jobs", NULL, H_CTX, "job:read", READ_A, IN_B(200)),
	ROWS("GET", "/api/v1/jobs", NULL, H_CTX, "job:read", K_NOCTX, NEEDS_HEADER(200)),
	OBJ3("GET", "/api/v1/jobs/{xjid}", NULL, H_A, "job:read", READ_A, NOT_IN_A_READ),
	OBJ3("POST", "/api/v1/jobs/{xjid}/cancel", NULL, H_A, "job:cancel", ADMIN_A(200),
	     NOT_IN_A_ADMIN),
};

IT_AUTHZ_ROWS(jobs_rows)
