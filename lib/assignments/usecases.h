/* Assignments: the roles users hold in tenants, granted one at a time
 * (/tenants/{tenant_id}/users/{user_id}/roles) or replaced per role (/roles/{id}/users). */
#ifndef VS_ASSIGNMENTS_USECASES_H
#define VS_ASSIGNMENTS_USECASES_H

#include "app/app.h"
#include "assignments/port.h"
#include "auth/domain.h"
#include "core/arena.h"
#include "core/err.h"

#include <stddef.h>

/* Gives user the role in tenant (idempotent) / takes it away. */
enum vs_err vs_assignments_grant(struct vs_app *app, struct vs_arena *a,
				 const struct vs_principal *p, const vs_uuid *tenant,
				 const vs_uuid *user, const vs_uuid *role, struct vs_error *e);
enum vs_err vs_assignments_revoke(struct vs_app *app, struct vs_arena *a,
				  const struct vs_principal *p, const vs_uuid *tenant,
				  const vs_uuid *user, const vs_uuid *role, struct vs_error *e);
/* The users holding role in tenant / replacing them all. */
enum vs_err vs_assignments_holders(struct vs_app *app, struct vs_arena *a,
				   const struct vs_principal *p, const vs_uuid *role,
				   const vs_uuid *tenant, vs_uuid **users, size_t *n,
				   struct vs_error *e);
enum vs_err vs_assignments_set_holders(struct vs_app *app, struct vs_arena *a,
				       const struct vs_principal *p, const vs_uuid *role,
				       const vs_uuid *tenant, const vs_uuid *users, size_t n,
				       struct vs_error *e);

#endif
