#include "sessions/domain.h"

enum vs_refresh_verdict vs_refresh_judge(const struct vs_refresh_token *t, int64_t now)
{
	if (t->revoked)
		return VS_REFRESH_REJECT;
	/* Reuse of a spent token means it was copied: end the whole login (RFC 9700 §4.14). */
	if (t->rotated)
		return VS_REFRESH_REVOKE_FAMILY;
	if (now >= t->expires_at)
		return VS_REFRESH_REJECT;
	return VS_REFRESH_ROTATE;
}
