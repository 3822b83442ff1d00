#include "domain/principal.h"

bool vs_principal_allowed(const struct vs_principal *p, const struct vs_rule *rule)
{
	switch (rule->kind) {
	case VS_RULE_PUBLIC:
		return true;
	case VS_RULE_AUTHENTICATED:
		return p->authenticated;
	case VS_RULE_PERMISSION:
	case VS_RULE_SUPERUSER:
		return p->authenticated && p->user.is_superuser;
	}
	return false;
}
