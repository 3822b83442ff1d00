#include "core/log.h"

#include "core/time.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* The logger is the one piece of process-wide state: every layer may need it and it
 * has no owner to be passed from (as PostgreSQL's elog). */
static enum vs_log_level min_level = VS_LOG_INFO;
static char current_request[129];

static const char *const level_names[] = { "debug", "info", "warn", "error" };

bool vs_log_parse_level(const char *s, enum vs_log_level *out)
{
	for (int i = 0; i <= VS_LOG_ERROR; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum vs_log_level)i;
			return true;
		}
	}
	return false;
}

void vs_log_set_level(enum vs_log_level level)
{
	min_level = level;
}

bool vs_log_enabled(enum vs_log_level level)
{
	return level >= min_level;
}

void vs_log_set_request(const char *request_id)
{
	/* Called twice per request: a copy, not snprintf. Longer ids are cut. */
	size_t n = request_id ? strnlen(request_id, sizeof(current_request) - 1) : 0;
	memcpy(current_request, request_id ? request_id : "", n);
	current_request[n] = '\0';
}

static void timestamp(char out[32])
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	gmtime_r(&tv.tv_sec, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03dZ", (int)(tv.tv_usec / 1000));
}

void vs_log_object(enum vs_log_level level, struct json_object *obj)
{
	if (level < min_level)
		return;
	char ts[32];
	timestamp(ts);
	if (!json_object_object_get_ex(obj, "ts", NULL))
		json_object_object_add(obj, "ts", json_object_new_string(ts));
	if (!json_object_object_get_ex(obj, "level", NULL))
		json_object_object_add(obj, "level", json_object_new_string(level_names[level]));
	if (current_request[0] && !json_object_object_get_ex(obj, "request_id", NULL))
		json_object_object_add(obj, "request_id", json_object_new_string(current_request));
	const char *line = json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	/* One write per line so lines from several workers never interleave. */
	size_t len = strlen(line);
	char buf[8192];
	if (len + 1 < sizeof(buf)) {
		memcpy(buf, line, len);
		buf[len] = '\n';
		fwrite(buf, 1, len + 1, stderr);
	} else {
		fprintf(stderr, "%s\n", line);
	}
	fflush(stderr);
}

void vs_log(enum vs_log_level level, const char *fmt, ...)
{
	if (level < min_level)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct json_object *obj = json_object_new_object();
	char ts[32];
	timestamp(ts);
	json_object_object_add(obj, "ts", json_object_new_string(ts));
	json_object_object_add(obj, "level", json_object_new_string(level_names[level]));
	json_object_object_add(obj, "msg", json_object_new_string(msg));
	vs_log_object(level, obj);
	json_object_put(obj);
}

struct json_object *vs_log_duration_ms(int64_t us)
{
	char text[32];
	snprintf(text, sizeof(text), "%lld.%03lld", (long long)(us / 1000), (long long)(us % 1000));
	return json_object_new_double_s((double)us / 1000.0, text);
}
