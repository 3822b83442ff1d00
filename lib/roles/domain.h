/* Roles and permissions: entities and rules. Pure C. */
#ifndef VS_ROLES_DOMAIN_H
#define VS_ROLES_DOMAIN_H

#include "core/opt.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vs_permission {
	vs_uuid id;
	const char *code, *name, *description, *module;
};

struct vs_role {
	vs_uuid id;
	bool global;	  /* tenant_id is meaningless when set */
	vs_uuid tenant_id;
	const char *name, *description; /* description NULL when unset */
	bool is_system_role;
	int64_t created_at, updated_at;
	int64_t user_count;		   /* in list results */
	struct vs_permission *permissions; /* in get results */
	size_t npermissions;
};

struct vs_role_changes {
	struct vs_opt_str name, description;
};

/* Why role r may not be changed, or NULL when it may: system roles never; global roles
 * only by a superuser working without a tenant in context (in a tenant, even a
 * superuser's writes are confined to that tenant). */
const char *vs_role_change_refused(const struct vs_role *r, bool by_superuser, bool in_tenant);

#endif
