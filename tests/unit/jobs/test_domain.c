/* lib/jobs/domain.c: the backoff before a retry (exponential, capped, with a random half
 * taken off), where a run leaves a job, the status names and the shape of a kind name. */
#include "suites.h"

#include "jobs/domain.h"

#include <stdint.h>
#include <string.h>

#define BASE_MS 1000
#define CAP_MS	60000

/* Randoms that hit the ends and the middle of the jitter. */
static const uint32_t randoms[] = {0, 1, 2, 499, 500, 12345, 0x7fffffff, 0xfffffffe, UINT32_MAX};
#define NRANDOMS (sizeof(randoms) / sizeof(randoms[0]))

/* base · 2^(attempt−1), at most cap: the longest wait before attempt + 1. */
static int64_t full_delay(int attempt, int64_t base, int64_t cap)
{
	int64_t d = base;
	for (int i = 1; i < attempt && d < cap; i++)
		d *= 2;
	return d < cap ? d : cap;
}

static void test_jobs_backoff_within_half_and_full_of_the_doubling(void)
{
	for (int attempt = 1; attempt <= 12; attempt++) {
		int64_t full = full_delay(attempt, BASE_MS, CAP_MS);
		for (size_t i = 0; i < NRANDOMS; i++) {
			int64_t d = vs_job_backoff_ms(attempt, BASE_MS, CAP_MS, randoms[i]);
			CU_ASSERT(d >= full / 2);
			CU_ASSERT(d <= full);
		}
	}
	/* The ends of the range are reachable: random 0 takes the whole half off. */
	CU_ASSERT_EQUAL(vs_job_backoff_ms(1, BASE_MS, CAP_MS, 0), BASE_MS / 2);
	CU_ASSERT_EQUAL(vs_job_backoff_ms(3, BASE_MS, CAP_MS, 0), 2000);
	CU_ASSERT_EQUAL(vs_job_backoff_ms(3, BASE_MS, CAP_MS, 2000), 4000);
}

static void test_jobs_backoff_is_capped_without_overflow(void)
{
	const int attempts[] = {7, 8, 30, 63, 64, 100, 1000, INT32_MAX};
	for (size_t a = 0; a < sizeof(attempts) / sizeof(attempts[0]); a++) {
		for (size_t i = 0; i < NRANDOMS; i++) {
			int64_t d = vs_job_backoff_ms(attempts[a], BASE_MS, CAP_MS, randoms[i]);
			CU_ASSERT(d >= CAP_MS / 2);
			CU_ASSERT(d <= CAP_MS);
		}
	}
	/* A cap below the base holds from the first retry on. */
	CU_ASSERT(vs_job_backoff_ms(1, BASE_MS, 300, UINT32_MAX) <= 300);
	/* An attempt number below 1 waits the base, never less than its half. */
	int64_t d = vs_job_backoff_ms(0, BASE_MS, CAP_MS, 7);
	CU_ASSERT(d >= BASE_MS / 2 && d <= BASE_MS);
}

/* Later attempts never wait less at the same random, and their range never shrinks. */
static void test_jobs_backoff_grows_monotonically_to_the_cap(void)
{
	for (size_t i = 0; i < NRANDOMS; i++) {
		int64_t before = 0;
		for (int attempt = 1; attempt <= 40; attempt++) {
			int64_t d = vs_job_backoff_ms(attempt, BASE_MS, CAP_MS, randoms[i]);
			CU_ASSERT(d >= before);
			before = d;
		}
	}
	int64_t cap_before = 0;
	for (int attempt = 1; attempt <= 40; attempt++) {
		int64_t cap = full_delay(attempt, BASE_MS, CAP_MS);
		CU_ASSERT(cap >= cap_before);
		cap_before = cap;
	}
	CU_ASSERT_EQUAL(cap_before, CAP_MS);
}

#define NOW_MS 1795428000000LL

static void test_jobs_after_run_done_succeeds(void)
{
	struct vs_job_next n = vs_job_after_run(1, 3, VS_JOB_DONE, NOW_MS, 5000, 0);
	CU_ASSERT_EQUAL(n.status, VS_JOB_SUCCEEDED);
	/* the last attempt, too */
	n = vs_job_after_run(3, 3, VS_JOB_DONE, NOW_MS, 5000, 0);
	CU_ASSERT_EQUAL(n.status, VS_JOB_SUCCEEDED);
}

static void test_jobs_after_run_retry_waits_the_longer_of_backoff_and_wish(void)
{
	struct vs_job_next n = vs_job_after_run(1, 3, VS_JOB_RETRY, NOW_MS, 5000, 0);
	CU_ASSERT_EQUAL(n.status, VS_JOB_QUEUED);
	CU_ASSERT_EQUAL(n.run_at_ms, NOW_MS + 5000);
	/* a Retry-After longer than the backoff wins */
	n = vs_job_after_run(2, 3, VS_JOB_RETRY, NOW_MS, 5000, 120000);
	CU_ASSERT_EQUAL(n.status, VS_JOB_QUEUED);
	CU_ASSERT_EQUAL(n.run_at_ms, NOW_MS + 120000);
	/* a shorter one does not make the retry sooner */
	n = vs_job_after_run(2, 3, VS_JOB_RETRY, NOW_MS, 5000, 1000);
	CU_ASSERT_EQUAL(n.run_at_ms, NOW_MS + 5000);
}

static void test_jobs_after_run_retry_without_attempts_left_fails(void)
{
	struct vs_job_next n = vs_job_after_run(3, 3, VS_JOB_RETRY, NOW_MS, 5000, 0);
	CU_ASSERT_EQUAL(n.status, VS_JOB_FAILED);
	n = vs_job_after_run(4, 3, VS_JOB_RETRY, NOW_MS, 5000, 60000); /* a lease rescued */
	CU_ASSERT_EQUAL(n.status, VS_JOB_FAILED);
	n = vs_job_after_run(1, 1, VS_JOB_RETRY, NOW_MS, 5000, 0);
	CU_ASSERT_EQUAL(n.status, VS_JOB_FAILED);
}

static void test_jobs_after_run_permanent_fails_at_once(void)
{
	struct vs_job_next n = vs_job_after_run(1, 10, VS_JOB_PERMANENT, NOW_MS, 5000, 60000);
	CU_ASSERT_EQUAL(n.status, VS_JOB_FAILED);
}

static void test_jobs_status_names_round_trip(void)
{
	const char *names[] = {"queued", "running", "succeeded", "failed", "cancelled"};
	const enum vs_job_status statuses[] = {VS_JOB_QUEUED, VS_JOB_RUNNING, VS_JOB_SUCCEEDED,
					       VS_JOB_FAILED, VS_JOB_CANCELLED};
	for (size_t i = 0; i < 5; i++) {
		CU_ASSERT_STRING_EQUAL(vs_job_status_name(statuses[i]), names[i]);
		enum vs_job_status s = VS_JOB_QUEUED;
		CU_ASSERT_TRUE(vs_job_status_parse(names[i], &s));
		CU_ASSERT_EQUAL(s, statuses[i]);
	}
	const char *bad[] = {NULL, "", "QUEUED", "queued ", " queued", "canceled", "done", "?"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum vs_job_status s = VS_JOB_FAILED;
		CU_ASSERT_FALSE(vs_job_status_parse(bad[i], &s));
		CU_ASSERT_EQUAL(s, VS_JOB_FAILED); /* untouched */
	}
	CU_ASSERT_STRING_EQUAL(vs_job_status_name((enum vs_job_status)99), "?");
}

static void test_jobs_only_queued_is_cancellable(void)
{
	CU_ASSERT_TRUE(vs_job_cancellable(VS_JOB_QUEUED));
	CU_ASSERT_FALSE(vs_job_cancellable(VS_JOB_RUNNING));
	CU_ASSERT_FALSE(vs_job_cancellable(VS_JOB_SUCCEEDED));
	CU_ASSERT_FALSE(vs_job_cancellable(VS_JOB_FAILED));
	CU_ASSERT_FALSE(vs_job_cancellable(VS_JOB_CANCELLED));
}

static void test_jobs_kind_names_are_dotted_lower_case_words(void)
{
	char longest[65], too_long[66];
	memset(longest, 'a', sizeof(longest) - 1);
	longest[1] = '.';
	longest[64] = '\0';
	memcpy(too_long, longest, 64);
	too_long[64] = 'a';
	too_long[65] = '\0';
	const char *good[] = {"invitation.email", "a.b", "vm.power_on", "x1.y2.z3",
			      "webhook.deliver_v2", longest};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CU_ASSERT_TRUE(vs_job_kind_valid(good[i]));
	/* What sql/011's CHECK (^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$) refuses, and more
	 * than 64 characters. */
	const char *bad[] = {NULL,	   "",	    "invitation", ".email", "invitation.", "a..b",
			     "Invitation.email", "1a.b", "a.1b",	 "a-b.c",  "a.b ",	  " a.b",
			     "a._b",	   "a.b.",  too_long};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_FALSE(vs_job_kind_valid(bad[i]));
}

static void test_jobs_payload_names_its_object(void)
{
	const char *good = "{\"delivery_id\":\"3f2b8c1e-9a7d-4e5f-8b6a-1c2d3e4f5a6b\"}";
	const char *bad[] = { "{}", "{\"delivery_id\":7}", "{\"delivery_id\":\"nope\"}", "not json",
			      "[\"3f2b8c1e-9a7d-4e5f-8b6a-1c2d3e4f5a6b\"]" };
	struct vs_job job = { .payload = good };
	vs_uuid id, want;
	CU_ASSERT_TRUE(vs_uuid_parse("3f2b8c1e-9a7d-4e5f-8b6a-1c2d3e4f5a6b", 36, &want));
	CU_ASSERT_TRUE(vs_job_payload_uuid(&job, "delivery_id", &id));
	CU_ASSERT_TRUE(vs_uuid_eq(&id, &want));
	CU_ASSERT_FALSE(vs_job_payload_uuid(&job, "invitation_id", &id));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		job.payload = bad[i];
		CU_ASSERT_FALSE(vs_job_payload_uuid(&job, "delivery_id", &id));
	}
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_jobs_backoff_within_half_and_full_of_the_doubling),
	    UT_TEST(test_jobs_backoff_is_capped_without_overflow),
	    UT_TEST(test_jobs_backoff_grows_monotonically_to_the_cap),
	    UT_TEST(test_jobs_after_run_done_succeeds),
	    UT_TEST(test_jobs_after_run_retry_waits_the_longer_of_backoff_and_wish),
	    UT_TEST(test_jobs_after_run_retry_without_attempts_left_fails),
	    UT_TEST(test_jobs_after_run_permanent_fails_at_once),
	    UT_TEST(test_jobs_status_names_round_trip),
	    UT_TEST(test_jobs_only_queued_is_cancellable),
	    UT_TEST(test_jobs_kind_names_are_dotted_lower_case_words),
	    UT_TEST(test_jobs_payload_names_its_object),
	    UT_END,
	};
	ut_add_suite("jobs: domain", NULL, NULL, tests);
}

UT_REGISTER(register_tests)
