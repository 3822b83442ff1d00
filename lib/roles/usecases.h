/* Roles (global and per tenant) and their permissions, and the permission catalogue. A
 * role of another tenant is "not found"; system roles are never changed; nobody below
 * superuser hands on a permission it does not hold. */
#ifndef VS_ROLES_USECASES_H
#define VS_ROLES_USECASES_H

#include "app/app.h"
#include "auth/domain.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/opt.h"
#include "roles/domain.h"
#include "roles/port.h"

#include <stdint.h>

/* Permission references as sent: UUIDs or codes. */
struct vs_permission_refs {
	bool set;
	const char **refs;
	size_t n;
};

struct vs_role_input {
	struct vs_opt_str name, description;
	struct vs_permission_refs permissions;
};

enum vs_err vs_roles_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			  const vs_uuid *tenant, int64_t offset, int64_t limit,
			  struct vs_role_page *out, struct vs_error *e);
enum vs_err vs_roles_get(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			 const vs_uuid *id, const vs_uuid *tenant, struct vs_role *out,
			 struct vs_error *e);
enum vs_err vs_roles_create(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *tenant, const struct vs_role_input *in,
			    struct vs_role *out, struct vs_error *e);
enum vs_err vs_roles_update(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *id, const vs_uuid *tenant,
			    const struct vs_role_input *in, struct vs_role *out,
			    struct vs_error *e);
enum vs_err vs_roles_delete(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *id, const vs_uuid *tenant, struct vs_error *e);
enum vs_err vs_roles_add_permission(struct vs_app *app, struct vs_arena *a,
				    const struct vs_principal *p, const vs_uuid *id,
				    const vs_uuid *tenant, const char *permission,
				    struct vs_error *e);
enum vs_err vs_roles_remove_permission(struct vs_app *app, struct vs_arena *a,
				       const struct vs_principal *p, const vs_uuid *id,
				       const vs_uuid *tenant, const char *permission,
				       struct vs_error *e);
enum vs_err vs_permissions_list(struct vs_app *app, struct vs_arena *a, int64_t offset,
				int64_t limit, struct vs_permission_page *out, struct vs_error *e);

/* For the modules that hand roles on (users, assignments): loads role (404 "Role not
 * found" when not visible in tenant) and refuses (403) when p does not hold every
 * permission it carries: no escalation through roles. */
enum vs_err vs_roles_require_grantable(struct vs_app *app, struct vs_arena *a,
				       const struct vs_principal *p, const vs_uuid *role,
				       const vs_uuid *tenant, struct vs_error *e);

#endif
