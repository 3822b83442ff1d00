/* The unit test program's suites (no I/O: no sockets, no database). tests/unit mirrors
 * lib/: a module's tests are in tests/unit/<module>/, the fakes behind the ports in
 * tests/unit/fakes/. A registration error is left in CU_get_error(). */
#ifndef VS_TESTS_UNIT_SUITES_H
#define VS_TESTS_UNIT_SUITES_H

#include <CUnit/CUnit.h>

struct ut_test {
	const char *name;
	CU_TestFunc fn;
};

/* For string assertions: CUnit passes its arguments to strcmp, so a NULL would crash the
 * whole run instead of failing one test. */
static inline const char *ut_str(const char *s)
{
	return s ? s : "(null)";
}

#define UT_TEST(fn)                                                                                \
	{                                                                                          \
#fn, fn                                                                            \
	}
#define UT_END                                                                                     \
	{                                                                                          \
		NULL, NULL                                                                         \
	}

/* Adds a suite with the tests of a { NULL, NULL }-terminated table. */
void ut_add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup,
		  const struct ut_test *tests);

/* Each test file ends with UT_REGISTER(fn): main calls fn, which adds the file's suites,
 * after CUnit is set up. The files register themselves (in link order, which the Makefile
 * sorts by path), so a new test file needs no line anywhere else. */
void ut_register(void (*fn)(void));
#define UT_REGISTER(fn)                                                                    \
	__attribute__((constructor)) static void ut_register_file(void)                   \
	{                                                                                  \
		ut_register(fn);                                                           \
	}

#endif
