#include "invitations/domain.h"

#include <string.h>

#define TOKEN_KEY_LABEL "virtualstack invitation token v1"
#define SIGNED_LEN (16 + 16 + VS_INVITATION_NONCE_LEN) /* what the MAC covers */

static const char *const status_names[] = {
	[VS_INVITATION_PENDING] = "pending",
	[VS_INVITATION_ACCEPTED] = "accepted",
	[VS_INVITATION_EXPIRED] = "expired",
	[VS_INVITATION_REVOKED] = "revoked",
};

enum vs_invitation_status vs_invitation_status_at(const struct vs_invitation *inv, int64_t now)
{
	if (inv->status == VS_INVITATION_PENDING && now >= inv->expires_at)
		return VS_INVITATION_EXPIRED;
	return inv->status;
}

const char *vs_invitation_status_name(enum vs_invitation_status s)
{
	return (size_t)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s] : "?";
}

bool vs_invitation_status_parse(const char *s, enum vs_invitation_status *out)
{
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum vs_invitation_status)i;
			return true;
		}
	}
	return false;
}

bool vs_invitation_usable(const struct vs_invitation *inv, int64_t now)
{
	return vs_invitation_status_at(inv, now) == VS_INVITATION_PENDING;
}

bool vs_invitation_changeable(const struct vs_invitation *inv)
{
	return inv->status != VS_INVITATION_ACCEPTED && inv->status != VS_INVITATION_REVOKED;
}

void vs_invitation_token_key(const uint8_t *secret, size_t len, uint8_t key[VS_SHA256_LEN])
{
	vs_hmac_sha256(secret, len, TOKEN_KEY_LABEL, sizeof(TOKEN_KEY_LABEL) - 1, key);
}

/* The bytes the MAC covers: tenant id, invitation id, nonce. */
static void signed_part(const struct vs_invitation_token *t, uint8_t out[SIGNED_LEN])
{
	memcpy(out, t->tenant_id.b, 16);
	memcpy(out + 16, t->id.b, 16);
	memcpy(out + 32, t->nonce, VS_INVITATION_NONCE_LEN);
}

void vs_invitation_token_make(const uint8_t key[VS_SHA256_LEN], const struct vs_invitation_token *t,
			      char out[VS_INVITATION_TOKEN_LEN + 1])
{
	uint8_t raw[VS_INVITATION_TOKEN_RAW];
	signed_part(t, raw);
	vs_hmac_sha256(key, VS_SHA256_LEN, raw, SIGNED_LEN, raw + SIGNED_LEN);
	vs_base64url_encode(raw, sizeof(raw), out);
}

bool vs_invitation_token_open(const uint8_t key[VS_SHA256_LEN], const char *text, size_t len,
			      struct vs_invitation_token *out)
{
	uint8_t raw[VS_INVITATION_TOKEN_RAW], mac[VS_SHA256_LEN];
	size_t n;
	if (len != VS_INVITATION_TOKEN_LEN || !vs_base64url_decode(text, len, raw, sizeof(raw), &n) ||
	    n != sizeof(raw))
		return false;
	vs_hmac_sha256(key, VS_SHA256_LEN, raw, SIGNED_LEN, mac);
	if (!vs_ct_equal(mac, raw + SIGNED_LEN, sizeof(mac)))
		return false;
	memcpy(out->tenant_id.b, raw, 16);
	memcpy(out->id.b, raw + 16, 16);
	memcpy(out->nonce, raw + 32, VS_INVITATION_NONCE_LEN);
	return true;
}

bool vs_invitation_token_matches(const struct vs_invitation *inv,
				 const struct vs_invitation_token *t, const char *text, size_t len)
{
	uint8_t hash[VS_SHA256_LEN];
	vs_sha256(text, len, hash);
	/* The stored hash is of the token of the current nonce only. */
	return vs_uuid_eq(&inv->id, &t->id) && vs_uuid_eq(&inv->tenant_id, &t->tenant_id) &&
	       vs_ct_equal(inv->token_hash, hash, sizeof(hash));
}
