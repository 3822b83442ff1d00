/* Access tokens: HS256 JWTs minted and verified through libjwt, with every check libjwt
 * 1.10 leaves to its caller (SECURITY.md): pinned algorithm and key id, typed claims,
 * issuer, audience, expiry, and token_use = "access". */
#ifndef VS_CORE_JWT_H
#define VS_CORE_JWT_H

#include "core/arena.h"
#include "core/err.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VS_JWT_MIN_KEY_LEN 32
#define VS_JWT_MAX_TOKEN_LEN 4096
#define VS_JWT_LEEWAY_SECONDS 30

struct vs_jwt_keys {
	const unsigned char *key; /* not owned */
	size_t key_len;
	const char *issuer, *audience;
	char kid[17]; /* first 8 bytes of SHA-256(key), hex: names the key, reveals nothing */
};

struct vs_access_claims {
	vs_uuid sub, jti;
	bool has_tid;
	vs_uuid tid;
	int64_t iat, exp;
};

/* Fills keys->kid. Fails on a key shorter than VS_JWT_MIN_KEY_LEN. */
enum vs_err vs_jwt_keys_init(struct vs_jwt_keys *keys, const unsigned char *key, size_t key_len,
			     const char *issuer, const char *audience);

/* Mints a token into the arena. */
enum vs_err vs_jwt_issue(struct vs_arena *a, const struct vs_jwt_keys *keys,
			 const struct vs_access_claims *claims, const char **token);

/* Verifies token[0..len) at time now; VS_UNAUTHORIZED for anything not a valid access
 * token of ours. */
enum vs_err vs_jwt_verify(struct vs_arena *a, const struct vs_jwt_keys *keys, const char *token,
			  size_t len, int64_t now, struct vs_access_claims *out);

#endif
