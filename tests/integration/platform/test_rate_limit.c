/*
 * The login rate limit (nginx limit_req; the harness sets 20r/s, burst 40).
 * Runs after every other suite that logs in, because it spends the burst of
 * 127.0.0.1; it waits for the bucket to refill before it returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "suites.h"
#include "util.h"

#define BURST_SIZE 100

static void test_login_burst_gets_429_with_retry_after(void)
{
	const char *hdrs[] = { "Content-Type: application/json", NULL };
	struct resp *rs[BURST_SIZE];
	size_t done, n429 = 0, nother = 0, first429 = BURST_SIZE;
	struct resp *r;

	/* cheap bad logins (no password: no hash to compute), all at once */
	done = http_burst("POST", "/api/v1/auth/login", hdrs,
			  "{\"email\":\"nobody@example.invalid\"}", BURST_SIZE, rs);
	EXPECT(done == BURST_SIZE, "only %zu of %d concurrent requests completed", done,
	       BURST_SIZE);
	for (size_t i = 0; i < BURST_SIZE; i++) {
		if (rs[i]->status == 429) {
			if (first429 == BURST_SIZE)
				first429 = i;
			n429++;
		} else if (rs[i]->status != 422 && rs[i]->status != 401) {
			if (nother++ == 0)
				EXPECT(false, "unexpected answer in a login burst: %s",
				       resp_summary(rs[i]));
		}
	}
	if (EXPECT(n429 > 0, "%d concurrent logins from one address got no 429 "
			     "(limit 20r/s, burst 40)", BURST_SIZE))
		EXPECT_PROBLEM(rs[first429], 429, "rate-limited", NULL);
	for (size_t i = 0; i < BURST_SIZE; i++)
		resp_free(rs[i]);

	/* the limit is a rate, not a ban: after the bucket refills, login works */
	sleep_ms(3000);
	r = fx_login_json(fx.admin.email, fx.admin.password);
	EXPECT_STATUS(r, 200);
	resp_free(r);
}

static int add_rate_limit_suite(void)
{
	static const struct it_test tests[] = {
		{ "a burst of 100 concurrent bad logins gets 429 problem+json with Retry-After, then recovers", test_login_burst_gets_429_with_retry_after },
		{ NULL, NULL },
	};

	return it_add_suite("rate limit", NULL, NULL, tests);
}

IT_REGISTER(add_rate_limit_suite)
