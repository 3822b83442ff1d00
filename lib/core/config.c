#include "core/config.h"

#include "core/jwt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *env_dup(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	if (!v || !*v)
		v = fallback;
	return v ? strdup(v) : NULL;
}

bool vs_config_env_long(const char *name, long fallback, long min, long max, long *out, char *err,
			size_t errlen)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		*out = fallback;
		return true;
	}
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || n < min || n > max) {
		snprintf(err, errlen, "%s must be an integer from %ld to %ld", name, min, max);
		return false;
	}
	*out = n;
	return true;
}

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Which of choices the variable names, as its index; unset or empty: the first. */
static bool env_choice(const char *name, const char *const *choices, int n, int *out, char *err,
		       size_t errlen)
{
	const char *v = getenv(name);
	*out = 0;
	if (!v || !*v)
		return true;
	while (*out < n && strcmp(v, choices[*out]) != 0)
		(*out)++;
	if (*out < n)
		return true;
	int len = snprintf(err, errlen, "%s must be %s", name, choices[0]);
	for (int i = 1; i < n && len >= 0 && (size_t)len < errlen; i++)
		len += snprintf(err + len, errlen - (size_t)len, "%s%s", i == n - 1 ? " or " : ", ",
				choices[i]);
	return false;
}

/* Reads the secret file, dropping one trailing newline (as `openssl rand -base64` writes). */
static bool read_secret_file(const char *path, struct vs_config *c, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "could not open VS_JWT_SECRET_FILE %s: %s", path,
			 strerror(errno));
		return false;
	}
	unsigned char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf), f);
	bool too_long = n == sizeof(buf);
	fclose(f);
	if (too_long) {
		snprintf(err, errlen, "VS_JWT_SECRET_FILE is larger than 4095 bytes");
		return false;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	c->jwt_secret = malloc(n ? n : 1);
	if (!c->jwt_secret)
		abort();
	memcpy(c->jwt_secret, buf, n);
	c->jwt_secret_len = n;
	memset(buf, 0, sizeof(buf));
	return true;
}

/* Weak: too short for HMAC-SHA256, or too few distinct bytes to be random. */
static bool secret_is_weak(const unsigned char *s, size_t len)
{
	if (len < VS_JWT_MIN_KEY_LEN)
		return true;
	bool seen[256] = { false };
	int distinct = 0;
	for (size_t i = 0; i < len; i++) {
		if (!seen[s[i]]) {
			seen[s[i]] = true;
			distinct++;
		}
	}
	return distinct < 10;
}

static bool load_jwt(struct vs_config *c, char *err, size_t errlen)
{
	const char *secret = getenv("VS_JWT_SECRET");
	const char *file = getenv("VS_JWT_SECRET_FILE");
	if (secret && *secret) {
		c->jwt_secret_len = strlen(secret);
		c->jwt_secret = (unsigned char *)strdup(secret);
	} else if (file && *file) {
		if (!read_secret_file(file, c, err, errlen))
			return false;
	} else {
		snprintf(err, errlen, "VS_JWT_SECRET or VS_JWT_SECRET_FILE must be set");
		return false;
	}
	if (secret_is_weak(c->jwt_secret, c->jwt_secret_len)) {
		snprintf(err, errlen,
			 "the JWT secret is weak: it must be at least %d random bytes "
			 "(e.g. openssl rand -base64 48)",
			 VS_JWT_MIN_KEY_LEN);
		return false;
	}
	return true;
}

const char *vs_pool_name(enum vs_pool pool)
{
	static const char *const names[VS_POOLS] = { [VS_POOL_API] = "api",
						     [VS_POOL_CHECK] = "check" };
	return names[pool];
}

bool vs_config_load(struct vs_config *c, bool need_jwt, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	long access_ttl, refresh_ttl, max_body;
	const char *level = getenv("VS_LOG_LEVEL");

	c->log_level = VS_LOG_INFO;
	if (level && *level && !vs_log_parse_level(level, &c->log_level)) {
		snprintf(err, errlen, "VS_LOG_LEVEL must be debug, info, warn or error");
		goto fail;
	}
	c->database_url = env_dup("VS_DATABASE_URL", NULL);
	if (!c->database_url) {
		snprintf(err, errlen, "VS_DATABASE_URL must be set");
		goto fail;
	}
	c->jwt_issuer = env_dup("VS_JWT_ISSUER", "virtualstack");
	c->jwt_audience = env_dup("VS_JWT_AUDIENCE", "virtualstack-api");
	c->public_url = env_dup("VS_PUBLIC_URL", "https://localhost");
	size_t ulen = strlen(c->public_url);
	while (ulen > 0 && c->public_url[ulen - 1] == '/')
		c->public_url[--ulen] = '\0';
	if (strncmp(c->public_url, "https://", 8) != 0 && strncmp(c->public_url, "http://", 7) != 0) {
		snprintf(err, errlen, "VS_PUBLIC_URL must be an http:// or https:// URL");
		goto fail;
	}
	c->shm_path = env_dup("VS_SHM_PATH", NULL);
	c->metrics_path = env_dup("VS_METRICS_PATH", NULL);
	if (!c->metrics_path && c->shm_path && asprintf(&c->metrics_path, "%s.metrics",
							  c->shm_path) < 0)
		abort();
	if (!vs_config_env_long("VS_ACCESS_TOKEN_TTL", 900, 30, 86400, &access_ttl, err, errlen) ||
	    !vs_config_env_long("VS_REFRESH_TOKEN_TTL", 2592000, 300, 31536000, &refresh_ttl, err,
		      errlen) ||
	    !vs_config_env_long("VS_STATEMENT_TIMEOUT_MS", 5000, 10, 600000, &c->statement_timeout_ms, err,
		      errlen) ||
	    !vs_config_env_long("VS_DB_TIMEOUT_MS", 0, 0, 600000, &c->db_timeout_ms, err, errlen) ||
	    !vs_config_env_long("VS_MAX_BODY_BYTES", 65536, 1024, 16 * 1024 * 1024, &max_body, err,
		      errlen) ||
	    !vs_config_env_long("VS_MAX_REQUESTS", 0, 0, 1L << 40, &c->max_requests, err, errlen) ||
	    !vs_config_env_long("VS_KEY_CACHE_SIZE", 131072, 16, 4194304, &c->key_cache_size, err,
		      errlen) ||
	    !vs_config_env_long("VS_KEY_CACHE_TTL", 300, 1, 86400, &c->key_cache_ttl, err, errlen))
		goto fail;
	static const char *const log_checks[] = { [VS_LOG_CHECKS_NONE] = "none",
						  [VS_LOG_CHECKS_FAILURES] = "failures",
						  [VS_LOG_CHECKS_ALL] = "all" };
	static const char *const scheduling[] = { [VS_CHECK_SCHED_BATCH] = "batch",
						  [VS_CHECK_SCHED_NORMAL] = "normal" };
	const char *pools[VS_POOLS];
	for (int i = 0; i < VS_POOLS; i++)
		pools[i] = vs_pool_name((enum vs_pool)i);
	int checks, sched, pool;
	if (!env_choice("VS_LOG_CHECKS", log_checks, COUNT(log_checks), &checks, err, errlen) ||
	    !env_choice("VS_CHECK_SCHEDULING", scheduling, COUNT(scheduling), &sched, err,
			errlen) ||
	    !env_choice("VS_POOL", pools, VS_POOLS, &pool, err, errlen))
		goto fail;
	c->log_checks = (enum vs_log_checks)checks;
	c->check_scheduling = (enum vs_check_scheduling)sched;
	c->pool = (enum vs_pool)pool;
	c->access_ttl = access_ttl;
	c->refresh_ttl = refresh_ttl;
	c->max_body_bytes = (size_t)max_body;
	if (need_jwt && !load_jwt(c, err, errlen))
		goto fail;
	return true;
fail:
	vs_config_release(c);
	return false;
}

void vs_config_release(struct vs_config *c)
{
	if (c->jwt_secret)
		memset(c->jwt_secret, 0, c->jwt_secret_len);
	free(c->jwt_secret);
	free(c->database_url);
	free(c->jwt_issuer);
	free(c->jwt_audience);
	free(c->shm_path);
	free(c->metrics_path);
	free(c->public_url);
	memset(c, 0, sizeof(*c));
}
