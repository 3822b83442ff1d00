#include "tenants/domain.h"

#include "tenants/messages.h"

const char *vs_tenant_slug_check(const char *s, size_t len)
{
	if (len < 3 || len > 50)
		return VS_MSG_SLUG_LENGTH;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return VS_MSG_SLUG_CHARACTERS;
	}
	return NULL;
}
