/*
 * GET /audit-logs and /audit-logs/verify over real changes: newest first with each
 * prev_hash the hash of the event before, filters, pages by before_seq through the Link
 * header, bad filters refused; the verdict of a whole chain, and of chains tampered with
 * as the database owner (an event changed, a link removed in the middle, the newest link
 * removed) naming the first seq that does not hold.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "pg_util.h"
#include "suites.h"
#include "util.h"

/* A tenant with a role created, changed n - 1 times: n events in its chain. */
struct audited {
	char *tenant;
	char *role;
};

static bool make_audited(struct audited *w, int n)
{
	memset(w, 0, sizeof(*w));
	w->tenant = fx_create_tenant(NULL);
	if (!w->tenant)
		return false;
	char *name = fx_unique("logged");
	char *body = xasprintf("{\"name\":\"%s\"}", name);
	struct resp *r = req("POST", "/api/v1/roles", fx.admin.access, w->tenant, body);
	struct json_object *o = EXPECT_JSON(r, 201);
	w->role = o && jstr(o, "id") ? xstrdup(jstr(o, "id")) : NULL;
	resp_free(r);
	free(body);
	free(name);
	char *path = w->role ? xasprintf("/api/v1/roles/%s", w->role) : NULL;
	for (int i = 1; path && i < n; i++) {
		body = xasprintf("{\"description\":\"change %d\"}", i);
		r = req("PATCH", path, fx.admin.access, w->tenant, body);
		EXPECT_STATUS(r, 200);
		resp_free(r);
		free(body);
	}
	free(path);
	return w->role != NULL;
}

static void free_audited(struct audited *w)
{
	fx_delete_tenant(w->tenant);
	free(w->tenant);
	free(w->role);
}

/* GET path in the tenant; waits (5 s at most) for want items, events joining their
 * chain a moment after the commit. */
static struct resp *get_events(const char *tenant, const char *path, size_t want)
{
	struct resp *r = NULL;
	for (int i = 0; i < 100; i++) {
		resp_free(r);
		r = req("GET", path, fx.admin.access, tenant, NULL);
		struct json_object *o = r->status == 200 ? resp_json(r) : NULL;
		if (r->status != 200 || jlen(o) >= want)
			break;
		sleep_ms(50);
	}
	return r;
}

/* The exit status of scripts/audit-recompute (the test runs in the repository's root)
 * given events on its stdin. */
static int recompute(const char *events)
{
	FILE *p = popen("python3 scripts/audit-recompute >/dev/null", "w");
	if (!EXPECT(p != NULL, "could not run scripts/audit-recompute"))
		return -1;
	fputs(events, p);
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_list_is_newest_first_and_linked(void)
{
	struct audited w;
	if (!make_audited(&w, 3))
		goto out;
	struct resp *r = get_events(w.tenant, "/api/v1/audit-logs", 3);
	struct json_object *items = EXPECT_JSON(r, 200);
	if (EXPECT(jlen(items) == 3, "3 events, not %zu: %s", jlen(items), resp_summary(r))) {
		static const char *const actions[] = { "role.updated", "role.updated", "role.created" };
		for (size_t i = 0; i < 3; i++) {
			struct json_object *e = jat(items, i);
			int64_t seq = 0;
			EXPECT_STR(e, "action", actions[i]);
			EXPECT(jint(e, "seq", &seq) && seq == (int64_t)(3 - i), "seq %lld at %zu",
			       (long long)seq, i);
			EXPECT_STR(e, "tenant_id", w.tenant);
			const char *hash = jstr(e, "hash"), *prev = jstr(e, "prev_hash");
			EXPECT(hash && strlen(hash) == 64 && strspn(hash, "0123456789abcdef") == 64,
			       "hash is lowercase hex: %s", hash ? hash : "(none)");
			if (i < 2)
				EXPECT(prev && !strcmp(prev, jstr(jat(items, i + 1), "hash")),
				       "prev_hash of seq %lld is the hash before", (long long)seq);
			else
				EXPECT(prev && !strcmp(prev, ""), "the first event has no prev_hash");
			EXPECT_STR(jget(e, "resource"), "id", w.role);
			EXPECT_STR(jget(e, "actor"), "user_id", fx.admin.id);
		}
	}
	/* Recomputed by another implementation (Python's), from the API's answer alone; and
	 * the same answer with one event changed is refused. */
	EXPECT(recompute(r->body) == 0, "scripts/audit-recompute did not say ok for the 3 events");
	char *changed = xstrdup(r->body), *at = strstr(changed, "role.updated");
	if (at)
		memcpy(at, "role.created", 12);
	EXPECT(at && recompute(changed) == 1, "scripts/audit-recompute took a changed event");
	free(changed);
	resp_free(r);
	/* The verdict of the same chain. */
	r = req("GET", "/api/v1/audit-logs/verify", fx.admin.access, w.tenant, NULL);
	struct json_object *v = EXPECT_JSON(r, 200);
	bool valid = false;
	int64_t n = 0, first = 0, last = 0;
	EXPECT(v && jbool(v, "valid", &valid) && valid && jint(v, "events_checked", &n) && n == 3 &&
		       jint(v, "first_seq", &first) && first == 1 && jint(v, "last_seq", &last) &&
		       last == 3 && jhas(v, "broken_at_seq") && !jget(v, "broken_at_seq"),
	       "a whole chain of 3: %s", resp_summary(r));
	resp_free(r);
out:
	free_audited(&w);
}

static size_t count_of(const char *tenant, const char *query)
{
	char *path = xasprintf("/api/v1/audit-logs?%s", query);
	struct resp *r = req("GET", path, fx.admin.access, tenant, NULL);
	struct json_object *items = EXPECT_JSON(r, 200);
	size_t n = items ? jlen(items) : 999;
	resp_free(r);
	free(path);
	return n;
}

static void test_filters_and_pages(void)
{
	struct audited w;
	if (!make_audited(&w, 4))
		goto out;
	struct resp *r = get_events(w.tenant, "/api/v1/audit-logs", 4);
	resp_free(r);
	char *q;
	EXPECT(count_of(w.tenant, "action=role.updated") == 3, "action exact");
	EXPECT(count_of(w.tenant, "action=role.*") == 4, "action prefix");
	EXPECT(count_of(w.tenant, "action=user.*") == 0, "another resource");
	q = xasprintf("resource_type=role&resource_id=%s", w.role);
	EXPECT(count_of(w.tenant, q) == 4, "resource");
	free(q);
	q = xasprintf("actor_id=%s", fx.admin.id);
	EXPECT(count_of(w.tenant, q) == 4, "actor");
	free(q);
	EXPECT(count_of(w.tenant, "actor_id=00000000-0000-4000-8000-000000000000") == 0, "no actor");
	EXPECT(count_of(w.tenant, "from=2099-01-01T00:00:00Z") == 0, "from the future");
	EXPECT(count_of(w.tenant, "to=2000-01-01T00:00:00Z") == 0, "to the past");
	EXPECT(count_of(w.tenant, "from=2000-01-01T00:00:00Z&to=2099-01-01T00:00:00Z") == 4,
	       "a range around now");

	/* Pages of 1 by Link: the 4 in order. */
	char *path = xstrdup("/api/v1/audit-logs?limit=1");
	int64_t want = 4;
	for (int page = 0; path && page < 10; page++) {
		r = req("GET", path, fx.admin.access, w.tenant, NULL);
		struct json_object *items = EXPECT_JSON(r, 200);
		int64_t seq = 0;
		EXPECT(jlen(items) == 1 && jint(jat(items, 0), "seq", &seq) && seq == want,
		       "page %d holds seq %lld: %s", page, (long long)want, resp_summary(r));
		want--;
		free(path);
		path = NULL;
		const char *link = resp_header(r, "Link");
		if (link) {
			const char *end = strchr(link, '>');
			path = end ? xstrndup(link + 1, (size_t)(end - link - 1)) : NULL;
			EXPECT(path && strstr(path, "limit=1&before_seq="), "Link: %s", link);
		}
		resp_free(r);
	}
	EXPECT(want == 0 && !path, "the Links ended after the 4 events (%lld left)",
	       (long long)want);
	free(path);
out:
	free_audited(&w);
}

static void test_bad_filters(void)
{
	static const struct {
		const char *query;
		long status;
		const char *field;
	} bad[] = {
		{ "before_seq=abc", 400, NULL },
		{ "before_seq=0", 400, NULL },
		{ "before_seq=-3", 400, NULL },
		{ "action=role.exploded", 422, "action" },
		{ "action=role", 422, "action" },
		{ "action=nothing.*", 422, "action" },
		{ "from=yesterday", 422, "from" },
		{ "to=2026-13-01T00:00:00Z", 422, "to" },
		{ "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", 422, "from" },
		{ "actor_id=nobody", 422, "actor_id" },
		{ "limit=0", 422, "limit" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *path = xasprintf("/api/v1/audit-logs?%s", bad[i].query);
		struct resp *r = req("GET", path, fx.admin.access, NULL, NULL);
		chk_context("%s", bad[i].query);
		EXPECT_STATUS(r, bad[i].status);
		if (bad[i].field)
			EXPECT_FIELD_ERROR(r, bad[i].field);
		resp_free(r);
		free(path);
	}
	chk_context(NULL);
}

/* Tampering as the owner, each in a chain of its own. */
static void tamper_and_verify(const char *what, const char *sql, int64_t broken_at)
{
	struct audited w = { 0 };
	PGconn *db = pg_open(getenv("VS_OWNER_DATABASE_URL"));
	if (!db || !make_audited(&w, 5))
		goto out;
	struct resp *r = get_events(w.tenant, "/api/v1/audit-logs", 5);
	resp_free(r);
	const char *params[] = { w.tenant };
	PGresult *res = pg_run(db, sql, 1, params);
	EXPECT(pg_touched(res) == 1, "%s: touched %ld rows", what, pg_touched(res));
	PQclear(res);
	r = req("GET", "/api/v1/audit-logs/verify", fx.admin.access, w.tenant, NULL);
	struct json_object *v = EXPECT_JSON(r, 200);
	bool valid = true;
	int64_t at = 0, checked = -1;
	EXPECT(v && jbool(v, "valid", &valid) && !valid && jint(v, "broken_at_seq", &at) &&
		       at == broken_at && jint(v, "events_checked", &checked) &&
		       checked == broken_at - 1,
	       "%s: broken at %lld, not %s", what, (long long)broken_at, resp_summary(r));
	resp_free(r);
out:
	if (w.tenant)
		free_audited(&w);
	if (db)
		PQfinish(db);
}

static void test_verify_finds_what_was_tampered_with(void)
{
	tamper_and_verify("an event changed",
			  "UPDATE audit.events e SET canonical = replace(canonical, 'change 2', "
			  "'change two') FROM audit.links l WHERE l.event_pos = e.pos AND "
			  "l.chain = $1 AND l.seq = 3",
			  3);
	tamper_and_verify("a link removed in the middle",
			  "DELETE FROM audit.links WHERE chain = $1 AND seq = 2", 2);
	tamper_and_verify("the newest link removed",
			  "DELETE FROM audit.links WHERE chain = $1 AND seq = 5", 5);
	tamper_and_verify("a hash rewritten",
			  "UPDATE audit.links SET hash = sha256(hash) WHERE chain = $1 AND seq = 4",
			  4);
}

/* Whether `openssl pkeyutl` (another implementation than the worker's calls) takes sig_hex
 * as the signature of text under the PEM public key. */
static bool openssl_verifies(const char *pem, const char *text, const char *sig_hex)
{
	char *dir = fx_scratch_dir("vs-checkpoint");
	char *pub = xasprintf("%s/pub.pem", dir), *msg = xasprintf("%s/msg", dir),
	     *sig = xasprintf("%s/sig", dir);
	FILE *f = fopen(pub, "w");
	if (f) {
		fputs(pem, f);
		fclose(f);
	}
	f = fopen(msg, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	f = fopen(sig, "w");
	for (size_t i = 0; f && sig_hex[i] && sig_hex[i + 1]; i += 2) {
		unsigned b;
		sscanf(sig_hex + i, "%2x", &b);
		fputc((int)b, f);
	}
	if (f)
		fclose(f);
	char *cmd = xasprintf("openssl pkeyutl -verify -pubin -inkey '%s' -rawin -in '%s' "
			      "-sigfile '%s' >/dev/null 2>&1", pub, msg, sig);
	int st = system(cmd);
	free(cmd);
	fx_remove_tree(dir);
	free(dir);
	free(pub);
	free(msg);
	free(sig);
	return st == 0;
}

/* vs-worker signs the head: the newest checkpoint names the newest event, and its
 * signature holds under the public key, checked by openssl; a changed text does not. */
static void test_checkpoints_sign_the_head(void)
{
	struct audited w;
	if (!make_audited(&w, 2))
		goto out;
	struct resp *r = get_events(w.tenant, "/api/v1/audit-logs", 2);
	char *head = xstrdup(jstr(jat(resp_json(r), 0), "hash") ? jstr(jat(resp_json(r), 0), "hash") : "?");
	resp_free(r);
	struct json_object *cp = NULL;
	r = NULL;
	for (int i = 0; i < 100 && !cp; i++) { /* VS_AUDIT_CHECKPOINT_SECONDS=1 in the tests */
		resp_free(r);
		r = req("GET", "/api/v1/audit-logs/checkpoints", fx.admin.access, w.tenant, NULL);
		struct json_object *items = r->status == 200 ? resp_json(r) : NULL;
		if (jlen(items) && !strcmp(jstr(jat(items, 0), "hash"), head))
			cp = jat(items, 0);
		else
			sleep_ms(100);
	}
	if (EXPECT(cp != NULL, "no checkpoint of the head within 10 s: %s", resp_summary(r))) {
		struct resp *k = req("GET", "/api/v1/audit-logs/public-key", NULL, NULL, NULL);
		struct json_object *key = EXPECT_JSON(k, 200);
		EXPECT_STR(cp, "public_key", key ? jstr(key, "public_key") : "?");
		EXPECT_STR(cp, "tenant_id", w.tenant);
		int64_t seq = 0;
		jint(cp, "seq", &seq);
		char *text = xasprintf("virtualstack audit checkpoint v1\nchain: %s\nseq: %lld\n"
				       "hash: %s\nsigned_at: %s\n",
				       w.tenant, (long long)seq, head, jstr(cp, "signed_at"));
		const char *pem = key ? jstr(key, "pem") : NULL;
		EXPECT(seq == 2 && pem && openssl_verifies(pem, text, jstr(cp, "signature")),
		       "openssl does not verify the checkpoint: %s", resp_summary(r));
		text[strlen(text) - 3] ^= 1; /* another instant */
		EXPECT(pem && !openssl_verifies(pem, text, jstr(cp, "signature")),
		       "openssl verified a changed text");
		free(text);
		resp_free(k);
	}
	resp_free(r);
	free(head);
out:
	free_audited(&w);
}

/* The newest checkpoint of tenant's chain names seq want (10 s at most). */
static bool wait_checkpoint(const char *tenant, int64_t want)
{
	for (int i = 0; i < 100; i++) {
		struct resp *r = req("GET", "/api/v1/audit-logs/checkpoints?limit=1", fx.admin.access,
				     tenant, NULL);
		int64_t seq = 0;
		bool found = r->status == 200 && jint(jat(resp_json(r), 0), "seq", &seq) && seq == want;
		resp_free(r);
		if (found)
			return true;
		sleep_ms(100);
	}
	return EXPECT(false, "no checkpoint of seq %lld within 10 s", (long long)want);
}

/* The newest event removed and the head rewound to the one before: the chain itself is
 * whole again (the API's verify says valid), but vs-admin audit verify holds it against
 * the checkpoint of the removed event and says BROKEN. */
static void test_vs_admin_finds_the_newest_events_removed(void)
{
	struct audited w = { 0 };
	PGconn *db = pg_open(getenv("VS_OWNER_DATABASE_URL"));
	if (!db || !make_audited(&w, 3))
		goto out;
	struct resp *r = get_events(w.tenant, "/api/v1/audit-logs", 3);
	resp_free(r);
	if (!wait_checkpoint(w.tenant, 3))
		goto out;
	char *args = xasprintf("audit verify --tenant %s", w.tenant), *said = NULL;
	EXPECT(fx_vs_admin(args, &said) == 0 && strstr(said, "checkpoint at seq 3 signed"),
	       "vs-admin audit verify of a whole chain: %s", said ? said : "");
	free(said);
	const char *params[] = { w.tenant };
	PGresult *res = pg_run(db,
			       "WITH gone AS (DELETE FROM audit.links WHERE chain = $1 AND seq = 3 "
			       "RETURNING chain) UPDATE audit.heads h SET seq = 2, hash = l.hash "
			       "FROM audit.links l WHERE h.chain = $1 AND l.chain = $1 AND l.seq = 2",
			       1, params);
	PQclear(res);
	r = req("GET", "/api/v1/audit-logs/verify", fx.admin.access, w.tenant, NULL);
	struct json_object *v = EXPECT_JSON(r, 200);
	bool valid = false;
	EXPECT(v && jbool(v, "valid", &valid) && valid,
	       "the rewound chain is whole by itself: %s", resp_summary(r));
	resp_free(r);
	EXPECT(fx_vs_admin(args, &said) == 1 && strstr(said, "BROKEN, the chain ends at seq 2"),
	       "vs-admin audit verify of the rewound chain: %s", said ? said : "");
	free(said);
	free(args);
	/* The platform's chain, untouched, holds. */
	EXPECT(fx_vs_admin("audit verify", &said) == 0, "vs-admin audit verify of the platform: %s",
	       said ? said : "");
	free(said);
out:
	free_audited(&w);
	if (db)
		PQfinish(db);
}

static int add_audit_logs_suite(void)
{
	static const struct it_test tests[] = {
		{ "GET /audit-logs: newest first, each prev_hash the hash before; verify says valid", test_list_is_newest_first_and_linked },
		{ "filters (action exact and prefix, resource, actor, time) and pages by before_seq", test_filters_and_pages },
		{ "bad filters: before_seq 400, unknown actions, dates, ranges 422", test_bad_filters },
		{ "verify names the first broken seq: an event changed, links removed, a hash rewritten", test_verify_finds_what_was_tampered_with },
		{ "vs-worker signs the head; openssl verifies the checkpoint with the public key", test_checkpoints_sign_the_head },
		{ "vs-admin audit verify finds the newest event removed and the head rewound", test_vs_admin_finds_the_newest_events_removed },
		{ NULL, NULL },
	};
	return it_add_suite("audit logs", NULL, NULL, tests);
}

IT_REGISTER(add_audit_logs_suite)
