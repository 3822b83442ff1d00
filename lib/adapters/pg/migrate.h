/* Schema migrations: sql/NNN_name.sql applied in order, each once, each in its own
 * transaction, under an advisory lock so concurrent runners wait for each other. */
#ifndef VS_ADAPTERS_PG_MIGRATE_H
#define VS_ADAPTERS_PG_MIGRATE_H

#include "core/err.h"

#include <libpq-fe.h>

/* Applies what is missing from dir, then grants the application role its privileges.
 * Writes progress to stdout and a reason to err on failure. */
enum vs_err vs_migrate(PGconn *conn, const char *dir, const char *app_role, int *applied,
		       char *err, size_t errlen);

#endif
