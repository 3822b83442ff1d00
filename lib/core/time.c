#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The instants RFC 3339 writes in UTC: years 0000 to 9999. */
#define FIRST_SECOND (-62167219200LL) /* 0000-01-01T00:00:00Z */
#define LAST_SECOND 253402300799LL    /* 9999-12-31T23:59:59Z */

/* v (≥ 0) as n decimal digits, zero-padded. */
static void put_digits(char *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
}

void vs_time_format(int64_t unix_seconds, char out[VS_TIME_STRLEN + 1])
{
	/* Four digits of year, always (strftime's %Y writes "5" and "10000"); an instant
	 * outside them, which vs_time_parse never returns, is written as the nearest end. */
	time_t t = (time_t)(unix_seconds < FIRST_SECOND ? FIRST_SECOND
			    : unix_seconds > LAST_SECOND ? LAST_SECOND
							 : unix_seconds);
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		abort(); /* every year of 0000–9999 fits a struct tm */
	memcpy(out, "0000-00-00T00:00:00Z", VS_TIME_STRLEN + 1);
	put_digits(out, tm.tm_year + 1900, 4);
	put_digits(out + 5, tm.tm_mon + 1, 2);
	put_digits(out + 8, tm.tm_mday, 2);
	put_digits(out + 11, tm.tm_hour, 2);
	put_digits(out + 14, tm.tm_min, 2);
	put_digits(out + 17, tm.tm_sec, 2);
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

bool vs_time_parse(const char *s, size_t len, int64_t *unix_seconds)
{
	int y, mo, d, h, mi, sec;
	if (len < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
	    sec > 59)
		return false;
	size_t i = 19;
	if (i < len && s[i] == '.') {
		size_t start = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	int offset = 0;
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		int oh, om;
		if (len - i < 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
		    !digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
			return false;
		offset = (oh * 60 + om) * 60 * (s[i] == '-' ? -1 : 1);
		i += 6;
	} else {
		return false; /* no offset: the instant would be ambiguous */
	}
	if (i != len)
		return false;
	/* "0000-01-01T00:30:00+01:00" and "9999-12-31T23:00:00-01:00" are instants of the
	 * years before and after: RFC 3339 cannot write them in UTC, and neither can
	 * vs_time_format, so they are refused rather than answered back as another time. */
	int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
	if (t < FIRST_SECOND || t > LAST_SECOND)
		return false;
	*unix_seconds = t;
	return true;
}

bool vs_timezone_valid(const char *tz)
{
	size_t len = tz ? strlen(tz) : 0;
	if (len == 0 || len > 64 || tz[0] == '/' || strstr(tz, ".."))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = tz[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '/' || c == '_' || c == '-' || c == '+'))
			return false;
	}
	char path[128];
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	FILE *f = fopen(path, "rb");
	char magic[4] = { 0 };
	bool ok = f && fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
	if (f)
		fclose(f);
	return ok;
}

bool vs_time_end_of_day(const char *date, size_t len, const char *tz, int64_t *unix_seconds)
{
	int y, m, d;
	if (len != 10 || !digits(date, 4, &y) || date[4] != '-' || !digits(date + 5, 2, &m) ||
	    date[7] != '-' || !digits(date + 8, 2, &d) || m < 1 || m > 12 || d < 1 ||
	    d > days_in_month(y, m) || !vs_timezone_valid(tz))
		return false;

	/* mktime reads the zone from TZ; the worker is single-threaded, and TZ is put back. */
	char *saved = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	setenv("TZ", tz, 1);
	tzset();
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + 1, .tm_isdst = -1 };
	time_t t = mktime(&tm);
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	if (t == (time_t)-1)
		return false;
	*unix_seconds = (int64_t)t;
	return true;
}

int64_t vs_time_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t vs_time_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
