#include "core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

void vs_random_bytes(void *buf, size_t len)
{
	if (len > (size_t)INT32_MAX || RAND_bytes(buf, (int)len) != 1) {
		fputs("{\"level\":\"error\",\"msg\":\"could not read random bytes\"}\n", stderr);
		abort();
	}
}

void vs_sha256(const void *data, size_t len, uint8_t out[VS_SHA256_LEN])
{
	SHA256(data, len, out);
}

bool vs_ct_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

uint32_t vs_crc32(const void *data, size_t len)
{
	return (uint32_t)crc32(0L, data, (uInt)len);
}

size_t vs_base64url_encode(const uint8_t *in, size_t len, char *out)
{
	int n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	for (int i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	out[n] = '\0';
	return (size_t)n;
}

void vs_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * len] = '\0';
}
