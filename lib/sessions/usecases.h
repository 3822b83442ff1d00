/* Login, refresh-token rotation and logout. */
#ifndef VS_SESSIONS_USECASES_H
#define VS_SESSIONS_USECASES_H

#include "app/app.h"
#include "auth/domain.h"
#include "core/arena.h"
#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

#define VS_REFRESH_TOKEN_PREFIX "vsrt_"

struct vs_token_pair {
	const char *access_token, *refresh_token;
	int64_t expires_in;
};

enum vs_err vs_sessions_login(struct vs_app *app, struct vs_arena *a, const char *email,
			      const char *password, size_t password_len, struct vs_token_pair *out,
			      struct vs_error *e);
/* Spends the refresh token for a new pair; presenting a spent one revokes its family. */
enum vs_err vs_sessions_refresh(struct vs_app *app, struct vs_arena *a, const char *refresh_token,
				size_t len, struct vs_token_pair *out, struct vs_error *e);
/* Revokes the login the refresh token belongs to, if it is the caller's. */
enum vs_err vs_sessions_logout(struct vs_app *app, struct vs_arena *a,
			       const struct vs_principal *p, const char *refresh_token, size_t len,
			       struct vs_error *e);

#endif
