/* The tx port and the wiring of every repository over one connection. */
#include "adapters/pg/authz_cache.h"
#include "adapters/pg/host_epoch.h"
#include "adapters/pg/key_cache.h"
#include "adapters/pg/pg_internal.h"

#include <stdlib.h>

struct vs_pg_repos {
	struct pg_tx tx;
	struct pg_users users;
	struct pg_tenants tenants;
	struct pg_memberships memberships;
	struct pg_sessions sessions;
	struct pg_roles roles;
	struct pg_permissions permissions;
	struct pg_api_keys api_keys;
	struct vs_host_epoch *epoch;
};

static const struct vs_pg_stmt scope_stmt = {
	"tx_enter_scope", "SELECT iam.enter_scope($1, $2, $3)", 3
};

static enum vs_err tx_begin(struct vs_tx *self, const struct vs_scope *scope)
{
	struct pg_tx *tx = (struct pg_tx *)self;
	if (tx->depth++ > 0)
		return VS_OK;
	tx->doomed = false;
	(void)vs_pg_take_auth_change(tx->pg);
	struct pg_uuid_text t, u;
	const char *params[] = {
		scope ? pg_uuid_param(&t, scope->tenant) : NULL,
		scope ? pg_uuid_param(&u, scope->user) : NULL,
		pg_bool_param(scope && scope->operator),
	};
	/* Every transaction states its scope, an empty one included: nothing is inherited
	 * from the previous transaction on this connection. */
	enum vs_err rc = vs_pg_begin_with(tx->pg, &scope_stmt, params);
	if (rc != VS_OK)
		tx->depth = 0;
	return rc;
}

static enum vs_err tx_commit(struct vs_tx *self)
{
	struct pg_tx *tx = (struct pg_tx *)self;
	if (tx->depth == 0)
		return VS_INTERNAL;
	if (--tx->depth > 0)
		return VS_OK;
	bool auth_change = vs_pg_take_auth_change(tx->pg);
	if (tx->doomed) {
		(void)vs_pg_simple(tx->pg, "ROLLBACK");
		return VS_INTERNAL;
	}
	enum vs_err rc = vs_pg_simple(tx->pg, "COMMIT");
	/* Before the response leaves: the host's other workers see the change at their
	 * very next check. */
	if (rc == VS_OK && auth_change)
		vs_host_epoch_bump(tx->epoch);
	return rc;
}

static void tx_rollback(struct vs_tx *self)
{
	struct pg_tx *tx = (struct pg_tx *)self;
	if (tx->depth == 0)
		return;
	if (--tx->depth > 0) {
		tx->doomed = true;
		return;
	}
	(void)vs_pg_take_auth_change(tx->pg);
	(void)vs_pg_simple(tx->pg, "ROLLBACK");
}

static const struct vs_tx_ops tx_ops = { tx_begin, tx_commit, tx_rollback };

struct vs_pg_repos *vs_pg_repos_new(struct vs_pg *pg, size_t key_cache_size, int64_t key_cache_ttl,
				    const char *shm_path)
{
	struct vs_pg_repos *r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	r->epoch = vs_host_epoch_open(shm_path);
	r->tx = (struct pg_tx){ { &tx_ops }, pg, 0, false, r->epoch };
	r->users = (struct pg_users){ { &vs__pg_user_ops }, pg, vs_authz_cache_new(), r->epoch,
				      vs_host_epoch_read(r->epoch) };
	vs_pg_listen(pg, VS_PG_AUTHZ_CHANNEL, vs_authz_cache_forget_all, r->users.authz);
	r->tenants = (struct pg_tenants){ { &vs__pg_tenant_ops }, pg };
	r->memberships = (struct pg_memberships){ { &vs__pg_membership_ops }, pg };
	r->sessions = (struct pg_sessions){ { &vs__pg_session_ops }, pg };
	r->roles = (struct pg_roles){ { &vs__pg_role_ops }, pg };
	r->permissions = (struct pg_permissions){ { &vs__pg_permission_ops }, pg };
	r->api_keys.base.ops = &vs__pg_api_key_ops;
	r->api_keys.pg = pg;
	r->api_keys.cache = vs_key_cache_new(key_cache_size, key_cache_ttl);
	r->api_keys.epoch = r->epoch;
	r->api_keys.seen_epoch = vs_host_epoch_read(r->epoch);
	r->api_keys.prefetch_arena = vs_arena_new();
	vs_pg_listen(pg, VS_PG_KEYS_CHANNEL, vs_key_cache_forget, r->api_keys.cache);
	return r;
}

size_t vs_pg_repos_cached_keys(const struct vs_pg_repos *r)
{
	return vs_key_cache_count(r->api_keys.cache);
}

void vs_pg_repos_cache_stats(const struct vs_pg_repos *r, struct vs_cache_stats *keys,
			     struct vs_cache_stats *permissions)
{
	*keys = *vs_key_cache_stats(r->api_keys.cache);
	*permissions = *vs_authz_cache_stats(r->users.authz);
}

unsigned long vs_pg_repos_key_lookup_round_trips(const struct vs_pg_repos *r)
{
	return r->api_keys.lookup_round_trips;
}

void vs_pg_repos_free(struct vs_pg_repos *r)
{
	if (r) {
		vs_authz_cache_free(r->users.authz);
		vs_key_cache_free(r->api_keys.cache);
		vs_arena_free(r->api_keys.prefetch_arena);
		vs_host_epoch_close(r->epoch);
	}
	free(r);
}

struct vs_repos vs_pg_repos_ports(struct vs_pg_repos *r)
{
	return (struct vs_repos){
		.tx = &r->tx.base,
		.users = &r->users.base,
		.tenants = &r->tenants.base,
		.memberships = &r->memberships.base,
		.sessions = &r->sessions.base,
		.roles = &r->roles.base,
		.permissions = &r->permissions.base,
		.api_keys = &r->api_keys.base,
	};
}

void vs_pg_repos_request_done(struct vs_pg_repos *r)
{
	r->tx.depth = 0;
	r->tx.doomed = false;
	(void)vs_pg_take_auth_change(r->tx.pg);
	vs_pg_request_done(r->tx.pg);
}

void vs_pg_repos_write_behind(struct vs_pg_repos *r, bool force)
{
	vs__pg_api_keys_write_behind(&r->api_keys, force);
}

bool vs_pg_repos_key_needs_lookup(struct vs_pg_repos *r, const char *key)
{
	return vs__pg_api_keys_needs_lookup(&r->api_keys, key);
}

void vs_pg_repos_prefetch_keys(struct vs_pg_repos *r, const char *const *keys, size_t n)
{
	vs__pg_api_keys_prefetch(&r->api_keys, keys, n);
}

void vs_pg_repos_prefetch_done(struct vs_pg_repos *r)
{
	vs__pg_api_keys_prefetch_done(&r->api_keys);
}

enum vs_err vs__pg_page(struct vs_pg *pg, struct vs_arena *a, const struct vs_pg_stmt *list,
			const struct vs_pg_stmt *count, const char **params, int nfilter,
			int64_t offset, int64_t limit, PGresult **res, int64_t *total)
{
	params[nfilter] = vs_arena_printf(a, "%lld", (long long)offset);
	params[nfilter + 1] = vs_arena_printf(a, "%lld", (long long)limit);
	return vs_pg_page(pg, a, list, count, params, res, total);
}

const char *pg_uuid_array_param(struct vs_arena *a, const vs_uuid *ids, size_t n)
{
	char *s = vs_arena_alloc(a, n * (VS_UUID_STRLEN + 1) + 3), *p = s;
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		vs_uuid_format(&ids[i], p);
		p += VS_UUID_STRLEN;
	}
	*p++ = '}';
	*p = '\0';
	return s;
}
