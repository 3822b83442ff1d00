#include "core/arena.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (16 * 1024)

struct chunk {
	struct chunk *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *p;
};

struct vs_arena {
	struct chunk *head; /* current chunk; the first one allocated is last in the list */
	struct cleanup *cleanups;
	size_t used;
};

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p) {
		fputs("{\"level\":\"error\",\"msg\":\"out of memory\"}\n", stderr);
		abort();
	}
	return p;
}

static struct chunk *chunk_new(size_t size, struct chunk *next)
{
	struct chunk *c = xmalloc(sizeof(*c) + size);
	c->next = next;
	c->size = size;
	c->used = 0;
	return c;
}

struct vs_arena *vs_arena_new(void)
{
	struct vs_arena *a = xmalloc(sizeof(*a));
	a->head = chunk_new(CHUNK_SIZE, NULL);
	a->cleanups = NULL;
	a->used = 0;
	return a;
}

static void run_cleanups(struct vs_arena *a)
{
	/* Cleanups live in the arena, so run them all before any chunk is freed. */
	for (struct cleanup *c = a->cleanups; c; c = c->next)
		c->fn(c->p);
	a->cleanups = NULL;
}

void vs_arena_reset(struct vs_arena *a)
{
	run_cleanups(a);
	while (a->head->next) {
		struct chunk *next = a->head->next;
		free(a->head);
		a->head = next;
	}
	a->head->used = 0;
	a->used = 0;
}

void vs_arena_free(struct vs_arena *a)
{
	if (!a)
		return;
	vs_arena_reset(a);
	free(a->head);
	free(a);
}

void *vs_arena_alloc(struct vs_arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	size_t need = (size + align - 1) & ~(align - 1);
	if (need < size) /* overflow */
		abort();
	struct chunk *c = a->head;
	if (c->size - c->used < need) {
		if (need > CHUNK_SIZE / 4) {
			/* A large block gets a chunk of its own behind the current one, so the
			 * free space left in the current chunk stays usable. */
			struct chunk *big = chunk_new(need, c->next);
			c->next = big;
			big->used = need;
			a->used += need;
			memset(big->data, 0, need);
			return big->data;
		}
		c = a->head = chunk_new(CHUNK_SIZE, c);
	}
	void *p = c->data + c->used;
	c->used += need;
	a->used += need;
	memset(p, 0, need);
	return p;
}

void *vs_arena_array(struct vs_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		abort();
	return vs_arena_alloc(a, n * size);
}

char *vs_arena_strndup(struct vs_arena *a, const char *s, size_t len)
{
	char *p = vs_arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *vs_arena_strdup(struct vs_arena *a, const char *s)
{
	return vs_arena_strndup(a, s, strlen(s));
}

char *vs_arena_printf(struct vs_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	char *p = vs_arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void vs_arena_defer(struct vs_arena *a, void (*fn)(void *), void *p)
{
	struct cleanup *c = vs_arena_alloc(a, sizeof(*c));
	c->fn = fn;
	c->p = p;
	c->next = a->cleanups;
	a->cleanups = c;
}

size_t vs_arena_used(const struct vs_arena *a)
{
	return a->used;
}
