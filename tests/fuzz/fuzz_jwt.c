/* libFuzzer: the access-token verifier (lib/core/jwt.c, over libjwt). Nothing but a token
 * signed with the key passes; the seeds include one, so mutations start next to it. */
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
	(void)vs_jwt_verify(a, &keys, (const char *)data, size, 1700000000, &claims);
	vs_arena_free(a);
	return 0;
}
