#include "adapters/pg/key_cache.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	bool used;
	uint64_t generation;
	int64_t expires;
	struct vs_api_key key; /* name/description not kept; scopes owned by the entry */
};

struct rejected {
	bool used;
	uint64_t generation;
	int64_t expires;
	char public_id[VS_API_KEY_PUBLIC_LEN + 1];
};

struct vs_key_cache {
	uint64_t generation;
	size_t count;
	struct entry *slots;	   /* VS_KEY_CACHE_SLOTS, touched pages only count in RSS */
	struct rejected *rejected; /* VS_KEY_CACHE_REJECTED_SLOTS */
};

struct vs_key_cache *vs_key_cache_new(void)
{
	struct vs_key_cache *c = calloc(1, sizeof(*c));
	if (!c || !(c->slots = calloc(VS_KEY_CACHE_SLOTS, sizeof(*c->slots))) ||
	    !(c->rejected = calloc(VS_KEY_CACHE_REJECTED_SLOTS, sizeof(*c->rejected))))
		abort();
	return c;
}

static void clear_entry(struct vs_key_cache *c, struct entry *e)
{
	if (!e->used)
		return;
	for (size_t i = 0; i < e->key.nscopes; i++)
		free((char *)e->key.scopes[i]);
	free(e->key.scopes);
	memset(e, 0, sizeof(*e));
	c->count--;
}

void vs_key_cache_free(struct vs_key_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < VS_KEY_CACHE_SLOTS; i++)
		clear_entry(c, &c->slots[i]);
	free(c->slots);
	free(c->rejected);
	free(c);
}

/* FNV-1a over the public id: its characters are random already. */
static uint32_t hash_id(const char *id)
{
	uint32_t h = 2166136261u;
	for (const char *p = id; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h;
}

static struct entry *slot(struct vs_key_cache *c, const char *id)
{
	return &c->slots[hash_id(id) % VS_KEY_CACHE_SLOTS];
}

static struct rejected *rejected_slot(struct vs_key_cache *c, const char *id)
{
	return &c->rejected[hash_id(id) % VS_KEY_CACHE_REJECTED_SLOTS];
}

bool vs_key_cache_get(struct vs_key_cache *c, struct vs_arena *a, const char *public_id,
		      int64_t now, struct vs_api_key *out)
{
	struct entry *e = slot(c, public_id);
	if (!e->used || e->generation != c->generation || now >= e->expires ||
	    strcmp(e->key.public_id, public_id) != 0)
		return false;
	*out = e->key;
	out->scopes = vs_arena_array(a, e->key.nscopes + 1, sizeof(*out->scopes));
	for (size_t i = 0; i < e->key.nscopes; i++)
		out->scopes[i] = vs_arena_strdup(a, e->key.scopes[i]);
	return true;
}

bool vs_key_cache_rejected(struct vs_key_cache *c, const char *public_id, int64_t now)
{
	struct rejected *r = rejected_slot(c, public_id);
	return r->used && r->generation == c->generation && now < r->expires &&
	       strcmp(r->public_id, public_id) == 0;
}

uint64_t vs_key_cache_generation(const struct vs_key_cache *c)
{
	return c->generation;
}

void vs_key_cache_put(struct vs_key_cache *c, const struct vs_api_key *k, uint64_t since,
		      int64_t now)
{
	if (since != c->generation)
		return;
	struct entry *e = slot(c, k->public_id);
	clear_entry(c, e);
	e->key = *k;
	e->key.name = e->key.description = NULL;
	e->key.scopes = calloc(k->nscopes + 1, sizeof(*e->key.scopes));
	if (!e->key.scopes)
		abort();
	for (size_t i = 0; i < k->nscopes; i++)
		if (!(e->key.scopes[i] = strdup(k->scopes[i])))
			abort();
	e->used = true;
	e->generation = since;
	e->expires = now + VS_KEY_CACHE_TTL_SECONDS;
	c->count++;
}

void vs_key_cache_put_rejected(struct vs_key_cache *c, const char *public_id, uint64_t since,
			       int64_t now)
{
	if (since != c->generation)
		return;
	struct rejected *r = rejected_slot(c, public_id);
	r->used = true;
	r->generation = since;
	r->expires = now + VS_KEY_CACHE_TTL_SECONDS;
	strncpy(r->public_id, public_id, VS_API_KEY_PUBLIC_LEN);
	r->public_id[VS_API_KEY_PUBLIC_LEN] = '\0';
}

void vs_key_cache_forget(void *cache, const char *public_id)
{
	struct vs_key_cache *c = cache;
	if (!public_id || !*public_id) {
		c->generation++;
		return;
	}
	struct entry *e = slot(c, public_id);
	if (e->used && strcmp(e->key.public_id, public_id) == 0)
		clear_entry(c, e);
	struct rejected *r = rejected_slot(c, public_id);
	if (r->used && strcmp(r->public_id, public_id) == 0)
		r->used = false;
}

size_t vs_key_cache_count(const struct vs_key_cache *c)
{
	return c->count;
}
