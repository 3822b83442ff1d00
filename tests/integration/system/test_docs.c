/*
 * The API documentation nginx serves: Swagger UI at /docs and ReDoc at /redoc, static
 * files from nginx/docs and node_modules (swagger-ui-dist, redoc), both loading
 * /api/v1/openapi.json. The pages' headers and methods are checked over HTTPS; that they
 * render every operation of the served document is checked in headless Chromium
 * (Debian's "chromium"), from the DOM it dumps.
 *
 * Chromium runs in its own process group with a throwaway profile under the test run's
 * temporary directory and a minimal environment; the whole group is killed at the end,
 * whether it finished or timed out.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "suites.h"
#include "util.h"

#define CHROMIUM_TIMEOUT_S 90.0 /* wall clock; the page budget is virtual time */
#define MAX_REPORTED 15

static const char *const STRICT_CSP =
	"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

static struct resp *get_page(const char *method, const char *path)
{
	return http_do(method, path, NULL, NULL, 0, HTTP_NO_RESPONSE_LOG);
}

/* The headers every response has, and a CSP that lets the page run and nothing more. */
static void expect_doc_page(const char *path, const char *script, const char *extra_csp)
{
	struct resp *r = get_page("GET", path);
	const char *ct = resp_header(r, "Content-Type");
	const char *csp = resp_header(r, "Content-Security-Policy");
	const char *xfo = resp_header(r, "X-Frame-Options");

	chk_context("GET %s", path);
	if (EXPECT_STATUS(r, 200)) {
		EXPECT(ct && strncasecmp(ct, "text/html", 9) == 0, "Content-Type %s", ct ? ct : "(none)");
		EXPECT(strstr(r->body, script) != NULL, "the page should load %s: %s", script,
		       resp_summary(r));
	}
	EXPECT(csp != NULL, "no Content-Security-Policy");
	if (csp) {
		EXPECT(strstr(csp, "script-src 'self'") && !strstr(csp, "unsafe-eval") &&
			       !strstr(csp, "script-src 'self' 'unsafe-inline'"),
		       "scripts from this origin only, no eval, no inline script: %s", csp);
		EXPECT(strstr(csp, "default-src 'none'") && strstr(csp, "connect-src 'self'") &&
			       strstr(csp, "frame-ancestors 'none'") && !strstr(csp, "http"),
		       "nothing from elsewhere, never framed: %s", csp);
		EXPECT(!extra_csp || strstr(csp, extra_csp), "CSP should allow %s: %s", extra_csp, csp);
	}
	EXPECT(xfo && strcmp(xfo, "DENY") == 0, "X-Frame-Options %s", xfo ? xfo : "(none)");
	EXPECT(resp_header(r, "Strict-Transport-Security") != NULL, "no Strict-Transport-Security");
	EXPECT(resp_header(r, "X-Content-Type-Options") != NULL, "no X-Content-Type-Options");
	chk_context(NULL);
	resp_free(r);
}

/* A file the pages load; with want_text, one that names the served document. */
static void expect_asset(const char *path, const char *type, const char *want_text)
{
	struct resp *r = get_page("GET", path);
	const char *ct = resp_header(r, "Content-Type");

	chk_context("GET %s (is node_modules installed? scripts/install-deps)", path);
	if (EXPECT_STATUS(r, 200)) {
		EXPECT(ct && strncasecmp(ct, type, strlen(type)) == 0,
		       "Content-Type %s, want %s", ct ? ct : "(none)", type);
		EXPECT(r->len > 500, "only %zu bytes", r->len);
		EXPECT(!want_text || strstr(r->body, want_text), "%s does not name %s", path,
		       want_text);
	}
	chk_context(NULL);
	resp_free(r);
}

static void test_pages_are_static_and_read_only(void)
{
	static const char *const not_served[] = {
		"/docs/index.html",               /* the package's own page (Petstore) */
		"/docs/package.json", "/docs/swagger-ui-bundle.js.map", "/docs/LICENSE",
		"/redoc/redoc.lib.js", "/docs/swagger.html", "/redoc/redoc.html",
	};
	struct resp *r;

	expect_doc_page("/docs", "/docs/swagger-initializer.js", NULL);
	expect_doc_page("/redoc", "/api/v1/openapi.json", "worker-src blob:");
	expect_asset("/docs/swagger-initializer.js", "application/javascript",
		     "'/api/v1/openapi.json'");
	expect_asset("/docs/swagger-ui-bundle.js", "application/javascript", NULL);
	expect_asset("/docs/swagger-ui.css", "text/css", NULL);
	expect_asset("/redoc/redoc.standalone.js", "application/javascript", NULL);

	r = get_page("HEAD", "/docs");
	EXPECT_STATUS(r, 200);
	EXPECT(r->len == 0, "HEAD /docs sent a body");
	resp_free(r);

	for (size_t i = 0; i < sizeof(not_served) / sizeof(not_served[0]); i++) {
		r = get_page("GET", not_served[i]);
		EXPECT_PROBLEM(r, 404, "not-found", NULL);
		resp_free(r);
	}
	r = http_do("POST", "/docs", NULL, "{}", 2, HTTP_NO_RESPONSE_LOG);
	EXPECT(r->status == 405, "POST /docs: %s", resp_summary(r));
	resp_free(r);
	r = get_page("DELETE", "/redoc/redoc.standalone.js");
	EXPECT(r->status == 405, "DELETE /redoc/redoc.standalone.js: %s", resp_summary(r));
	resp_free(r);

	/* Everything else keeps the API's policy. */
	r = req("GET", "/api/v1/health", NULL, NULL, NULL);
	EXPECT(resp_header(r, "Content-Security-Policy") &&
		       strcmp(resp_header(r, "Content-Security-Policy"), STRICT_CSP) == 0,
	       "GET /api/v1/health: CSP %s", resp_header(r, "Content-Security-Policy"));
	resp_free(r);
}

/* ------------------------------------------------------------ the served document */

struct ops {
	char **v; /* "GET /api/v1/users/me" */
	size_t n;
	struct json_object *doc;
};

static void ops_free(struct ops *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->v[i]);
	free(o->v);
	if (o->doc)
		json_object_put(o->doc);
	memset(o, 0, sizeof(*o));
}

/* Every operation of GET /api/v1/openapi.json as "METHOD path". false when unusable. */
static bool load_operations(struct ops *out)
{
	static const char *const methods[] = { "get", "put", "post", "delete",
					       "options", "head", "patch", "trace" };
	struct resp *r = req("GET", "/api/v1/openapi.json", NULL, NULL, NULL);
	struct json_object *doc = EXPECT_JSON(r, 200), *paths = NULL;

	memset(out, 0, sizeof(*out));
	if (!doc || !json_object_object_get_ex(doc, "paths", &paths) ||
	    !json_object_is_type(paths, json_type_object)) {
		EXPECT(false, "the served document has no paths: %s", resp_summary(r));
		resp_free(r);
		return false;
	}
	out->doc = json_object_get(doc);
	json_object_object_foreach(paths, path, item)
	{
		for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
			struct json_object *op;
			char *s, *p;

			if (!json_object_object_get_ex(item, methods[m], &op))
				continue;
			s = xasprintf("%s %s", methods[m], path);
			for (p = s; *p != ' '; p++)
				*p = (char)(*p - 'a' + 'A');
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			out->v[out->n++] = s;
		}
	}
	resp_free(r);
	EXPECT(out->n > 0, "the served document has no operations");
	return out->n > 0;
}

/* "Try it out" can reach this stack: same origin, and both credentials are declared. */
static void test_document_lets_try_it_out_reach_the_stack(void)
{
	struct ops ops;
	struct json_object *servers, *comp, *schemes, *s;
	bool bearer = false, key = false;

	if (!load_operations(&ops))
		return;
	if (json_object_object_get_ex(ops.doc, "servers", &servers)) {
		for (size_t i = 0; i < json_object_array_length(servers); i++) {
			struct json_object *u;
			const char *url = "";

			if (json_object_object_get_ex(json_object_array_get_idx(servers, i), "url", &u))
				url = json_object_get_string(u);
			EXPECT(url[0] == '/' && url[1] != '/',
			       "servers[%zu].url %s: a path on this origin, so Try it out calls the stack that serves the page",
			       i, url);
		}
	}
	if (json_object_object_get_ex(ops.doc, "components", &comp) &&
	    json_object_object_get_ex(comp, "securitySchemes", &schemes)) {
		json_object_object_foreach(schemes, name, scheme)
		{
			const char *type = NULL, *v = NULL;

			(void)name;
			if (json_object_object_get_ex(scheme, "type", &s))
				type = json_object_get_string(s);
			if (type && strcmp(type, "http") == 0 &&
			    json_object_object_get_ex(scheme, "scheme", &s) &&
			    (v = json_object_get_string(s)) && strcasecmp(v, "bearer") == 0)
				bearer = true;
			if (type && strcmp(type, "apiKey") == 0 &&
			    json_object_object_get_ex(scheme, "in", &s) &&
			    strcmp(json_object_get_string(s), "header") == 0 &&
			    json_object_object_get_ex(scheme, "name", &s) &&
			    strcasecmp(json_object_get_string(s), "X-API-Key") == 0)
				key = true;
		}
	}
	EXPECT(bearer, "components.securitySchemes has no http bearer scheme");
	EXPECT(key, "components.securitySchemes has no apiKey scheme in header X-API-Key");
	ops_free(&ops);
}

/* ------------------------------------------------------------ chromium */

/* Has the process group pgid no member left? */
static bool group_gone(pid_t pgid)
{
	return kill(-pgid, 0) != 0 && errno == ESRCH;
}

/*
 * Loads url in headless Chromium and returns the DOM it dumps (malloc'd), or NULL
 * with *why set (static text or malloc'd into why_buf).
 */
static char *chromium_dom(const char *url, char *why, size_t why_len, double *secs)
{
	const char *bin = getenv("VS_CHROMIUM") ? getenv("VS_CHROMIUM") : "chromium";
	char *base = xstrdup(fx.cfg.state_dir), *slash, *dir, *profile, *dom_path, *err_path;
	char *home, *tmpdir, *profile_arg, *dom = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	pid_t pid = -1;
	int st = 0, rc;
	double t0 = now_mono();
	bool exited = false;

	/* Next to the state dir: tests/integration/run removes the whole of it. */
	slash = strrchr(base, '/');
	if (slash && slash != base)
		*slash = '\0';
	dir = xasprintf("%s/chromium.XXXXXX", base);
	free(base);
	if (!mkdtemp(dir)) {
		snprintf(why, why_len, "mkdtemp %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	profile = xasprintf("%s/profile", dir);
	dom_path = xasprintf("%s/dom.html", dir);
	err_path = xasprintf("%s/stderr.log", dir);
	home = xasprintf("HOME=%s", dir);
	tmpdir = xasprintf("TMPDIR=%s", dir); /* its singleton socket dir, too */
	profile_arg = xasprintf("--user-data-dir=%s", profile);

	char *argv[] = { (char *)bin, "--headless", "--no-sandbox", "--disable-gpu",
			 "--disable-dev-shm-usage", "--disable-background-networking",
			 "--ignore-certificate-errors", "--no-first-run",
			 "--disable-extensions", "--virtual-time-budget=15000", profile_arg,
			 "--dump-dom", (char *)url, NULL };
	/* Nothing of the test's environment (VS_STATE_DIR, credentials) goes along. */
	char *envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", home, tmpdir, "LANG=C.UTF-8", NULL };

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, dom_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0); /* its own group: pgid = pid */
	fflush(stdout);
	fflush(stderr);
	rc = posix_spawnp(&pid, bin, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		snprintf(why, why_len, "cannot run %s: %s (scripts/install-deps installs chromium)",
			 bin, strerror(rc));
		pid = -1;
		goto out;
	}

	while (now_mono() - t0 < CHROMIUM_TIMEOUT_S) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid) {
			exited = true;
			break;
		}
		if (w < 0 && errno != EINTR)
			break;
		sleep_ms(50);
	}
	*secs = now_mono() - t0;
	if (!exited) {
		snprintf(why, why_len, "%s did not finish within %.0f s", bin, CHROMIUM_TIMEOUT_S);
		goto out;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char *err = read_file(err_path, NULL);
		const char *tail = err ? err + (strlen(err) > 600 ? strlen(err) - 600 : 0) : "";

		snprintf(why, why_len, "%s exited with status %d: …%s", bin,
			 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), tail);
		free(err);
		goto out;
	}
	dom = read_file(dom_path, NULL);
	if (!dom)
		snprintf(why, why_len, "no DOM from %s", bin);

out:
	/* The whole group, by its id: the browser and every helper process it started. */
	if (pid > 0) {
		kill(-pid, SIGKILL);
		if (!exited)
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
		for (int i = 0; i < 100 && !group_gone(pid); i++)
			sleep_ms(50);
		if (!group_gone(pid)) {
			EXPECT(false, "chromium's process group %ld survived SIGKILL", (long)pid);
		}
	}
	fx_remove_tree(dir);
	free(dir);
	free(profile);
	free(dom_path);
	free(err_path);
	free(home);
	free(tmpdir);
	free(profile_arg);
	return dom;
}

/* The text between the first '>' after p and the next '<' (HTML entities &amp; and
 * &quot; decoded), or NULL. */
static char *text_after(const char *p, const char **end)
{
	const char *gt = strchr(p, '>'), *lt;
	char *out, *o;

	if (!gt || !(lt = strchr(gt + 1, '<')))
		return NULL;
	out = o = xstrndup(gt + 1, (size_t)(lt - gt - 1));
	for (const char *s = out; *s;) {
		if (strncmp(s, "&amp;", 5) == 0) {
			*o++ = '&';
			s += 5;
		} else if (strncmp(s, "&quot;", 6) == 0) {
			*o++ = '"';
			s += 6;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	*end = lt;
	return out;
}

struct rendered {
	char **v;
	size_t n;
};

static void rendered_add(struct rendered *r, const char *method, const char *path)
{
	char *s = xasprintf("%s %s", method, path);

	for (char *p = s; *p != ' '; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->v[r->n++] = s;
}

static void rendered_free(struct rendered *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
}

/*
 * Swagger UI: each operation is a block with
 *   <span class="opblock-summary-method">GET</span> … <span class="opblock-summary-path" data-path="/api/v1/users/me">
 */
static void parse_swagger(const char *dom, struct rendered *out)
{
	const char *p = dom, *end;

	while ((p = strstr(p, "class=\"opblock-summary-method\"")) != NULL) {
		char *method = text_after(p, &end), *path;
		const char *dp = strstr(end, "data-path=\""), *q;

		if (!method || !dp)
			break;
		dp += strlen("data-path=\"");
		q = strchr(dp, '"');
		if (!q)
			break;
		path = xstrndup(dp, (size_t)(q - dp));
		rendered_add(out, method, path);
		free(method);
		free(path);
		p = q;
	}
}

/*
 * ReDoc: each operation's heading has the endpoint as
 *   <span type="get" class="… http-verb get">get</span><span class="…">/api/v1/users/me</span>
 */
static void parse_redoc(const char *dom, struct rendered *out)
{
	const char *p = dom, *end;

	while ((p = strstr(p, " http-verb ")) != NULL) {
		char *method = text_after(p, &end), *path;

		if (!method)
			break;
		/* </span><span class="…">PATH</span> */
		if (strncmp(end, "</span><span", 12) != 0 || !(path = text_after(end + 12, &end))) {
			free(method);
			p = end;
			continue;
		}
		rendered_add(out, method, path);
		free(method);
		free(path);
		p = end;
	}
}

static bool rendered_has(const struct rendered *r, const char *op)
{
	const char *sp = strchr(op, ' ');
	size_t mlen = (size_t)(sp - op), plen = strlen(sp + 1);

	for (size_t i = 0; i < r->n; i++) {
		const char *v = r->v[i], *vsp = strchr(v, ' ');
		size_t vplen = strlen(vsp + 1);

		/* The path as written in the document, or after a server base path. */
		if ((size_t)(vsp - v) == mlen && strncmp(v, op, mlen) == 0 && vplen >= plen &&
		    strcmp(vsp + 1 + vplen - plen, sp + 1) == 0)
			return true;
	}
	return false;
}

static void expect_renders_every_operation(const char *page,
					   void (*parse)(const char *, struct rendered *),
					   const char *const *broken_markers)
{
	struct ops ops;
	struct rendered seen = { 0 };
	char why[900] = "", *url, *dom;
	double secs = 0;
	size_t missing = 0;

	if (!load_operations(&ops))
		return;
	url = xasprintf("%s%s", fx.cfg.url, page);
	dom = chromium_dom(url, why, sizeof(why), &secs);
	printf("(chromium %s: %.1f s) ", page, secs);
	fflush(stdout);
	if (!EXPECT(dom != NULL, "%s: %s", url, why))
		goto out;
	for (const char *const *m = broken_markers; *m; m++)
		EXPECT(strstr(dom, *m) == NULL, "%s shows an error (\"%s\" in the DOM)", page, *m);
	parse(dom, &seen);
	for (size_t i = 0; i < ops.n; i++) {
		if (rendered_has(&seen, ops.v[i]))
			continue;
		if (++missing <= MAX_REPORTED)
			EXPECT(false, "%s does not render the operation %s", page, ops.v[i]);
	}
	EXPECT(missing <= MAX_REPORTED, "%s: %zu operations missing in all (of %zu; %zu rendered)",
	       page, missing, ops.n, seen.n);
	EXPECT(seen.n >= ops.n, "%s rendered %zu operations, the document has %zu", page, seen.n,
	       ops.n);
out:
	free(dom);
	free(url);
	rendered_free(&seen);
	ops_free(&ops);
}

static void test_swagger_ui_renders_every_operation(void)
{
	/* The load-error box, and the "Failed to load API definition" message. */
	static const char *const broken[] = { "class=\"errors-wrapper\"",
					      "Failed to load API definition", NULL };

	expect_renders_every_operation("/docs", parse_swagger, broken);
}

static void test_redoc_renders_every_operation(void)
{
	static const char *const broken[] = { "Something went wrong", NULL };

	expect_renders_every_operation("/redoc", parse_redoc, broken);
}

static int add_docs_suite(void)
{
	static const struct it_test tests[] = {
		{ "/docs and /redoc: static pages with their own CSP and the usual headers, GET/HEAD only, nothing else of the packages", test_pages_are_static_and_read_only },
		{ "the served document lets Try it out reach this stack (same origin, bearer and X-API-Key)", test_document_lets_try_it_out_reach_the_stack },
		{ "Swagger UI (/docs) renders every operation of the document in headless Chromium", test_swagger_ui_renders_every_operation },
		{ "ReDoc (/redoc) renders every operation of the document in headless Chromium", test_redoc_renders_every_operation },
		{ NULL, NULL },
	};

	return it_add_suite("docs", NULL, NULL, tests);
}

IT_REGISTER(add_docs_suite)
