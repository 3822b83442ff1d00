/* The transaction fake, nested exactly like lib/adapters/pg/db.c:
 *   begin:    depth 0 → reaches the store (can fail; depth stays 0), takes the snapshot
 *             and records the scope; depth > 0 → depth++ only, the scope is ignored.
 *   commit:   depth 0 → VS_INTERNAL; depth > 1 → depth-- only; outermost: doomed →
 *             rolls back and answers VS_INTERNAL, else reaches the store (can fail).
 *   rollback: depth 0 → nothing; depth > 1 → depth-- and dooms the transaction;
 *             outermost → puts the snapshot back.
 * On top of pg, it counts what a correct use case never does (fakes.h). */
#include "fakes/internal.h"

#include <stdlib.h>

static struct fake_db *tx_db(struct vs_tx *tx)
{
	if (!tx || tx->ops != &fake__tx_ops)
		abort();
	return ((struct fake_tx *)tx)->db;
}

static void record_scope(struct fake_db *db, const struct vs_scope *s)
{
	memset(&db->scope, 0, sizeof(db->scope));
	if (!s)
		return;
	db->scope.given = true;
	db->scope.has_tenant = s->tenant != NULL;
	if (s->tenant)
		db->scope.tenant = *s->tenant;
	db->scope.has_user = s->user != NULL;
	if (s->user)
		db->scope.user = *s->user;
	db->scope.operator = s->operator;
}

static enum vs_err tx_begin(struct vs_tx *tx, const struct vs_scope *scope)
{
	struct fake_db *db = tx_db(tx);
	if (db->depth > 0) {
		fake__note(db, "tx.nested_begin");
		if (scope)
			db->scopes_ignored++;
		db->depth++;
		db->begins++;
		return VS_OK;
	}
	if (fake__call(db, "begin"))
		return VS_UNAVAILABLE;
	fake__save(db);
	record_scope(db, scope);
	db->depth = 1;
	db->aborted = db->doomed = false;
	db->begins++;
	return VS_OK;
}

/* The outermost level ends without writing anything. */
static void undo(struct fake_db *db)
{
	fake__restore(db);
	db->depth = 0;
	db->aborted = db->doomed = false;
	db->rollbacks++;
}

static enum vs_err tx_commit(struct vs_tx *tx)
{
	struct fake_db *db = tx_db(tx);
	if (db->depth == 0) {
		fake__note(db, "commit");
		db->tx_misuse++;
		return VS_INTERNAL;
	}
	/* Committing after a failed statement is a use-case bug: PostgreSQL answers such a
	 * COMMIT with a silent ROLLBACK, so the caller would report writes that never
	 * happened. */
	if (db->aborted)
		db->tx_misuse++;
	if (db->depth > 1) {
		fake__note(db, "tx.nested_commit");
		db->depth--;
		db->commits++;
		return VS_OK;
	}
	if (db->doomed) {
		fake__note(db, "commit(doomed)");
		db->doomed_commits++;
		undo(db);
		return VS_INTERNAL;
	}
	if (fake__call(db, "commit")) {
		undo(db); /* a failed COMMIT ends the transaction, writing nothing */
		return VS_UNAVAILABLE;
	}
	db->depth = 0;
	db->commits++;
	return VS_OK;
}

static void tx_rollback(struct vs_tx *tx)
{
	struct fake_db *db = tx_db(tx);
	if (db->depth == 0) {
		/* PostgreSQL answers a WARNING and does nothing; counted, not an error. */
		fake__note(db, "rollback");
		db->stray_rollbacks++;
		return;
	}
	if (db->depth > 1) {
		fake__note(db, "tx.nested_rollback");
		db->depth--;
		db->doomed = true;
		db->rollbacks++;
		return;
	}
	fake__note(db, "rollback");
	undo(db);
}

const struct vs_tx_ops fake__tx_ops = {tx_begin, tx_commit, tx_rollback};
