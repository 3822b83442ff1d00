/*
 * The integration test program: drives a running stack over HTTPS.
 * Configuration comes from the environment that tests/integration/run
 * exports from $VS_STATE_DIR/env. The test files register their suites
 * themselves (IT_REGISTER); plan.c picks which run, in which order. The exit
 * status is non-zero when any test fails or any suite cannot be set up, 2 when
 * VS_TEST_ONLY, VS_TEST_ORDER or VS_TEST_SHUFFLE make no sense.
 *
 *   integration_tests           run the chosen suites
 *   integration_tests --list    print them, one "folder/name" a line; needs no stack
 */
#include <CUnit/Basic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixtures.h"
#include "plan.h"
#include "suites.h"

#define MAX_FILES 128
#define MAX_SUITES 256

/* The test files' register functions, as their constructors hand them in. */
static struct registration {
	int (*fn)(void);
	const char *file;
	char folder[64];
} files[MAX_FILES];
static size_t nfiles;
static const struct registration *registering; /* whose suites it_add_suite adds */

static struct it_suite suites[MAX_SUITES];
static size_t nsuites;

void it_register(int (*fn)(void), const char *file)
{
	if (nfiles == MAX_FILES) {
		fprintf(stderr, "integration_tests: more than %d test files; raise MAX_FILES\n",
			MAX_FILES);
		abort();
	}
	files[nfiles].fn = fn;
	files[nfiles].file = file;
	it_folder_of(file, files[nfiles].folder, sizeof(files[nfiles].folder));
	nfiles++;
}

int it_add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup,
		 const struct it_test *tests)
{
	if (nsuites == MAX_SUITES || !registering) {
		fprintf(stderr, "integration_tests: suite \"%s\": %s\n", name,
			registering ? "more than MAX_SUITES suites" : "added outside IT_REGISTER");
		return -1;
	}
	suites[nsuites++] = (struct it_suite){ name, registering->folder, init, cleanup, tests };
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct registration *)a)->file,
		      ((const struct registration *)b)->file);
}

/* Every file's suites, by file path: the default order does not hang on the link order. */
static int collect(void)
{
	qsort(files, nfiles, sizeof(files[0]), by_path);
	for (size_t i = 0; i < nfiles; i++) {
		registering = &files[i];
		if (files[i].fn() != 0) {
			fprintf(stderr, "integration_tests: %s could not register its suites\n",
				files[i].file);
			return -1;
		}
	}
	registering = NULL;
	for (size_t i = 0; i < nsuites; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(suites[i].name, suites[j].name) == 0) {
				fprintf(stderr, "integration_tests: two suites are called \"%s\"\n",
					suites[i].name);
				return -1;
			}
	if (nsuites == 0)
		fprintf(stderr, "integration_tests: no suite registered itself\n");
	return nsuites ? 0 : -1;
}

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

static int add_to_cunit(const struct it_suite *s)
{
	CU_pSuite cs = CU_add_suite_with_setup_and_teardown(s->name, s->init, s->cleanup,
							    before_test, after_test);

	if (!cs)
		return -1;
	for (const struct it_test *t = s->tests; t->name; t++)
		if (!CU_add_test(cs, t->name, t->fn))
			return -1;
	return 0;
}

static int run(const size_t *order, size_t k)
{
	CU_pRunSummary sum;
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
	for (size_t i = 0; i < k; i++) {
		if (add_to_cunit(&suites[order[i]]) != 0) {
			fprintf(stderr, "integration_tests: %s\n", CU_get_error_msg());
			CU_cleanup_registry();
			fx_teardown();
			return 2;
		}
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	sum = CU_get_run_summary();
	rc = (CU_get_number_of_failures() > 0 || sum->nSuitesFailed > 0 ||
	      sum->nTestsFailed > 0)
		     ? 1
		     : 0;
	CU_cleanup_registry();
	fx_teardown();
	return rc;
}

int main(int argc, char **argv)
{
	bool list = argc == 2 && strcmp(argv[1], "--list") == 0;
	size_t order[MAX_SUITES];
	char how[96];
	int k, rc;

	if (argc > 2 || (argc == 2 && !list)) {
		fprintf(stderr, "usage: integration_tests [--list]\n");
		return 2;
	}
	if (collect() != 0 || (k = it_plan(suites, nsuites, order, how, sizeof(how))) < 0)
		return 2;
	if (list) {
		for (int i = 0; i < k; i++)
			printf("%s/%s\n", suites[order[i]].folder, suites[order[i]].name);
		return 0;
	}
	printf("integration tests: %d of %zu suites, %s\n", k, nsuites, how);
	rc = run(order, (size_t)k);
	printf("\nintegration tests: %s (%d of %zu suites, %s)\n", rc ? "FAILED" : "passed", k,
	       nsuites, how);
	return rc;
}
