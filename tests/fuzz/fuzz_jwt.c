/* libFuzzer: the access-token verifier (lib/core/jwt.c, over libjwt). Nothing but a token
 * signed with the key passes; the seeds include one, so mutations start next to it. A
 * token that passes is unexpired at the time given and refused once it has expired, and
 * its claims, minted again, verify to the same claims. */
#include "core/jwt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char key[] = "fuzzing-key-fuzzing-key-fuzzing-key-0123";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vs_jwt_keys keys;
	static int ready;
	if (!ready) {
		if (vs_jwt_keys_init(&keys, (const unsigned char *)key, strlen(key), "vs-fuzz",
				     "vs-fuzz") != VS_OK)
			abort();
		ready = 1;
	}
	struct vs_arena *a = vs_arena_new();
	struct vs_access_claims claims;
	const int64_t now = 1700000000;
	if (vs_jwt_verify(a, &keys, (const char *)data, size, now, &claims) == VS_OK) {
		struct vs_access_claims again;
		const char *token;
		if (claims.exp + VS_JWT_LEEWAY_SECONDS < now ||
		    vs_jwt_verify(a, &keys, (const char *)data, size,
				  claims.exp + VS_JWT_LEEWAY_SECONDS + 1, &again) == VS_OK)
			abort();
		if (vs_jwt_issue(a, &keys, &claims, &token) != VS_OK ||
		    vs_jwt_verify(a, &keys, token, strlen(token), now, &again) != VS_OK ||
		    !vs_uuid_eq(&claims.sub, &again.sub) || !vs_uuid_eq(&claims.jti, &again.jti) ||
		    claims.has_tid != again.has_tid ||
		    (claims.has_tid && !vs_uuid_eq(&claims.tid, &again.tid)) ||
		    claims.iat != again.iat || claims.exp != again.exp)
			abort();
	}
	vs_arena_free(a);
	return 0;
}
