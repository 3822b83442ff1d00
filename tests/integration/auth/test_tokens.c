/*
 * Forged bearer tokens (SECURITY.md, libjwt 1.10.2): every one must be 401
 * "Could not validate credentials" with WWW-Authenticate: Bearer. A token
 * with every claim right, signed with the real secret, must work: each
 * negative test re-checks that control, so a refusal is never vacuous.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "jwt_forge.h"
#include "suites.h"
#include "util.h"

#define CVC "Could not validate credentials"

static struct json_object *tmpl_hdr;    /* header of a token the server minted */
static struct json_object *tmpl_claims; /* its claims */
static unsigned char *key;              /* the real signing key */
static size_t keylen;

static int suite_init(void)
{
	tmpl_hdr = jwt_part(fx.admin.access, 0);
	tmpl_claims = jwt_part(fx.admin.access, 1);
	if (!tmpl_hdr || !tmpl_claims) {
		fprintf(stderr, "tokens: the admin's access token is not a "
				"decodable JWT\n");
		return -1;
	}
	if (!jwt_find_key(fx.cfg.jwt_secret_file, fx.admin.access, &key, &keylen)) {
		fprintf(stderr, "tokens: no reading of %s reproduces the HS256 "
				"signature of a token the server minted\n",
			fx.cfg.jwt_secret_file);
		return -1;
	}
	return 0;
}

static int suite_cleanup(void)
{
	if (tmpl_hdr)
		json_object_put(tmpl_hdr);
	if (tmpl_claims)
		json_object_put(tmpl_claims);
	free(key);
	tmpl_hdr = tmpl_claims = NULL;
	key = NULL;
	return 0;
}

/* The minted claims with a new jti, iat = now, exp = now + 10 min. */
static struct json_object *fresh_claims(void)
{
	struct json_object *c = NULL;
	char jti[37];

	json_object_deep_copy(tmpl_claims, &c, NULL);
	random_uuid(jti);
	json_object_object_add(c, "jti", json_object_new_string(jti));
	json_object_object_add(c, "iat", json_object_new_int64(now_s()));
	json_object_object_add(c, "exp", json_object_new_int64(now_s() + 600));
	return c;
}

static char *sign_hs256(struct json_object *claims)
{
	return jws_libjwt(JWT_ALG_HS256, claims, tmpl_hdr, key, keylen);
}

static struct resp *me_with(const char *token)
{
	return req("GET", "/api/v1/users/me", token, NULL, NULL);
}

/* A well-formed forged token works: the server accepts what we sign. */
static bool control_token_accepted(void)
{
	struct json_object *c = fresh_claims();
	char *tok = sign_hs256(c);
	struct resp *r = tok ? me_with(tok) : NULL;
	bool ok = EXPECT(r && r->status == 200,
			 "control: a correct HS256 token signed with the real "
			 "secret should work, so refusals below mean something: %s",
			 resp_summary(r));

	resp_free(r);
	free(tok);
	json_object_put(c);
	return ok;
}

static void expect_rejected(char *tok, const char *what)
{
	struct resp *r;

	if (!EXPECT(tok != NULL, "could not build the %s token", what))
		return;
	chk_context("token: %s", what);
	r = me_with(tok);
	EXPECT_PROBLEM(r, 401, "unauthorized", CVC);
	chk_context(NULL);
	resp_free(r);
	free(tok);
}

/* fresh claims, one mutation, HS256 with the real key */
static void expect_claims_rejected(struct json_object *c, const char *what)
{
	control_token_accepted();
	expect_rejected(sign_hs256(c), what);
	json_object_put(c);
}

static void test_correct_forged_token_is_accepted(void)
{
	struct json_object *c = fresh_claims();
	char *tok = sign_hs256(c), *hand;
	struct resp *r;

	if (EXPECT(tok != NULL, "libjwt could not sign")) {
		r = me_with(tok);
		if (EXPECT_JSON(r, 200))
			EXPECT_STR(resp_json(r), "email", fx.admin.email);
		resp_free(r);
	}
	/* the hand-made signer used for the none/empty-key cases agrees */
	hand = jws_hmac(tmpl_hdr, c, EVP_sha256(), key, keylen);
	r = me_with(hand);
	EXPECT_STATUS(r, 200);
	resp_free(r);
	free(hand);
	free(tok);
	json_object_put(c);
}

static void test_alg_none_is_rejected(void)
{
	struct json_object *h = json_object_new_object(), *c = fresh_claims();
	struct json_object *h2 = NULL;
	char *tok, *nodot;

	control_token_accepted();
	json_object_object_add(h, "alg", json_object_new_string("none"));
	json_object_object_add(h, "typ", json_object_new_string("JWT"));
	tok = jws_hmac(h, c, NULL, NULL, 0);
	nodot = xstrndup(tok, strlen(tok) - 1); /* "header.claims" */
	expect_rejected(tok, "alg none, empty signature");
	expect_rejected(nodot, "alg none, no signature part");

	json_object_deep_copy(tmpl_hdr, &h2, NULL); /* kid kept, alg replaced */
	json_object_object_add(h2, "alg", json_object_new_string("None"));
	expect_rejected(jws_hmac(h2, c, NULL, NULL, 0), "alg None with kid");
	json_object_put(h2);
	json_object_put(h);
	json_object_put(c);
}

static void test_hs512_with_real_secret_is_rejected(void)
{
	struct json_object *c = fresh_claims();

	control_token_accepted();
	expect_rejected(jws_libjwt(JWT_ALG_HS512, c, tmpl_hdr, key, keylen),
			"HS512 with the real secret");
	expect_rejected(jws_libjwt(JWT_ALG_HS384, c, tmpl_hdr, key, keylen),
			"HS384 with the real secret");
	json_object_put(c);
}

/* libjwt reads "alg" ignoring case; only the exact HS256 may pass (issue 22, defect 6). A
 * token not valid before some time, or naming a crit extension, is refused too. */
static void test_lowercase_alg_nbf_and_crit_are_rejected(void)
{
	struct json_object *c = fresh_claims(), *h = NULL, *later = fresh_claims();
	control_token_accepted();
	json_object_deep_copy(tmpl_hdr, &h, NULL);
	json_object_object_add(h, "alg", json_object_new_string("hs256"));
	expect_rejected(jws_hmac(h, c, EVP_sha256(), key, keylen), "alg hs256 with the real secret");
	json_object_object_add(h, "alg", json_object_new_string("HS256"));
	struct json_object *crit = json_object_new_array();
	json_object_array_add(crit, json_object_new_string("exp"));
	json_object_object_add(h, "crit", crit);
	expect_rejected(jws_hmac(h, c, EVP_sha256(), key, keylen), "a crit header");
	json_object_object_add(later, "nbf", json_object_new_int64((int64_t)time(NULL) + 3600));
	expect_rejected(sign_hs256(later), "nbf an hour from now");
	json_object_put(h);
	json_object_put(c);
	json_object_put(later);
}

static void test_other_key_is_rejected(void)
{
	struct json_object *c = fresh_claims();
	unsigned char other[32];

	control_token_accepted();
	random_bytes(other, sizeof(other));
	expect_rejected(jws_libjwt(JWT_ALG_HS256, c, tmpl_hdr, other, sizeof(other)),
			"HS256 with a random 32-byte key");
	json_object_put(c);
}

static void test_empty_key_is_rejected(void)
{
	struct json_object *c = fresh_claims();

	control_token_accepted();
	expect_rejected(jws_hmac(tmpl_hdr, c, EVP_sha256(),
				 (const unsigned char *)"", 0),
			"HS256 with an empty key");
	json_object_put(c);
}

static void test_expired_token_is_rejected(void)
{
	struct json_object *c = fresh_claims();

	json_object_object_add(c, "iat", json_object_new_int64(now_s() - 7200));
	json_object_object_add(c, "exp", json_object_new_int64(now_s() - 3600));
	expect_claims_rejected(c, "expired an hour ago");
}

static void test_string_exp_is_rejected(void)
{
	struct json_object *c = fresh_claims();
	char exp[32];

	snprintf(exp, sizeof(exp), "%ld", now_s() + 600);
	json_object_object_add(c, "exp", json_object_new_string(exp));
	expect_claims_rejected(c, "exp as a string");
}

static void test_missing_exp_is_rejected(void)
{
	struct json_object *c = fresh_claims();

	json_object_object_del(c, "exp");
	expect_claims_rejected(c, "no exp");
}

static void test_missing_jti_is_rejected(void)
{
	struct json_object *c = fresh_claims();

	json_object_object_del(c, "jti");
	expect_claims_rejected(c, "no jti");
}

static void test_missing_token_use_is_rejected(void)
{
	struct json_object *c = fresh_claims();

	json_object_object_del(c, "token_use");
	expect_claims_rejected(c, "no token_use");
}

static void test_refresh_token_use_is_rejected(void)
{
	struct json_object *c = fresh_claims();

	json_object_object_add(c, "token_use", json_object_new_string("refresh"));
	expect_claims_rejected(c, "token_use refresh");
}

static void test_missing_sub_is_rejected(void)
{
	struct json_object *c = fresh_claims();

	json_object_object_del(c, "sub");
	expect_claims_rejected(c, "no sub");
}

static void test_wrong_issuer_is_rejected(void)
{
	struct json_object *c = fresh_claims();

	json_object_object_add(c, "iss", json_object_new_string("evil-issuer"));
	expect_claims_rejected(c, "iss evil-issuer");
	c = fresh_claims();
	json_object_object_del(c, "iss");
	expect_claims_rejected(c, "no iss");
}

static void test_wrong_audience_is_rejected(void)
{
	struct json_object *c = fresh_claims();

	json_object_object_add(c, "aud", json_object_new_string("some-other-api"));
	expect_claims_rejected(c, "aud some-other-api");
	c = fresh_claims();
	json_object_object_del(c, "aud");
	expect_claims_rejected(c, "no aud");
}

static void test_string_iat_is_rejected(void)
{
	struct json_object *c = fresh_claims();
	char iat[32];

	snprintf(iat, sizeof(iat), "%ld", now_s());
	json_object_object_add(c, "iat", json_object_new_string(iat));
	expect_claims_rejected(c, "iat as a string");
}

static void test_tampered_payload_is_rejected(void)
{
	const char *tok = fx.admin.access;
	const char *d1 = strchr(tok, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	struct json_object *c = fresh_claims();
	const char *cs;
	char *payload, *forged;

	control_token_accepted();
	if (!EXPECT(d2 != NULL, "admin token has no two dots")) {
		json_object_put(c);
		return;
	}
	/* new claims (a later exp) under the server's original signature */
	json_object_object_add(c, "exp", json_object_new_int64(now_s() + 86400));
	cs = json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN);
	payload = b64url_encode((const unsigned char *)cs, strlen(cs));
	forged = xasprintf("%.*s.%s%s", (int)(d1 - tok), tok, payload, d2);
	expect_rejected(forged, "payload swapped under the original signature");
	free(payload);
	json_object_put(c);
}

static void test_garbage_tokens_are_rejected(void)
{
	static const char *const junk[] = {
		"garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.", "....",
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90IGpzb24.c2ln", NULL,
	};

	control_token_accepted();
	for (size_t i = 0; junk[i]; i++)
		expect_rejected(xstrdup(junk[i]), junk[i]);
}

static void test_refresh_token_as_bearer_is_rejected(void)
{
	control_token_accepted();
	expect_rejected(xstrdup(fx.admin.refresh), "an opaque refresh token");
}

static int add_tokens_suite(void)
{
	static const struct it_test tests[] = {
		{ "forged HS256 token with all correct claims and the real secret IS accepted (control)", test_correct_forged_token_is_accepted },
		{ "alg none token is 401 'Could not validate credentials'", test_alg_none_is_rejected },
		{ "HS512/HS384 token signed with the real secret is 401", test_hs512_with_real_secret_is_rejected },
		{ "alg hs256 (lower case), a crit header or a future nbf is 401", test_lowercase_alg_nbf_and_crit_are_rejected },
		{ "HS256 token signed with another key is 401", test_other_key_is_rejected },
		{ "HS256 token signed with an empty key is 401", test_empty_key_is_rejected },
		{ "expired token is 401", test_expired_token_is_rejected },
		{ "token with exp as a string is 401", test_string_exp_is_rejected },
		{ "token without exp is 401", test_missing_exp_is_rejected },
		{ "token with iat as a string is 401", test_string_iat_is_rejected },
		{ "token without jti is 401", test_missing_jti_is_rejected },
		{ "token without token_use is 401", test_missing_token_use_is_rejected },
		{ "token with token_use refresh is 401", test_refresh_token_use_is_rejected },
		{ "token without sub is 401", test_missing_sub_is_rejected },
		{ "token with a wrong or missing iss is 401", test_wrong_issuer_is_rejected },
		{ "token with a wrong or missing aud is 401", test_wrong_audience_is_rejected },
		{ "token whose payload was swapped under a real signature is 401", test_tampered_payload_is_rejected },
		{ "garbage bearer tokens are 401", test_garbage_tokens_are_rejected },
		{ "an opaque refresh token used as a bearer is 401", test_refresh_token_as_bearer_is_rejected },
		{ NULL, NULL },
	};

	return it_add_suite("forged tokens", suite_init, suite_cleanup, tests);
}

IT_REGISTER(add_tokens_suite)
