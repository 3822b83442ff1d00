/*
 * Building JSON Web Tokens by hand and with libjwt, to present the server
 * with tokens it must refuse (and one it must accept, so the refusals are
 * known not to be vacuous).
 */
#ifndef IT_JWT_FORGE_H
#define IT_JWT_FORGE_H

#include <jwt.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

struct json_object;

/* base64url without padding. Free with free(). */
char *b64url_encode(const unsigned char *p, size_t n);
/* NULL when s is not base64url. Free with free(); NUL-terminated for convenience. */
unsigned char *b64url_decode(const char *s, size_t n, size_t *out_len);

/* Part 0 (header) or 1 (claims) of a compact JWS as a JSON object, or NULL. */
struct json_object *jwt_part(const char *token, int part);

/*
 * header.claims.signature, signed by hand with HMAC(md, key). md NULL gives
 * an empty signature ("header.claims."), as for alg "none". The header is
 * sent as given: its "alg" is not touched. Free with free().
 */
char *jws_hmac(struct json_object *header, struct json_object *claims,
	       const EVP_MD *md, const unsigned char *key, size_t keylen);

/*
 * The same claims signed by libjwt with alg and key. Header fields of
 * header_template other than alg and typ (a "kid", say) are copied. NULL if
 * libjwt refused. Free with free().
 */
char *jws_libjwt(jwt_alg_t alg, struct json_object *claims,
		 struct json_object *header_template, const unsigned char *key,
		 size_t keylen);

/*
 * The signing key: the contents of the secret file as stored, with trailing
 * whitespace trimmed, or hex-decoded — whichever reproduces the HS256
 * signature of sample_token (a token the server minted). False if none does.
 */
bool jwt_find_key(const char *secret_file, const char *sample_token,
		  unsigned char **key, size_t *keylen);

#endif
