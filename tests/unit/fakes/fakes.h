/* In-memory fakes behind the modules' ports (lib/<module>/port.h), for the use-case tests.
 *
 * Each fake adapter embeds its port first (as lib/adapters/pg does) and points at one
 * fake_db that holds the store. One file per port: tx.c, users.c, tenants.c,
 * assignments.c, sessions.c, roles.c (roles and the permission catalogue), api_keys.c;
 * db.c holds the database, the journal and fault injection, seed.c the seeding helpers.
 * A module outside IAM keeps its fake's rows in a store of its own and attaches it
 * (fake_db_attach), so that transactions cover it too.
 *
 * Transactions nest exactly as in lib/adapters/pg/db.c: only the outermost begin
 * and commit reach the store. The outermost begin copies the whole store and records its
 * scope; a rollback at depth > 1 only dooms the transaction; the outermost rollback, and
 * the outermost commit of a doomed transaction (which fails with VS_INTERNAL), copy the
 * snapshot back. So "nothing was written" is a memcmp against a snapshot.
 *
 * Fault injection (SQLite style): every call that reaches the store counts, the outermost
 * begin and commit included (inner begin/commit/rollback never reach it and cannot fail);
 * when fail_after is N the N-th call returns VS_UNAVAILABLE. As in PostgreSQL, a failure
 * inside a transaction aborts it: every later call fails until the rollback, and a commit
 * of an aborted transaction fails, rolls back, and counts as a misuse. Constraint errors
 * that PostgreSQL raises (unique and foreign-key violations) abort it the same way. */
#ifndef VS_TESTS_UNIT_FAKES_H
#define VS_TESTS_UNIT_FAKES_H

#include "api_keys/port.h"
#include "app/app.h"
#include "app/db.h"
#include "assignments/port.h"
#include "core/password.h"
#include "audit/port.h"
#include "invitations/port.h"
#include "jobs/port.h"
#include "roles/port.h"
#include "sessions/port.h"
#include "tenants/port.h"
#include "users/port.h"

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stdint.h>

#define FAKE_MAX_USERS	     16
#define FAKE_MAX_TENANTS     8
#define FAKE_MAX_ROLES	     16
#define FAKE_MAX_PERMISSIONS 48
#define FAKE_MAX_ROLE_PERMS  192
#define FAKE_MAX_GRANTS	     48
#define FAKE_MAX_SESSIONS    32
#define FAKE_MAX_JOURNAL     128
#define FAKE_MAX_ATTACHED    4
#define FAKE_MAX_API_KEYS    16
#define FAKE_MAX_JOBS	     16

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
	char name[128], description[256];
	bool has_description;
	bool global; /* else it belongs to tenant_id */
	vs_uuid tenant_id;
	bool is_system_role;
	int64_t created_at, updated_at;
};

/* The catalogue (iam.permissions). */
struct fake_permission_row {
	vs_uuid id;
	char code[64], name[64], module[32];
};

/* iam.role_permissions */
struct fake_role_perm_row {
	vs_uuid role_id, permission_id;
};

/* iam.assignments: role holders, and so memberships. */
struct fake_grant_row {
	vs_uuid tenant_id, user_id, role_id;
};

/* iam.api_keys */
#define FAKE_MAX_KEY_SCOPES 8
struct fake_api_key_row {
	vs_uuid id, user_id, tenant_id;
	bool global, is_active, expires;
	char name[128], description[256];
	bool has_description;
	char public_id[VS_API_KEY_PUBLIC_LEN + 1];
	uint8_t hash[32];
	char scopes[FAKE_MAX_KEY_SCOPES][64];
	size_t nscopes;
	int64_t expires_at, last_used_at, created_at, updated_at;
};

struct fake_session_row {
	struct vs_refresh_token t;
	uint8_t hash[32];
};

/* Everything a database would keep. Copied whole by begin and rollback. */
/* audit.events: an event's canonical JSON and the chain it joins (nil: the platform's). */
#define FAKE_MAX_AUDIT 16
struct fake_audit_row {
	char canonical[768];
	vs_uuid chain;
};

struct fake_store {
	struct fake_user_row users[FAKE_MAX_USERS];
	size_t nusers;
	struct fake_tenant_row tenants[FAKE_MAX_TENANTS];
	size_t ntenants;
	struct fake_role_row roles[FAKE_MAX_ROLES];
	size_t nroles;
	struct fake_permission_row permissions[FAKE_MAX_PERMISSIONS];
	size_t npermissions;
	struct fake_role_perm_row role_perms[FAKE_MAX_ROLE_PERMS];
	size_t nrole_perms;
	struct fake_grant_row grants[FAKE_MAX_GRANTS];
	size_t ngrants;
	struct fake_session_row sessions[FAKE_MAX_SESSIONS];
	size_t nsessions;
	struct fake_api_key_row api_keys[FAKE_MAX_API_KEYS];
	size_t napi_keys;
	struct fake_audit_row audit[FAKE_MAX_AUDIT];
	size_t naudit;
};

/* The scope the outermost begin was given (copied: the caller's pointers do not last). */
struct fake_scope {
	bool given; /* false: begin(NULL) */
	bool has_tenant, has_user, operator;
	vs_uuid tenant, user;
};

struct fake_db;

struct fake_tx {
	struct vs_tx base;
	struct fake_db *db;
};
struct fake_audit {
	struct vs_audit_log base;
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
struct fake_assignments {
	struct vs_assignment_repo base;
	struct fake_db *db;
};
struct fake_sessions {
	struct vs_session_repo base;
	struct fake_db *db;
};
struct fake_roles {
	struct vs_role_repo base;
	struct fake_db *db;
};
struct fake_api_keys {
	struct vs_api_key_repo base;
	struct fake_db *db;
	size_t touches; /* uses noted (touch): written behind by the real adapter */
};
struct fake_permissions {
	struct vs_permission_repo base;
	struct fake_db *db;
};

struct fake_db {
	struct fake_store store; /* what readers see now */
	struct fake_store saved; /* the store at the outermost begin, put back by rollback */
	struct {
		void *rows, *saved; /* saved: malloc'd, size bytes */
		size_t size;
	} attached[FAKE_MAX_ATTACHED]; /* the stores of modules outside IAM */
	size_t nattached;

	/* Transaction state, as pg_repos.c keeps it */
	int depth;	     /* 0: no transaction */
	bool doomed;	     /* an inner rollback happened: the outermost commit rolls back */
	bool aborted;	     /* a statement failed: every later call fails until the end */
	struct fake_scope scope; /* of the current (or last) outermost begin */

	/* Transaction journal: begins, commits and rollbacks count every level, so a
	 * balanced use case has begins == commits + rollbacks (a failed or doomed outermost
	 * commit counts as a rollback). */
	int begins, commits, rollbacks;
	int doomed_commits;    /* outermost commits refused because an inner level rolled back */
	int scopes_ignored;    /* an inner begin given a scope: pg ignores it */
	int writes_outside_tx; /* a mutation with no transaction open: always a bug */
	int tx_misuse;	       /* commit outside a transaction, or after a failed call */
	int stray_rollbacks;   /* rollback with no transaction open (after a failed begin) */

	/* Fault injection */
	unsigned calls;		 /* calls that reached the store so far; rollback excluded */
	unsigned fail_after;	 /* 0: never; N: the N-th call fails with VS_UNAVAILABLE */
	bool injected;		 /* the N-th call happened */
	const char *injected_op; /* and was this port function */

	/* What was called, in order (names of the port functions) */
	const char *journal[FAKE_MAX_JOURNAL];
	size_t njournal;
	vs_uuid revoked_families[8];
	size_t nrevoked;

	/* A one-shot hook run when a port function is called, before it does anything: what
	 * another request commits in between (fake_on_call). */
	const char *hook_op;
	void (*hook)(struct fake_db *db, void *ctx);
	void *hook_ctx;

	struct fake_tx tx;
	struct fake_users users;
	struct fake_tenants tenants;
	struct fake_assignments assignments;
	struct fake_sessions sessions;
	struct fake_roles roles;
	struct fake_permissions permissions;
	struct fake_api_keys api_keys;
	struct fake_audit audit;
};

/* jobs.jobs: a module outside IAM, so its rows are a store of their own, attached to the
 * database (fake_jobs_init). Strings are empty for NULL, as the has_ flags say. */
struct fake_job_row {
	vs_uuid id, tenant_id, resource_id, created_by;
	bool has_tenant, has_resource, has_creator, has_result, has_last_error;
	char kind[64], payload[256], result[256], last_error[256], resource_type[32];
	char unique_key[64];
	enum vs_job_status status;
	int attempts, max_attempts;
	int64_t run_at, created_at, started_at, finished_at;
};
struct fake_job_store {
	struct fake_job_row rows[FAKE_MAX_JOBS];
	size_t n;
};
/* The job repository fake: sees what row-level security lets the transaction's scope see
 * (the tenant in context; every job in platform scope or with no principal). */
struct fake_jobs {
	struct vs_job_repo base;
	struct fake_db *db;
	struct fake_job_store store;
};

/* Wires jobs to db (its store attached) and sets app->jobs. */
void fake_jobs_init(struct fake_jobs *jobs, struct fake_db *db, struct vs_app *app);
/* A job of kind in status (tenant NULL: a platform job), created now, written straight
 * into the store; the times and attempts its status implies are set. The row, to adjust. */
struct fake_job_row *fake_seed_job(struct fake_jobs *jobs, const vs_uuid *tenant, const char *kind,
				   enum vs_job_status status);
struct fake_job_row *fake_job(struct fake_jobs *jobs, const vs_uuid *id);
/* A runner claims job id behind the use cases' back (running, one attempt more): committed
 * by another transaction, so a rollback of the one open now keeps it. */
void fake_jobs_claim(struct fake_jobs *jobs, const vs_uuid *id);

/* A zeroed database with its ports wired; free with fake_db_free. */
struct fake_db *fake_db_new(void);
void fake_db_free(struct fake_db *db);
/* Points app's transaction and IAM ports at db. */
void fake_app_ports(struct fake_db *db, struct vs_app *app);

/* A module's own store (size bytes at rows): begin saves it with the IAM store, rollback
 * puts it back, fault injection restores it. At most FAKE_MAX_ATTACHED. */
void fake_db_attach(struct fake_db *db, void *rows, size_t size);

/* The clock behind vs_app.now. */
int64_t fake_now(void);
void fake_clock_set(int64_t t);
void fake_clock_advance(int64_t seconds);

/* An app on db with the test JWT keys, access TTL 900 s, refresh TTL 30 days. */
#define FAKE_ACCESS_TTL	 900
#define FAKE_REFRESH_TTL (30 * 86400)
void fake_app_init(struct vs_app *app, struct fake_db *db);
const struct vs_jwt_keys *fake_jwt_keys(void);
/* A valid access token for user, in arena a. */
const char *fake_access_token(struct vs_arena *a, const vs_uuid *user);

/* Seeding writes straight into the store: no call is counted, no transaction needed. */
vs_uuid fake_seed_user(struct fake_db *db, const char *email, const char *password_hash,
		       bool active, bool superuser);
vs_uuid fake_seed_tenant(struct fake_db *db, const char *name, const char *slug);
/* A catalogue entry: name = code, module = the part before ':'. */
vs_uuid fake_seed_permission(struct fake_db *db, const char *code);
/* A role holding codes (NULL-ended, NULL for none; each must be in the catalogue). */
vs_uuid fake_seed_role_with(struct fake_db *db, const char *name, const vs_uuid *tenant,
			    bool system, const char *const *codes);
/* A non-system role without permissions; tenant NULL makes it global. */
vs_uuid fake_seed_role(struct fake_db *db, const char *name, const vs_uuid *tenant);
void fake_seed_grant(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user,
		     const vs_uuid *role);
/* A key of user (tenant NULL: GLOBAL) limited to scopes (NULL-ended; NULL: none); its
 * text, in the arena, is valid for vs_api_keys_authenticate. */
const char *fake_seed_api_key(struct fake_db *db, struct vs_arena *a, const vs_uuid *user,
			      const vs_uuid *tenant, const char *const *scopes, vs_uuid *id);

/* Removes a user behind the use cases' back, as another request would: committed, so a
 * rollback of the transaction open now does not bring the user back. */
void fake_drop_user(struct fake_db *db, const vs_uuid *id);

/* Runs fn(db, ctx) once, when port function op ("assignments.set_holders") is next called. */
void fake_on_call(struct fake_db *db, const char *op, void (*fn)(struct fake_db *, void *),
		  void *ctx);

/* ---- invitations (invitations.c): a repository with a store of its own, attached ---- */

#define FAKE_MAX_INVITATIONS 16

/* iam.invitations */
struct fake_invitation_row {
	vs_uuid id, tenant_id, role_id, inviter_id, user_id;
	bool has_inviter, has_user;
	char email[256];
	enum vs_invitation_status status; /* as stored */
	uint8_t nonce[VS_INVITATION_NONCE_LEN], token_hash[VS_SHA256_LEN];
	int64_t expires_at, accepted_at, created_at, updated_at;
};

struct fake_invitations {
	struct vs_invitation_repo base;
	struct fake_db *db;
	struct {
		struct fake_invitation_row rows[FAKE_MAX_INVITATIONS];
		size_t n;
	} store; /* attached to db */
};

/* A repository on db's transactions, set as app->invitations; free it (free()) after db. */
struct fake_invitations *fake_invitations_new(struct fake_db *db, struct vs_app *app);
struct fake_invitation_row *fake_invitation(struct fake_invitations *f, const vs_uuid *id);

/* The events written and committed so far, oldest first: the canonical JSON of each
 * (NULL past the last), and how many there are. */
const char *fake_audit_event(struct fake_db *db, size_t i);
size_t fake_audit_count(struct fake_db *db);

/* Lookups for assertions. */
struct fake_user_row *fake_user(struct fake_db *db, const vs_uuid *id);
struct fake_user_row *fake_user_by_email(struct fake_db *db, const char *email);
struct fake_tenant_row *fake_tenant(struct fake_db *db, const vs_uuid *id);
struct fake_role_row *fake_role(struct fake_db *db, const vs_uuid *id);
struct fake_role_row *fake_role_by_name(struct fake_db *db, const char *name,
					const vs_uuid *tenant);
struct fake_permission_row *fake_permission(struct fake_db *db, const vs_uuid *id);
struct fake_permission_row *fake_permission_by_code(struct fake_db *db, const char *code);
bool fake_role_has(struct fake_db *db, const vs_uuid *role, const char *code);
size_t fake_role_npermissions(struct fake_db *db, const vs_uuid *role);
struct fake_session_row *fake_session_by_token(struct fake_db *db, const char *token);
struct fake_api_key_row *fake_api_key(struct fake_db *db, const vs_uuid *id);
size_t fake_grants_of(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user);
size_t fake_holders_of(struct fake_db *db, const vs_uuid *role, const vs_uuid *tenant);
bool fake_has_grant(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user,
		    const vs_uuid *role);
bool fake_is_member(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user);
size_t fake_called(const struct fake_db *db, const char *op);
bool fake_store_equal(const struct fake_store *a, const struct fake_store *b);
/* A heap copy of the current store (free it), for "nothing changed" assertions. */
struct fake_store *fake_store_copy(const struct fake_db *db);

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
		CU_ASSERT_EQUAL((db)->depth, 0);                                                   \
		CU_ASSERT_EQUAL((db)->writes_outside_tx, 0);                                       \
		CU_ASSERT_EQUAL((db)->tx_misuse, 0);                                               \
		CU_ASSERT_EQUAL((db)->doomed_commits, 0);                                          \
		CU_ASSERT_EQUAL((db)->scopes_ignored, 0);                                          \
		CU_ASSERT_EQUAL((db)->begins, (db)->commits + (db)->rollbacks);                    \
	} while (0)

#endif
