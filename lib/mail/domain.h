/* Mail: a message and its composition as RFC 5322 / MIME bytes. Pure C: the date and the
 * randomness come in as arguments, delivery is the mailer port's (mail/port.h). */
#ifndef VS_MAIL_DOMAIN_H
#define VS_MAIL_DOMAIN_H

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"

#include <stdint.h>

#define VS_MAIL_RANDOM_LEN 16

/* name may be NULL (or empty): the bare address. UTF-8. */
struct vs_mail_address {
	const char *name;
	const char *email; /* ASCII: local@domain, dot-atoms (no SMTPUTF8) */
};

struct vs_mail {
	struct vs_mail_address from, to;
	const char *subject;	/* UTF-8 */
	const char *text;	/* text/plain body, UTF-8; line ends LF or CRLF */
	const char *html;	/* text/html body, UTF-8; NULL: text only */
	const char *message_id; /* "<left@right>"; NULL: vs_mail_message_id of the random */
};

/* NULL when email is an address we send to and put in a header unquoted: a dot-atom
 * local part (≤ 64) '@' a host name of letters, digits and hyphens (≤ 253), ≤ 254 in
 * all; else the reason. Strict on purpose: such an address cannot inject anything
 * into a header or an SMTP command. */
const char *vs_mail_email_check(const char *email);

/* NULL when name can be a display name (UTF-8 without control characters), else the
 * reason. */
const char *vs_mail_name_check(const char *name);

/* "<32 hex digits of random@the domain of from_email>", in a. from_email must pass
 * vs_mail_email_check. */
char *vs_mail_message_id(struct vs_arena *a, const uint8_t random[VS_MAIL_RANDOM_LEN],
			 const char *from_email);

/* The message as RFC 5322 / MIME bytes in a: CRLF line ends, header lines folded to 78
 * characters where a line can be broken (an address or message id longer than that
 * stays whole; no line reaches 998), non-ASCII names and subjects as RFC 2047 "B"
 * encoded-words, bodies quoted-printable (charset=utf-8, lines ≤ 76), text only or
 * multipart/alternative (text, then html). date_unix is the Date (UTC); random makes
 * the boundary and, when m->message_id is NULL, the Message-ID. A field with a control
 * character (CR, LF …; any in headers), invalid UTF-8 or a bad address → VS_INVALID,
 * with the field named in e. Same inputs, same bytes. */
enum vs_err vs_mail_compose(struct vs_arena *a, const struct vs_mail *m, int64_t date_unix,
			    const uint8_t random[VS_MAIL_RANDOM_LEN], struct vs_str *out,
			    struct vs_error *e);

#endif
