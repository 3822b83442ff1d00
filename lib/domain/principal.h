/* Who is calling, and what a route requires of them. Pure C. */
#ifndef VS_DOMAIN_PRINCIPAL_H
#define VS_DOMAIN_PRINCIPAL_H

#include "domain/user.h"

#include <stdbool.h>

enum vs_rule_kind {
	VS_RULE_PUBLIC,	       /* no credential needed */
	VS_RULE_AUTHENTICATED, /* any active user */
	VS_RULE_PERMISSION,    /* the named permission in the tenant in context */
	VS_RULE_SUPERUSER,     /* platform operators only */
};

struct vs_rule {
	enum vs_rule_kind kind;
	const char *permission; /* for VS_RULE_PERMISSION: a catalogue code */
};

struct vs_principal {
	bool authenticated;
	struct vs_user user;
};

/* Whether p may act under rule. Until tenant roles are evaluated, a permission is held
 * by superusers only. */
bool vs_principal_allowed(const struct vs_principal *p, const struct vs_rule *rule);

#endif
