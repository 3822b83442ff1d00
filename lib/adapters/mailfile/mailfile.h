/* The mailer port as files: each mail an RFC 5322 file <dir>/<UTC time>-<id>.eml, for the
 * local stack when no SMTP server is configured (API.md §7: $VS_STATE_DIR/mail/). A file
 * appears whole or not at all: written under a hidden temporary name in dir, fsynced,
 * renamed, the directory fsynced; mode 0640. Readers take *.eml and skip dot files. */
#ifndef VS_ADAPTERS_MAILFILE_MAILFILE_H
#define VS_ADAPTERS_MAILFILE_MAILFILE_H

#include "core/arena.h"
#include "core/err.h"
#include "mail/port.h"

/* A mailer allocated in owned, writing into dir, which it creates (with its parents,
 * mode 0750) when missing. from (VS_SMTP_FROM, VS_SMTP_FROM_NAME) is the From of a mail
 * that names none; NULL or no email: virtualstack@localhost. A bad from or a dir that
 * cannot be made → VS_INVALID with e->detail: the process should refuse to start. The
 * send's deadline is not used. */
enum vs_err vs_mailfile_mailer_new(struct vs_arena *owned, const char *dir,
				   const struct vs_mail_address *from, struct vs_mailer **out,
				   struct vs_error *e);

#endif
