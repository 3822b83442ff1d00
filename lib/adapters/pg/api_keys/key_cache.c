#include "adapters/pg/api_keys/key_cache.h"

#include <stdlib.h>
#include <string.h>

/* Keys that carry scopes mostly share a few sets of them ("user:read,vm:read"): each
 * distinct set is stored once and counted, so scopes add no memory per cached key. */
struct scope_set {
	struct scope_set *next; /* in its bucket */
	uint32_t refs, hash;
	size_t n;
	char *codes[]; /* n pointers, then the strings, in the same block */
};

#define SCOPE_SET_BUCKETS 256
#define WAYS 4 /* entries a public id may occupy: a collision evicts the oldest of four */

/* Only what a check needs, packed: 100k entries must fit a worker in well under 32 MiB. */
/* 128 bytes: at the default 131072 slots a full cache is 16 MiB of the worker's RSS. */
struct entry {
	uint8_t hash[32];
	vs_uuid id, user_id, tenant_id;
	int64_t key_expires_at; /* the key's own expiry */
	uint32_t cached_until;	/* the TTL of this entry, in monotonic seconds */
	uint32_t generation;
	uint32_t quiet_until; /* a use before this (monotonic seconds) need not be written */
	bool used : 1, global : 1, is_active : 1, expires : 1, owner_active : 1,
		owner_superuser : 1;
	char public_id[VS_API_KEY_PUBLIC_LEN + 1];
	struct scope_set *scopes; /* shared; NULL: no scopes */
};
_Static_assert(sizeof(struct entry) <= 128, "a key cache entry grew");

struct rejected {
	bool used;
	uint32_t version; /* rejected_version() when it was stored */
	int64_t expires;
	char public_id[VS_API_KEY_PUBLIC_LEN + 1];
};

struct vs_key_cache {
	uint32_t generation;	      /* bumped to forget every entry */
	uint32_t rejected_generation; /* bumped to forget every rejected id */
	uint32_t single_forgets;      /* bumped when one key is forgotten */
	size_t count, nsets, nscope_sets;
	int64_t ttl;
	struct entry *slots;	   /* nsets * WAYS; touched pages only count in RSS */
	struct rejected *rejected; /* VS_KEY_CACHE_REJECTED_SLOTS */
	struct scope_set *scope_sets[SCOPE_SET_BUCKETS];
	struct vs_cache_stats stats;
};

struct vs_key_cache *vs_key_cache_new(size_t slots, int64_t ttl)
{
	struct vs_key_cache *c = calloc(1, sizeof(*c));
	size_t nsets = slots < WAYS ? 1 : slots / WAYS;
	if (!c || !(c->slots = calloc(nsets * WAYS, sizeof(*c->slots))) ||
	    !(c->rejected = calloc(VS_KEY_CACHE_REJECTED_SLOTS, sizeof(*c->rejected))))
		abort();
	c->nsets = nsets;
	c->ttl = ttl;
	return c;
}

static uint32_t fnv1a(uint32_t h, const char *s)
{
	for (const char *p = s; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h;
}

/* FNV-1a over the public id: its characters are random already. */
static uint32_t hash_id(const char *id)
{
	return fnv1a(2166136261u, id);
}

static bool same_codes(const struct scope_set *s, const char *const *codes, size_t n)
{
	if (s->n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s->codes[i], codes[i]) != 0)
			return false;
	return true;
}

/* The shared copy of these codes, one reference more. */
static struct scope_set *scope_set_hold(struct vs_key_cache *c, const char *const *codes,
					size_t n)
{
	uint32_t h = 2166136261u;
	size_t bytes = sizeof(struct scope_set) + n * sizeof(char *);
	for (size_t i = 0; i < n; i++) {
		h = fnv1a(h, codes[i]) * 16777619u; /* the end of a code counts too */
		bytes += strlen(codes[i]) + 1;
	}
	struct scope_set **bucket = &c->scope_sets[h % SCOPE_SET_BUCKETS];
	for (struct scope_set *s = *bucket; s; s = s->next) {
		if (s->hash == h && same_codes(s, codes, n)) {
			s->refs++;
			return s;
		}
	}
	struct scope_set *s = malloc(bytes);
	if (!s)
		abort();
	*s = (struct scope_set){ .next = *bucket, .refs = 1, .hash = h, .n = n };
	char *text = (char *)&s->codes[n];
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(codes[i]) + 1;
		s->codes[i] = memcpy(text, codes[i], len);
		text += len;
	}
	*bucket = s;
	c->nscope_sets++;
	return s;
}

static void scope_set_release(struct vs_key_cache *c, struct scope_set *s)
{
	if (!s || --s->refs > 0)
		return;
	struct scope_set **p = &c->scope_sets[s->hash % SCOPE_SET_BUCKETS];
	while (*p != s)
		p = &(*p)->next;
	*p = s->next;
	free(s);
	c->nscope_sets--;
}

static void clear_entry(struct vs_key_cache *c, struct entry *e)
{
	if (!e->used)
		return;
	scope_set_release(c, e->scopes);
	memset(e, 0, sizeof(*e));
	c->count--;
}

void vs_key_cache_free(struct vs_key_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nsets * WAYS; i++)
		clear_entry(c, &c->slots[i]);
	free(c->slots);
	free(c->rejected);
	free(c);
}

/* The WAYS entries a public id may occupy. */
static struct entry *set_of(struct vs_key_cache *c, const char *id)
{
	return &c->slots[(hash_id(id) % c->nsets) * WAYS];
}

/* The entry holding this id (current or not), or NULL. */
static struct entry *find(struct vs_key_cache *c, const char *id)
{
	struct entry *set = set_of(c, id);
	for (size_t i = 0; i < WAYS; i++)
		if (set[i].used && strcmp(set[i].public_id, id) == 0)
			return &set[i];
	return NULL;
}

/* Where to put this id: its own entry, else a free or outdated one, else the one that
 * was cached first (all have the same TTL, so the one that expires first). */
static struct entry *place_for(struct vs_key_cache *c, const char *id, int64_t now)
{
	struct entry *own = find(c, id);
	if (own)
		return own;
	struct entry *set = set_of(c, id), *oldest = &set[0];
	for (size_t i = 0; i < WAYS; i++) {
		struct entry *e = &set[i];
		if (!e->used || e->generation != c->generation || now >= e->cached_until)
			return e;
		if (e->cached_until < oldest->cached_until)
			oldest = e;
	}
	return oldest;
}

/* What a rejected id's entry stays valid for. The counters only grow, so a sum of them
 * changes whenever one of them does. */
static uint32_t rejected_version(const struct vs_key_cache *c)
{
	return c->generation + c->rejected_generation;
}

/* Changes with every notification, also one naming a single key. */
static uint32_t version(const struct vs_key_cache *c)
{
	return rejected_version(c) + c->single_forgets;
}

static struct rejected *rejected_slot(struct vs_key_cache *c, const char *id)
{
	return &c->rejected[hash_id(id) % VS_KEY_CACHE_REJECTED_SLOTS];
}

/* The id's entry if it is current, else NULL. */
static struct entry *current(struct vs_key_cache *c, const char *public_id, int64_t now)
{
	struct entry *e = find(c, public_id);
	return e && e->generation == c->generation && now < e->cached_until ? e : NULL;
}

static bool rejected_current(struct vs_key_cache *c, const char *public_id, int64_t now)
{
	struct rejected *r = rejected_slot(c, public_id);
	return r->used && r->version == rejected_version(c) && now < r->expires &&
	       strcmp(r->public_id, public_id) == 0;
}

bool vs_key_cache_get(struct vs_key_cache *c, struct vs_arena *a, const char *public_id,
		      int64_t now, struct vs_api_key *out)
{
	struct entry *e = current(c, public_id, now);
	if (!e) {
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
	/* Copies: a notification read later in this request may drop the entry. */
	out->nscopes = e->scopes ? e->scopes->n : 0;
	out->scopes = vs_arena_array(a, out->nscopes + 1, sizeof(*out->scopes));
	for (size_t i = 0; i < out->nscopes; i++)
		out->scopes[i] = vs_arena_strdup(a, e->scopes->codes[i]);
	return true;
}

bool vs_key_cache_rejected(struct vs_key_cache *c, const char *public_id, int64_t now)
{
	bool known = rejected_current(c, public_id, now);
	c->stats.rejected_hits += known;
	return known;
}

bool vs_key_cache_knows(struct vs_key_cache *c, const char *public_id, int64_t now)
{
	return current(c, public_id, now) || rejected_current(c, public_id, now);
}

uint32_t vs_key_cache_generation(const struct vs_key_cache *c)
{
	return version(c);
}

void vs_key_cache_put(struct vs_key_cache *c, const struct vs_api_key *k, uint32_t since,
		      int64_t now, int64_t quiet_until)
{
	if (since != version(c))
		return;
	struct entry *e = place_for(c, k->public_id, now);
	/* Held before the old entry lets go, so a set both use is not freed in between. */
	struct scope_set *scopes = k->nscopes ? scope_set_hold(c, k->scopes, k->nscopes) : NULL;
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
	e->scopes = scopes;
	e->used = true;
	e->generation = c->generation;
	e->cached_until = (uint32_t)(now + c->ttl);
	e->quiet_until = quiet_until > 0 ? (uint32_t)quiet_until : 0;
	c->count++;
}

bool vs_key_cache_use_needs_write(struct vs_key_cache *c, const char *public_id, int64_t now,
				  int64_t interval)
{
	struct entry *e = find(c, public_id);
	if (!e || e->generation != c->generation)
		return true; /* nothing known: writing once more is the safe side */
	if (now < e->quiet_until)
		return false;
	e->quiet_until = (uint32_t)(now + interval);
	return true;
}

void vs_key_cache_put_rejected(struct vs_key_cache *c, const char *public_id, uint32_t since,
			       int64_t now)
{
	if (since != version(c))
		return;
	struct rejected *r = rejected_slot(c, public_id);
	r->used = true;
	r->version = rejected_version(c);
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
	if (strcmp(public_id, VS_KEY_CACHE_KEYS_ADDED) == 0) {
		c->rejected_generation++;
		return;
	}
	struct entry *e = find(c, public_id);
	if (e)
		clear_entry(c, e);
	struct rejected *r = rejected_slot(c, public_id);
	if (r->used && strcmp(r->public_id, public_id) == 0)
		r->used = false;
	c->single_forgets++; /* a lookup of this key under way must not store its answer */
}

size_t vs_key_cache_count(const struct vs_key_cache *c)
{
	return c->count;
}

size_t vs_key_cache_scope_sets(const struct vs_key_cache *c)
{
	return c->nscope_sets;
}

const struct vs_cache_stats *vs_key_cache_stats(const struct vs_key_cache *c)
{
	return &c->stats;
}
