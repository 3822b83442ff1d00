/* The SMTP mailer's state, shared by its configuration (config.c) and its sending
 * (send.c). */
#ifndef VS_ADAPTERS_SMTP_INTERNAL_H
#define VS_ADAPTERS_SMTP_INTERNAL_H

#include "adapters/smtp/smtp.h"

#include <curl/curl.h>

struct smtp_mailer {
	struct vs_mailer base;
	const char *url;	     /* without userinfo and query */
	const char *user, *password; /* NULL: no AUTH */
	const char *login_options;   /* the URL's ";AUTH=…", or NULL */
	const char *ca_file;	     /* or NULL */
	long use_ssl;		     /* CURLUSESSL_* */
	struct vs_mail_address from;
	const char *mail_from; /* "<from.email>" */
	int64_t timeout_ms;
};

extern const struct vs_mailer_ops vs__smtp_ops;

#endif
