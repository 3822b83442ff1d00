#include "domain/tenant.h"

const char *vs_tenant_slug_check(const char *s, size_t len)
{
	if (len < 3 || len > 50)
		return "must be 3 to 50 characters";
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return "may contain only lower-case letters, digits and '-'";
	}
	return NULL;
}
