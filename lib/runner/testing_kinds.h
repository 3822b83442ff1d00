/* Job kinds that exist for tests and benchmarks (testing_kinds.c). */
#ifndef VS_RUNNER_TESTING_KINDS_H
#define VS_RUNNER_TESTING_KINDS_H

#include "jobs/usecases.h"

extern const struct vs_job_kind vs_testing_record_kind;
extern const struct vs_job_kind_group vs_testing_job_kinds;

#endif
