/* Helpers shared by the use-case files (internal to app/). */
#ifndef VS_APP_INTERNAL_H
#define VS_APP_INTERNAL_H

#include "app/app.h"

/* Inside a request session this nests in its transaction; on public paths it opens one
 * with no scope (tenant data then cannot be touched). */
static inline enum vs_err vs__tx_begin(struct vs_app *app)
{
	return app->repos.tx->ops->begin(app->repos.tx, NULL);
}

/* Ends a transaction that vs__tx_begin opened: commits when rc is VS_OK, else rolls
 * back; returns the outcome. */
static inline enum vs_err vs__tx_end(struct vs_app *app, enum vs_err rc)
{
	if (rc == VS_OK)
		return app->repos.tx->ops->commit(app->repos.tx);
	app->repos.tx->ops->rollback(app->repos.tx);
	return rc;
}

/* Loads role (404 "Role not found" when not visible in tenant) and refuses (403) when p
 * does not hold every permission it carries: no escalation through roles. */
enum vs_err vs__require_role_grantable(struct vs_app *app, struct vs_arena *a,
				       const struct vs_principal *p, const vs_uuid *role,
				       const vs_uuid *tenant, struct vs_error *e);

#endif
