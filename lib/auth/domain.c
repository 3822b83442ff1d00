#include "auth/domain.h"

#include "auth/messages.h"

#include <stdlib.h>
#include <string.h>

static int cmp_code(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool vs_permset_has(const struct vs_permset *s, const char *code)
{
	return s->n && bsearch(&code, s->codes, s->n, sizeof(*s->codes), cmp_code) != NULL;
}

bool vs_permset_has_all(const struct vs_permset *s, const char *const *codes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!vs_permset_has(s, codes[i]))
			return false;
	return true;
}

bool vs_permset_has_any(const struct vs_permset *s, const char *const *codes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (vs_permset_has(s, codes[i]))
			return true;
	return false;
}

void vs_permset_normalise(struct vs_permset *s)
{
	if (s->n < 2)
		return;
	qsort(s->codes, s->n, sizeof(*s->codes), cmp_code);
	size_t out = 1;
	for (size_t i = 1; i < s->n; i++)
		if (strcmp(s->codes[i], s->codes[out - 1]) != 0)
			s->codes[out++] = s->codes[i];
	s->n = out;
}

static size_t rule_count(const struct vs_rule *rule)
{
	size_t n = 0;
	while (n < VS_RULE_MAX_PERMISSIONS && rule->permissions[n])
		n++;
	return n;
}

/* Whether p holds code: through its roles (or as superuser), and within its key's scopes. */
static bool holds(const struct vs_principal *p, const char *code)
{
	if (p->key_limited && !vs_permset_has(&p->key_scopes, code))
		return false;
	return p->user.is_superuser || vs_permset_has(&p->permissions, code);
}

bool vs_principal_allowed(const struct vs_principal *p, const struct vs_rule *rule)
{
	size_t n = rule_count(rule);
	switch (rule->kind) {
	case VS_RULE_PUBLIC:
		return true;
	case VS_RULE_AUTHENTICATED:
		return p->authenticated;
	case VS_RULE_PERMISSION:
		for (size_t i = 0; i < n; i++)
			if (!holds(p, rule->permissions[i]))
				return false;
		return p->authenticated;
	case VS_RULE_ANY_OF:
		for (size_t i = 0; i < n; i++)
			if (holds(p, rule->permissions[i]))
				return p->authenticated;
		return false;
	}
	return false;
}

bool vs_principal_holds(const struct vs_principal *p, const char *code)
{
	return p->authenticated && holds(p, code);
}

enum vs_err vs_principal_in_scope(const struct vs_principal *p, const vs_uuid *tenant,
				  const char *permission, struct vs_error *e)
{
	if (!tenant && !p->user.is_superuser)
		return vs_fail(e, VS_BADREQ, VS_MSG_TENANT_ID_REQUIRED);
	if (!vs_principal_holds(p, permission))
		return vs_fail(e, VS_FORBIDDEN, VS_MSG_FORBIDDEN);
	return VS_OK;
}

bool vs_principal_may_grant(const struct vs_principal *p, const struct vs_permset *grant)
{
	for (size_t i = 0; i < grant->n; i++)
		if (!holds(p, grant->codes[i]))
			return false;
	return p->authenticated;
}
