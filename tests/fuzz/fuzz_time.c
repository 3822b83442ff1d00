/* libFuzzer: RFC 3339 timestamps, calendar dates and time zone names (lib/core/time.c).
 *
 * The input is tried three ways: as a timestamp, as a zone name, and as "YYYY-MM-DD"
 * followed by a zone name (vs_time_end_of_day). Properties: an accepted timestamp formats
 * to the 20 characters of RFC 3339 that parse back to the same instant, and to the input
 * itself when that was already UTC without fraction; an accepted zone name is a plain
 * relative path; the end of a day lies within 16 h of midnight UTC after it
 * (local mean time reached ±15:56 in places; a skipped day adds 24 h), and TZ is left as it was. */
#include "core/time.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

static void check_timestamp(const char *s, size_t len)
{
	int64_t t, again;
	if (!vs_time_parse(s, len, &t))
		return;
	char out[VS_TIME_STRLEN + 1];
	vs_time_format(t, out);
	if (strlen(out) != VS_TIME_STRLEN || !vs_time_parse(out, VS_TIME_STRLEN, &again) ||
	    again != t)
		abort();
	for (size_t i = 0; i < VS_TIME_STRLEN; i++) {
		char want = "0000-00-00T00:00:00Z"[i];
		if (want == '0' ? !digit(out[i]) : out[i] != want)
			abort();
	}
	if (len == VS_TIME_STRLEN && (s[19] == 'Z' || s[19] == 'z')) {
		for (size_t i = 0; i < VS_TIME_STRLEN; i++)
			if (out[i] != s[i] && !(i == 10 && s[i] == 't') &&
			    !(i == 19 && s[i] == 'z'))
				abort();
	}
}

static void check_zone(const char *tz)
{
	if (!vs_timezone_valid(tz))
		return;
	size_t len = strlen(tz);
	if (len == 0 || len > 64 || tz[0] == '/' || strstr(tz, ".."))
		abort();
}

static void check_end_of_day(const char *s, size_t len, const char *tz)
{
	const char *before = getenv("TZ");
	char *saved = before ? strdup(before) : NULL;
	int64_t t, midnight;
	bool ok = vs_time_end_of_day(s, len, tz, &t);
	const char *after = getenv("TZ");
	if ((saved == NULL) != (after == NULL) || (saved && strcmp(saved, after) != 0))
		abort();
	free(saved);
	if (!ok)
		return;
	/* Midnight UTC that starts the day: the date with a UTC offset of zero. */
	char stamp[VS_TIME_STRLEN + 1];
	memcpy(stamp, s, 10);
	memcpy(stamp + 10, "T00:00:00Z", 11);
	if (!vs_timezone_valid(tz) || !vs_time_parse(stamp, VS_TIME_STRLEN, &midnight))
		abort();
	int64_t next = midnight + 86400;
	if (t < next - 16 * 3600 || t > next + 16 * 3600 + 86400)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256)
		return 0;
	const char *s = (const char *)data;
	check_timestamp(s, size);

	char buf[257];
	memcpy(buf, data, size);
	buf[size] = '\0'; /* a zone name stops at its first NUL, as a C string does */
	check_zone(buf);
	if (size >= 10)
		check_end_of_day(buf, 10, buf + 10);
	return 0;
}
