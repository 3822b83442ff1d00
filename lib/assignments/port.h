/* What the assignments module needs from storage: which roles users hold in which
 * tenants (a user holding any role in a tenant is its member). */
#ifndef VS_ASSIGNMENTS_PORT_H
#define VS_ASSIGNMENTS_PORT_H

#include "core/arena.h"
#include "core/err.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>

struct vs_assignment_repo;
struct vs_assignment_repo_ops {
	enum vs_err (*is_member)(struct vs_assignment_repo *, const vs_uuid *tenant,
				 const vs_uuid *user, bool *out);
	/* Idempotent. A role that is neither global nor the tenant's own → NOTFOUND. */
	enum vs_err (*grant)(struct vs_assignment_repo *, const vs_uuid *tenant, const vs_uuid *user,
			     const vs_uuid *role);
	/* Removes one role of user in tenant; NOTFOUND when not held. */
	enum vs_err (*revoke)(struct vs_assignment_repo *, const vs_uuid *tenant, const vs_uuid *user,
			      const vs_uuid *role);
	/* Removes every role of user in tenant; NOTFOUND when there was none. */
	enum vs_err (*leave)(struct vs_assignment_repo *, const vs_uuid *tenant, const vs_uuid *user);
	/* Users holding role in tenant. */
	enum vs_err (*holders)(struct vs_assignment_repo *, struct vs_arena *, const vs_uuid *role,
			       const vs_uuid *tenant, vs_uuid **ids, size_t *n);
	/* Replaces the holders of role in tenant; an unknown user → NOTFOUND. */
	enum vs_err (*set_holders)(struct vs_assignment_repo *, const vs_uuid *role,
				   const vs_uuid *tenant, const vs_uuid *users, size_t n);
};
struct vs_assignment_repo {
	const struct vs_assignment_repo_ops *ops;
};

#endif
