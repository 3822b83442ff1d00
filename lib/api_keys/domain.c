#include "api_keys/domain.h"

#include "core/crypto.h"

#include <string.h>

static const char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static bool is_base62(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The checksum as fixed-width base62, most significant digit first. */
static void checksum_text(const char *s, size_t len, char out[VS_API_KEY_CHECKSUM_LEN])
{
	uint32_t crc = vs_crc32(s, len);
	for (int i = VS_API_KEY_CHECKSUM_LEN - 1; i >= 0; i--) {
		out[i] = base62[crc % 62];
		crc /= 62;
	}
}

bool vs_api_key_compose(const uint8_t *random, size_t nrandom, char out[VS_API_KEY_LEN + 1])
{
	size_t body = VS_API_KEY_PREFIX_LEN + VS_API_KEY_PUBLIC_LEN + VS_API_KEY_SECRET_LEN;
	size_t at = VS_API_KEY_PREFIX_LEN;
	memcpy(out, VS_API_KEY_PREFIX, VS_API_KEY_PREFIX_LEN);
	for (size_t i = 0; i < nrandom && at < body; i++)
		if (random[i] < 248)
			out[at++] = base62[random[i] % 62];
	if (at < body)
		return false;
	checksum_text(out, body, out + body);
	out[VS_API_KEY_LEN] = '\0';
	return true;
}

bool vs_api_key_parse(const char *s, size_t len, char public_id[VS_API_KEY_PUBLIC_LEN + 1])
{
	size_t body = VS_API_KEY_LEN - VS_API_KEY_CHECKSUM_LEN;
	char want[VS_API_KEY_CHECKSUM_LEN];
	if (len != VS_API_KEY_LEN || memcmp(s, VS_API_KEY_PREFIX, VS_API_KEY_PREFIX_LEN) != 0)
		return false;
	for (size_t i = VS_API_KEY_PREFIX_LEN; i < len; i++)
		if (!is_base62(s[i]))
			return false;
	checksum_text(s, body, want);
	if (memcmp(want, s + body, VS_API_KEY_CHECKSUM_LEN) != 0)
		return false;
	memcpy(public_id, s + VS_API_KEY_PREFIX_LEN, VS_API_KEY_PUBLIC_LEN);
	public_id[VS_API_KEY_PUBLIC_LEN] = '\0';
	return true;
}

bool vs_api_key_usable(const struct vs_api_key *k, int64_t now)
{
	return k->is_active && k->owner_active && (!k->expires || now < k->expires_at);
}
