/* Every suite of the integration test program; main.c registers them in this order. */
#ifndef IT_SUITES_H
#define IT_SUITES_H

#include <CUnit/CUnit.h>

struct it_test {
	const char *name;
	CU_TestFunc fn;
};

/* Adds a suite with the tests of a { NULL, NULL }-terminated table. 0 or -1. */
int it_add_suite(const char *name, CU_InitializeFunc init,
		 CU_CleanupFunc cleanup, const struct it_test *tests);

int add_health_suite(void);
int add_auth_suite(void);
int add_tokens_suite(void);
int add_tenants_suite(void);
int add_users_suite(void);
int add_errors_suite(void);
int add_authz_matrix_suite(void);
int add_authz_escalation_suite(void);
int add_rls_suite(void);
int add_plans_suite(void);
int add_check_pool_suite(void);
int add_api_keys_suite(void);
int add_auth_check_suite(void);
int add_key_last_used_suite(void);
int add_key_prefetch_suite(void);
int add_example_site_suite(void);
int add_docs_suite(void);
int add_metrics_suite(void);
int add_resilience_suite(void);
int add_rate_limit_suite(void);
int add_logs_suite(void);
int add_mail_smtp_suite(void);
int add_mailfile_suite(void);

#endif
