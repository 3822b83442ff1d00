#include "users/domain.h"

#include "core/password.h"
#include "users/messages.h"

#include <string.h>

const char *vs_user_email_check(const char *s, size_t len)
{
	/* Deliberately simple (RFC 5321 sizes, one '@', a dot in the domain, no spaces or
	 * controls): the address is proven by mail, not by a regular expression. */
	if (len < 3 || len > 254)
		return VS_MSG_EMAIL_INVALID;
	const char *at = memchr(s, '@', len);
	if (!at || at == s || at != memchr(s, '@', len) || memchr(at + 1, '@', len - (size_t)(at - s) - 1))
		return VS_MSG_EMAIL_INVALID;
	size_t local = (size_t)(at - s), domain = len - local - 1;
	if (local > 64 || domain < 3)
		return VS_MSG_EMAIL_INVALID;
	const char *dot = memchr(at + 1, '.', domain);
	if (!dot || dot == at + 1 || dot == s + len - 1 || s[len - 1] == '.')
		return VS_MSG_EMAIL_INVALID;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' ||
		    c == ',' || c == ';' || c == '\\' || c == '"')
			return VS_MSG_EMAIL_INVALID;
	}
	return NULL;
}

const char *vs_user_password_check(const char *s, size_t len)
{
	(void)s;
	if (len < VS_PASSWORD_MIN_LEN)
		return VS_MSG_PASSWORD_SHORT;
	if (len > VS_PASSWORD_MAX_LEN)
		return VS_MSG_PASSWORD_LONG;
	return NULL;
}

void vs_user_email_normalise(char *email)
{
	for (char *p = email; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}
