/* A small RBAC world on the fakes for the use-case tests, and requests run the way
 * fcgi/dispatch.c runs them: vs_session_open (one transaction scoped to the tenant and the
 * principal), the use case with the principal loaded there, vs_session_close.
 *
 * Catalogue: the codes of WORLD_CODES. Roles:
 *   Tenant Admin, Member, Viewer  global system roles (Tenant Admin: every code)
 *   Support                       global, not a system role (user:read tenant:read)
 *   acme "Ops"                    vm:read vm:create
 *   acme "Managers"               role and user management, Member's codes, no vm:create
 *   globex "Ops"                  vm:read (the same name as acme's, another scope)
 * People: root (superuser, no membership), admin (acme Tenant Admin), manager (acme
 * Managers + Viewer), ann (acme Member), gus (globex Member), idle (inactive, acme
 * Member), loner (no membership). */
#ifndef VS_TESTS_UNIT_WORLD_H
#define VS_TESTS_UNIT_WORLD_H

#include "fakes/fakes.h"

struct world {
	struct fake_db *db;
	struct vs_app app;
	struct vs_arena *a;
	vs_uuid acme, globex;
	vs_uuid tenant_admin, member, viewer, support;
	vs_uuid acme_ops, acme_managers, globex_ops;
	vs_uuid root, admin, manager, ann, gus, idle, loner;
	struct vs_principal p; /* loaded by the last world_enter / world_request */
};

void world_init(struct world *w);
void world_free(struct world *w);

/* Opens a session as user with tenant (NULL: none) in context, as the dispatcher does;
 * the test stops if it cannot. The journal is reset afterwards, the transaction stays
 * open (depth 1). */
const struct vs_principal *world_enter(struct world *w, const vs_uuid *user,
				       const vs_uuid *tenant);
/* Closes the session: commits when ok, else rolls back. */
enum vs_err world_leave(struct world *w, bool ok);

/* A use case run inside a request. */
typedef enum vs_err (*world_fn)(struct world *w, const struct vs_principal *p, void *ctx,
				struct vs_error *e);

/* open, fn, close (commit when fn succeeded); the first failure is the answer. */
enum vs_err world_request(struct world *w, const vs_uuid *user, const vs_uuid *tenant,
			  world_fn fn, void *ctx, struct vs_error *e);

/* fake_inject_each_call over world_request. Returns the number of faults injected. */
unsigned world_inject(struct world *w, const char *name, const vs_uuid *user,
		      const vs_uuid *tenant, world_fn fn, void *ctx);

/* The text form of id, in the world's arena. */
const char *world_id(struct world *w, const vs_uuid *id);

/* The store as it is now, to compare with later (free it). */
#define WORLD_SNAPSHOT(w) fake_store_copy((w)->db)

#endif
