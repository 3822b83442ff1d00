/* What the roles module needs from storage: roles with their permissions, and the
 * permission catalogue (see users/port.h for the conventions). */
#ifndef VS_ROLES_PORT_H
#define VS_ROLES_PORT_H

#include "core/arena.h"
#include "core/err.h"
#include "roles/domain.h"

#include <stdint.h>

struct vs_role_query {
	const vs_uuid *tenant; /* global roles and this tenant's; NULL: global roles only */
	int64_t offset, limit;
};
struct vs_role_page {
	struct vs_role *items;
	size_t n;
	int64_t total;
};

/* Reads are limited to global roles and the roles of `tenant`; another tenant's role is
 * NOTFOUND. Counts of holders are per `tenant`. */
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
	/* The id of a seeded global role by name ("Member"). */
	enum vs_err (*system_role)(struct vs_role_repo *, const char *name, vs_uuid *out);
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

#endif
