/* libFuzzer: the API-key text (lib/api_keys/domain.c), as a worker meets it in X-API-Key.
 * A key the parser accepts has the documented shape, and its public id is the one in the
 * text; composing a key from the input's bytes always yields a key that parses back to
 * its own public id, and any one changed character makes the checksum refuse it. */
#include "api_keys/domain.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_base62(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char public_id[VS_API_KEY_PUBLIC_LEN + 1];
	memset(public_id, 'x', sizeof(public_id));
	if (vs_api_key_parse(s, size, public_id)) {
		if (size != VS_API_KEY_LEN ||
		    memcmp(s, VS_API_KEY_PREFIX, VS_API_KEY_PREFIX_LEN) != 0)
			abort();
		for (size_t i = VS_API_KEY_PREFIX_LEN; i < size; i++)
			if (!is_base62(s[i]))
				abort();
		if (public_id[VS_API_KEY_PUBLIC_LEN] != '\0' ||
		    memcmp(public_id, s + VS_API_KEY_PREFIX_LEN, VS_API_KEY_PUBLIC_LEN) != 0)
			abort();
	}

	/* The input as the random bytes of a new key. */
	char key[VS_API_KEY_LEN + 1];
	if (vs_api_key_compose(data, size, key)) {
		if (strlen(key) != VS_API_KEY_LEN ||
		    !vs_api_key_parse(key, VS_API_KEY_LEN, public_id) ||
		    memcmp(public_id, key + VS_API_KEY_PREFIX_LEN, VS_API_KEY_PUBLIC_LEN) != 0)
			abort();
		/* One character changed to another base62 one (CRC32 catches every single-symbol
		 * error in a text this short). */
		if (size >= 2) {
			size_t at = VS_API_KEY_PREFIX_LEN +
				    data[0] % (VS_API_KEY_LEN - VS_API_KEY_PREFIX_LEN);
			char c = (char)('0' + data[1] % 10);
			if (c == key[at])
				c = c == '9' ? '0' : (char)(c + 1);
			key[at] = c;
			if (vs_api_key_parse(key, VS_API_KEY_LEN, public_id))
				abort();
		}
	}
	return 0;
}
