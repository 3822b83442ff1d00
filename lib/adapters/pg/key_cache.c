#include "adapters/pg/key_cache.h"

#include <stdlib.h>
#include <string.h>

/* Only what a check needs, packed: 100k entries must fit a worker in well under 32 MiB. */
/* 120 bytes: at the default 131072 slots a full cache is 15 MiB of the worker's RSS. */
struct entry {
	uint8_t hash[32];
	vs_uuid id, user_id, tenant_id;
	int64_t key_expires_at; /* the key's own expiry */
	uint32_t cached_until;	/* the TTL of this entry, in monotonic seconds */
	uint32_t generation;
	uint16_t nscopes;
	bool used : 1, global : 1, is_active : 1, expires : 1, owner_active : 1,
		owner_superuser : 1;
	char public_id[VS_API_KEY_PUBLIC_LEN + 1];
	char **scopes; /* owned */
};
_Static_assert(sizeof(struct entry) <= 120, "a key cache entry grew");

struct rejected {
	bool used;
	uint32_t generation;
	int64_t expires;
	char public_id[VS_API_KEY_PUBLIC_LEN + 1];
};

struct vs_key_cache {
	uint32_t generation;
	size_t count, nslots;
	int64_t ttl;
	struct entry *slots;	   /* touched pages only count in RSS */
	struct rejected *rejected; /* VS_KEY_CACHE_REJECTED_SLOTS */
	struct vs_cache_stats stats;
};

struct vs_key_cache *vs_key_cache_new(size_t slots, int64_t ttl)
{
	struct vs_key_cache *c = calloc(1, sizeof(*c));
	if (!c || !(c->slots = calloc(slots, sizeof(*c->slots))) ||
	    !(c->rejected = calloc(VS_KEY_CACHE_REJECTED_SLOTS, sizeof(*c->rejected))))
		abort();
	c->nslots = slots;
	c->ttl = ttl;
	return c;
}

static void clear_entry(struct vs_key_cache *c, struct entry *e)
{
	if (!e->used)
		return;
	for (size_t i = 0; i < e->nscopes; i++)
		free(e->scopes[i]);
	free(e->scopes);
	memset(e, 0, sizeof(*e));
	c->count--;
}

void vs_key_cache_free(struct vs_key_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nslots; i++)
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
	return &c->slots[hash_id(id) % c->nslots];
}

static struct rejected *rejected_slot(struct vs_key_cache *c, const char *id)
{
	return &c->rejected[hash_id(id) % VS_KEY_CACHE_REJECTED_SLOTS];
}

bool vs_key_cache_get(struct vs_key_cache *c, struct vs_arena *a, const char *public_id,
		      int64_t now, struct vs_api_key *out)
{
	struct entry *e = slot(c, public_id);
	if (!e->used || e->generation != c->generation || now >= e->cached_until ||
	    strcmp(e->public_id, public_id) != 0) {
		c->stats.misses++;
		return false;
	}
	c->stats.hits++;
	memset(out, 0, sizeof(*out));
	memcpy(out->hash, e->hash, sizeof(out->hash));
	memcpy(out->public_id, e->public_id, sizeof(out->public_id));
	out->id = e->id;
	out->user_id = e->user_id;
	out->tenant_id = e->tenant_id;
	out->global = e->global;
	out->is_active = e->is_active;
	out->expires = e->expires;
	out->expires_at = e->key_expires_at;
	out->owner_active = e->owner_active;
	out->owner_superuser = e->owner_superuser;
	out->nscopes = e->nscopes;
	out->scopes = vs_arena_array(a, e->nscopes + 1, sizeof(*out->scopes));
	for (size_t i = 0; i < e->nscopes; i++)
		out->scopes[i] = vs_arena_strdup(a, e->scopes[i]);
	return true;
}

bool vs_key_cache_rejected(struct vs_key_cache *c, const char *public_id, int64_t now)
{
	struct rejected *r = rejected_slot(c, public_id);
	bool known = r->used && r->generation == c->generation && now < r->expires &&
		     strcmp(r->public_id, public_id) == 0;
	c->stats.rejected_hits += known;
	return known;
}

uint32_t vs_key_cache_generation(const struct vs_key_cache *c)
{
	return c->generation;
}

void vs_key_cache_put(struct vs_key_cache *c, const struct vs_api_key *k, uint32_t since,
		      int64_t now)
{
	if (since != c->generation || k->nscopes > UINT16_MAX)
		return;
	struct entry *e = slot(c, k->public_id);
	clear_entry(c, e);
	memcpy(e->hash, k->hash, sizeof(e->hash));
	memcpy(e->public_id, k->public_id, sizeof(e->public_id));
	e->id = k->id;
	e->user_id = k->user_id;
	e->tenant_id = k->tenant_id;
	e->global = k->global;
	e->is_active = k->is_active;
	e->expires = k->expires;
	e->key_expires_at = k->expires_at;
	e->owner_active = k->owner_active;
	e->owner_superuser = k->owner_superuser;
	e->nscopes = (uint16_t)k->nscopes;
	e->scopes = NULL;
	if (k->nscopes) {
		e->scopes = calloc(k->nscopes, sizeof(*e->scopes));
		if (!e->scopes)
			abort();
		for (size_t i = 0; i < k->nscopes; i++)
			if (!(e->scopes[i] = strdup(k->scopes[i])))
				abort();
	}
	e->used = true;
	e->generation = since;
	e->cached_until = (uint32_t)(now + c->ttl);
	c->count++;
}

void vs_key_cache_put_rejected(struct vs_key_cache *c, const char *public_id, uint32_t since,
			       int64_t now)
{
	if (since != c->generation)
		return;
	struct rejected *r = rejected_slot(c, public_id);
	r->used = true;
	r->generation = since;
	r->expires = now + c->ttl;
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
	if (e->used && strcmp(e->public_id, public_id) == 0)
		clear_entry(c, e);
	struct rejected *r = rejected_slot(c, public_id);
	if (r->used && strcmp(r->public_id, public_id) == 0)
		r->used = false;
}

size_t vs_key_cache_count(const struct vs_key_cache *c)
{
	return c->count;
}

const struct vs_cache_stats *vs_key_cache_stats(const struct vs_key_cache *c)
{
	return &c->stats;
}
