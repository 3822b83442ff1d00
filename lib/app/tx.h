/* Transaction helpers shared by the use-case files (internal to app/). */
#ifndef VS_APP_TX_H
#define VS_APP_TX_H

#include "app/app.h"

static inline enum vs_err vs__tx_begin(struct vs_app *app)
{
	return app->repos.tx->ops->begin(app->repos.tx);
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

#endif
