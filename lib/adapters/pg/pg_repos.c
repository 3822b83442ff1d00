/* The tx port and the wiring of every repository over one connection. */
#include "adapters/pg/pg_internal.h"

#include <stdlib.h>

struct vs_pg_repos {
	struct pg_tx tx;
	struct pg_users users;
	struct pg_tenants tenants;
	struct pg_memberships memberships;
	struct pg_sessions sessions;
};

static struct vs_pg *tx_pg(struct vs_tx *self)
{
	return ((struct pg_tx *)self)->pg;
}

static enum vs_err tx_begin(struct vs_tx *self)
{
	struct vs_pg *pg = tx_pg(self);
	enum vs_err rc = vs_pg_simple(pg, "BEGIN");
	/* Nothing has happened yet, so a connection found dead here can be replaced and
	 * BEGIN sent again: a database restart costs no failed request. */
	if (rc == VS_UNAVAILABLE && vs_pg_ensure(pg) == VS_OK)
		rc = vs_pg_simple(pg, "BEGIN");
	return rc;
}

static enum vs_err tx_commit(struct vs_tx *self)
{
	return vs_pg_simple(tx_pg(self), "COMMIT");
}

static void tx_rollback(struct vs_tx *self)
{
	(void)vs_pg_simple(tx_pg(self), "ROLLBACK");
}

static const struct vs_tx_ops tx_ops = { tx_begin, tx_commit, tx_rollback };

struct vs_pg_repos *vs_pg_repos_new(struct vs_pg *pg)
{
	struct vs_pg_repos *r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	r->tx = (struct pg_tx){ { &tx_ops }, pg };
	r->users = (struct pg_users){ { &vs__pg_user_ops }, pg };
	r->tenants = (struct pg_tenants){ { &vs__pg_tenant_ops }, pg };
	r->memberships = (struct pg_memberships){ { &vs__pg_membership_ops }, pg };
	r->sessions = (struct pg_sessions){ { &vs__pg_session_ops }, pg };
	return r;
}

void vs_pg_repos_free(struct vs_pg_repos *r)
{
	free(r);
}

struct vs_repos vs_pg_repos_ports(struct vs_pg_repos *r)
{
	return (struct vs_repos){
		.tx = &r->tx.base,
		.users = &r->users.base,
		.tenants = &r->tenants.base,
		.memberships = &r->memberships.base,
		.sessions = &r->sessions.base,
	};
}
