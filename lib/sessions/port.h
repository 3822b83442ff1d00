/* What the sessions module needs from storage: refresh tokens, by SHA-256 of the token. */
#ifndef VS_SESSIONS_PORT_H
#define VS_SESSIONS_PORT_H

#include "core/arena.h"
#include "core/err.h"
#include "sessions/domain.h"

#include <stdint.h>

struct vs_session_repo;
struct vs_session_repo_ops {
	enum vs_err (*insert)(struct vs_session_repo *, const struct vs_refresh_token *t,
			      const uint8_t hash[32]);
	/* Locks the row for the rest of the transaction. Unknown → NOTFOUND. */
	enum vs_err (*take)(struct vs_session_repo *, struct vs_arena *, const uint8_t hash[32],
			    struct vs_refresh_token *out);
	enum vs_err (*mark_rotated)(struct vs_session_repo *, const vs_uuid *id);
	enum vs_err (*revoke_family)(struct vs_session_repo *, const vs_uuid *family_id);
};
struct vs_session_repo {
	const struct vs_session_repo_ops *ops;
};

#endif
