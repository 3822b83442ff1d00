/* nginx/examples/protected-site.conf: another site whose /app/ is protected by
 * VirtualStack's auth_request check, run by scripts/example-site next to the test stack. */
#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_util.h"
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
	char body[256];
	size_t len;
};

static size_t on_header(char *buf, size_t size, size_t n, void *arg)
{
	struct site_resp *r = arg;
	size_t len = size * n;
	const char name[] = "X-VS-User-Id:";
	if (len > sizeof(name) && strncasecmp(buf, name, sizeof(name) - 1) == 0) {
		size_t v = sizeof(name) - 1;
		while (v < len && buf[v] == ' ')
			v++;
		snprintf(r->user_id, sizeof(r->user_id), "%.*s", (int)(len - v), buf + v);
		r->user_id[strcspn(r->user_id, "\r\n")] = '\0';
	}
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

int add_example_site_suite(void)
{
	static const struct it_test tests[] = {
		{ "a valid key reaches the protected site with the owner's identity",
		  test_valid_key_reaches_the_site_with_identity },
		{ "a revoked key is refused by the protected site at the next request",
		  test_revoked_key_is_refused_at_the_next_request },
		{ NULL, NULL },
	};
	return it_add_suite("example site (auth_request)", suite_init, suite_clean, tests);
}
