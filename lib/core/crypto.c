#include "core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void vs_random_bytes(void *buf, size_t len)
{
	if (len > (size_t)INT32_MAX || RAND_bytes(buf, (int)len) != 1) {
		fputs("{\"level\":\"error\",\"msg\":\"could not read random bytes\"}\n", stderr);
		abort();
	}
}

/* SHA256() looks the algorithm up in OpenSSL's provider table on every call, which costs
 * more than hashing a key; the key check hashes on every request, so the algorithm is
 * fetched once. A digest context holds one hash in progress: one per thread (vs-worker's
 * handler threads hash at once), freed when its thread ends. */
static EVP_MD *sha256_md;
static pthread_key_t sha256_ctx_key;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_unavailable(void)
{
	fputs("{\"level\":\"error\",\"msg\":\"SHA-256 is unavailable\"}\n", stderr);
	abort();
}

static void free_digest_ctx(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!sha256_md || pthread_key_create(&sha256_ctx_key, free_digest_ctx) != 0)
		sha256_unavailable();
}

void vs_sha256_parts(const struct vs_bytes *parts, size_t n, uint8_t out[VS_SHA256_LEN])
{
	pthread_once(&sha256_once, sha256_fetch);
	EVP_MD_CTX *ctx = pthread_getspecific(sha256_ctx_key);
	if (!ctx) {
		ctx = EVP_MD_CTX_new();
		if (!ctx || pthread_setspecific(sha256_ctx_key, ctx) != 0)
			sha256_unavailable();
	}
	if (EVP_DigestInit_ex2(ctx, sha256_md, NULL) != 1)
		abort();
	for (size_t i = 0; i < n; i++)
		if (EVP_DigestUpdate(ctx, parts[i].p, parts[i].len) != 1)
			abort();
	if (EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		abort();
}

void vs_sha256(const void *data, size_t len, uint8_t out[VS_SHA256_LEN])
{
	const struct vs_bytes one = { data, len };
	vs_sha256_parts(&one, 1, out);
}

void vs_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
		    uint8_t out[VS_SHA256_LEN])
{
	static const uint8_t none; /* HMAC() takes no NULL key, even of length 0 */
	unsigned int n = 0;
	if (key_len > (size_t)INT32_MAX ||
	    !HMAC(EVP_sha256(), key_len ? key : &none, (int)key_len, data, len, out, &n) ||
	    n != VS_SHA256_LEN) {
		fputs("{\"level\":\"error\",\"msg\":\"HMAC-SHA256 is unavailable\"}\n", stderr);
		abort();
	}
}

bool vs_ct_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

uint32_t vs_crc32(const void *data, size_t len)
{
	return (uint32_t)crc32(0L, data, (uInt)len);
}

size_t vs_base64_encode(const uint8_t *in, size_t len, char *out)
{
	return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

bool vs_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *n)
{
	size_t pad = len >= 1 && in[len - 1] == '=' ? len >= 2 && in[len - 2] == '=' ? 2 : 1 : 0;
	*n = 0;
	if (len % 4 != 0 || len / 4 * 3 > cap + pad || len > INT_MAX)
		return false;
	uint8_t *tmp = malloc(len / 4 * 3 + 1);
	int got = tmp ? EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)len) : -1;
	bool ok = got >= 0 && (size_t)got >= pad && (size_t)got - pad <= cap;
	if (ok) {
		*n = (size_t)got - pad;
		memcpy(out, tmp, *n);
	}
	free(tmp);
	return ok;
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

static bool base64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

bool vs_base64url_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *n)
{
	size_t bytes = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
	*n = 0;
	if (len % 4 == 1 || bytes > cap)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!base64url_char(in[i]))
			return false;
	/* Four characters at a time in the standard alphabet, the last group filled up with
	 * 'A' (zero bits): EVP_DecodeBlock wants whole groups. */
	for (size_t i = 0; i < len; i += 4) {
		char group[4];
		unsigned char three[3];
		size_t take = len - i < 4 ? len - i : 4; /* 2, 3 or 4 */
		for (size_t j = 0; j < 4; j++) {
			char c = j < take ? in[i + j] : 'A';
			group[j] = c == '-' ? '+' : c == '_' ? '/' : c;
		}
		if (EVP_DecodeBlock(three, (const unsigned char *)group, 4) != 3)
			return false;
		memcpy(out + *n, three, take - 1);
		*n += take - 1;
	}
	/* Only the canonical text: the unused bits of a short last group must be zero, which
	 * re-encoding its bytes shows. */
	size_t tail = len % 4;
	char again[5];
	if (tail && (vs_base64url_encode(out + *n - (tail - 1), tail - 1, again) != tail ||
		     memcmp(again, in + len - tail, tail) != 0))
		return false;
	return true;
}
