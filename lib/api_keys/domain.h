/* API keys: the text format and the rules of use. Pure C.
 *
 *   vsak_ <public id: 12 base62> <secret: 22 base62> <checksum: 6 base62>
 *
 * The public id (≈71 bits) is the stored key_prefix used for lookup; the secret carries
 * ≈131 random bits; the checksum is CRC32 of everything before it, so a worker refuses a
 * mistyped or made-up key with no lookup, and secret scanners recognise leaked keys. */
#ifndef VS_API_KEYS_DOMAIN_H
#define VS_API_KEYS_DOMAIN_H

#include "core/opt.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VS_API_KEY_PREFIX "vsak_"
#define VS_API_KEY_PREFIX_LEN 5
#define VS_API_KEY_PUBLIC_LEN 12
#define VS_API_KEY_SECRET_LEN 22
#define VS_API_KEY_CHECKSUM_LEN 6
#define VS_API_KEY_LEN                                                                     \
	(VS_API_KEY_PREFIX_LEN + VS_API_KEY_PUBLIC_LEN + VS_API_KEY_SECRET_LEN +            \
	 VS_API_KEY_CHECKSUM_LEN)
#define VS_API_KEY_MAX_HEADER 4096 /* longer X-API-Key values are refused unread */

struct vs_api_key {
	vs_uuid id, user_id;
	bool global;	   /* GLOBAL: works in every tenant of its owner; else only tenant_id */
	vs_uuid tenant_id;
	const char *name, *description;
	char public_id[VS_API_KEY_PUBLIC_LEN + 1];
	uint8_t hash[32];		   /* SHA-256 of the whole key text */
	const char **scopes;		   /* permission codes that limit the key; none: no limit */
	size_t nscopes;
	bool is_active;
	bool expires;			   /* expires_at is set */
	int64_t expires_at, last_used_at;  /* last_used_at 0: never */
	int64_t created_at, updated_at;
	bool owner_active, owner_superuser; /* filled by verification */
};

struct vs_api_key_changes {
	struct vs_opt_str name, description;
	struct vs_opt_bool is_active;
	struct vs_opt_time expires_at;
	bool scopes_set;
	const char **scopes;
	size_t nscopes;
};

/* A key authenticates while active, unexpired and its owner is active. */
bool vs_api_key_usable(const struct vs_api_key *k, int64_t now);

/* Random bytes in, key text out: each byte < 248 gives one base62 character (248 is the
 * largest multiple of 62 in a byte, so the characters are uniform); bytes ≥ 248 are
 * skipped. Returns false if `random` ran out (the caller draws more and tries again). */
bool vs_api_key_compose(const uint8_t *random, size_t nrandom, char out[VS_API_KEY_LEN + 1]);

/* True when s[0..len) has the shape and a matching checksum; then public_id receives the
 * public id (NUL-terminated). Nothing is looked up. */
bool vs_api_key_parse(const char *s, size_t len, char public_id[VS_API_KEY_PUBLIC_LEN + 1]);

#endif
