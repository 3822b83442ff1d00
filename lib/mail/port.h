/* What sends mail: the mailer port. The runtime wires app->mailer from configuration
 * (adapters/smtp with VS_SMTP_URL, else adapters/mailfile); job handlers build a
 * struct vs_mail and call send. */
#ifndef VS_MAIL_PORT_H
#define VS_MAIL_PORT_H

#include "core/arena.h"
#include "core/err.h"
#include "mail/domain.h"

#include <stdint.h>

struct vs_mailer;
struct vs_mailer_ops {
	/* Delivers m. m->from.email NULL: the mailer's configured sender (VS_SMTP_FROM);
	 * m->message_id NULL: a fresh one. The message bytes and e->detail are allocated
	 * in a. VS_OK once the server (or the file system) has taken it;
	 * VS_UNAVAILABLE when it may work later (connection refused, timeout, TLS or
	 * login failure, an SMTP 4xx, a full disk: the job retries); VS_INVALID when it
	 * never will (an SMTP 5xx to the sender, the recipient or the message; a mail that
	 * cannot be composed); VS_INTERNAL for a bug. e->detail says why, for the job's
	 * last_error: the server's reply or the transport's error, never a credential.
	 * deadline_ms bounds the whole delivery, from now; 0: the mailer's default. */
	enum vs_err (*send)(struct vs_mailer *, struct vs_arena *, const struct vs_mail *m,
			    int64_t deadline_ms, struct vs_error *e);
};
struct vs_mailer {
	const struct vs_mailer_ops *ops;
};

#endif
