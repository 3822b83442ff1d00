/* lib/adapters/pg/key_cache.c: 4-way placement and eviction, TTL, notifications (one key,
 * keys added, everything), stale writes, and scope lists shared between keys
 * (LeakSanitizer checks they are freed), and when a use of a key needs a write. */
#include "suites.h"

#include "adapters/pg/api_keys/key_cache.h"

#include <string.h>

#define TTL 60

static struct vs_api_key key_named(int n, const char **scopes, size_t nscopes)
{
	static const char base62[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	struct vs_api_key k = { .is_active = true, .owner_active = true };
	/* Random-looking, as real public ids are, but the same for the same n. */
	uint64_t x = (uint64_t)n * 0x9E3779B97F4A7C15u + 1;
	for (size_t i = 0; i < VS_API_KEY_PUBLIC_LEN; i++) {
		x ^= x >> 29;
		x *= 0xBF58476D1CE4E5B9u;
		k.public_id[i] = base62[(x >> 40) % 62];
	}
	k.hash[0] = (uint8_t)n;
	k.id.b[15] = (uint8_t)n;
	k.scopes = scopes;
	k.nscopes = nscopes;
	return k;
}

static bool cached(struct vs_key_cache *c, struct vs_arena *a, int n, int64_t now)
{
	struct vs_api_key k = key_named(n, NULL, 0), out;
	return vs_key_cache_get(c, a, k.public_id, now, &out) && out.hash[0] == (uint8_t)n;
}

static void put(struct vs_key_cache *c, int n, int64_t now)
{
	struct vs_api_key k = key_named(n, NULL, 0);
	vs_key_cache_put(c, &k, vs_key_cache_generation(c), now, 0);
}

static void test_key_cache_four_ids_share_a_set_then_the_oldest_goes(void)
{
	/* Four slots are one set: every id competes for the same four places. */
	struct vs_key_cache *c = vs_key_cache_new(4, TTL);
	struct vs_arena *a = vs_arena_new();
	for (int n = 1; n <= 4; n++)
		put(c, n, 100 + n);
	for (int n = 1; n <= 4; n++)
		CU_ASSERT(cached(c, a, n, 110));
	CU_ASSERT_EQUAL(vs_key_cache_count(c), 4);
	put(c, 5, 110); /* evicts key 1, cached first */
	CU_ASSERT_FALSE(cached(c, a, 1, 111));
	for (int n = 2; n <= 5; n++)
		CU_ASSERT(cached(c, a, n, 111));
	CU_ASSERT_EQUAL(vs_key_cache_count(c), 4);
	put(c, 3, 112); /* caching a key again replaces its own entry, not another's */
	for (int n = 2; n <= 5; n++)
		CU_ASSERT(cached(c, a, n, 113));
	CU_ASSERT_EQUAL(vs_key_cache_count(c), 4);
	vs_arena_free(a);
	vs_key_cache_free(c);
}

static void test_key_cache_holds_most_keys_up_to_its_size(void)
{
	/* At 3/4 load, mapping each id to one slot would keep ~71% of the keys (the rest
	 * collide); four places per id keep ~89%. */
	enum { SLOTS = 4096, KEYS = 3072 };
	struct vs_key_cache *c = vs_key_cache_new(SLOTS, TTL);
	struct vs_arena *a = vs_arena_new();
	int kept = 0;
	for (int n = 0; n < KEYS; n++)
		put(c, n, 100);
	for (int n = 0; n < KEYS; n++)
		kept += cached(c, a, n, 101);
	CU_ASSERT(kept >= KEYS * 85 / 100);
	CU_ASSERT_EQUAL(vs_key_cache_count(c), (size_t)kept);
	vs_arena_free(a);
	vs_key_cache_free(c);
}

static void test_key_cache_ttl_and_notifications(void)
{
	struct vs_key_cache *c = vs_key_cache_new(64, TTL);
	struct vs_arena *a = vs_arena_new();
	struct vs_api_key k2 = key_named(2, NULL, 0);
	put(c, 1, 100);
	put(c, 2, 100);
	CU_ASSERT(cached(c, a, 1, 100 + TTL - 1));
	CU_ASSERT_FALSE(cached(c, a, 1, 100 + TTL));
	vs_key_cache_forget(c, k2.public_id); /* one key: the other stays */
	CU_ASSERT_FALSE(cached(c, a, 2, 101));
	CU_ASSERT(cached(c, a, 1, 101));
	vs_key_cache_forget(c, NULL); /* everything */
	CU_ASSERT_FALSE(cached(c, a, 1, 101));
	vs_arena_free(a);
	vs_key_cache_free(c);
}

static void test_key_cache_ignores_a_lookup_older_than_a_notification(void)
{
	struct vs_key_cache *c = vs_key_cache_new(64, TTL);
	struct vs_arena *a = vs_arena_new();
	struct vs_api_key k = key_named(7, NULL, 0);
	/* A notification arrives while the database is asked: for everything, or for just
	 * this key (say it was revoked). Either way the answer may be stale. */
	const char *payloads[] = { NULL, k.public_id };
	for (size_t i = 0; i < 2; i++) {
		uint32_t since = vs_key_cache_generation(c);
		vs_key_cache_forget(c, payloads[i]);
		vs_key_cache_put(c, &k, since, 100, 0);
		CU_ASSERT_FALSE(cached(c, a, 7, 100));
		vs_key_cache_put_rejected(c, k.public_id, since, 100);
		CU_ASSERT_FALSE(vs_key_cache_rejected(c, k.public_id, 100));
	}
	/* A notification about another key leaves earlier rejected ids alone. */
	struct vs_api_key other = key_named(6, NULL, 0);
	vs_key_cache_put_rejected(c, k.public_id, vs_key_cache_generation(c), 100);
	vs_key_cache_forget(c, other.public_id);
	CU_ASSERT(vs_key_cache_rejected(c, k.public_id, 100));
	vs_arena_free(a);
	vs_key_cache_free(c);
}

static void test_key_cache_added_keys_forget_only_the_rejected_ids(void)
{
	struct vs_key_cache *c = vs_key_cache_new(64, TTL);
	struct vs_arena *a = vs_arena_new();
	struct vs_api_key gone = key_named(8, NULL, 0), late = key_named(9, NULL, 0);
	put(c, 1, 100);
	vs_key_cache_put_rejected(c, gone.public_id, vs_key_cache_generation(c), 100);
	CU_ASSERT(vs_key_cache_rejected(c, gone.public_id, 100));
	uint32_t since = vs_key_cache_generation(c); /* a lookup of `late` starts */
	vs_key_cache_forget(c, VS_KEY_CACHE_KEYS_ADDED);
	CU_ASSERT_FALSE(vs_key_cache_rejected(c, gone.public_id, 100));
	CU_ASSERT(cached(c, a, 1, 100)); /* verified keys stay */
	/* `late` may be among the added keys: its "not found" is not kept */
	vs_key_cache_put_rejected(c, late.public_id, since, 100);
	CU_ASSERT_FALSE(vs_key_cache_rejected(c, late.public_id, 100));
	vs_arena_free(a);
	vs_key_cache_free(c);
}

static void test_key_cache_stores_equal_scope_lists_once(void)
{
	const char *read[] = { "user:read", "role:read" };
	const char *read_again[] = { "user:read", "role:read" };
	const char *other[] = { "user:read" };
	const char *swapped[] = { "role:read", "user:read" };
	struct vs_key_cache *c = vs_key_cache_new(64, TTL);
	struct vs_arena *a = vs_arena_new();
	struct vs_api_key k[4] = { key_named(1, read, 2), key_named(2, read_again, 2),
				   key_named(3, other, 1), key_named(4, swapped, 2) };
	for (int i = 0; i < 4; i++)
		vs_key_cache_put(c, &k[i], vs_key_cache_generation(c), 100, 0);
	CU_ASSERT_EQUAL(vs_key_cache_scope_sets(c), 3);

	struct vs_api_key out;
	CU_ASSERT_FATAL(vs_key_cache_get(c, a, k[1].public_id, 100, &out));
	CU_ASSERT_EQUAL_FATAL(out.nscopes, 2);

	/* A set goes with the last key that uses it. */
	vs_key_cache_forget(c, k[0].public_id);
	CU_ASSERT_EQUAL(vs_key_cache_scope_sets(c), 3);
	vs_key_cache_forget(c, k[1].public_id);
	CU_ASSERT_EQUAL(vs_key_cache_scope_sets(c), 2);
	/* The request's copy outlives it (a notification read later in a request frees the
	 * set; AddressSanitizer reports a borrowed pointer here). */
	CU_ASSERT_STRING_EQUAL(ut_str(out.scopes[0]), "user:read");
	CU_ASSERT_STRING_EQUAL(ut_str(out.scopes[1]), "role:read");
	/* Caching a key again with the same list neither adds nor loses a list. */
	vs_key_cache_put(c, &k[2], vs_key_cache_generation(c), 101, 0);
	CU_ASSERT_EQUAL(vs_key_cache_scope_sets(c), 2);
	CU_ASSERT_FATAL(vs_key_cache_get(c, a, k[2].public_id, 101, &out));
	CU_ASSERT_STRING_EQUAL(ut_str(out.nscopes == 1 ? out.scopes[0] : NULL), "user:read");
	vs_arena_free(a);
	vs_key_cache_free(c); /* frees the remaining sets */
}

/* last_used_at: once per key and interval, however many other keys are used meanwhile (a
 * batch of ids is not the throttle), and not at all while another worker's write is recent. */
static void test_key_cache_use_needs_a_write_once_per_interval(void)
{
	struct vs_key_cache *c = vs_key_cache_new(1 << 16, TTL); /* room: no key is evicted */
	struct vs_api_key k = key_named(1, NULL, 0), other;
	CU_ASSERT_TRUE(vs_key_cache_use_needs_write(c, k.public_id, 100, 60)); /* not cached */
	vs_key_cache_put(c, &k, vs_key_cache_generation(c), 100, 0);
	CU_ASSERT_TRUE(vs_key_cache_use_needs_write(c, k.public_id, 100, 60));
	for (int n = 2; n < 600; n++) { /* more keys than a write batch holds */
		other = key_named(n, NULL, 0);
		vs_key_cache_put(c, &other, vs_key_cache_generation(c), 101, 0);
		vs_key_cache_use_needs_write(c, other.public_id, 101, 60);
		CU_ASSERT_FALSE(vs_key_cache_use_needs_write(c, k.public_id, 101, 60));
	}
	CU_ASSERT_FALSE(vs_key_cache_use_needs_write(c, k.public_id, 159, 60));
	CU_ASSERT_TRUE(vs_key_cache_use_needs_write(c, k.public_id, 160, 60));
	CU_ASSERT_FALSE(vs_key_cache_use_needs_write(c, k.public_id, 161, 60));

	/* Looked up with a last_used_at another worker wrote: quiet until its minute ends. */
	k = key_named(700, NULL, 0);
	vs_key_cache_put(c, &k, vs_key_cache_generation(c), 200, 230);
	CU_ASSERT_FALSE(vs_key_cache_use_needs_write(c, k.public_id, 229, 60));
	CU_ASSERT_TRUE(vs_key_cache_use_needs_write(c, k.public_id, 230, 60));

	/* Forgotten (a notification): nothing is known, so the use is written. */
	k = key_named(701, NULL, 0);
	vs_key_cache_put(c, &k, vs_key_cache_generation(c), 300, 350);
	vs_key_cache_forget(c, NULL);
	CU_ASSERT_TRUE(vs_key_cache_use_needs_write(c, k.public_id, 301, 60));
	vs_key_cache_free(c);
}

static void test_key_cache_knows_what_it_would_answer_without_counting(void)
{
	struct vs_key_cache *c = vs_key_cache_new(1024, TTL);
	struct vs_api_key good = key_named(1, NULL, 0), gone = key_named(2, NULL, 0);
	CU_ASSERT_FALSE(vs_key_cache_knows(c, good.public_id, 100));
	vs_key_cache_put(c, &good, vs_key_cache_generation(c), 100, 0);
	vs_key_cache_put_rejected(c, gone.public_id, vs_key_cache_generation(c), 100);
	CU_ASSERT_TRUE(vs_key_cache_knows(c, good.public_id, 100));
	CU_ASSERT_TRUE(vs_key_cache_knows(c, gone.public_id, 100));
	CU_ASSERT_FALSE(vs_key_cache_knows(c, good.public_id, 100 + TTL)); /* expired */
	const struct vs_cache_stats *st = vs_key_cache_stats(c);
	CU_ASSERT_EQUAL(st->hits + st->misses + st->rejected_hits, 0);
	vs_key_cache_forget(c, good.public_id);
	CU_ASSERT_FALSE(vs_key_cache_knows(c, good.public_id, 101));
	vs_key_cache_forget(c, NULL);
	CU_ASSERT_FALSE(vs_key_cache_knows(c, gone.public_id, 101));
	vs_key_cache_free(c);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
		UT_TEST(test_key_cache_four_ids_share_a_set_then_the_oldest_goes),
		UT_TEST(test_key_cache_holds_most_keys_up_to_its_size),
		UT_TEST(test_key_cache_ttl_and_notifications),
		UT_TEST(test_key_cache_ignores_a_lookup_older_than_a_notification),
		UT_TEST(test_key_cache_added_keys_forget_only_the_rejected_ids),
		UT_TEST(test_key_cache_stores_equal_scope_lists_once),
		UT_TEST(test_key_cache_use_needs_a_write_once_per_interval),
		UT_TEST(test_key_cache_knows_what_it_would_answer_without_counting),
		UT_END,
	};
	ut_add_suite("adapters/pg: key cache", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
