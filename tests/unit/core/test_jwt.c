/* lib/core/jwt.c: minting and verifying access tokens, and every libjwt 1.10 gap of
 * SECURITY.md. Hostile tokens are built with libjwt itself or by hand (base64url + HMAC). */
#include "suites.h"

#include "core/crypto.h"
#include "core/jwt.h"

#include <dlfcn.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ISS "virtualstack"
#define AUD "virtualstack-api"
#define NOW ((int64_t)1795428000) /* 2026-11-23T10:00:00Z */
#define TTL 900
#define SUB "11111111-2222-4333-8444-555555555555"
#define JTI "99999999-8888-4777-a666-555555555555"
#define TID "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"

static const unsigned char key[] = "unit-test-signing-key-0123456789-abcdefghijklmnop";
static const unsigned char other_key[] = "another-signing-key-9876543210-ABCDEFGHIJKLMNOPQ";
#define KEY_LEN	      (sizeof(key) - 1)
#define OTHER_KEY_LEN (sizeof(other_key) - 1)

static struct vs_jwt_keys keys, other_keys;

/* A spy on libjwt: counts the tokens vs_jwt_verify hands to jwt_decode, then calls the
 * real function. libjwt 1.10.2 writes one byte past a malloc(0) when the header or payload
 * segment is empty (valgrind: "Invalid write of size 1" in base64_decode_block), so such
 * tokens must be refused before they reach it. */
static unsigned decode_calls;

int jwt_decode(jwt_t **jwt, const char *token, const unsigned char *k, int key_len)
{
	typedef int (*decode_fn)(jwt_t **, const char *, const unsigned char *, int);
	static decode_fn real;
	if (!real) {
		void *sym = dlsym(RTLD_NEXT, "jwt_decode");
		if (!sym)
			abort();
		memcpy(&real, &sym, sizeof(real));
	}
	decode_calls++;
	return real(jwt, token, k, key_len);
}

static int jwt_suite_init(void)
{
	if (vs_jwt_keys_init(&keys, key, KEY_LEN, ISS, AUD) != VS_OK)
		return -1;
	if (vs_jwt_keys_init(&other_keys, other_key, OTHER_KEY_LEN, ISS, AUD) != VS_OK)
		return -1;
	return 0;
}

static void good_claims(struct vs_access_claims *c)
{
	memset(c, 0, sizeof(*c));
	vs_uuid_parse(SUB, VS_UUID_STRLEN, &c->sub);
	vs_uuid_parse(JTI, VS_UUID_STRLEN, &c->jti);
	c->iat = NOW;
	c->exp = NOW + TTL;
}

static const char *issue(struct vs_arena *a, const struct vs_access_claims *c)
{
	const char *token = NULL;
	CU_ASSERT_EQUAL_FATAL(vs_jwt_issue(a, &keys, c, &token), VS_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(token);
	return token;
}

static enum vs_err verify_at(struct vs_arena *a, const char *token, int64_t now)
{
	struct vs_access_claims out;
	return vs_jwt_verify(a, &keys, token, strlen(token), now, &out);
}

static enum vs_err verify(struct vs_arena *a, const char *token)
{
	return verify_at(a, token, NOW);
}

/* ---- tokens built with libjwt ---- */

/* A token with every claim we require, right; tests change one thing. kid NULL: none. */
static jwt_t *forge_base(const char *kid)
{
	jwt_t *jwt = NULL;
	if (jwt_new(&jwt) != 0)
		return NULL;
	int bad = 0;
	if (kid)
		bad |= jwt_add_header(jwt, "kid", kid);
	bad |= jwt_add_grant(jwt, "sub", SUB);
	bad |= jwt_add_grant(jwt, "jti", JTI);
	bad |= jwt_add_grant(jwt, "iss", ISS);
	bad |= jwt_add_grant(jwt, "aud", AUD);
	bad |= jwt_add_grant(jwt, "token_use", "access");
	bad |= jwt_add_grant_int(jwt, "iat", (long)NOW);
	bad |= jwt_add_grant_int(jwt, "exp", (long)(NOW + TTL));
	if (bad) {
		jwt_free(jwt);
		return NULL;
	}
	return jwt;
}

/* Signs and encodes jwt (freed here) into the arena. */
static const char *forge_sign(struct vs_arena *a, jwt_t *jwt, jwt_alg_t alg, const unsigned char *k,
			      size_t klen)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(jwt);
	CU_ASSERT_EQUAL_FATAL(jwt_set_alg(jwt, alg, k, (int)klen), 0);
	char *s = jwt_encode_str(jwt);
	jwt_free(jwt);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	char *copy = vs_arena_strdup(a, s);
	free(s);
	return copy;
}

static const char *forge_hs256(struct vs_arena *a, jwt_t *jwt)
{
	return forge_sign(a, jwt, JWT_ALG_HS256, key, KEY_LEN);
}

/* The base token with claim name removed, or replaced by a string value when value != NULL. */
static const char *forge_with_string_claim(struct vs_arena *a, const char *name, const char *value)
{
	jwt_t *jwt = forge_base(keys.kid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jwt);
	CU_ASSERT_EQUAL_FATAL(jwt_del_grants(jwt, name), 0);
	if (value)
		CU_ASSERT_EQUAL_FATAL(jwt_add_grant(jwt, name, value), 0);
	return forge_hs256(a, jwt);
}

/* ---- tokens built by hand ---- */

static char *b64url(struct vs_arena *a, const void *data, size_t len)
{
	char *out = vs_arena_alloc(a, 4 * ((len + 2) / 3) + 1);
	vs_base64url_encode(data, len, out);
	return out;
}

/* header.payload.signature; md NULL: empty signature. */
static const char *hand_token(struct vs_arena *a, const char *header, const char *payload,
			      const EVP_MD *md, const unsigned char *k, size_t klen)
{
	char *h = b64url(a, header, strlen(header));
	char *p = b64url(a, payload, strlen(payload));
	char *signing_input = vs_arena_printf(a, "%s.%s", h, p);
	const char *sig = "";
	if (md) {
		unsigned char mac[EVP_MAX_MD_SIZE];
		unsigned int mac_len = 0;
		CU_ASSERT_PTR_NOT_NULL_FATAL(HMAC(md, k, (int)klen,
						  (const unsigned char *)signing_input,
						  strlen(signing_input), mac, &mac_len));
		sig = b64url(a, mac, mac_len);
	}
	return vs_arena_printf(a, "%s.%s", signing_input, sig);
}

static const char *good_payload(struct vs_arena *a)
{
	return vs_arena_printf(a,
			       "{\"sub\":\"%s\",\"jti\":\"%s\",\"iss\":\"%s\",\"aud\":\"%s\","
			       "\"token_use\":\"access\",\"iat\":%lld,\"exp\":%lld}",
			       SUB, JTI, ISS, AUD, (long long)NOW, (long long)(NOW + TTL));
}

/* ---- keys ---- */

static void test_jwt_keys_init_rejects_short_keys(void)
{
	struct vs_jwt_keys k;
	memset(&k, 0, sizeof(k));
	CU_ASSERT_NOT_EQUAL(vs_jwt_keys_init(&k, key, VS_JWT_MIN_KEY_LEN - 1, ISS, AUD), VS_OK);
	CU_ASSERT_NOT_EQUAL(vs_jwt_keys_init(&k, key, 0, ISS, AUD), VS_OK);
	CU_ASSERT_NOT_EQUAL(vs_jwt_keys_init(&k, NULL, 64, ISS, AUD), VS_OK);
	CU_ASSERT_PTR_NULL(k.key);
	CU_ASSERT_EQUAL(vs_jwt_keys_init(&k, key, VS_JWT_MIN_KEY_LEN, ISS, AUD), VS_OK);
}

static void test_jwt_keys_init_derives_kid_from_sha256(void)
{
	unsigned char d[SHA256_DIGEST_LENGTH];
	SHA256(key, KEY_LEN, d);
	char want[17];
	for (int i = 0; i < 8; i++)
		snprintf(want + 2 * i, 3, "%02x", d[i]);
	CU_ASSERT_STRING_EQUAL(ut_str(keys.kid), want);
	CU_ASSERT_STRING_NOT_EQUAL(ut_str(keys.kid), other_keys.kid);
	CU_ASSERT_PTR_EQUAL(keys.key, key);
	CU_ASSERT_EQUAL(keys.key_len, KEY_LEN);
}

/* ---- valid tokens ---- */

static void test_jwt_issue_verify_round_trip(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_access_claims in, out;
	good_claims(&in);
	const char *token = issue(a, &in);
	CU_ASSERT_EQUAL(strncmp(token, "eyJ", 3), 0);
	CU_ASSERT_EQUAL_FATAL(vs_jwt_verify(a, &keys, token, strlen(token), NOW, &out), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&out.sub, &in.sub));
	CU_ASSERT_TRUE(vs_uuid_eq(&out.jti, &in.jti));
	CU_ASSERT_EQUAL(out.iat, in.iat);
	CU_ASSERT_EQUAL(out.exp, in.exp);
	CU_ASSERT_FALSE(out.has_tid);
	vs_arena_free(a);
}

static void test_jwt_issue_verify_round_trip_with_tenant(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_access_claims in, out;
	good_claims(&in);
	in.has_tid = true;
	vs_uuid_parse(TID, VS_UUID_STRLEN, &in.tid);
	const char *token = issue(a, &in);
	CU_ASSERT_EQUAL_FATAL(vs_jwt_verify(a, &keys, token, strlen(token), NOW + 10, &out), VS_OK);
	CU_ASSERT_TRUE(out.has_tid);
	CU_ASSERT_TRUE(vs_uuid_eq(&out.tid, &in.tid));
	CU_ASSERT_TRUE(vs_uuid_eq(&out.sub, &in.sub));
	vs_arena_free(a);
}

static void test_jwt_forged_tokens_with_right_claims_verify(void)
{
	/* The controls for every hostile token below: the builders make valid tokens. */
	struct vs_arena *a = vs_arena_new();
	CU_ASSERT_EQUAL(verify(a, forge_hs256(a, forge_base(keys.kid))), VS_OK);
	char header[128];
	snprintf(header, sizeof(header), "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
		 keys.kid);
	CU_ASSERT_EQUAL(
	    verify(a, hand_token(a, header, good_payload(a), EVP_sha256(), key, KEY_LEN)), VS_OK);
	vs_arena_free(a);
}

/* ---- time ---- */

static void test_jwt_rejects_expired_token(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_access_claims c;
	good_claims(&c);
	c.iat = NOW - 2 * TTL;
	c.exp = NOW - VS_JWT_LEEWAY_SECONDS - 1;
	CU_ASSERT_EQUAL(verify(a, issue(a, &c)), VS_UNAUTHORIZED);
	/* Exactly at the end of the leeway: refused; one second before: accepted. */
	good_claims(&c);
	const char *t = issue(a, &c);
	CU_ASSERT_EQUAL(verify_at(a, t, c.exp + VS_JWT_LEEWAY_SECONDS), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify_at(a, t, c.exp + VS_JWT_LEEWAY_SECONDS - 1), VS_OK);
	CU_ASSERT_EQUAL(verify_at(a, t, c.exp + 100000), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_iat_in_the_future(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_access_claims c;
	good_claims(&c);
	c.iat = NOW + 3600;
	c.exp = NOW + 7200;
	CU_ASSERT_EQUAL(verify(a, issue(a, &c)), VS_UNAUTHORIZED);
	/* Clock skew within the leeway is tolerated. */
	c.iat = NOW + VS_JWT_LEEWAY_SECONDS;
	c.exp = c.iat + TTL;
	CU_ASSERT_EQUAL(verify(a, issue(a, &c)), VS_OK);
	vs_arena_free(a);
}

static void test_jwt_rejects_exp_not_after_iat(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_access_claims c;
	good_claims(&c);
	c.exp = c.iat;
	CU_ASSERT_EQUAL(verify(a, issue(a, &c)), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

/* ---- keys and signatures ---- */

static void test_jwt_rejects_wrong_key(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_access_claims c, out;
	good_claims(&c);
	const char *t = issue(a, &c);
	CU_ASSERT_EQUAL(vs_jwt_verify(a, &other_keys, t, strlen(t), NOW, &out), VS_UNAUTHORIZED);
	/* Our kid, but signed with another key. */
	const char *forged =
	    forge_sign(a, forge_base(keys.kid), JWT_ALG_HS256, other_key, OTHER_KEY_LEN);
	CU_ASSERT_EQUAL(verify(a, forged), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_tampered_payload(void)
{
	struct vs_arena *a = vs_arena_new();
	char header[128];
	snprintf(header, sizeof(header), "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
		 keys.kid);
	const char *good = hand_token(a, header, good_payload(a), EVP_sha256(), key, KEY_LEN);
	CU_ASSERT_EQUAL_FATAL(verify(a, good), VS_OK);
	/* Same signature, payload naming another user. */
	const char *sig = strrchr(good, '.') + 1;
	const char *other_sub =
	    vs_arena_printf(a,
			    "{\"sub\":\"%s\",\"jti\":\"%s\",\"iss\":\"%s\",\"aud\":\"%s\","
			    "\"token_use\":\"access\",\"iat\":%lld,\"exp\":%lld}",
			    TID, JTI, ISS, AUD, (long long)NOW, (long long)(NOW + TTL));
	const char *unsigned_other = hand_token(a, header, other_sub, NULL, NULL, 0);
	const char *tampered =
	    vs_arena_printf(a, "%.*s%s", (int)strlen(unsigned_other), unsigned_other, sig);
	CU_ASSERT_EQUAL(verify(a, tampered), VS_UNAUTHORIZED);
	/* One flipped character in the signature. */
	char *flipped = vs_arena_strdup(a, good);
	size_t last = strlen(flipped) - 2;
	flipped[last] = flipped[last] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(verify(a, flipped), VS_UNAUTHORIZED);
	/* No signature at all. */
	const char *stripped = vs_arena_strndup(a, good, (size_t)(sig - good));
	CU_ASSERT_EQUAL(verify(a, stripped), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

/* A header as given, signed with the real key over the good payload plus extra claims. */
static const char *signed_with(struct vs_arena *a, const char *header, const char *extra)
{
	const char *payload = good_payload(a);
	if (extra) /* "...}" + ",extra}" */
		payload = vs_arena_printf(a, "%.*s,%s}", (int)strlen(payload) - 1, payload, extra);
	return hand_token(a, header, payload, EVP_sha256(), key, KEY_LEN);
}

static void test_jwt_accepts_only_the_exact_alg_hs256(void)
{
	struct vs_arena *a = vs_arena_new();
	const char *names[] = { "hs256", "Hs256", "HS256 ", "HS384" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *header = vs_arena_printf(
		    a, "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}", names[i], keys.kid);
		CU_ASSERT_EQUAL(verify(a, signed_with(a, header, NULL)), VS_UNAUTHORIZED);
	}
	const char *good = vs_arena_printf(a, "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
					   keys.kid);
	CU_ASSERT_EQUAL(verify(a, signed_with(a, good, NULL)), VS_OK);
	/* Two alg members (json-c would keep the last) and a non-JSON header. */
	const char *twice = vs_arena_printf(
	    a, "{\"alg\":\"none\",\"alg\":\"HS256\",\"kid\":\"%s\"}", keys.kid);
	CU_ASSERT_EQUAL(verify(a, signed_with(a, twice, NULL)), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, signed_with(a, "not json", NULL)), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_crit_headers(void)
{
	/* RFC 7515 §4.1.11: extensions named in crit must be understood; we know none. */
	struct vs_arena *a = vs_arena_new();
	const char *header = vs_arena_printf(
	    a, "{\"alg\":\"HS256\",\"kid\":\"%s\",\"crit\":[\"exp\"],\"exp\":1}", keys.kid);
	CU_ASSERT_EQUAL(verify(a, signed_with(a, header, NULL)), VS_UNAUTHORIZED);
	header = vs_arena_printf(a, "{\"alg\":\"HS256\",\"kid\":\"%s\",\"crit\":[]}", keys.kid);
	CU_ASSERT_EQUAL(verify(a, signed_with(a, header, NULL)), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_holds_a_token_to_its_nbf(void)
{
	struct vs_arena *a = vs_arena_new();
	const char *header =
	    vs_arena_printf(a, "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", keys.kid);
	const char *later = vs_arena_printf(a, "\"nbf\":%lld", (long long)(NOW + 600));
	const char *now = vs_arena_printf(a, "\"nbf\":%lld", (long long)NOW);
	CU_ASSERT_EQUAL(verify(a, signed_with(a, header, later)), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify_at(a, signed_with(a, header, later), NOW + 600), VS_OK);
	CU_ASSERT_EQUAL(verify(a, signed_with(a, header, now)), VS_OK);
	CU_ASSERT_EQUAL(verify(a, signed_with(a, header, "\"nbf\":\"soon\"")), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_alg_none(void)
{
	struct vs_arena *a = vs_arena_new();
	char header[128];
	snprintf(header, sizeof(header), "{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
		 keys.kid);
	CU_ASSERT_EQUAL(verify(a, hand_token(a, header, good_payload(a), NULL, NULL, 0)),
			VS_UNAUTHORIZED);
	/* Also with a signature part that is a valid HS256 MAC of the same input. */
	CU_ASSERT_EQUAL(
	    verify(a, hand_token(a, header, good_payload(a), EVP_sha256(), key, KEY_LEN)),
	    VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(
	    verify(a, hand_token(a, "{\"alg\":\"none\"}", good_payload(a), NULL, NULL, 0)),
	    VS_UNAUTHORIZED);
	/* And as libjwt itself writes one. */
	CU_ASSERT_EQUAL(verify(a, forge_sign(a, forge_base(keys.kid), JWT_ALG_NONE, NULL, 0)),
			VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_hs512_signed_with_our_key(void)
{
	struct vs_arena *a = vs_arena_new();
	CU_ASSERT_EQUAL(verify(a, forge_sign(a, forge_base(keys.kid), JWT_ALG_HS512, key, KEY_LEN)),
			VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, forge_sign(a, forge_base(keys.kid), JWT_ALG_HS384, key, KEY_LEN)),
			VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_missing_or_foreign_kid(void)
{
	struct vs_arena *a = vs_arena_new();
	CU_ASSERT_EQUAL(verify(a, forge_hs256(a, forge_base(NULL))), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, forge_hs256(a, forge_base("0000000000000000"))), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, forge_hs256(a, forge_base(other_keys.kid))), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, forge_hs256(a, forge_base(""))), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

/* ---- claims ---- */

static void test_jwt_rejects_exp_as_string(void)
{
	struct vs_arena *a = vs_arena_new();
	char far[32];
	snprintf(far, sizeof(far), "%lld", (long long)(NOW + TTL));
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "exp", far)), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "exp", NULL)), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_iat_as_string_or_missing(void)
{
	struct vs_arena *a = vs_arena_new();
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "iat", "1795428000")),
			VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "iat", NULL)), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_missing_jti(void)
{
	struct vs_arena *a = vs_arena_new();
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "jti", NULL)), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "jti", "not-a-uuid")),
			VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_missing_or_bad_sub(void)
{
	struct vs_arena *a = vs_arena_new();
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "sub", NULL)), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "sub", "admin")), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_missing_token_use(void)
{
	struct vs_arena *a = vs_arena_new();
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "token_use", NULL)), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_refresh_token_use(void)
{
	struct vs_arena *a = vs_arena_new();
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "token_use", "refresh")),
			VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "token_use", "Access")),
			VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_wrong_issuer(void)
{
	struct vs_arena *a = vs_arena_new();
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "iss", "someone-else")),
			VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "iss", NULL)), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_wrong_audience(void)
{
	struct vs_arena *a = vs_arena_new();
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "aud", "another-api")),
			VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, forge_with_string_claim(a, "aud", NULL)), VS_UNAUTHORIZED);
	jwt_t *jwt = forge_base(keys.kid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jwt);
	jwt_del_grants(jwt, "aud");
	CU_ASSERT_EQUAL_FATAL(jwt_add_grants_json(jwt, "{\"aud\":[\"another-api\"]}"), 0);
	CU_ASSERT_EQUAL(verify(a, forge_hs256(a, jwt)), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_malformed_tid(void)
{
	struct vs_arena *a = vs_arena_new();
	jwt_t *jwt = forge_base(keys.kid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jwt);
	CU_ASSERT_EQUAL_FATAL(jwt_add_grant(jwt, "tid", "tenant-1"), 0);
	CU_ASSERT_EQUAL(verify(a, forge_hs256(a, jwt)), VS_UNAUTHORIZED);
	jwt = forge_base(keys.kid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jwt);
	CU_ASSERT_EQUAL_FATAL(jwt_add_grant(jwt, "tid", TID), 0);
	CU_ASSERT_EQUAL(verify(a, forge_hs256(a, jwt)), VS_OK);
	vs_arena_free(a);
}

/* ---- shape ---- */

static void test_jwt_rejects_over_long_token(void)
{
	struct vs_arena *a = vs_arena_new();
	/* A correctly signed token padded past the limit: refused for its length alone. */
	char pad[3200];
	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	jwt_t *jwt = forge_base(keys.kid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jwt);
	CU_ASSERT_EQUAL_FATAL(jwt_add_grant(jwt, "pad", pad), 0);
	const char *long_token = forge_hs256(a, jwt);
	CU_ASSERT_FATAL(strlen(long_token) > VS_JWT_MAX_TOKEN_LEN);
	CU_ASSERT_EQUAL(verify(a, long_token), VS_UNAUTHORIZED);
	/* The control: the same padding, shorter, under the limit. */
	pad[2000] = '\0';
	jwt = forge_base(keys.kid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jwt);
	CU_ASSERT_EQUAL_FATAL(jwt_add_grant(jwt, "pad", pad), 0);
	const char *ok_token = forge_hs256(a, jwt);
	CU_ASSERT_FATAL(strlen(ok_token) <= VS_JWT_MAX_TOKEN_LEN);
	CU_ASSERT_EQUAL(verify(a, ok_token), VS_OK);
	vs_arena_free(a);
}

static void test_jwt_rejects_embedded_nul(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_access_claims c, out;
	good_claims(&c);
	const char *t = issue(a, &c);
	size_t n = strlen(t);
	/* The valid token followed by a NUL and more bytes, all inside len. */
	char *buf = vs_arena_alloc(a, n + 8);
	memcpy(buf, t, n);
	memcpy(buf + n, "\0junk", 5);
	CU_ASSERT_EQUAL(vs_jwt_verify(a, &keys, buf, n + 5, NOW, &out), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(vs_jwt_verify(a, &keys, buf, n, NOW, &out), VS_OK); /* control */
	/* A NUL inside the token. */
	char *mid = vs_arena_strdup(a, t);
	mid[n / 2] = '\0';
	CU_ASSERT_EQUAL(vs_jwt_verify(a, &keys, mid, n, NOW, &out), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_rejects_garbage(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_access_claims out;
	CU_ASSERT_EQUAL(vs_jwt_verify(a, &keys, "", 0, NOW, &out), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, "a.b.c"), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, "not a token"), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, "eyJhbGciOiJIUzI1NiJ9"), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, "eyJhbGciOiJIUzI1NiJ9.e30"), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, "eyJhbGciOiJIUzI1NiJ9.e30."), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(verify(a, "eyJhbGciOiJIUzI1NiJ9.e30.c2ln.extra"), VS_UNAUTHORIZED);
	vs_arena_free(a);
}

static void test_jwt_spy_sees_decodes(void)
{
	/* The control for the next test: a well-shaped token does reach libjwt. */
	struct vs_arena *a = vs_arena_new();
	struct vs_access_claims c;
	good_claims(&c);
	unsigned before = decode_calls;
	CU_ASSERT_EQUAL(verify(a, issue(a, &c)), VS_OK);
	CU_ASSERT_EQUAL(decode_calls, before + 1);
	vs_arena_free(a);
}

static void test_jwt_rejects_empty_segments_before_libjwt(void)
{
	struct vs_arena *a = vs_arena_new();
	/* Empty header or payload: the inputs that make libjwt write out of bounds. */
	const char *bad[] = {"..", ".e30.c2ln", "eyJhbGciOiJIUzI1NiJ9..c2ln"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned before = decode_calls;
		CU_ASSERT_EQUAL(verify(a, bad[i]), VS_UNAUTHORIZED);
		if (decode_calls != before)
			fprintf(stderr, "\n  handed to jwt_decode: \"%s\"\n", bad[i]);
		CU_ASSERT_EQUAL(decode_calls, before);
	}
	vs_arena_free(a);
}

static void test_jwt_verify_clears_claims_on_failure(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_access_claims out;
	memset(&out, 0xAA, sizeof(out));
	CU_ASSERT_EQUAL(vs_jwt_verify(a, &keys, "x", 1, NOW, &out), VS_UNAUTHORIZED);
	CU_ASSERT_TRUE(vs_uuid_is_nil(&out.sub));
	CU_ASSERT_FALSE(out.has_tid);
	vs_arena_free(a);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_jwt_keys_init_rejects_short_keys),
	    UT_TEST(test_jwt_keys_init_derives_kid_from_sha256),
	    UT_TEST(test_jwt_issue_verify_round_trip),
	    UT_TEST(test_jwt_issue_verify_round_trip_with_tenant),
	    UT_TEST(test_jwt_forged_tokens_with_right_claims_verify),
	    UT_TEST(test_jwt_rejects_expired_token),
	    UT_TEST(test_jwt_rejects_iat_in_the_future),
	    UT_TEST(test_jwt_rejects_exp_not_after_iat),
	    UT_TEST(test_jwt_rejects_wrong_key),
	    UT_TEST(test_jwt_rejects_tampered_payload),
	    UT_TEST(test_jwt_rejects_alg_none),
	    UT_TEST(test_jwt_accepts_only_the_exact_alg_hs256),
	    UT_TEST(test_jwt_rejects_crit_headers),
	    UT_TEST(test_jwt_holds_a_token_to_its_nbf),
	    UT_TEST(test_jwt_rejects_hs512_signed_with_our_key),
	    UT_TEST(test_jwt_rejects_missing_or_foreign_kid),
	    UT_TEST(test_jwt_rejects_exp_as_string),
	    UT_TEST(test_jwt_rejects_iat_as_string_or_missing),
	    UT_TEST(test_jwt_rejects_missing_jti),
	    UT_TEST(test_jwt_rejects_missing_or_bad_sub),
	    UT_TEST(test_jwt_rejects_missing_token_use),
	    UT_TEST(test_jwt_rejects_refresh_token_use),
	    UT_TEST(test_jwt_rejects_wrong_issuer),
	    UT_TEST(test_jwt_rejects_wrong_audience),
	    UT_TEST(test_jwt_rejects_malformed_tid),
	    UT_TEST(test_jwt_rejects_over_long_token),
	    UT_TEST(test_jwt_rejects_embedded_nul),
	    UT_TEST(test_jwt_rejects_garbage),
	    UT_TEST(test_jwt_spy_sees_decodes),
	    UT_TEST(test_jwt_rejects_empty_segments_before_libjwt),
	    UT_TEST(test_jwt_verify_clears_claims_on_failure),
	    UT_END,
	};
	ut_add_suite("core: jwt", jwt_suite_init, NULL, tests);
}
UT_REGISTER(register_tests)
