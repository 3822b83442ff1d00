#include "audit/chain.h"

#include "core/hex.h"
#include "core/time.h"

#include <string.h>

void vs_audit_link_hash(const uint8_t *prev, size_t prev_len, int64_t seq, const char *canonical,
			size_t len, uint8_t out[VS_SHA256_LEN])
{
	uint8_t seq_be[8];
	for (int i = 0; i < 8; i++)
		seq_be[i] = (uint8_t)((uint64_t)seq >> (56 - 8 * i));
	const struct vs_bytes parts[] = { { prev, prev_len }, { seq_be, 8 }, { canonical, len } };
	vs_sha256_parts(parts, 3, out);
}

void vs_audit_verifier_init(struct vs_audit_verifier *v)
{
	memset(v, 0, sizeof(*v));
}

bool vs_audit_verify_link(struct vs_audit_verifier *v, const struct vs_audit_link *l)
{
	if (v->broken_at)
		return false;
	int64_t want_seq = v->last_seq + 1;
	size_t want_prev_len = v->checked ? VS_SHA256_LEN : 0;
	uint8_t hash[VS_SHA256_LEN];
	vs_audit_link_hash(l->prev_hash, l->prev_len, l->seq, l->canonical, l->len, hash);
	/* A gap breaks at the first seq missing; anything else at the link itself. */
	if (l->seq != want_seq) {
		v->broken_at = want_seq;
		return false;
	}
	if (l->prev_len != want_prev_len || memcmp(l->prev_hash, v->head, want_prev_len) != 0 ||
	    l->hash_len != VS_SHA256_LEN || memcmp(l->hash, hash, VS_SHA256_LEN) != 0) {
		v->broken_at = l->seq;
		return false;
	}
	if (!v->checked)
		v->first_seq = l->seq;
	v->checked++;
	v->last_seq = l->seq;
	memcpy(v->head, hash, VS_SHA256_LEN);
	return true;
}

bool vs_audit_verify_end(struct vs_audit_verifier *v, int64_t head_seq,
			 const uint8_t head_hash[VS_SHA256_LEN])
{
	if (v->broken_at)
		return false;
	if (head_seq != v->last_seq) {
		v->broken_at = v->last_seq + 1; /* the first link missing from the end */
		return false;
	}
	if (head_seq > 0 && memcmp(head_hash, v->head, VS_SHA256_LEN) != 0) {
		v->broken_at = head_seq;
		return false;
	}
	return true;
}

const char *vs_audit_checkpoint_text(struct vs_arena *a, const struct vs_audit_checkpoint *c,
				     size_t *len)
{
	char chain[VS_UUID_STRLEN + 1], hash[2 * VS_SHA256_LEN + 1], when[VS_TIME_STRLEN + 1];
	vs_uuid_format(&c->chain, chain);
	vs_hex_encode(c->hash, VS_SHA256_LEN, hash);
	vs_time_format(c->signed_at, when);
	char *text = vs_arena_printf(a,
				     "virtualstack audit checkpoint v1\nchain: %s\nseq: %lld\n"
				     "hash: %s\nsigned_at: %s\n",
				     chain, (long long)c->seq, hash, when);
	*len = strlen(text);
	return text;
}

bool vs_audit_checkpoint_valid(struct vs_arena *a, const struct vs_audit_checkpoint *c)
{
	size_t len;
	const char *text = vs_audit_checkpoint_text(a, c, &len);
	return vs_ed25519_verify(c->public_key, text, len, c->signature);
}
