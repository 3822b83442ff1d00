/* vs-worker: the job runner (DESIGN.md §1). Runs the jobs requests enqueue, until TERM
 * or INT; its log is JSON lines on stderr, like the workers'. Configuration from the
 * environment: what vs-fcgi reads (VS_DATABASE_URL, the JWT secret, …) and VS_JOB_*. */
#include "adapters/smtp/smtp.h"
#include "app/db.h"
#include "core/log.h"
#include "core/crypto.h"
#include "runner/runner.h"
#include "runner/testing_kinds.h"
#include "runtime/runtime.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every module whose jobs this runner runs: vs_<module>_job_kinds. One line each. */
#define VS_JOB_KIND_MODULES(X) X(jobs) X(invitations) X(webhooks)

#define DECLARE(m) extern const struct vs_job_kind_group vs_##m##_job_kinds;
VS_JOB_KIND_MODULES(DECLARE)
#undef DECLARE

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a receiver closing early must not end the runner */
}

static const struct vs_runtime_options thread_options = { .need_jwt = true, .runner = true,
							   .mailer = true, .sender = true };

/* Each handler thread's app is a runtime of its own: its own database connection. */
static struct vs_app *open_app(void *ctx)
{
	(void)ctx;
	char err[256];
	struct vs_runtime *rt = malloc(sizeof(*rt));
	if (!rt || !vs_runtime_open(rt, &thread_options, err, sizeof(err))) {
		if (rt)
			vs_log(VS_LOG_ERROR, "cannot open a runner thread's runtime: %s", err);
		free(rt);
		return NULL;
	}
	return &rt->app;
}

static void close_app(void *ctx, struct vs_app *app)
{
	(void)ctx;
	struct vs_runtime *rt = (struct vs_runtime *)((char *)app - offsetof(struct vs_runtime, app));
	vs_runtime_close(rt);
	free(rt);
}

/* The VS_JOB_* settings; false (and why, in err) when one is out of range. */
static bool read_settings(struct vs_runner_settings *s, bool *test_kinds, char *err, size_t errlen)
{
	long concurrency, lease, poll, base, cap, retention, grace, testing, checkpoint, sequence;
	if (!vs_config_env_long("VS_JOB_CONCURRENCY", 8, 1, 256, &concurrency, err, errlen) ||
	    !vs_config_env_long("VS_JOB_LEASE_SECONDS", 30, 1, 3600, &lease, err, errlen) ||
	    !vs_config_env_long("VS_JOB_POLL_MS", 2000, 10, 60000, &poll, err, errlen) ||
	    !vs_config_env_long("VS_JOB_BACKOFF_BASE_MS", 2000, 1, 3600000, &base, err, errlen) ||
	    !vs_config_env_long("VS_JOB_BACKOFF_CAP_MS", 3600000, 1, 86400000, &cap, err, errlen) ||
	    !vs_config_env_long("VS_JOB_RETENTION_SECONDS", 7 * 86400, 60, 365 * 86400, &retention,
				err, errlen) ||
	    !vs_config_env_long("VS_JOB_SHUTDOWN_GRACE_MS", 10000, 0, 600000, &grace, err, errlen) ||
	    !vs_config_env_long("VS_JOB_TEST_KINDS", 0, 0, 1, &testing, err, errlen) ||
	    !vs_config_env_long("VS_AUDIT_CHECKPOINT_SECONDS", 300, 1, 86400, &checkpoint, err,
				errlen) ||
	    !vs_config_env_long("VS_AUDIT_SEQUENCE_MS", 200, 10, 60000, &sequence, err, errlen))
		return false;
	*s = (struct vs_runner_settings){
		.concurrency = (int)concurrency,
		.lease_s = (int)lease,
		.poll_ms = (int)poll,
		.backoff_base_ms = base,
		.backoff_cap_ms = cap,
		.retention_s = (int)retention,
		.shutdown_grace_ms = (int)grace,
		.checkpoint_s = (int)checkpoint,
		.sequence_ms = (int)sequence,
	};
	*test_kinds = testing == 1;
	/* host:pid:random, so a restarted runner with the same pid holds no old lease. */
	char host[64] = "localhost";
	uint8_t random[4];
	(void)gethostname(host, sizeof(host) - 1);
	vs_random_bytes(random, sizeof(random));
	snprintf(s->id, sizeof(s->id), "%.60s:%d:%02x%02x%02x%02x", host, (int)getpid(), random[0],
		 random[1], random[2], random[3]);
	return true;
}

int main(int argc, char **argv)
{
	/* The coordinator sends nothing, but opening a mailer checks the mail settings
	 * before any job is claimed. */
	static const struct vs_runtime_options main_options = {
		.need_jwt = true, .runner = true, .mailer = true, .queue = true, .signer = true,
		.sender = true
	};
	bool check_only = argc > 1 && strcmp(argv[1], "--check-config") == 0;
	struct vs_runner_settings settings;
	struct vs_runtime rt;
	bool test_kinds;
	char err[256];
	if (!vs_smtp_global_init()) { /* libcurl's, before any thread */
		vs_log(VS_LOG_ERROR, "cannot start: libcurl did not initialise");
		return 1;
	}
	if (!read_settings(&settings, &test_kinds, err, sizeof(err)) ||
	    !vs_runtime_open(&rt, &main_options, err, sizeof(err))) {
		vs_log(VS_LOG_ERROR, "cannot start: %s", err);
		return 1;
	}
	if (check_only) {
		vs_runtime_close(&rt);
		puts("configuration ok");
		return 0;
	}
	install_signals();
	const struct vs_job_kind_group *groups[] = {
#define ENTRY(m) &vs_##m##_job_kinds,
		VS_JOB_KIND_MODULES(ENTRY)
#undef ENTRY
		&vs_testing_job_kinds,
	};
	size_t ngroups = sizeof(groups) / sizeof(groups[0]) - (test_kinds ? 0 : 1);
	const struct vs_runner_apps apps = { open_app, close_app, NULL };
	(void)rt.app.db->ops->ensure(rt.app.db); /* a database away is waited for, not fatal */
	vs_log(VS_LOG_INFO, "runner %s starting, %d at once", settings.id, settings.concurrency);
	int status = vs_runner_run(&rt.app, groups, ngroups, &settings, &apps, NULL, &stopping);
	vs_log(VS_LOG_INFO, "runner %s stopped", settings.id);
	if (status == VS_RUNNER_HANDLERS_LEFT)
		_exit(0); /* their jobs were given back; what they use must stay to the end */
	vs_runtime_close(&rt);
	vs_smtp_global_cleanup();
	return status;
}
