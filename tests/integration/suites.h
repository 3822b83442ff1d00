/*
 * The integration test program's suites. A module's suites live in
 * tests/integration/<module>/test_*.c, cross-cutting ones in platform/; each
 * test file ends with IT_REGISTER(fn), so a new file needs no line anywhere
 * else. Suites must not depend on each other or on their order (README).
 */
#ifndef IT_SUITES_H
#define IT_SUITES_H

#include <CUnit/CUnit.h>

struct it_test {
	const char *name;
	CU_TestFunc fn;
};

/*
 * Adds a suite with the tests of a { NULL, NULL }-terminated table. Called from
 * a register function; the suite runs only if VS_TEST_ONLY selects it. 0 or -1.
 */
int it_add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup,
		 const struct it_test *tests);

/*
 * Each test file ends with IT_REGISTER(fn): main calls fn, which adds the
 * file's suites, before anything runs. The suites are known by their names and
 * by the folder of the file (__FILE__), which VS_TEST_ONLY may name too.
 */
void it_register(int (*fn)(void), const char *file);
#define IT_REGISTER(fn)                                                                            \
	__attribute__((constructor)) static void it_register_file(void)                            \
	{                                                                                          \
		it_register(fn, __FILE__);                                                         \
	}

#endif
