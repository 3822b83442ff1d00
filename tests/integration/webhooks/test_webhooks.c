/*
 * Webhooks end to end (API.md §9): subscriptions made through the API in tenant A of the
 * RBAC world, their deliveries sent by vs-worker's job runners to the run's real HTTPS
 * receiver (webhooks/receiver.py) and read there as a receiver would: the Standard
 * Webhooks signature checked by another implementation (check_signature.py, Python's
 * hmac), the body the audit event's own text. Filtering by event type, nothing for a
 * rolled-back change, retries on the run's fast schedule (VS_WEBHOOK_RETRY_MS=300,600,900)
 * and their log, redirects not followed, the 10 s timeout, a long answer, the rotation of
 * a secret, replays, the automatic disabling (VS_WEBHOOK_DISABLE_AFTER_S=3), the SSRF
 * refusals at create, at PATCH and at connect time, bad input, other tenants' webhooks,
 * deletion, the audit.checkpoint event, and secrets kept out of the audit log and the
 * stack's logs. The database's owner steps in where the API cannot: a transaction rolled
 * back after its event, a URL the API would refuse, the end of a rotation's overlap.
 *
 * Each test sends to paths of its own (hook_unique_path) and deletes its webhooks, so
 * that no test sees another's requests or keeps the runners busy after it.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "pg_util.h"
#include "rbac_world.h"
#include "suites.h"
#include "util.h"
#include "webhooks/hook_util.h"

#define PATIENCE_S 10.0 /* a delivery "within a few seconds", with room for a sanitizer build */
#define QUIET_MS 2000	/* how long nothing must arrive for "nothing was sent" */
/* A whsec_ secret that is nobody's (24 zero bytes): the verifier must not match it. */
#define NOBODYS_SECRET "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define NOT_FOUND "Webhook not found"
#define REFUSED_LOOPBACK "refused to connect: the address is a loopback address"

static struct rbac_world world;
static bool world_tried, world_ok;
static PGconn *owner;
/* Every secret the API showed this suite, for the last test: none may be kept anywhere
 * but in the webhook's row. */
static char **shown;
static size_t nshown;

static void remember_shown(const char *secret)
{
	shown = xrealloc(shown, (nshown + 1) * sizeof(*shown));
	shown[nshown++] = xstrdup(secret);
	fx_remember_secret(secret); /* the logs suite looks for it too */
}

static struct rbac_world *get_world(void)
{
	if (!world_tried) {
		world_tried = true;
		world_ok = hook_dir() && rw_build(&world);
	}
	EXPECT(world_ok, "could not build the tenants and users of this suite "
			 "(the first failure above says why)");
	return world_ok ? &world : NULL;
}

/* The database as its owner (no row-level security on webhooks), for what the API cannot
 * do: a URL the API would refuse, a transaction rolled back after its event. */
static PGconn *owner_db(void)
{
	const char *url = getenv("VS_OWNER_DATABASE_URL");
	if (!owner &&
	    EXPECT(url && *url, "VS_OWNER_DATABASE_URL must be set (tests/integration/run)"))
		owner = pg_open(url);
	return owner;
}

static int suite_cleanup(void)
{
	if (getenv("VS_TEST_WEBHOOK_DIR"))
		hook_reset();
	if (world_tried)
		rw_free(&world); /* the tenants, and with them every webhook left */
	world_tried = world_ok = false;
	if (owner)
		PQfinish(owner);
	owner = NULL;
	for (size_t i = 0; i < nshown; i++)
		free(shown[i]);
	free(shown);
	shown = NULL;
	nshown = 0;
	return 0;
}

/* ---- the API, as the Tenant Admin of A ---- */

static struct resp *api(const char *method, const char *path, const char *body)
{
	return req(method, path, rw_token(&world, P_TADMIN), world.tenant_a, body);
}

/* "/api/v1/webhooks/<id><tail>", malloc'd. */
static char *hook_path(const char *id, const char *tail)
{
	return xasprintf("/api/v1/webhooks/%s%s", id, tail ? tail : "");
}

static struct resp *hook_api(const char *method, const char *id, const char *tail,
			     const char *body)
{
	char *path = hook_path(id, tail);
	struct resp *r = api(method, path, body);
	free(path);
	return r;
}

/* One webhook of a test: its id, its secret as created, the receiver path it sends to. */
struct hook {
	char *id, *secret, *path;
};

/* "whsec_" and the base64 of 24 bytes: 32 characters without padding. */
static bool secret_shape(const char *s)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	return EXPECT(s && strncmp(s, "whsec_", 6) == 0 && strlen(s) == 6 + 32 &&
			      strspn(s + 6, b64) == 32,
		      "a secret is whsec_ and the base64 of 24 bytes: %s", s ? s : "(none)");
}

/* The Webhook of API.md §9 in tenant A with url; a secret only when with_secret. */
static void expect_webhook(struct json_object *o, const char *url, bool with_secret)
{
	bool active;
	EXPECT(is_uuid(jstr(o, "id")), "a webhook's id: %s",
	       jstr(o, "id") ? jstr(o, "id") : "(none)");
	EXPECT_STR(o, "tenant_id", world.tenant_a);
	if (url)
		EXPECT_STR(o, "url", url);
	EXPECT(jhas(o, "description") && jarr(o, "event_types") && jbool(o, "is_active", &active) &&
		       jhas(o, "failing_since"),
	       "description, event_types, is_active, failing_since in %s",
	       json_object_to_json_string(o));
	EXPECT(is_rfc3339_utc(jstr(o, "created_at")) && is_rfc3339_utc(jstr(o, "updated_at")),
	       "created_at and updated_at in %s", json_object_to_json_string(o));
	if (with_secret)
		secret_shape(jstr(o, "secret"));
	else
		EXPECT(!jhas(o, "secret"), "the secret is shown only when made: %s",
		       json_object_to_json_string(o));
}

/* POST /webhooks to a receiver path (h->path, made up when NULL) with the event_types
 * JSON and extra members ("\"is_active\":false", or NULL); the response (free it), with
 * h->id and h->secret filled on a 201. */
static struct resp *hook_post(struct hook *h, const char *label, const char *types,
			      const char *extra)
{
	if (!h->path)
		h->path = hook_unique_path(label);
	char *url = hook_url(h->path);
	char *body = xasprintf("{\"url\":\"%s\",\"event_types\":%s%s%s}", url ? url : "", types,
			       extra ? "," : "", extra ? extra : "");
	struct resp *r = api("POST", "/api/v1/webhooks", body);
	struct json_object *o = r->status == 201 ? resp_json(r) : NULL;
	if (o && is_uuid(jstr(o, "id")) && jstr(o, "secret")) {
		h->id = xstrdup(jstr(o, "id"));
		h->secret = xstrdup(jstr(o, "secret"));
		remember_shown(h->secret);
	}
	free(body);
	free(url);
	return r;
}

/* hook_post expecting a 201 with a whole Webhook. */
static bool hook_new(struct hook *h, const char *label, const char *types, const char *extra)
{
	struct resp *r = hook_post(h, label, types, extra);
	struct json_object *o = EXPECT_JSON(r, 201);
	if (o) {
		char *url = hook_url(h->path);
		expect_webhook(o, url, true);
		free(url);
	}
	resp_free(r);
	return h->id != NULL;
}

/* Deletes the webhook (when made) and frees h. */
static void hook_drop(struct hook *h)
{
	if (h->id) {
		struct resp *r = hook_api("DELETE", h->id, NULL, NULL);
		EXPECT(r->status == 204 || r->status == 404, "deleting webhook %s: %s", h->id,
		       resp_summary(r));
		resp_free(r);
	}
	free(h->id);
	free(h->secret);
	free(h->path);
	memset(h, 0, sizeof(*h));
}

/* GET /webhooks/{id}; the Webhook (json_object_put it) or NULL. */
static struct json_object *hook_get(const char *id)
{
	struct resp *r = hook_api("GET", id, NULL, NULL);
	struct json_object *o = EXPECT_JSON(r, 200);
	o = o ? json_object_get(o) : NULL;
	resp_free(r);
	return o;
}

/* POST /webhooks/{id}/test; the delivery's id (malloc'd) or NULL. */
static char *post_test(const char *id)
{
	struct resp *r = hook_api("POST", id, "/test", NULL);
	struct json_object *o = EXPECT_JSON(r, 202);
	const char *d = jstr(o, "delivery_id");
	char *out = EXPECT(is_uuid(d), "a delivery_id: %s", resp_summary(r)) ? xstrdup(d) : NULL;
	resp_free(r);
	return out;
}

/* POST /roles as the Tenant Admin in A: role.created in A's chain. The id or NULL. */
static char *role_new(const char *name)
{
	char *body = xasprintf("{\"name\":\"%s\"}", name);
	struct resp *r = api("POST", "/api/v1/roles", body);
	struct json_object *o = EXPECT_JSON(r, 201);
	char *id = o && is_uuid(jstr(o, "id")) ? xstrdup(jstr(o, "id")) : NULL;
	resp_free(r);
	free(body);
	return id;
}

static void role_delete(const char *id)
{
	char *path = xasprintf("/api/v1/roles/%s", id);
	struct resp *r = api("DELETE", path, NULL);
	EXPECT_STATUS(r, 204);
	resp_free(r);
	free(path);
}

/* ---- the delivery log ---- */

/* GET /webhooks/{id}/deliveries: the lines of delivery (all when NULL), newest first, as
 * a new array (json_object_put it); NULL after a failure. */
static struct json_object *log_lines(const char *hook, const char *delivery)
{
	struct resp *r = hook_api("GET", hook, "/deliveries?limit=200", NULL);
	struct json_object *arr = EXPECT_JSON(r, 200), *out = NULL;
	if (arr && EXPECT(json_object_is_type(arr, json_type_array),
			  "the delivery log is an array: %s", resp_summary(r))) {
		out = json_object_new_array();
		for (size_t i = 0; i < jlen(arr); i++) {
			struct json_object *it = jat(arr, i);
			const char *id = jstr(it, "id");
			if (!delivery || (id && strcmp(id, delivery) == 0))
				json_object_array_add(out, json_object_get(it));
		}
	}
	resp_free(r);
	return out;
}

/* log_lines once there are want lines and the newest has status (any when NULL): a line
 * is written after its attempt, so the log lags the receiver a little. What it last held
 * when that did not come within seconds, with a failure. */
static struct json_object *log_wait(const char *hook, const char *delivery, size_t want,
				    const char *status, double seconds)
{
	double deadline = now_mono() + seconds;
	struct json_object *lines = NULL;
	for (;;) {
		json_object_put(lines);
		lines = log_lines(hook, delivery);
		const char *newest = jstr(jat(lines, 0), "status");
		bool newest_ok = !status || (newest && !strcmp(newest, status));
		if (!lines || (jlen(lines) >= want && newest_ok))
			return lines;
		if (now_mono() > deadline)
			break;
		sleep_ms(100);
	}
	EXPECT(false, "the log of %s did not show %zu lines, the newest %s, within %.0f s: %s",
	       delivery ? delivery : hook, want, status ? status : "any", seconds,
	       json_object_to_json_string(lines));
	return lines;
}

/* A line of the log as API.md §9 describes it: attempt n of delivery with status, its
 * status_code (0: null) and error (NULL: null; else a text it holds). */
static void expect_line(struct json_object *line, const char *delivery, int64_t n,
			const char *status, int64_t code, const char *error)
{
	const char *s = json_object_to_json_string(line);
	int64_t attempt = 0, got_code = 0, ms = -1;
	EXPECT_STR(line, "id", delivery);
	EXPECT(jint(line, "attempt", &attempt) && attempt == n, "attempt %lld: %s", (long long)n,
	       s);
	EXPECT_STR(line, "status", status);
	if (code)
		EXPECT(jint(line, "status_code", &got_code) && got_code == code,
		       "status_code %lld: %s", (long long)code, s);
	else
		EXPECT(jhas(line, "status_code") && !jget(line, "status_code"),
		       "status_code null (no answer): %s", s);
	if (error)
		EXPECT(jstr(line, "error") && strstr(jstr(line, "error"), error),
		       "error with \"%s\": %s", error, s);
	else
		EXPECT(jhas(line, "error") && !jget(line, "error"), "error null: %s", s);
	/* A retry is due after a pending attempt only. */
	if (!strcmp(status, "pending"))
		EXPECT(is_rfc3339_utc(jstr(line, "next_attempt_at")), "next_attempt_at: %s", s);
	else
		EXPECT(jhas(line, "next_attempt_at") && !jget(line, "next_attempt_at"),
		       "next_attempt_at null: %s", s);
	EXPECT(jint(line, "duration_ms", &ms) && ms >= 0, "duration_ms: %s", s);
	EXPECT(is_rfc3339_utc(jstr(line, "attempted_at")) && jstr(line, "event_type") &&
		       jhas(line, "event_id"),
	       "attempted_at, event_type, event_id: %s", s);
}

/* ---- the receiver ---- */

/* The nth (from 1) request to path whose webhook-id is msg_id, waiting up to seconds
 * (json_object_put it); NULL with a failure. */
static struct json_object *wait_msg(const char *path, const char *msg_id, int nth,
				    double seconds)
{
	double deadline = now_mono() + seconds;
	int looked = 0, found = 0;
	for (;;) {
		for (int n = hook_count(path); looked < n; looked++) {
			struct json_object *q = hook_wait(path, looked + 1, 0);
			const char *id = hook_header(q, "webhook-id");
			if (id && msg_id && strcmp(id, msg_id) == 0 && ++found == nth)
				return q;
			json_object_put(q);
		}
		if (now_mono() > deadline)
			break;
		sleep_ms(20);
	}
	EXPECT(false, "request %d with webhook-id %s did not come to %s within %.0f s (%d did)",
	       nth, msg_id ? msg_id : "(none)", path, seconds, found);
	return NULL;
}

/* The type in the body of a recorded request, malloc'd ("" when there is none). */
static char *type_of(struct json_object *q)
{
	const char *b = jstr(q, "body");
	struct json_object *o = b ? jparse(b, strlen(b)) : NULL;
	char *type = xstrdup(jstr(o, "type") ? jstr(o, "type") : "");
	json_object_put(o);
	return type;
}

/* The nth (from 1) request to path whose body's type is type, waiting up to seconds
 * (json_object_put it); NULL with a failure. */
static struct json_object *wait_type(const char *path, const char *type, int nth,
				     double seconds)
{
	double deadline = now_mono() + seconds;
	int looked = 0, found = 0;
	for (;;) {
		for (int n = hook_count(path); looked < n; looked++) {
			struct json_object *q = hook_wait(path, looked + 1, 0);
			char *t = type_of(q);
			bool match = strcmp(t, type) == 0 && ++found == nth;
			free(t);
			if (match)
				return q;
			json_object_put(q);
		}
		if (now_mono() > deadline)
			break;
		sleep_ms(20);
	}
	EXPECT(false, "request %d of type %s did not come to %s within %.0f s (%d did)", nth,
	       type, path, seconds, found);
	return NULL;
}

/* How many requests to path so far have a body of another type than type. */
static int count_except(const char *path, const char *type)
{
	int n = hook_count(path), other = 0;
	for (int i = 1; i <= n; i++) {
		struct json_object *q = hook_wait(path, i, 0);
		char *t = type_of(q);
		other += strcmp(t, type) != 0;
		free(t);
		json_object_put(q);
	}
	return other;
}

/* Nothing more comes to path: want requests now and QUIET_MS later. */
static void expect_quiet(const char *path, int want)
{
	EXPECT(hook_count(path) == want, "%d requests to %s so far, not %d", hook_count(path), path,
	       want);
	sleep_ms(QUIET_MS);
	EXPECT(hook_count(path) == want, "%d requests to %s after %d ms more, not %d",
	       hook_count(path), path, QUIET_MS, want);
}

/* A recorded request's body, parsed (json_object_put it), or NULL with a failure. */
static struct json_object *body_of(struct json_object *q)
{
	const char *b = jstr(q, "body");
	struct json_object *o = b ? jparse(b, strlen(b)) : NULL;
	EXPECT(json_object_is_type(o, json_type_object), "a delivery's body is a JSON object: %s",
	       b ? b : "(none)");
	return o;
}

/* check_signature.py's "matched" is exactly want ("[0]", "[0,1]"). */
static bool matched_is(struct json_object *c, const char *want)
{
	struct json_object *m = jarr(c, "matched");
	const char *got = m ? json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN) : "(none)";
	return EXPECT(strcmp(got, want) == 0, "the secrets that verify are %s, not %s: %s", got,
		      want, json_object_to_json_string(c));
}

/* q is a Standard Webhooks request signed once, with secret (and not with another one),
 * stamped within a few seconds of now, its body JSON. */
static void expect_signed(struct json_object *q, const char *secret)
{
	const char *secrets[] = { secret, NOBODYS_SECRET };
	struct json_object *c = q && secret ? hook_check(q, secrets, 2) : NULL;
	int64_t ts = 0;
	bool json_ok = false;
	if (!c)
		return;
	matched_is(c, "[0]");
	EXPECT(jlen(jarr(c, "signatures")) == 1 && jlen(jarr(c, "others")) == 0,
	       "one v1 signature and nothing else: %s", json_object_to_json_string(c));
	EXPECT(jbool(c, "body_json_ok", &json_ok) && json_ok, "the body is JSON");
	EXPECT(jint(c, "timestamp_s", &ts) && labs((long)ts - now_s()) <= 5,
	       "webhook-timestamp %lld is within 5 s of now (%ld)", (long long)ts, now_s());
	EXPECT(jstr(q, "method") && !strcmp(jstr(q, "method"), "POST"), "sent with POST");
	const char *ct = hook_header(q, "content-type");
	EXPECT(ct && !strncmp(ct, "application/json", 16), "Content-Type %s", ct ? ct : "(none)");
	json_object_put(c);
}

/* The receiver's port, from hook_url; 0 with a failure. */
static long receiver_port(void)
{
	char *url = hook_url("");
	const char *colon = url ? strrchr(url, ':') : NULL;
	long port = colon ? strtol(colon + 1, NULL, 10) : 0;
	free(url);
	EXPECT(port > 0, "the receiver's port");
	return port;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double received_at(struct json_object *q)
{
	struct json_object *v = jget(q, "received_at");
	return v ? json_object_get_double(v) : 0;
}

static void rfc3339(long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* GET /audit-logs?query in A, waiting (10 s at most) for want events: they join their
 * chain a moment after the commit. A new reference to the array, or NULL. */
static struct json_object *audit_events(const char *query, size_t want)
{
	char *path = xasprintf("/api/v1/audit-logs?%s", query);
	struct json_object *out = NULL;
	for (int i = 0; i < 100; i++) {
		struct resp *r = api("GET", path, NULL);
		struct json_object *items = r->status == 200 ? resp_json(r) : NULL;
		bool done = !items || jlen(items) >= want || i == 99;
		if (done) {
			items = EXPECT_JSON(r, 200);
			out = items ? json_object_get(items) : NULL;
		}
		resp_free(r);
		if (done)
			break;
		sleep_ms(100);
	}
	EXPECT(jlen(out) >= want, "%zu events for %s, not %zu", jlen(out), query, want);
	free(path);
	return out;
}

/* ---- the tests ---- */

static void test_create_sign_and_deliver(void)
{
	struct hook h = { 0 };
	struct json_object *q = NULL, *body = NULL, *lines = NULL, *events = NULL;
	char *request_id = NULL;
	if (!get_world())
		return;
	struct resp *r = hook_post(&h, "created", "[\"*\"]", NULL);
	struct json_object *o = EXPECT_JSON(r, 201);
	char *url = hook_url(h.path);
	if (o) {
		bool active = false;
		expect_webhook(o, url, true);
		EXPECT(jhas(o, "description") && !jget(o, "description"), "no description: null");
		struct json_object *types = jarr(o, "event_types");
		EXPECT(jlen(types) == 1 && jarr_has_str(types, "*"), "event_types [\"*\"]: %s",
		       resp_summary(r));
		EXPECT(jbool(o, "is_active", &active) && active, "active unless asked otherwise");
		EXPECT(!jget(o, "failing_since"), "failing_since null");
	}
	if (resp_header(r, "X-Request-Id"))
		request_id = xstrdup(resp_header(r, "X-Request-Id"));
	resp_free(r);
	if (!h.id)
		goto out;

	/* Read back: the same webhook, never its secret. */
	o = hook_get(h.id);
	if (o) {
		expect_webhook(o, url, false);
		EXPECT_STR(o, "id", h.id);
		json_object_put(o);
	}
	r = api("GET", "/api/v1/webhooks", NULL);
	long total = -1;
	struct json_object *items = EXPECT_COUNTED_ARRAY(r, &total);
	long at = jarr_find_id(items, h.id);
	if (EXPECT(at >= 0, "the list holds the webhook: %s", resp_summary(r)))
		expect_webhook(jat(items, (size_t)at), url, false);
	for (size_t i = 0; i < jlen(items); i++)
		EXPECT(!jhas(jat(items, i), "secret"), "no secret in the list: %s",
		       resp_summary(r));
	EXPECT(total == (long)jlen(items), "X-Total-Count %ld for %zu webhooks", total,
	       jlen(items));
	resp_free(r);
	r = api("GET", "/api/v1/webhooks?limit=1", NULL);
	long total1 = -1;
	items = EXPECT_COUNTED_ARRAY(r, &total1);
	EXPECT(jlen(items) == 1 && total1 == total, "a page of 1 of %ld: %s", total,
	       resp_summary(r));
	resp_free(r);

	/* Its own webhook.created, signed with the secret ("*" takes the audit.checkpoint
	 * deliveries of A's chain too, which may come first). */
	q = wait_type(h.path, "webhook.created", 1, PATIENCE_S);
	if (!q)
		goto out;
	expect_signed(q, h.secret);
	EXPECT(!strstr(jstr(q, "body"), h.secret + 6), "the secret is not in the body");
	body = body_of(q);
	struct json_object *data = jget(body, "data");
	EXPECT_STR(body, "type", "webhook.created");
	EXPECT(is_rfc3339_utc(jstr(body, "timestamp")), "timestamp: %s", jstr(q, "body"));
	EXPECT_STR(data, "action", "webhook.created");
	EXPECT(is_uuid(jstr(data, "id")), "the event's id: %s", jstr(q, "body"));
	EXPECT_STR(data, "tenant_id", world.tenant_a);
	EXPECT_STR(jget(data, "resource"), "type", "webhook");
	EXPECT_STR(jget(data, "resource"), "id", h.id);
	EXPECT_STR(jget(data, "actor"), "user_id", rw_user_id(&world, P_TADMIN));
	EXPECT_STR(jget(jget(data, "changes"), "url"), "to", url);
	EXPECT(jhas(data, "occurred_at") && jhas(data, "outcome"), "occurred_at, outcome: %s",
	       jstr(q, "body"));
	if (request_id)
		EXPECT_STR(data, "request_id", request_id);

	/* The log's line of that delivery: its id is the webhook-id. */
	const char *msg_id = hook_header(q, "webhook-id");
	lines = msg_id ? log_wait(h.id, msg_id, 1, "succeeded", PATIENCE_S) : NULL;
	struct json_object *line = jat(lines, 0);
	EXPECT(jlen(lines) == 1, "one attempt logged: %s", json_object_to_json_string(lines));
	if (line) {
		expect_line(line, msg_id, 1, "succeeded", 204, NULL);
		EXPECT_STR(line, "event_type", "webhook.created");
		if (jstr(data, "id"))
			EXPECT_STR(line, "event_id", jstr(data, "id"));
	}

	/* The body's data is the audit event of the log. */
	char *query = xasprintf("action=webhook.created&resource_id=%s", h.id);
	events = audit_events(query, 1);
	free(query);
	struct json_object *e = jat(events, 0);
	if (e) {
		static const char *const same[] = { "id", "occurred_at", "request_id" };
		for (size_t i = 0; i < 3; i++)
			EXPECT_STR(e, same[i], jstr(data, same[i]) ? jstr(data, same[i]) : "?");
	}
	EXPECT(count_except(h.path, "audit.checkpoint") == 1, "one event delivered, not %d",
	       count_except(h.path, "audit.checkpoint"));
out:
	json_object_put(events);
	json_object_put(lines);
	json_object_put(body);
	json_object_put(q);
	free(request_id);
	free(url);
	hook_drop(&h);
}

/* The types of the first n requests to path into the array into, each request signed
 * with secret and about the resource with id resource. */
static void types_of(const char *path, int n, const char *secret, const char *resource,
		     struct json_object *into)
{
	for (int i = 1; i <= n; i++) {
		struct json_object *q = hook_wait(path, i, PATIENCE_S), *b = q ? body_of(q) : NULL;
		if (q)
			expect_signed(q, secret);
		if (b) {
			const char *type = jstr(b, "type") ? jstr(b, "type") : "?";
			json_object_array_add(into, json_object_new_string(type));
			EXPECT_STR(jget(jget(b, "data"), "resource"), "id", resource);
			EXPECT_STR(jget(b, "data"), "tenant_id", world.tenant_a);
		}
		json_object_put(b);
		json_object_put(q);
	}
}

static void test_event_types_filter(void)
{
	struct hook roles = { 0 }, deleted = { 0 }, off = { 0 }, users = { 0 };
	struct json_object *got = json_object_new_array(), *got_deleted = json_object_new_array();
	char *name = NULL, *role = NULL;
	if (!get_world() || !hook_new(&roles, "roles", "[\"role.*\"]", NULL) ||
	    !hook_new(&deleted, "role-deleted", "[\"role.deleted\"]", NULL) ||
	    !hook_new(&off, "inactive", "[\"*\"]", "\"is_active\":false") ||
	    !hook_new(&users, "users", "[\"user.role_granted\",\"user.role_revoked\"]", NULL))
		goto out;
	struct json_object *o = hook_get(off.id);
	bool active = true;
	EXPECT(o && jbool(o, "is_active", &active) && !active, "made inactive");
	json_object_put(o);

	name = fx_unique("hooked");
	role = role_new(name);
	if (!role)
		goto out;
	char *path = xasprintf("/api/v1/roles/%s", role);
	struct resp *r = api("PATCH", path, "{\"description\":\"changed for a webhook\"}");
	EXPECT_STATUS(r, 200);
	resp_free(r);
	free(path);
	role_delete(role);

	/* role.* gets the three, and not the webhook.created of the two made after it. */
	types_of(roles.path, 3, roles.secret, role, got);
	EXPECT(jarr_has_str(got, "role.created") && jarr_has_str(got, "role.updated") &&
		       jarr_has_str(got, "role.deleted"),
	       "role.* got %s", json_object_to_json_string(got));
	types_of(deleted.path, 1, deleted.secret, role, got_deleted);
	EXPECT(jarr_has_str(got_deleted, "role.deleted"), "role.deleted got %s",
	       json_object_to_json_string(got_deleted));
	expect_quiet(roles.path, 3);
	EXPECT(hook_count(deleted.path) == 1, "role.deleted got %d requests, not 1",
	       hook_count(deleted.path));
	EXPECT(hook_count(off.path) == 0, "an inactive webhook got %d requests",
	       hook_count(off.path));
	/* Not even a delivery that its job then finds inactive: the fan-out skips it. */
	struct json_object *off_log = log_lines(off.id, NULL);
	EXPECT(off_log && jlen(off_log) == 0, "an inactive webhook has deliveries: %s",
	       json_object_to_json_string(off_log));
	json_object_put(off_log);
	EXPECT(hook_count(users.path) == 0, "the user.role_* subscription got %d requests",
	       hook_count(users.path));

	/* A user's role granted and revoked in A: events of A's chain, though of a user. */
	r = rw_assign(rw_token(&world, P_TADMIN), world.tenant_a, world.user_a.id,
		      world.role_viewer);
	EXPECT(r->status == 201 || r->status == 200 || r->status == 204, "granting: %s",
	       resp_summary(r));
	resp_free(r);
	r = rw_unassign(rw_token(&world, P_TADMIN), world.tenant_a, world.user_a.id,
			world.role_viewer);
	EXPECT_STATUS(r, 204);
	resp_free(r);
	struct json_object *user_types = json_object_new_array();
	types_of(users.path, 2, users.secret, world.user_a.id, user_types);
	EXPECT(jarr_has_str(user_types, "user.role_granted") &&
		       jarr_has_str(user_types, "user.role_revoked"),
	       "the user.role_* subscription got %s", json_object_to_json_string(user_types));
	json_object_put(user_types);
	expect_quiet(users.path, 2);
out:
	json_object_put(got);
	json_object_put(got_deleted);
	free(role);
	free(name);
	hook_drop(&roles);
	hook_drop(&deleted);
	hook_drop(&off);
	hook_drop(&users);
}

/* Whether s is among the n strings of v. */
static bool among(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (v[i] && !strcmp(v[i], s))
			return true;
	return false;
}

#define CHANGES 6

/* As the owner, in one transaction: an event of A's chain (role.created) written by hand,
 * whose delivery to h the trigger makes in that transaction; then rolled back. */
static void event_rolled_back(const struct hook *h)
{
	PGconn *db = owner_db();
	char event[37], resource[37], at[32];
	if (!db)
		return;
	random_uuid(event);
	random_uuid(resource);
	rfc3339(now_s(), at);
	char *canonical = xasprintf(
		"{\"id\":\"%s\",\"action\":\"role.created\",\"actor\":{\"user_id\":null,"
		"\"api_key_id\":null,\"ip\":null},\"resource\":{\"type\":\"role\",\"id\":\"%s\"},"
		"\"changes\":null,\"tenant_id\":\"%s\",\"occurred_at\":\"%s\","
		"\"outcome\":\"success\",\"request_id\":null}",
		event, resource, world.tenant_a, at);
	const char *ins[] = { canonical }, *sel[] = { h->id, event };
	const char *count = "SELECT count(*) FROM webhooks.deliveries WHERE subscription_id = $1 "
			    "AND event_id = $2";
	PGresult *res = pg_run(db, "BEGIN", 0, NULL);
	EXPECT_PG_OK(res, "BEGIN");
	PQclear(res);
	res = pg_run(db, "INSERT INTO audit.events (canonical) VALUES ($1)", 1, ins);
	EXPECT_PG_OK(res, "writing an event by hand");
	PQclear(res);
	res = pg_run(db, count, 2, sel);
	EXPECT(pg_long(res, 0, 0) == 1, "the delivery is made in the event's transaction: %ld (%s)",
	       pg_long(res, 0, 0), pg_error(res));
	PQclear(res);
	res = pg_run(db, "ROLLBACK", 0, NULL);
	EXPECT_PG_OK(res, "ROLLBACK");
	PQclear(res);
	res = pg_run(db, count, 2, sel);
	EXPECT(pg_succeeded(res) && pg_long(res, 0, 0) == 0, "the delivery went with the rollback");
	PQclear(res);
	free(canonical);
}

static void test_nothing_for_a_rolled_back_change(void)
{
	struct hook h = { 0 };
	char *names[CHANGES] = { NULL }, *roles[CHANGES] = { NULL };
	char *events[CHANGES] = { NULL }, *ids[CHANGES] = { NULL };
	struct json_object *lines = NULL;
	size_t nev = 0, nid = 0;
	if (!get_world() || !hook_new(&h, "rollback", "[\"role.*\"]", NULL))
		goto out;
	/* A role, then one of the same name (409: its transaction is rolled back), then the
	 * others, quickly one after the other. */
	names[0] = fx_unique("once");
	roles[0] = role_new(names[0]);
	char *body = xasprintf("{\"name\":\"%s\"}", names[0]);
	struct resp *r = api("POST", "/api/v1/roles", body);
	EXPECT_PROBLEM(r, 409, "conflict", NULL);
	resp_free(r);
	free(body);
	for (int i = 1; i < CHANGES; i++) {
		names[i] = fx_unique("once");
		roles[i] = role_new(names[i]);
	}
	/* And an event the trigger saw, in a transaction that then rolled back. */
	event_rolled_back(&h);

	/* Exactly one delivery for each change that was made, each its own event and its own
	 * webhook-id; none for the others. */
	for (int i = 1; i <= CHANGES; i++) {
		struct json_object *q = hook_wait(h.path, i, PATIENCE_S);
		struct json_object *b = q ? body_of(q) : NULL;
		struct json_object *data = jget(b, "data");
		const char *event = jstr(data, "id"), *msg = hook_header(q, "webhook-id");
		if (q)
			expect_signed(q, h.secret);
		if (b) {
			EXPECT_STR(b, "type", "role.created");
			EXPECT(among(roles, CHANGES, jstr(jget(data, "resource"), "id")),
			       "the role of a change that was made: %s", jstr(q, "body"));
			EXPECT(event && !among(events, nev, event), "a new event id: %s",
			       event ? event : "(none)");
			EXPECT(msg && !among(ids, nid, msg), "a new webhook-id: %s",
			       msg ? msg : "(none)");
			if (event && !among(events, nev, event))
				events[nev++] = xstrdup(event);
			if (msg && !among(ids, nid, msg))
				ids[nid++] = xstrdup(msg);
		}
		json_object_put(b);
		json_object_put(q);
	}
	expect_quiet(h.path, CHANGES);
	/* The log: one succeeded attempt of each, the same deliveries and events. */
	lines = log_wait(h.id, NULL, CHANGES, NULL, PATIENCE_S);
	EXPECT(jlen(lines) == CHANGES, "%zu lines in the log, not %d", jlen(lines), CHANGES);
	for (size_t i = 0; i < jlen(lines); i++) {
		struct json_object *line = jat(lines, i);
		EXPECT(among(ids, nid, jstr(line, "id")) &&
			       among(events, nev, jstr(line, "event_id")),
		       "a line of a delivery the receiver got: %s",
		       json_object_to_json_string(line));
		EXPECT_STR(line, "status", "succeeded");
	}
out:
	for (int i = 0; i < CHANGES; i++) {
		free(names[i]);
		free(roles[i]);
		free(events[i]);
		free(ids[i]);
	}
	json_object_put(lines);
	hook_drop(&h);
}

/* The requests 1..n to path: all of delivery msg_id, the same body each time, each
 * signed; their arrival times into at[]. */
static void same_message(const char *path, int n, const char *msg_id, const char *secret,
			 double *at)
{
	char *first = NULL;
	for (int i = 1; i <= n; i++) {
		struct json_object *q = hook_wait(path, i, PATIENCE_S);
		const char *id = hook_header(q, "webhook-id"), *b64 = jstr(q, "body_b64");
		at[i - 1] = received_at(q);
		if (q) {
			EXPECT(id && msg_id && !strcmp(id, msg_id),
			       "attempt %d has webhook-id %s, not %s", i, id ? id : "(none)",
			       msg_id ? msg_id : "?");
			expect_signed(q, secret);
			if (!first)
				first = xstrdup(b64 ? b64 : "");
			else
				EXPECT(b64 && !strcmp(b64, first), "attempt %d: other bytes", i);
		}
		json_object_put(q);
	}
	free(first);
}

static void test_retries_on_schedule(void)
{
	struct hook h = { 0 }, never = { 0 };
	struct json_object *lines = NULL, *o = NULL;
	char *d = NULL, *d2 = NULL;
	double at[4] = { 0 };
	if (!get_world() || !hook_new(&h, "retried", "[\"role.deleted\"]", NULL) ||
	    !hook_new(&never, "never", "[\"role.deleted\"]", NULL))
		goto out;

	/* 500 twice, then the default 204: three attempts, one delivery. */
	hook_rule(h.path, 500, 0, 2);
	if (!(d = post_test(h.id)))
		goto out;
	same_message(h.path, 3, d, h.secret, at);
	/* What /test sends: webhook.test, naming the webhook, whatever it subscribes to. */
	struct json_object *q = hook_wait(h.path, 1, 0), *b = q ? body_of(q) : NULL;
	EXPECT_STR(b, "type", "webhook.test");
	EXPECT_STR(jget(b, "data"), "webhook_id", h.id);
	EXPECT_STR(jget(b, "data"), "tenant_id", world.tenant_a);
	json_object_put(b);
	json_object_put(q);
	/* VS_WEBHOOK_RETRY_MS=300,600,900; the runner's backoff may only add to them. */
	EXPECT(at[1] - at[0] >= 0.25, "the second attempt %.3f s after the first", at[1] - at[0]);
	EXPECT(at[2] - at[1] >= 0.55, "the third attempt %.3f s after the second", at[2] - at[1]);
	EXPECT(at[2] - at[0] < 5.0,
	       "retried on the run's schedule, not the default (5 s first): %.3f s",
	       at[2] - at[0]);
	lines = log_wait(h.id, d, 3, "succeeded", PATIENCE_S);
	EXPECT(jlen(lines) == 3, "3 attempts logged: %s", json_object_to_json_string(lines));
	expect_line(jat(lines, 0), d, 3, "succeeded", 204, NULL);
	expect_line(jat(lines, 1), d, 2, "pending", 500, "the endpoint answered 500");
	expect_line(jat(lines, 2), d, 1, "pending", 500, "the endpoint answered 500");
	EXPECT_STR(jat(lines, 0), "event_type", "webhook.test");
	EXPECT(jhas(jat(lines, 0), "event_id") && !jget(jat(lines, 0), "event_id"),
	       "a test delivery has no event: %s", json_object_to_json_string(jat(lines, 0)));
	/* ?limit: the newest lines. */
	struct resp *r = hook_api("GET", h.id, "/deliveries?limit=1", NULL);
	struct json_object *page = EXPECT_JSON(r, 200);
	int64_t n = 0;
	EXPECT(jlen(page) == 1 && jint(jat(page, 0), "attempt", &n) && n == 3,
	       "limit=1: the newest attempt: %s", resp_summary(r));
	resp_free(r);
	expect_quiet(h.path, 3);
	/* A success clears failing_since. */
	o = hook_get(h.id);
	EXPECT(o && jhas(o, "failing_since") && !jget(o, "failing_since"),
	       "failing_since null after a success: %s", json_object_to_json_string(o));
	json_object_put(o);
	json_object_put(lines);
	lines = NULL;

	/* Always 500: the first attempt and the 3 retries of the schedule, then failed. */
	hook_rule(never.path, 500, 0, 0);
	if (!(d2 = post_test(never.id)))
		goto out;
	same_message(never.path, 4, d2, never.secret, at);
	EXPECT(at[1] - at[0] >= 0.25 && at[2] - at[1] >= 0.55 && at[3] - at[2] >= 0.85,
	       "gaps %.3f, %.3f, %.3f s (300, 600, 900 ms at least)", at[1] - at[0],
	       at[2] - at[1], at[3] - at[2]);
	lines = log_wait(never.id, d2, 4, "failed", PATIENCE_S);
	EXPECT(jlen(lines) == 4, "4 attempts logged: %s", json_object_to_json_string(lines));
	expect_line(jat(lines, 0), d2, 4, "failed", 500, "the endpoint answered 500");
	for (int i = 1; i < 4; i++)
		expect_line(jat(lines, (size_t)i), d2, 4 - i, "pending", 500, "answered 500");
	expect_quiet(never.path, 4);
	o = hook_get(never.id);
	EXPECT(o && is_rfc3339_utc(jstr(o, "failing_since")), "failing_since set: %s",
	       json_object_to_json_string(o));
	json_object_put(o);
out:
	json_object_put(lines);
	free(d);
	free(d2);
	hook_drop(&h);
	hook_drop(&never);
}

static void test_redirects_not_followed(void)
{
	struct hook h = { 0 };
	struct json_object *lines = NULL;
	char *elsewhere = hook_unique_path("redirected-to"), *d = NULL;
	if (!get_world() || !hook_new(&h, "redirect", "[\"role.deleted\"]", NULL))
		goto out;
	/* 302 to another path of the receiver, an address the sender may reach: only not
	 * following it keeps the request from there. Then 204. */
	struct json_object *c = json_object_new_object(), *paths = json_object_new_object(),
			   *rule = json_object_new_object();
	char *to = hook_url(elsewhere);
	json_object_object_add(rule, "status", json_object_new_int(302));
	json_object_object_add(rule, "location", json_object_new_string(to ? to : ""));
	json_object_object_add(rule, "count", json_object_new_int(1));
	json_object_object_add(paths, h.path, rule);
	json_object_object_add(c, "paths", paths);
	hook_rule_json(json_object_to_json_string(c));
	json_object_put(c);
	free(to);

	if (!(d = post_test(h.id)))
		goto out;
	lines = log_wait(h.id, d, 2, "succeeded", PATIENCE_S);
	expect_line(jat(lines, 1), d, 1, "pending", 302, "answered 302");
	expect_line(jat(lines, 0), d, 2, "succeeded", 204, NULL);
	expect_quiet(h.path, 2);
	EXPECT(hook_count(elsewhere) == 0, "the redirect was followed: %d requests to %s",
	       hook_count(elsewhere), elsewhere);
out:
	json_object_put(lines);
	free(d);
	free(elsewhere);
	hook_drop(&h);
}

static void test_timeout_and_long_answer(void)
{
	struct hook slow = { 0 }, longer = { 0 };
	struct json_object *lines = NULL;
	char *d = NULL, *d2 = NULL;
	int64_t ms = 0;
	if (!get_world() || !hook_new(&slow, "slow", "[\"role.deleted\"]", NULL) ||
	    !hook_new(&longer, "long-answer", "[\"role.deleted\"]", NULL))
		goto out;
	/* 11 s for the first request: past the 10 s an attempt may take. */
	hook_rule(slow.path, 204, 11000, 1);
	if (!(d = post_test(slow.id)))
		goto out;
	lines = log_wait(slow.id, d, 2, "succeeded", 10 + 2 * PATIENCE_S);
	expect_line(jat(lines, 1), d, 1, "pending", 0, "did not answer in time");
	EXPECT(jint(jat(lines, 1), "duration_ms", &ms) && ms >= 9500 && ms < 11000,
	       "the attempt gave up after about 10 s: %lld ms", (long long)ms);
	expect_line(jat(lines, 0), d, 2, "succeeded", 204, NULL);
	EXPECT(hook_count(slow.path) == 2, "%d requests, not 2", hook_count(slow.path));
	json_object_put(lines);
	lines = NULL;

	/* 300 KB of answer: more than the 256 KiB the sender reads, still a 200. */
	struct json_object *c = json_object_new_object(), *paths = json_object_new_object(),
			   *rule = json_object_new_object();
	json_object_object_add(rule, "status", json_object_new_int(200));
	json_object_object_add(rule, "body_bytes", json_object_new_int(300000));
	json_object_object_add(paths, longer.path, rule);
	json_object_object_add(c, "paths", paths);
	hook_rule_json(json_object_to_json_string(c));
	json_object_put(c);
	if (!(d2 = post_test(longer.id)))
		goto out;
	lines = log_wait(longer.id, d2, 1, NULL, PATIENCE_S);
	EXPECT(jlen(lines) >= 1, "an attempt logged");
	expect_line(jat(lines, 0), d2, 1, "succeeded", 200, NULL);
	expect_quiet(longer.path, 1);
out:
	json_object_put(lines);
	free(d);
	free(d2);
	hook_drop(&slow);
	hook_drop(&longer);
}

/* POST /rotate-secret: the new secret (malloc'd), checked, or NULL. */
static char *rotate(const struct hook *h)
{
	struct resp *r = hook_api("POST", h->id, "/rotate-secret", NULL);
	struct json_object *o = EXPECT_JSON(r, 201);
	char *secret = NULL;
	if (o) {
		char *url = hook_url(h->path);
		expect_webhook(o, url, true);
		EXPECT_STR(o, "id", h->id);
		free(url);
		if (jstr(o, "secret")) {
			secret = xstrdup(jstr(o, "secret"));
			remember_shown(secret);
		}
	}
	resp_free(r);
	return secret;
}

/* A test delivery of h and what check_signature.py says of it under the n secrets
 * (json_object_put it); the request into *got when got is not NULL. */
static struct json_object *test_and_check(const struct hook *h, const char *const *secrets,
					  size_t n, struct json_object **got)
{
	char *d = post_test(h->id);
	struct json_object *q = d ? wait_msg(h->path, d, 1, PATIENCE_S) : NULL;
	struct json_object *c = q ? hook_check(q, secrets, n) : NULL;
	free(d);
	if (got)
		*got = q;
	else
		json_object_put(q);
	return c;
}

static void test_rotation_signs_with_both(void)
{
	struct hook h = { 0 };
	char *second = NULL, *third = NULL;
	struct json_object *c = NULL, *q = NULL;
	if (!get_world() || !hook_new(&h, "rotated", "[\"role.deleted\"]", NULL))
		goto out;
	const char *before[] = { h.secret, NOBODYS_SECRET };
	c = test_and_check(&h, before, 2, NULL);
	matched_is(c, "[0]");
	EXPECT(jlen(jarr(c, "signatures")) == 1, "one signature before a rotation");
	json_object_put(c);

	if (!(second = rotate(&h)))
		goto out;
	EXPECT(strcmp(second, h.secret) != 0, "a new secret");
	struct json_object *o = hook_get(h.id);
	if (o)
		expect_webhook(o, NULL, false);
	json_object_put(o);
	/* New and old both sign; nobody's does not. */
	const char *both[] = { second, h.secret, NOBODYS_SECRET };
	c = test_and_check(&h, both, 3, &q);
	matched_is(c, "[0,1]");
	EXPECT(jlen(jarr(c, "signatures")) == 2 && jlen(jarr(c, "others")) == 0,
	       "two v1 signatures: %s", json_object_to_json_string(c));
	/* The new secret's first: the header with its first entry alone verifies under it. */
	const char *sig = hook_header(q, "webhook-signature");
	const char *space = sig ? strchr(sig, ' ') : NULL;
	if (EXPECT(space != NULL, "webhook-signature: %s", sig ? sig : "(none)")) {
		struct json_object *copy = NULL;
		json_object_deep_copy(q, &copy, NULL);
		char *first = xstrndup(sig, (size_t)(space - sig));
		json_object_object_add(jget(copy, "headers"), "webhook-signature",
				       json_object_new_string(first));
		const char *only_new[] = { second, h.secret };
		struct json_object *c1 = hook_check(copy, only_new, 2);
		matched_is(c1, "[0]");
		json_object_put(c1);
		json_object_put(copy);
		free(first);
	}
	json_object_put(q);
	q = NULL;
	json_object_put(c);

	/* Rotated again: the newest two sign, the first no longer. */
	if (!(third = rotate(&h)))
		goto out;
	const char *three[] = { third, second, h.secret };
	c = test_and_check(&h, three, 3, NULL);
	matched_is(c, "[0,1]");
	json_object_put(c);

	/* After its 24 h (moved to the past by the database's owner), the previous secret
	 * signs no more. */
	PGconn *db = owner_db();
	if (!db)
		goto out;
	const char *params[] = { h.id };
	PGresult *res = pg_run(db, "UPDATE webhooks.subscriptions SET previous_until = now() - "
				   "interval '1 second' WHERE id = $1",
			       1, params);
	EXPECT(pg_touched(res) == 1, "previous_until moved: %s", pg_error(res));
	PQclear(res);
	c = test_and_check(&h, three, 3, NULL);
	matched_is(c, "[0]");
	EXPECT(jlen(jarr(c, "signatures")) == 1, "one signature once the overlap is over: %s",
	       json_object_to_json_string(c));
	json_object_put(c);
out:
	free(second);
	free(third);
	hook_drop(&h);
}

/* POST tail of webhook id once the delivery's job is over: the log line of an attempt
 * is written a moment before its job is marked done, and a replay while the job is
 * there is a 409. The last response. */
static struct resp *replay_when_done(const char *id, const char *tail)
{
	struct resp *r = NULL;
	for (int i = 0; i < 50; i++) {
		resp_free(r);
		r = hook_api("POST", id, tail, NULL);
		if (r->status != 409)
			break;
		sleep_ms(100);
	}
	return r;
}

static void test_replay(void)
{
	struct hook h = { 0 }, other = { 0 }, since = { 0 };
	struct json_object *q1 = NULL, *q2 = NULL, *lines = NULL;
	char *d = NULL, *d_other = NULL, *path = NULL, *r1 = NULL, *r2 = NULL;
	char at[32], body[64];
	if (!get_world() || !hook_new(&h, "replayed", "[\"role.deleted\"]", NULL) ||
	    !hook_new(&other, "replay-other", "[\"role.deleted\"]", NULL) ||
	    !(d = post_test(h.id)) || !(d_other = post_test(other.id)))
		goto out;
	q1 = wait_msg(h.path, d, 1, PATIENCE_S);
	json_object_put(log_wait(h.id, d, 1, "succeeded", PATIENCE_S));
	json_object_put(log_wait(other.id, d_other, 1, "succeeded", PATIENCE_S));

	/* One delivery again: its webhook-id and bytes, signed anew. The receiver takes its
	 * time, so a second replay finds the job still there. */
	hook_rule(h.path, 204, 1500, 1);
	path = xasprintf("/deliveries/%s/replay", d);
	struct resp *r = replay_when_done(h.id, path);
	struct json_object *o = EXPECT_JSON(r, 202);
	EXPECT_STR(o, "delivery_id", d);
	resp_free(r);
	r = hook_api("POST", h.id, path, NULL);
	EXPECT_PROBLEM(r, 409, "conflict", NULL);
	resp_free(r);
	q2 = wait_msg(h.path, d, 2, PATIENCE_S);
	if (q1 && q2) {
		EXPECT(jstr(q2, "body_b64") && !strcmp(jstr(q2, "body_b64"), jstr(q1, "body_b64")),
		       "a replay sends the same bytes");
		expect_signed(q2, h.secret);
	}
	lines = log_wait(h.id, d, 2, "succeeded", PATIENCE_S);
	expect_line(jat(lines, 0), d, 2, "succeeded", 204, NULL);
	expect_line(jat(lines, 1), d, 1, "succeeded", 204, NULL);
	expect_quiet(h.path, 2);

	/* A delivery nobody made, and another webhook's: 404. */
	char unknown[37];
	random_uuid(unknown);
	free(path);
	path = xasprintf("/deliveries/%s/replay", unknown);
	r = hook_api("POST", h.id, path, NULL);
	EXPECT_PROBLEM(r, 404, "not-found", "Delivery not found");
	resp_free(r);
	free(path);
	path = xasprintf("/deliveries/%s/replay", d_other);
	r = hook_api("POST", h.id, path, NULL);
	EXPECT_PROBLEM(r, 404, "not-found", "Delivery not found");
	resp_free(r);
	EXPECT(hook_count(other.path) == 1, "the other webhook got its delivery once: %d",
	       hook_count(other.path));

	/* Everything since a time: both deliveries made since, and they come again. */
	long t0 = now_s() - 1;
	char *n1 = fx_unique("replay"), *n2 = fx_unique("replay");
	if (hook_new(&since, "replay-since", "[\"role.*\"]", NULL)) {
		r1 = role_new(n1);
		r2 = role_new(n2);
	}
	free(n1);
	free(n2);
	if (!r1 || !r2)
		goto out;
	json_object_put(lines);
	lines = log_wait(since.id, NULL, 2, NULL, PATIENCE_S);
	EXPECT(hook_count(since.path) == 2, "2 deliveries, not %d", hook_count(since.path));
	/* Their jobs done (a delivery whose job is still there is not queued again). */
	sleep_ms(1000);
	rfc3339(t0, at);
	snprintf(body, sizeof(body), "{\"since\":\"%s\"}", at);
	r = hook_api("POST", since.id, "/replay", body);
	o = EXPECT_JSON(r, 202);
	int64_t n = -1;
	EXPECT(jint(o, "replayed", &n) && n == 2, "replayed 2: %s", resp_summary(r));
	resp_free(r);
	for (size_t i = 0; i < jlen(lines) && i < 2; i++) {
		const char *id = jstr(jat(lines, i), "id");
		struct json_object *q = wait_msg(since.path, id, 2, PATIENCE_S);
		if (q)
			expect_signed(q, since.secret);
		json_object_put(q);
	}
	expect_quiet(since.path, 4);
	/* Since now: the deliveries were made over a second ago, none is replayed. */
	rfc3339(now_s(), at);
	snprintf(body, sizeof(body), "{\"since\":\"%s\"}", at);
	r = hook_api("POST", since.id, "/replay", body);
	o = EXPECT_JSON(r, 202);
	EXPECT(jint(o, "replayed", &n) && n == 0, "replayed none since now: %s", resp_summary(r));
	resp_free(r);
	/* Since a time to come: refused. */
	rfc3339(now_s() + 3600, at);
	snprintf(body, sizeof(body), "{\"since\":\"%s\"}", at);
	r = hook_api("POST", since.id, "/replay", body);
	EXPECT_PROBLEM(r, 422, "validation-error", NULL);
	EXPECT_FIELD_ERROR(r, "since");
	resp_free(r);
	expect_quiet(since.path, 4);
out:
	hook_drop(&h);
	hook_drop(&other);
	hook_drop(&since);
	if (r1)
		role_delete(r1);
	if (r2)
		role_delete(r2);
	json_object_put(lines);
	json_object_put(q1);
	json_object_put(q2);
	free(r1);
	free(r2);
	free(d);
	free(d_other);
	free(path);
}

static void test_auto_disable(void)
{
	struct hook h = { 0 };
	struct json_object *q = NULL, *o = NULL, *lines = NULL, *events = NULL;
	char *d2 = NULL, *d3 = NULL, *d4 = NULL, *role = NULL, *query = NULL;
	bool active = false;
	if (!get_world())
		return;
	/* Failing from the first request on: its own webhook.created. Not "*": the chain's
	 * checkpoints (every second in the tests) would be requests of their own here, and the
	 * counting below takes every request for an attempt of the first delivery. */
	h.path = hook_unique_path("disabled");
	hook_rule(h.path, 500, 0, 0);
	if (!hook_new(&h, NULL, "[\"webhook.*\",\"role.created\"]", NULL) ||
	    !(q = hook_wait(h.path, 1, PATIENCE_S)))
		goto out;
	double first = received_at(q);
	json_object_put(log_wait(h.id, NULL, 1, NULL, PATIENCE_S));
	o = hook_get(h.id);
	EXPECT(o && jbool(o, "is_active", &active) && active &&
		       is_rfc3339_utc(jstr(o, "failing_since")),
	       "failing but not for 3 s: active, failing_since set: %s",
	       json_object_to_json_string(o));
	json_object_put(o);
	o = NULL;

	/* VS_WEBHOOK_DISABLE_AFTER_S=3 (and a second for failing_since's rounding) later, the
	 * next failed attempt disables it. */
	double wait = first + 4.5 - wall_now();
	if (wait > 0)
		sleep_ms((long)(wait * 1000));
	/* The first delivery's 4 attempts take about 1.8 s: it is still active, unless a slow
	 * runner stretched them past 3 s (then its last attempt disabled it). */
	o = hook_get(h.id);
	bool disabled_first = o && jbool(o, "is_active", &active) && !active;
	json_object_put(o);
	o = NULL;
	if (disabled_first) {
		struct json_object *q4 = hook_wait(h.path, 4, 0);
		EXPECT(received_at(q4) - first >= 2.0,
		       "disabled after %.3f s of failures only", received_at(q4) - first);
		json_object_put(q4);
	}
	if (!(d2 = post_test(h.id)))
		goto out;
	for (int i = 0; i < 100; i++) {
		json_object_put(o);
		o = hook_get(h.id);
		if (!o || (jbool(o, "is_active", &active) && !active))
			break;
		sleep_ms(100);
	}
	EXPECT(o && jbool(o, "is_active", &active) && !active &&
		       is_rfc3339_utc(jstr(o, "failing_since")),
	       "disabled, failing_since set: %s", json_object_to_json_string(o));
	json_object_put(o);
	o = NULL;
	/* Audited in the tenant's chain, by nobody. */
	query = xasprintf("action=webhook.disabled&resource_id=%s", h.id);
	events = audit_events(query, 1);
	struct json_object *e = jat(events, 0);
	bool from = false, to = true;
	EXPECT(jlen(events) == 1, "one webhook.disabled: %s", json_object_to_json_string(events));
	if (e) {
		EXPECT_STR(e, "tenant_id", world.tenant_a);
		EXPECT_STR(jget(e, "resource"), "type", "webhook");
		EXPECT(jhas(jget(e, "actor"), "user_id") && !jget(jget(e, "actor"), "user_id"),
		       "disabled by nobody: %s", json_object_to_json_string(e));
		struct json_object *ch = jget(jget(e, "changes"), "is_active");
		EXPECT(jbool(ch, "from", &from) && from && jbool(ch, "to", &to) && !to,
		       "is_active from true to false: %s", json_object_to_json_string(e));
	}
	/* The delivery whose failure disabled it is not sent again: its next attempt says
	 * why. */
	lines = log_wait(h.id, d2, disabled_first ? 1 : 2, "failed", PATIENCE_S);
	expect_line(jat(lines, 0), d2, disabled_first ? 1 : 2, "failed", 0,
		    "the webhook is disabled");
	if (!disabled_first)
		expect_line(jat(lines, 1), d2, 1, "pending", 500, "answered 500");
	json_object_put(lines);
	lines = NULL;

	/* Nothing for a disabled webhook: no delivery of a new event, and a test delivery is
	 * logged as failed without a request. */
	int before = hook_count(h.path);
	char *name = fx_unique("after-disable");
	role = role_new(name);
	free(name);
	if (!(d3 = post_test(h.id)))
		goto out;
	lines = log_wait(h.id, d3, 1, "failed", PATIENCE_S);
	expect_line(jat(lines, 0), d3, 1, "failed", 0, "the webhook is disabled");
	json_object_put(lines);
	expect_quiet(h.path, before);
	lines = log_lines(h.id, NULL);
	for (size_t i = 0; i < jlen(lines); i++) {
		const char *type = jstr(jat(lines, i), "event_type");
		EXPECT(!type || strcmp(type, "role.created") != 0,
		       "a delivery for an event after the disabling: %s",
		       json_object_to_json_string(jat(lines, i)));
	}
	json_object_put(lines);
	lines = NULL;

	/* Made active again: failing_since cleared, and deliveries go out. */
	hook_rule(h.path, 204, 0, 0);
	struct resp *r = hook_api("PATCH", h.id, NULL, "{\"is_active\":true}");
	o = EXPECT_JSON(r, 200);
	EXPECT(o && jbool(o, "is_active", &active) && active && jhas(o, "failing_since") &&
		       !jget(o, "failing_since"),
	       "active again, failing_since null: %s", resp_summary(r));
	resp_free(r);
	o = NULL;
	if (!(d4 = post_test(h.id)))
		goto out;
	json_object_put(wait_msg(h.path, d4, 1, PATIENCE_S));
	lines = log_wait(h.id, d4, 1, "succeeded", PATIENCE_S);
	expect_line(jat(lines, 0), d4, 1, "succeeded", 204, NULL);
out:
	json_object_put(q);
	json_object_put(o);
	json_object_put(lines);
	json_object_put(events);
	hook_drop(&h);
	if (role)
		role_delete(role);
	free(role);
	free(query);
	free(d2);
	free(d3);
	free(d4);
}

/* The URL of webhook id changed by the database's owner, past the API's checks. */
static bool owner_set_url(PGconn *db, const char *id, const char *url)
{
	const char *params[] = { url, id };
	PGresult *res = pg_run(db, "UPDATE webhooks.subscriptions SET url = $1 WHERE id = $2", 2,
			       params);
	bool ok = EXPECT(pg_touched(res) == 1, "the URL changed as the owner: %s", pg_error(res));
	PQclear(res);
	return ok;
}

/* A webhook whose URL the database's owner set to https://host:port/<its path>, past the
 * API's checks: every attempt refused before a connection, with why, and nothing at the
 * receiver; then the receiver's own URL set back (and the webhook made active again:
 * failing for 3 s may have disabled it), and a delivery arrives on that path. */
static void expect_connect_refused(PGconn *db, const char *host, long port)
{
	struct hook h = { 0 };
	struct json_object *lines = NULL;
	char *d = NULL, *d2 = NULL, *bad = NULL, *back = NULL;
	if (!hook_new(&h, "ssrf-connect", "[\"role.deleted\"]", NULL))
		goto out;
	bad = xasprintf("https://%s:%ld%s", host, port, h.path);
	chk_context("connecting to %s", bad);
	if (!owner_set_url(db, h.id, bad) || !(d = post_test(h.id)))
		goto out;
	lines = log_wait(h.id, d, 4, "failed", PATIENCE_S);
	EXPECT(jlen(lines) == 4, "4 attempts: %s", json_object_to_json_string(lines));
	for (size_t k = 0; k < jlen(lines); k++) {
		expect_line(jat(lines, k), d, 4 - (int64_t)k, k ? "pending" : "failed", 0,
			    REFUSED_LOOPBACK);
		EXPECT_STR(jat(lines, k), "error", REFUSED_LOOPBACK);
	}
	expect_quiet(h.path, 0);
	back = hook_url(h.path);
	if (!owner_set_url(db, h.id, back))
		goto out;
	struct resp *r = hook_api("PATCH", h.id, NULL, "{\"is_active\":true}");
	EXPECT_STATUS(r, 200);
	resp_free(r);
	if ((d2 = post_test(h.id)))
		json_object_put(wait_msg(h.path, d2, 1, PATIENCE_S));
out:
	chk_context(NULL);
	json_object_put(lines);
	free(d);
	free(d2);
	free(bad);
	free(back);
	hook_drop(&h);
}

static void test_ssrf_refusals(void)
{
	struct hook good = { 0 };
	char *good_url = NULL;
	long port = get_world() ? receiver_port() : 0, other = port == 65535 ? port - 1 : port + 1;
	if (!port)
		return;
	char *urls[] = {
		xasprintf("https://127.0.0.1:%ld/", other),
		xasprintf("https://localhost:%ld/", other),
		xasprintf("https://10.1.2.3/"),
		xasprintf("https://169.254.169.254/latest/meta-data"),
		xasprintf("https://[::1]:%ld/", port),
		xasprintf("https://[::ffff:127.0.0.1]/"),
		xasprintf("https://[::ffff:7f00:1]/"),
		xasprintf("https://192.168.1.1/"),
		xasprintf("https://172.16.0.1/"),
		xasprintf("https://100.64.0.1/"),
		xasprintf("https://0.0.0.0:%ld/", port),
		xasprintf("https://[::]:%ld/", port),
		xasprintf("https://[fe80::1]/"),
		xasprintf("https://[fd00:ec2::254]/"),
		xasprintf("https://127.1:%ld/", other), /* 127.0.0.1 written short */
		xasprintf("https://2130706433:%ld/", other), /* and as one number */
		xasprintf("https://0x7f.0.0.1:%ld/", other),
		xasprintf("https://[::127.0.0.1]:%ld/", port),	   /* IPv4-compatible */
		xasprintf("https://[64:ff9b::7f00:1]:%ld/", port), /* NAT64 */
		xasprintf("https://[2002:7f00:1::]:%ld/", port),   /* 6to4 */
		xasprintf("https://[::ffff:a9fe:a9fe]/"),	   /* mapped metadata address */
		xasprintf("https://127.0.0.1:%ld/a\\r\\nX-Injected: 1", port),
		xasprintf("ftp://127.0.0.1:%ld/", port),
		xasprintf("http://127.0.0.1:%ld/", port),
		xasprintf("https://user:pw@127.0.0.1:%ld/", port),
		xasprintf("https://@127.0.0.1:%ld/", port),
	};
	const size_t nurls = sizeof(urls) / sizeof(urls[0]);

	struct resp *r = api("GET", "/api/v1/webhooks", NULL);
	long total_before = -1, total_after = -1;
	EXPECT_COUNTED_ARRAY(r, &total_before);
	resp_free(r);
	for (size_t i = 0; i < nurls; i++) {
		char *body = xasprintf("{\"url\":\"%s\",\"event_types\":[\"*\"]}", urls[i]);
		chk_context("POST %s", urls[i]);
		r = api("POST", "/api/v1/webhooks", body);
		if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
			EXPECT_STR(jat(jarr(resp_json(r), "errors"), 0), "field", "url");
		resp_free(r);
		free(body);
	}
	chk_context(NULL);
	r = api("GET", "/api/v1/webhooks", NULL);
	EXPECT_COUNTED_ARRAY(r, &total_after);
	EXPECT(total_after == total_before, "no webhook made: %ld, then %ld", total_before,
	       total_after);
	resp_free(r);

	/* The same at PATCH: refused, the URL as it was. */
	if (!hook_new(&good, "ssrf-patch", "[\"role.deleted\"]", NULL))
		goto out;
	good_url = hook_url(good.path);
	for (size_t i = 0; i < nurls; i++) {
		char *body = xasprintf("{\"url\":\"%s\"}", urls[i]);
		chk_context("PATCH %s", urls[i]);
		r = hook_api("PATCH", good.id, NULL, body);
		if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
			EXPECT_STR(jat(jarr(resp_json(r), "errors"), 0), "field", "url");
		resp_free(r);
		free(body);
	}
	chk_context(NULL);
	struct json_object *o = hook_get(good.id);
	if (o)
		EXPECT_STR(o, "url", good_url);
	json_object_put(o);

	/* At connect time: URLs the API would refuse, put in the database by its owner. */
	PGconn *db = owner_db();
	if (!db)
		goto out;
	/* 127.0.0.2; and 127.0.0.1 as an IPv4-mapped IPv6 address, which reaches the
	 * receiver's socket but is not the allowed 127.0.0.1:<port> (another family). */
	expect_connect_refused(db, "127.0.0.2", port);
	expect_connect_refused(db, "[::ffff:127.0.0.1]", port);
out:
	chk_context(NULL);
	for (size_t i = 0; i < nurls; i++)
		free(urls[i]);
	free(good_url);
	hook_drop(&good);
}

static void test_bad_input_and_other_tenants(void)
{
	struct hook h = { 0 }, longest = { 0 };
	char *hb = NULL, *url = NULL, *long500 = NULL, *long501 = NULL;
	if (!get_world() || !hook_new(&h, "bad-input", "[\"role.deleted\"]", NULL))
		goto out;
	url = hook_url(h.path);
	/* 501 characters; and 500 that take 1000 bytes (é): the limit counts characters. */
	char *filler = xmalloc(1001);
	memset(filler, 'd', 501);
	filler[501] = '\0';
	long501 = xasprintf("\"description\":\"%s\"", filler);
	for (int i = 0; i < 500; i++)
		memcpy(filler + 2 * i, "\xc3\xa9", 2);
	filler[1000] = '\0';
	long500 = xasprintf("\"description\":\"%s\"", filler);
	free(filler);
	static const struct {
		const char *types, *field;
	} bad_types[] = {
		{ "[]", "event_types" },
		{ "[\"user.exploded\"]", "event_types" },
		{ "[\"nothing.*\"]", "event_types" },
		{ "[\"role\"]", "event_types" },
		{ "[\"role.created\",\"\"]", "event_types" },
		{ "\"*\"", "event_types" },
		{ "[1]", "event_types" },
	};
	for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		char *body = xasprintf("{\"url\":\"%s\",\"event_types\":%s}", url,
				       bad_types[i].types);
		chk_context("event_types %s", bad_types[i].types);
		struct resp *r = api("POST", "/api/v1/webhooks", body);
		if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
			EXPECT_FIELD_ERROR(r, bad_types[i].field);
		resp_free(r);
		free(body);
		/* And at PATCH. */
		body = xasprintf("{\"event_types\":%s}", bad_types[i].types);
		r = hook_api("PATCH", h.id, NULL, body);
		if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
			EXPECT_FIELD_ERROR(r, bad_types[i].field);
		resp_free(r);
		free(body);
	}
	chk_context(NULL);
	/* At most 64 event types. */
	char *many = xstrdup("[\"*\"");
	for (int i = 1; i < 65; i++) {
		char *more = xasprintf("%s,\"*\"", many);
		free(many);
		many = more;
	}
	char *body65 = xasprintf("{\"url\":\"%s\",\"event_types\":%s]}", url, many);
	struct resp *r = api("POST", "/api/v1/webhooks", body65);
	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "event_types");
	resp_free(r);
	free(body65);
	free(many);
	r = api("POST", "/api/v1/webhooks", "{\"event_types\":[\"*\"]}");
	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "url");
	resp_free(r);
	/* A URL of more than 2048 bytes. */
	char *pad = xmalloc(2050);
	memset(pad, 'q', 2049);
	pad[2049] = '\0';
	char *body = xasprintf("{\"url\":\"%s?%.*s\",\"event_types\":[\"*\"]}", url,
			       (int)(2049 - strlen(url) - 1), pad);
	free(pad);
	r = api("POST", "/api/v1/webhooks", body);
	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "url");
	resp_free(r);
	free(body);
	body = xasprintf("{\"url\":\"%s\"}", url);
	r = api("POST", "/api/v1/webhooks", body);
	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "event_types");
	resp_free(r);
	free(body);
	/* 500 characters of description are fine, 501 are not. */
	body = xasprintf("{\"url\":\"%s\",\"event_types\":[\"*\"],%s}", url, long501);
	r = api("POST", "/api/v1/webhooks", body);
	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "description");
	resp_free(r);
	free(body);
	body = xasprintf("{%s}", long501);
	r = hook_api("PATCH", h.id, NULL, body);
	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "description");
	resp_free(r);
	free(body);
	if (hook_new(&longest, "longest", "[\"role.deleted\"]", long500)) {
		struct json_object *o = hook_get(longest.id);
		const char *desc = jstr(o, "description");
		EXPECT(desc && strlen(desc) == 1000 && !strncmp(desc, "\xc3\xa9", 2),
		       "500 characters (1000 bytes) of description kept");
		json_object_put(o);
	}
	/* The log's page: 1 to 200 lines. */
	static const char *const bad_limits[] = { "0", "201", "-1", "x" };
	for (size_t i = 0; i < sizeof(bad_limits) / sizeof(bad_limits[0]); i++) {
		char *tail = xasprintf("/deliveries?limit=%s", bad_limits[i]);
		chk_context("%s", tail);
		r = hook_api("GET", h.id, tail, NULL);
		if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
			EXPECT_FIELD_ERROR(r, "limit");
		resp_free(r);
		free(tail);
	}
	chk_context(NULL);
	/* Without X-Tenant-ID: which tenant's would it be? */
	r = req("GET", "/api/v1/webhooks", rw_token(&world, P_TADMIN), NULL, NULL);
	EXPECT_PROBLEM(r, 400, "bad-request", "X-Tenant-ID header is required.");
	resp_free(r);
	/* A tenant the caller is no member of. */
	r = req("GET", "/api/v1/webhooks", rw_token(&world, P_TADMIN), world.tenant_b, NULL);
	EXPECT_PROBLEM(r, 403, "forbidden", NULL);
	resp_free(r);

	/* Tenant B's webhook, made by B's admin, is not there for A. */
	body = xasprintf("{\"url\":\"%s\",\"event_types\":[\"role.deleted\"],"
			 "\"description\":\"tenant B's\"}",
			 url);
	r = req("POST", "/api/v1/webhooks", rw_token(&world, P_OTHER), world.tenant_b, body);
	free(body);
	struct json_object *o = EXPECT_JSON(r, 201);
	hb = o && jstr(o, "id") ? xstrdup(jstr(o, "id")) : NULL;
	if (o && jstr(o, "secret"))
		remember_shown(jstr(o, "secret"));
	if (o && jstr(o, "tenant_id"))
		EXPECT_STR(o, "tenant_id", world.tenant_b);
	resp_free(r);
	if (!hb)
		goto out;
	static const struct {
		const char *method, *tail, *body;
	} calls[] = {
		{ "GET", "", NULL },
		{ "PATCH", "", "{\"description\":\"taken over\"}" },
		{ "DELETE", "", NULL },
		{ "POST", "/test", NULL },
		{ "GET", "/deliveries", NULL },
		{ "POST", "/rotate-secret", NULL },
		{ "POST", "/replay", "{\"since\":\"2020-01-01T00:00:00Z\"}" },
		{ "POST", "/deliveries/00000000-0000-4000-8000-000000000000/replay", NULL },
	};
	char none[37];
	random_uuid(none);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		/* B's webhook seen from A, and an id nobody has. */
		const char *ids[] = { hb, none };
		for (size_t k = 0; k < 2; k++) {
			chk_context("%s %s%s", calls[i].method, k ? "a random id" : "B's webhook",
				    calls[i].tail);
			r = hook_api(calls[i].method, ids[k], calls[i].tail, calls[i].body);
			EXPECT_PROBLEM(r, 404, "not-found", NOT_FOUND);
			resp_free(r);
		}
		/* A malformed id. */
		chk_context("%s a malformed id%s", calls[i].method, calls[i].tail);
		r = hook_api(calls[i].method, "not-a-uuid", calls[i].tail, calls[i].body);
		EXPECT_PROBLEM(r, 400, "bad-request", NULL);
		resp_free(r);
	}
	chk_context(NULL);
	r = hook_api("POST", h.id, "/deliveries/not-a-uuid/replay", NULL);
	EXPECT_PROBLEM(r, 400, "bad-request", NULL);
	resp_free(r);
	/* B's webhook as it was, with nothing sent. */
	char *path = hook_path(hb, NULL);
	r = req("GET", path, rw_token(&world, P_OTHER), world.tenant_b, NULL);
	o = EXPECT_JSON(r, 200);
	if (o) {
		EXPECT_STR(o, "description", "tenant B's");
		EXPECT_STR(o, "url", url);
	}
	resp_free(r);
	free(path);
	path = hook_path(hb, "/deliveries");
	r = req("GET", path, rw_token(&world, P_OTHER), world.tenant_b, NULL);
	o = EXPECT_JSON(r, 200);
	EXPECT(o && json_object_is_type(o, json_type_array) && jlen(o) == 0,
	       "B's webhook sent nothing: %s", resp_summary(r));
	resp_free(r);
	free(path);
	path = hook_path(hb, NULL);
	r = req("DELETE", path, rw_token(&world, P_OTHER), world.tenant_b, NULL);
	EXPECT_STATUS(r, 204);
	resp_free(r);
	free(path);
out:
	chk_context(NULL);
	free(hb);
	free(url);
	free(long500);
	free(long501);
	hook_drop(&h);
	hook_drop(&longest);
}

static void test_delete(void)
{
	struct hook h = { 0 };
	struct json_object *events = NULL;
	char *role = NULL, *query = NULL, *id = NULL;
	if (!get_world())
		return;
	/* Always failing, so that retries are due when it goes. Not "*": audit.checkpoint
	 * deliveries would come at their own pace. */
	h.path = hook_unique_path("deleted");
	hook_rule(h.path, 500, 0, 0);
	if (!hook_new(&h, NULL, "[\"webhook.created\",\"role.created\",\"role.deleted\"]", NULL))
		goto out;
	json_object_put(hook_wait(h.path, 1, PATIENCE_S));
	struct resp *r = hook_api("DELETE", h.id, NULL, NULL);
	EXPECT_STATUS(r, 204);
	EXPECT(r->len == 0, "204 without a body");
	resp_free(r);
	id = h.id;
	h.id = NULL; /* gone: hook_drop need not */
	int sent = hook_count(h.path);

	static const struct {
		const char *method, *tail, *body;
	} calls[] = {
		{ "GET", "", NULL },
		{ "DELETE", "", NULL },
		{ "PATCH", "", "{\"is_active\":true}" },
		{ "POST", "/test", NULL },
		{ "GET", "/deliveries", NULL },
		{ "POST", "/rotate-secret", NULL },
	};
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		chk_context("%s %s after DELETE", calls[i].method, calls[i].tail);
		r = hook_api(calls[i].method, id, calls[i].tail, calls[i].body);
		EXPECT_PROBLEM(r, 404, "not-found", NOT_FOUND);
		resp_free(r);
	}
	chk_context(NULL);
	r = api("GET", "/api/v1/webhooks", NULL);
	struct json_object *items = EXPECT_COUNTED_ARRAY(r, NULL);
	EXPECT(items && jarr_find_id(items, id) < 0, "the list without it: %s", resp_summary(r));
	resp_free(r);
	query = xasprintf("action=webhook.deleted&resource_id=%s", id);
	events = audit_events(query, 1);
	EXPECT(jlen(events) == 1, "webhook.deleted audited: %s",
	       json_object_to_json_string(events));

	/* No more requests: not the retries that were due (one may have been under way when
	 * it went), not new events (a role made and removed). */
	char *name = fx_unique("after-delete");
	role = role_new(name);
	free(name);
	if (role)
		role_delete(role);
	sleep_ms(QUIET_MS);
	int after = hook_count(h.path);
	EXPECT(after <= sent + 1, "%d requests after the DELETE (%d before)", after, sent);
	expect_quiet(h.path, after);
	EXPECT(after < 4, "the retries stopped: %d requests", after);
out:
	json_object_put(events);
	free(role);
	free(query);
	free(id);
	hook_drop(&h);
}

/* s is n lowercase hex digits. */
static bool lower_hex(const char *s, size_t n)
{
	return s && strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

static void test_checkpoint_event(void)
{
	struct hook h = { 0 };
	struct json_object *q = NULL, *b = NULL;
	char *name = NULL, *role = NULL;
	if (!get_world() || !hook_new(&h, "checkpoint", "[\"audit.checkpoint\"]", NULL))
		goto out;
	/* A change moves the head of A's chain; vs-worker signs it within
	 * VS_AUDIT_CHECKPOINT_SECONDS (1 s in the run) and sends the checkpoint. */
	name = fx_unique("checkpointed");
	role = role_new(name);
	if (!role || !(q = wait_type(h.path, "audit.checkpoint", 1, PATIENCE_S)))
		goto out;
	expect_signed(q, h.secret);
	b = body_of(q);
	struct json_object *data = jget(b, "data");
	const char *body = jstr(q, "body");
	int64_t seq = 0;
	EXPECT_STR(data, "tenant_id", world.tenant_a);
	EXPECT(jint(data, "seq", &seq) && seq > 0, "seq: %s", body);
	EXPECT(lower_hex(jstr(data, "hash"), 64) && lower_hex(jstr(data, "public_key"), 64) &&
		       lower_hex(jstr(data, "signature"), 128),
	       "hash, public_key (Ed25519) and signature in hex: %s", body);
	EXPECT(is_rfc3339_utc(jstr(data, "signed_at")), "signed_at: %s", body);
	/* The checkpoint GET /audit-logs/checkpoints shows, field for field. */
	struct resp *r = api("GET", "/api/v1/audit-logs/checkpoints?limit=100", NULL);
	struct json_object *items = EXPECT_JSON(r, 200), *cp = NULL;
	for (size_t i = 0; i < jlen(items) && !cp; i++) {
		int64_t s2 = 0;
		if (jint(jat(items, i), "seq", &s2) && s2 == seq)
			cp = jat(items, i);
	}
	if (EXPECT(cp != NULL, "checkpoint of seq %lld in %s", (long long)seq, resp_summary(r))) {
		static const char *const same[] = { "tenant_id", "hash", "signed_at", "public_key",
						    "signature" };
		for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
			EXPECT_STR(data, same[i], jstr(cp, same[i]) ? jstr(cp, same[i]) : "?");
	}
	resp_free(r);
	/* Nothing but checkpoints: not the role.created that moved the head. */
	sleep_ms(QUIET_MS);
	EXPECT(count_except(h.path, "audit.checkpoint") == 0,
	       "an audit.checkpoint subscription got %d other requests",
	       count_except(h.path, "audit.checkpoint"));
out:
	json_object_put(b);
	json_object_put(q);
	hook_drop(&h);
	if (role)
		role_delete(role);
	free(role);
	free(name);
}

/* Whether text holds one of the secrets shown (its key part, the base64 after whsec_). */
static bool holds_shown(const char *text, size_t len, size_t *which)
{
	for (size_t i = 0; text && i < nshown; i++)
		if (contains(text, len, shown[i] + 6)) {
			*which = i;
			return true;
		}
	return false;
}

static void test_secrets_kept_nowhere_else(void)
{
	PGconn *db = get_world() ? owner_db() : NULL;
	char *dir = NULL;
	size_t which = 0, files = 0;
	if (!db)
		return;
	EXPECT(nshown >= 10, "only %zu secrets shown; the check would be weak", nshown);
	/* The audit events of A (webhook.created, secret_rotated, …: changes never hold a
	 * secret), and so the bodies of their deliveries. */
	const char *params[] = { world.tenant_a };
	PGresult *res = pg_run(db, "SELECT canonical FROM audit.events WHERE tenant_id = $1", 1,
			       params);
	EXPECT(pg_succeeded(res) && PQntuples(res) > 20, "the events of A: %s", pg_error(res));
	for (int i = 0; pg_succeeded(res) && i < PQntuples(res); i++) {
		const char *c = PQgetvalue(res, i, 0);
		EXPECT(!holds_shown(c, strlen(c), &which), "an audit event holds secret #%zu: %s",
		       which, c);
	}
	PQclear(res);
	/* The stack's logs: the workers' (the API) and the runners' (the sender). */
	dir = xasprintf("%s/logs", fx.cfg.state_dir);
	const char *names[] = { "workers.log", "runners.log", "nginx-access.log" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		size_t len = 0;
		char *text = read_file(path, &len);
		files += text != NULL;
		EXPECT(!holds_shown(text, len, &which), "%s holds secret #%zu", names[i], which);
		free(text);
		free(path);
	}
	EXPECT(files >= 2, "the logs under %s to look at", dir);
	free(dir);
}

/* webhooks.prune (vs-worker runs it with the jobs' retention): a delivery done longer ago
 * than the retention goes with its attempts; a recent one, and one still pending however
 * old, stay. Aged by hand as the owner. */
static void test_prune_keeps_the_log_for_the_retention(void)
{
	struct hook h = { 0 };
	struct json_object *lines = NULL;
	char *old = NULL, *recent = NULL, *sql = NULL;
	PGresult *res = NULL;
	if (!get_world())
		return;
	h.path = hook_unique_path("prune");
	if (!hook_new(&h, NULL, "[\"role.deleted\"]", NULL) || !(old = post_test(h.id)))
		goto out;
	json_object_put(log_wait(h.id, old, 1, "succeeded", PATIENCE_S));
	if (!(recent = post_test(h.id)))
		goto out;
	json_object_put(log_wait(h.id, recent, 1, "succeeded", PATIENCE_S));
	PGconn *db = owner_db();
	if (!db)
		goto out;
	/* The old one done 9 days ago; a third, pending and as old, never sent. */
	sql = xasprintf("UPDATE webhooks.deliveries SET updated_at = now() - interval '9 days' "
			"WHERE id = '%s'; INSERT INTO webhooks.deliveries (subscription_id, "
			"tenant_id, event_type, body, updated_at) SELECT id, tenant_id, 'webhook.test', "
			"'{}', now() - interval '9 days' FROM webhooks.subscriptions WHERE id = '%s'",
			old, h.id);
	res = PQexec(db, sql);
	EXPECT(pg_succeeded(res), "aging the deliveries: %s", pg_error(res));
	PQclear(res);
	res = PQexec(db, "SELECT webhooks.prune(8 * 86400, 100000)");
	EXPECT(pg_succeeded(res) && pg_long(res, 0, 0) >= 1, "webhooks.prune removed %ld (%s)",
	       pg_long(res, 0, 0), pg_error(res));
	PQclear(res);
	free(sql);
	sql = xasprintf("SELECT count(*) FILTER (WHERE id = '%s'), count(*) FILTER (WHERE id = '%s'), "
			"count(*) FILTER (WHERE status = 'pending'), (SELECT count(*) FROM "
			"webhooks.attempts WHERE delivery_id = '%s') FROM webhooks.deliveries "
			"WHERE subscription_id = '%s'",
			old, recent, old, h.id);
	res = PQexec(db, sql);
	EXPECT(pg_succeeded(res) && pg_long(res, 0, 0) == 0 && pg_long(res, 0, 1) == 1 &&
		       pg_long(res, 0, 2) == 1 && pg_long(res, 0, 3) == 0,
	       "after prune: old %ld (want 0), recent %ld (1), pending %ld (1), old's attempts "
	       "%ld (0)",
	       pg_long(res, 0, 0), pg_long(res, 0, 1), pg_long(res, 0, 2), pg_long(res, 0, 3));
	PQclear(res);
	res = NULL;
	/* And the API's log shows the recent one only. */
	lines = log_lines(h.id, NULL);
	for (size_t i = 0; i < jlen(lines); i++)
		EXPECT_STR(jat(lines, i), "id", recent);
out:
	json_object_put(lines);
	free(sql);
	free(old);
	free(recent);
	hook_drop(&h);
}

static int add_webhooks_suite(void)
{
	static const struct it_test tests[] = {
		{ "create: 201 with a whsec_ secret shown once; its own webhook.created arrives signed (Python's hmac), the log's id is the webhook-id", test_create_sign_and_deliver },
		{ "event_types: role.* gets role events only, role.deleted only that, an inactive webhook nothing, user.role_* a user's grant in the tenant", test_event_types_filter },
		{ "a rolled-back change sends nothing; N changes send N deliveries, each its own event and webhook-id", test_nothing_for_a_rolled_back_change },
		{ "retries on VS_WEBHOOK_RETRY_MS: 500, 500, 204 is one delivery in 3 attempts; always 500 is failed after 4", test_retries_on_schedule },
		{ "a 302 is a failed attempt: the redirect is not followed", test_redirects_not_followed },
		{ "an endpoint that takes 11 s times out at 10 s and is retried; a 300 KB answer is a success", test_timeout_and_long_answer },
		{ "rotate-secret: the new and the old secret both sign, the new one first; a second rotation drops the first", test_rotation_signs_with_both },
		{ "replay: one delivery again with its webhook-id and bytes (409 while queued), everything since a time, 404s", test_replay },
		{ "failing for 3 s disables a webhook (audited, by nobody), which then gets nothing; PATCH is_active re-enables", test_auto_disable },
		{ "the delivery log: done deliveries past the retention go with their attempts, recent and pending ones stay", test_prune_keeps_the_log_for_the_retention },
		{ "SSRF: private, loopback, link-local, mapped, other schemes and credentials refused at create and PATCH; loopback refused at connect time", test_ssrf_refusals },
		{ "bad input 422, another tenant's webhook and unknown ids 404, malformed ids 400", test_bad_input_and_other_tenants },
		{ "DELETE: 204, then 404 everywhere, and no more requests", test_delete },
		{ "audit.checkpoint: the signed head of the tenant's chain is sent as GET /audit-logs/checkpoints shows it", test_checkpoint_event },
		{ "the secrets shown are in no audit event and no log of the stack", test_secrets_kept_nowhere_else },
		{ NULL, NULL },
	};
	return it_add_suite("webhooks", NULL, suite_cleanup, tests);
}

IT_REGISTER(add_webhooks_suite)
