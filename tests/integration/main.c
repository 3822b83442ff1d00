/*
 * The integration test program: drives a running stack over HTTPS.
 * Configuration comes from the environment that tests/integration/run
 * exports from $VS_STATE_DIR/env. The exit status is non-zero when any test
 * fails or any suite cannot be set up.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "fixtures.h"
#include "suites.h"

/* Before every test: no failure-message context left over, a live admin token. */
static void before_test(void)
{
	chk_context(NULL);
	fx_keep_admin_fresh();
}

static void after_test(void)
{
	chk_context(NULL);
}

int it_add_suite(const char *name, CU_InitializeFunc init,
		 CU_CleanupFunc cleanup, const struct it_test *tests)
{
	CU_pSuite s = CU_add_suite_with_setup_and_teardown(name, init, cleanup,
							   before_test, after_test);

	if (!s)
		return -1;
	for (const struct it_test *t = tests; t->name; t++)
		if (!CU_add_test(s, t->name, t->fn))
			return -1;
	return 0;
}

int main(void)
{
	/*
	 * Order matters: the resilience suite stops the database and kills a
	 * worker; the rate-limit suite exhausts the login burst; the log suite
	 * reads what every earlier request left in the logs.
	 */
	int (*const adders[])(void) = {
		add_health_suite,     add_auth_suite,   add_tokens_suite,
		add_tenants_suite,    add_users_suite,  add_errors_suite,
		add_authz_matrix_suite, add_authz_escalation_suite, add_rls_suite,
		add_plans_suite,
		add_api_keys_suite,   add_auth_check_suite, add_key_last_used_suite, add_key_prefetch_suite,
		add_check_pool_suite,
		add_example_site_suite,
		add_mail_smtp_suite,  add_mailfile_suite,
		add_docs_suite,       add_metrics_suite,
		add_resilience_suite, add_rate_limit_suite, add_logs_suite,
	};
	CU_pRunSummary sum;
	unsigned failures;
	int rc;

	if (fx_setup() != 0) {
		fx_teardown();
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "integration_tests: %s\n", CU_get_error_msg());
		fx_teardown();
		return 2;
	}
	for (size_t i = 0; i < sizeof(adders) / sizeof(adders[0]); i++) {
		if (adders[i]() != 0) {
			fprintf(stderr, "integration_tests: %s\n", CU_get_error_msg());
			CU_cleanup_registry();
			fx_teardown();
			return 2;
		}
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	sum = CU_get_run_summary();
	failures = CU_get_number_of_failures();
	rc = (failures > 0 || sum->nSuitesFailed > 0 || sum->nTestsFailed > 0) ? 1 : 0;
	CU_cleanup_registry();
	fx_teardown();
	printf("\nintegration tests: %s\n", rc ? "FAILED" : "passed");
	return rc;
}
