#include "webhooks/event_types.h"

#include "audit/actions.h"

#include <string.h>

#define WHY "must be an action of the audit log, audit.checkpoint, \"*\", or <resource>.*"

const char *vs_webhook_event_type_check(const char *s, size_t len)
{
	if (!s)
		return "must be a string";
	if (strlen(s) != len)
		return WHY;
	if (!strcmp(s, "*") || !strcmp(s, VS_WEBHOOK_CHECKPOINT_EVENT))
		return NULL;
	if (len > 2 && s[len - 2] == '.' && s[len - 1] == '*')
		return vs_audit_resource_known(s, len - 2) ? NULL : WHY;
	return vs_audit_action_known(s) ? NULL : WHY;
}

bool vs_webhook_matches(const char *const *types, size_t n, const char *type)
{
	const char *dot = strchr(type, '.');
	size_t resource = dot ? (size_t)(dot - type) : strlen(type);
	for (size_t i = 0; i < n; i++) {
		const char *t = types[i];
		size_t len = strlen(t);
		if (!strcmp(t, "*") || !strcmp(t, type) ||
		    (len == resource + 2 && !strncmp(t, type, resource) && !strcmp(t + resource, ".*")))
			return true;
	}
	return false;
}
