/* Shared by the repository files of the pg adapter only. */
#ifndef VS_ADAPTERS_PG_INTERNAL_H
#define VS_ADAPTERS_PG_INTERNAL_H

#include "adapters/pg/pg.h"
#include "core/uuid.h"

/* Each adapter embeds its port first and keeps the connection beside it. */
struct vs_host_epoch;
struct pg_tx {
	struct vs_tx base;
	struct vs_pg *pg;
	int depth;   /* nesting of begin calls; only depth 0 → 1 reaches the database */
	bool doomed; /* an inner rollback happened: the outermost commit rolls back */
	struct vs_host_epoch *epoch; /* bumped when a commit changed keys or permissions */
};
struct pg_roles {
	struct vs_role_repo base;
	struct vs_pg *pg;
};
struct pg_permissions {
	struct vs_permission_repo base;
	struct vs_pg *pg;
};
struct vs_key_cache;
/* Keys whose last_used_at a worker writes in one statement. Small enough that the write
 * is a short burst: under a first use of many keys, 64 gave a p99 about 1 ms lower than
 * 256 (README, "API keys"). */
#define PG_TOUCH_BATCH 64
struct pg_api_keys {
	struct vs_api_key_repo base;
	struct vs_pg *pg;
	struct vs_key_cache *cache;
	struct vs_host_epoch *epoch; /* shared by the host's workers, or NULL */
	uint64_t seen_epoch;
	vs_uuid touched[PG_TOUCH_BATCH]; /* keys used since the last flush */
	size_t ntouched;
	int64_t last_flush;
	/* Lookups made ahead for the requests a worker holds (vs__pg_api_keys_prefetch): the
	 * result for each id, for its key_verify to use instead of a lookup of its own. */
	struct vs_arena *prefetch_arena; /* owns the results */
	struct {
		char public_id[VS_API_KEY_PUBLIC_LEN + 1];
		const PGresult *result; /* no row: no such key */
	} prefetched[VS_PG_MAX_SCOPED_READS];
	size_t nprefetched;
	uint32_t prefetch_generation; /* the cache's, before they were asked for */
	unsigned long lookup_round_trips; /* answered; each may have served several checks */
};
struct vs_authz_cache;
struct vs_host_epoch;
struct pg_users {
	struct vs_user_repo base;
	struct vs_pg *pg;
	struct vs_authz_cache *authz; /* effective permissions per (user, tenant) */
	struct vs_host_epoch *epoch;  /* shared by the host's workers, or NULL */
	uint64_t seen_epoch;
};
struct pg_tenants {
	struct vs_tenant_repo base;
	struct vs_pg *pg;
};
struct pg_memberships {
	struct vs_membership_repo base;
	struct vs_pg *pg;
};
struct pg_sessions {
	struct vs_session_repo base;
	struct vs_pg *pg;
};

extern const struct vs_user_repo_ops vs__pg_user_ops;
extern const struct vs_tenant_repo_ops vs__pg_tenant_ops;
extern const struct vs_membership_repo_ops vs__pg_membership_ops;
extern const struct vs_session_repo_ops vs__pg_session_ops;
extern const struct vs_role_repo_ops vs__pg_role_ops;
extern const struct vs_permission_repo_ops vs__pg_permission_ops;
extern const struct vs_api_key_repo_ops vs__pg_api_key_ops;

/* Writes the batched last_used_at when due (a minute, or a full batch), or now if forced. */
void vs__pg_api_keys_write_behind(struct pg_api_keys *repo, bool force);
/* See vs_pg_repos_prefetch_keys. */
bool vs__pg_api_keys_needs_lookup(struct pg_api_keys *repo, const char *key);
void vs__pg_api_keys_prefetch(struct pg_api_keys *repo, const char *const *keys, size_t n);
void vs__pg_api_keys_prefetch_done(struct pg_api_keys *repo);

/* A UUID as a text parameter, in a caller's buffer. */
struct pg_uuid_text {
	char s[VS_UUID_STRLEN + 1];
};
static inline const char *pg_uuid_param(struct pg_uuid_text *buf, const vs_uuid *u)
{
	if (!u)
		return NULL;
	vs_uuid_format(u, buf->s);
	return buf->s;
}

/* One page of a list (vs_pg_page): `list` takes the caller's nfilter parameters, then
 * offset and limit; `count` takes the same nfilter parameters. params needs room for
 * nfilter + 2 entries. *res is owned by the arena. */
enum vs_err vs__pg_page(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *list,
			const struct vs_pg_stmt *count, const char **params, int nfilter,
			int64_t offset, int64_t limit, PGresult **res, int64_t *total);

/* '{uuid,uuid,…}': a uuid[] parameter in the arena, made of formatted UUIDs only. */
const char *pg_uuid_array_param(struct vs_arena *a, const vs_uuid *ids, size_t n);

/* "t"/"f" for a boolean parameter. */
static inline const char *pg_bool_param(bool v)
{
	return v ? "t" : "f";
}

#endif
