/* The one rule for e-mail addresses, for users, invitations and mail alike. */
#ifndef VS_CORE_EMAIL_H
#define VS_CORE_EMAIL_H

#include <stdbool.h>
#include <stddef.h>

/* local@domain: the local part an RFC 5322 dot-atom (atext runs joined by single dots,
 * at most 64 bytes), the domain a host name (labels of letters, digits and inner hyphens,
 * 1 to 63 each, joined by single dots), at most 254 bytes in all. This is WHATWG HTML's
 * "valid e-mail address" without its stray dots. An internationalised domain comes as its
 * A-label (xn--...), as browsers send it; other non-ASCII bytes are refused. */
bool vs_email_valid(const char *s, size_t len);
/* RFC 5322 dot-atom-text: atext runs joined by single dots (a Message-ID's halves too). */
bool vs_email_dot_atom(const char *s, size_t n);
/* Whether the domain of a valid address has a dot (a host on the Internet, not
 * "localhost"). */
bool vs_email_domain_dotted(const char *s, size_t len);

#endif
