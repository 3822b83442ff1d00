/* The Jobs API (API.md §6) on jobs made in the database in tenants A and B and on the
 * platform: lists with skip/limit, X-Total-Count and filters, newest first; reading and
 * cancelling only within the tenant (404 across tenants); cancel of a queued job really
 * cancels the row and of any other leaves it as it was (409); job:cancel beyond job:read;
 * platform jobs for superusers only; a job's payload never in a response. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "db_keys.h"
#include "fixtures.h"
#include "http.h"
#include "jobs/db_jobs.h"
#include "json_get.h"
#include "pg_util.h"
#include "rbac_world.h"
#include "suites.h"
#include "util.h"

/* In every job's payload: a response that shows it leaks what a payload may carry. */
#define SECRET "it-job-secret-7f3a9c"
#define PAYLOAD "{\"token\":\"" SECRET "\"}"

enum { QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, B_QUEUED, PLATFORM, NJOBS };

static const char *const statuses[NJOBS] = { "queued", "running", "succeeded", "failed",
					      "cancelled", "queued", "queued" };

static struct {
	struct rbac_world w;
	bool world_tried, world_built;
	PGconn *owner;
	char *kind;     /* this run's own kind, so other jobs never count */
	char *resource; /* what A's queued job is about */
	char *id[NJOBS];
} s;

/* A's five jobs, oldest first (one a minute), then B's and the platform's. */
static bool make_jobs(void)
{
	for (int i = 0; i < NJOBS; i++) {
		const struct db_job j = {
			.tenant = i == B_QUEUED ? s.w.tenant_b : i == PLATFORM ? NULL : s.w.tenant_a,
			.kind = s.kind,
			.status = statuses[i],
			.payload = PAYLOAD,
			.result = i == SUCCEEDED ? "{\"n\": 2, \"sent\": true}" : NULL,
			.last_error = i == FAILED ? "smtp: 550 mailbox unavailable" : NULL,
			.resource_id = i == QUEUED ? s.resource : NULL,
			.age_s = 60 * (NJOBS - i),
		};
		if (!(s.id[i] = db_job_new(s.owner, &j)))
			return false;
	}
	return true;
}

static int suite_init(void)
{
	const char *owner_url = getenv("VS_OWNER_DATABASE_URL");
	char id[37];

	if (!owner_url || !*owner_url) {
		fprintf(stderr, "jobs api: VS_OWNER_DATABASE_URL must be set "
				"(tests/integration/run exports it)\n");
		return -1;
	}
	fx_remember_secret(SECRET);
	s.kind = xasprintf("test.parked_%s", fx.suffix);
	random_uuid(id);
	s.resource = xstrdup(id);
	s.world_tried = true;
	s.world_built = rw_build(&s.w);
	s.owner = s.world_built ? pg_open(owner_url) : NULL;
	return s.owner && make_jobs() ? 0 : -1;
}

static int suite_cleanup(void)
{
	/* A's and B's jobs go with their tenants; the platform's queued one, if a test left it,
	 * is cancelled so that no runner ever takes it (jobs have no DELETE policy). */
	if (s.owner && s.id[PLATFORM]) {
		const char *params[] = { s.id[PLATFORM] };
		db_commit(s.owner,
			  "UPDATE jobs.jobs SET status = 'cancelled', finished_at = now() "
			  "WHERE id = $1 AND status = 'queued'",
			  1, params);
	}
	PQfinish(s.owner);
	if (s.world_tried)
		rw_free(&s.w);
	for (int i = 0; i < NJOBS; i++)
		free(s.id[i]);
	free(s.kind);
	free(s.resource);
	memset(&s, 0, sizeof(s));
	return 0;
}

/* ---- helpers ---- */

static const char *token(enum persona p)
{
	return rw_token(&s.w, p);
}

/* GET /api/v1/jobs?kind=<this run's>&<query> as p in tenant (NULL: no header). */
static struct resp *list(enum persona p, const char *tenant, const char *query)
{
	char *path = xasprintf("/api/v1/jobs?kind=%s%s%s", s.kind, query ? "&" : "",
			       query ? query : "");
	struct resp *r = req("GET", path, token(p), tenant, NULL);

	free(path);
	return r;
}

static struct resp *job_req(const char *method, enum persona p, const char *tenant,
			    const char *id, const char *suffix)
{
	char *path = xasprintf("/api/v1/jobs/%s%s", id, suffix);
	struct resp *r = req(method, path, token(p), tenant, NULL);

	free(path);
	return r;
}

static struct resp *get_job(enum persona p, const char *tenant, const char *id)
{
	return job_req("GET", p, tenant, id, "");
}

static struct resp *cancel_job(enum persona p, const char *tenant, const char *id)
{
	return job_req("POST", p, tenant, id, "/cancel");
}

/* No response shows a payload: neither the member nor what it holds. */
static void expect_no_payload(struct resp *r)
{
	EXPECT(!contains(r->body, r->len, SECRET) && !contains(r->body, r->len, "\"payload\""),
	       "a job's payload is in the response: %s", resp_summary(r));
}

static bool is_time_or_null(struct json_object *o, const char *key)
{
	return jhas(o, key) && (!jget(o, key) || is_rfc3339_utc(jstr(o, key)));
}

/* A Job as API.md §6 lists it, and nothing more. */
static bool expect_job_shape(struct json_object *o)
{
	static const char *const keys[] = { "id", "tenant_id", "kind", "status", "attempts",
					    "max_attempts", "run_at", "created_at", "started_at",
					    "finished_at", "last_error", "result",
					    "resource_type", "resource_id", "created_by" };
	size_t nkeys = sizeof(keys) / sizeof(keys[0]);
	int64_t n;
	bool ok = EXPECT(json_object_is_type(o, json_type_object), "a Job is an object");

	for (size_t i = 0; ok && i < nkeys; i++)
		ok = EXPECT(jhas(o, keys[i]), "a Job has %s: %s", keys[i],
			    json_object_to_json_string(o));
	ok = ok && EXPECT((size_t)json_object_object_length(o) == nkeys,
			  "a Job has exactly the fields of API.md: %s",
			  json_object_to_json_string(o));
	ok = ok && EXPECT(is_uuid(jstr(o, "id")) && is_rfc3339_utc(jstr(o, "run_at")) &&
				  is_rfc3339_utc(jstr(o, "created_at")) &&
				  is_time_or_null(o, "started_at") &&
				  is_time_or_null(o, "finished_at") && jint(o, "attempts", &n) &&
				  jint(o, "max_attempts", &n) && n == 3,
			  "Job field types: %s", json_object_to_json_string(o));
	return ok;
}

/* The ids of a list response, in order, into ids (up to max); their number. */
static size_t ids_of(struct json_object *a, const char **ids, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < jlen(a) && n < max; i++)
		ids[n++] = jstr(jat(a, i), "id");
	return n;
}

static bool same_id(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* ---- lists ---- */

static void test_list_newest_first_with_total_and_no_payload(void)
{
	struct resp *r = list(P_MEMBER, s.w.tenant_a, NULL);
	long total = -1;
	struct json_object *a = EXPECT_COUNTED_ARRAY(r, &total);
	const char *ids[8];

	if (a && EXPECT(total == 5 && jlen(a) == 5, "A has 5 jobs of this kind: %s",
			resp_summary(r))) {
		size_t n = ids_of(a, ids, 8);
		for (size_t i = 0; i < n; i++) {
			struct json_object *o = jat(a, i);
			expect_job_shape(o);
			EXPECT(same_id(ids[i], s.id[CANCELLED - i]), "item %zu is job %d", i,
			       (int)(CANCELLED - i));
			EXPECT_STR(o, "tenant_id", s.w.tenant_a);
			EXPECT_STR(o, "kind", s.kind);
			EXPECT_STR(o, "status", statuses[CANCELLED - i]);
		}
		struct json_object *failed = jat(a, 1), *succeeded = jat(a, 2), *queued = jat(a, 4);
		EXPECT_STR(failed, "last_error", "smtp: 550 mailbox unavailable");
		const char *stored = "{\"sent\":true,\"n\":2}";
		struct json_object *want = jparse(stored, strlen(stored));
		EXPECT(want && json_object_equal(jget(succeeded, "result"), want),
		       "result is the stored JSON value: %s", json_object_to_json_string(succeeded));
		json_object_put(want);
		EXPECT(!jget(queued, "result") && !jget(queued, "started_at") &&
			       !jget(queued, "finished_at") && !jget(queued, "created_by"),
		       "a queued job has not started: %s", json_object_to_json_string(queued));
		EXPECT_STR(queued, "resource_id", s.resource);
		EXPECT_STR(queued, "resource_type", "test");
	}
	expect_no_payload(r);
	resp_free(r);
}

static void test_list_pages_with_skip_and_limit(void)
{
	struct resp *r = list(P_VIEWER, s.w.tenant_a, "skip=1&limit=2");
	long total = -1;
	struct json_object *a = EXPECT_COUNTED_ARRAY(r, &total);

	if (a && EXPECT(total == 5 && jlen(a) == 2, "skip=1&limit=2: 2 of 5: %s",
			resp_summary(r))) {
		EXPECT(same_id(jstr(jat(a, 0), "id"), s.id[FAILED]) &&
			       same_id(jstr(jat(a, 1), "id"), s.id[SUCCEEDED]),
		       "the second and third newest: %s", resp_summary(r));
	}
	resp_free(r);
	r = list(P_VIEWER, s.w.tenant_a, "skip=5");
	a = EXPECT_COUNTED_ARRAY(r, &total);
	EXPECT(a && jlen(a) == 0 && total == 5, "past the end: empty, total 5: %s",
	       resp_summary(r));
	resp_free(r);
	static const char *const bad[] = { "limit=0", "limit=101", "skip=-1", "limit=x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = list(P_VIEWER, s.w.tenant_a, bad[i]);
		EXPECT_PROBLEM(r, 422, "validation-error", NULL);
		resp_free(r);
	}
}

static void test_list_filters_status_kind_and_resource(void)
{
	for (int i = QUEUED; i <= CANCELLED; i++) {
		char *q = xasprintf("status=%s", statuses[i]);
		struct resp *r = list(P_MEMBER, s.w.tenant_a, q);
		long total = -1;
		struct json_object *a = EXPECT_COUNTED_ARRAY(r, &total);

		EXPECT(a && total == 1 && jlen(a) == 1 && same_id(jstr(jat(a, 0), "id"), s.id[i]),
		       "%s: exactly A's %s job: %s", q, statuses[i], resp_summary(r));
		resp_free(r);
		free(q);
	}
	char *q = xasprintf("resource_id=%s", s.resource);
	struct resp *r = list(P_MEMBER, s.w.tenant_a, q);
	struct json_object *a = EXPECT_COUNTED_ARRAY(r, NULL);
	EXPECT(a && jlen(a) == 1 && same_id(jstr(jat(a, 0), "id"), s.id[QUEUED]),
	       "resource_id: the job about it: %s", resp_summary(r));
	resp_free(r);
	free(q);

	/* another kind: none of these */
	r = req("GET", "/api/v1/jobs?kind=test.other_kind", token(P_MEMBER), s.w.tenant_a, NULL);
	a = EXPECT_COUNTED_ARRAY(r, NULL);
	for (size_t i = 0; a && i < jlen(a); i++)
		EXPECT(!same_id(jstr(jat(a, i), "kind"), s.kind), "kind filter: %s",
		       resp_summary(r));
	resp_free(r);

	static const struct {
		const char *query, *field;
	} bad[] = {
		{ "status=bogus", "status" },	      { "status=QUEUED", "status" },
		{ "status=", "status" },	      { "kind=Not-A-Kind", "kind" },
		{ "resource_id=42", "resource_id" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *path = xasprintf("/api/v1/jobs?%s", bad[i].query);
		r = req("GET", path, token(P_MEMBER), s.w.tenant_a, NULL);
		free(path);
		chk_context("GET /jobs?%s", bad[i].query);
		EXPECT_PROBLEM(r, 422, "validation-error", NULL);
		EXPECT_FIELD_ERROR(r, bad[i].field);
		chk_context(NULL);
		resp_free(r);
	}
}

static void test_list_needs_job_read_and_the_header(void)
{
	struct resp *r = list(P_BARE, s.w.tenant_a, NULL);
	EXPECT_PROBLEM(r, 403, "forbidden", "Not enough permissions");
	resp_free(r);
	r = list(P_MEMBER, NULL, NULL);
	EXPECT_PROBLEM(r, 400, "bad-request", "X-Tenant-ID header is required.");
	resp_free(r);
	/* B's admin in A: not a member there */
	r = list(P_OTHER, s.w.tenant_a, NULL);
	EXPECT_PROBLEM(r, 403, "forbidden", NULL);
	resp_free(r);
}

/* ---- one job ---- */

static void test_get_a_job_of_the_tenant(void)
{
	struct resp *r = get_job(P_VIEWER, s.w.tenant_a, s.id[SUCCEEDED]);
	struct json_object *o = EXPECT_JSON(r, 200);

	if (o && expect_job_shape(o)) {
		EXPECT_STR(o, "id", s.id[SUCCEEDED]);
		EXPECT_STR(o, "status", "succeeded");
		EXPECT(is_rfc3339_utc(jstr(o, "started_at")) &&
			       is_rfc3339_utc(jstr(o, "finished_at")),
		       "a finished job has started_at and finished_at: %s", resp_summary(r));
	}
	expect_no_payload(r);
	resp_free(r);
}

/* Another tenant's job is not there, and nothing of it shows. */
static void expect_hidden(struct resp *r, const char *id)
{
	EXPECT_PROBLEM(r, 404, "not-found", "Job not found");
	EXPECT(!contains(r->body, r->len, id) && !contains(r->body, r->len, s.kind),
	       "a 404 names nothing of the job: %s", resp_summary(r));
}

static void test_get_across_tenants_is_404(void)
{
	char id[37];
	struct resp *r;

	random_uuid(id);
	const char *hidden[] = { s.id[B_QUEUED], s.id[PLATFORM], id };
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		r = get_job(P_TADMIN, s.w.tenant_a, hidden[i]);
		expect_hidden(r, hidden[i]);
		resp_free(r);
		/* the superuser naming A is confined to A */
		r = get_job(P_SU, s.w.tenant_a, hidden[i]);
		expect_hidden(r, hidden[i]);
		resp_free(r);
	}
	/* B's admin reads its own job in B, and A's not even there */
	r = get_job(P_OTHER, s.w.tenant_b, s.id[B_QUEUED]);
	EXPECT_JSON(r, 200);
	resp_free(r);
	r = get_job(P_OTHER, s.w.tenant_b, s.id[QUEUED]);
	expect_hidden(r, s.id[QUEUED]);
	resp_free(r);
}

static void test_malformed_job_id_is_400(void)
{
	static const char *const bad[] = { "not-a-uuid", "1234",
					   "5b1f0c9e-2d3a-4c8b-9e7f-1a2b3c4d5e6" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct resp *r = get_job(P_TADMIN, s.w.tenant_a, bad[i]);
		EXPECT_PROBLEM(r, 400, "bad-request", "Invalid job ID format. Must be a valid UUID.");
		resp_free(r);
		r = cancel_job(P_TADMIN, s.w.tenant_a, bad[i]);
		EXPECT_PROBLEM(r, 400, "bad-request", "Invalid job ID format. Must be a valid UUID.");
		resp_free(r);
	}
}

/* ---- the platform's jobs ---- */

static void test_platform_jobs_are_for_superusers_without_a_tenant(void)
{
	struct resp *r = list(P_SU, NULL, NULL);
	long total = -1;
	struct json_object *a = EXPECT_COUNTED_ARRAY(r, &total);

	EXPECT(a && total == 1 && jlen(a) == 1 && same_id(jstr(jat(a, 0), "id"), s.id[PLATFORM]) &&
		       jhas(jat(a, 0), "tenant_id") && !jget(jat(a, 0), "tenant_id"),
	       "the superuser without X-Tenant-ID: the platform job only: %s", resp_summary(r));
	expect_no_payload(r);
	resp_free(r);
	r = get_job(P_SU, NULL, s.id[PLATFORM]);
	struct json_object *o = EXPECT_JSON(r, 200);
	if (o && expect_job_shape(o))
		EXPECT(!jget(o, "tenant_id"), "a platform job: tenant_id null");
	resp_free(r);
	/* a tenant's job is not a platform job */
	r = get_job(P_SU, NULL, s.id[QUEUED]);
	expect_hidden(r, s.id[QUEUED]);
	resp_free(r);
	/* the superuser naming A sees A's */
	r = list(P_SU, s.w.tenant_a, NULL);
	EXPECT_COUNTED_ARRAY(r, &total);
	EXPECT(total == 5, "the superuser in A: A's 5 jobs: %s", resp_summary(r));
	resp_free(r);
	/* anyone else needs a tenant */
	r = get_job(P_TADMIN, NULL, s.id[PLATFORM]);
	EXPECT_PROBLEM(r, 400, "bad-request", "X-Tenant-ID header is required.");
	resp_free(r);
	r = cancel_job(P_TADMIN, NULL, s.id[PLATFORM]);
	EXPECT_PROBLEM(r, 400, "bad-request", "X-Tenant-ID header is required.");
	resp_free(r);
}

/* ---- cancel ---- */

static void expect_state(const char *id, const char *before, const char *what)
{
	char *now = db_job_state(s.owner, id);

	EXPECT(now && before && strcmp(now, before) == 0, "%s: the job changed from %s to %s",
	       what, before ? before : "(none)", now ? now : "(none)");
	free(now);
}

static void test_cancel_needs_job_cancel(void)
{
	char *before = db_job_state(s.owner, s.id[QUEUED]);
	const enum persona refused[] = { P_MEMBER, P_VIEWER, P_BARE };

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct resp *r = cancel_job(refused[i], s.w.tenant_a, s.id[QUEUED]);
		EXPECT_PROBLEM(r, 403, "forbidden", "Not enough permissions");
		resp_free(r);
	}
	expect_state(s.id[QUEUED], before, "refused cancels");
	free(before);
}

static void test_cancel_a_queued_job(void)
{
	struct resp *r = cancel_job(P_TADMIN, s.w.tenant_a, s.id[QUEUED]);
	struct json_object *o = EXPECT_JSON(r, 200);

	if (o && expect_job_shape(o)) {
		EXPECT_STR(o, "id", s.id[QUEUED]);
		EXPECT_STR(o, "status", "cancelled");
		EXPECT(is_rfc3339_utc(jstr(o, "finished_at")), "a cancelled job has finished_at");
		EXPECT(!jget(o, "started_at"), "it never started");
	}
	expect_no_payload(r);
	resp_free(r);
	char *state = db_job_state(s.owner, s.id[QUEUED]);
	EXPECT(state && strncmp(state, "cancelled ", 10) == 0 && !strstr(state, " -"),
	       "the row is cancelled, with finished_at: %s", state ? state : "(none)");
	free(state);

	/* and reads as such */
	r = get_job(P_MEMBER, s.w.tenant_a, s.id[QUEUED]);
	o = EXPECT_JSON(r, 200);
	EXPECT_STR(o, "status", "cancelled");
	resp_free(r);
}

static void test_cancel_anything_but_queued_is_409_and_changes_nothing(void)
{
	/* QUEUED is cancelled by now: once is all */
	const int jobs[] = { RUNNING, SUCCEEDED, FAILED, CANCELLED, QUEUED };

	for (size_t i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
		const char *id = s.id[jobs[i]];
		char *before = db_job_state(s.owner, id);
		struct resp *r = cancel_job(P_TADMIN, s.w.tenant_a, id);

		chk_context("cancel of the %s job", statuses[jobs[i]]);
		EXPECT_PROBLEM(r, 409, "conflict", NULL);
		struct json_object *o = resp_json(r);
		EXPECT(o && jstr(o, "detail") && strstr(jstr(o, "detail"), "queued"),
		       "the detail says only a queued job can be cancelled: %s", resp_summary(r));
		expect_no_payload(r);
		expect_state(id, before, "a 409");
		chk_context(NULL);
		resp_free(r);
		free(before);
	}
}

static void test_cancel_across_tenants_is_404_and_changes_nothing(void)
{
	char *before = db_job_state(s.owner, s.id[B_QUEUED]);
	char *platform = db_job_state(s.owner, s.id[PLATFORM]);
	struct resp *r = cancel_job(P_TADMIN, s.w.tenant_a, s.id[B_QUEUED]);

	expect_hidden(r, s.id[B_QUEUED]);
	resp_free(r);
	r = cancel_job(P_SU, s.w.tenant_a, s.id[PLATFORM]);
	expect_hidden(r, s.id[PLATFORM]);
	resp_free(r);
	r = cancel_job(P_OTHER, s.w.tenant_b, s.id[RUNNING]);
	expect_hidden(r, s.id[RUNNING]);
	resp_free(r);
	expect_state(s.id[B_QUEUED], before, "another tenant's cancel");
	expect_state(s.id[PLATFORM], platform, "a tenant's cancel");
	free(before);
	free(platform);
}

static void test_superuser_cancels_a_platform_job(void)
{
	struct resp *r = cancel_job(P_SU, NULL, s.id[PLATFORM]);
	struct json_object *o = EXPECT_JSON(r, 200);

	EXPECT_STR(o, "status", "cancelled");
	resp_free(r);
	char *state = db_job_state(s.owner, s.id[PLATFORM]);
	EXPECT(state && strncmp(state, "cancelled ", 10) == 0, "the platform job is cancelled: %s",
	       state ? state : "(none)");
	free(state);
}

static int add_jobs_api_suite(void)
{
	static const struct it_test tests[] = {
		{ "a list is the tenant's jobs, newest first, with X-Total-Count and no payload",
		  test_list_newest_first_with_total_and_no_payload },
		{ "skip and limit page a list; out-of-range values are 422",
		  test_list_pages_with_skip_and_limit },
		{ "status, kind and resource_id filter a list; bad values are 422 with the field",
		  test_list_filters_status_kind_and_resource },
		{ "a list needs job:read in the tenant, and X-Tenant-ID from non-superusers",
		  test_list_needs_job_read_and_the_header },
		{ "a job of the tenant reads as a Job", test_get_a_job_of_the_tenant },
		{ "another tenant's job, a platform job or none at all is 404 from a tenant",
		  test_get_across_tenants_is_404 },
		{ "a malformed job id in the path is 400", test_malformed_job_id_is_400 },
		{ "platform jobs are the superusers', without X-Tenant-ID",
		  test_platform_jobs_are_for_superusers_without_a_tenant },
		{ "cancel needs job:cancel; job:read alone is 403 and the job stays queued",
		  test_cancel_needs_job_cancel },
		{ "cancel of a queued job answers it cancelled, and the row is",
		  test_cancel_a_queued_job },
		{ "cancel of a running, finished or cancelled job is 409 and changes nothing",
		  test_cancel_anything_but_queued_is_409_and_changes_nothing },
		{ "cancel of another tenant's or the platform's job from a tenant is 404",
		  test_cancel_across_tenants_is_404_and_changes_nothing },
		{ "a superuser without X-Tenant-ID cancels a platform job",
		  test_superuser_cancels_a_platform_job },
		{ NULL, NULL },
	};
	return it_add_suite("jobs api", suite_init, suite_cleanup, tests);
}

IT_REGISTER(add_jobs_api_suite)
