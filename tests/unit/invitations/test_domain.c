/* lib/invitations/domain.c: the token (made only with the key, refused when any character
 * changes, when cut or lengthened, or made with another secret; the stored hash matched
 * in constant time and only for the current nonce) and the states (pending, expired at
 * its instant, accepted, revoked; what may be revoked or resent). */
#include "suites.h"

#include "invitations/domain.h"

#include <string.h>

static const uint8_t secret[] = "fake-app-signing-key-0123456789-ABCDEFGHIJKLMNOPQRSTUV";

static void a_token(uint8_t key[VS_SHA256_LEN], struct vs_invitation_token *t,
		    char text[VS_INVITATION_TOKEN_LEN + 1])
{
	vs_invitation_token_key(secret, sizeof(secret) - 1, key);
	vs_uuid_v4(&t->tenant_id);
	vs_uuid_v4(&t->id);
	vs_random_bytes(t->nonce, sizeof(t->nonce));
	vs_invitation_token_make(key, t, text);
}

static void test_token_round_trip(void)
{
	uint8_t key[VS_SHA256_LEN];
	struct vs_invitation_token t, back;
	char text[VS_INVITATION_TOKEN_LEN + 1];
	a_token(key, &t, text);
	CU_ASSERT_EQUAL(strlen(text), VS_INVITATION_TOKEN_LEN);
	CU_ASSERT_EQUAL(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
			VS_INVITATION_TOKEN_LEN); /* fits in a URL fragment as it is */
	CU_ASSERT_TRUE_FATAL(vs_invitation_token_open(key, text, strlen(text), &back));
	CU_ASSERT_TRUE(vs_uuid_eq(&back.tenant_id, &t.tenant_id));
	CU_ASSERT_TRUE(vs_uuid_eq(&back.id, &t.id));
	CU_ASSERT_EQUAL(memcmp(back.nonce, t.nonce, sizeof(t.nonce)), 0);

	/* Same inputs, same token; another nonce, another token. */
	char again[VS_INVITATION_TOKEN_LEN + 1];
	vs_invitation_token_make(key, &t, again);
	CU_ASSERT_STRING_EQUAL(again, text);
	t.nonce[0] ^= 1;
	vs_invitation_token_make(key, &t, again);
	CU_ASSERT_STRING_NOT_EQUAL(again, text);
}

/* Every character replaced by every other of the alphabet: none opens. */
static void test_token_any_changed_character_is_refused(void)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint8_t key[VS_SHA256_LEN];
	struct vs_invitation_token t, out;
	char text[VS_INVITATION_TOKEN_LEN + 1], bad[VS_INVITATION_TOKEN_LEN + 1];
	a_token(key, &t, text);
	size_t opened = 0;
	for (size_t i = 0; i < VS_INVITATION_TOKEN_LEN; i++) {
		for (size_t c = 0; c < sizeof(alphabet) - 1; c++) {
			if (alphabet[c] == text[i])
				continue;
			memcpy(bad, text, sizeof(bad));
			bad[i] = alphabet[c];
			opened += vs_invitation_token_open(key, bad, VS_INVITATION_TOKEN_LEN, &out);
		}
	}
	CU_ASSERT_EQUAL(opened, 0);
}

static void test_token_wrong_shape_or_key_is_refused(void)
{
	uint8_t key[VS_SHA256_LEN], other[VS_SHA256_LEN];
	struct vs_invitation_token t, out;
	char text[VS_INVITATION_TOKEN_LEN + 2];
	a_token(key, &t, text);
	CU_ASSERT_FALSE(vs_invitation_token_open(key, text, VS_INVITATION_TOKEN_LEN - 1, &out));
	CU_ASSERT_FALSE(vs_invitation_token_open(key, text, VS_INVITATION_TOKEN_LEN - 4, &out));
	strcat(text, "A");
	CU_ASSERT_FALSE(vs_invitation_token_open(key, text, VS_INVITATION_TOKEN_LEN + 1, &out));
	CU_ASSERT_FALSE(vs_invitation_token_open(key, "", 0, &out));
	char garbage[VS_INVITATION_TOKEN_LEN + 1];
	memset(garbage, '=', VS_INVITATION_TOKEN_LEN);
	garbage[VS_INVITATION_TOKEN_LEN] = '\0';
	CU_ASSERT_FALSE(vs_invitation_token_open(key, garbage, VS_INVITATION_TOKEN_LEN, &out));
	/* A token of another secret (another deployment, or a rotated key). */
	text[VS_INVITATION_TOKEN_LEN] = '\0';
	vs_invitation_token_key((const uint8_t *)"another-secret-of-32-bytes-or-more!!", 36, other);
	CU_ASSERT_NOT_EQUAL(memcmp(key, other, sizeof(key)), 0);
	CU_ASSERT_FALSE(vs_invitation_token_open(other, text, VS_INVITATION_TOKEN_LEN, &out));
	/* The key is not the secret itself: a MAC under the raw secret does not open. */
	uint8_t raw_key[VS_SHA256_LEN] = { 0 };
	memcpy(raw_key, secret, sizeof(raw_key));
	CU_ASSERT_FALSE(vs_invitation_token_open(raw_key, text, VS_INVITATION_TOKEN_LEN, &out));
}

static void test_token_matches_only_the_stored_hash_of_its_invitation(void)
{
	uint8_t key[VS_SHA256_LEN];
	struct vs_invitation_token t;
	char text[VS_INVITATION_TOKEN_LEN + 1];
	a_token(key, &t, text);
	struct vs_invitation inv = { .id = t.id, .tenant_id = t.tenant_id };
	memcpy(inv.nonce, t.nonce, sizeof(inv.nonce));
	vs_sha256(text, strlen(text), inv.token_hash);
	CU_ASSERT_TRUE(vs_invitation_token_matches(&inv, &t, text, strlen(text)));

	/* Resent: a new nonce and hash; the old token no longer matches. */
	struct vs_invitation_token fresh = t;
	char newer[VS_INVITATION_TOKEN_LEN + 1];
	vs_random_bytes(fresh.nonce, sizeof(fresh.nonce));
	vs_invitation_token_make(key, &fresh, newer);
	memcpy(inv.nonce, fresh.nonce, sizeof(inv.nonce));
	vs_sha256(newer, strlen(newer), inv.token_hash);
	CU_ASSERT_FALSE(vs_invitation_token_matches(&inv, &t, text, strlen(text)));
	CU_ASSERT_TRUE(vs_invitation_token_matches(&inv, &fresh, newer, strlen(newer)));

	/* Another invitation with the same hash stored (impossible, but): not this token's. */
	struct vs_invitation other = inv;
	vs_uuid_v4(&other.id);
	CU_ASSERT_FALSE(vs_invitation_token_matches(&other, &fresh, newer, strlen(newer)));
	vs_uuid_v4(&other.tenant_id);
	other.id = inv.id;
	CU_ASSERT_FALSE(vs_invitation_token_matches(&other, &fresh, newer, strlen(newer)));
}

/* ---- states ---- */

#define NOW 1795428000

static void test_states_expire_at_their_instant(void)
{
	struct vs_invitation inv = { .status = VS_INVITATION_PENDING, .expires_at = NOW + 60 };
	CU_ASSERT_EQUAL(vs_invitation_status_at(&inv, NOW), VS_INVITATION_PENDING);
	CU_ASSERT_EQUAL(vs_invitation_status_at(&inv, NOW + 59), VS_INVITATION_PENDING);
	CU_ASSERT_EQUAL(vs_invitation_status_at(&inv, NOW + 60), VS_INVITATION_EXPIRED);
	CU_ASSERT_TRUE(vs_invitation_usable(&inv, NOW + 59));
	CU_ASSERT_FALSE(vs_invitation_usable(&inv, NOW + 60));
	CU_ASSERT_TRUE(vs_invitation_changeable(&inv)); /* an expired one is resent or revoked */

	/* Accepted and revoked stay what they are, past the expiry too. */
	inv.status = VS_INVITATION_ACCEPTED;
	CU_ASSERT_EQUAL(vs_invitation_status_at(&inv, NOW + 600), VS_INVITATION_ACCEPTED);
	CU_ASSERT_FALSE(vs_invitation_usable(&inv, NOW));
	CU_ASSERT_FALSE(vs_invitation_changeable(&inv));
	inv.status = VS_INVITATION_REVOKED;
	CU_ASSERT_EQUAL(vs_invitation_status_at(&inv, NOW), VS_INVITATION_REVOKED);
	CU_ASSERT_FALSE(vs_invitation_usable(&inv, NOW));
	CU_ASSERT_FALSE(vs_invitation_changeable(&inv));
	/* Stored as expired (it gave up its place): expired whenever. */
	inv.status = VS_INVITATION_EXPIRED;
	CU_ASSERT_EQUAL(vs_invitation_status_at(&inv, NOW - 600), VS_INVITATION_EXPIRED);
	CU_ASSERT_FALSE(vs_invitation_usable(&inv, NOW - 600));
	CU_ASSERT_TRUE(vs_invitation_changeable(&inv));
}

static void test_states_have_names_both_ways(void)
{
	static const char *const names[] = { "pending", "accepted", "expired", "revoked" };
	for (size_t i = 0; i < 4; i++) {
		enum vs_invitation_status s;
		CU_ASSERT_TRUE_FATAL(vs_invitation_status_parse(names[i], &s));
		CU_ASSERT_STRING_EQUAL(vs_invitation_status_name(s), names[i]);
	}
	enum vs_invitation_status s;
	CU_ASSERT_FALSE(vs_invitation_status_parse("Pending", &s));
	CU_ASSERT_FALSE(vs_invitation_status_parse("", &s));
	CU_ASSERT_FALSE(vs_invitation_status_parse("cancelled", &s));
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
		UT_TEST(test_token_round_trip),
		UT_TEST(test_token_any_changed_character_is_refused),
		UT_TEST(test_token_wrong_shape_or_key_is_refused),
		UT_TEST(test_token_matches_only_the_stored_hash_of_its_invitation),
		UT_TEST(test_states_expire_at_their_instant),
		UT_TEST(test_states_have_names_both_ways),
		UT_END,
	};
	ut_add_suite("invitations: domain", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
