#include "jobs/domain.h"

#include <json-c/json.h>

#include <string.h>

static const char *const status_names[] = {
	[VS_JOB_QUEUED] = "queued",	  [VS_JOB_RUNNING] = "running",
	[VS_JOB_SUCCEEDED] = "succeeded", [VS_JOB_FAILED] = "failed",
	[VS_JOB_CANCELLED] = "cancelled",
};

const char *vs_job_status_name(enum vs_job_status s)
{
	return (size_t)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s] : "?";
}

bool vs_job_status_parse(const char *s, enum vs_job_status *out)
{
	for (size_t i = 0; s && i < sizeof(status_names) / sizeof(status_names[0]); i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum vs_job_status)i;
			return true;
		}
	}
	return false;
}

static bool word_start(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool word_char(char c)
{
	return word_start(c) || (c >= '0' && c <= '9') || c == '_';
}

bool vs_job_kind_valid(const char *s)
{
	size_t words = 0, len = s ? strlen(s) : 0;
	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len;) {
		if (!word_start(s[i]))
			return false;
		while (i < len && word_char(s[i]))
			i++;
		words++;
		if (i < len && (s[i++] != '.' || i == len))
			return false;
	}
	return words >= 2;
}

int64_t vs_job_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, uint32_t random)
{
	int64_t d = base_ms;
	for (int i = 1; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	int64_t half = d / 2;
	return d - half + (int64_t)(random % (uint64_t)(half + 1));
}

struct vs_job_next vs_job_after_run(int attempts, int max_attempts, enum vs_job_verdict v,
				    int64_t now_ms, int64_t backoff_ms, int64_t retry_after_ms)
{
	if (v == VS_JOB_DONE)
		return (struct vs_job_next){ VS_JOB_SUCCEEDED, 0 };
	if (v == VS_JOB_PERMANENT || attempts >= max_attempts)
		return (struct vs_job_next){ VS_JOB_FAILED, 0 };
	int64_t wait = retry_after_ms > backoff_ms ? retry_after_ms : backoff_ms;
	return (struct vs_job_next){ VS_JOB_QUEUED, now_ms + wait };
}

bool vs_job_cancellable(enum vs_job_status s)
{
	return s == VS_JOB_QUEUED;
}

const double vs_job_run_bounds[VS_JOB_RUN_BOUNDS] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
						       1,     2.5,  5,     10,   30,  60,   300 };

bool vs_job_payload_uuid(const struct vs_job *job, const char *field, vs_uuid *out)
{
	struct json_object *p = json_tokener_parse(job->payload), *v = NULL;
	const char *s = json_object_object_get_ex(p, field, &v) &&
				json_object_is_type(v, json_type_string)
			? json_object_get_string(v)
			: NULL;
	bool ok = s && vs_uuid_parse(s, strlen(s), out);
	json_object_put(p);
	return ok;
}
