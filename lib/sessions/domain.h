/* Login sessions: refresh-token states and the decision a presented token leads to. */
#ifndef VS_SESSIONS_DOMAIN_H
#define VS_SESSIONS_DOMAIN_H

#include "core/uuid.h"

#include <stdbool.h>
#include <stdint.h>

struct vs_refresh_token {
	vs_uuid id, family_id, user_id;
	int64_t expires_at;
	bool rotated, revoked;
};

enum vs_refresh_verdict {
	VS_REFRESH_ROTATE,	   /* valid: spend it and issue the next one */
	VS_REFRESH_REJECT,	   /* expired or revoked: refuse */
	VS_REFRESH_REVOKE_FAMILY, /* already spent: a copy is in someone else's hands */
};

enum vs_refresh_verdict vs_refresh_judge(const struct vs_refresh_token *t, int64_t now);

#endif
