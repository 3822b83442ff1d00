/* The fake database: clock and keys for the app, the journal every fake adapter writes
 * to, and fault injection over whole use cases (see fakes.h). */
#include "fakes/internal.h"

#include "core/jwt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- clock, keys, password ---- */

static int64_t clock_now = 1795428000; /* 2026-11-23T10:00:00Z */

int64_t fake_now(void)
{
	return clock_now;
}

void fake_clock_set(int64_t t)
{
	clock_now = t;
}

void fake_clock_advance(int64_t seconds)
{
	clock_now += seconds;
}

static const unsigned char jwt_key[] = "fake-app-signing-key-0123456789-ABCDEFGHIJKLMNOPQRSTUV";
static struct vs_jwt_keys jwt_keys;
static bool jwt_keys_ready;

const struct vs_jwt_keys *fake_jwt_keys(void)
{
	if (!jwt_keys_ready) {
		if (vs_jwt_keys_init(&jwt_keys, jwt_key, sizeof(jwt_key) - 1, "virtualstack",
				     "virtualstack-api") != VS_OK)
			abort();
		jwt_keys_ready = true;
	}
	return &jwt_keys;
}

const char *fake_password_hash(void)
{
	static char hash[VS_PASSWORD_HASH_MAX];
	if (!hash[0] && vs_password_hash(FAKE_PASSWORD, strlen(FAKE_PASSWORD), hash) != VS_OK)
		abort();
	return hash;
}

void fake_app_init(struct vs_app *app, struct fake_db *db)
{
	memset(app, 0, sizeof(*app));
	fake_app_ports(db, app);
	app->jwt = fake_jwt_keys();
	app->access_ttl = FAKE_ACCESS_TTL;
	app->refresh_ttl = FAKE_REFRESH_TTL;
	app->now = fake_now;
}

const char *fake_access_token(struct vs_arena *a, const vs_uuid *user)
{
	struct vs_access_claims c = {
	    .sub = *user, .iat = fake_now(), .exp = fake_now() + FAKE_ACCESS_TTL};
	vs_uuid_v4(&c.jti);
	const char *token = NULL;
	if (vs_jwt_issue(a, fake_jwt_keys(), &c, &token) != VS_OK)
		abort();
	return token;
}

/* ---- journal ---- */

void fake__note(struct fake_db *db, const char *op)
{
	if (db->njournal < FAKE_MAX_JOURNAL)
		db->journal[db->njournal++] = op;
}

void fake_on_call(struct fake_db *db, const char *op, void (*fn)(struct fake_db *, void *),
		  void *ctx)
{
	db->hook_op = op;
	db->hook = fn;
	db->hook_ctx = ctx;
}

bool fake__call(struct fake_db *db, const char *op)
{
	fake__note(db, op);
	if (db->hook && strcmp(db->hook_op, op) == 0) {
		void (*fn)(struct fake_db *, void *) = db->hook;
		db->hook = NULL;
		fn(db, db->hook_ctx);
	}
	db->calls++;
	if (db->fail_after && db->calls == db->fail_after) {
		db->injected = true;
		db->injected_op = op;
		if (db->depth > 0)
			db->aborted = true;
		return true;
	}
	/* PostgreSQL: "current transaction is aborted, commands ignored until end of
	 * transaction block". */
	return db->depth > 0 && db->aborted;
}

void fake__wrote(struct fake_db *db)
{
	if (db->depth == 0)
		db->writes_outside_tx++;
}

enum vs_err fake__sql_error(struct fake_db *db, enum vs_err rc)
{
	if (db->depth > 0)
		db->aborted = true;
	return rc;
}

void fake__copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		abort(); /* a test seeded something too big for the fake */
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* ---- the database ---- */

struct fake_db *fake_db_new(void)
{
	struct fake_db *db = calloc(1, sizeof(*db));
	if (!db)
		abort();
	db->tx = (struct fake_tx){{&fake__tx_ops}, db};
	db->users = (struct fake_users){{&fake__user_ops}, db};
	db->tenants = (struct fake_tenants){{&fake__tenant_ops}, db};
	db->assignments = (struct fake_assignments){{&fake__assignment_ops}, db};
	db->sessions = (struct fake_sessions){{&fake__session_ops}, db};
	db->roles = (struct fake_roles){{&fake__role_ops}, db};
	db->permissions = (struct fake_permissions){{&fake__permission_ops}, db};
	db->api_keys = (struct fake_api_keys){{&fake__api_key_ops}, db, 0};
	db->audit = (struct fake_audit){{&fake__audit_ops}, db};
	return db;
}

void fake_db_free(struct fake_db *db)
{
	for (size_t i = 0; i < db->nattached; i++)
		free(db->attached[i].saved);
	free(db);
}

void fake_app_ports(struct fake_db *db, struct vs_app *app)
{
	app->tx = &db->tx.base;
	app->users = &db->users.base;
	app->tenants = &db->tenants.base;
	app->assignments = &db->assignments.base;
	app->sessions = &db->sessions.base;
	app->roles = &db->roles.base;
	app->permissions = &db->permissions.base;
	app->api_keys = &db->api_keys.base;
	app->audit = &db->audit.base;
}

void fake_db_attach(struct fake_db *db, void *rows, size_t size)
{
	if (db->nattached == FAKE_MAX_ATTACHED)
		abort(); /* raise FAKE_MAX_ATTACHED */
	void *saved = malloc(size);
	if (!saved)
		abort();
	db->attached[db->nattached].rows = rows;
	db->attached[db->nattached].saved = saved;
	db->attached[db->nattached].size = size;
	db->nattached++;
}

void fake__save(struct fake_db *db)
{
	memcpy(&db->saved, &db->store, sizeof(db->store));
	for (size_t i = 0; i < db->nattached; i++)
		memcpy(db->attached[i].saved, db->attached[i].rows, db->attached[i].size);
}

void fake__restore(struct fake_db *db)
{
	memcpy(&db->store, &db->saved, sizeof(db->store));
	for (size_t i = 0; i < db->nattached; i++)
		memcpy(db->attached[i].rows, db->attached[i].saved, db->attached[i].size);
}

void fake_reset_journal(struct fake_db *db)
{
	db->begins = db->commits = db->rollbacks = 0;
	db->doomed_commits = db->scopes_ignored = 0;
	db->writes_outside_tx = db->tx_misuse = db->stray_rollbacks = 0;
	db->calls = db->fail_after = 0;
	db->injected = false;
	db->injected_op = NULL;
	db->njournal = 0;
	db->nrevoked = 0;
}

size_t fake_called(const struct fake_db *db, const char *op)
{
	size_t n = 0;
	for (size_t i = 0; i < db->njournal; i++)
		n += strcmp(db->journal[i], op) == 0;
	return n;
}

bool fake_store_equal(const struct fake_store *a, const struct fake_store *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

struct fake_store *fake_store_copy(const struct fake_db *db)
{
	struct fake_store *s = malloc(sizeof(*s));
	if (!s)
		abort();
	memcpy(s, &db->store, sizeof(*s));
	return s;
}

/* ---- fault injection ---- */

unsigned fake_inject_each_call(struct fake_db *db, const char *name, fake_op op, void *ctx)
{
	enum { MAX_CALLS = 64 };
	struct fake_store *base = malloc(sizeof(*base));
	void *attached_base[FAKE_MAX_ATTACHED];
	if (!base)
		abort();
	memcpy(base, &db->store, sizeof(*base));
	for (size_t i = 0; i < db->nattached; i++) {
		if (!(attached_base[i] = malloc(db->attached[i].size)))
			abort();
		memcpy(attached_base[i], db->attached[i].rows, db->attached[i].size);
	}
	unsigned faults = 0;
	bool completed = false;
	for (unsigned n = 1; n <= MAX_CALLS && !completed; n++) {
		memcpy(&db->store, base, sizeof(*base));
		for (size_t i = 0; i < db->nattached; i++)
			memcpy(db->attached[i].rows, attached_base[i], db->attached[i].size);
		fake_reset_journal(db);
		db->depth = 0;
		db->aborted = db->doomed = false;
		db->fail_after = n;
		struct vs_error e = {0};
		enum vs_err rc = op(ctx, &e);
		if (!db->injected) {
			completed = true;
			if (rc != VS_OK)
				fprintf(stderr, "\n  %s: the run without a fault gave rc=%d (%s)\n",
					name, rc, e.detail ? e.detail : "no detail");
			CU_ASSERT_EQUAL(rc, VS_OK);
			FAKE_ASSERT_TX_CLEAN(db);
			break;
		}
		faults++;
		bool attached_same = true;
		for (size_t i = 0; i < db->nattached; i++)
			attached_same = attached_same && memcmp(db->attached[i].rows, attached_base[i],
								db->attached[i].size) == 0;
		bool clean = rc == VS_UNAVAILABLE && e.code == VS_UNAVAILABLE &&
			     fake_store_equal(&db->store, base) && attached_same && db->depth == 0 &&
			     db->writes_outside_tx == 0 && db->tx_misuse == 0 &&
			     db->doomed_commits == 0 && db->scopes_ignored == 0 &&
			     db->begins == db->commits + db->rollbacks;
		if (!clean)
			fprintf(stderr,
				"\n  %s: failing call %u (%s) gave rc=%d e.code=%d store %s, "
				"tx %s, begins=%d commits=%d rollbacks=%d misuse=%d doomed=%d\n",
				name, n, db->injected_op, rc, e.code,
				fake_store_equal(&db->store, base) ? "unchanged" : "CHANGED",
				db->depth ? "OPEN" : "closed", db->begins, db->commits,
				db->rollbacks, db->tx_misuse, db->doomed_commits);
		CU_ASSERT_EQUAL(rc, VS_UNAVAILABLE);
		CU_ASSERT_EQUAL(e.code, VS_UNAVAILABLE);
		CU_ASSERT_TRUE(fake_store_equal(&db->store, base));
		CU_ASSERT_TRUE(attached_same);
		FAKE_ASSERT_TX_CLEAN(db);
	}
	CU_ASSERT_TRUE(completed);
	db->fail_after = 0;
	free(base);
	for (size_t i = 0; i < db->nattached; i++)
		free(attached_base[i]);
	return faults;
}

