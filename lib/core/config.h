/* Worker configuration, read once from the environment (DESIGN.md §7). */
#ifndef VS_CORE_CONFIG_H
#define VS_CORE_CONFIG_H

#include "core/log.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The auth_request check comes by the ten thousand a second, and nginx logs each one
 * (and /metrics counts them): the worker adds a line only when asked to. */
enum vs_log_checks { VS_LOG_CHECKS_NONE, VS_LOG_CHECKS_FAILURES, VS_LOG_CHECKS_ALL };

/* The check pool's Linux scheduling policy (VS_CHECK_SCHEDULING). SCHED_BATCH: a worker
 * woken by nginx does not preempt it, so nginx hands over a whole round of checks first,
 * and the worker answers them one after another instead of waking for each. */
enum vs_check_scheduling { VS_CHECK_SCHED_BATCH, VS_CHECK_SCHED_NORMAL };

/* Which of the host's pools a worker serves (VS_POOL, set by the launchers): the same
 * program either way, told apart in /metrics. */
enum vs_pool { VS_POOL_API, VS_POOL_CHECK, VS_POOLS };
/* "api", "check": the value of VS_POOL, and the pool's label in /metrics. */
const char *vs_pool_name(enum vs_pool pool);

struct vs_config {
	char *database_url;
	unsigned char *jwt_secret; /* owned; never logged */
	size_t jwt_secret_len;
	char *jwt_issuer, *jwt_audience;
	int64_t access_ttl, refresh_ttl; /* seconds */
	long statement_timeout_ms;
	long db_timeout_ms; /* the client's bound on any wait for the database; 0: derived */
	size_t max_body_bytes;
	long max_requests; /* 0 = no limit */
	long key_cache_size, key_cache_ttl; /* verified API keys kept per worker, seconds */
	enum vs_log_checks log_checks; /* which auth checks get an access line */
	enum vs_check_scheduling check_scheduling; /* applied by check pool workers */
	char *shm_path;	 /* the host epoch shared by this host's workers, or NULL */
	char *metrics_path; /* their metrics (default: shm_path + ".metrics"), or NULL */
	enum vs_log_level log_level;
	enum vs_pool pool;
	char *public_url; /* where users reach the site (links in e-mail), no trailing '/' */
};

/* Reads VS_* variables. On failure writes a one-line reason into err and returns false;
 * the caller refuses to start. need_jwt is false for tools that never mint tokens. */
bool vs_config_load(struct vs_config *c, bool need_jwt, char *err, size_t errlen);
void vs_config_release(struct vs_config *c);

/* One integer variable in [min, max], fallback when unset or empty; else a one-line reason
 * in err and false. For the settings a process of its own reads (vs-worker). */
bool vs_config_env_long(const char *name, long fallback, long min, long max, long *out, char *err,
			size_t errlen);

#endif
