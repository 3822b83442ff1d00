/* Invitations: an e-mail address asked into a tenant with a role, its states, and the token
 * that accepts it. Pure C (the HMAC comes from core/crypto.h).
 *
 *   token = base64url( tenant id ‖ invitation id ‖ nonce ‖ HMAC-SHA256(k, the three) )
 *
 * 16 + 16 + 32 + 32 bytes, 128 characters. k is derived from the server's signing secret,
 * so only the server makes tokens and a forged or altered one is refused before any lookup;
 * the tenant id in it is the scope the lookup runs in. Stored are the nonce (the e-mail job
 * makes the current token again from it) and SHA-256 of the token (the lookup key). A
 * resend draws a new nonce, which makes every older token stop working. */
#ifndef VS_INVITATIONS_DOMAIN_H
#define VS_INVITATIONS_DOMAIN_H

#include "core/crypto.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VS_INVITATION_NONCE_LEN 32
#define VS_INVITATION_TOKEN_RAW (16 + 16 + VS_INVITATION_NONCE_LEN + VS_SHA256_LEN)
#define VS_INVITATION_TOKEN_LEN 128 /* base64url of the 96 bytes, no padding */
#define VS_INVITATION_DEFAULT_DAYS 7
#define VS_INVITATION_MAX_DAYS 30

/* As a client sees it. Stored are pending, accepted, revoked, and expired only for an
 * invitation that gave up its pending place to a newer one for the same address. */
enum vs_invitation_status {
	VS_INVITATION_PENDING,
	VS_INVITATION_ACCEPTED,
	VS_INVITATION_EXPIRED,
	VS_INVITATION_REVOKED,
};

struct vs_invitation {
	vs_uuid id, tenant_id, role_id;
	const char *email; /* lower-case */
	enum vs_invitation_status status; /* as stored; vs_invitation_status_at for clients */
	bool has_inviter, has_user;	  /* false: none (yet), or the user was deleted */
	vs_uuid inviter_id, user_id;
	uint8_t nonce[VS_INVITATION_NONCE_LEN];
	uint8_t token_hash[VS_SHA256_LEN];
	int64_t expires_at, accepted_at, created_at, updated_at; /* accepted_at 0: not */
	/* Read with it, for the detail and the e-mail: */
	const char *tenant_name;
	const char *inviter_email, *inviter_first_name, *inviter_last_name; /* or NULL */
};

/* The status at now: a pending invitation at or past its expiry is expired. */
enum vs_invitation_status vs_invitation_status_at(const struct vs_invitation *inv, int64_t now);
/* "pending", … and back; false for anything else. */
const char *vs_invitation_status_name(enum vs_invitation_status s);
bool vs_invitation_status_parse(const char *s, enum vs_invitation_status *out);

/* Whether its token may be verified or accepted now: pending and unexpired. */
bool vs_invitation_usable(const struct vs_invitation *inv, int64_t now);
/* Whether it may be revoked or resent: not accepted and not revoked (an expired one may
 * be revoked, or resent with a new expiry). */
bool vs_invitation_changeable(const struct vs_invitation *inv);

/* ---- the token ---- */

/* What a token names; nonce is the invitation's current one when the token is. */
struct vs_invitation_token {
	vs_uuid tenant_id, id;
	uint8_t nonce[VS_INVITATION_NONCE_LEN];
};

/* The MAC key of tokens, derived from the server's signing secret (the JWT key), under a
 * label of its own so that no token doubles as anything else. */
void vs_invitation_token_key(const uint8_t *secret, size_t len, uint8_t key[VS_SHA256_LEN]);
/* The token text of t. */
void vs_invitation_token_make(const uint8_t key[VS_SHA256_LEN], const struct vs_invitation_token *t,
			      char out[VS_INVITATION_TOKEN_LEN + 1]);
/* True when text[0..len) is a token made with key (its MAC compared in constant time);
 * then out says what it names. Anything else — another length, a byte changed, a token of
 * another secret — is false, with no lookup needed. */
bool vs_invitation_token_open(const uint8_t key[VS_SHA256_LEN], const char *text, size_t len,
			      struct vs_invitation_token *out);
/* Whether inv is the one text[0..len) names and was issued for (its stored SHA-256, in
 * constant time): a token of an older nonce is not. */
bool vs_invitation_token_matches(const struct vs_invitation *inv,
				 const struct vs_invitation_token *t, const char *text, size_t len);

#endif
