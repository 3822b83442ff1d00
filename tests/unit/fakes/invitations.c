/* The invitation repository fake, with the semantics of lib/invitations/port.h and the
 * statements of lib/adapters/pg/invitations/repo.c: rows of its own store, attached to the
 * fake database (transactions and fault injection cover them); the row-level security of
 * sql/013 (a row is seen and written in its tenant's scope or in platform scope, and
 * touching it with no scope at all is an error); the role global or the tenant's own
 * (NOTFOUND); one pending invitation per address and tenant (CONFLICT, which aborts the
 * transaction like PostgreSQL's unique violation). Locks are not modelled: one thread. */
#include "fakes/internal.h"

#include <stdlib.h>

static struct fake_invitations *repo_of(struct vs_invitation_repo *r)
{
	if (!r || r->ops != &fake__invitation_ops)
		abort();
	return (struct fake_invitations *)r;
}

struct fake_invitations *fake_invitations_new(struct fake_db *db, struct vs_app *app)
{
	struct fake_invitations *f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	f->base.ops = &fake__invitation_ops;
	f->db = db;
	fake_db_attach(db, &f->store, sizeof(f->store));
	app->invitations = &f->base;
	return f;
}

struct fake_invitation_row *fake_invitation(struct fake_invitations *f, const vs_uuid *id)
{
	for (size_t i = 0; i < f->store.n; i++)
		if (vs_uuid_eq(&f->store.rows[i].id, id))
			return &f->store.rows[i];
	return NULL;
}

/* sql/002's iam.ctx_platform(): the schema owner's tools, or an active superuser with no
 * tenant in context. */
static bool platform(struct fake_db *db)
{
	if (db->scope.operator)
		return true;
	const struct fake_user_row *u = db->scope.has_user ? fake_user(db, &db->scope.user) : NULL;
	return !db->scope.has_tenant && u && u->is_superuser && u->is_active;
}

/* A statement over the table with no scope raises 42501 (sql/002 iam.no_scope()). */
static bool no_scope(struct fake_db *db)
{
	return !db->scope.has_tenant && !db->scope.has_user && !db->scope.operator;
}

/* iam.row_writable(tenant_id): the policies of sql/013, for reads and writes alike. */
static bool in_scope(struct fake_db *db, const vs_uuid *tenant)
{
	return platform(db) || (db->scope.has_tenant && vs_uuid_eq(&db->scope.tenant, tenant));
}

static bool pending_for(const struct fake_invitation_row *r, const vs_uuid *tenant,
			const char *email)
{
	return r->status == VS_INVITATION_PENDING && vs_uuid_eq(&r->tenant_id, tenant) &&
	       strcmp(r->email, email) == 0;
}

static void row_to_invitation(struct fake_db *db, struct vs_arena *a,
			      const struct fake_invitation_row *r, struct vs_invitation *out)
{
	memset(out, 0, sizeof(*out));
	out->id = r->id;
	out->tenant_id = r->tenant_id;
	out->role_id = r->role_id;
	out->email = vs_arena_strdup(a, r->email);
	out->status = r->status;
	out->has_inviter = r->has_inviter && fake_user(db, &r->inviter_id);
	out->inviter_id = r->inviter_id;
	out->has_user = r->has_user;
	out->user_id = r->user_id;
	memcpy(out->nonce, r->nonce, sizeof(out->nonce));
	memcpy(out->token_hash, r->token_hash, sizeof(out->token_hash));
	out->expires_at = r->expires_at;
	out->accepted_at = r->accepted_at;
	out->created_at = r->created_at;
	out->updated_at = r->updated_at;
	const struct fake_tenant_row *t = fake_tenant(db, &r->tenant_id);
	out->tenant_name = t ? vs_arena_strdup(a, t->name) : NULL;
	const struct fake_user_row *u = r->has_inviter ? fake_user(db, &r->inviter_id) : NULL;
	if (u) {
		out->inviter_email = vs_arena_strdup(a, u->email);
		out->inviter_first_name = u->has_first_name ? vs_arena_strdup(a, u->first_name) : NULL;
		out->inviter_last_name = u->has_last_name ? vs_arena_strdup(a, u->last_name) : NULL;
	}
}

/* The row of tenant the scope lets the statement see, NULL when none; *rc an error when
 * there is no scope at all (the transaction is aborted, as in PostgreSQL). */
static struct fake_invitation_row *visible(struct fake_invitations *f, const vs_uuid *tenant,
					   const vs_uuid *id, const uint8_t *hash, enum vs_err *rc)
{
	*rc = VS_OK;
	if (no_scope(f->db)) {
		*rc = fake__sql_error(f->db, VS_INTERNAL);
		return NULL;
	}
	for (size_t i = 0; i < f->store.n; i++) {
		struct fake_invitation_row *r = &f->store.rows[i];
		if (vs_uuid_eq(&r->tenant_id, tenant) && in_scope(f->db, &r->tenant_id) &&
		    (id ? vs_uuid_eq(&r->id, id) : memcmp(r->token_hash, hash, 32) == 0))
			return r;
	}
	return NULL;
}

static enum vs_err inv_insert(struct vs_invitation_repo *repo, struct vs_arena *a,
			      struct vs_invitation *inv)
{
	struct fake_invitations *f = repo_of(repo);
	struct fake_db *db = f->db;
	if (fake__call(db, "invitations.insert"))
		return VS_UNAVAILABLE;
	if (no_scope(db) || !in_scope(db, &inv->tenant_id))
		return fake__sql_error(db, VS_INTERNAL); /* 42501: the policy's WITH CHECK */
	const struct fake_role_row *role = fake_role(db, &inv->role_id);
	if (!role || (!role->global && !vs_uuid_eq(&role->tenant_id, &inv->tenant_id)))
		return VS_NOTFOUND; /* INSERT … SELECT FROM iam.roles: no row */
	for (size_t i = 0; i < f->store.n; i++)
		if (pending_for(&f->store.rows[i], &inv->tenant_id, inv->email) ||
		    vs_uuid_eq(&f->store.rows[i].id, &inv->id))
			return fake__sql_error(db, VS_CONFLICT);
	if (f->store.n == FAKE_MAX_INVITATIONS)
		return VS_INTERNAL;
	fake__wrote(db);
	struct fake_invitation_row *r = &f->store.rows[f->store.n++];
	memset(r, 0, sizeof(*r));
	r->id = inv->id;
	r->tenant_id = inv->tenant_id;
	r->role_id = inv->role_id;
	fake__copy_str(r->email, sizeof(r->email), inv->email);
	r->status = VS_INVITATION_PENDING;
	r->has_inviter = inv->has_inviter;
	r->inviter_id = inv->inviter_id;
	memcpy(r->nonce, inv->nonce, sizeof(r->nonce));
	memcpy(r->token_hash, inv->token_hash, sizeof(r->token_hash));
	r->expires_at = inv->expires_at;
	r->created_at = r->updated_at = fake_now();
	row_to_invitation(db, a, r, inv);
	return VS_OK;
}

static enum vs_err inv_retire_expired(struct vs_invitation_repo *repo, const vs_uuid *tenant,
				      const char *email, int64_t now)
{
	struct fake_invitations *f = repo_of(repo);
	if (fake__call(f->db, "invitations.retire_expired"))
		return VS_UNAVAILABLE;
	if (no_scope(f->db))
		return fake__sql_error(f->db, VS_INTERNAL);
	for (size_t i = 0; i < f->store.n; i++) {
		struct fake_invitation_row *r = &f->store.rows[i];
		if (pending_for(r, tenant, email) && in_scope(f->db, tenant) && r->expires_at <= now) {
			fake__wrote(f->db);
			r->status = VS_INVITATION_EXPIRED;
			r->updated_at = fake_now();
		}
	}
	return VS_OK;
}

static enum vs_err inv_get(struct vs_invitation_repo *repo, struct vs_arena *a,
			   const vs_uuid *tenant, const vs_uuid *id, bool lock,
			   struct vs_invitation *out)
{
	struct fake_invitations *f = repo_of(repo);
	enum vs_err rc;
	if (fake__call(f->db, lock ? "invitations.get(lock)" : "invitations.get"))
		return VS_UNAVAILABLE;
	const struct fake_invitation_row *r = visible(f, tenant, id, NULL, &rc);
	if (rc != VS_OK || !r)
		return rc != VS_OK ? rc : VS_NOTFOUND;
	row_to_invitation(f->db, a, r, out);
	return VS_OK;
}

static enum vs_err inv_find_by_hash(struct vs_invitation_repo *repo, struct vs_arena *a,
				    const vs_uuid *tenant, const uint8_t hash[VS_SHA256_LEN],
				    bool lock, struct vs_invitation *out)
{
	struct fake_invitations *f = repo_of(repo);
	enum vs_err rc;
	if (fake__call(f->db, lock ? "invitations.find_by_hash(lock)" : "invitations.find_by_hash"))
		return VS_UNAVAILABLE;
	const struct fake_invitation_row *r = visible(f, tenant, NULL, hash, &rc);
	if (rc != VS_OK || !r)
		return rc != VS_OK ? rc : VS_NOTFOUND;
	row_to_invitation(f->db, a, r, out);
	return VS_OK;
}

static bool listed(const struct fake_invitation_row *r, const struct vs_invitation_query *q)
{
	if (!vs_uuid_eq(&r->tenant_id, q->tenant))
		return false;
	if (!q->has_status)
		return true;
	enum vs_invitation_status s = r->status;
	if (s == VS_INVITATION_PENDING && r->expires_at <= q->now)
		s = VS_INVITATION_EXPIRED;
	return s == q->status;
}

static enum vs_err inv_list(struct vs_invitation_repo *repo, struct vs_arena *a,
			    const struct vs_invitation_query *q, struct vs_invitation_page *out)
{
	struct fake_invitations *f = repo_of(repo);
	if (fake__call(f->db, "invitations.list"))
		return VS_UNAVAILABLE;
	if (no_scope(f->db))
		return fake__sql_error(f->db, VS_INTERNAL);
	struct fake_pager pager;
	fake_pager_init(&pager, &q->at, &out->end, &out->n);
	out->items = vs_arena_array(a, f->store.n + 1, sizeof(*out->items));
	/* Newest first: the rows were added in time order. */
	for (size_t i = f->store.n; i-- > 0;) {
		const struct fake_invitation_row *r = &f->store.rows[i];
		if (!in_scope(f->db, &r->tenant_id) || !listed(r, q))
			continue;
		if (fake_pager_take(&pager, &r->id, r->created_at))
			row_to_invitation(f->db, a, r, &out->items[out->n++]);
	}
	fake_pager_finish(&pager);
	return VS_OK;
}

/* The row a change of tenant's invitation id applies to; NOTFOUND when none. */
static enum vs_err changing(struct fake_invitations *f, const char *op, const vs_uuid *tenant,
			    const vs_uuid *id, struct fake_invitation_row **out)
{
	enum vs_err rc;
	if (fake__call(f->db, op))
		return VS_UNAVAILABLE;
	*out = visible(f, tenant, id, NULL, &rc);
	if (rc != VS_OK)
		return rc;
	if (!*out)
		return VS_NOTFOUND;
	fake__wrote(f->db);
	(*out)->updated_at = fake_now();
	return VS_OK;
}

static enum vs_err inv_reissue(struct vs_invitation_repo *repo, struct vs_arena *a,
			       const vs_uuid *tenant, const vs_uuid *id,
			       const uint8_t nonce[VS_INVITATION_NONCE_LEN],
			       const uint8_t hash[VS_SHA256_LEN], int64_t expires_at,
			       struct vs_invitation *out)
{
	struct fake_invitations *f = repo_of(repo);
	struct fake_invitation_row *r;
	enum vs_err rc = changing(f, "invitations.reissue", tenant, id, &r);
	if (rc != VS_OK)
		return rc;
	for (size_t i = 0; i < f->store.n; i++)
		if (&f->store.rows[i] != r && pending_for(&f->store.rows[i], tenant, r->email))
			return fake__sql_error(f->db, VS_CONFLICT);
	memcpy(r->nonce, nonce, sizeof(r->nonce));
	memcpy(r->token_hash, hash, sizeof(r->token_hash));
	r->expires_at = expires_at;
	r->status = VS_INVITATION_PENDING;
	row_to_invitation(f->db, a, r, out);
	return VS_OK;
}

static enum vs_err inv_revoke(struct vs_invitation_repo *repo, struct vs_arena *a,
			      const vs_uuid *tenant, const vs_uuid *id, struct vs_invitation *out)
{
	struct fake_invitations *f = repo_of(repo);
	struct fake_invitation_row *r;
	enum vs_err rc = changing(f, "invitations.revoke", tenant, id, &r);
	if (rc != VS_OK)
		return rc;
	r->status = VS_INVITATION_REVOKED;
	row_to_invitation(f->db, a, r, out);
	return VS_OK;
}

static enum vs_err inv_accept(struct vs_invitation_repo *repo, struct vs_arena *a,
			      const vs_uuid *tenant, const vs_uuid *id, const vs_uuid *user,
			      struct vs_invitation *out)
{
	struct fake_invitations *f = repo_of(repo);
	struct fake_invitation_row *r;
	enum vs_err rc = changing(f, "invitations.accept", tenant, id, &r);
	if (rc != VS_OK)
		return rc;
	r->status = VS_INVITATION_ACCEPTED;
	r->has_user = true;
	r->user_id = *user;
	r->accepted_at = fake_now();
	row_to_invitation(f->db, a, r, out);
	return VS_OK;
}

const struct vs_invitation_repo_ops fake__invitation_ops = {
	.insert = inv_insert,
	.retire_expired = inv_retire_expired,
	.get = inv_get,
	.find_by_hash = inv_find_by_hash,
	.list = inv_list,
	.reissue = inv_reissue,
	.revoke = inv_revoke,
	.accept = inv_accept,
};
