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

/* SHA256() looks the algorithm up in OpenSSL's provider table on every call, which costs
 * more than hashing a key; the key check hashes on every request, so fetch it once. */
void vs_sha256(const void *data, size_t len, uint8_t out[VS_SHA256_LEN])
{
	static EVP_MD *md;
	static EVP_MD_CTX *ctx;
	if (!ctx) {
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
		ctx = EVP_MD_CTX_new();
		if (!md || !ctx) {
			fputs("{\"level\":\"error\",\"msg\":\"SHA-256 is unavailable\"}\n", stderr);
			abort();
		}
	}
	if (EVP_DigestInit_ex2(ctx, md, NULL) != 1 || EVP_DigestUpdate(ctx, data, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		abort();
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
