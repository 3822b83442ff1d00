/* Checking a chain (API.md §8, README "The audit log"): link by link in seq order,
 * seq counts from 1 without gaps, each prev_hash is the hash before (empty for the first)
 * and hash = SHA-256(prev_hash ‖ seq as 8 bytes big-endian ‖ canonical bytes). Used by
 * GET /audit-logs/verify and vs-admin audit verify. */
#ifndef VS_AUDIT_CHAIN_H
#define VS_AUDIT_CHAIN_H

#include "core/arena.h"
#include "core/crypto.h"
#include "core/ed25519.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One link as stored. */
struct vs_audit_link {
	int64_t seq;
	uint8_t prev_hash[VS_SHA256_LEN];
	size_t prev_len; /* 0 for the first link, else VS_SHA256_LEN */
	uint8_t hash[VS_SHA256_LEN];
	size_t hash_len;
	const char *canonical;
	size_t len;
};

struct vs_audit_verifier {
	int64_t checked;	     /* links that held */
	int64_t first_seq, last_seq; /* of those */
	uint8_t head[VS_SHA256_LEN]; /* the last good hash */
	int64_t broken_at;	     /* the seq where it broke; 0 while whole */
};

void vs_audit_verifier_init(struct vs_audit_verifier *v);
/* Takes the next link; false (and broken_at set) at the first that does not hold. */
bool vs_audit_verify_link(struct vs_audit_verifier *v, const struct vs_audit_link *l);
/* The end: the chain's head as its writer keeps it must be the last link checked; a head
 * further on means links were removed from the end. False (broken_at set) otherwise. */
bool vs_audit_verify_end(struct vs_audit_verifier *v, int64_t head_seq,
			 const uint8_t head_hash[VS_SHA256_LEN]);

/* The hash of a link from its parts. */
void vs_audit_link_hash(const uint8_t *prev, size_t prev_len, int64_t seq, const char *canonical,
			size_t len, uint8_t out[VS_SHA256_LEN]);

/* A chain's head, signed (README "Checkpoints"). */
struct vs_audit_checkpoint {
	vs_uuid chain; /* the tenant's id; nil: the platform's chain */
	int64_t seq;
	uint8_t hash[VS_SHA256_LEN];
	int64_t signed_at; /* Unix seconds */
	uint8_t public_key[VS_ED25519_PUBLIC_LEN];
	uint8_t signature[VS_ED25519_SIGNATURE_LEN];
};

/* The text a checkpoint's signature covers, in the arena:
 * "virtualstack audit checkpoint v1\nchain: <uuid>\nseq: <n>\nhash: <hex>\n"
 * "signed_at: <RFC 3339>\n". */
const char *vs_audit_checkpoint_text(struct vs_arena *a, const struct vs_audit_checkpoint *c,
				     size_t *len);
/* Whether c's signature holds for its own public key and fields. */
bool vs_audit_checkpoint_valid(struct vs_arena *a, const struct vs_audit_checkpoint *c);

#endif
