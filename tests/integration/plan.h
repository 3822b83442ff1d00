/*
 * Which registered suites run and in which order, from the environment:
 * VS_TEST_ONLY (names of suites or module folders), VS_TEST_ORDER (path,
 * reverse) and VS_TEST_SHUFFLE (a seed). README: "Choosing and ordering suites".
 */
#ifndef IT_PLAN_H
#define IT_PLAN_H

#include <stddef.h>

#include "suites.h"

struct it_suite {
	const char *name;   /* the CUnit suite name */
	const char *folder; /* its file's folder under tests/integration/, "" at the top */
	CU_InitializeFunc init;
	CU_CleanupFunc cleanup;
	const struct it_test *tests;
};

/* The module folder of a test file's __FILE__ into out: "users" for
 * "tests/integration/users/test_users.c", "" for a file at the top. */
void it_folder_of(const char *file, char *out, size_t size);

/*
 * The suites to run, as indexes into suites[0..n-1] (registration order: by
 * file path), written to order[] (room for n): those VS_TEST_ONLY selects (all
 * when it is unset or empty), in the order VS_TEST_ORDER or VS_TEST_SHUFFLE asks
 * for, which is described into how[] ("path order", "shuffled with seed 42").
 * The count, or -1 after saying why on stderr (an unknown name, listed with the
 * names there are; a bad seed or order).
 */
int it_plan(const struct it_suite *suites, size_t n, size_t *order, char *how, size_t howsize);

#endif
