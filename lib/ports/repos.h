/* The repositories and the transaction the use cases need. Each port is a const ops table
 * plus the port struct itself as `self`; adapters embed the port as their first member.
 * Strings and arrays returned are allocated in the arena passed in. */
#ifndef VS_PORTS_REPOS_H
#define VS_PORTS_REPOS_H

#include "core/arena.h"
#include "core/err.h"
#include "core/uuid.h"
#include "domain/api_key.h"
#include "domain/principal.h"
#include "domain/role.h"
#include "domain/session.h"
#include "domain/tenant.h"
#include "domain/user.h"

#include <stdbool.h>
#include <stdint.h>

/* What a transaction may see of tenant data (row-level security): the tenant in context,
 * the principal (its own memberships), and whether the schema owner's tools ask for every
 * tenant. Platform scope for superusers is decided by the database from the principal. */
struct vs_scope {
	const vs_uuid *tenant; /* NULL: none */
	const vs_uuid *user;   /* NULL: none */
	bool operator;
};

/* One unit of work. Transactions nest: only the outermost begin/commit reach the
 * database, and a rollback inside makes the outermost commit roll back. A scope is
 * given to the outermost begin; NULL means none (tenant data then cannot be touched). */
struct vs_tx;
struct vs_tx_ops {
	enum vs_err (*begin)(struct vs_tx *, const struct vs_scope *scope);
	enum vs_err (*commit)(struct vs_tx *);
	void (*rollback)(struct vs_tx *);
};
struct vs_tx {
	const struct vs_tx_ops *ops;
};

struct vs_user_query {
	const vs_uuid *tenant_id; /* only members of this tenant; NULL: everyone */
	const char *search;	  /* substring of email, first or last name; NULL: all */
	int64_t offset, limit;
};
struct vs_user_page {
	struct vs_user *items;
	size_t n;
	int64_t total;
};

/* `roles_in` names the tenant whose role names fill vs_user.roles (NULL: none). */
struct vs_user_repo;
struct vs_user_repo_ops {
	enum vs_err (*get)(struct vs_user_repo *, struct vs_arena *, const vs_uuid *id,
			   const vs_uuid *roles_in, struct vs_user *out);
	/* Fills password_hash too. */
	enum vs_err (*get_by_email)(struct vs_user_repo *, struct vs_arena *, const char *email,
				    struct vs_user *out);
	/* u->password_hash must be set; fills id and timestamps. Duplicate email → CONFLICT. */
	enum vs_err (*insert)(struct vs_user_repo *, struct vs_arena *, struct vs_user *u);
	enum vs_err (*update)(struct vs_user_repo *, struct vs_arena *, const vs_uuid *id,
			      const struct vs_user_changes *c, const vs_uuid *roles_in,
			      struct vs_user *out);
	enum vs_err (*remove)(struct vs_user_repo *, const vs_uuid *id);
	enum vs_err (*list)(struct vs_user_repo *, struct vs_arena *, const struct vs_user_query *q,
			    struct vs_user_page *out);
	/* The user with, for tenant (may be NULL), whether it exists, whether the user is a
	 * member, and the permissions its roles there carry. Unknown user → NOTFOUND. */
	enum vs_err (*principal)(struct vs_user_repo *, struct vs_arena *, const vs_uuid *id,
				 const vs_uuid *tenant, struct vs_principal *out);
	/* Whether user is a member of tenant and what it holds there: from the worker's
	 * cache, else one lookup in a transaction of its own (no request transaction open). */
	enum vs_err (*permissions)(struct vs_user_repo *, struct vs_arena *, const vs_uuid *user,
				   const vs_uuid *tenant, bool *member, struct vs_permset *out);
};
struct vs_user_repo {
	const struct vs_user_repo_ops *ops;
};

struct vs_tenant_query {
	const vs_uuid *member_id; /* only tenants this user is a member of; NULL: all */
	int64_t offset, limit;
};
struct vs_tenant_page {
	struct vs_tenant *items;
	size_t n;
	int64_t total;
};

struct vs_tenant_repo;
struct vs_tenant_repo_ops {
	enum vs_err (*get)(struct vs_tenant_repo *, struct vs_arena *, const vs_uuid *id,
			   struct vs_tenant *out);
	enum vs_err (*get_by_slug)(struct vs_tenant_repo *, struct vs_arena *, const char *slug,
				   struct vs_tenant *out);
	/* Fills id and timestamps. Duplicate name or slug → CONFLICT. */
	enum vs_err (*insert)(struct vs_tenant_repo *, struct vs_arena *, struct vs_tenant *t);
	enum vs_err (*update)(struct vs_tenant_repo *, struct vs_arena *, const vs_uuid *id,
			      const struct vs_tenant_changes *c, struct vs_tenant *out);
	enum vs_err (*remove)(struct vs_tenant_repo *, const vs_uuid *id);
	enum vs_err (*list)(struct vs_tenant_repo *, struct vs_arena *,
			    const struct vs_tenant_query *q, struct vs_tenant_page *out);
};
struct vs_tenant_repo {
	const struct vs_tenant_repo_ops *ops;
};

/* Roles held by users in tenants. */
struct vs_membership_repo;
struct vs_membership_repo_ops {
	enum vs_err (*is_member)(struct vs_membership_repo *, const vs_uuid *tenant,
				 const vs_uuid *user, bool *out);
	/* Idempotent. A role that is neither global nor the tenant's own → NOTFOUND. */
	enum vs_err (*grant)(struct vs_membership_repo *, const vs_uuid *tenant, const vs_uuid *user,
			     const vs_uuid *role);
	/* Removes every role of user in tenant; NOTFOUND when there was none. */
	enum vs_err (*leave)(struct vs_membership_repo *, const vs_uuid *tenant, const vs_uuid *user);
	/* Removes one role of user in tenant; NOTFOUND when not held. */
	enum vs_err (*revoke)(struct vs_membership_repo *, const vs_uuid *tenant, const vs_uuid *user,
			      const vs_uuid *role);
	/* The id of a seeded global role by name ("Member"). */
	enum vs_err (*system_role)(struct vs_membership_repo *, const char *name, vs_uuid *out);
};
struct vs_membership_repo {
	const struct vs_membership_repo_ops *ops;
};

struct vs_role_query {
	const vs_uuid *tenant; /* global roles and this tenant's; NULL: global roles only */
	int64_t offset, limit;
};
struct vs_role_page {
	struct vs_role *items;
	size_t n;
	int64_t total;
};

/* Roles and their permissions. Reads are limited to global roles and the roles of
 * `tenant`; another tenant's role is NOTFOUND. Counts of holders are per `tenant`. */
struct vs_role_repo;
struct vs_role_repo_ops {
	/* With its permissions. */
	enum vs_err (*get)(struct vs_role_repo *, struct vs_arena *, const vs_uuid *id,
			   const vs_uuid *tenant, struct vs_role *out);
	enum vs_err (*list)(struct vs_role_repo *, struct vs_arena *, const struct vs_role_query *q,
			    struct vs_role_page *out);
	/* r->tenant_id NULL makes a global role. Duplicate name in the scope → CONFLICT. */
	enum vs_err (*insert)(struct vs_role_repo *, struct vs_arena *, struct vs_role *r);
	enum vs_err (*update)(struct vs_role_repo *, const vs_uuid *id,
			      const struct vs_role_changes *c);
	/* Still assigned → CONFLICT. */
	enum vs_err (*remove)(struct vs_role_repo *, const vs_uuid *id);
	/* Replaces the role's permissions with ids[0..n). */
	enum vs_err (*set_permissions)(struct vs_role_repo *, const vs_uuid *role,
				       const vs_uuid *ids, size_t n);
	/* Idempotent. */
	enum vs_err (*add_permission)(struct vs_role_repo *, const vs_uuid *role,
				      const vs_uuid *permission);
	/* Not held → NOTFOUND. */
	enum vs_err (*remove_permission)(struct vs_role_repo *, const vs_uuid *role,
					 const vs_uuid *permission);
	/* Users holding the role in tenant. */
	enum vs_err (*holders)(struct vs_role_repo *, struct vs_arena *, const vs_uuid *role,
			       const vs_uuid *tenant, vs_uuid **ids, size_t *n);
	/* Replaces the holders in tenant; an unknown user → NOTFOUND. */
	enum vs_err (*set_holders)(struct vs_role_repo *, const vs_uuid *role, const vs_uuid *tenant,
				   const vs_uuid *users, size_t n);
};
struct vs_role_repo {
	const struct vs_role_repo_ops *ops;
};

struct vs_permission_page {
	struct vs_permission *items;
	size_t n;
	int64_t total;
};

/* The permission catalogue (read-only). */
struct vs_permission_repo;
struct vs_permission_repo_ops {
	enum vs_err (*list)(struct vs_permission_repo *, struct vs_arena *, int64_t offset,
			    int64_t limit, struct vs_permission_page *out);
	/* By UUID text or by code. Unknown → NOTFOUND. */
	enum vs_err (*find)(struct vs_permission_repo *, struct vs_arena *, const char *id_or_code,
			    struct vs_permission *out);
};
struct vs_permission_repo {
	const struct vs_permission_repo_ops *ops;
};

struct vs_api_key_query {
	const vs_uuid *user;   /* NULL: every owner (platform scope only) */
	const vs_uuid *tenant; /* NULL: any */
	int64_t offset, limit;
};
struct vs_api_key_page {
	struct vs_api_key *items;
	size_t n;
	int64_t total;
};

/* API keys. Reads see the caller's own keys (all in platform scope); `owner` tells a key
 * that exists but belongs to someone else from one that does not exist. */
struct vs_api_key_repo;
struct vs_api_key_repo_ops {
	/* k->hash and k->public_id set; fills id and timestamps. */
	enum vs_err (*insert)(struct vs_api_key_repo *, struct vs_arena *, struct vs_api_key *k);
	enum vs_err (*get)(struct vs_api_key_repo *, struct vs_arena *, const vs_uuid *id,
			   struct vs_api_key *out);
	/* The owner of any key, whoever may see it. Unknown → NOTFOUND. */
	enum vs_err (*owner)(struct vs_api_key_repo *, const vs_uuid *id, vs_uuid *owner);
	enum vs_err (*list)(struct vs_api_key_repo *, struct vs_arena *,
			    const struct vs_api_key_query *q, struct vs_api_key_page *out);
	enum vs_err (*update)(struct vs_api_key_repo *, struct vs_arena *, const vs_uuid *id,
			      const struct vs_api_key_changes *c, struct vs_api_key *out);
	enum vs_err (*remove)(struct vs_api_key_repo *, const vs_uuid *id);
	/* The key text → its record, hash compared in constant time, from the worker's cache
	 * or one lookup. Unknown id or wrong secret → UNAUTHORIZED. Runs outside any request
	 * transaction. */
	enum vs_err (*verify)(struct vs_api_key_repo *, struct vs_arena *, const char *key,
			      size_t len, const char *public_id, struct vs_api_key *out);
	/* Notes a use; last_used_at is written in batches, at most once a minute per key. */
	void (*touch)(struct vs_api_key_repo *, const struct vs_api_key *key);
};
struct vs_api_key_repo {
	const struct vs_api_key_repo_ops *ops;
};

/* Refresh tokens, by SHA-256 of the token. */
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

/* Everything a use case may touch, borrowed from the adapter that owns it. */
struct vs_repos {
	struct vs_tx *tx;
	struct vs_user_repo *users;
	struct vs_tenant_repo *tenants;
	struct vs_membership_repo *memberships;
	struct vs_session_repo *sessions;
	struct vs_role_repo *roles;
	struct vs_permission_repo *permissions;
	struct vs_api_key_repo *api_keys;
};

#endif
