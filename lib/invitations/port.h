/* What the invitations module needs from storage (see users/port.h for the conventions).
 * Every call names the tenant, and row-level security confines it to the transaction's
 * scope too: another tenant's invitation is NOTFOUND. Reads fill the tenant's name and
 * the inviter's e-mail and names. */
#ifndef VS_INVITATIONS_PORT_H
#define VS_INVITATIONS_PORT_H

#include "core/arena.h"
#include "core/cursor.h"
#include "core/err.h"
#include "invitations/domain.h"

#include <stdbool.h>
#include <stdint.h>

struct vs_invitation_query {
	const vs_uuid *tenant;
	bool has_status; /* else every status */
	enum vs_invitation_status status; /* as vs_invitation_status_at says at `now` */
	int64_t now;
	struct vs_list_at at; /* newest first */
};
struct vs_invitation_page {
	struct vs_invitation *items; /* newest first */
	size_t n;
	struct vs_list_end end;
};

struct vs_invitation_repo;
struct vs_invitation_repo_ops {
	/* inv: id, tenant_id, email, role_id, inviter, nonce, token_hash, expires_at set; the
	 * rest is filled as stored. A role neither global nor the tenant's own → NOTFOUND;
	 * another pending invitation for the address → CONFLICT. */
	enum vs_err (*insert)(struct vs_invitation_repo *, struct vs_arena *,
			      struct vs_invitation *inv);
	/* A pending invitation of tenant for email that expired by now gives up its pending
	 * place (stored as expired), so that a new one may take it. None: VS_OK. */
	enum vs_err (*retire_expired)(struct vs_invitation_repo *, const vs_uuid *tenant,
				      const char *email, int64_t now);
	/* By id; with lock, locked until the transaction ends (FOR UPDATE). */
	enum vs_err (*get)(struct vs_invitation_repo *, struct vs_arena *, const vs_uuid *tenant,
			   const vs_uuid *id, bool lock, struct vs_invitation *out);
	/* By the SHA-256 of its token; with lock, locked as get. */
	enum vs_err (*find_by_hash)(struct vs_invitation_repo *, struct vs_arena *,
				    const vs_uuid *tenant, const uint8_t hash[VS_SHA256_LEN],
				    bool lock, struct vs_invitation *out);
	enum vs_err (*list)(struct vs_invitation_repo *, struct vs_arena *,
			    const struct vs_invitation_query *q, struct vs_invitation_page *out);
	/* A new token and expiry; pending again (if it was stored as expired). Another pending
	 * invitation for the address → CONFLICT. */
	enum vs_err (*reissue)(struct vs_invitation_repo *, struct vs_arena *, const vs_uuid *tenant,
			       const vs_uuid *id, const uint8_t nonce[VS_INVITATION_NONCE_LEN],
			       const uint8_t hash[VS_SHA256_LEN], int64_t expires_at,
			       struct vs_invitation *out);
	enum vs_err (*revoke)(struct vs_invitation_repo *, struct vs_arena *, const vs_uuid *tenant,
			      const vs_uuid *id, struct vs_invitation *out);
	/* Accepted now by user. */
	enum vs_err (*accept)(struct vs_invitation_repo *, struct vs_arena *, const vs_uuid *tenant,
			      const vs_uuid *id, const vs_uuid *user, struct vs_invitation *out);
};
struct vs_invitation_repo {
	const struct vs_invitation_repo_ops *ops;
};

#endif
