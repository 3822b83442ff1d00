/* One JSON line per event on stderr. Messages follow PostgreSQL style: lower-case first
 * word, no trailing period. Never pass a secret to these functions. */
#ifndef VS_CORE_LOG_H
#define VS_CORE_LOG_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

enum vs_log_level { VS_LOG_DEBUG, VS_LOG_INFO, VS_LOG_WARN, VS_LOG_ERROR };

bool vs_log_parse_level(const char *s, enum vs_log_level *out);
void vs_log_set_level(enum vs_log_level level);
/* Whether a line of level would be written: to skip building one that would not. */
bool vs_log_enabled(enum vs_log_level level);
/* The request being served, added to every line until cleared with NULL. */
void vs_log_set_request(const char *request_id);

void vs_log(enum vs_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes obj as one line, adding "ts" and "level" unless present. Takes no ownership. */
void vs_log_object(enum vs_log_level level, struct json_object *obj);
/* A duration in milliseconds with microsecond precision, written without float noise. */
struct json_object *vs_log_duration_ms(int64_t us);

#endif
