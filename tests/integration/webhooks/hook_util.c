#include "hook_util.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fixtures.h"
#include "json_get.h"
#include "mail/mail_util.h"
#include "util.h"

#define POLL_MS		20
#define MAX_SECRETS	12 /* mail_spawn passes up to 14 arguments after the interpreter */

/*
 * The targets of the requests recorded so far, req-1 … req-<nseen>. The receiver writes
 * each file whole (renamed into place) and in the order of the numbers, and never changes
 * one: what was read once stays true, and each look reads only the files that are new.
 */
static struct {
	char **paths;
	size_t nseen, cap;
} seen;

/* The rules written to the control file, merged call by call. */
static struct json_object *rules;
/* Set into every rule this program writes: a rule set again is new text to the receiver,
 * which is what starts its count afresh (it keys counts by a rule's text). */
static long rule_gen;

const char *hook_dir(void)
{
	const char *dir = getenv("VS_TEST_WEBHOOK_DIR");

	EXPECT(dir && *dir, "VS_TEST_WEBHOOK_DIR must be set (tests/integration/run)");
	return dir && *dir ? dir : NULL;
}

static char *req_path(const char *dir, size_t n)
{
	return xasprintf("%s/req-%zu.json", dir, n);
}

/* The recorded request n, parsed; NULL when it is not (yet) there. */
static struct json_object *read_req(const char *dir, size_t n)
{
	char *path = req_path(dir, n), *text;
	size_t len;
	struct json_object *o = NULL;

	text = read_file(path, &len);
	if (text)
		o = jparse(text, len);
	free(text);
	free(path);
	return o;
}

/* Reads the requests recorded since the last look into seen. */
static void refresh(const char *dir)
{
	for (;;) {
		struct json_object *o = read_req(dir, seen.nseen + 1);
		if (!o)
			return;
		if (seen.nseen == seen.cap) {
			seen.cap = seen.cap ? 2 * seen.cap : 256;
			seen.paths = xrealloc(seen.paths, seen.cap * sizeof(*seen.paths));
		}
		seen.paths[seen.nseen++] = xstrdup(jstr(o, "path") ? jstr(o, "path") : "");
		json_object_put(o);
	}
}

char *hook_url(const char *path)
{
	const char *dir = hook_dir();
	char *port_path, *text;
	long port = 0;

	if (!dir)
		return NULL;
	port_path = xasprintf("%s/port", dir);
	text = read_file(port_path, NULL);
	if (text)
		port = strtol(text, NULL, 10);
	free(text);
	free(port_path);
	if (!EXPECT(port > 0 && port < 65536, "no port in %s/port: is the receiver running?", dir))
		return NULL;
	return xasprintf("https://127.0.0.1:%ld%s", port, path ? path : "");
}

char *hook_unique_path(const char *label)
{
	char hex[17];

	random_hex(hex, 8);
	return xasprintf("/t/%s-%s", label ? label : "hook", hex);
}

/* The number (1-based) of the nth request to path (NULL: any) seen so far, or 0; with
 * how many there were in *count. */
static size_t find_nth(const char *path, int nth, int *count)
{
	size_t found = 0;
	int k = 0;

	for (size_t i = 0; i < seen.nseen; i++) {
		if (path && strcmp(seen.paths[i], path) != 0)
			continue;
		if (++k == nth)
			found = i + 1;
	}
	*count = k;
	return found;
}

int hook_count(const char *path)
{
	const char *dir = hook_dir();
	int count;

	if (!dir)
		return 0;
	refresh(dir);
	find_nth(path, 0, &count);
	return count;
}

struct json_object *hook_wait(const char *path, int nth, double seconds)
{
	const char *dir = hook_dir();
	double deadline = now_mono() + seconds;
	size_t n;
	int count;

	if (!dir || !EXPECT(nth >= 1, "hook_wait: request %d (from 1)", nth))
		return NULL;
	for (;;) {
		refresh(dir);
		n = find_nth(path, nth, &count);
		if (n > 0)
			return read_req(dir, n);
		if (now_mono() >= deadline)
			break;
		sleep_ms(POLL_MS);
	}
	EXPECT(false, "request %d to %s did not come within %.1f s (%d did, of %zu in all)", nth,
	       path ? path : "(any path)", seconds, count, seen.nseen);
	return NULL;
}

/* Writes rules to DIR/control under another name first: the receiver reads the file at
 * every request and must never see half of it. */
static void write_control(void)
{
	const char *dir = hook_dir();
	char *path, *tmp;
	const char *text;
	FILE *f;
	bool ok;

	if (!dir)
		return;
	path = xasprintf("%s/control", dir);
	tmp = xasprintf("%s/.control.%ld.tmp", dir, (long)getpid());
	text = json_object_to_json_string_ext(rules, JSON_C_TO_STRING_PLAIN);
	f = fopen(tmp, "w");
	ok = f && fputs(text, f) >= 0;
	ok = f && fclose(f) == 0 && ok;
	ok = ok && rename(tmp, path) == 0;
	EXPECT(ok, "could not write %s: %s", path, strerror(errno));
	if (!ok)
		unlink(tmp);
	free(tmp);
	free(path);
}

/* A copy of rule with this program's generation in it; a non-object (null) as it is. */
static struct json_object *stamped(struct json_object *rule)
{
	struct json_object *copy = NULL;

	if (!json_object_is_type(rule, json_type_object))
		return json_object_get(rule);
	json_object_deep_copy(rule, &copy, NULL);
	json_object_object_add(copy, "gen", json_object_new_int64(++rule_gen));
	return copy;
}

/* rules[key] (rules.paths[key] when in_paths) = rule, or removed when rule is no object.
 * Takes rule's reference. */
static void merge(bool in_paths, const char *key, struct json_object *rule)
{
	struct json_object *into = rules, *paths;

	if (!rules)
		into = rules = json_object_new_object();
	if (in_paths) {
		if (!json_object_object_get_ex(rules, "paths", &paths) ||
		    !json_object_is_type(paths, json_type_object)) {
			paths = json_object_new_object();
			json_object_object_add(rules, "paths", paths);
		}
		into = paths;
	}
	if (json_object_is_type(rule, json_type_object))
		json_object_object_add(into, key, rule);
	else {
		json_object_object_del(into, key);
		json_object_put(rule);
	}
}

void hook_rule(const char *path, int status, int delay_ms, int count)
{
	struct json_object *rule = json_object_new_object();

	json_object_object_add(rule, "status", json_object_new_int(status));
	if (delay_ms > 0)
		json_object_object_add(rule, "delay_ms", json_object_new_int(delay_ms));
	if (count > 0)
		json_object_object_add(rule, "count", json_object_new_int(count));
	json_object_object_add(rule, "gen", json_object_new_int64(++rule_gen));
	merge(path != NULL, path ? path : "default", rule);
	write_control();
}

void hook_rule_json(const char *control_json)
{
	struct json_object *c = jparse(control_json, strlen(control_json)), *def, *paths;

	if (!EXPECT(json_object_is_type(c, json_type_object), "hook_rule_json: no JSON object: %s",
		    control_json)) {
		json_object_put(c);
		return;
	}
	if (json_object_object_get_ex(c, "default", &def))
		merge(false, "default", stamped(def));
	if (json_object_object_get_ex(c, "paths", &paths) &&
	    EXPECT(json_object_is_type(paths, json_type_object),
		   "hook_rule_json: \"paths\" is no object: %s", control_json)) {
		json_object_object_foreach(paths, key, rule)
		{
			merge(true, key, stamped(rule));
		}
	}
	json_object_put(c);
	write_control();
}

void hook_reset(void)
{
	const char *dir = hook_dir();

	json_object_put(rules);
	rules = NULL;
	if (dir) {
		char *path = xasprintf("%s/control", dir);
		EXPECT(unlink(path) == 0 || errno == ENOENT, "could not remove %s: %s", path,
		       strerror(errno));
		free(path);
	}
}

struct json_object *hook_check(struct json_object *req, const char *const *secrets, size_t n)
{
	const char *dir = hook_dir();
	const char *args[MAX_SECRETS + 3];
	struct json_object *obj = NULL;
	char hex[9];

	if (!dir || !EXPECT(req != NULL, "hook_check: no request") ||
	    !EXPECT(n >= 1 && n <= MAX_SECRETS, "hook_check: %zu secrets (1 to %d)", n,
		    MAX_SECRETS))
		return NULL;
	random_hex(hex, 4);
	/* Beside the requests, under names the receiver never gives (req-N.json). */
	char *in_path = xasprintf("%s/.check-%s.json", dir, hex);
	char *out_path = xasprintf("%s/.check-%s.out", dir, hex);
	char *script = xasprintf("%s/tests/integration/webhooks/check_signature.py",
				 fx.cfg.repo_root ? fx.cfg.repo_root : ".");
	if (EXPECT(json_object_to_file_ext(in_path, req, JSON_C_TO_STRING_PLAIN) == 0,
		   "could not write %s", in_path)) {
		args[0] = script;
		args[1] = in_path;
		for (size_t i = 0; i < n; i++)
			args[2 + i] = secrets[i];
		args[2 + n] = NULL;
		obj = mail_run_json(args, out_path, "check_signature.py");
	}
	unlink(in_path);
	unlink(out_path);
	free(script);
	free(out_path);
	free(in_path);
	return obj;
}

const char *hook_header(struct json_object *req, const char *name)
{
	struct json_object *headers = jget(req, "headers");
	char lower[256];
	size_t i;

	for (i = 0; name[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	return jstr(headers, lower);
}
