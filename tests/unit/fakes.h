/* In-memory fakes behind the ports of lib/ports/repos.h, for the use-case tests.
 *
 * Each fake adapter embeds its port first (as lib/adapters/pg does) and points at one
 * fake_db that holds the store. The transaction fake copies the whole store at begin and
 * copies it back at rollback, so "nothing was written" is a memcmp against a snapshot.
 *
 * Fault injection (SQLite style): every port call, begin and commit included, counts;
 * when fail_after is N the N-th call returns VS_UNAVAILABLE. As in PostgreSQL, a failure
 * inside a transaction aborts it: every later call fails until the rollback, and a commit
 * of an aborted transaction fails, rolls back, and counts as a misuse. */
#ifndef VS_TESTS_UNIT_FAKES_H
#define VS_TESTS_UNIT_FAKES_H

#include "app/app.h"
#include "core/password.h"
#include "ports/repos.h"

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stdint.h>

#define FAKE_MAX_USERS	  16
#define FAKE_MAX_TENANTS  8
#define FAKE_MAX_ROLES	  8
#define FAKE_MAX_GRANTS	  32
#define FAKE_MAX_SESSIONS 32
#define FAKE_MAX_JOURNAL  128

/* The password of every seeded user, and its hash (made once per process). */
#define FAKE_PASSWORD "correct horse battery staple"
const char *fake_password_hash(void);

struct fake_user_row {
	vs_uuid id;
	char email[256], first_name[128], last_name[128];
	bool has_first_name, has_last_name, is_active, is_superuser;
	char password_hash[VS_PASSWORD_HASH_MAX];
	int64_t created_at, updated_at;
};

struct fake_tenant_row {
	vs_uuid id;
	char name[128], slug[64], description[256];
	bool has_description, is_active;
	int64_t created_at, updated_at;
};

struct fake_role_row {
	vs_uuid id;
	char name[64];
	bool global; /* else it belongs to tenant_id */
	vs_uuid tenant_id;
};

struct fake_grant_row {
	vs_uuid tenant_id, user_id, role_id;
};

struct fake_session_row {
	struct vs_refresh_token t;
	uint8_t hash[32];
};

/* Everything a database would keep. Copied whole by begin and rollback. */
struct fake_store {
	struct fake_user_row users[FAKE_MAX_USERS];
	size_t nusers;
	struct fake_tenant_row tenants[FAKE_MAX_TENANTS];
	size_t ntenants;
	struct fake_role_row roles[FAKE_MAX_ROLES];
	size_t nroles;
	struct fake_grant_row grants[FAKE_MAX_GRANTS];
	size_t ngrants;
	struct fake_session_row sessions[FAKE_MAX_SESSIONS];
	size_t nsessions;
};

struct fake_db;

struct fake_tx {
	struct vs_tx base;
	struct fake_db *db;
};
struct fake_users {
	struct vs_user_repo base;
	struct fake_db *db;
};
struct fake_tenants {
	struct vs_tenant_repo base;
	struct fake_db *db;
};
struct fake_memberships {
	struct vs_membership_repo base;
	struct fake_db *db;
};
struct fake_sessions {
	struct vs_session_repo base;
	struct fake_db *db;
};

struct fake_db {
	struct fake_store store; /* what readers see now */
	struct fake_store saved; /* the store at begin, put back by rollback */

	/* Transaction journal */
	bool in_tx, aborted;
	int begins, commits, rollbacks;
	int writes_outside_tx; /* a mutation with no transaction open: always a bug */
	int tx_misuse;	       /* begin inside a transaction, commit outside one or after
				* a failed call */
	int stray_rollbacks;   /* rollback with no transaction open (after a failed begin) */

	/* Fault injection */
	unsigned calls;		 /* port calls so far; rollback excluded (it cannot fail) */
	unsigned fail_after;	 /* 0: never; N: the N-th call fails with VS_UNAVAILABLE */
	bool injected;		 /* the N-th call happened */
	const char *injected_op; /* and was this port function */

	/* What was called, in order (names of the port functions) */
	const char *journal[FAKE_MAX_JOURNAL];
	size_t njournal;
	vs_uuid revoked_families[8];
	size_t nrevoked;

	struct fake_tx tx;
	struct fake_users users;
	struct fake_tenants tenants;
	struct fake_memberships memberships;
	struct fake_sessions sessions;
};

/* A zeroed database with its ports wired; free with fake_db_free. */
struct fake_db *fake_db_new(void);
void fake_db_free(struct fake_db *db);
void fake_repos(struct fake_db *db, struct vs_repos *out);

/* The clock behind vs_app.now. */
int64_t fake_now(void);
void fake_clock_set(int64_t t);
void fake_clock_advance(int64_t seconds);

/* An app on db with the test JWT keys, access TTL 900 s, refresh TTL 30 days. */
#define FAKE_ACCESS_TTL	 900
#define FAKE_REFRESH_TTL (30 * 86400)
void fake_app_init(struct vs_app *app, struct fake_db *db);
const struct vs_jwt_keys *fake_jwt_keys(void);

/* Seeding writes straight into the store: no call is counted, no transaction needed. */
vs_uuid fake_seed_user(struct fake_db *db, const char *email, const char *password_hash,
		       bool active, bool superuser);
vs_uuid fake_seed_tenant(struct fake_db *db, const char *name, const char *slug);
vs_uuid fake_seed_role(struct fake_db *db, const char *name, const vs_uuid *tenant);
void fake_seed_grant(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user,
		     const vs_uuid *role);

/* Removes a user behind the use cases' back (as another request would). */
void fake_drop_user(struct fake_db *db, const vs_uuid *id);

/* Lookups for assertions. */
struct fake_user_row *fake_user(struct fake_db *db, const vs_uuid *id);
struct fake_user_row *fake_user_by_email(struct fake_db *db, const char *email);
struct fake_session_row *fake_session_by_token(struct fake_db *db, const char *token);
size_t fake_grants_of(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user);
bool fake_has_grant(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user,
		    const vs_uuid *role);
size_t fake_called(const struct fake_db *db, const char *op);
bool fake_store_equal(const struct fake_store *a, const struct fake_store *b);

/* Resets the journal and the fault counters, keeping the store. */
void fake_reset_journal(struct fake_db *db);

/* Fault injection over a whole use case: for N = 1, 2, … runs op on a fresh copy of the
 * current store with the N-th port call failing, and asserts each time that op answers
 * VS_UNAVAILABLE (in its return value and in e), left the store exactly as it was, and
 * closed its transaction. Stops at the first N that op completes without meeting; that
 * run must return VS_OK. Returns the number of faults injected. */
typedef enum vs_err (*fake_op)(void *ctx, struct vs_error *e);
unsigned fake_inject_each_call(struct fake_db *db, const char *name, fake_op op, void *ctx);

/* No transaction left open, no write outside one, no misuse. */
#define FAKE_ASSERT_TX_CLEAN(db)                                                                   \
	do {                                                                                       \
		CU_ASSERT_FALSE((db)->in_tx);                                                      \
		CU_ASSERT_EQUAL((db)->writes_outside_tx, 0);                                       \
		CU_ASSERT_EQUAL((db)->tx_misuse, 0);                                               \
		CU_ASSERT_EQUAL((db)->begins, (db)->commits + (db)->rollbacks);                    \
	} while (0)

#endif
