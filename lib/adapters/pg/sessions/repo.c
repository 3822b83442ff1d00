/* iam.refresh_tokens, looked up by the SHA-256 of the token (a binary parameter). */
#include "adapters/pg/util.h"
#include "adapters/pg/wiring.h"
#include "sessions/port.h"

#include <stdio.h>
#include <string.h>

static const struct vs_pg_stmt insert_stmt = {
	"session_insert",
	"INSERT INTO iam.refresh_tokens (id, family_id, user_id, token_hash, expires_at) "
	"VALUES ($1, $2, $3, $4, to_timestamp($5))",
	5
};
static const struct vs_pg_stmt take_stmt = {
	"session_take",
	"SELECT id, family_id, user_id, extract(epoch FROM expires_at)::bigint, "
	"rotated_at IS NOT NULL, revoked_at IS NOT NULL FROM iam.refresh_tokens "
	"WHERE token_hash = $1 FOR UPDATE",
	1
};
static const struct vs_pg_stmt rotate_stmt = {
	"session_mark_rotated", "UPDATE iam.refresh_tokens SET rotated_at = now() WHERE id = $1", 1
};
static const struct vs_pg_stmt revoke_stmt = {
	"session_revoke_family",
	"UPDATE iam.refresh_tokens SET revoked_at = coalesce(revoked_at, now()) "
	"WHERE family_id = $1",
	1
};

struct pg_sessions {
	struct vs_session_repo base;
	struct vs_pg *pg;
};

static struct vs_pg *repo_pg(struct vs_session_repo *self)
{
	return ((struct pg_sessions *)self)->pg;
}

static enum vs_err session_insert(struct vs_session_repo *self, const struct vs_refresh_token *t,
				  const uint8_t hash[32])
{
	struct pg_uuid_text t1, t2, t3;
	char expires[24];
	snprintf(expires, sizeof(expires), "%lld", (long long)t->expires_at);
	const char *params[] = { pg_uuid_param(&t1, &t->id), pg_uuid_param(&t2, &t->family_id),
				 pg_uuid_param(&t3, &t->user_id), (const char *)hash, expires };
	const int lengths[] = { 0, 0, 0, 32, 0 };
	const int formats[] = { 0, 0, 0, 1, 0 };
	return vs_pg_exec_ex(repo_pg(self), NULL, &insert_stmt, params, lengths, formats, NULL);
}

static void row_to_token(struct vs_arena *a, const PGresult *r, int row, void *token)
{
	struct vs_refresh_token *out = token;
	(void)a;
	memset(out, 0, sizeof(*out));
	vs_pg_uuid(r, row, 0, &out->id);
	vs_pg_uuid(r, row, 1, &out->family_id);
	vs_pg_uuid(r, row, 2, &out->user_id);
	out->expires_at = vs_pg_int64(r, row, 3);
	out->rotated = vs_pg_bool(r, row, 4);
	out->revoked = vs_pg_bool(r, row, 5);
}

static enum vs_err session_take(struct vs_session_repo *self, struct vs_arena *a,
				const uint8_t hash[32], struct vs_refresh_token *out)
{
	const char *params[] = { (const char *)hash };
	const int lengths[] = { 32 };
	const int formats[] = { 1 };
	return vs_pg_one_ex(repo_pg(self), a, &take_stmt, params, lengths, formats, row_to_token,
			    out);
}

static enum vs_err by_id(struct vs_session_repo *self, const struct vs_pg_stmt *stmt,
			 const vs_uuid *id)
{
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, id) };
	long rows;
	return vs_pg_exec_affected(repo_pg(self), stmt, params, &rows);
}

static enum vs_err session_mark_rotated(struct vs_session_repo *self, const vs_uuid *id)
{
	return by_id(self, &rotate_stmt, id);
}

static enum vs_err session_revoke_family(struct vs_session_repo *self, const vs_uuid *family_id)
{
	return by_id(self, &revoke_stmt, family_id);
}

static const struct vs_session_repo_ops ops = {
	.insert = session_insert,
	.take = session_take,
	.mark_rotated = session_mark_rotated,
	.revoke_family = session_revoke_family,
};

void vs_pg_sessions_wire(const struct vs_pg_wiring *w, struct vs_app *app)
{
	struct pg_sessions *repo = vs_arena_alloc(w->owned, sizeof(*repo));
	*repo = (struct pg_sessions){ { &ops }, w->pg };
	app->sessions = &repo->base;
}
