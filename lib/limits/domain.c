#include "limits/domain.h"

#include <stdint.h>
#include <string.h>

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && memcmp(s + n - m, suffix, m) == 0;
}

enum vs_limit_scope vs_limit_scope_of(const char *kind)
{
	if (ends_with(kind, "_per_tenant"))
		return VS_LIMIT_PER_TENANT;
	if (ends_with(kind, "_per_user"))
		return VS_LIMIT_PER_USER;
	return VS_LIMIT_SCOPE_NONE;
}

bool vs_limit_max_valid(long long max)
{
	return max >= 0 && max <= INT32_MAX;
}
