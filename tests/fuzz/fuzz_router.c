/* libFuzzer: a request as a worker serves it, from its FastCGI parameters to the bytes it
 * writes back: fcgi/request.c (parameter index, method, paths, content length), the route
 * table of fcgi/routes.c and fcgi/router.c, the pipeline of fcgi/pipeline.c (tenant,
 * credentials, authorization), every handler with its query and body binding, and
 * fcgi/respond.c. The database is the in-memory fakes of the unit tests
 * (tests/unit/fakes, the API-key world of tests/unit/api_keys/key_world.c), seeded once and
 * put back as seeded before each input; FastCGI is libfcgi's own FCGX_Request with its
 * streams over memory; the request arena is reset after each request as in fcgi/main.c.
 *
 * Input: lines up to the first empty line are the FastCGI parameters, NAME=value as nginx
 * sends them (REQUEST_METHOD, REQUEST_URI, DOCUMENT_URI, QUERY_STRING, CONTENT_TYPE,
 * CONTENT_LENGTH, HTTP_*); what follows is the request body (FastCGI stdin). The world's
 * ids and credentials, random at each start, are written as placeholders:
 * ${acme} ${globex} (tenants), ${root} ${admin} ${manager} ${ann} ${gus} (users),
 * ${member} ${acme_ops} (roles), ${token:USER} (an access token), ${key:admin} (a key of
 * admin's in acme), ${key:ann} (a global key of ann's); ${length} is the body's length
 * once expanded (CONTENT_LENGTH=${length}: a mutated body keeps a length that fits).
 *
 * Properties, beyond "no crash, no sanitizer report": the response is well formed
 * ("Status: N", a known status, the Content-Length its body's), a JSON body is one the
 * strict parser accepts back (so valid UTF-8); the auth_request check answers only 204,
 * 401 or 403 and never with a body; a path that is not UTF-8 is a 400; an identity header
 * sent twice never gets a routed API request past a 400; a protected route answers 2xx
 * only to an authenticated principal; no request leaves a transaction open or writes
 * outside one. */
#include "api_keys/key_world.h"
#include "app/db.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "core/utf8.h"
#include "pipeline.h"
#include "respond.h"
#include "router.h"
#include "worker.h"

#include <argon2.h>
#include <fcgiapp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* ---- argon2 stand-in ----
 * Linked with -Wl,--wrap: a real argon2id hash (19 MiB, two passes) costs more than
 * thousands of requests, and libargon2 is not what is fuzzed here. The stand-in keeps the
 * encoded format's prefix, so lib/core/password.c takes its usual paths, and verifies
 * only the password that was hashed. */
int __wrap_argon2id_hash_encoded(uint32_t t_cost, uint32_t m_cost, uint32_t parallelism,
				 const void *pwd, size_t pwdlen, const void *salt, size_t saltlen,
				 size_t hashlen, char *encoded, size_t encodedlen);
int __wrap_argon2id_verify(const char *encoded, const void *pwd, size_t pwdlen);

static void stand_in(const void *pwd, size_t len, char out[65])
{
	uint8_t digest[VS_SHA256_LEN];
	vs_sha256(pwd, len, digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

int __wrap_argon2id_hash_encoded(uint32_t t_cost, uint32_t m_cost, uint32_t parallelism,
				 const void *pwd, size_t pwdlen, const void *salt, size_t saltlen,
				 size_t hashlen, char *encoded, size_t encodedlen)
{
	(void)salt, (void)saltlen, (void)hashlen;
	char hex[65];
	stand_in(pwd, pwdlen, hex);
	int n = snprintf(encoded, encodedlen, "$argon2id$v=19$m=%u,t=%u,p=%u$ZnV6eg$%s",
			 (unsigned)m_cost, (unsigned)t_cost, (unsigned)parallelism, hex);
	return n > 0 && (size_t)n < encodedlen ? ARGON2_OK : ARGON2_ENCODING_FAIL;
}

int __wrap_argon2id_verify(const char *encoded, const void *pwd, size_t pwdlen)
{
	char hex[65];
	stand_in(pwd, pwdlen, hex);
	const char *tail = strrchr(encoded, '$');
	return tail && strcmp(tail + 1, hex) == 0 ? ARGON2_OK : ARGON2_VERIFY_MISMATCH;
}

/* ---- a database that is always there ---- */

static enum vs_err db_ensure(struct vs_db *db)
{
	(void)db;
	return VS_OK;
}

static int db_retry_after(const struct vs_db *db)
{
	(void)db;
	return 1;
}

static enum vs_err db_schema_version(struct vs_db *db, long *version)
{
	(void)db;
	*version = VS_SCHEMA_VERSION;
	return VS_OK;
}

static void db_request_done(struct vs_db *db)
{
	(void)db;
}

static void db_write_behind(struct vs_db *db, bool force)
{
	(void)db, (void)force;
}

static void db_stats(const struct vs_db *db, struct vs_db_stats *out)
{
	(void)db;
	memset(out, 0, sizeof(*out));
}

static const struct vs_db_ops db_ops = {db_ensure,	 db_retry_after,  db_schema_version,
					db_request_done, db_write_behind, db_stats};
static struct vs_db always_there = {&db_ops};

/* ---- FastCGI streams over memory ---- */

static void in_fill(FCGX_Stream *s)
{
	s->isClosed = 1; /* stdin ends where the input does */
}

struct capture {
	unsigned char buf[512]; /* small: writes that cross it take libfcgi's slow path */
	char *out;
	size_t len, cap;
};

static void out_empty(FCGX_Stream *s, int close)
{
	struct capture *c = s->data;
	size_t n = (size_t)(s->wrNext - c->buf);
	if (c->len + n + 1 > c->cap) {
		c->cap = (c->len + n + 1) * 2;
		c->out = realloc(c->out, c->cap);
		if (!c->out)
			abort();
	}
	memcpy(c->out + c->len, c->buf, n);
	c->len += n;
	c->out[c->len] = '\0';
	s->wrNext = c->buf;
	if (close)
		s->isClosed = 1;
}

/* ---- the world and its placeholders ----
 * Built once (seeding costs a hundred times a request); each input starts from a copy of
 * the stores as they were then, so inputs do not see each other's writes. */

struct placeholder {
	const char *name, *text;
};

struct fuzz_world {
	struct key_world kw;
	struct fake_jobs jobs;
	struct fake_invitations *inv;
	struct placeholder ph[32];
	size_t nph;
	const char *body_length;  /* ${length}, once the body is expanded */
	struct vs_arena *scratch; /* the input's expansions; reset for each input */
	struct vs_arena *request_arena;
	/* The stores as seeded */
	struct fake_db *db0;
	struct fake_job_store jobs0;
	void *inv0;
};

static struct fuzz_world F;

static void add_placeholder(struct fuzz_world *f, const char *name, const char *text)
{
	if (f->nph == sizeof(f->ph) / sizeof(f->ph[0]))
		abort();
	f->ph[f->nph++] = (struct placeholder){name, text};
}

static void world_up(struct fuzz_world *f)
{
	struct world *w = &f->kw.w;
	key_world_init(&f->kw);
	fake_jobs_init(&f->jobs, w->db, &w->app);
	f->inv = fake_invitations_new(w->db, &w->app);
	w->app.db = &always_there;
	static const struct {
		const char *name, *token;
		size_t offset;
	} ids[] = {
	    {"acme", NULL, offsetof(struct world, acme)},
	    {"globex", NULL, offsetof(struct world, globex)},
	    {"member", NULL, offsetof(struct world, member)},
	    {"acme_ops", NULL, offsetof(struct world, acme_ops)},
	    {"root", "token:root", offsetof(struct world, root)},
	    {"admin", "token:admin", offsetof(struct world, admin)},
	    {"manager", "token:manager", offsetof(struct world, manager)},
	    {"ann", "token:ann", offsetof(struct world, ann)},
	    {"gus", "token:gus", offsetof(struct world, gus)},
	    {"idle", "token:idle", offsetof(struct world, idle)},
	    {"loner", "token:loner", offsetof(struct world, loner)},
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const vs_uuid *id = (const vs_uuid *)((const char *)w + ids[i].offset);
		add_placeholder(f, ids[i].name, world_id(w, id));
		if (ids[i].token) /* valid for good: the fake clock stands still */
			add_placeholder(f, ids[i].token, fake_access_token(w->a, id));
	}
	add_placeholder(f, "key:admin",
			fake_seed_api_key(w->db, w->a, &w->admin, &w->acme, NULL, NULL));
	add_placeholder(f, "key:ann", fake_seed_api_key(w->db, w->a, &w->ann, NULL, NULL, NULL));
	f->scratch = vs_arena_new();
	f->request_arena = vs_arena_new();

	f->db0 = malloc(sizeof(*f->db0));
	f->inv0 = malloc(sizeof(f->inv->store));
	if (!f->db0 || !f->inv0)
		abort();
	memcpy(f->db0, w->db, sizeof(*f->db0));
	f->jobs0 = f->jobs.store;
	memcpy(f->inv0, &f->inv->store, sizeof(f->inv->store));
}

/* The stores as seeded, and nothing left of the last input. */
static void world_restore(struct fuzz_world *f)
{
	vs_arena_reset(f->scratch);
	/* Every change to a store happens in a transaction (check_outcome makes sure): an
	 * input that began none left them as they were. */
	if (f->kw.w.db->begins == f->db0->begins)
		return;
	memcpy(f->kw.w.db, f->db0, sizeof(*f->db0));
	f->jobs.store = f->jobs0;
	memcpy(&f->inv->store, f->inv0, sizeof(f->inv->store));
}

static const char *placeholder(struct fuzz_world *f, const char *name, size_t len)
{
	if (len == 6 && memcmp(name, "length", 6) == 0)
		return f->body_length;
	for (size_t i = 0; i < f->nph; i++)
		if (strlen(f->ph[i].name) == len && memcmp(f->ph[i].name, name, len) == 0)
			return f->ph[i].text;
	return NULL;
}

/* s[0..len) with its placeholders replaced, NUL-terminated, in the scratch arena; *out_len
 * its length (a NUL in the input stays, as FastCGI would cut a parameter there). */
static char *expand(struct fuzz_world *f, const char *s, size_t len, size_t *out_len)
{
	struct vs_arena *a = f->scratch;
	size_t cap = len + 1, n = 0;
	char *out = vs_arena_alloc(a, cap);
	for (size_t i = 0; i < len;) {
		/* Plain text up to the next '$' in one copy: this runs for every byte of input. */
		const char *dollar = memchr(s + i, '$', len - i);
		size_t plain = dollar ? (size_t)(dollar - (s + i)) + 1 : len - i;
		const char *rep = NULL, *close = NULL;
		if (dollar && i + plain < len && s[i + plain] == '{')
			close = memchr(s + i + plain + 1, '}', len - i - plain - 1);
		if (close)
			rep = placeholder(f, s + i + plain + 1, (size_t)(close - (s + i + plain + 1)));
		if (rep)
			plain--; /* the '$' is the placeholder's */
		size_t take = rep ? strlen(rep) : 0;
		if (n + plain + take + 1 > cap) {
			size_t bigger_cap = (n + plain + take + 1) * 2;
			char *bigger = vs_arena_alloc(a, bigger_cap);
			memcpy(bigger, out, n);
			out = bigger;
			cap = bigger_cap;
		}
		memcpy(out + n, s + i, plain);
		n += plain;
		i += plain;
		if (rep) {
			memcpy(out + n, rep, take);
			n += take;
			i = (size_t)(close - s) + 1;
		}
	}
	out[n] = '\0';
	*out_len = n;
	return out;
}

/* ---- properties ---- */

static const char *const identity_params[] = {"HTTP_X_TENANT_ID", "HTTP_AUTHORIZATION",
					      "HTTP_X_API_KEY", "HTTP_X_VS_REQUIRED_PERMISSION"};

/* Whether an identity header comes twice, counted the plain way. */
static bool identity_repeated(char **envp)
{
	for (size_t k = 0; k < sizeof(identity_params) / sizeof(identity_params[0]); k++) {
		size_t len = strlen(identity_params[k]), seen = 0;
		for (char **e = envp; *e; e++)
			if (strncmp(*e, identity_params[k], len) == 0 && (*e)[len] == '=')
				seen++;
		if (seen > 1)
			return true;
	}
	return false;
}

/* The response head and body as written; aborts on a malformed one. */
static void check_output(const struct vs_request *req, const struct capture *c)
{
	char want[32];
	int n = snprintf(want, sizeof(want), "Status: %d ", req->status);
	if (!c->out || strncmp(c->out, want, (size_t)n) != 0)
		abort();
	const char *end = strstr(c->out, "\r\n\r\n");
	if (!end)
		abort();
	size_t head_len = (size_t)(end - c->out) + 4, body_len = c->len - head_len;
	const char *cl = strstr(c->out, "\r\nContent-Length: ");
	if (cl && cl < end) {
		if (req->method != VS_HEAD && strtoull(cl + 18, NULL, 10) != body_len)
			abort();
	} else if (body_len != 0) {
		abort();
	}
	if (req->route && req->route->bare && body_len != 0)
		abort();
	if (req->json && req->method != VS_HEAD) {
		struct vs_arena *a = F.scratch;
		struct json_object *back;
		struct vs_error e = {0};
		if (vs_json_parse(a, end + 4, body_len, &back, &e) != VS_OK)
			abort();
	}
}

static void check_outcome(struct fuzz_world *f, const struct vs_request *req, char **envp)
{
	struct fake_db *db = f->kw.w.db;
	int st = req->status;
	if (st < 100 || st > 599 ||
	    (st != 500 && strcmp(vs_http_reason(st), "Internal Server Error") == 0))
		abort();
	if (db->depth != 0 || db->writes_outside_tx != 0 || db->tx_misuse != 0)
		abort();
	if (!vs_utf8_valid(req->path.p, req->path.len) && st != 400)
		abort();
	if (req->route && req->route->bare && st != 204 && st != 401 && st != 403)
		abort();
	if (req->route && !req->route->bare && identity_repeated(envp) && st != 400)
		abort();
	if (req->route && req->route->rule.kind != VS_RULE_PUBLIC && st < 300 &&
	    !req->route->bare && !req->principal.authenticated)
		abort();
}

/* ---- the harness ---- */

#define MAX_PARAMS 160 /* past the index's 96: its scanning fallback too */

/* VS_FUZZ_PRINT=1: each response on stderr, to see what a seed reaches. */
static bool print;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	print = getenv("VS_FUZZ_PRINT") != NULL;
	vs_log_set_level(VS_LOG_ERROR);
	world_up(&F);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_world *f = &F;
	world_restore(f);

	/* Parameters, then the body (expanded first, for ${length}). */
	const char *s = (const char *)data;
	const char *split = NULL;
	for (size_t i = 0; i < size && !split; i++)
		if (s[i] == '\n' && (i == 0 || s[i - 1] == '\n'))
			split = s + i;
	size_t head = split ? (size_t)(split - s) : size, body_len = 0;
	const char *rest = split ? split + 1 : s + size;
	f->body_length = NULL;
	unsigned char *body =
	    (unsigned char *)expand(f, rest, size - (size_t)(rest - s), &body_len);
	f->body_length = vs_arena_printf(f->scratch, "%zu", body_len);

	char *envp[MAX_PARAMS + 1];
	size_t nenv = 0, at = 0;
	while (at < head && nenv < MAX_PARAMS) {
		const char *nl = memchr(s + at, '\n', head - at);
		size_t line = nl ? (size_t)(nl - (s + at)) : head - at;
		size_t len;
		char *entry = expand(f, s + at, line, &len);
		if (!strchr(entry, '=')) /* FastCGI gives every parameter a value */
			entry = vs_arena_printf(f->scratch, "%s=", entry);
		envp[nenv++] = entry;
		at += line + 1;
	}
	envp[nenv] = NULL;
	if (print)
		for (size_t i = 0; i < nenv; i++)
			fprintf(stderr, "%s\n", envp[i]);

	FCGX_Stream in = {.rdNext = body,
			  .wrNext = body + body_len,
			  .stop = body + body_len,
			  .stopUnget = body,
			  .isReader = 1,
			  .fillBuffProc = in_fill};
	struct capture cap = {.out = NULL};
	FCGX_Stream out = {.wrNext = cap.buf,
			   .stop = cap.buf + sizeof(cap.buf),
			   .emptyBuffProc = out_empty,
			   .data = &cap};
	FCGX_Request fcgi;
	memset(&fcgi, 0, sizeof(fcgi));
	fcgi.in = &in;
	fcgi.out = &out;
	fcgi.envp = envp;

	const struct vs_config cfg = {.max_body_bytes = 1 << 20,
				      .access_ttl = FAKE_ACCESS_TTL,
				      .refresh_ttl = FAKE_REFRESH_TTL,
				      .log_level = VS_LOG_ERROR};
	struct vs_worker worker = {.app = &f->kw.w.app, .cfg = &cfg};
	struct vs_arena *arena = f->request_arena; /* reset after each request, as a worker does */
	struct vs_request req;
	vs_request_init(&req, &fcgi, arena);
	vs_dispatch(&worker, &req);
	check_outcome(f, &req, envp);
	vs_respond(&req, false);
	out_empty(&out, 1);
	if (print)
		fprintf(stderr, "%s\n----\n", cap.out);
	check_output(&req, &cap);

	free(cap.out);
	vs_arena_reset(arena);
	return 0;
}
