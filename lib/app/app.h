/* What every use case is given: the transaction, the database's life, the settings, the
 * clock and each module's ports. Built once per process (runtime/runtime.h) from the
 * adapters, or from fakes in the unit tests. Use cases live in their modules
 * (<module>/usecases.h); they are the only code that opens transactions and decides
 * authorization, so auditing can record every mutation in the same transaction. */
#ifndef VS_APP_APP_H
#define VS_APP_APP_H

#include "app/tx.h"
#include "core/err.h"

#include <stdint.h>

struct vs_db;
struct vs_jwt_keys;
struct vs_mailer;
struct vs_audit_origin;
struct vs_ed25519;
struct vs_webhook_settings;
struct vs_webhook_sender;
struct vs_webhook_guard;

struct vs_app {
	struct vs_tx *tx;
	struct vs_db *db;
	const struct vs_jwt_keys *jwt;	 /* NULL in tools that mint no tokens */
	int64_t access_ttl, refresh_ttl; /* seconds */
	int64_t (*now)(void);		 /* Unix seconds; a port so tests can move time */
	const char *public_url;		 /* VS_PUBLIC_URL: links in e-mail start with it */
	struct vs_mailer *mailer;	 /* vs-worker only (runtime option .mailer); else NULL */
	/* The request being served (its client address and id, for audit events), set by
	 * the worker per request; NULL outside one. */
	const struct vs_audit_origin *origin;
	/* VS_AUDIT_SIGNING_KEY: vs-worker signs checkpoints with it, the workers show its
	 * public half; NULL when none is configured. */
	const struct vs_ed25519 *audit_key;
	/* The webhooks' retry schedule (VS_WEBHOOK_*), where they may go, and what sends them
	 * (vs-worker's runners only, runtime option .sender; else NULL). */
	const struct vs_webhook_settings *webhook_settings;
	struct vs_webhook_guard *webhook_guard;
	struct vs_webhook_sender *webhook_sender;

	/* The modules' ports: one line each. */
	struct vs_user_repo *users;
	struct vs_tenant_repo *tenants;
	struct vs_role_repo *roles;
	struct vs_permission_repo *permissions;
	struct vs_assignment_repo *assignments;
	struct vs_api_key_repo *api_keys;
	struct vs_session_repo *sessions;
	struct vs_job_repo *jobs;
	struct vs_job_queue *job_queue;
	struct vs_invitation_repo *invitations;
	struct vs_limit_repo *limits;
	struct vs_audit_log *audit;
	struct vs_webhook_repo *webhooks;
};

/* A transaction of the use case's own. Inside a request session it nests in the
 * request's transaction; on public paths it opens one with no scope (tenant data then
 * cannot be touched). */
static inline enum vs_err vs_app_begin(struct vs_app *app)
{
	return app->tx->ops->begin(app->tx, NULL);
}

/* Ends a transaction vs_app_begin opened: commits when rc is VS_OK, else rolls back;
 * returns the outcome. */
static inline enum vs_err vs_app_end(struct vs_app *app, enum vs_err rc)
{
	if (rc == VS_OK)
		return app->tx->ops->commit(app->tx);
	app->tx->ops->rollback(app->tx);
	return rc;
}

#endif
