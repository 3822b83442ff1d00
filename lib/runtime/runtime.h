/* The one wiring of the application: configuration → PostgreSQL adapter → repositories →
 * use cases. vs-fcgi, vs-admin and vs-worker each open one runtime and use rt->app; none
 * of them builds the adapters itself. */
#ifndef VS_RUNTIME_RUNTIME_H
#define VS_RUNTIME_RUNTIME_H

#include "app/app.h"
#include "core/config.h"
#include "core/ed25519.h"
#include "core/jwt.h"
#include "adapters/http/net.h"
#include "webhooks/port.h"

#include <stdbool.h>
#include <stddef.h>

struct vs_runtime_options {
	bool need_jwt; /* mints or verifies access tokens: refuse to start without a secret */
	bool offline;  /* configuration only, no database (vs-fcgi --check-config) */
	bool tool;     /* a command-line tool: small caches, no host epoch, long statements */
	bool runner;   /* a thread of vs-worker: small caches (it checks no keys) */
	bool mailer;   /* sends mail: app.mailer from VS_SMTP_* or VS_MAIL_DIR (mailer.c) */
	bool queue;    /* vs-worker's coordinator: only queue calls, commits not waited for */
	bool signer;   /* signs audit checkpoints: keeps VS_AUDIT_SIGNING_KEY's private half */
	bool sender;   /* delivers webhooks: app.webhook_sender (libcurl, VS_WEBHOOK_CA_FILE) */
};

struct vs_pg;
struct vs_arena;
struct vs_host_epoch;

struct vs_runtime {
	struct vs_config cfg;
	struct vs_jwt_keys jwt;
	struct vs_ed25519 audit_key; /* from VS_AUDIT_SIGNING_KEY, when set */
	struct vs_webhook_settings webhooks; /* from VS_WEBHOOK_* */
	struct vs_webhook_net webhook_net;   /* where they may go, likewise */
	struct vs_app app; /* what the use cases are given */
	/* Private to runtime.c: */
	struct vs_pg *pg;
	struct vs_arena *owned; /* the repositories and their caches */
	struct vs_host_epoch *epoch;
};

/* app.mailer, from the environment: SMTP when VS_SMTP_URL is set (VS_SMTP_FROM,
 * VS_SMTP_FROM_NAME, VS_SMTP_USER, VS_SMTP_PASSWORD, VS_SMTP_CA_FILE, VS_SMTP_TIMEOUT_MS),
 * else RFC 5322 files in VS_MAIL_DIR (default $VS_STATE_DIR/mail). False with a reason in
 * err when neither can be built. The mailer lives in owned. */
bool vs_runtime_mailer(struct vs_arena *owned, struct vs_mailer **out, char *err, size_t errlen);

/* rt->webhooks from the environment: VS_WEBHOOK_ALLOW_HTTP, VS_WEBHOOK_ALLOW_PRIVATE,
 * VS_WEBHOOK_ALLOW_ADDRESSES, VS_WEBHOOK_RETRY_MS (the schedule, for tests),
 * VS_WEBHOOK_DISABLE_AFTER_S. False with a reason naming the variable. */
bool vs_runtime_webhook_settings(struct vs_webhook_settings *out, struct vs_webhook_net *net,
				 char *err, size_t errlen);

/* Reads the configuration and builds everything; does not wait for the database (a
 * worker answers 503 until it is there). On failure writes a one-line reason into err,
 * leaves nothing to release, and returns false. */
bool vs_runtime_open(struct vs_runtime *rt, const struct vs_runtime_options *opt, char *err,
		     size_t errlen);
void vs_runtime_close(struct vs_runtime *rt);

/* Applies the migrations of sql_dir not yet applied, as the database owner (vs-admin
 * migrate), granting the application role its privileges. */
bool vs_runtime_migrate(struct vs_runtime *rt, const char *sql_dir, const char *app_role,
			int *applied, char *err, size_t errlen);

#endif
