/* RFC 3339 timestamps. Internally time is Unix seconds (int64_t, UTC). */
#ifndef VS_CORE_TIME_H
#define VS_CORE_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VS_TIME_STRLEN 20 /* 2026-11-23T10:00:00Z */

/* Writes e.g. "2026-11-23T10:00:00Z" and a NUL. */
void vs_time_format(int64_t unix_seconds, char out[VS_TIME_STRLEN + 1]);

/* Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)"; an offset is required.
 * Fractions are truncated to the second. */
bool vs_time_parse(const char *s, size_t len, int64_t *unix_seconds);

/* Whether tz names a zone of the IANA database (/usr/share/zoneinfo, Debian's tzdata). */
bool vs_timezone_valid(const char *tz);

/* The instant at which the day "YYYY-MM-DD" ends in zone tz, that is when the next day
 * starts there (at 00:00, or the first instant after it when a clock change skips
 * midnight). False for a malformed date or an unknown zone. */
bool vs_time_end_of_day(const char *date, size_t len, const char *tz, int64_t *unix_seconds);

/* Seconds since the epoch from the real-time clock. */
int64_t vs_time_now(void);
/* Monotonic time in microseconds, for durations. */
int64_t vs_time_mono_us(void);

#endif
