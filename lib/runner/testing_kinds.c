/* Kinds for testing the runner against a real database, enabled only by
 * VS_JOB_TEST_KINDS=1 (tests/integration and scripts/bench set it):
 *
 *   testing.noop    does nothing (scripts/bench: the runner's own cost per job)
 *   testing.record  {"file": path, "sleep_ms"?: n, "fail_times"?: n, "permanent"?: bool}
 *
 * appends "<job id> <pid> <attempt>\n" to file (O_APPEND: one write, whole lines), after
 * sleeping sleep_ms (in steps, so that a TERM can end the process meanwhile); the first
 * fail_times attempts end in a retry, or every attempt fails for good with permanent. So a
 * test sees every run from outside the queue: which runner, which attempt, how often. */
#include "runner/testing_kinds.h"

#include "core/time.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

static enum vs_job_verdict run_record(struct vs_job_run *run)
{
	struct json_object *p = json_tokener_parse(run->job->payload);
	const char *file = json_object_get_string(member(p, "file"));
	int64_t sleep = json_object_get_int64(member(p, "sleep_ms"));
	int fail_times = json_object_get_int(member(p, "fail_times"));
	bool permanent = json_object_get_boolean(member(p, "permanent"));
	enum vs_job_verdict v = VS_JOB_DONE;
	for (int64_t slept = 0; slept < sleep; slept += 50)
		sleep_ms(sleep - slept < 50 ? sleep - slept : 50);
	char id[VS_UUID_STRLEN + 1], line[128];
	vs_uuid_format(&run->job->id, id);
	int fd = file ? open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : -1;
	int n = snprintf(line, sizeof(line), "%s %d %d\n", id, (int)getpid(), run->job->attempts);
	if (fd < 0 || write(fd, line, (size_t)n) != n) {
		run->error = "testing.record: could not append to its file";
		v = VS_JOB_PERMANENT;
	} else if (permanent) {
		run->error = "testing.record: asked to fail for good";
		v = VS_JOB_PERMANENT;
	} else if (run->job->attempts <= fail_times) {
		run->error = "testing.record: asked to fail this attempt";
		v = VS_JOB_RETRY;
	} else {
		run->result = vs_arena_printf(run->a, "{\"pid\":%d}", (int)getpid());
	}
	if (fd >= 0)
		close(fd);
	json_object_put(p);
	return v;
}

static enum vs_job_verdict run_noop(struct vs_job_run *run)
{
	(void)run;
	return VS_JOB_DONE;
}

const struct vs_job_kind vs_testing_record_kind = { "testing.record", 3, 30, run_record };
static const struct vs_job_kind noop_kind = { "testing.noop", 3, 30, run_noop };

static const struct vs_job_kind *const kinds[] = { &vs_testing_record_kind, &noop_kind };
const struct vs_job_kind_group vs_testing_job_kinds = VS_JOB_KIND_GROUP(kinds);
