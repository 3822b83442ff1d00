#include "fixtures.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "http.h"
#include "json_get.h"
#include "procs.h"
#include "util.h"

struct it_fixture fx;

static const char *need_env(const char *name, bool *ok)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		fprintf(stderr, "integration_tests: %s is not set (run through "
				"tests/integration/run)\n", name);
		*ok = false;
	}
	return v;
}

/* Token fields of a 200 login/refresh response, without asserting. */
static bool parse_tokens(struct resp *r, char **access, char **refresh)
{
	struct json_object *o = r && r->status == 200 ? resp_json(r) : NULL;
	const char *a = jstr(o, "access_token"), *rf = jstr(o, "refresh_token");

	*access = *refresh = NULL;
	if (!a || !*a || !rf || !*rf)
		return false;
	*access = xstrdup(a);
	*refresh = xstrdup(rf);
	fx_remember_secret(a);
	fx_remember_secret(rf);
	return true;
}

int fx_setup(void)
{
	bool ok = true;
	const char *w;
	char *cainfo;
	struct resp *r;

	fx.cfg.url = need_env("VS_URL", &ok);
	fx.cfg.state_dir = need_env("VS_STATE_DIR", &ok);
	fx.cfg.admin_email = need_env("VS_ADMIN_EMAIL", &ok);
	fx.cfg.admin_password = need_env("VS_ADMIN_PASSWORD", &ok);
	fx.cfg.jwt_secret_file = need_env("VS_JWT_SECRET_FILE", &ok);
	if (!ok)
		return -1;
	fx.cfg.repo_root = getenv("VS_REPO_ROOT") ? getenv("VS_REPO_ROOT") : ".";
	w = getenv("VS_WORKERS");
	fx.cfg.workers = w ? atol(w) : 0;
	w = getenv("VS_CHECK_WORKERS");
	fx.cfg.check_workers = w ? atol(w) : 0;
	random_hex(fx.suffix, 4);

	cainfo = xasprintf("%s/tls/cert.pem", fx.cfg.state_dir);
	if (http_init(fx.cfg.url, cainfo) != 0) {
		fprintf(stderr, "integration_tests: could not initialise libcurl\n");
		free(cainfo);
		return -1;
	}
	free(cainfo);

	fx.admin.email = xstrdup(fx.cfg.admin_email);
	fx.admin.password = xstrdup(fx.cfg.admin_password);
	fx_remember_secret(fx.admin.password);
	r = fx_login_json(fx.admin.email, fx.admin.password);
	if (!parse_tokens(r, &fx.admin.access, &fx.admin.refresh)) {
		fprintf(stderr, "integration_tests: the admin cannot log in: %s\n",
			resp_summary(r));
		resp_free(r);
		return -1;
	}
	resp_free(r);
	fx.admin_login_at = now_mono();
	r = req("GET", "/api/v1/users/me", fx.admin.access, NULL, NULL);
	if (r->status != 200 || !is_uuid(jstr(resp_json(r), "id"))) {
		fprintf(stderr, "integration_tests: GET /users/me as the admin "
				"failed: %s\n", resp_summary(r));
		resp_free(r);
		return -1;
	}
	fx.admin.id = xstrdup(jstr(resp_json(r), "id"));
	resp_free(r);
	fx_rebase_workers();
	return 0;
}

void fx_rebase_workers(void)
{
	free(fx.workers_baseline);
	free(fx.check_workers_baseline);
	fx.nworkers_baseline = worker_pids(&fx.workers_baseline);
	fx.ncheck_workers_baseline = check_worker_pids(&fx.check_workers_baseline);
}

void fx_keep_admin_fresh(void)
{
	struct resp *r;
	char *a, *rf;

	if (now_mono() - fx.admin_login_at < 600)
		return;
	r = fx_login_json(fx.admin.email, fx.admin.password);
	if (parse_tokens(r, &a, &rf)) {
		free(fx.admin.access);
		free(fx.admin.refresh);
		fx.admin.access = a;
		fx.admin.refresh = rf;
		fx.admin_login_at = now_mono();
	} else {
		fprintf(stderr, "integration_tests: the admin could not log in "
				"again: %s\n", resp_summary(r));
	}
	resp_free(r);
}

void fx_user_release(struct it_user *u)
{
	free(u->id);
	free(u->email);
	free(u->password);
	free(u->access);
	free(u->refresh);
	memset(u, 0, sizeof(*u));
}

void fx_teardown(void)
{
	fx_user_release(&fx.admin);
	free(fx.workers_baseline);
	fx.workers_baseline = NULL;
	free(fx.check_workers_baseline);
	fx.check_workers_baseline = NULL;
	for (size_t i = 0; i < fx.nsecrets; i++)
		free(fx.secrets[i]);
	free(fx.secrets);
	fx.secrets = NULL;
	fx.nsecrets = fx.secrets_cap = 0;
	http_cleanup();
}

char *fx_unique(const char *tag)
{
	return xasprintf("%s-%s-%u", tag, fx.suffix, ++fx.counter);
}

char *fx_email(const char *tag)
{
	return xasprintf("%s-%s-%u@example.com", tag, fx.suffix, ++fx.counter);
}

void fx_remember_secret(const char *s)
{
	if (!s || strlen(s) < 8)
		return;
	for (size_t i = 0; i < fx.nsecrets; i++)
		if (strcmp(fx.secrets[i], s) == 0)
			return;
	if (fx.nsecrets == fx.secrets_cap) {
		fx.secrets_cap = fx.secrets_cap ? 2 * fx.secrets_cap : 32;
		fx.secrets = xrealloc(fx.secrets, fx.secrets_cap * sizeof(char *));
	}
	fx.secrets[fx.nsecrets++] = xstrdup(s);
}

char *form_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(3 * strlen(s) + 1), *o = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c)) {
			*o++ = (char)c;
		} else if (c == ' ') {
			*o++ = '+';
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

struct resp *fx_post_login(const char *path, const char *content_type, const char *body)
{
	char *ct = xasprintf("Content-Type: %s",
			     content_type ? content_type : "application/json");
	const char *hdrs[] = { ct, NULL };
	struct resp *r = NULL;

	for (int attempt = 0; attempt < 8; attempt++) {
		const char *ra;
		long wait;

		resp_free(r);
		r = http_do("POST", path, hdrs, body, strlen(body), 0);
		if (r->status != 429)
			break;
		ra = resp_header(r, "Retry-After");
		wait = ra ? atol(ra) : 1;
		if (wait < 1)
			wait = 1;
		if (wait > 3)
			wait = 3;
		sleep_ms(wait * 1000);
	}
	free(ct);
	return r;
}

struct resp *fx_login_json(const char *email, const char *password)
{
	struct json_object *o = json_object_new_object();
	struct resp *r;

	json_object_object_add(o, "email", json_object_new_string(email));
	json_object_object_add(o, "password", json_object_new_string(password));
	r = fx_post_login("/api/v1/auth/login", NULL, json_object_to_json_string(o));
	json_object_put(o);
	return r;
}

bool fx_take_tokens(struct resp *r, char **access, char **refresh)
{
	struct json_object *o = EXPECT_JSON(r, 200);
	int64_t exp = 0;

	*access = *refresh = NULL;
	if (!o)
		return false;
	EXPECT(jstr(o, "access_token") && *jstr(o, "access_token"),
	       "token response lacks access_token: %s", resp_summary(r));
	EXPECT_STR(o, "token_type", "bearer");
	EXPECT(jint(o, "expires_in", &exp) && exp > 0,
	       "expires_in should be a positive integer: %s", resp_summary(r));
	EXPECT(jstr(o, "refresh_token") && *jstr(o, "refresh_token"),
	       "token response lacks refresh_token: %s", resp_summary(r));
	return parse_tokens(r, access, refresh);
}

bool fx_login(struct it_user *u)
{
	struct resp *r = fx_login_json(u->email, u->password);
	char *a, *rf;
	bool ok = fx_take_tokens(r, &a, &rf);

	resp_free(r);
	if (!ok)
		return false;
	free(u->access);
	free(u->refresh);
	u->access = a;
	u->refresh = rf;
	return true;
}

char *fx_create_tenant(char **slug)
{
	char *name = fx_unique("IT Tenant"), *sl = fx_unique("it-t");
	char *body = xasprintf("{\"name\":\"%s\",\"slug\":\"%s\","
			       "\"description\":\"integration test tenant\"}",
			       name, sl);
	struct resp *r = req("POST", "/api/v1/tenants", fx.admin.access, NULL, body);
	struct json_object *o = EXPECT_JSON(r, 201);
	char *id = NULL;

	if (o && EXPECT(is_uuid(jstr(o, "id")), "tenant id: %s", resp_summary(r)))
		id = xstrdup(jstr(o, "id"));
	resp_free(r);
	free(body);
	free(name);
	if (slug && id)
		*slug = sl;
	else
		free(sl);
	return id;
}

void fx_delete_tenant(const char *id)
{
	char *path;

	if (!id)
		return;
	path = xasprintf("/api/v1/tenants/%s", id);
	resp_free(req("DELETE", path, fx.admin.access, NULL, NULL));
	free(path);
}

bool fx_create_user(const char *tenant_id, const char *extra_json, struct it_user *u)
{
	return fx_create_user_named(tenant_id, "First", "Last", extra_json, u);
}

bool fx_create_user_named(const char *tenant_id, const char *first, const char *last,
			  const char *extra_json, struct it_user *u)
{
	char pw[13];
	char *body;
	struct resp *r;
	struct json_object *o;

	memset(u, 0, sizeof(*u));
	random_hex(pw, 6);
	u->email = fx_email("user");
	u->password = xasprintf("Pw-%s!", pw);
	fx_remember_secret(u->password);
	body = xasprintf("{\"email\":\"%s\",\"password\":\"%s\","
			 "\"first_name\":\"%s\",\"last_name\":\"%s\"%s%s}",
			 u->email, u->password, first, last, extra_json ? "," : "",
			 extra_json ? extra_json : "");
	r = req("POST", "/api/v1/users", fx.admin.access, tenant_id, body);
	free(body);
	o = EXPECT_JSON(r, 201);
	if (o && EXPECT(is_uuid(jstr(o, "id")), "user id: %s", resp_summary(r)))
		u->id = xstrdup(jstr(o, "id"));
	resp_free(r);
	return u->id != NULL;
}

bool fx_new_member(const char *tenant_id, struct it_user *u)
{
	return fx_create_user(tenant_id, NULL, u) && fx_login(u);
}

void fx_delete_user(const char *id)
{
	char *path;

	if (!id)
		return;
	path = xasprintf("/api/v1/users/%s", id);
	resp_free(req("DELETE", path, fx.admin.access, NULL, NULL));
	free(path);
}

/* "Name: value" into hdrs[*n] (and into owned[] for freeing) when value is not NULL. */
static void add_header(const char **hdrs, char **owned, size_t *n, const char *name,
		       const char *value)
{
	if (!value)
		return;
	owned[*n] = xasprintf("%s: %s", name, value);
	hdrs[*n] = owned[*n];
	(*n)++;
}

struct resp *fx_key_req(const char *method, const char *path, const char *key,
			const char *token, const char *tenant_id, const char *json_body)
{
	const char *hdrs[5] = { NULL };
	char *owned[5] = { NULL }, *bearer = token ? xasprintf("Bearer %s", token) : NULL;
	size_t n = 0;
	struct resp *r;

	add_header(hdrs, owned, &n, "X-API-Key", key);
	add_header(hdrs, owned, &n, "Authorization", bearer);
	add_header(hdrs, owned, &n, "X-Tenant-ID", tenant_id);
	if (json_body)
		hdrs[n++] = "Content-Type: application/json";
	r = http_do(method, path, hdrs, json_body, json_body ? strlen(json_body) : 0, 0);
	for (size_t i = 0; i < 5; i++)
		free(owned[i]);
	free(bearer);
	return r;
}

char *fx_create_key(const char *token, const char *body, char **id)
{
	struct resp *r = req("POST", "/api/v1/api-keys", token, NULL, body);
	struct json_object *o = EXPECT_JSON(r, 201);
	const char *key = jstr(o, "key"), *kid = jstr(o, "id");
	char *out = NULL;

	if (id)
		*id = NULL;
	if (o && EXPECT(key && *key && is_uuid(kid), "POST /api-keys %s: no key or id: %s", body,
			resp_summary(r))) {
		out = xstrdup(key);
		fx_remember_secret(out);
		if (id)
			*id = xstrdup(kid);
	}
	resp_free(r);
	return out;
}

struct resp *fx_auth_check(const char *key, const char *token, const char *tenant_id,
			   const char *required, const char *const *extra)
{
	const char *hdrs[32] = { "X-Original-URI: /protected/resource?x=1",
				 "X-Original-Method: GET" };
	char *owned[32] = { NULL }, *bearer = token ? xasprintf("Bearer %s", token) : NULL;
	size_t n = 2;
	struct resp *r;

	add_header(hdrs, owned, &n, "X-API-Key", key);
	add_header(hdrs, owned, &n, "Authorization", bearer);
	add_header(hdrs, owned, &n, "X-Tenant-ID", tenant_id);
	add_header(hdrs, owned, &n, "X-VS-Required-Permission", required);
	for (size_t i = 0; extra && extra[i] && n < 31; i++)
		hdrs[n++] = extra[i];
	r = http_do("GET", "/api/v1/auth/check", hdrs, NULL, 0, 0);
	for (size_t i = 0; i < 32; i++)
		free(owned[i]);
	free(bearer);
	return r;
}

char *fx_scratch_dir(const char *prefix)
{
	char *base = xstrdup(fx.cfg.state_dir ? fx.cfg.state_dir : "/tmp/x"), *slash, *dir;

	slash = strrchr(base, '/');
	if (slash && slash != base)
		*slash = '\0';
	dir = xasprintf("%s/%s.XXXXXX", base, prefix);
	free(base);
	if (!mkdtemp(dir)) {
		EXPECT(false, "mkdtemp %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void fx_remove_tree(const char *dir)
{
	if (dir)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int fx_vs_admin(const char *args, char **out)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *owner = getenv("VS_OWNER_DATABASE_URL");
	if (out)
		*out = NULL;
	if (!EXPECT(n > 0 && owner && *owner, "need /proc/self/exe and VS_OWNER_DATABASE_URL"))
		return -1;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0'; /* <build>/tests */
	char *cmd = xasprintf("VS_DATABASE_URL='%s' '%s/../vs-admin' %s 2>&1", owner, exe, args);
	FILE *p = popen(cmd, "r");
	free(cmd);
	if (!EXPECT(p != NULL, "could not run vs-admin"))
		return -1;
	char buf[4096];
	size_t len = fread(buf, 1, sizeof(buf) - 1, p);
	buf[len] = '\0';
	int st = pclose(p);
	if (out)
		*out = xstrdup(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
