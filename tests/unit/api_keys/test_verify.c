/* lib/api_keys/verify.c: vs_api_keys_authenticate, the one verification of a presented
 * key. A key that is not well formed is refused before any lookup; a known one must match
 * its SHA-256 and be usable at that instant; a failed lookup is a 503, never a 401. */
#include "suites.h"

#include "api_keys/key_world.h"
#include "api_keys/messages.h"
#include "api_keys/usecases.h"

#include <string.h>

static enum vs_err verify(struct world *w, const char *key, size_t len, struct vs_api_key *out,
			  struct vs_error *e)
{
	return vs_api_keys_authenticate(&w->app, w->a, key, len, out, e);
}

/* 401 with the exact text clients match on. */
static void assert_refused(struct world *w, const char *key, size_t len)
{
	struct vs_api_key out;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(verify(w, key, len, &out, &e), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(e.code, VS_UNAUTHORIZED);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), VS_MSG_BAD_API_KEY);
}

static void test_verify_good_key_gives_its_record_and_only_looks_it_up(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	const char *const scopes[] = {"vm:read", "user:read", NULL};
	vs_uuid id, root_id;
	const char *text = fake_seed_api_key(w->db, w->a, &w->ann, &w->acme, scopes, &id);
	const char *root_text = fake_seed_api_key(w->db, w->a, &w->root, NULL, NULL, &root_id);
	size_t touches = w->db->api_keys.touches;

	struct vs_api_key out;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(verify(w, text, strlen(text), &out, &e), VS_OK);
	CU_ASSERT_EQUAL(e.code, VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&out.id, &id));
	CU_ASSERT_TRUE(vs_uuid_eq(&out.user_id, &w->ann));
	CU_ASSERT_FALSE(out.global);
	CU_ASSERT_TRUE(vs_uuid_eq(&out.tenant_id, &w->acme));
	CU_ASSERT_EQUAL_FATAL(out.nscopes, 2);
	CU_ASSERT_STRING_EQUAL(ut_str(out.scopes[0]), "vm:read");
	CU_ASSERT_STRING_EQUAL(ut_str(out.scopes[1]), "user:read");
	CU_ASSERT_TRUE(out.is_active && out.owner_active);
	CU_ASSERT_FALSE(out.owner_superuser);
	/* One lookup by public id, outside any transaction; noting the use is the caller's. */
	CU_ASSERT_EQUAL_FATAL(w->db->njournal, 1);
	CU_ASSERT_STRING_EQUAL(w->db->journal[0], "api_keys.find");
	CU_ASSERT_EQUAL(w->db->begins, 0);
	CU_ASSERT_EQUAL(w->db->api_keys.touches, touches);

	CU_ASSERT_EQUAL_FATAL(verify(w, root_text, strlen(root_text), &out, &e), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&out.id, &root_id));
	CU_ASSERT_TRUE(out.global);
	CU_ASSERT_TRUE(out.owner_superuser);
	CU_ASSERT_EQUAL(out.nscopes, 0);
	FAKE_ASSERT_TX_CLEAN(w->db);
	key_world_free(&k);
}

static void test_verify_malformed_or_mistyped_is_401_without_lookup(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	const char *good = fake_seed_api_key(w->db, w->a, &w->ann, NULL, NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(strlen(good), VS_API_KEY_LEN);
	char *last = vs_arena_strdup(w->a, good); /* checksum changed */
	last[VS_API_KEY_LEN - 1] = last[VS_API_KEY_LEN - 1] == 'a' ? 'b' : 'a';
	char *typo = vs_arena_strdup(w->a, good); /* a secret character, checksum kept */
	typo[VS_API_KEY_PREFIX_LEN + VS_API_KEY_PUBLIC_LEN + 3] ^= 0x20; /* case flip */
	if (typo[VS_API_KEY_PREFIX_LEN + VS_API_KEY_PUBLIC_LEN + 3] < 'A')
		typo[VS_API_KEY_PREFIX_LEN + VS_API_KEY_PUBLIC_LEN + 3] = 'x'; /* was a digit */
	char *prefix = vs_arena_strdup(w->a, good); /* another product's prefix */
	prefix[0] = 'V';
	char *symbol = vs_arena_strdup(w->a, good); /* not base62 */
	symbol[VS_API_KEY_PREFIX_LEN + 1] = '-';
	char *longer = vs_arena_printf(w->a, "%s0", good);
	char *huge = vs_arena_alloc(w->a, VS_API_KEY_MAX_HEADER + 2);
	memset(huge, 'a', VS_API_KEY_MAX_HEADER + 1);
	memcpy(huge, good, VS_API_KEY_LEN);
	huge[VS_API_KEY_MAX_HEADER + 1] = '\0';
	const char *bad[] = {"", "vsak_", "Bearer x", last, typo, prefix, symbol, longer, huge};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(w, bad[i], strlen(bad[i]));
	/* The good key cut short, and with a NUL inside the length given. */
	assert_refused(w, good, VS_API_KEY_LEN - 1);
	char *nul = vs_arena_strdup(w->a, good);
	nul[10] = '\0';
	assert_refused(w, nul, VS_API_KEY_LEN);
	/* Nothing reached the store, and a fault could not have been met. */
	CU_ASSERT_EQUAL(w->db->njournal, 0);
	CU_ASSERT_EQUAL(w->db->calls, 0);
	/* The same text is fine: the refusals were about the damage. */
	struct vs_api_key out;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL(verify(w, good, strlen(good), &out, &e), VS_OK);
	key_world_free(&k);
}

static void test_verify_unknown_id_or_wrong_secret_is_401(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	vs_uuid id;
	const char *good = fake_seed_api_key(w->db, w->a, &w->ann, NULL, NULL, &id);
	const struct fake_api_key_row *row = fake_api_key(w->db, &id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(row);
	/* Well formed, so each is looked up once. */
	const char *unknown = kw_forge_key(w->a, "000000000000");
	const char *same_id = kw_forge_key(w->a, row->public_id);
	CU_ASSERT_NOT_EQUAL(strcmp(same_id, good), 0);
	assert_refused(w, unknown, strlen(unknown));
	CU_ASSERT_EQUAL(fake_called(w->db, "api_keys.find"), 1);
	assert_refused(w, same_id, strlen(same_id));
	CU_ASSERT_EQUAL(fake_called(w->db, "api_keys.find"), 2);
	CU_ASSERT_EQUAL(w->db->njournal, 2);
	key_world_free(&k);
}

static void test_verify_inactive_expired_or_owner_inactive_is_401(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	struct vs_api_key out;
	struct vs_error e = {0};
	vs_uuid revoked_id, expiring_id, ann_id;
	const char *revoked = fake_seed_api_key(w->db, w->a, &w->admin, NULL, NULL, &revoked_id);
	const char *expiring = fake_seed_api_key(w->db, w->a, &w->admin, NULL, NULL, &expiring_id);
	const char *idle = fake_seed_api_key(w->db, w->a, &w->idle, NULL, NULL, NULL);
	const char *ann = fake_seed_api_key(w->db, w->a, &w->ann, &w->acme, NULL, &ann_id);

	fake_api_key(w->db, &revoked_id)->is_active = false;
	assert_refused(w, revoked, strlen(revoked));

	/* Usable before expires_at, not at that instant. */
	int64_t now = fake_now();
	fake_api_key(w->db, &expiring_id)->expires = true;
	fake_api_key(w->db, &expiring_id)->expires_at = now + 60;
	CU_ASSERT_EQUAL(verify(w, expiring, strlen(expiring), &out, &e), VS_OK);
	fake_clock_set(now + 59);
	CU_ASSERT_EQUAL(verify(w, expiring, strlen(expiring), &out, &e), VS_OK);
	fake_clock_set(now + 60);
	assert_refused(w, expiring, strlen(expiring));
	fake_clock_set(now);

	/* The owner's state counts on every use: inactive from the start, or made so later. */
	assert_refused(w, idle, strlen(idle));
	CU_ASSERT_EQUAL(verify(w, ann, strlen(ann), &out, &e), VS_OK);
	fake_user(w->db, &w->ann)->is_active = false;
	assert_refused(w, ann, strlen(ann));
	fake_user(w->db, &w->ann)->is_active = true;
	CU_ASSERT_EQUAL(verify(w, ann, strlen(ann), &out, &e), VS_OK);
	/* A deleted owner takes the key along. */
	fake_drop_user(w->db, &w->ann);
	CU_ASSERT_PTR_NULL(fake_api_key(w->db, &ann_id));
	assert_refused(w, ann, strlen(ann));
	key_world_free(&k);
}

static void test_verify_lookup_failure_is_503_never_401(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	const char *good = fake_seed_api_key(w->db, w->a, &w->ann, NULL, NULL, NULL);
	const char *unknown = kw_forge_key(w->a, "zzzzzzzzzzzz");
	const char *keys[] = {good, unknown};
	for (size_t i = 0; i < 2; i++) {
		fake_reset_journal(w->db);
		w->db->fail_after = 1;
		struct vs_api_key out;
		struct vs_error e = {0};
		CU_ASSERT_EQUAL(verify(w, keys[i], strlen(keys[i]), &out, &e), VS_UNAVAILABLE);
		CU_ASSERT_EQUAL(e.code, VS_UNAVAILABLE);
		CU_ASSERT_PTR_NULL(e.detail); /* not "Invalid or expired API Key" */
		CU_ASSERT_TRUE(w->db->injected);
		CU_ASSERT_STRING_EQUAL(ut_str(w->db->injected_op), "api_keys.find");
	}
	/* A malformed key needs no lookup, so an unreachable database does not matter. */
	fake_reset_journal(w->db);
	w->db->fail_after = 1;
	assert_refused(w, "vsak_nonsense", 13);
	CU_ASSERT_FALSE(w->db->injected);
	FAKE_ASSERT_TX_CLEAN(w->db);
	key_world_free(&k);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_verify_good_key_gives_its_record_and_only_looks_it_up),
	    UT_TEST(test_verify_malformed_or_mistyped_is_401_without_lookup),
	    UT_TEST(test_verify_unknown_id_or_wrong_secret_is_401),
	    UT_TEST(test_verify_inactive_expired_or_owner_inactive_is_401),
	    UT_TEST(test_verify_lookup_failure_is_503_never_401),
	    UT_END,
	};
	ut_add_suite("api_keys: verification", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
