/* iam.invitations (sql/013_invitations.sql). Every statement names the tenant besides the
 * row-level security of the transaction's scope; reads and changes answer with the
 * tenant's name and the inviter's e-mail and names. */
#include "adapters/pg/util.h"
#include "adapters/pg/wiring.h"
#include "core/hex.h"
#include "invitations/port.h"

#include <stdio.h>
#include <string.h>

#define INV_COLS                                                                           \
	"i.id, i.tenant_id, i.email, i.role_id, i.status, i.inviter_id, i.user_id, "        \
	"encode(i.token_nonce, 'hex'), encode(i.token_hash, 'hex'), "                        \
	"extract(epoch FROM i.expires_at)::bigint, extract(epoch FROM i.accepted_at)::bigint, " \
	"extract(epoch FROM i.created_at)::bigint, extract(epoch FROM i.updated_at)::bigint, " \
	"t.name, u.email, u.first_name, u.last_name"
/* The rows of `src` (the table, or a change's RETURNING) with what is read with them. */
#define INV_FROM(src)                                                                      \
	" FROM " src " i JOIN iam.tenants t ON t.id = i.tenant_id "                          \
	"LEFT JOIN iam.users u ON u.id = i.inviter_id"
/* A change of one invitation of tenant $2 by id $1, answered like a read. */
#define INV_CHANGE(set)                                                                    \
	"WITH i AS (UPDATE iam.invitations SET " set ", updated_at = now() "                  \
	"WHERE id = $1 AND tenant_id = $2 RETURNING *) SELECT " INV_COLS INV_FROM("i")

/* The role must be global or the tenant's own: no row, no invitation (NOTFOUND). */
static const struct vs_pg_stmt insert_stmt = {
	"invitation_insert",
	"WITH i AS (INSERT INTO iam.invitations (id, tenant_id, email, role_id, role_scope, "
	"inviter_id, token_nonce, token_hash, expires_at) "
	"SELECT $1, $2, $3, r.id, r.scope_tenant, $5, decode($6, 'hex'), decode($7, 'hex'), "
	"to_timestamp($8) FROM iam.roles r WHERE r.id = $4 AND (r.tenant_id IS NULL OR "
	"r.tenant_id = $2) RETURNING *) SELECT " INV_COLS INV_FROM("i"),
	8
};
static const struct vs_pg_stmt retire_stmt = {
	"invitation_retire_expired",
	"UPDATE iam.invitations SET status = 'expired', updated_at = now() "
	"WHERE tenant_id = $1 AND lower(email) = lower($2) AND status = 'pending' "
	"AND expires_at <= to_timestamp($3)",
	3
};
static const struct vs_pg_stmt get_stmt = {
	"invitation_get",
	"SELECT " INV_COLS INV_FROM("iam.invitations") " WHERE i.id = $1 AND i.tenant_id = $2",
	2
};
static const struct vs_pg_stmt get_locked_stmt = {
	"invitation_get_locked",
	"SELECT " INV_COLS INV_FROM("iam.invitations")
	" WHERE i.id = $1 AND i.tenant_id = $2 FOR UPDATE OF i",
	2
};
static const struct vs_pg_stmt find_stmt = {
	"invitation_find",
	"SELECT " INV_COLS INV_FROM("iam.invitations")
	" WHERE i.token_hash = decode($1, 'hex') AND i.tenant_id = $2",
	2
};
static const struct vs_pg_stmt find_locked_stmt = {
	"invitation_find_locked",
	"SELECT " INV_COLS INV_FROM("iam.invitations")
	" WHERE i.token_hash = decode($1, 'hex') AND i.tenant_id = $2 FOR UPDATE OF i",
	2
};
/* $1 the tenant; $2 a status as clients see it (optional) at the instant $3. */
#define INV_FILTER                                                                         \
	INV_FROM("iam.invitations") " WHERE i.tenant_id = $1 AND ($2::text IS NULL OR CASE $2 " \
	"WHEN 'pending' THEN i.status = 'pending' AND i.expires_at > to_timestamp($3) "      \
	"WHEN 'expired' THEN i.status = 'expired' OR (i.status = 'pending' AND "              \
	"i.expires_at <= to_timestamp($3)) ELSE i.status = $2 END)"
static const struct vs_pg_stmt list_stmt = {
	"invitation_list",
	"SELECT " INV_COLS ", " VS_PG_KEY_US("i") INV_FILTER
	" AND (i.created_at, i.id) < ($4::timestamptz, $5::uuid) "
	"ORDER BY i.created_at DESC, i.id DESC OFFSET $6 LIMIT $7",
	7
};
static const struct vs_pg_stmt count_stmt = { "invitation_count",
					      "SELECT count(*)" INV_FILTER, 3 };
static const struct vs_pg_stmt reissue_stmt = {
	"invitation_reissue",
	INV_CHANGE("token_nonce = decode($3, 'hex'), token_hash = decode($4, 'hex'), "
		   "expires_at = to_timestamp($5), status = 'pending'"),
	5
};
static const struct vs_pg_stmt revoke_stmt = { "invitation_revoke",
					       INV_CHANGE("status = 'revoked'"), 2 };
static const struct vs_pg_stmt accept_stmt = {
	"invitation_accept",
	INV_CHANGE("status = 'accepted', user_id = $3, accepted_at = now()"), 3
};

struct pg_invitations {
	struct vs_invitation_repo base;
	struct vs_pg *pg;
};

static struct vs_pg *repo_pg(struct vs_invitation_repo *self)
{
	return ((struct pg_invitations *)self)->pg;
}

static void row_to_invitation(struct vs_arena *a, const PGresult *r, int row, void *out)
{
	struct vs_invitation *inv = out;
	memset(inv, 0, sizeof(*inv));
	vs_pg_uuid(r, row, 0, &inv->id);
	vs_pg_uuid(r, row, 1, &inv->tenant_id);
	inv->email = vs_pg_text(a, r, row, 2);
	vs_pg_uuid(r, row, 3, &inv->role_id);
	(void)vs_invitation_status_parse(PQgetvalue(r, row, 4), &inv->status);
	if ((inv->has_inviter = !PQgetisnull(r, row, 5)))
		vs_pg_uuid(r, row, 5, &inv->inviter_id);
	if ((inv->has_user = !PQgetisnull(r, row, 6)))
		vs_pg_uuid(r, row, 6, &inv->user_id);
	(void)vs_hex_decode(PQgetvalue(r, row, 7), inv->nonce, sizeof(inv->nonce));
	(void)vs_hex_decode(PQgetvalue(r, row, 8), inv->token_hash, sizeof(inv->token_hash));
	inv->expires_at = vs_pg_int64(r, row, 9);
	inv->accepted_at = PQgetisnull(r, row, 10) ? 0 : vs_pg_int64(r, row, 10);
	inv->created_at = vs_pg_int64(r, row, 11);
	inv->updated_at = vs_pg_int64(r, row, 12);
	inv->tenant_name = vs_pg_text(a, r, row, 13);
	inv->inviter_email = vs_pg_text(a, r, row, 14);
	inv->inviter_first_name = vs_pg_text(a, r, row, 15);
	inv->inviter_last_name = vs_pg_text(a, r, row, 16);
}

/* Bytes as a hex text parameter, in a. */
static const char *hex_param(struct vs_arena *a, const uint8_t *p, size_t n)
{
	char *s = vs_arena_alloc(a, 2 * n + 1);
	vs_hex_encode(p, n, s);
	return s;
}

static const char *time_param(struct vs_arena *a, int64_t t)
{
	return vs_arena_printf(a, "%lld", (long long)t);
}

static enum vs_err inv_insert(struct vs_invitation_repo *self, struct vs_arena *a,
			      struct vs_invitation *inv)
{
	struct pg_uuid_text id, tenant, role, inviter;
	const char *params[] = {
		pg_uuid_param(&id, &inv->id),
		pg_uuid_param(&tenant, &inv->tenant_id),
		inv->email,
		pg_uuid_param(&role, &inv->role_id),
		inv->has_inviter ? pg_uuid_param(&inviter, &inv->inviter_id) : NULL,
		hex_param(a, inv->nonce, sizeof(inv->nonce)),
		hex_param(a, inv->token_hash, sizeof(inv->token_hash)),
		time_param(a, inv->expires_at),
	};
	return vs_pg_one(repo_pg(self), a, &insert_stmt, params, row_to_invitation, inv);
}

static enum vs_err inv_retire_expired(struct vs_invitation_repo *self, const vs_uuid *tenant,
				      const char *email, int64_t now)
{
	struct pg_uuid_text t;
	char at[24];
	snprintf(at, sizeof(at), "%lld", (long long)now);
	const char *params[] = { pg_uuid_param(&t, tenant), email, at };
	long rows;
	return vs_pg_exec_affected(repo_pg(self), &retire_stmt, params, &rows);
}

static enum vs_err inv_get(struct vs_invitation_repo *self, struct vs_arena *a,
			   const vs_uuid *tenant, const vs_uuid *id, bool lock,
			   struct vs_invitation *out)
{
	struct pg_uuid_text i, t;
	const char *params[] = { pg_uuid_param(&i, id), pg_uuid_param(&t, tenant) };
	return vs_pg_one(repo_pg(self), a, lock ? &get_locked_stmt : &get_stmt, params,
			 row_to_invitation, out);
}

static enum vs_err inv_find_by_hash(struct vs_invitation_repo *self, struct vs_arena *a,
				    const vs_uuid *tenant, const uint8_t hash[VS_SHA256_LEN],
				    bool lock, struct vs_invitation *out)
{
	struct pg_uuid_text t;
	const char *params[] = { hex_param(a, hash, VS_SHA256_LEN), pg_uuid_param(&t, tenant) };
	return vs_pg_one(repo_pg(self), a, lock ? &find_locked_stmt : &find_stmt, params,
			 row_to_invitation, out);
}

static enum vs_err inv_list(struct vs_invitation_repo *self, struct vs_arena *a,
			    const struct vs_invitation_query *q, struct vs_invitation_page *out)
{
	struct pg_uuid_text t;
	const char *params[7] = {
		pg_uuid_param(&t, q->tenant),
		q->has_status ? vs_invitation_status_name(q->status) : NULL,
		time_param(a, q->now),
	};
	return vs_pg_keyed_list(repo_pg(self), a, &list_stmt, &count_stmt, params, 3, &q->at, true,
				row_to_invitation, sizeof(*out->items), &out->items, &out->n,
				&out->end);
}

static enum vs_err inv_reissue(struct vs_invitation_repo *self, struct vs_arena *a,
			       const vs_uuid *tenant, const vs_uuid *id,
			       const uint8_t nonce[VS_INVITATION_NONCE_LEN],
			       const uint8_t hash[VS_SHA256_LEN], int64_t expires_at,
			       struct vs_invitation *out)
{
	struct pg_uuid_text i, t;
	const char *params[] = { pg_uuid_param(&i, id), pg_uuid_param(&t, tenant),
				 hex_param(a, nonce, VS_INVITATION_NONCE_LEN),
				 hex_param(a, hash, VS_SHA256_LEN), time_param(a, expires_at) };
	return vs_pg_one(repo_pg(self), a, &reissue_stmt, params, row_to_invitation, out);
}

static enum vs_err inv_revoke(struct vs_invitation_repo *self, struct vs_arena *a,
			      const vs_uuid *tenant, const vs_uuid *id, struct vs_invitation *out)
{
	struct pg_uuid_text i, t;
	const char *params[] = { pg_uuid_param(&i, id), pg_uuid_param(&t, tenant) };
	return vs_pg_one(repo_pg(self), a, &revoke_stmt, params, row_to_invitation, out);
}

static enum vs_err inv_accept(struct vs_invitation_repo *self, struct vs_arena *a,
			      const vs_uuid *tenant, const vs_uuid *id, const vs_uuid *user,
			      struct vs_invitation *out)
{
	struct pg_uuid_text i, t, u;
	const char *params[] = { pg_uuid_param(&i, id), pg_uuid_param(&t, tenant),
				 pg_uuid_param(&u, user) };
	return vs_pg_one(repo_pg(self), a, &accept_stmt, params, row_to_invitation, out);
}

static const struct vs_invitation_repo_ops ops = {
	.insert = inv_insert,
	.retire_expired = inv_retire_expired,
	.get = inv_get,
	.find_by_hash = inv_find_by_hash,
	.list = inv_list,
	.reissue = inv_reissue,
	.revoke = inv_revoke,
	.accept = inv_accept,
};

void vs_pg_invitations_wire(const struct vs_pg_wiring *w, struct vs_app *app)
{
	struct pg_invitations *repo = vs_arena_alloc(w->owned, sizeof(*repo));
	*repo = (struct pg_invitations){ { &ops }, w->pg };
	app->invitations = &repo->base;
}
