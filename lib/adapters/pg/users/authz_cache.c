#include "adapters/pg/users/authz_cache.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	bool used, member;
	int64_t version; /* iam.authz_version when read */
	vs_uuid user, tenant;
	uint64_t generation;
	int64_t expires;
	const char **codes; /* point into the interned codes */
	size_t n;
};

/* Permission codes are few (the catalogue); each is kept once for the worker's life. */
struct vs_authz_cache {
	uint64_t generation; /* bumped to forget everything at once */
	struct entry slots[VS_AUTHZ_CACHE_SLOTS];
	char **interned;
	size_t ninterned, cap;
	struct vs_cache_stats stats;
};

struct vs_authz_cache *vs_authz_cache_new(void)
{
	struct vs_authz_cache *c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	return c;
}

void vs_authz_cache_free(struct vs_authz_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < VS_AUTHZ_CACHE_SLOTS; i++)
		free(c->slots[i].codes);
	for (size_t i = 0; i < c->ninterned; i++)
		free(c->interned[i]);
	free(c->interned);
	free(c);
}

static const char *intern(struct vs_authz_cache *c, const char *code)
{
	for (size_t i = 0; i < c->ninterned; i++)
		if (strcmp(c->interned[i], code) == 0)
			return c->interned[i];
	if (c->ninterned == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->interned = realloc(c->interned, c->cap * sizeof(*c->interned));
		if (!c->interned)
			abort();
	}
	char *copy = strdup(code);
	if (!copy)
		abort();
	c->interned[c->ninterned++] = copy;
	return copy;
}

static struct entry *slot(struct vs_authz_cache *c, const vs_uuid *user, const vs_uuid *tenant)
{
	/* UUIDs are random: a few of their bytes spread well enough. */
	uint32_t h;
	memcpy(&h, user->b + 12, sizeof(h));
	uint32_t t;
	memcpy(&t, tenant->b + 12, sizeof(t));
	h ^= t * 2654435761u;
	return &c->slots[h % VS_AUTHZ_CACHE_SLOTS];
}

uint64_t vs_authz_cache_generation(const struct vs_authz_cache *c)
{
	return c->generation;
}

void vs_authz_cache_forget_all(void *cache, const char *payload)
{
	(void)payload;
	((struct vs_authz_cache *)cache)->generation++;
}

bool vs_authz_cache_get(struct vs_authz_cache *c, struct vs_arena *a, const vs_uuid *user,
			const vs_uuid *tenant, int64_t now, bool *member, struct vs_permset *out,
			int64_t *version)
{
	struct entry *e = slot(c, user, tenant);
	if (!e->used || e->generation != c->generation || now >= e->expires ||
	    !vs_uuid_eq(&e->user, user) || !vs_uuid_eq(&e->tenant, tenant)) {
		c->stats.misses++;
		return false;
	}
	c->stats.hits++;
	out->codes = vs_arena_array(a, e->n + 1, sizeof(*out->codes));
	memcpy(out->codes, e->codes, e->n * sizeof(*e->codes));
	out->n = e->n;
	*member = e->member;
	*version = e->version;
	return true;
}

void vs_authz_cache_put(struct vs_authz_cache *c, const vs_uuid *user, const vs_uuid *tenant,
			uint64_t since, int64_t now, bool member, const struct vs_permset *perms,
			int64_t version)
{
	if (since != c->generation)
		return; /* forgotten while the database was asked: may be stale already */
	struct entry *e = slot(c, user, tenant);
	free(e->codes);
	e->codes = malloc((perms->n + 1) * sizeof(*e->codes));
	if (!e->codes)
		abort();
	for (size_t i = 0; i < perms->n; i++)
		e->codes[i] = intern(c, perms->codes[i]);
	e->n = perms->n;
	e->member = member;
	e->version = version;
	e->used = true;
	e->user = *user;
	e->tenant = *tenant;
	e->generation = since;
	e->expires = now + VS_AUTHZ_CACHE_TTL_SECONDS;
}

const struct vs_cache_stats *vs_authz_cache_stats(const struct vs_authz_cache *c)
{
	return &c->stats;
}
