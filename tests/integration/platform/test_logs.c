/*
 * What the run left in $VS_STATE_DIR/logs: workers.log is one JSON access
 * record per request, and no log holds a password, token or password hash.
 */
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixtures.h"
#include "json_get.h"
#include "suites.h"
#include "util.h"

static void test_worker_log_is_json_access_records(void)
{
	char *path = xasprintf("%s/logs/workers.log", fx.cfg.state_dir);
	size_t len = 0, access = 0, bad = 0, incomplete = 0;
	char *log = read_file(path, &len), *line, *save = NULL;
	bool echo_found = false;

	if (!EXPECT(log != NULL, "cannot read %s", path))
		goto out;
	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *o, *d;
		int64_t st;
		const char *rid;

		if (line[0] != '{')
			continue; /* e.g. a supervisor's own message */
		o = jparse(line, strlen(line));
		if (!o) {
			if (bad++ == 0)
				EXPECT(false, "workers.log has a line starting with '{' that is "
					      "not JSON: %.200s", line);
			continue;
		}
		rid = jstr(o, "request_id");
		/* Access records are the "request" lines; other lines of a request carry
		 * its id too. */
		if (rid && jstr(o, "msg") && strcmp(jstr(o, "msg"), "request") == 0) {
			access++;
			d = jget(o, "duration_ms");
			if (!jstr(o, "method") || !jint(o, "status", &st) ||
			    !(json_object_is_type(d, json_type_int) ||
			      json_object_is_type(d, json_type_double))) {
				if (incomplete++ == 0)
					EXPECT(false, "access record lacks method/status/"
						      "duration_ms: %.300s", line);
			}
			if (strcmp(rid, fx.echo_request_id) == 0 && jstr(o, "method") &&
			    strcmp(jstr(o, "method"), "GET") == 0 && jint(o, "status", &st) &&
			    st == 200)
				echo_found = true;
		}
		json_object_put(o);
	}
	EXPECT(access >= 100, "only %zu access records with a request_id in workers.log "
			      "after hundreds of requests", access);
	EXPECT(bad == 0, "%zu non-JSON '{' lines in workers.log", bad);
	EXPECT(incomplete == 0, "%zu incomplete access records", incomplete);
	EXPECT(fx.echo_request_id[0] && echo_found,
	       "no access record {request_id: \"%s\", method: GET, status: 200} for the "
	       "request id sent by the health suite", fx.echo_request_id);
out:
	free(log);
	free(path);
}

static void test_no_secret_in_any_log(void)
{
	char *dir = xasprintf("%s/logs", fx.cfg.state_dir);
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t files = 0, bytes = 0;

	EXPECT(fx.nsecrets >= 10, "only %zu secrets collected; the check would be weak",
	       fx.nsecrets);
	if (!EXPECT(d != NULL, "cannot open %s", dir))
		goto out;
	while ((e = readdir(d)) != NULL) {
		char *path, *text;
		size_t len = 0;

		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		text = read_file(path, &len);
		if (text) {
			files++;
			bytes += len;
			for (size_t i = 0; i < fx.nsecrets; i++)
				EXPECT(!contains(text, len, fx.secrets[i]),
				       "%s contains secret #%zu (%zu chars)", e->d_name, i,
				       strlen(fx.secrets[i]));
			EXPECT(!contains(text, len, "$argon2"),
			       "%s contains a password hash", e->d_name);
		}
		free(text);
		free(path);
	}
	closedir(d);
	EXPECT(files > 0 && bytes > 0, "no log content under %s to check", dir);
out:
	free(dir);
}

static int add_logs_suite(void)
{
	static const struct it_test tests[] = {
		{ "workers.log holds JSON access records (method, status, request_id, duration_ms)", test_worker_log_is_json_access_records },
		{ "no log file contains a password, an access/refresh token or a password hash", test_no_secret_in_any_log },
		{ NULL, NULL },
	};

	return it_add_suite("logs", NULL, NULL, tests);
}

IT_REGISTER(add_logs_suite)
