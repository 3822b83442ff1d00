#include "http.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util.h"

static CURL *g_curl;      /* the one handle reused for sequential requests */
static char *g_base;      /* "https://127.0.0.1:PORT", no trailing slash */
static char *g_cainfo;

int http_init(const char *base_url, const char *cainfo)
{
	size_t n;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	g_curl = curl_easy_init();
	if (!g_curl)
		return -1;
	g_base = xstrdup(base_url);
	n = strlen(g_base);
	while (n > 0 && g_base[n - 1] == '/')
		g_base[--n] = '\0';
	g_cainfo = xstrdup(cainfo);
	return 0;
}

void http_cleanup(void)
{
	if (g_curl)
		curl_easy_cleanup(g_curl);
	g_curl = NULL;
	free(g_base);
	free(g_cainfo);
	g_base = g_cainfo = NULL;
	curl_global_cleanup();
}

static void clear_headers(struct resp *r)
{
	for (size_t i = 0; i < r->nhdrs; i++) {
		free(r->hdrs[i].name);
		free(r->hdrs[i].value);
	}
	r->nhdrs = 0;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct resp *r = ud;
	size_t n = size * nmemb;

	r->body = xrealloc(r->body, r->len + n + 1);
	memcpy(r->body + r->len, p, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct resp *r = ud;
	size_t n = size * nmemb;
	const char *colon, *v, *end;

	/* A new status line (after 100 Continue, say) starts a new header set. */
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		clear_headers(r);
		return n;
	}
	colon = memchr(p, ':', n);
	if (!colon)
		return n;
	v = colon + 1;
	end = p + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
			   end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (r->nhdrs == r->hcap) {
		r->hcap = r->hcap ? 2 * r->hcap : 16;
		r->hdrs = xrealloc(r->hdrs, r->hcap * sizeof(*r->hdrs));
	}
	r->hdrs[r->nhdrs].name = xstrndup(p, (size_t)(colon - p));
	r->hdrs[r->nhdrs].value = xstrndup(v, (size_t)(end - v));
	r->nhdrs++;
	return n;
}

static struct resp *resp_new(const char *method, const char *path)
{
	struct resp *r = xcalloc(1, sizeof(*r));

	r->body = xstrdup("");
	snprintf(r->what, sizeof(r->what), "%s %s", method, path);
	return r;
}

/*
 * Sets every option of one transfer on h. Returns the header list the
 * caller frees after the transfer.
 */
static struct curl_slist *setup(CURL *h, struct resp *r, const char *method,
				const char *path, const char *const *headers,
				const char *body, size_t len, unsigned flags)
{
	struct curl_slist *hl = NULL;
	bool has_ct = false;
	char *url = xasprintf("%s%s", g_base, path);

	curl_easy_setopt(h, CURLOPT_URL, url); /* curl copies the string */
	free(url);
	/* The path exactly as the test wrote it: libcurl would squash "/../" itself. */
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(h, CURLOPT_CAINFO, g_cainfo);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->err);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
			 (flags & HTTP_FORCE_H1) ? (long)CURL_HTTP_VERSION_1_1
						 : (long)CURL_HTTP_VERSION_2TLS);

	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	} else if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}

	for (size_t i = 0; headers && headers[i]; i++) {
		if (strncasecmp(headers[i], "Content-Type:", 13) == 0)
			has_ct = true;
		hl = curl_slist_append(hl, headers[i]);
	}
	if (body && !has_ct) /* "Name:" with no value removes curl's default */
		hl = curl_slist_append(hl, "Content-Type:");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	return hl;
}

/*
 * With VS_RESPONSE_LOG set, every response is appended to that file as one JSON line
 * {method, path, status, content_type, body} for tests/openapi/validate-responses.mjs.
 * path is the request path without query string or fragment; transfers that failed
 * (status 0) are not logged. One write() with O_APPEND per line: lines stay whole even
 * when several test programs share the file.
 */
static void log_response(const char *method, const char *path, const struct resp *r)
{
	const char *file = getenv("VS_RESPONSE_LOG");
	const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
	const char *ct;
	struct json_object *o;
	char *line;
	size_t n;
	int fd;

	if (!file || !*file || r->status == 0)
		return;
	ct = resp_header(r, "Content-Type");
	o = json_object_new_object();
	json_object_object_add(o, "method", json_object_new_string(method));
	json_object_object_add(o, "path",
			       json_object_new_string_len(path, (int)strcspn(path, "?#")));
	json_object_object_add(o, "status", json_object_new_int((int)r->status));
	json_object_object_add(o, "content_type", ct ? json_object_new_string(ct) : NULL);
	json_object_object_add(o, "body", json_object_new_string_len(r->body, (int)r->len));
	line = xasprintf("%s\n", json_object_to_json_string_ext(o, flags));
	json_object_put(o);
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	n = strlen(line);
	if (fd < 0 || write(fd, line, n) != (ssize_t)n)
		fprintf(stderr, "http: cannot append to VS_RESPONSE_LOG %s\n", file);
	if (fd >= 0)
		close(fd);
	free(line);
}

static void finish(CURL *h, struct resp *r, CURLcode rc)
{
	if (rc != CURLE_OK) {
		if (r->err[0] == '\0')
			snprintf(r->err, sizeof(r->err), "%s", curl_easy_strerror(rc));
		r->status = 0;
		return;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &r->http_version);
}

struct resp *http_do(const char *method, const char *path,
		     const char *const *headers, const char *body, size_t len,
		     unsigned flags)
{
	struct resp *r = resp_new(method, path);
	struct curl_slist *hl;
	CURLcode rc;

	curl_easy_reset(g_curl); /* keeps live connections and TLS sessions */
	hl = setup(g_curl, r, method, path, headers, body, len, flags);
	rc = curl_easy_perform(g_curl);
	finish(g_curl, r, rc);
	if (!(flags & HTTP_NO_RESPONSE_LOG))
		log_response(method, path, r);
	curl_easy_setopt(g_curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	return r;
}

struct resp *req(const char *method, const char *path, const char *token,
		 const char *tenant_id, const char *json_body)
{
	const char *hdrs[4] = { NULL, NULL, NULL, NULL };
	char *auth = NULL, *tenant = NULL;
	size_t n = 0;
	struct resp *r;

	if (token) {
		auth = xasprintf("Authorization: Bearer %s", token);
		hdrs[n++] = auth;
	}
	if (tenant_id) {
		tenant = xasprintf("X-Tenant-ID: %s", tenant_id);
		hdrs[n++] = tenant;
	}
	if (json_body)
		hdrs[n++] = "Content-Type: application/json";
	r = http_do(method, path, hdrs, json_body,
		    json_body ? strlen(json_body) : 0, 0);
	free(auth);
	free(tenant);
	return r;
}

static size_t burst(const char *source, const char *method, const char *path,
		    const char *const *const *headers, const char *body, size_t n,
		    struct resp **out, const struct http_hold *hold);

/* n times the same headers, from source (NULL: wherever the kernel picks). */
static size_t burst_same(const char *source, const char *method, const char *path,
			 const char *const *headers, const char *body, size_t n,
			 struct resp **out)
{
	const char *const **each = xcalloc(n, sizeof(*each));
	size_t done;

	for (size_t i = 0; i < n; i++)
		each[i] = headers;
	done = burst(source, method, path, each, body, n, out, NULL);
	free(each);
	return done;
}

size_t http_burst(const char *method, const char *path,
		  const char *const *headers, const char *body, size_t n,
		  struct resp **out)
{
	return burst_same(NULL, method, path, headers, body, n, out);
}

size_t http_burst_from(const char *source, const char *method, const char *path,
		       const char *const *headers, const char *body, size_t n,
		       struct resp **out)
{
	return burst_same(source, method, path, headers, body, n, out);
}

size_t http_burst_each(const char *method, const char *path,
		       const char *const *const *headers, const char *body, size_t n,
		       struct resp **out, const struct http_hold *hold)
{
	return burst(NULL, method, path, headers, body, n, out, hold);
}

static size_t burst(const char *source, const char *method, const char *path,
		    const char *const *const *headers, const char *body, size_t n,
		    struct resp **out, const struct http_hold *hold)
{
	char *iface = source ? xasprintf("host!%s", source) : NULL;
	CURLM *m = curl_multi_init();
	CURL **hs = xcalloc(n, sizeof(*hs));
	struct curl_slist **hls = xcalloc(n, sizeof(*hls));
	size_t done = 0;
	int running = 0, left;
	CURLMsg *msg;
	double release_at = hold ? now_mono() + hold->ms / 1000.0 : 0;
	bool held = hold != NULL;

	for (size_t i = 0; i < n; i++) {
		out[i] = resp_new(method, path);
		hs[i] = curl_easy_init();
		hls[i] = setup(hs[i], out[i], method, path, headers[i], body,
			       body ? strlen(body) : 0, 0);
		/* wait for the first connection and multiplex over h2 */
		curl_easy_setopt(hs[i], CURLOPT_PIPEWAIT, 1L);
		if (iface) /* "host!": bind the source to that address, not to a device */
			curl_easy_setopt(hs[i], CURLOPT_INTERFACE, iface);
		curl_easy_setopt(hs[i], CURLOPT_PRIVATE, out[i]);
		curl_multi_add_handle(m, hs[i]);
	}
	do {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		int wait_ms = 1000;
		if (held) {
			double left_s = release_at - now_mono();
			if (left_s <= 0) {
				hold->release(hold->ctx);
				held = false;
			} else {
				wait_ms = (int)(left_s * 1000) + 1;
			}
		}
		if (running)
			curl_multi_poll(m, NULL, 0, wait_ms, NULL);
	} while (running);
	if (held) /* all answered before the hold ended */
		hold->release(hold->ctx);
	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
		char *priv = NULL;
		struct resp *r;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		r = (struct resp *)priv;
		finish(msg->easy_handle, r, msg->data.result);
		log_response(method, path, r);
		if (r->status != 0)
			done++;
	}
	for (size_t i = 0; i < n; i++) {
		curl_multi_remove_handle(m, hs[i]);
		curl_easy_cleanup(hs[i]);
		curl_slist_free_all(hls[i]);
	}
	curl_multi_cleanup(m);
	free(hs);
	free(hls);
	free(iface);
	return done;
}

const char *resp_header(const struct resp *r, const char *name)
{
	for (size_t i = 0; r && i < r->nhdrs; i++)
		if (strcasecmp(r->hdrs[i].name, name) == 0)
			return r->hdrs[i].value;
	return NULL;
}

struct json_object *resp_json(struct resp *r)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t end;

	if (!r || r->json_tried)
		return r ? r->json : NULL;
	r->json_tried = true;
	if (r->len == 0)
		return NULL;
	tok = json_tokener_new();
	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, r->body, (int)r->len);
	if (o && json_tokener_get_error(tok) == json_tokener_success) {
		end = json_tokener_get_parse_end(tok);
		while (end < r->len && strchr(" \t\r\n", r->body[end]))
			end++;
		if (end == r->len)
			r->json = o;
		else
			json_object_put(o);
	} else if (o) {
		json_object_put(o);
	}
	json_tokener_free(tok);
	return r->json;
}

void resp_free(struct resp *r)
{
	if (!r)
		return;
	clear_headers(r);
	free(r->hdrs);
	free(r->body);
	if (r->json)
		json_object_put(r->json);
	free(r);
}
