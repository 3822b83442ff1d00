#include "roles/domain.h"

#include "roles/messages.h"

const char *vs_role_change_refused(const struct vs_role *r, bool by_superuser, bool in_tenant)
{
	if (r->is_system_role)
		return VS_MSG_SYSTEM_ROLE;
	if (r->global && (!by_superuser || in_tenant))
		return VS_MSG_GLOBAL_ROLE;
	return NULL;
}
