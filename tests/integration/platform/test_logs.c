/*
 * What the stack writes to $VS_STATE_DIR/logs: workers.log is one JSON access
 * record per request, and no log holds a password, token or password hash. Each
 * test makes the requests whose traces it looks for (a worker writes a request's
 * access record before it sends the response), so it reads what it caused, not
 * whatever earlier suites happened to leave.
 */
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "suites.h"
#include "util.h"

#include "core/utf8.h"

#define LOGGED_REQUESTS 120

/* A request sent with a request id of its own, and the access record it must leave. */
struct sent {
	char id[64];
	const char *method;
	long status;
	bool found;
};

/* Sends LOGGED_REQUESTS requests of four kinds (200, 401, 404, 405), each with its own
 * X-Request-Id; false when one was not answered as expected. */
static bool send_logged_requests(struct sent *s)
{
	static const struct {
		const char *method, *path;
		long status;
	} kinds[] = {
		{ "GET", "/api/v1/health", 200 },
		{ "GET", "/api/v1/users/me", 401 },
		{ "GET", "/api/v1/no-such-route", 404 },
		{ "POST", "/api/v1/health", 405 },
	};
	bool ok = true;

	for (int i = 0; i < LOGGED_REQUESTS; i++) {
		const size_t k = (size_t)i % (sizeof(kinds) / sizeof(kinds[0]));
		char *h;
		const char *hdrs[2] = { NULL, NULL };
		struct resp *r;

		snprintf(s[i].id, sizeof(s[i].id), "it-%s-log-%u", fx.suffix, ++fx.counter);
		s[i].method = kinds[k].method;
		s[i].status = kinds[k].status;
		s[i].found = false;
		h = xasprintf("X-Request-Id: %s", s[i].id);
		hdrs[0] = h;
		r = http_do(kinds[k].method, kinds[k].path, hdrs,
			    strcmp(kinds[k].method, "POST") == 0 ? "" : NULL, 0, 0);
		ok &= EXPECT_STATUS(r, kinds[k].status);
		ok &= EXPECT(resp_header(r, "X-Request-Id") &&
				     strcmp(resp_header(r, "X-Request-Id"), s[i].id) == 0,
			     "%s %s did not echo X-Request-Id %s", kinds[k].method,
			     kinds[k].path, s[i].id);
		resp_free(r);
		free(h);
	}
	return ok;
}

static struct sent *sent_with_id(struct sent *s, const char *rid)
{
	for (int i = 0; rid && i < LOGGED_REQUESTS; i++)
		if (strcmp(s[i].id, rid) == 0)
			return &s[i];
	return NULL;
}

/* A path or query that is not UTF-8 once decoded is 400 before any route or query sees
 * it, and its access record is still JSON in UTF-8 (the byte nginx decoded from %ff once
 * went into workers.log raw). */
static void test_bytes_that_are_not_utf8_are_400_and_logged_as_utf8(void)
{
	char *token = xasprintf("Authorization: Bearer %s", fx.admin.access);
	const char *hdrs[] = { token, "X-Request-Id: not-utf8-path-0001", NULL };
	struct resp *r = http_do("GET", "/api/v1/users/%ff", hdrs, NULL, 0, 0);
	EXPECT_PROBLEM(r, 400, "bad-request", "The request path is not valid UTF-8.");
	resp_free(r);
	const char *hdrs2[] = { token, NULL };
	r = http_do("GET", "/api/v1/users?search=%ff%fe", hdrs2, NULL, 0, 0);
	EXPECT_PROBLEM(r, 400, "bad-request", "The query string is malformed.");
	resp_free(r);
	r = http_do("GET", "/api/v1/users?search=%c3%a9", hdrs2, NULL, 0, 0); /* é is fine */
	EXPECT_STATUS(r, 200);
	resp_free(r);

	char *path = xasprintf("%s/logs/workers.log", fx.cfg.state_dir);
	size_t len = 0;
	char *log = read_file(path, &len), *save = NULL;
	EXPECT(log && vs_utf8_valid(log, len), "workers.log is not UTF-8");
	bool found = false;
	for (char *line = log ? strtok_r(log, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, "not-utf8-path-0001") || !strstr(line, "\"msg\":\"request\""))
			continue;
		struct json_object *o = jparse(line, strlen(line));
		found = o && jstr(o, "path") &&
			strcmp(jstr(o, "path"), "/api/v1/users/\xEF\xBF\xBD") == 0;
		EXPECT(found, "the access record of /users/%%ff: %.300s", line);
		json_object_put(o);
	}
	EXPECT(found || !log, "no access record of GET /api/v1/users/%%ff");
	free(log);
	free(path);
	free(token);
}

/* `scripts/stack status` without VS_HTTPS_PORT names the port the stack was started on
 * (the harness starts it on a random one), not the default 8443. */
static void test_stack_status_names_the_port_it_was_started_on(void)
{
	char *cmd = xasprintf("env -u VS_HTTPS_PORT VS_STATE_DIR='%s' scripts/stack status 2>&1",
			      fx.cfg.state_dir);
	FILE *p = popen(cmd, "r");
	char out[4096] = "";
	size_t n = p ? fread(out, 1, sizeof(out) - 1, p) : 0;
	out[n] = '\0';
	if (p)
		pclose(p);
	char *url = xasprintf(", %s)", fx.cfg.url);
	EXPECT(strstr(out, "nginx:      running (pid ") && strstr(out, url),
	       "status names another address than %s: %s", fx.cfg.url, out);
	free(url);
	free(cmd);
}

static void test_worker_log_is_json_access_records(void)
{
	char *path = xasprintf("%s/logs/workers.log", fx.cfg.state_dir);
	size_t len = 0, access = 0, bad = 0, incomplete = 0, wrong = 0, missing = 0;
	struct sent *sent = xcalloc(LOGGED_REQUESTS, sizeof(*sent));
	char *log = NULL, *line, *save = NULL;
	const char *first_missing = NULL;

	if (!send_logged_requests(sent))
		goto out;
	log = read_file(path, &len);
	if (!EXPECT(log != NULL, "cannot read %s", path))
		goto out;
	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *o, *d;
		int64_t st;
		const char *rid, *method;
		struct sent *mine;

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
		method = jstr(o, "method");
		/* Access records are the "request" lines; other lines of a request carry
		 * its id too. */
		if (rid && jstr(o, "msg") && strcmp(jstr(o, "msg"), "request") == 0) {
			access++;
			d = jget(o, "duration_ms");
			if (!method || !jint(o, "status", &st) ||
			    !(json_object_is_type(d, json_type_int) ||
			      json_object_is_type(d, json_type_double))) {
				if (incomplete++ == 0)
					EXPECT(false, "access record lacks method/status/"
						      "duration_ms: %.300s", line);
			} else if ((mine = sent_with_id(sent, rid)) != NULL) {
				if (strcmp(method, mine->method) != 0 || st != mine->status) {
					if (wrong++ == 0)
						EXPECT(false, "request %s was %s -> %ld, its "
							      "access record says: %.300s",
						       rid, mine->method, mine->status, line);
				}
				mine->found = true;
			}
		}
		json_object_put(o);
	}
	for (int i = 0; i < LOGGED_REQUESTS; i++)
		if (!sent[i].found && missing++ == 0)
			first_missing = sent[i].id;
	EXPECT(missing == 0, "%zu of the %d requests sent with their own X-Request-Id have no "
			     "access record (the first: %s)", missing, LOGGED_REQUESTS,
	       first_missing ? first_missing : "-");
	EXPECT(access >= 100, "only %zu access records with a request_id in workers.log "
			      "after %d requests of this test alone", access, LOGGED_REQUESTS);
	EXPECT(bad == 0, "%zu non-JSON '{' lines in workers.log", bad);
	EXPECT(incomplete == 0, "%zu incomplete access records", incomplete);
	EXPECT(wrong == 0, "%zu access records with another method or status than was sent",
	       wrong);
out:
	free(sent);
	free(log);
	free(path);
}

/*
 * Puts secrets to work on every path that could log one (fx_remember_secret keeps
 * each): a new user's password at creation and at login (JSON and form), a wrong
 * password, access and refresh tokens, a refresh, an API key in X-API-Key, a logout.
 */
static void use_secrets(void)
{
	char *tenant = fx_create_tenant(NULL), *key = NULL, *key_id = NULL, *body, *e, *p;
	char *wrong = NULL, *access = NULL, *refresh = NULL;
	struct it_user u = { 0 };
	struct resp *r;

	if (!tenant || !fx_create_user(tenant, NULL, &u) || !fx_login(&u))
		goto out;
	wrong = xasprintf("%s-not", u.password);
	fx_remember_secret(wrong);
	r = fx_login_json(u.email, wrong);
	EXPECT_PROBLEM(r, 401, "unauthorized", NULL);
	resp_free(r);

	e = form_escape(u.email);
	p = form_escape(u.password);
	body = xasprintf("username=%s&password=%s", e, p);
	r = fx_post_login("/api/v1/auth/token", "application/x-www-form-urlencoded", body);
	fx_take_tokens(r, &access, &refresh);
	resp_free(r);
	free(body);
	free(e);
	free(p);
	free(access);
	free(refresh);

	body = xasprintf("{\"refresh_token\":\"%s\"}", u.refresh);
	r = req("POST", "/api/v1/auth/refresh", NULL, NULL, body);
	free(body);
	if (fx_take_tokens(r, &access, &refresh)) {
		free(u.access);
		free(u.refresh);
		u.access = access;
		u.refresh = refresh;
	}
	resp_free(r);

	r = req("GET", "/api/v1/users/me", u.access, NULL, NULL);
	EXPECT_STATUS(r, 200);
	resp_free(r);
	key = fx_create_key(u.access, "{\"name\":\"logs\",\"scope\":\"GLOBAL\"}", &key_id);
	if (key) {
		r = fx_key_req("GET", "/api/v1/users/me", key, NULL, NULL, NULL);
		EXPECT_STATUS(r, 200);
		resp_free(r);
	}
	body = xasprintf("{\"refresh_token\":\"%s\"}", u.refresh);
	r = req("POST", "/api/v1/auth/logout", u.access, NULL, body);
	EXPECT_STATUS(r, 204);
	resp_free(r);
	free(body);
out:
	fx_delete_user(u.id);
	fx_delete_tenant(tenant);
	fx_user_release(&u);
	free(tenant);
	free(key);
	free(key_id);
	free(wrong);
}

static void test_no_secret_in_any_log(void)
{
	char *dir = xasprintf("%s/logs", fx.cfg.state_dir);
	DIR *d;
	struct dirent *e;
	size_t files = 0, bytes = 0;

	use_secrets();
	EXPECT(fx.nsecrets >= 10, "only %zu secrets collected; the check would be weak",
	       fx.nsecrets);
	d = opendir(dir);
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
		{ "scripts/stack status names the port the stack was started on", test_stack_status_names_the_port_it_was_started_on },
		{ "a path or query that is not UTF-8 is 400, and logged as UTF-8", test_bytes_that_are_not_utf8_are_400_and_logged_as_utf8 },
		{ "no log file contains a password, an access/refresh token or a password hash", test_no_secret_in_any_log },
		{ NULL, NULL },
	};

	return it_add_suite("logs", NULL, NULL, tests);
}

IT_REGISTER(add_logs_suite)
