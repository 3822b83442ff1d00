/* The unit of work every use case runs in, and what it may see of tenant data. */
#ifndef VS_APP_TX_H
#define VS_APP_TX_H

#include "core/err.h"
#include "core/uuid.h"

#include <stdbool.h>

/* What a transaction may see of tenant data (row-level security): the tenant in context,
 * the principal (its own memberships), and whether the schema owner's tools ask for every
 * tenant. Platform scope for superusers is decided by the database from the principal. */
struct vs_scope {
	const vs_uuid *tenant; /* NULL: none */
	const vs_uuid *user;   /* NULL: none */
	bool operator;
};

/* One unit of work. Transactions nest: only the outermost begin/commit reach the
 * database, and a rollback inside makes the outermost commit roll back. A scope is
 * given to the outermost begin; NULL means none (tenant data then cannot be touched). */
struct vs_tx;
struct vs_tx_ops {
	enum vs_err (*begin)(struct vs_tx *, const struct vs_scope *scope);
	enum vs_err (*commit)(struct vs_tx *);
	void (*rollback)(struct vs_tx *);
};
struct vs_tx {
	const struct vs_tx_ops *ops;
};

#endif
