/*
 * The login rate limit (nginx limit_req, keyed by $binary_remote_addr; the harness
 * sets 20r/s, burst 40). The burst comes from a client address of its own,
 * 127.0.0.2 (nginx listens on 127.0.0.1; all of 127.0.0.0/8 is this host), so
 * it spends no bucket that the other suites' logins (from 127.0.0.1) draw on,
 * whatever runs before or after it. It still waits for its own bucket to refill.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "suites.h"
#include "util.h"

#define BURST_SIZE 100
#define SOURCE "127.0.0.2" /* the burst's client address, nobody else's */

/* The admin's login, sent from SOURCE. */
static struct resp *admin_login_from_source(void)
{
	const char *hdrs[] = { "Content-Type: application/json", NULL };
	struct json_object *o = json_object_new_object();
	struct resp *r = NULL;

	json_object_object_add(o, "email", json_object_new_string(fx.admin.email));
	json_object_object_add(o, "password", json_object_new_string(fx.admin.password));
	if (http_burst_from(SOURCE, "POST", "/api/v1/auth/login", hdrs,
			    json_object_to_json_string(o), 1, &r) != 1)
		EXPECT(false, "a login from %s was not answered: %s", SOURCE, resp_summary(r));
	json_object_put(o);
	return r;
}

static void test_login_burst_gets_429_with_retry_after(void)
{
	const char *hdrs[] = { "Content-Type: application/json", NULL };
	struct resp *rs[BURST_SIZE];
	size_t done, n429 = 0, nother = 0, first429 = BURST_SIZE;
	struct resp *r;
	char *access = NULL, *refresh = NULL;

	/* cheap bad logins (no password: no hash to compute), all at once */
	done = http_burst_from(SOURCE, "POST", "/api/v1/auth/login", hdrs,
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

	/* the limit is a rate, not a ban: after the bucket refills, login works from there */
	sleep_ms(3000);
	r = admin_login_from_source();
	fx_take_tokens(r, &access, &refresh); /* asserts the 200 and remembers the secrets */
	resp_free(r);
	free(access);
	free(refresh);
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
