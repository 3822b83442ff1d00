#include "users/domain.h"

#include "core/email.h"
#include "core/password.h"
#include "users/messages.h"

#include <string.h>

const char *vs_user_email_check(const char *s, size_t len)
{
	/* core/email.h's rule, with a dot in the domain: an address is proven by mail, this
	 * only keeps out what no mail server would take. */
	return vs_email_valid(s, len) && vs_email_domain_dotted(s, len) ? NULL
									: VS_MSG_EMAIL_INVALID;
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
