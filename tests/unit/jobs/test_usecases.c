/* lib/jobs/usecases.c on the fakes: listing, reading and cancelling jobs needs job:read or
 * job:cancel in the tenant; a tenant sees only its own jobs and a superuser without a
 * tenant only the platform's; only a queued job is cancelled, also when a runner claims it
 * in between; enqueueing in the caller's transaction; and a clean 503 on every repository
 * fault. Calls run inside a request session as fcgi/pipeline.c runs them (world.h). */
#include "suites.h"

#include "auth/messages.h"
#include "fakes/world.h"
#include "jobs/messages.h"
#include "jobs/usecases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The RBAC world of world.h with the job permissions: "Job Admin" (job:read job:cancel)
 * held by admin in acme and gus in globex, "Job Reader" (job:read) by ann in acme; manager,
 * loner and the rest hold neither. */
struct job_world {
	struct world w;
	struct fake_jobs jobs;
};

static void job_world_init(struct job_world *jw)
{
	struct world *w = &jw->w;
	world_init(w);
	fake_seed_permission(w->db, "job:read");
	fake_seed_permission(w->db, "job:cancel");
	const char *const admin_codes[] = {"job:read", "job:cancel", NULL};
	const char *const reader_codes[] = {"job:read", NULL};
	vs_uuid job_admin = fake_seed_role_with(w->db, "Job Admin", NULL, false, admin_codes);
	vs_uuid job_reader = fake_seed_role_with(w->db, "Job Reader", NULL, false, reader_codes);
	fake_seed_grant(w->db, &w->acme, &w->admin, &job_admin);
	fake_seed_grant(w->db, &w->globex, &w->gus, &job_admin);
	fake_seed_grant(w->db, &w->acme, &w->ann, &job_reader);
	fake_jobs_init(&jw->jobs, w->db, &w->app);
}

static void job_world_free(struct job_world *jw)
{
	world_free(&jw->w);
}

/* A job of tenant (NULL: the platform) in status, a second newer than the one before. */
static vs_uuid seed(struct job_world *jw, const vs_uuid *tenant, const char *kind,
		    enum vs_job_status status)
{
	fake_clock_advance(1);
	return fake_seed_job(&jw->jobs, tenant, kind, status)->id;
}

/* The jobs store as it is now (free it), and whether it is still the same. */
static struct fake_job_store *jobs_snapshot(struct job_world *jw)
{
	struct fake_job_store *s = malloc(sizeof(*s));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memcpy(s, &jw->jobs.store, sizeof(*s));
	return s;
}

static bool jobs_unchanged(struct job_world *jw, const struct fake_job_store *before)
{
	return memcmp(&jw->jobs.store, before, sizeof(*before)) == 0;
}

/* ---- the use cases as world_fn ---- */

struct list_call {
	const vs_uuid *tenant;
	struct vs_job_filter f;
	struct vs_job_page page;
};

static enum vs_err list_fn(struct world *w, const struct vs_principal *p, void *ctx,
			   struct vs_error *e)
{
	struct list_call *c = ctx;
	return vs_jobs_list(&w->app, w->a, p, c->tenant, &c->f, &c->page, e);
}

struct job_call {
	const vs_uuid *tenant, *id;
	struct vs_job out;
};

static enum vs_err get_fn(struct world *w, const struct vs_principal *p, void *ctx,
			  struct vs_error *e)
{
	struct job_call *c = ctx;
	return vs_jobs_get(&w->app, w->a, p, c->tenant, c->id, &c->out, e);
}

static enum vs_err cancel_fn(struct world *w, const struct vs_principal *p, void *ctx,
			     struct vs_error *e)
{
	struct job_call *c = ctx;
	return vs_jobs_cancel(&w->app, w->a, p, c->tenant, c->id, &c->out, e);
}

/* The whole list of user in tenant (NULL: none) with filter f (limit 100 when unset). */
static enum vs_err list_as(struct job_world *jw, const vs_uuid *user, const vs_uuid *tenant,
			   struct list_call *c, struct vs_error *e)
{
	c->tenant = tenant;
	if (!c->f.at.limit)
		c->f.at.limit = 100;
	return world_request(&jw->w, user, tenant, list_fn, c, e);
}

static enum vs_err get_as(struct job_world *jw, const vs_uuid *user, const vs_uuid *tenant,
			  const vs_uuid *id, struct vs_job *out, struct vs_error *e)
{
	struct job_call c = {.tenant = tenant, .id = id};
	enum vs_err rc = world_request(&jw->w, user, tenant, get_fn, &c, e);
	*out = c.out;
	return rc;
}

static enum vs_err cancel_as(struct job_world *jw, const vs_uuid *user, const vs_uuid *tenant,
			     const vs_uuid *id, struct vs_job *out, struct vs_error *e)
{
	struct job_call c = {.tenant = tenant, .id = id};
	enum vs_err rc = world_request(&jw->w, user, tenant, cancel_fn, &c, e);
	*out = c.out;
	return rc;
}

static void assert_error(enum vs_err rc, const struct vs_error *e, enum vs_err want,
			 const char *detail)
{
	CU_ASSERT_EQUAL(rc, want);
	CU_ASSERT_EQUAL(e->code, want);
	CU_ASSERT_STRING_EQUAL(ut_str(e->detail), detail);
}

/* ---- list ---- */

static void test_jobs_list_newest_first_of_the_tenant_only(void)
{
	struct job_world jw;
	job_world_init(&jw);
	struct world *w = &jw.w;
	vs_uuid a1 = seed(&jw, &w->acme, "mail.send", VS_JOB_SUCCEEDED);
	seed(&jw, &w->globex, "mail.send", VS_JOB_QUEUED);
	vs_uuid a2 = seed(&jw, &w->acme, "vm.start", VS_JOB_QUEUED);
	seed(&jw, NULL, "billing.close", VS_JOB_QUEUED);
	vs_uuid a3 = seed(&jw, &w->acme, "mail.send", VS_JOB_FAILED);

	struct list_call c = {0};
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(list_as(&jw, &w->ann, &w->acme, &c, &e), VS_OK);
	CU_ASSERT_EQUAL(c.page.end.total, 3);
	CU_ASSERT_EQUAL_FATAL(c.page.n, 3);
	CU_ASSERT_TRUE(vs_uuid_eq(&c.page.items[0].id, &a3));
	CU_ASSERT_TRUE(vs_uuid_eq(&c.page.items[1].id, &a2));
	CU_ASSERT_TRUE(vs_uuid_eq(&c.page.items[2].id, &a1));
	for (size_t i = 0; i < c.page.n; i++) {
		CU_ASSERT_TRUE(c.page.items[i].has_tenant);
		CU_ASSERT_TRUE(vs_uuid_eq(&c.page.items[i].tenant_id, &w->acme));
	}
	/* The superuser who names a tenant is confined to it like anyone else. */
	struct list_call su = {0};
	CU_ASSERT_EQUAL_FATAL(list_as(&jw, &w->root, &w->acme, &su, &e), VS_OK);
	CU_ASSERT_EQUAL(su.page.end.total, 3);
	FAKE_ASSERT_TX_CLEAN(w->db);
	job_world_free(&jw);
}

static void test_jobs_list_pages_and_filters(void)
{
	struct job_world jw;
	job_world_init(&jw);
	struct world *w = &jw.w;
	vs_uuid resource;
	vs_uuid_v4(&resource);
	vs_uuid ids[6];
	for (size_t i = 0; i < 6; i++)
		ids[i] = seed(&jw, &w->acme, i % 2 ? "vm.start" : "mail.send",
			      i < 3 ? VS_JOB_QUEUED : VS_JOB_SUCCEEDED);
	fake_job(&jw.jobs, &ids[1])->has_resource = true;
	fake_job(&jw.jobs, &ids[1])->resource_id = resource;
	fake_job(&jw.jobs, &ids[4])->has_resource = true;
	fake_job(&jw.jobs, &ids[4])->resource_id = resource;
	struct vs_error e = {0};

	/* skip 1, limit 2: the second and third newest; the total counts them all */
	struct list_call page = {.f = {.at = {.offset = 1, .limit = 2}}};
	CU_ASSERT_EQUAL_FATAL(list_as(&jw, &w->ann, &w->acme, &page, &e), VS_OK);
	CU_ASSERT_EQUAL(page.page.end.total, 6);
	CU_ASSERT_EQUAL_FATAL(page.page.n, 2);
	CU_ASSERT_TRUE(vs_uuid_eq(&page.page.items[0].id, &ids[4]));
	CU_ASSERT_TRUE(vs_uuid_eq(&page.page.items[1].id, &ids[3]));
	/* past the end: nothing, the total still there */
	struct list_call past = {.f = {.at = {.offset = 6, .limit = 2}}};
	CU_ASSERT_EQUAL_FATAL(list_as(&jw, &w->ann, &w->acme, &past, &e), VS_OK);
	CU_ASSERT_EQUAL(past.page.n, 0);
	CU_ASSERT_EQUAL(past.page.end.total, 6);

	struct list_call queued = {.f = {.has_status = true, .status = VS_JOB_QUEUED}};
	CU_ASSERT_EQUAL_FATAL(list_as(&jw, &w->ann, &w->acme, &queued, &e), VS_OK);
	CU_ASSERT_EQUAL(queued.page.end.total, 3);
	for (size_t i = 0; i < queued.page.n; i++)
		CU_ASSERT_EQUAL(queued.page.items[i].status, VS_JOB_QUEUED);

	struct list_call kind = {.f = {.kind = "vm.start"}};
	CU_ASSERT_EQUAL_FATAL(list_as(&jw, &w->ann, &w->acme, &kind, &e), VS_OK);
	CU_ASSERT_EQUAL(kind.page.end.total, 3);
	for (size_t i = 0; i < kind.page.n; i++)
		CU_ASSERT_STRING_EQUAL(ut_str(kind.page.items[i].kind), "vm.start");

	struct list_call about = {.f = {.resource_id = &resource}};
	CU_ASSERT_EQUAL_FATAL(list_as(&jw, &w->ann, &w->acme, &about, &e), VS_OK);
	CU_ASSERT_EQUAL_FATAL(about.page.n, 2);
	CU_ASSERT_TRUE(vs_uuid_eq(&about.page.items[0].id, &ids[4]));
	CU_ASSERT_TRUE(vs_uuid_eq(&about.page.items[1].id, &ids[1]));

	/* every filter at once */
	struct list_call all = {
	    .f = {.has_status = true, .status = VS_JOB_QUEUED, .kind = "vm.start",
		  .resource_id = &resource}};
	CU_ASSERT_EQUAL_FATAL(list_as(&jw, &w->ann, &w->acme, &all, &e), VS_OK);
	CU_ASSERT_EQUAL_FATAL(all.page.n, 1);
	CU_ASSERT_TRUE(vs_uuid_eq(&all.page.items[0].id, &ids[1]));
	job_world_free(&jw);
}

static void test_jobs_list_needs_job_read_in_the_tenant(void)
{
	struct job_world jw;
	job_world_init(&jw);
	struct world *w = &jw.w;
	seed(&jw, &w->acme, "mail.send", VS_JOB_QUEUED);
	const vs_uuid *refused[] = {&w->manager, &w->loner, &w->gus};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct list_call c = {0};
		struct vs_error e = {0};
		assert_error(list_as(&jw, refused[i], &w->acme, &c, &e), &e, VS_FORBIDDEN,
			     VS_MSG_FORBIDDEN);
		CU_ASSERT_EQUAL(fake_called(w->db, "jobs.list"), 0);
		FAKE_ASSERT_TX_CLEAN(w->db);
	}
	job_world_free(&jw);
}

static void test_jobs_platform_jobs_are_the_superusers_only(void)
{
	struct job_world jw;
	job_world_init(&jw);
	struct world *w = &jw.w;
	seed(&jw, &w->acme, "mail.send", VS_JOB_QUEUED);
	vs_uuid p1 = seed(&jw, NULL, "billing.close", VS_JOB_SUCCEEDED);
	vs_uuid p2 = seed(&jw, NULL, "audit.checkpoint", VS_JOB_QUEUED);
	struct vs_error e = {0};

	struct list_call su = {0};
	CU_ASSERT_EQUAL_FATAL(list_as(&jw, &w->root, NULL, &su, &e), VS_OK);
	CU_ASSERT_EQUAL(su.page.end.total, 2);
	CU_ASSERT_EQUAL_FATAL(su.page.n, 2);
	CU_ASSERT_TRUE(vs_uuid_eq(&su.page.items[0].id, &p2));
	CU_ASSERT_TRUE(vs_uuid_eq(&su.page.items[1].id, &p1));
	CU_ASSERT_FALSE(su.page.items[0].has_tenant);
	CU_ASSERT_FALSE(su.page.items[1].has_tenant);

	/* Anyone else, even with job:read and job:cancel in a tenant, has no platform scope:
	 * the answer the API gives for a missing X-Tenant-ID, before any read. */
	const vs_uuid *others[] = {&w->admin, &w->ann, &w->loner};
	fake_reset_journal(w->db);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		struct list_call c = {0};
		struct vs_job out;
		assert_error(list_as(&jw, others[i], NULL, &c, &e), &e, VS_BADREQ,
			     VS_MSG_TENANT_ID_REQUIRED);
		assert_error(get_as(&jw, others[i], NULL, &p2, &out, &e), &e, VS_BADREQ,
			     VS_MSG_TENANT_ID_REQUIRED);
		assert_error(cancel_as(&jw, others[i], NULL, &p2, &out, &e), &e, VS_BADREQ,
			     VS_MSG_TENANT_ID_REQUIRED);
		CU_ASSERT_EQUAL(fake_called(w->db, "jobs.list") + fake_called(w->db, "jobs.get") +
				    fake_called(w->db, "jobs.cancel"),
				0);
	}
	CU_ASSERT_EQUAL(fake_job(&jw.jobs, &p2)->status, VS_JOB_QUEUED);
	job_world_free(&jw);
}

/* ---- get ---- */

static void test_jobs_get_within_the_tenant_else_not_found(void)
{
	struct job_world jw;
	job_world_init(&jw);
	struct world *w = &jw.w;
	vs_uuid mine = seed(&jw, &w->acme, "mail.send", VS_JOB_SUCCEEDED);
	vs_uuid theirs = seed(&jw, &w->globex, "mail.send", VS_JOB_QUEUED);
	vs_uuid platform = seed(&jw, NULL, "billing.close", VS_JOB_QUEUED);
	vs_uuid nowhere;
	vs_uuid_v4(&nowhere);
	struct fake_job_row *row = fake_job(&jw.jobs, &mine);
	snprintf(row->result, sizeof(row->result), "%s", "{\"sent\":true}");
	row->has_result = true;
	struct vs_job out;
	struct vs_error e = {0};

	CU_ASSERT_EQUAL_FATAL(get_as(&jw, &w->ann, &w->acme, &mine, &out, &e), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&out.id, &mine));
	CU_ASSERT_EQUAL(out.status, VS_JOB_SUCCEEDED);
	CU_ASSERT_STRING_EQUAL(ut_str(out.result), "{\"sent\":true}");
	CU_ASSERT_STRING_EQUAL(ut_str(out.kind), "mail.send");

	/* Another tenant's job, a platform job and no job at all: the same 404, from acme
	 * and from globex as a superuser who named it (confined there). */
	const struct {
		const vs_uuid *user, *tenant, *id;
	} hidden[] = {
	    {&w->ann, &w->acme, &theirs},     {&w->ann, &w->acme, &platform},
	    {&w->ann, &w->acme, &nowhere},    {&w->gus, &w->globex, &mine},
	    {&w->root, &w->globex, &mine},    {&w->root, &w->acme, &platform},
	    {&w->root, NULL, &mine}, /* platform scope shows platform jobs only */
	};
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		assert_error(get_as(&jw, hidden[i].user, hidden[i].tenant, hidden[i].id, &out, &e),
			     &e, VS_NOTFOUND, VS_MSG_JOB_NOT_FOUND);
		FAKE_ASSERT_TX_CLEAN(w->db);
	}
	CU_ASSERT_EQUAL_FATAL(get_as(&jw, &w->root, NULL, &platform, &out, &e), VS_OK);
	CU_ASSERT_FALSE(out.has_tenant);
	/* Without job:read, not even whether it exists. */
	fake_reset_journal(w->db);
	assert_error(get_as(&jw, &w->manager, &w->acme, &mine, &out, &e), &e, VS_FORBIDDEN,
		     VS_MSG_FORBIDDEN);
	CU_ASSERT_EQUAL(fake_called(w->db, "jobs.get"), 0);
	job_world_free(&jw);
}

/* ---- cancel ---- */

static void test_jobs_cancel_a_queued_job(void)
{
	struct job_world jw;
	job_world_init(&jw);
	struct world *w = &jw.w;
	vs_uuid id = seed(&jw, &w->acme, "mail.send", VS_JOB_QUEUED);
	fake_clock_advance(30);
	struct vs_job out;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(cancel_as(&jw, &w->admin, &w->acme, &id, &out, &e), VS_OK);
	CU_ASSERT_EQUAL(out.status, VS_JOB_CANCELLED);
	CU_ASSERT_EQUAL(out.finished_at, fake_now());
	CU_ASSERT_EQUAL(out.attempts, 0);
	const struct fake_job_row *row = fake_job(&jw.jobs, &id);
	CU_ASSERT_EQUAL(row->status, VS_JOB_CANCELLED);
	CU_ASSERT_EQUAL(row->finished_at, fake_now());
	CU_ASSERT_EQUAL(fake_called(w->db, "jobs.cancel"), 1);
	FAKE_ASSERT_TX_CLEAN(w->db);

	/* A platform job, by a superuser without a tenant. */
	vs_uuid platform = seed(&jw, NULL, "billing.close", VS_JOB_QUEUED);
	CU_ASSERT_EQUAL_FATAL(cancel_as(&jw, &w->root, NULL, &platform, &out, &e), VS_OK);
	CU_ASSERT_EQUAL(fake_job(&jw.jobs, &platform)->status, VS_JOB_CANCELLED);
	job_world_free(&jw);
}

static void test_jobs_cancel_refuses_every_other_status(void)
{
	struct job_world jw;
	job_world_init(&jw);
	struct world *w = &jw.w;
	const struct {
		enum vs_job_status status;
		const char *detail;
	} cases[] = {
	    {VS_JOB_RUNNING, "Only a queued job can be cancelled; this one is running."},
	    {VS_JOB_SUCCEEDED, "Only a queued job can be cancelled; this one is succeeded."},
	    {VS_JOB_FAILED, "Only a queued job can be cancelled; this one is failed."},
	    {VS_JOB_CANCELLED, "Only a queued job can be cancelled; this one is cancelled."},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vs_uuid id = seed(&jw, &w->acme, "mail.send", cases[i].status);
		struct fake_job_store *before = jobs_snapshot(&jw);
		struct vs_job out;
		struct vs_error e = {0};
		assert_error(cancel_as(&jw, &w->admin, &w->acme, &id, &out, &e), &e, VS_CONFLICT,
			     cases[i].detail);
		CU_ASSERT_TRUE(jobs_unchanged(&jw, before));
		CU_ASSERT_EQUAL(fake_called(w->db, "jobs.cancel"), 0); /* decided on the read */
		FAKE_ASSERT_TX_CLEAN(w->db);
		free(before);
	}
	job_world_free(&jw);
}

struct claim_ctx {
	struct fake_jobs *jobs;
	vs_uuid id;
};

/* A runner claims the job between the use case's read and its UPDATE. */
static void claim(struct fake_db *db, void *ctx)
{
	(void)db;
	struct claim_ctx *c = ctx;
	fake_jobs_claim(c->jobs, &c->id);
}

static void test_jobs_cancel_loses_to_a_runner_that_claims_first(void)
{
	struct job_world jw;
	job_world_init(&jw);
	struct world *w = &jw.w;
	vs_uuid id = seed(&jw, &w->acme, "mail.send", VS_JOB_QUEUED);
	struct claim_ctx ctx = {&jw.jobs, id};
	fake_on_call(w->db, "jobs.cancel", claim, &ctx);
	struct vs_job out;
	struct vs_error e = {0};
	assert_error(cancel_as(&jw, &w->admin, &w->acme, &id, &out, &e), &e, VS_CONFLICT,
		     "Only a queued job can be cancelled; this one is running.");
	/* The claim was another transaction's: the rollback keeps it, and it stays running. */
	const struct fake_job_row *row = fake_job(&jw.jobs, &id);
	CU_ASSERT_EQUAL(row->status, VS_JOB_RUNNING);
	CU_ASSERT_EQUAL(row->finished_at, 0);
	FAKE_ASSERT_TX_CLEAN(w->db);
	job_world_free(&jw);
}

static void test_jobs_cancel_needs_job_cancel_and_the_tenant(void)
{
	struct job_world jw;
	job_world_init(&jw);
	struct world *w = &jw.w;
	vs_uuid mine = seed(&jw, &w->acme, "mail.send", VS_JOB_QUEUED);
	vs_uuid theirs = seed(&jw, &w->globex, "mail.send", VS_JOB_QUEUED);
	vs_uuid platform = seed(&jw, NULL, "billing.close", VS_JOB_QUEUED);
	struct fake_job_store *before = jobs_snapshot(&jw);
	struct vs_job out;
	struct vs_error e = {0};
	/* job:read is not enough, nor is job:cancel in another tenant */
	assert_error(cancel_as(&jw, &w->ann, &w->acme, &mine, &out, &e), &e, VS_FORBIDDEN,
		     VS_MSG_FORBIDDEN);
	assert_error(cancel_as(&jw, &w->manager, &w->acme, &mine, &out, &e), &e, VS_FORBIDDEN,
		     VS_MSG_FORBIDDEN);
	assert_error(cancel_as(&jw, &w->gus, &w->acme, &mine, &out, &e), &e, VS_FORBIDDEN,
		     VS_MSG_FORBIDDEN);
	/* with it, only the tenant's own jobs: the others are not there */
	assert_error(cancel_as(&jw, &w->admin, &w->acme, &theirs, &out, &e), &e, VS_NOTFOUND,
		     VS_MSG_JOB_NOT_FOUND);
	assert_error(cancel_as(&jw, &w->admin, &w->acme, &platform, &out, &e), &e, VS_NOTFOUND,
		     VS_MSG_JOB_NOT_FOUND);
	assert_error(cancel_as(&jw, &w->gus, &w->globex, &mine, &out, &e), &e, VS_NOTFOUND,
		     VS_MSG_JOB_NOT_FOUND);
	assert_error(cancel_as(&jw, &w->root, NULL, &mine, &out, &e), &e, VS_NOTFOUND,
		     VS_MSG_JOB_NOT_FOUND);
	CU_ASSERT_TRUE(jobs_unchanged(&jw, before));
	CU_ASSERT_EQUAL(fake_called(w->db, "jobs.cancel"), 0);
	FAKE_ASSERT_TX_CLEAN(w->db);
	free(before);
	job_world_free(&jw);
}

/* ---- enqueue ---- */

struct enqueue_call {
	const struct vs_job_kind *kind;
	struct vs_job_args args;
	vs_uuid id;
};

static enum vs_err enqueue_fn(struct world *w, const struct vs_principal *p, void *ctx,
			      struct vs_error *e)
{
	(void)p;
	struct enqueue_call *c = ctx;
	return vs_jobs_enqueue(&w->app, w->a, c->kind, &c->args, &c->id, e);
}

static void test_jobs_enqueue_in_the_callers_transaction_once_per_unique_key(void)
{
	struct job_world jw;
	job_world_init(&jw);
	struct world *w = &jw.w;
	vs_uuid resource;
	vs_uuid_v4(&resource);
	struct enqueue_call c = {
	    .kind = &vs_jobs_noop_kind,
	    .args = {.payload = "{\"n\":1}", .tenant = &w->acme, .created_by = &w->admin,
		     .resource_id = &resource, .resource_type = "widget", .unique_key = "k1"}};
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(world_request(w, &w->admin, &w->acme, enqueue_fn, &c, &e), VS_OK);
	const struct fake_job_row *row = fake_job(&jw.jobs, &c.id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(row);
	CU_ASSERT_EQUAL(row->status, VS_JOB_QUEUED);
	CU_ASSERT_STRING_EQUAL(row->kind, "jobs.noop");
	CU_ASSERT_STRING_EQUAL(row->payload, "{\"n\":1}");
	CU_ASSERT_EQUAL(row->max_attempts, vs_jobs_noop_kind.max_attempts);
	CU_ASSERT_TRUE(vs_uuid_eq(&row->tenant_id, &w->acme));
	CU_ASSERT_TRUE(vs_uuid_eq(&row->created_by, &w->admin));
	CU_ASSERT_TRUE(vs_uuid_eq(&row->resource_id, &resource));
	CU_ASSERT_EQUAL(row->run_at, fake_now());

	/* the same key while the first is queued: a conflict, and nothing more stored */
	struct fake_job_store *before = jobs_snapshot(&jw);
	assert_error(world_request(w, &w->admin, &w->acme, enqueue_fn, &c, &e), &e, VS_CONFLICT,
		     VS_MSG_JOB_DUPLICATE);
	CU_ASSERT_TRUE(jobs_unchanged(&jw, before));
	free(before);
	/* once it is finished, the key is free again */
	fake_job(&jw.jobs, &c.id)->status = VS_JOB_SUCCEEDED;
	CU_ASSERT_EQUAL(world_request(w, &w->admin, &w->acme, enqueue_fn, &c, &e), VS_OK);
	CU_ASSERT_EQUAL(jw.jobs.store.n, 2);
	FAKE_ASSERT_TX_CLEAN(w->db);
	job_world_free(&jw);
}

/* ---- faults ---- */

static void test_jobs_fail_cleanly_on_each_repository_fault(void)
{
	struct job_world jw;
	job_world_init(&jw);
	struct world *w = &jw.w;
	vs_uuid queued = seed(&jw, &w->acme, "mail.send", VS_JOB_QUEUED);
	seed(&jw, &w->acme, "mail.send", VS_JOB_SUCCEEDED);

	struct list_call l = {.tenant = &w->acme, .f = {.at = {.limit = 100}}};
	unsigned faults = world_inject(w, "jobs list", &w->ann, &w->acme, list_fn, &l);
	CU_ASSERT(faults >= 2); /* the session's calls, the list, the commit */
	CU_ASSERT_EQUAL(l.page.end.total, 2);

	struct job_call g = {.tenant = &w->acme, .id = &queued};
	CU_ASSERT(world_inject(w, "jobs get", &w->ann, &w->acme, get_fn, &g) >= 2);
	CU_ASSERT_TRUE(vs_uuid_eq(&g.out.id, &queued));

	/* Each fault leaves the job queued (the harness compares the attached store); the run
	 * without one cancels it. */
	struct job_call c = {.tenant = &w->acme, .id = &queued};
	CU_ASSERT(world_inject(w, "jobs cancel", &w->admin, &w->acme, cancel_fn, &c) >= 3);
	CU_ASSERT_EQUAL(fake_job(&jw.jobs, &queued)->status, VS_JOB_CANCELLED);

	struct list_call p = {.tenant = NULL, .f = {.at = {.limit = 100}}};
	CU_ASSERT(world_inject(w, "jobs list (platform)", &w->root, NULL, list_fn, &p) >= 2);
	job_world_free(&jw);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_jobs_list_newest_first_of_the_tenant_only),
	    UT_TEST(test_jobs_list_pages_and_filters),
	    UT_TEST(test_jobs_list_needs_job_read_in_the_tenant),
	    UT_TEST(test_jobs_platform_jobs_are_the_superusers_only),
	    UT_TEST(test_jobs_get_within_the_tenant_else_not_found),
	    UT_TEST(test_jobs_cancel_a_queued_job),
	    UT_TEST(test_jobs_cancel_refuses_every_other_status),
	    UT_TEST(test_jobs_cancel_loses_to_a_runner_that_claims_first),
	    UT_TEST(test_jobs_cancel_needs_job_cancel_and_the_tenant),
	    UT_TEST(test_jobs_enqueue_in_the_callers_transaction_once_per_unique_key),
	    UT_TEST(test_jobs_fail_cleanly_on_each_repository_fault),
	    UT_END,
	};
	ut_add_suite("jobs: use cases", NULL, NULL, tests);
}

UT_REGISTER(register_tests)
