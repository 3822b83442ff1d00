/* iam.users. Every query that returns users takes the tenant whose role names to include
 * as $1 (NULL: none). */
#include "adapters/pg/host_epoch.h"
#include "adapters/pg/users/authz_cache.h"
#include "adapters/pg/util.h"
#include "adapters/pg/wiring.h"
#include "core/time.h"
#include "users/port.h"

#include <string.h>

#define USER_COLS                                                                          \
	"u.id, u.email, u.first_name, u.last_name, u.is_active, u.is_superuser, "          \
	"extract(epoch FROM u.created_at)::bigint, extract(epoch FROM u.updated_at)::bigint, " \
	"coalesce((SELECT json_agg(r.name ORDER BY r.name) FROM iam.assignments m "   \
	"JOIN iam.roles r ON r.id = m.role_id WHERE m.user_id = u.id AND m.tenant_id = $1), " \
	"'[]')::text"
#define USER_NCOLS 9

static const struct vs_pg_stmt get_stmt = {
	"user_get", "SELECT " USER_COLS " FROM iam.users u WHERE u.id = $2", 2
};
static const struct vs_pg_stmt get_by_email_stmt = {
	"user_get_by_email",
	"SELECT " USER_COLS ", u.password_hash FROM iam.users u WHERE u.email = $2", 2
};
static const struct vs_pg_stmt insert_stmt = {
	"user_insert",
	"INSERT INTO iam.users AS u (email, password_hash, first_name, last_name, is_active, "
	"is_superuser) VALUES ($2, $3, $4, $5, $6, $7) RETURNING " USER_COLS,
	7
};
static const struct vs_pg_stmt update_stmt = {
	"user_update",
	"UPDATE iam.users AS u SET "
	"email = CASE WHEN $3::boolean THEN $4::text ELSE u.email END, "
	"first_name = CASE WHEN $5::boolean THEN $6::text ELSE u.first_name END, "
	"last_name = CASE WHEN $7::boolean THEN $8::text ELSE u.last_name END, "
	"is_active = CASE WHEN $9::boolean THEN $10::boolean ELSE u.is_active END, "
	"is_superuser = CASE WHEN $11::boolean THEN $12::boolean ELSE u.is_superuser END, "
	"password_hash = coalesce($13::text, u.password_hash), updated_at = now() "
	"WHERE u.id = $2 RETURNING " USER_COLS,
	13
};
/* The same, answering the row as it was too (a self-join reads the row the statement
 * started from): the columns of USER_COLS that change, after them. */
static const struct vs_pg_stmt update_before_stmt = {
	"user_update_before",
	"UPDATE iam.users AS u SET "
	"email = CASE WHEN $3::boolean THEN $4::text ELSE u.email END, "
	"first_name = CASE WHEN $5::boolean THEN $6::text ELSE u.first_name END, "
	"last_name = CASE WHEN $7::boolean THEN $8::text ELSE u.last_name END, "
	"is_active = CASE WHEN $9::boolean THEN $10::boolean ELSE u.is_active END, "
	"is_superuser = CASE WHEN $11::boolean THEN $12::boolean ELSE u.is_superuser END, "
	"password_hash = coalesce($13::text, u.password_hash), updated_at = now() "
	"FROM iam.users AS was WHERE u.id = $2 AND was.id = u.id RETURNING " USER_COLS
	", was.email, was.first_name, was.last_name, was.is_active, was.is_superuser, "
	"extract(epoch FROM was.updated_at)::bigint",
	13
};
static const struct vs_pg_stmt delete_stmt = {
	"user_delete", "DELETE FROM iam.users WHERE id = $1", 1
};
/* Users matching pattern $2 (or all when NULL): everyone ($1 NULL) in the order of
 * users_list_idx, or the members of tenant $1, found from its assignments so that the
 * cost follows the tenant's members, not every user. Pages start after ($3, $4). */
#define USER_SEARCH                                                                        \
	"($2::text IS NULL OR u.email ILIKE $2 OR u.first_name ILIKE $2 OR u.last_name ILIKE $2)"
#define USER_MEMBERS " u.id IN (SELECT f.user_id FROM iam.assignments f WHERE f.tenant_id = $1)"
#define USER_PAGE                                                                          \
	" AND (u.created_at, u.id) > ($3::timestamptz, $4::uuid) "                           \
	"ORDER BY u.created_at, u.id OFFSET $5 LIMIT $6"
static const struct vs_pg_stmt list_stmt = {
	"user_list",
	"SELECT " USER_COLS ", " VS_PG_KEY_US("u") " FROM iam.users u WHERE $1::uuid IS NULL "
	"AND " USER_SEARCH USER_PAGE,
	6
};
/* Without a search, the totals the database keeps (sql/015, sql/016) instead of a count
 * that grows with the table. */
static const struct vs_pg_stmt count_stmt = {
	"user_count",
	"SELECT CASE WHEN $2::text IS NULL THEN " VS_PG_PLATFORM_TOTAL("users") " ELSE "
	"(SELECT count(*) FROM iam.users u WHERE $1::uuid IS NULL AND " USER_SEARCH ") END",
	2
};
static const struct vs_pg_stmt member_list_stmt = {
	"user_member_list",
	"SELECT " USER_COLS ", " VS_PG_KEY_US("u") " FROM iam.users u WHERE" USER_MEMBERS
	" AND " USER_SEARCH USER_PAGE,
	6
};
static const struct vs_pg_stmt member_count_stmt = {
	"user_member_count",
	"SELECT CASE WHEN $2::text IS NULL THEN coalesce((SELECT n FROM iam.usage "
	"WHERE kind = 'members_per_tenant' AND scope = $1), 0) ELSE "
	"(SELECT count(*) FROM iam.users u WHERE" USER_MEMBERS " AND " USER_SEARCH ") END",
	2
};

/* The principal and what it holds in tenant $1, in one round trip; without the
 * permissions when the worker's cache has them. */
#define PRINCIPAL_COLS                                                                     \
	USER_COLS ", $1::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM iam.tenants t "          \
		  "WHERE t.id = $1), "                                                       \
		  "$1::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM iam.assignments m "   \
		  "WHERE m.user_id = u.id AND m.tenant_id = $1), "                            \
		  "(SELECT version FROM iam.authz_version)"
static const struct vs_pg_stmt principal_stmt = {
	"user_principal",
	"SELECT " PRINCIPAL_COLS ", "
	"coalesce((SELECT json_agg(DISTINCT p.code) FROM iam.assignments m "
	"JOIN iam.role_permissions rp ON rp.role_id = m.role_id "
	"JOIN iam.permissions p ON p.id = rp.permission_id "
	"WHERE m.user_id = u.id AND m.tenant_id = $1), '[]')::text "
	"FROM iam.users u WHERE u.id = $2",
	2
};
static const struct vs_pg_stmt principal_cached_stmt = {
	"user_principal_cached", "SELECT " PRINCIPAL_COLS " FROM iam.users u WHERE u.id = $2", 2
};

struct pg_users {
	struct vs_user_repo base;
	struct vs_pg *pg;
	struct vs_authz_cache *authz; /* effective permissions per (user, tenant) */
	struct vs_host_epoch *epoch;  /* shared by the host's workers, or NULL */
	uint64_t seen_epoch;
};

static struct vs_pg *repo_pg(struct vs_user_repo *self)
{
	return ((struct pg_users *)self)->pg;
}

static void row_to_user(struct vs_arena *a, const PGresult *r, int row, void *out)
{
	struct vs_user *u = out;
	memset(u, 0, sizeof(*u));
	vs_pg_uuid(r, row, 0, &u->id);
	u->email = vs_pg_text(a, r, row, 1);
	u->first_name = vs_pg_text(a, r, row, 2);
	u->last_name = vs_pg_text(a, r, row, 3);
	u->is_active = vs_pg_bool(r, row, 4);
	u->is_superuser = vs_pg_bool(r, row, 5);
	u->created_at = vs_pg_int64(r, row, 6);
	u->updated_at = vs_pg_int64(r, row, 7);
	u->roles = vs_pg_json_strings(a, PQgetvalue(r, row, 8), &u->nroles);
}

static void row_to_user_with_hash(struct vs_arena *a, const PGresult *r, int row, void *out)
{
	struct vs_user *u = out;
	row_to_user(a, r, row, u);
	u->password_hash = vs_pg_text(a, r, row, USER_NCOLS);
}

static enum vs_err user_get(struct vs_user_repo *self, struct vs_arena *a, const vs_uuid *id,
			    const vs_uuid *roles_in, struct vs_user *out)
{
	struct pg_uuid_text t1, t2;
	const char *params[] = { pg_uuid_param(&t1, roles_in), pg_uuid_param(&t2, id) };
	return vs_pg_one(repo_pg(self), a, &get_stmt, params, row_to_user, out);
}

static enum vs_err user_get_by_email(struct vs_user_repo *self, struct vs_arena *a,
				     const char *email, struct vs_user *out)
{
	const char *params[] = { NULL, email };
	return vs_pg_one(repo_pg(self), a, &get_by_email_stmt, params, row_to_user_with_hash, out);
}

static enum vs_err user_insert(struct vs_user_repo *self, struct vs_arena *a, struct vs_user *u)
{
	const char *params[] = { NULL,
				 u->email,
				 u->password_hash,
				 u->first_name,
				 u->last_name,
				 pg_bool_param(u->is_active),
				 pg_bool_param(u->is_superuser) };
	return vs_pg_one(repo_pg(self), a, &insert_stmt, params, row_to_user, u);
}

struct user_and_before {
	struct vs_user *before, *after;
};

static void row_to_user_and_before(struct vs_arena *a, const PGresult *r, int row, void *out)
{
	struct user_and_before *both = out;
	row_to_user(a, r, row, both->after);
	struct vs_user *b = both->before;
	*b = *both->after; /* id, created_at and the roles do not change */
	b->email = vs_pg_text(a, r, row, USER_NCOLS);
	b->first_name = vs_pg_text(a, r, row, USER_NCOLS + 1);
	b->last_name = vs_pg_text(a, r, row, USER_NCOLS + 2);
	b->is_active = vs_pg_bool(r, row, USER_NCOLS + 3);
	b->is_superuser = vs_pg_bool(r, row, USER_NCOLS + 4);
	b->updated_at = vs_pg_int64(r, row, USER_NCOLS + 5);
}

static enum vs_err user_update(struct vs_user_repo *self, struct vs_arena *a, const vs_uuid *id,
			       const struct vs_user_changes *c, const vs_uuid *roles_in,
			       struct vs_user *before, struct vs_user *out)
{
	/* Activation and superuser status decide what keys and tokens may do. */
	if (c->is_active.set || c->is_superuser.set)
		vs_pg_mark_auth_change(repo_pg(self));
	struct pg_uuid_text t1, t2;
	const char *params[] = {
		pg_uuid_param(&t1, roles_in),
		pg_uuid_param(&t2, id),
		pg_bool_param(c->email.set),
		vs_opt_str_or_null(&c->email),
		pg_bool_param(c->first_name.set),
		vs_opt_str_or_null(&c->first_name),
		pg_bool_param(c->last_name.set),
		vs_opt_str_or_null(&c->last_name),
		pg_bool_param(c->is_active.set),
		pg_bool_param(c->is_active.v),
		pg_bool_param(c->is_superuser.set),
		pg_bool_param(c->is_superuser.v),
		c->password_hash,
	};
	if (!before)
		return vs_pg_one(repo_pg(self), a, &update_stmt, params, row_to_user, out);
	struct user_and_before both = { before, out };
	return vs_pg_one(repo_pg(self), a, &update_before_stmt, params, row_to_user_and_before,
			 &both);
}

static enum vs_err user_remove(struct vs_user_repo *self, const vs_uuid *id)
{
	vs_pg_mark_auth_change(repo_pg(self));
	struct pg_uuid_text t;
	const char *params[] = { pg_uuid_param(&t, id) };
	return vs_pg_change(repo_pg(self), &delete_stmt, params);
}

/* ILIKE pattern for a substring match, with the pattern's own metacharacters escaped. */
static const char *like_pattern(struct vs_arena *a, const char *s)
{
	if (!s)
		return NULL;
	size_t len = strlen(s);
	char *p = vs_arena_alloc(a, 2 * len + 3), *q = p;
	*q++ = '%';
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
			*q++ = '\\';
		*q++ = s[i];
	}
	*q++ = '%';
	*q = '\0';
	return p;
}

static enum vs_err user_list(struct vs_user_repo *self, struct vs_arena *a,
			     const struct vs_user_query *q, struct vs_user_page *out)
{
	struct pg_uuid_text t;
	const char *params[6] = { pg_uuid_param(&t, q->tenant_id), like_pattern(a, q->search) };
	bool members = q->tenant_id != NULL;
	return vs_pg_keyed_list(repo_pg(self), a, members ? &member_list_stmt : &list_stmt,
				members ? &member_count_stmt : &count_stmt, params, 2, &q->at,
				false, row_to_user, sizeof(*out->items), &out->items, &out->n,
				&out->end);
}

static enum vs_err user_principal(struct vs_user_repo *self, struct vs_arena *a,
				  const vs_uuid *id, const vs_uuid *tenant, struct vs_principal *out)
{
	struct pg_users *repo = (struct pg_users *)self;
	struct pg_uuid_text t1, t2;
	const char *params[] = { pg_uuid_param(&t1, tenant), pg_uuid_param(&t2, id) };
	uint64_t generation = vs_authz_cache_generation(repo->authz);
	int64_t now = vs_time_mono_us() / 1000000;
	memset(out, 0, sizeof(*out));
	bool member;
	int64_t cached_version = 0;
	bool cached = tenant && vs_authz_cache_get(repo->authz, a, id, tenant, now, &member,
						   &out->permissions, &cached_version);
	PGresult *r;
	enum vs_err rc = vs_pg_exec(repo->pg, a, cached ? &principal_cached_stmt : &principal_stmt,
				    params, &r);
	/* A change this worker has not been notified of yet: read the permissions too. */
	if (rc == VS_OK && cached && PQntuples(r) == 1 &&
	    vs_pg_int64(r, 0, USER_NCOLS + 2) != cached_version) {
		cached = false;
		rc = vs_pg_exec(repo->pg, a, &principal_stmt, params, &r);
	}
	if (rc == VS_OK && PQntuples(r) == 0)
		rc = VS_NOTFOUND;
	if (rc != VS_OK)
		return rc;
	row_to_user(a, r, 0, &out->user);
	out->tenant_found = vs_pg_bool(r, 0, USER_NCOLS);
	out->member = vs_pg_bool(r, 0, USER_NCOLS + 1);
	if (!cached) {
		out->permissions.codes = vs_pg_json_strings(a, PQgetvalue(r, 0, USER_NCOLS + 3),
							    &out->permissions.n);
		vs_permset_normalise(&out->permissions);
		if (tenant)
			vs_authz_cache_put(repo->authz, id, tenant, generation, now, out->member,
					   &out->permissions, vs_pg_int64(r, 0, USER_NCOLS + 2));
	}
	return VS_OK;
}

static const struct vs_pg_stmt scope_stmt = {
	"user_permissions_scope", "SELECT iam.enter_scope($1, $2)", 2
};

static enum vs_err user_permissions(struct vs_user_repo *self, struct vs_arena *a,
				    const vs_uuid *user, const vs_uuid *tenant, bool *member,
				    struct vs_permset *out)
{
	struct pg_users *repo = (struct pg_users *)self;
	uint64_t epoch = vs_host_epoch_read(repo->epoch);
	if (epoch != repo->seen_epoch) { /* a worker of this host committed a change */
		vs_authz_cache_forget_all(repo->authz, NULL);
		repo->seen_epoch = epoch;
	}
	int64_t now = vs_time_mono_us() / 1000000, version;
	/* The check's hot path trusts the notifications (no query to compare versions). */
	if (vs_authz_cache_get(repo->authz, a, user, tenant, now, member, out, &version))
		return VS_OK;
	struct pg_uuid_text t, u;
	const char *params[] = { pg_uuid_param(&t, tenant), pg_uuid_param(&u, user) };
	enum vs_err rc = vs_pg_ensure(repo->pg);
	if (rc == VS_OK)
		rc = vs_pg_begin_with(repo->pg, &scope_stmt, params);
	if (rc != VS_OK)
		return rc;
	struct vs_principal p;
	rc = user_principal(self, a, user, tenant, &p); /* fills the cache */
	enum vs_err end = vs_pg_simple(repo->pg, rc == VS_OK ? "COMMIT" : "ROLLBACK");
	if (rc == VS_OK && end != VS_OK)
		rc = end;
	if (rc == VS_OK) {
		*member = p.member;
		*out = p.permissions;
	}
	return rc;
}

static void cache_stats(void *ctx, struct vs_db_stats *out)
{
	const struct vs_cache_stats *s = vs_authz_cache_stats(((struct pg_users *)ctx)->authz);
	out->permission_hits += s->hits;
	out->permission_misses += s->misses;
}

static void release(void *ctx)
{
	vs_authz_cache_free(((struct pg_users *)ctx)->authz);
}

static const struct vs_user_repo_ops ops = {
	.get = user_get,
	.get_by_email = user_get_by_email,
	.insert = user_insert,
	.update = user_update,
	.remove = user_remove,
	.list = user_list,
	.principal = user_principal,
	.permissions = user_permissions,
};

void vs_pg_users_wire(const struct vs_pg_wiring *w, struct vs_app *app)
{
	struct pg_users *repo = vs_arena_alloc(w->owned, sizeof(*repo));
	*repo = (struct pg_users){ { &ops }, w->pg, vs_authz_cache_new(), w->epoch,
				   vs_host_epoch_read(w->epoch) };
	vs_arena_defer(w->owned, release, repo);
	vs_pg_listen(w->pg, VS_PG_AUTHZ_CHANNEL, vs_authz_cache_forget_all, repo->authz);
	vs_pg_db_on_stats(w->db, cache_stats, repo);
	app->users = &repo->base;
}
