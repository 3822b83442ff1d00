#include "core/email.h"

#include <string.h>

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 5322 atext. */
static bool is_atext(unsigned char c)
{
	return is_alnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

bool vs_email_dot_atom(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' ? s[i - 1] == '.' : !is_atext((unsigned char)s[i]))
			return false;
	return true;
}

/* A host name: labels of letters, digits and inner hyphens, 1-63 each. */
static bool host_name(const char *s, size_t n)
{
	size_t label = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (is_alnum(c) || (c == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && s[n - 1] != '-';
}

bool vs_email_valid(const char *s, size_t len)
{
	const char *at = len ? memchr(s, '@', len) : NULL;
	if (!at || len > 254)
		return false;
	size_t local = (size_t)(at - s), domain = len - local - 1;
	return local <= 64 && vs_email_dot_atom(s, local) && host_name(at + 1, domain);
}

bool vs_email_domain_dotted(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);
	return at && memchr(at + 1, '.', len - (size_t)(at - s) - 1);
}
