/* The job queue's part of /metrics, in Prometheus text format. */
#include "jobs/metrics_text.h"

#include "metrics.h"

#include <stddef.h>
#include <stdio.h>

/* One value per kind, the field at offset of each kind's metrics; kind names are
 * [a-z0-9_.], safe as label values. */
static void per_kind(FILE *out, const struct vs_job_metrics *m, const char *name,
		     const char *type, const char *help, size_t offset)
{
	vs_metrics_family(out, name, type, help);
	for (size_t i = 0; i < m->nkinds; i++)
		fprintf(out, "%s{kind=\"%s\"} %lld\n", name, m->kinds[i].kind,
			(long long)*(const int64_t *)((const char *)&m->kinds[i] + offset));
}

static void histogram(FILE *out, const struct vs_job_metrics *m)
{
	vs_metrics_family(out, "vs_job_run_seconds", "histogram",
	       "Job run times, claim to outcome as the database records them, by kind.");
	for (size_t i = 0; i < m->nkinds; i++) {
		const struct vs_job_kind_metrics *k = &m->kinds[i];
		for (int b = 0; b < VS_JOB_RUN_BOUNDS; b++)
			fprintf(out, "vs_job_run_seconds_bucket{kind=\"%s\",le=\"%g\"} %lld\n", k->kind,
				vs_job_run_bounds[b], (long long)k->runs_under[b]);
		fprintf(out, "vs_job_run_seconds_bucket{kind=\"%s\",le=\"+Inf\"} %lld\n", k->kind,
			(long long)k->runs);
		fprintf(out, "vs_job_run_seconds_sum{kind=\"%s\"} %.6f\n", k->kind,
			k->run_seconds_sum);
		fprintf(out, "vs_job_run_seconds_count{kind=\"%s\"} %lld\n", k->kind,
			(long long)k->runs);
	}
}

static void write_all(FILE *out, const void *ctx)
{
	const struct vs_job_metrics *m = ctx;
#define FIELD(f) offsetof(struct vs_job_kind_metrics, f)
	per_kind(out, m, "vs_jobs_enqueued_total", "counter", "Jobs enqueued, by kind.",
		 FIELD(enqueued));
	per_kind(out, m, "vs_jobs_succeeded_total", "counter", "Jobs that succeeded, by kind.",
		 FIELD(succeeded));
	per_kind(out, m, "vs_jobs_failed_total", "counter",
		 "Jobs that failed for good (attempts exhausted or a permanent error), by kind.",
		 FIELD(failed));
	per_kind(out, m, "vs_jobs_retried_total", "counter",
		 "Runs that failed and were queued again, by kind.", FIELD(retried));
	per_kind(out, m, "vs_jobs_cancelled_total", "counter", "Jobs cancelled, by kind.",
		 FIELD(cancelled));
	per_kind(out, m, "vs_jobs_queued", "gauge", "Jobs waiting now (due or not), by kind.",
		 FIELD(queued));
	per_kind(out, m, "vs_jobs_running", "gauge", "Jobs running now, by kind.", FIELD(running));
#undef FIELD
	vs_metrics_family(out, "vs_jobs_queue_depth", "gauge", "Jobs waiting now, of every kind.");
	fprintf(out, "vs_jobs_queue_depth %lld\n", (long long)m->queued);
	vs_metrics_family(out, "vs_jobs_oldest_due_age_seconds", "gauge",
	       "How long the oldest due job has waited to start (0: none waits).");
	fprintf(out, "vs_jobs_oldest_due_age_seconds %.3f\n", m->oldest_due_seconds);
	histogram(out, m);
}

char *vs_jobs_metrics_text(struct vs_arena *a, const struct vs_job_metrics *m)
{
	return vs_metrics_capture(a, write_all, m, NULL);
}
