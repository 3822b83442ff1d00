/*
 * Small helpers of the integration test program: allocation that aborts on
 * out-of-memory, formatting, randomness, time, files.
 */
#ifndef IT_UTIL_H
#define IT_UTIL_H

#include <stdbool.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Like asprintf(3); aborts on failure. Free with free(). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* n random bytes from the OS; aborts on failure. */
void random_bytes(void *buf, size_t n);
/* Lower-case hex of nbytes random bytes into out (2 * nbytes + 1 chars). */
void random_hex(char *out, size_t nbytes);
/* A random version-4 UUID, lower-case, into out[37]. */
void random_uuid(char out[37]);

/* True when s is a canonical lower- or upper-case 8-4-4-4-12 UUID. */
bool is_uuid(const char *s);
/* True when s is RFC 3339 with a 'Z' (UTC) suffix, e.g. 2026-11-23T10:00:00Z. */
bool is_rfc3339_utc(const char *s);

long now_s(void);
double now_mono(void);
void sleep_ms(long ms);

/* Whole file into a NUL-terminated buffer; NULL on error. */
char *read_file(const char *path, size_t *len);

/* memmem-based: true when needle occurs in the first len bytes of hay. */
bool contains(const char *hay, size_t len, const char *needle);

#endif
