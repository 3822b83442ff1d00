/*
 * Jobs made and read in the database itself, as the schema owner in platform scope: no
 * API call makes jobs of a chosen state. Every job made here is parked so that no runner
 * takes it: jobs.claim (sql/011) claims any kind that is due, and a runner fails a kind it
 * has no handler for, so a queued job is due only in a year and a running one holds its
 * lease as long.
 */
#ifndef IT_JOBS_DB_JOBS_H
#define IT_JOBS_DB_JOBS_H

#include <libpq-fe.h>

struct db_job {
	const char *tenant;      /* NULL: a platform job */
	const char *kind;
	const char *status;      /* queued, running, succeeded, failed or cancelled */
	const char *payload;     /* JSON object text, or NULL for {} */
	const char *result;      /* JSON text, or NULL */
	const char *last_error;  /* or NULL */
	const char *resource_id; /* or NULL */
	int age_s;               /* created this many seconds ago */
};

/* The new job's id (free it), or NULL after a reported failure. */
char *db_job_new(PGconn *c, const struct db_job *j);
/* A queued job of tenant on a connection of its own (VS_OWNER_DATABASE_URL); for callers
 * that hold none, such as the authorization matrix. */
char *db_job_queued(const char *tenant, const char *kind);
/* "status updated_at finished_at" of job id, to compare before and after (free it); NULL
 * when there is no such job. */
char *db_job_state(PGconn *c, const char *id);

#endif
