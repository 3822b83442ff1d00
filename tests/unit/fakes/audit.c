/* audit.events in the store: an event is kept with the transaction that wrote it (a
 * rollback drops it, as PostgreSQL would); chaining is the database's and not faked. */
#include "fakes/internal.h"

#include <stdlib.h>

static struct fake_db *audit_db(struct vs_audit_log *log)
{
	return ((struct fake_audit *)log)->db;
}

static enum vs_err audit_append(struct vs_audit_log *log, const char *canonical, size_t len,
				const vs_uuid *tenant)
{
	struct fake_db *db = audit_db(log);
	if (fake__call(db, "audit.append"))
		return VS_UNAVAILABLE;
	if (db->store.naudit == FAKE_MAX_AUDIT || len >= sizeof(db->store.audit[0].canonical))
		abort(); /* a test writes more than the fake holds: raise the limits */
	fake__wrote(db);
	struct fake_audit_row *r = &db->store.audit[db->store.naudit++];
	memcpy(r->canonical, canonical, len + 1);
	r->chain = tenant ? *tenant : (vs_uuid){ { 0 } };
	return VS_OK;
}

const struct vs_audit_log_ops fake__audit_ops = { .append = audit_append };

const char *fake_audit_event(struct fake_db *db, size_t i)
{
	return i < db->store.naudit ? db->store.audit[i].canonical : NULL;
}

size_t fake_audit_count(struct fake_db *db)
{
	return db->store.naudit;
}
