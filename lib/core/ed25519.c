#include "core/ed25519.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool vs_ed25519_load(const char *pem_path, bool keep_private, struct vs_ed25519 *out,
		     char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	FILE *f = fopen(pem_path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read %s", pem_path);
		return false;
	}
	EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	size_t len = VS_ED25519_PUBLIC_LEN;
	if (!pkey || EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519 ||
	    EVP_PKEY_get_raw_public_key(pkey, out->public_key, &len) != 1 ||
	    len != VS_ED25519_PUBLIC_LEN) {
		snprintf(err, errlen, "%s is not an Ed25519 private key in PEM", pem_path);
		EVP_PKEY_free(pkey);
		return false;
	}
	if (keep_private)
		out->pkey = pkey;
	else
		EVP_PKEY_free(pkey);
	return true;
}

void vs_ed25519_release(struct vs_ed25519 *k)
{
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}

bool vs_ed25519_sign(const struct vs_ed25519 *k, const void *msg, size_t len,
		     uint8_t sig[VS_ED25519_SIGNATURE_LEN])
{
	if (!k->pkey)
		return false;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = VS_ED25519_SIGNATURE_LEN;
	bool ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
		  EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 &&
		  siglen == VS_ED25519_SIGNATURE_LEN;
	EVP_MD_CTX_free(ctx);
	return ok;
}

bool vs_ed25519_verify(const uint8_t public_key[VS_ED25519_PUBLIC_LEN], const void *msg,
		       size_t len, const uint8_t sig[VS_ED25519_SIGNATURE_LEN])
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, public_key,
						     VS_ED25519_PUBLIC_LEN);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = pkey && ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
		  EVP_DigestVerify(ctx, sig, VS_ED25519_SIGNATURE_LEN, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ok;
}

char *vs_ed25519_public_pem(const uint8_t public_key[VS_ED25519_PUBLIC_LEN])
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, public_key,
						     VS_ED25519_PUBLIC_LEN);
	BIO *bio = BIO_new(BIO_s_mem());
	char *out = NULL;
	if (pkey && bio && PEM_write_bio_PUBKEY(bio, pkey) == 1) {
		char *data;
		long n = BIO_get_mem_data(bio, &data);
		out = malloc((size_t)n + 1);
		if (out) {
			memcpy(out, data, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	return out;
}
