/* The mailer vs-worker sends with, chosen by the environment (runtime.h). */
#include "runtime/runtime.h"

#include "adapters/mailfile/mailfile.h"
#include "adapters/smtp/smtp.h"
#include "core/arena.h"
#include "mail/domain.h"

#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_FROM "virtualstack@localhost"
#define DEFAULT_FROM_NAME "VirtualStack"

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

bool vs_runtime_mailer(struct vs_arena *owned, struct vs_mailer **out, char *err, size_t errlen)
{
	struct vs_mail_address from = { env_or("VS_SMTP_FROM_NAME", DEFAULT_FROM_NAME),
					env_or("VS_SMTP_FROM", NULL) };
	const char *url = env_or("VS_SMTP_URL", NULL);
	struct vs_error e = { 0 };
	enum vs_err rc;
	if (url) {
		long timeout_ms;
		if (!vs_config_env_long("VS_SMTP_TIMEOUT_MS", VS_SMTP_DEFAULT_TIMEOUT_MS, 100,
					600000, &timeout_ms, err, errlen))
			return false;
		if (!from.email) {
			snprintf(err, errlen, "VS_SMTP_FROM must be set when VS_SMTP_URL is");
			return false;
		}
		struct vs_smtp_options o = {
			.url = url,
			.user = env_or("VS_SMTP_USER", NULL),
			.password = env_or("VS_SMTP_PASSWORD", NULL),
			.ca_file = env_or("VS_SMTP_CA_FILE", NULL),
			.from = from,
			.timeout_ms = timeout_ms,
		};
		rc = vs_smtp_mailer_new(owned, &o, out, &e);
	} else {
		const char *dir = env_or("VS_MAIL_DIR", NULL);
		const char *state = env_or("VS_STATE_DIR", NULL);
		if (!dir && state)
			dir = vs_arena_printf(owned, "%s/mail", state);
		if (!dir) {
			snprintf(err, errlen,
				 "set VS_SMTP_URL to send mail, or VS_MAIL_DIR to keep it in files");
			return false;
		}
		if (!from.email)
			from.email = DEFAULT_FROM;
		rc = vs_mailfile_mailer_new(owned, dir, &from, out, &e);
	}
	if (rc != VS_OK) {
		snprintf(err, errlen, "mail: %s", e.detail ? e.detail : "cannot be set up");
		return false;
	}
	return true;
}
