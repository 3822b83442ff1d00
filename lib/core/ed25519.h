/* Ed25519 signatures with OpenSSL (the audit log's checkpoints). A key is read from a PEM
 * file (PKCS#8, as `openssl genpkey -algorithm ed25519` writes it); a holder that only
 * shows the public half drops the private one at once. */
#ifndef VS_CORE_ED25519_H
#define VS_CORE_ED25519_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VS_ED25519_PUBLIC_LEN 32
#define VS_ED25519_SIGNATURE_LEN 64

struct vs_ed25519 {
	void *pkey; /* EVP_PKEY with the private half, or NULL when only the public is kept */
	uint8_t public_key[VS_ED25519_PUBLIC_LEN];
};

/* False with a reason in err for an unreadable file or another kind of key. */
bool vs_ed25519_load(const char *pem_path, bool keep_private, struct vs_ed25519 *out,
		     char *err, size_t errlen);
void vs_ed25519_release(struct vs_ed25519 *k);
/* False when the key has no private half (or OpenSSL fails). */
bool vs_ed25519_sign(const struct vs_ed25519 *k, const void *msg, size_t len,
		     uint8_t sig[VS_ED25519_SIGNATURE_LEN]);
bool vs_ed25519_verify(const uint8_t public_key[VS_ED25519_PUBLIC_LEN], const void *msg,
		       size_t len, const uint8_t sig[VS_ED25519_SIGNATURE_LEN]);
/* The public key as a PEM SubjectPublicKeyInfo, malloc'd (the caller frees), or NULL. */
char *vs_ed25519_public_pem(const uint8_t public_key[VS_ED25519_PUBLIC_LEN]);

#endif
