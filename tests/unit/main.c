/* The unit test program: CUnit basic interface, verbose. Exits non-zero when any assertion
 * or test fails, or when a suite cannot be registered or set up. */
#include "suites.h"

#include "core/log.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

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

/* The test files' register functions, as their constructors hand them in. */
#define MAX_FILES 128
static void (*registers[MAX_FILES])(void);
static size_t nregisters;

void ut_register(void (*fn)(void))
{
	if (nregisters == MAX_FILES) {
		fprintf(stderr, "unit_tests: more than %d test files; raise MAX_FILES\n", MAX_FILES);
		abort();
	}
	registers[nregisters++] = fn;
}

int main(void)
{

	/* The use cases log expected events (a reused refresh token); keep the report clean. */
	vs_log_set_level(VS_LOG_ERROR);
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "unit_tests: %s\n", CU_get_error_msg());
		return 2;
	}
	for (size_t i = 0; i < nregisters; i++) {
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
