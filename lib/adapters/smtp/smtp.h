/* The mailer port over SMTP, with libcurl (DESIGN.md §1: the job runner's e-mail).
 *
 * The server is a URL (VS_SMTP_URL):
 *   smtps://host[:465][/ehlo-name]                  TLS from the first byte
 *   smtp://host[:25|587][/ehlo-name][?starttls=…]   STARTTLS, by the query:
 *       required (the default): no STARTTLS from the server, no mail
 *       optional: STARTTLS when offered, else plain (no protection from an active attacker)
 *       never:    plain, for a relay on the same host
 * Credentials (AUTH, the strongest mechanism both sides know) come from the URL's
 * userinfo (smtps://user:pass@host, percent-encoded) or from VS_SMTP_USER and
 * VS_SMTP_PASSWORD, not both; they are refused unless TLS is certain (smtps:// or
 * starttls=required), so a downgrade cannot reveal them. The server's certificate is
 * always verified (system store, or VS_SMTP_CA_FILE); TLS 1.2 at least. Proxies from the
 * environment are not used. The URL's path, if any, is the EHLO name (libcurl's rule).
 *
 * Each send is one connection (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT): invitations
 * are few, and no connection state outlives a job. */
#ifndef VS_ADAPTERS_SMTP_SMTP_H
#define VS_ADAPTERS_SMTP_SMTP_H

#include "core/arena.h"
#include "core/err.h"
#include "mail/port.h"

#include <stdbool.h>
#include <stdint.h>

#define VS_SMTP_DEFAULT_TIMEOUT_MS 30000

struct vs_smtp_options {
	const char *url;	     /* VS_SMTP_URL, required */
	const char *user, *password; /* VS_SMTP_USER, VS_SMTP_PASSWORD; NULL: none */
	const char *ca_file;	     /* VS_SMTP_CA_FILE: PEM CA bundle; NULL: the system's */
	/* VS_SMTP_FROM (required), VS_SMTP_FROM_NAME: the envelope sender of every mail,
	 * and the From of a mail that names none. */
	struct vs_mail_address from;
	int64_t timeout_ms; /* VS_SMTP_TIMEOUT_MS: a send's default deadline; ≤ 0: 30 s */
};

/* libcurl's process-wide setup: once, from main, before any thread starts and before
 * the first send; vs_smtp_global_cleanup at exit. False when libcurl cannot start. */
bool vs_smtp_global_init(void);
void vs_smtp_global_cleanup(void);

/* A mailer allocated in owned, which also keeps copies of the options (the password is
 * wiped when owned is freed). A bad option → VS_INVALID with e->detail naming the
 * variable (never its value): the process should refuse to start. */
enum vs_err vs_smtp_mailer_new(struct vs_arena *owned, const struct vs_smtp_options *o,
			       struct vs_mailer **out, struct vs_error *e);

#endif
