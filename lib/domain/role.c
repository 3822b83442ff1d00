#include "domain/role.h"

const char *vs_role_change_refused(const struct vs_role *r, bool by_superuser, bool in_tenant)
{
	if (r->is_system_role)
		return "System roles cannot be changed.";
	if (r->global && (!by_superuser || in_tenant))
		return "Global roles can only be changed by a superuser without a tenant in "
		       "context.";
	return NULL;
}
