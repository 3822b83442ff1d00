/* Who is calling, what they hold in the tenant in context, and what a route requires of
 * them. Pure C: the evaluation is unit-tested without a database. */
#ifndef VS_AUTH_DOMAIN_H
#define VS_AUTH_DOMAIN_H

#include "core/err.h"
#include "users/domain.h"

#include <stdbool.h>
#include <stddef.h>

enum vs_rule_kind {
	VS_RULE_PUBLIC,	       /* no credential needed */
	VS_RULE_AUTHENTICATED, /* any active user */
	VS_RULE_PERMISSION,    /* every permission listed, in the tenant in context */
	VS_RULE_ANY_OF,	       /* at least one of them */
};

#define VS_RULE_MAX_PERMISSIONS 4

struct vs_rule {
	enum vs_rule_kind kind;
	const char *permissions[VS_RULE_MAX_PERMISSIONS]; /* catalogue codes, NULL-ended */
};

/* Permission codes, sorted (strcmp) and without duplicates. */
struct vs_permset {
	const char **codes;
	size_t n;
};

struct vs_principal {
	bool authenticated;
	struct vs_user user;
	/* About the tenant in context, when there is one: */
	bool tenant_found, member;
	struct vs_permset permissions; /* the union over the roles held there */
	/* Set when the request came with an API key: what the key is limited to. A key
	 * never has more power than its owner, and never more than its scopes. */
	bool via_key, key_limited;
	struct vs_permset key_scopes;
	vs_uuid key_id;
};

bool vs_permset_has(const struct vs_permset *s, const char *code);
bool vs_permset_has_all(const struct vs_permset *s, const char *const *codes, size_t n);
bool vs_permset_has_any(const struct vs_permset *s, const char *const *codes, size_t n);
/* Sorts and removes duplicates in place. */
void vs_permset_normalise(struct vs_permset *s);

/* Whether p holds what rule asks for. Superusers hold every permission. */
bool vs_principal_allowed(const struct vs_principal *p, const struct vs_rule *rule);
/* Whether p holds one permission (superusers hold all; a key only its scopes). */
bool vs_principal_holds(const struct vs_principal *p, const char *code);
/* For use cases on a tenant's objects or, with no tenant, the platform's (jobs, the audit
 * log): the platform's are the superusers', anyone else works in a tenant (400 as for a
 * missing X-Tenant-ID) and needs permission there (403). The routes check the same before
 * the handler runs; the use case decides it again so that no other caller skips it. */
enum vs_err vs_principal_in_scope(const struct vs_principal *p, const vs_uuid *tenant,
				  const char *permission, struct vs_error *e);
/* Whether p holds every permission of `grant` (what it may hand on to others). */
bool vs_principal_may_grant(const struct vs_principal *p, const struct vs_permset *grant);

#endif
