#include "core/jwt.h"

#include "core/crypto.h"
#include "core/hex.h"
#include "core/json.h"

#include <jwt.h>
#include <stdlib.h>
#include <string.h>

enum vs_err vs_jwt_keys_init(struct vs_jwt_keys *keys, const unsigned char *key, size_t key_len,
			     const char *issuer, const char *audience)
{
	/* jwt_decode() with an empty key accepts any token, alg "none" included. */
	if (!key || key_len < VS_JWT_MIN_KEY_LEN)
		return VS_INVALID;
	uint8_t digest[VS_SHA256_LEN];
	vs_sha256(key, key_len, digest);
	vs_hex_encode(digest, 8, keys->kid);
	keys->key = key;
	keys->key_len = key_len;
	keys->issuer = issuer;
	keys->audience = audience;
	return VS_OK;
}

enum vs_err vs_jwt_issue(struct vs_arena *a, const struct vs_jwt_keys *keys,
			 const struct vs_access_claims *claims, const char **token)
{
	jwt_t *jwt = NULL;
	char *encoded = NULL;
	enum vs_err rc = VS_INTERNAL;
	char sub[VS_UUID_STRLEN + 1], jti[VS_UUID_STRLEN + 1], tid[VS_UUID_STRLEN + 1];

	vs_uuid_format(&claims->sub, sub);
	vs_uuid_format(&claims->jti, jti);
	if (jwt_new(&jwt) != 0)
		goto out;
	if (jwt_add_header(jwt, "kid", keys->kid) || jwt_add_grant(jwt, "sub", sub) ||
	    jwt_add_grant(jwt, "jti", jti) || jwt_add_grant(jwt, "iss", keys->issuer) ||
	    jwt_add_grant(jwt, "aud", keys->audience) ||
	    jwt_add_grant(jwt, "token_use", "access") ||
	    jwt_add_grant_int(jwt, "iat", (long)claims->iat) ||
	    jwt_add_grant_int(jwt, "exp", (long)claims->exp))
		goto out;
	if (claims->has_tid) {
		vs_uuid_format(&claims->tid, tid);
		if (jwt_add_grant(jwt, "tid", tid))
			goto out;
	}
	if (jwt_set_alg(jwt, JWT_ALG_HS256, keys->key, (int)keys->key_len))
		goto out;
	encoded = jwt_encode_str(jwt);
	if (!encoded)
		goto out;
	*token = vs_arena_strdup(a, encoded);
	rc = VS_OK;
out:
	free(encoded);
	jwt_free(jwt);
	return rc;
}

static bool claim_string(struct json_object *claims, const char *name, const char **out)
{
	struct json_object *v;
	if (!json_object_object_get_ex(claims, name, &v) || !json_object_is_type(v, json_type_string))
		return false;
	*out = json_object_get_string(v);
	return true;
}

static bool claim_uuid(struct json_object *claims, const char *name, vs_uuid *out)
{
	const char *s;
	return claim_string(claims, name, &s) && vs_uuid_parse(s, strlen(s), out);
}

static bool claim_int(struct json_object *claims, const char *name, int64_t *out)
{
	struct json_object *v;
	if (!json_object_object_get_ex(claims, name, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

static bool claim_equals(struct json_object *claims, const char *name, const char *want)
{
	const char *s;
	return claim_string(claims, name, &s) && strcmp(s, want) == 0;
}

/* Checks the claims libjwt leaves unchecked; their JSON comes from libjwt's own
 * serialisation of the verified payload. */
static enum vs_err check_claims(struct vs_arena *a, const struct vs_jwt_keys *keys,
				const char *json, int64_t now, struct vs_access_claims *out)
{
	struct json_object *claims;
	if (vs_json_parse(a, json, strlen(json), &claims, NULL) != VS_OK ||
	    !json_object_is_type(claims, json_type_object))
		return VS_UNAUTHORIZED;
	if (!claim_uuid(claims, "sub", &out->sub) || !claim_uuid(claims, "jti", &out->jti) ||
	    !claim_int(claims, "iat", &out->iat) || !claim_int(claims, "exp", &out->exp) ||
	    !claim_equals(claims, "iss", keys->issuer) ||
	    !claim_equals(claims, "aud", keys->audience) ||
	    !claim_equals(claims, "token_use", "access"))
		return VS_UNAUTHORIZED;
	out->has_tid = json_object_object_get_ex(claims, "tid", NULL);
	if (out->has_tid && !claim_uuid(claims, "tid", &out->tid))
		return VS_UNAUTHORIZED;
	/* RFC 7519 §4.1.5: not before. We never set it; a token that has one is held to it. */
	int64_t nbf = 0;
	bool has_nbf = json_object_object_get_ex(claims, "nbf", NULL);
	if (has_nbf && (!claim_int(claims, "nbf", &nbf) || nbf - now > VS_JWT_LEEWAY_SECONDS))
		return VS_UNAUTHORIZED;
	/* Written so that no claim value can overflow the arithmetic. */
	if (now - VS_JWT_LEEWAY_SECONDS >= out->exp || out->iat - now > VS_JWT_LEEWAY_SECONDS ||
	    out->exp <= out->iat)
		return VS_UNAUTHORIZED;
	return VS_OK;
}

/* Three non-empty base64url segments. libjwt 1.10.2 writes one byte past a zero-length
 * buffer when the header or payload segment is empty, so nothing else reaches it. */
static bool jwt_shape_ok(const char *token, size_t len)
{
	size_t dots = 0, segment = 0;
	for (size_t i = 0; i < len; i++) {
		char c = token[i];
		if (c == '.') {
			if (segment == 0 || ++dots > 2)
				return false;
			segment = 0;
		} else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '_') {
			segment++;
		} else {
			return false;
		}
	}
	return dots == 2 && segment > 0;
}

/* The JOSE header as we sign it, read strictly: libjwt maps "alg" to its algorithms
 * ignoring case ("hs256" passed as HS256) and ignores "crit", whose extensions a
 * recipient must understand (RFC 7515 §4.1.11) and we have none of. */
static bool header_ok(struct vs_arena *a, const char *token, size_t len)
{
	const char *dot = memchr(token, '.', len);
	size_t seg = (size_t)(dot - token), n;
	uint8_t *json = vs_arena_alloc(a, seg + 1);
	struct json_object *header;
	const char *alg;
	if (!vs_base64url_decode(token, seg, json, seg + 1, &n) ||
	    vs_json_parse(a, (const char *)json, n, &header, NULL) != VS_OK ||
	    !json_object_is_type(header, json_type_object))
		return false;
	return claim_string(header, "alg", &alg) && strcmp(alg, "HS256") == 0 &&
	       !json_object_object_get_ex(header, "crit", NULL);
}

enum vs_err vs_jwt_verify(struct vs_arena *a, const struct vs_jwt_keys *keys, const char *token,
			  size_t len, int64_t now, struct vs_access_claims *out)
{
	jwt_t *jwt = NULL;
	char *claims_json = NULL;
	enum vs_err rc = VS_UNAUTHORIZED;

	memset(out, 0, sizeof(*out));
	if (len > VS_JWT_MAX_TOKEN_LEN || !keys->key || keys->key_len == 0 ||
	    !jwt_shape_ok(token, len) || !header_ok(a, token, len))
		return VS_UNAUTHORIZED;
	const char *nul_terminated = vs_arena_strndup(a, token, len);
	if (jwt_decode(&jwt, nul_terminated, keys->key, (int)keys->key_len) != 0)
		goto out;
	/* libjwt takes the algorithm from the token: pin ours. */
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		goto out;
	const char *kid = jwt_get_header(jwt, "kid");
	if (!kid || strcmp(kid, keys->kid) != 0)
		goto out;
	claims_json = jwt_get_grants_json(jwt, NULL);
	if (!claims_json)
		goto out;
	rc = check_claims(a, keys, claims_json, now, out);
out:
	free(claims_json);
	jwt_free(jwt);
	return rc;
}
