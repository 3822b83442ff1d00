/* audit.events (sql/017): an event is inserted in the use case's transaction; after the
 * response, the worker takes a sequencer turn for each chain it wrote to, so an event
 * joins its chain a moment after its commit (vs-worker's turns catch what a worker that
 * died in between left pending). */
#include "adapters/pg/util.h"
#include "adapters/pg/wiring.h"
#include "audit/port.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CHAINS 8 /* chains one request writes to: its tenant's and the platform's */

static const struct vs_pg_stmt append_stmt = {
	"audit_append", "INSERT INTO audit.events (canonical) VALUES ($1)", 1
};
static const struct vs_pg_stmt chain_stmt = { "audit_chain", "SELECT audit.chain($1)", 1 };
static const struct vs_pg_stmt chain_pending_stmt = {
	"audit_chain_pending", "SELECT audit.chain_pending()", 0
};

struct pg_audit {
	struct vs_audit_log base;
	struct vs_pg *pg;
	vs_uuid chains[MAX_CHAINS]; /* written since the last turn; nil: the platform's */
	size_t nchains;
};

static void note_chain(struct pg_audit *log, const vs_uuid *tenant)
{
	vs_uuid chain = tenant ? *tenant : (vs_uuid){ { 0 } };
	for (size_t i = 0; i < log->nchains; i++)
		if (vs_uuid_eq(&log->chains[i], &chain))
			return;
	if (log->nchains < MAX_CHAINS)
		log->chains[log->nchains++] = chain;
}

static enum vs_err audit_append(struct vs_audit_log *self, const char *canonical, size_t len,
				const vs_uuid *tenant)
{
	struct pg_audit *log = (struct pg_audit *)self;
	(void)len; /* text: NUL-terminated, and never holds a NUL (canonical JSON escapes it) */
	const char *params[] = { canonical };
	enum vs_err rc = vs_pg_exec(log->pg, NULL, &append_stmt, params, NULL);
	if (rc == VS_OK)
		note_chain(log, tenant);
	return rc;
}

/* After the response: a sequencer turn per chain written. A turn that finds the chain
 * held by another leaves the events to that turn or the next; a failure leaves them
 * pending for vs-worker's. */
static void chain_written(void *ctx, bool force)
{
	struct pg_audit *log = ctx;
	(void)force;
	for (size_t i = 0; i < log->nchains; i++) {
		struct pg_uuid_text t;
		const char *params[] = { pg_uuid_param(&t, &log->chains[i]) };
		char joined[24];
		(void)vs_pg_scalar(log->pg, &chain_stmt, params, joined, sizeof(joined));
	}
	log->nchains = 0;
}

static enum vs_err audit_sequence(struct vs_audit_log *self, int *joined)
{
	struct pg_audit *log = (struct pg_audit *)self;
	char text[24] = "0";
	enum vs_err rc = vs_pg_scalar(log->pg, &chain_pending_stmt, NULL, text, sizeof(text));
	*joined = rc == VS_OK ? atoi(text) : 0;
	return rc;
}

static const struct vs_audit_log_ops ops = { .append = audit_append, .sequence = audit_sequence };

void vs_pg_audit_wire(const struct vs_pg_wiring *w, struct vs_app *app)
{
	struct pg_audit *log = vs_arena_alloc(w->owned, sizeof(*log));
	*log = (struct pg_audit){ .base = { &ops }, .pg = w->pg };
	vs_pg_db_on_write_behind(w->db, chain_written, log);
	app->audit = &log->base;
}
