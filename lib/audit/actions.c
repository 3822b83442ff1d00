#include "audit/actions.h"

#include <string.h>

#define NAME(a) a,
const char *const vs_audit_actions[] = { VS_AUDIT_ACTIONS(NAME) };
#undef NAME
const size_t vs_audit_nactions = sizeof(vs_audit_actions) / sizeof(vs_audit_actions[0]);

bool vs_audit_action_known(const char *action)
{
	for (size_t i = 0; action && i < vs_audit_nactions; i++)
		if (!strcmp(vs_audit_actions[i], action))
			return true;
	return false;
}

bool vs_audit_resource_known(const char *resource, size_t len)
{
	for (size_t i = 0; i < vs_audit_nactions; i++)
		if (!strncmp(vs_audit_actions[i], resource, len) && vs_audit_actions[i][len] == '.')
			return true;
	return false;
}
