/* Every suite of the unit test program (no I/O: no sockets, no database). main.c calls each
 * register function once; a registration error is left in CU_get_error(). */
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

void register_arena_tests(void);
void register_json_tests(void);
void register_uuid_time_tests(void);
void register_crypto_tests(void);
void register_form_tests(void);
void register_jwt_tests(void);
void register_password_tests(void);
void register_domain_tests(void);
void register_router_tests(void);
void register_request_tests(void);
void register_app_auth_tests(void);
void register_app_users_tests(void);
void register_rbac_tests(void);
void register_authorize_tests(void);
void register_fakes_tests(void);
void register_session_tests(void);
void register_app_roles_tests(void);
void register_app_assignments_tests(void);
void register_app_users_rbac_tests(void);
void register_app_tenants_tests(void);
void register_openapi_tests(void);
void register_key_cache_tests(void);
void register_config_tests(void);

#endif
