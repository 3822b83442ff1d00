/* nginx/examples/protected-site.conf: another site whose /app/ is protected by
 * VirtualStack's auth_request check, run by scripts/example-site next to the test stack. */
#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "procs.h"
#include "suites.h"
#include "util.h"

#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static int site_port;

/* A free port on 127.0.0.1, as the kernel hands one out. */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int port = -1;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

struct site_resp {
	long status;
	char user_id[64];
	char check_cache[16]; /* X-VS-Check-Cache: the micro-cache's HIT, MISS, ... */
	char body[256];
	size_t len;
};

/* Copies the value of header `name` ("Name:") from a header line into out. */
static void take_header(const char *buf, size_t len, const char *name, char *out, size_t size)
{
	size_t v = strlen(name);
	if (len <= v || strncasecmp(buf, name, v) != 0)
		return;
	while (v < len && buf[v] == ' ')
		v++;
	snprintf(out, size, "%.*s", (int)(len - v), buf + v);
	out[strcspn(out, "\r\n")] = '\0';
}

static size_t on_header(char *buf, size_t size, size_t n, void *arg)
{
	struct site_resp *r = arg;
	size_t len = size * n;
	take_header(buf, len, "X-VS-User-Id:", r->user_id, sizeof(r->user_id));
	take_header(buf, len, "X-VS-Check-Cache:", r->check_cache, sizeof(r->check_cache));
	return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *arg)
{
	struct site_resp *r = arg;
	size_t len = size * n, room = sizeof(r->body) - 1 - r->len;
	memcpy(r->body + r->len, buf, len < room ? len : room);
	r->len += len < room ? len : room;
	return len;
}

/* GET /app/ of the example site with the given extra header lines. */
static struct site_resp site_get(const char *h1, const char *h2)
{
	struct site_resp r = { 0 };
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/app/", site_port);
	if (h1)
		hl = curl_slist_append(hl, h1);
	if (h2)
		hl = curl_slist_append(hl, h2);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return r;
}

static int suite_init(void)
{
	char port[16];
	site_port = free_port();
	snprintf(port, sizeof(port), "%d", site_port);
	setenv("EXAMPLE_PORT", port, 1);
	setenv("EXAMPLE_CACHE_SECONDS", "0", 1);
	return site_port > 0 && run_script("example-site", "up") == 0 ? 0 : -1;
}

static int suite_clean(void)
{
	return run_script("example-site", "down") == 0 ? 0 : -1;
}

/* A GLOBAL key of the admin; its id into *key_id. */
static char *admin_key(char **key_id)
{
	char *name = fx_unique("site"), *key = NULL;
	char *body = xasprintf("{\"name\":\"%s\",\"scope\":\"GLOBAL\"}", name);
	struct resp *r = req("POST", "/api/v1/api-keys", fx.admin.access, NULL, body);
	struct json_object *o = r->status == 201 ? resp_json(r) : NULL;
	if (o && jstr(o, "key") && jstr(o, "id")) {
		key = xstrdup(jstr(o, "key"));
		*key_id = xstrdup(jstr(o, "id"));
		fx_remember_secret(key);
	}
	EXPECT(key != NULL, "could not create a key: %s", resp_summary(r));
	resp_free(r);
	free(body);
	free(name);
	return key;
}

static void test_valid_key_reaches_the_site_with_identity(void)
{
	char *key_id = NULL, *key = admin_key(&key_id);
	if (!key)
		return;
	char *h = xasprintf("X-API-Key: %s", key);
	struct site_resp r = site_get(h, "X-VS-User-Id: spoofed");
	EXPECT(r.status == 200, "protected site with a valid key: %ld", r.status);
	EXPECT(strstr(r.body, "protected content") != NULL, "body: %s", r.body);
	EXPECT(strcmp(r.user_id, fx.admin.id) == 0,
	       "X-VS-User-Id is %s, not the key owner %s (a client header must not pass)",
	       r.user_id, fx.admin.id);
	r = site_get(NULL, NULL);
	EXPECT(r.status == 401, "no credential: %ld", r.status);
	r = site_get("X-API-Key: vsak_notakey", NULL);
	EXPECT(r.status == 401, "malformed key: %ld", r.status);
	free(h);
	free(key);
	free(key_id);
}

static void test_revoked_key_is_refused_at_the_next_request(void)
{
	char *key_id = NULL, *key = admin_key(&key_id);
	if (!key)
		return;
	char *h = xasprintf("X-API-Key: %s", key);
	struct site_resp r = site_get(h, NULL);
	EXPECT(r.status == 200, "before revocation: %ld", r.status);
	char *path = xasprintf("/api/v1/api-keys/%s", key_id);
	struct resp *p = req("PATCH", path, fx.admin.access, NULL, "{\"is_active\":false}");
	EXPECT_STATUS(p, 200);
	resp_free(p);
	/* The example site runs with the micro-cache off: the very next request is refused. */
	r = site_get(h, NULL);
	EXPECT(r.status == 401, "first request after revocation: %ld", r.status);
	free(path);
	free(h);
	free(key);
	free(key_id);
}

/* Restarts the example site with the micro-cache set to seconds (0: off). */
static bool restart_site(const char *seconds)
{
	setenv("EXAMPLE_CACHE_SECONDS", seconds, 1);
	return run_script("example-site", "down") == 0 && run_script("example-site", "up") == 0;
}

/* Opt-in micro-cache: a check result is reused for its few seconds (so a revoked key
 * keeps working that long on this site, as documented), then asked again. nginx keeps
 * validity in whole seconds: "2 s" lasts until the second boundary after 2 s. */
static void test_micro_cache_reuses_a_result_for_its_seconds_only(void)
{
	char *key_id = NULL, *key = admin_key(&key_id);
	if (!key || !restart_site("2")) {
		EXPECT(0, "could not restart the example site with a 2 s micro-cache");
		goto out;
	}
	char *h = xasprintf("X-API-Key: %s", key);
	struct site_resp r = site_get(h, NULL);
	EXPECT(r.status == 200, "first request: %ld", r.status);
	r = site_get(h, NULL);
	EXPECT(r.status == 200 && strcmp(r.check_cache, "HIT") == 0,
	       "second request within 2 s: %ld, check %s (the result was not cached)", r.status,
	       r.check_cache);
	char *path = xasprintf("/api/v1/api-keys/%s", key_id);
	struct resp *p = req("PATCH", path, fx.admin.access, NULL, "{\"is_active\":false}");
	EXPECT_STATUS(p, 200);
	resp_free(p);
	r = site_get(h, NULL);
	EXPECT(r.status == 200 && strcmp(r.check_cache, "HIT") == 0,
	       "just after revocation the cached result still stands: %ld, check %s", r.status,
	       r.check_cache);
	usleep(3200 * 1000);
	r = site_get(h, NULL);
	EXPECT(r.status == 401, "3.2 s after revocation with a 2 s micro-cache: %ld, check %s",
	       r.status, r.check_cache);
	r = site_get("X-API-Key: vsak_notakey", NULL);
	EXPECT(r.status == 401, "malformed key with the micro-cache on: %ld", r.status);
	free(path);
	free(h);
out:
	EXPECT(restart_site("0"), "could not restart the example site without micro-cache");
	free(key);
	free(key_id);
}

static int add_example_site_suite(void)
{
	static const struct it_test tests[] = {
		{ "a valid key reaches the protected site with the owner's identity",
		  test_valid_key_reaches_the_site_with_identity },
		{ "a revoked key is refused by the protected site at the next request",
		  test_revoked_key_is_refused_at_the_next_request },
		{ "the micro-cache reuses a check result for its seconds only",
		  test_micro_cache_reuses_a_result_for_its_seconds_only },
		{ NULL, NULL },
	};
	return it_add_suite("example site (auth_request)", suite_init, suite_clean, tests);
}

IT_REGISTER(add_example_site_suite)
