/* Thin wrappers over OpenSSL: randomness, SHA-256, HMAC-SHA256, constant-time compare,
 * base64url. Hex is in core/hex.h. */
#ifndef VS_CORE_CRYPTO_H
#define VS_CORE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VS_SHA256_LEN 32

/* From the OS CSPRNG; aborts if it fails (nothing safe can be done without it). */
void vs_random_bytes(void *buf, size_t len);
void vs_sha256(const void *data, size_t len, uint8_t out[VS_SHA256_LEN]);
/* SHA-256 of the parts one after another. */
struct vs_bytes {
	const void *p;
	size_t len;
};
void vs_sha256_parts(const struct vs_bytes *parts, size_t n, uint8_t out[VS_SHA256_LEN]);
/* HMAC-SHA256 (RFC 2104) of data under key. */
void vs_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
		    uint8_t out[VS_SHA256_LEN]);
bool vs_ct_equal(const void *a, const void *b, size_t len);
/* CRC32 (zlib): a checksum against typos, never a security property. */
uint32_t vs_crc32(const void *data, size_t len);

/* Standard base64 (RFC 4648 §4) with padding; out needs 4 * ceil(len / 3) + 1 bytes.
 * Returns the length. */
size_t vs_base64_encode(const uint8_t *in, size_t len, char *out);
/* The inverse for a text whose length is a multiple of 4: at most cap bytes into out,
 * their number into *n; false for anything that is not base64. */
bool vs_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *n);

/* base64url without padding; out needs 4 * ceil(len / 3) + 1 bytes. Returns the length. */
size_t vs_base64url_encode(const uint8_t *in, size_t len, char *out);
/* The inverse, strictly: only the URL alphabet, no padding, and only the one text that
 * vs_base64url_encode makes of the bytes (unused trailing bits zero), so that any other
 * text of the same bytes is refused. At most cap bytes into out, their number into *n. */
bool vs_base64url_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *n);

#endif
