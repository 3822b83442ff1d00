/* GET /metrics: Prometheus text, summed over every worker of the pool. Scrapes around
 * known traffic and checks the deltas; the text must name no tenant, user, key or token. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "scrape.h"
#include "suites.h"
#include "util.h"

/* Enough requests that nginx spreads them over every worker of the pool. */
#define HEALTH_REQUESTS 40

/* A statement the database refuses counts, an expected one too: a duplicate slug is a
 * 409 for the client and an error in PostgreSQL's log (issue 22, defect 10). */
static void test_metrics_count_statements_the_database_refused(void)
{
	char *slug = fx_unique("dup"), *name = fx_unique("Dup");
	char *body = xasprintf("{\"name\":\"%s\",\"slug\":\"%s\"}", name, slug);
	struct resp *first = req("POST", "/api/v1/tenants", fx.admin.access, NULL, body);
	char *before = metrics_scrape(), *after = NULL;
	struct resp *again = req("POST", "/api/v1/tenants", fx.admin.access, NULL, body);
	EXPECT_STATUS(again, 409);
	after = metrics_scrape();
	if (before && after)
		EXPECT(metrics_value(after, "vs_db_query_errors_total") -
				   metrics_value(before, "vs_db_query_errors_total") >= 1,
		       "vs_db_query_errors_total %g before, %g after a duplicate",
		       metrics_value(before, "vs_db_query_errors_total"),
		       metrics_value(after, "vs_db_query_errors_total"));
	if (first && first->status == 201)
		fx_delete_tenant(jstr(resp_json(first), "id"));
	resp_free(first);
	resp_free(again);
	free(before);
	free(after);
	free(body);
	free(name);
	free(slug);
}

static void test_metrics_count_requests_across_workers(void)
{
	const char *ok = "vs_http_requests_total{method=\"GET\",route=\"/api/v1/health\","
			 "status=\"200\"}";
	const char *count = "vs_http_request_duration_seconds_count{method=\"GET\","
			    "route=\"/api/v1/health\"}";
	const char *missing = "vs_http_requests_total{method=\"GET\",route=\"/api/v1/users/{user_id}\","
			      "status=\"404\"}";
	char *before = metrics_scrape(), *after = NULL;
	char *path = xasprintf("/api/v1/users/%s", "00000000-0000-4000-8000-000000000000");
	for (int i = 0; i < HEALTH_REQUESTS; i++)
		resp_free(req("GET", "/api/v1/health", NULL, NULL, NULL));
	for (int i = 0; i < 3; i++)
		resp_free(req("GET", path, fx.admin.access, NULL, NULL));
	after = metrics_scrape();
	if (before && after) {
		EXPECT(metrics_value(after, ok) - metrics_value(before, ok) == HEALTH_REQUESTS,
		       "health 200s: %g before, %g after %d requests", metrics_value(before, ok),
		       metrics_value(after, ok), HEALTH_REQUESTS);
		EXPECT(metrics_value(after, count) - metrics_value(before, count) == HEALTH_REQUESTS,
		       "latency histogram count moved by %g, not %d",
		       metrics_value(after, count) - metrics_value(before, count), HEALTH_REQUESTS);
		EXPECT(metrics_value(after, missing) - metrics_value(before, missing) == 3,
		       "404s on /users/{user_id} moved by %g, not 3",
		       metrics_value(after, missing) - metrics_value(before, missing));
		double api = metrics_value(after, "vs_pool_workers{pool=\"api\"}"),
		       check = metrics_value(after, "vs_pool_workers{pool=\"check\"}");
		EXPECT(api >= 1 && check >= 1,
		       "vs_pool_workers should count the live workers of each pool: api %g, check %g",
		       api, check);
		if (fx.cfg.workers > 0 && fx.cfg.check_workers > 0)
			EXPECT(api == (double)fx.cfg.workers && check == (double)fx.cfg.check_workers,
			       "vs_pool_workers: api %g, check %g; the pools have %ld and %ld", api,
			       check, fx.cfg.workers, fx.cfg.check_workers);
		EXPECT(strstr(after, "vs_db_connections_total ") != NULL,
		       "database connections are exported");
	}
	free(path);
	free(before);
	free(after);
}

static void test_metrics_count_auth_checks_and_cache_lookups(void)
{
	const char *allowed = "vs_auth_checks_total{credential=\"api_key\",outcome=\"allowed\"}";
	const char *refused = "vs_auth_checks_total{credential=\"api_key\",outcome=\"unauthorized\"}";
	const char *hits = "vs_cache_lookups_total{cache=\"api_key\",result=\"hit\"}";
	const char *misses = "vs_cache_lookups_total{cache=\"api_key\",result=\"miss\"}";
	char *key = fx_create_key(fx.admin.access, "{\"name\":\"metrics\",\"scope\":\"GLOBAL\"}",
				  NULL);
	if (!key)
		return;
	char *before = metrics_scrape(), *after = NULL;
	for (int i = 0; i < 10; i++)
		resp_free(fx_auth_check(key, NULL, NULL, NULL, NULL));
	/* Malformed: refused before any lookup, so the cache sees only the 10 above. */
	resp_free(fx_auth_check("vsak_not-even-a-key", NULL, NULL, NULL, NULL));
	resp_free(fx_auth_check("vsak_not-even-a-key", NULL, NULL, NULL, NULL));
	after = metrics_scrape();
	if (before && after) {
		EXPECT(metrics_value(after, allowed) - metrics_value(before, allowed) == 10,
		       "allowed key checks moved by %g, not 10",
		       metrics_value(after, allowed) - metrics_value(before, allowed));
		EXPECT(metrics_value(after, refused) - metrics_value(before, refused) == 2,
		       "refused key checks moved by %g, not 2",
		       metrics_value(after, refused) - metrics_value(before, refused));
		/* Each worker looks a new key up once, then serves it from its cache. */
		double h = metrics_value(after, hits) - metrics_value(before, hits);
		double m = metrics_value(after, misses) - metrics_value(before, misses);
		EXPECT(h + m == 10 && m >= 1 && h >= 10 - (fx.cfg.workers > 0 ? fx.cfg.workers : 8),
		       "10 checks gave %g cache hits and %g misses", h, m);
	}
	free(before);
	free(after);
	free(key);
}

/* Nothing that identifies a tenant, a user or a credential: no UUIDs, e-mail
 * addresses, keys or tokens, whatever traffic came before. */
static void test_metrics_name_no_tenant_user_or_secret(void)
{
	char *text = metrics_scrape();
	if (!text)
		return;
	EXPECT(strchr(text, '@') == NULL, "an e-mail address in /metrics");
	EXPECT(strstr(text, "vsak_") == NULL, "an API key in /metrics");
	EXPECT(strstr(text, "eyJ") == NULL, "a JWT in /metrics");
	size_t hexrun = 0;
	for (const char *p = text; *p; p++) {
		hexrun = isxdigit((unsigned char)*p) || *p == '-' ? hexrun + 1 : 0;
		if (hexrun >= 32) {
			EXPECT(0, "a UUID-like run in /metrics near: %.40s", p - 31);
			break;
		}
	}
	free(text);
}

/* Read-only like every other route. */
static void test_metrics_refuse_changes(void)
{
	struct resp *r = http_do("POST", "/metrics", NULL, "", 0, HTTP_NO_RESPONSE_LOG);
	EXPECT_STATUS(r, 405);
	resp_free(r);
}

static int add_metrics_suite(void)
{
	static const struct it_test tests[] = {
		{ "metrics count requests across workers", test_metrics_count_requests_across_workers },
		{ "vs_db_query_errors_total counts a statement the database refused", test_metrics_count_statements_the_database_refused },
		{ "metrics count auth checks and cache lookups",
		  test_metrics_count_auth_checks_and_cache_lookups },
		{ "metrics name no tenant, user or secret", test_metrics_name_no_tenant_user_or_secret },
		{ "metrics refuse changes", test_metrics_refuse_changes },
		{ NULL, NULL },
	};
	return it_add_suite("metrics", NULL, NULL, tests);
}

IT_REGISTER(add_metrics_suite)
