/* Per-request memory: everything allocated for a request is freed at once when it ends.
 * Allocation never returns NULL: on out-of-memory the process logs and aborts, and the
 * supervisor starts a fresh worker (as PostgreSQL's palloc and Redis' zmalloc do). */
#ifndef VS_CORE_ARENA_H
#define VS_CORE_ARENA_H

#include <stddef.h>

struct vs_arena;

struct vs_arena *vs_arena_new(void);
/* Runs the registered cleanups (last first) and frees all but the first chunk. */
void vs_arena_reset(struct vs_arena *a);
void vs_arena_free(struct vs_arena *a);

/* Zeroed memory, aligned for any type. */
void *vs_arena_alloc(struct vs_arena *a, size_t size);
void *vs_arena_array(struct vs_arena *a, size_t n, size_t size);
char *vs_arena_strndup(struct vs_arena *a, const char *s, size_t len);
char *vs_arena_strdup(struct vs_arena *a, const char *s);
/* For messages only: never for SQL or JSON. */
char *vs_arena_printf(struct vs_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Registers fn(p) to run at the next reset or free (json_object_put, PQclear, free …). */
void vs_arena_defer(struct vs_arena *a, void (*fn)(void *), void *p);

/* Bytes handed out since the last reset (for tests and metrics). */
size_t vs_arena_used(const struct vs_arena *a);

#endif
