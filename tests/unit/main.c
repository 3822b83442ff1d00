/* The unit test program: CUnit basic interface, verbose. Exits non-zero when any assertion
 * or test fails, or when a suite cannot be registered or set up. */
#include "suites.h"

#include "core/log.h"

#include <CUnit/Basic.h>
#include <stdio.h>

void ut_add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup,
		  const struct ut_test *tests)
{
	CU_pSuite s = CU_add_suite(name, init, cleanup);
	if (!s)
		return;
	for (const struct ut_test *t = tests; t->name; t++)
		if (!CU_add_test(s, t->name, t->fn))
			return;
}

int main(void)
{
	void (*const registers[])(void) = {
	    register_arena_tests,    register_json_tests,     register_uuid_time_tests,
	    register_crypto_tests,   register_form_tests,     register_jwt_tests,
	    register_password_tests, register_domain_tests,   register_router_tests,
	    register_request_tests,  register_app_auth_tests, register_app_users_tests,
	    register_rbac_tests,     register_authorize_tests, register_fakes_tests,
	    register_session_tests,  register_app_roles_tests, register_app_assignments_tests,
	    register_app_users_rbac_tests, register_app_tenants_tests,
	    register_openapi_tests,  register_key_cache_tests, register_config_tests,
	};

	/* The use cases log expected events (a reused refresh token); keep the report clean. */
	vs_log_set_level(VS_LOG_ERROR);
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "unit_tests: %s\n", CU_get_error_msg());
		return 2;
	}
	for (size_t i = 0; i < sizeof(registers) / sizeof(registers[0]); i++) {
		registers[i]();
		if (CU_get_error() != CUE_SUCCESS) {
			fprintf(stderr, "unit_tests: could not register a suite: %s\n",
				CU_get_error_msg());
			CU_cleanup_registry();
			return 2;
		}
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	CU_pRunSummary sum = CU_get_run_summary();
	unsigned failures = CU_get_number_of_failures();
	unsigned tests_failed = CU_get_number_of_tests_failed();
	unsigned suites_failed = sum->nSuitesFailed;
	CU_cleanup_registry();
	int rc = failures > 0 || tests_failed > 0 || suites_failed > 0 ? 1 : 0;
	printf("\nunit tests: %s\n", rc ? "FAILED" : "passed");
	return rc;
}
