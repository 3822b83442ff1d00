/* In-memory fake repositories and transaction (see fakes.h). */
#include "fakes.h"

#include "core/crypto.h"

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
	fake_repos(db, &app->repos);
	app->jwt = fake_jwt_keys();
	app->access_ttl = FAKE_ACCESS_TTL;
	app->refresh_ttl = FAKE_REFRESH_TTL;
	app->now = fake_now;
}

/* ---- journal and fault injection ---- */

/* Records op and says whether it must fail. */
static bool call(struct fake_db *db, const char *op)
{
	if (db->njournal < FAKE_MAX_JOURNAL)
		db->journal[db->njournal++] = op;
	db->calls++;
	if (db->fail_after && db->calls == db->fail_after) {
		db->injected = true;
		db->injected_op = op;
		if (db->in_tx)
			db->aborted = true;
		return true;
	}
	/* PostgreSQL: "current transaction is aborted, commands ignored until end of
	 * transaction block". */
	return db->in_tx && db->aborted;
}

static void wrote(struct fake_db *db)
{
	if (!db->in_tx)
		db->writes_outside_tx++;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		abort(); /* a test seeded something too big for the fake */
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* ---- tx ---- */

static struct fake_db *tx_db(struct vs_tx *tx)
{
	return ((struct fake_tx *)tx)->db;
}

static enum vs_err tx_begin(struct vs_tx *tx)
{
	struct fake_db *db = tx_db(tx);
	if (call(db, "begin"))
		return VS_UNAVAILABLE;
	if (db->in_tx) {
		db->tx_misuse++;
		return VS_INTERNAL;
	}
	memcpy(&db->saved, &db->store, sizeof(db->store));
	db->in_tx = true;
	db->aborted = false;
	db->begins++;
	return VS_OK;
}

static void undo(struct fake_db *db)
{
	memcpy(&db->store, &db->saved, sizeof(db->store));
	db->in_tx = false;
	db->aborted = false;
	db->rollbacks++;
}

static enum vs_err tx_commit(struct vs_tx *tx)
{
	struct fake_db *db = tx_db(tx);
	if (!db->in_tx) {
		db->tx_misuse++;
		return VS_INTERNAL;
	}
	/* Committing after a failed statement is a use-case bug: PostgreSQL answers such a
	 * COMMIT with a silent ROLLBACK, so the caller would report writes that never
	 * happened. */
	if (db->aborted)
		db->tx_misuse++;
	if (call(db, "commit")) {
		undo(db); /* a failed COMMIT ends the transaction, writing nothing */
		return VS_UNAVAILABLE;
	}
	db->in_tx = false;
	db->commits++;
	return VS_OK;
}

static void tx_rollback(struct vs_tx *tx)
{
	struct fake_db *db = tx_db(tx);
	if (db->njournal < FAKE_MAX_JOURNAL)
		db->journal[db->njournal++] = "rollback";
	if (!db->in_tx) {
		/* PostgreSQL answers a WARNING and does nothing; counted, not an error. */
		db->stray_rollbacks++;
		return;
	}
	undo(db);
}

static const struct vs_tx_ops fake_tx_ops = {tx_begin, tx_commit, tx_rollback};

/* ---- users ---- */

static const struct vs_user_repo_ops fake_user_ops;

static struct fake_db *users_db(struct vs_user_repo *r)
{
	if (!r || r->ops != &fake_user_ops)
		abort();
	return ((struct fake_users *)r)->db;
}

struct fake_user_row *fake_user(struct fake_db *db, const vs_uuid *id)
{
	for (size_t i = 0; i < db->store.nusers; i++)
		if (vs_uuid_eq(&db->store.users[i].id, id))
			return &db->store.users[i];
	return NULL;
}

struct fake_user_row *fake_user_by_email(struct fake_db *db, const char *email)
{
	for (size_t i = 0; i < db->store.nusers; i++)
		if (strcmp(db->store.users[i].email, email) == 0)
			return &db->store.users[i];
	return NULL;
}

static struct fake_role_row *find_role(struct fake_db *db, const vs_uuid *id)
{
	for (size_t i = 0; i < db->store.nroles; i++)
		if (vs_uuid_eq(&db->store.roles[i].id, id))
			return &db->store.roles[i];
	return NULL;
}

static struct fake_tenant_row *find_tenant(struct fake_db *db, const vs_uuid *id)
{
	for (size_t i = 0; i < db->store.ntenants; i++)
		if (vs_uuid_eq(&db->store.tenants[i].id, id))
			return &db->store.tenants[i];
	return NULL;
}

static void row_to_user(struct fake_db *db, struct vs_arena *a, const struct fake_user_row *r,
			const vs_uuid *roles_in, struct vs_user *out)
{
	memset(out, 0, sizeof(*out));
	out->id = r->id;
	out->email = vs_arena_strdup(a, r->email);
	out->first_name = r->has_first_name ? vs_arena_strdup(a, r->first_name) : NULL;
	out->last_name = r->has_last_name ? vs_arena_strdup(a, r->last_name) : NULL;
	out->is_active = r->is_active;
	out->is_superuser = r->is_superuser;
	out->created_at = r->created_at;
	out->updated_at = r->updated_at;
	if (!roles_in)
		return;
	out->roles = vs_arena_array(a, FAKE_MAX_GRANTS, sizeof(*out->roles));
	for (size_t i = 0; i < db->store.ngrants; i++) {
		const struct fake_grant_row *g = &db->store.grants[i];
		if (!vs_uuid_eq(&g->tenant_id, roles_in) || !vs_uuid_eq(&g->user_id, &r->id))
			continue;
		const struct fake_role_row *role = find_role(db, &g->role_id);
		if (role)
			out->roles[out->nroles++] = vs_arena_strdup(a, role->name);
	}
}

static enum vs_err user_get(struct vs_user_repo *repo, struct vs_arena *a, const vs_uuid *id,
			    const vs_uuid *roles_in, struct vs_user *out)
{
	struct fake_db *db = users_db(repo);
	if (call(db, "users.get"))
		return VS_UNAVAILABLE;
	const struct fake_user_row *r = fake_user(db, id);
	if (!r)
		return VS_NOTFOUND;
	row_to_user(db, a, r, roles_in, out);
	return VS_OK;
}

static enum vs_err user_get_by_email(struct vs_user_repo *repo, struct vs_arena *a,
				     const char *email, struct vs_user *out)
{
	struct fake_db *db = users_db(repo);
	if (call(db, "users.get_by_email"))
		return VS_UNAVAILABLE;
	const struct fake_user_row *r = fake_user_by_email(db, email);
	if (!r)
		return VS_NOTFOUND;
	row_to_user(db, a, r, NULL, out);
	out->password_hash = vs_arena_strdup(a, r->password_hash);
	return VS_OK;
}

static enum vs_err user_insert(struct vs_user_repo *repo, struct vs_arena *a, struct vs_user *u)
{
	(void)a;
	struct fake_db *db = users_db(repo);
	if (call(db, "users.insert"))
		return VS_UNAVAILABLE;
	if (!u->password_hash || !u->email)
		return VS_INTERNAL; /* NOT NULL columns */
	if (fake_user_by_email(db, u->email))
		return VS_CONFLICT;
	if (db->store.nusers == FAKE_MAX_USERS)
		return VS_INTERNAL;
	wrote(db);
	struct fake_user_row *r = &db->store.users[db->store.nusers++];
	memset(r, 0, sizeof(*r));
	vs_uuid_v4(&r->id);
	copy_str(r->email, sizeof(r->email), u->email);
	r->has_first_name = u->first_name != NULL;
	copy_str(r->first_name, sizeof(r->first_name), u->first_name);
	r->has_last_name = u->last_name != NULL;
	copy_str(r->last_name, sizeof(r->last_name), u->last_name);
	r->is_active = u->is_active;
	r->is_superuser = u->is_superuser;
	copy_str(r->password_hash, sizeof(r->password_hash), u->password_hash);
	r->created_at = r->updated_at = fake_now();
	u->id = r->id;
	u->created_at = r->created_at;
	u->updated_at = r->updated_at;
	return VS_OK;
}

static enum vs_err user_update(struct vs_user_repo *repo, struct vs_arena *a, const vs_uuid *id,
			       const struct vs_user_changes *c, const vs_uuid *roles_in,
			       struct vs_user *out)
{
	struct fake_db *db = users_db(repo);
	if (call(db, "users.update"))
		return VS_UNAVAILABLE;
	struct fake_user_row *r = fake_user(db, id);
	if (!r)
		return VS_NOTFOUND;
	if (c->email.set && !c->email.null) {
		struct fake_user_row *other = fake_user_by_email(db, c->email.p);
		if (other && other != r)
			return VS_CONFLICT;
	}
	wrote(db);
	if (c->email.set && !c->email.null)
		copy_str(r->email, sizeof(r->email), c->email.p);
	if (c->first_name.set) {
		r->has_first_name = !c->first_name.null;
		copy_str(r->first_name, sizeof(r->first_name),
			 c->first_name.null ? NULL : c->first_name.p);
	}
	if (c->last_name.set) {
		r->has_last_name = !c->last_name.null;
		copy_str(r->last_name, sizeof(r->last_name),
			 c->last_name.null ? NULL : c->last_name.p);
	}
	if (c->is_active.set)
		r->is_active = c->is_active.v;
	if (c->is_superuser.set)
		r->is_superuser = c->is_superuser.v;
	if (c->password_hash)
		copy_str(r->password_hash, sizeof(r->password_hash), c->password_hash);
	r->updated_at = fake_now();
	row_to_user(db, a, r, roles_in, out);
	return VS_OK;
}

/* Deletes rows of an array in place where keep() is false. */
#define FAKE_FILTER(rows, n, keep_expr)                                                            \
	do {                                                                                       \
		size_t kept_ = 0;                                                                  \
		for (size_t i_ = 0; i_ < (n); i_++) {                                              \
			const __typeof__((rows)[0]) *row = &(rows)[i_];                            \
			if (keep_expr)                                                             \
				(rows)[kept_++] = (rows)[i_];                                      \
		}                                                                                  \
		memset(&(rows)[kept_], 0, ((n)-kept_) * sizeof((rows)[0]));                        \
		(n) = kept_;                                                                       \
	} while (0)

static enum vs_err user_remove(struct vs_user_repo *repo, const vs_uuid *id)
{
	struct fake_db *db = users_db(repo);
	if (call(db, "users.remove"))
		return VS_UNAVAILABLE;
	if (!fake_user(db, id))
		return VS_NOTFOUND;
	wrote(db);
	/* ON DELETE CASCADE: memberships and sessions go with the user. */
	FAKE_FILTER(db->store.users, db->store.nusers, !vs_uuid_eq(&row->id, id));
	FAKE_FILTER(db->store.grants, db->store.ngrants, !vs_uuid_eq(&row->user_id, id));
	FAKE_FILTER(db->store.sessions, db->store.nsessions, !vs_uuid_eq(&row->t.user_id, id));
	return VS_OK;
}

static bool is_member_of(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user)
{
	return fake_grants_of(db, tenant, user) > 0;
}

static bool user_matches(struct fake_db *db, const struct fake_user_row *r,
			 const struct vs_user_query *q)
{
	if (q->tenant_id && !is_member_of(db, q->tenant_id, &r->id))
		return false;
	if (q->search && !strstr(r->email, q->search) && !strstr(r->first_name, q->search) &&
	    !strstr(r->last_name, q->search))
		return false;
	return true;
}

static enum vs_err user_list(struct vs_user_repo *repo, struct vs_arena *a,
			     const struct vs_user_query *q, struct vs_user_page *out)
{
	struct fake_db *db = users_db(repo);
	if (call(db, "users.list"))
		return VS_UNAVAILABLE;
	memset(out, 0, sizeof(*out));
	out->items = vs_arena_array(a, FAKE_MAX_USERS, sizeof(*out->items));
	int64_t seen = 0;
	for (size_t i = 0; i < db->store.nusers; i++) {
		if (!user_matches(db, &db->store.users[i], q))
			continue;
		if (seen >= q->offset && (int64_t)out->n < q->limit)
			row_to_user(db, a, &db->store.users[i], q->tenant_id,
				    &out->items[out->n++]);
		seen++;
	}
	out->total = seen;
	return VS_OK;
}

static const struct vs_user_repo_ops fake_user_ops = {
    user_get, user_get_by_email, user_insert, user_update, user_remove, user_list,
};

/* ---- tenants ---- */

static const struct vs_tenant_repo_ops fake_tenant_ops;

static struct fake_db *tenants_db(struct vs_tenant_repo *r)
{
	if (!r || r->ops != &fake_tenant_ops)
		abort();
	return ((struct fake_tenants *)r)->db;
}

static void row_to_tenant(struct vs_arena *a, const struct fake_tenant_row *r,
			  struct vs_tenant *out)
{
	memset(out, 0, sizeof(*out));
	out->id = r->id;
	out->name = vs_arena_strdup(a, r->name);
	out->slug = vs_arena_strdup(a, r->slug);
	out->description = r->has_description ? vs_arena_strdup(a, r->description) : NULL;
	out->is_active = r->is_active;
	out->created_at = r->created_at;
	out->updated_at = r->updated_at;
}

static enum vs_err tenant_get(struct vs_tenant_repo *repo, struct vs_arena *a, const vs_uuid *id,
			      struct vs_tenant *out)
{
	struct fake_db *db = tenants_db(repo);
	if (call(db, "tenants.get"))
		return VS_UNAVAILABLE;
	const struct fake_tenant_row *r = find_tenant(db, id);
	if (!r)
		return VS_NOTFOUND;
	row_to_tenant(a, r, out);
	return VS_OK;
}

static enum vs_err tenant_get_by_slug(struct vs_tenant_repo *repo, struct vs_arena *a,
				      const char *slug, struct vs_tenant *out)
{
	struct fake_db *db = tenants_db(repo);
	if (call(db, "tenants.get_by_slug"))
		return VS_UNAVAILABLE;
	for (size_t i = 0; i < db->store.ntenants; i++) {
		if (strcmp(db->store.tenants[i].slug, slug) == 0) {
			row_to_tenant(a, &db->store.tenants[i], out);
			return VS_OK;
		}
	}
	return VS_NOTFOUND;
}

static bool tenant_taken(struct fake_db *db, const char *name, const char *slug,
			 const struct fake_tenant_row *except)
{
	for (size_t i = 0; i < db->store.ntenants; i++) {
		const struct fake_tenant_row *r = &db->store.tenants[i];
		if (r != except &&
		    ((name && strcmp(r->name, name) == 0) || (slug && strcmp(r->slug, slug) == 0)))
			return true;
	}
	return false;
}

static enum vs_err tenant_insert(struct vs_tenant_repo *repo, struct vs_arena *a,
				 struct vs_tenant *t)
{
	(void)a;
	struct fake_db *db = tenants_db(repo);
	if (call(db, "tenants.insert"))
		return VS_UNAVAILABLE;
	if (!t->name || !t->slug)
		return VS_INTERNAL;
	if (tenant_taken(db, t->name, t->slug, NULL))
		return VS_CONFLICT;
	if (db->store.ntenants == FAKE_MAX_TENANTS)
		return VS_INTERNAL;
	wrote(db);
	struct fake_tenant_row *r = &db->store.tenants[db->store.ntenants++];
	memset(r, 0, sizeof(*r));
	vs_uuid_v4(&r->id);
	copy_str(r->name, sizeof(r->name), t->name);
	copy_str(r->slug, sizeof(r->slug), t->slug);
	r->has_description = t->description != NULL;
	copy_str(r->description, sizeof(r->description), t->description);
	r->is_active = t->is_active;
	r->created_at = r->updated_at = fake_now();
	t->id = r->id;
	t->created_at = r->created_at;
	t->updated_at = r->updated_at;
	return VS_OK;
}

static enum vs_err tenant_update(struct vs_tenant_repo *repo, struct vs_arena *a, const vs_uuid *id,
				 const struct vs_tenant_changes *c, struct vs_tenant *out)
{
	struct fake_db *db = tenants_db(repo);
	if (call(db, "tenants.update"))
		return VS_UNAVAILABLE;
	struct fake_tenant_row *r = find_tenant(db, id);
	if (!r)
		return VS_NOTFOUND;
	if (c->name.set && !c->name.null && tenant_taken(db, c->name.p, NULL, r))
		return VS_CONFLICT;
	wrote(db);
	if (c->name.set && !c->name.null)
		copy_str(r->name, sizeof(r->name), c->name.p);
	if (c->description.set) {
		r->has_description = !c->description.null;
		copy_str(r->description, sizeof(r->description),
			 c->description.null ? NULL : c->description.p);
	}
	if (c->is_active.set)
		r->is_active = c->is_active.v;
	r->updated_at = fake_now();
	row_to_tenant(a, r, out);
	return VS_OK;
}

static enum vs_err tenant_remove(struct vs_tenant_repo *repo, const vs_uuid *id)
{
	struct fake_db *db = tenants_db(repo);
	if (call(db, "tenants.remove"))
		return VS_UNAVAILABLE;
	if (!find_tenant(db, id))
		return VS_NOTFOUND;
	wrote(db);
	FAKE_FILTER(db->store.tenants, db->store.ntenants, !vs_uuid_eq(&row->id, id));
	FAKE_FILTER(db->store.grants, db->store.ngrants, !vs_uuid_eq(&row->tenant_id, id));
	return VS_OK;
}

static enum vs_err tenant_list(struct vs_tenant_repo *repo, struct vs_arena *a,
			       const struct vs_tenant_query *q, struct vs_tenant_page *out)
{
	struct fake_db *db = tenants_db(repo);
	if (call(db, "tenants.list"))
		return VS_UNAVAILABLE;
	memset(out, 0, sizeof(*out));
	out->items = vs_arena_array(a, FAKE_MAX_TENANTS, sizeof(*out->items));
	int64_t seen = 0;
	for (size_t i = 0; i < db->store.ntenants; i++) {
		const struct fake_tenant_row *r = &db->store.tenants[i];
		if (q->member_id && !is_member_of(db, &r->id, q->member_id))
			continue;
		if (seen >= q->offset && (int64_t)out->n < q->limit)
			row_to_tenant(a, r, &out->items[out->n++]);
		seen++;
	}
	out->total = seen;
	return VS_OK;
}

static const struct vs_tenant_repo_ops fake_tenant_ops = {
    tenant_get, tenant_get_by_slug, tenant_insert, tenant_update, tenant_remove, tenant_list,
};

/* ---- memberships ---- */

static const struct vs_membership_repo_ops fake_membership_ops;

static struct fake_db *memberships_db(struct vs_membership_repo *r)
{
	if (!r || r->ops != &fake_membership_ops)
		abort();
	return ((struct fake_memberships *)r)->db;
}

size_t fake_grants_of(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user)
{
	size_t n = 0;
	for (size_t i = 0; i < db->store.ngrants; i++)
		n += vs_uuid_eq(&db->store.grants[i].tenant_id, tenant) &&
		     vs_uuid_eq(&db->store.grants[i].user_id, user);
	return n;
}

bool fake_has_grant(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user,
		    const vs_uuid *role)
{
	for (size_t i = 0; i < db->store.ngrants; i++) {
		const struct fake_grant_row *g = &db->store.grants[i];
		if (vs_uuid_eq(&g->tenant_id, tenant) && vs_uuid_eq(&g->user_id, user) &&
		    vs_uuid_eq(&g->role_id, role))
			return true;
	}
	return false;
}

static enum vs_err membership_is_member(struct vs_membership_repo *repo, const vs_uuid *tenant,
					const vs_uuid *user, bool *out)
{
	struct fake_db *db = memberships_db(repo);
	if (call(db, "memberships.is_member"))
		return VS_UNAVAILABLE;
	*out = is_member_of(db, tenant, user);
	return VS_OK;
}

static enum vs_err membership_grant(struct vs_membership_repo *repo, const vs_uuid *tenant,
				    const vs_uuid *user, const vs_uuid *role)
{
	struct fake_db *db = memberships_db(repo);
	if (call(db, "memberships.grant"))
		return VS_UNAVAILABLE;
	const struct fake_role_row *r = find_role(db, role);
	/* A role that is neither global nor the tenant's own is not found (composite FK). */
	if (!r || (!r->global && !vs_uuid_eq(&r->tenant_id, tenant)))
		return VS_NOTFOUND;
	if (!find_tenant(db, tenant) || !fake_user(db, user))
		return VS_NOTFOUND;
	if (fake_has_grant(db, tenant, user, role))
		return VS_OK;
	if (db->store.ngrants == FAKE_MAX_GRANTS)
		return VS_INTERNAL;
	wrote(db);
	db->store.grants[db->store.ngrants++] =
	    (struct fake_grant_row){.tenant_id = *tenant, .user_id = *user, .role_id = *role};
	return VS_OK;
}

static enum vs_err membership_leave(struct vs_membership_repo *repo, const vs_uuid *tenant,
				    const vs_uuid *user)
{
	struct fake_db *db = memberships_db(repo);
	if (call(db, "memberships.leave"))
		return VS_UNAVAILABLE;
	if (!is_member_of(db, tenant, user))
		return VS_NOTFOUND;
	wrote(db);
	FAKE_FILTER(db->store.grants, db->store.ngrants,
		    !(vs_uuid_eq(&row->tenant_id, tenant) && vs_uuid_eq(&row->user_id, user)));
	return VS_OK;
}

static enum vs_err membership_system_role(struct vs_membership_repo *repo, const char *name,
					  vs_uuid *out)
{
	struct fake_db *db = memberships_db(repo);
	if (call(db, "memberships.system_role"))
		return VS_UNAVAILABLE;
	for (size_t i = 0; i < db->store.nroles; i++) {
		if (db->store.roles[i].global && strcmp(db->store.roles[i].name, name) == 0) {
			*out = db->store.roles[i].id;
			return VS_OK;
		}
	}
	return VS_NOTFOUND;
}

static const struct vs_membership_repo_ops fake_membership_ops = {
    membership_is_member,
    membership_grant,
    membership_leave,
    membership_system_role,
};

/* ---- sessions ---- */

static const struct vs_session_repo_ops fake_session_ops;

static struct fake_db *sessions_db(struct vs_session_repo *r)
{
	if (!r || r->ops != &fake_session_ops)
		abort();
	return ((struct fake_sessions *)r)->db;
}

static struct fake_session_row *session_by_hash(struct fake_db *db, const uint8_t hash[32])
{
	for (size_t i = 0; i < db->store.nsessions; i++)
		if (memcmp(db->store.sessions[i].hash, hash, 32) == 0)
			return &db->store.sessions[i];
	return NULL;
}

struct fake_session_row *fake_session_by_token(struct fake_db *db, const char *token)
{
	uint8_t hash[VS_SHA256_LEN];
	vs_sha256(token, strlen(token), hash);
	return session_by_hash(db, hash);
}

static enum vs_err session_insert(struct vs_session_repo *repo, const struct vs_refresh_token *t,
				  const uint8_t hash[32])
{
	struct fake_db *db = sessions_db(repo);
	if (call(db, "sessions.insert"))
		return VS_UNAVAILABLE;
	if (session_by_hash(db, hash))
		return VS_CONFLICT;
	if (db->store.nsessions == FAKE_MAX_SESSIONS)
		return VS_INTERNAL;
	wrote(db);
	struct fake_session_row *r = &db->store.sessions[db->store.nsessions++];
	memset(r, 0, sizeof(*r));
	r->t.id = t->id;
	r->t.family_id = t->family_id;
	r->t.user_id = t->user_id;
	r->t.expires_at = t->expires_at;
	r->t.rotated = t->rotated;
	r->t.revoked = t->revoked;
	memcpy(r->hash, hash, 32);
	return VS_OK;
}

static enum vs_err session_take(struct vs_session_repo *repo, struct vs_arena *a,
				const uint8_t hash[32], struct vs_refresh_token *out)
{
	(void)a;
	struct fake_db *db = sessions_db(repo);
	if (call(db, "sessions.take"))
		return VS_UNAVAILABLE;
	const struct fake_session_row *r = session_by_hash(db, hash);
	if (!r)
		return VS_NOTFOUND;
	*out = r->t;
	return VS_OK;
}

static struct fake_session_row *session_by_id(struct fake_db *db, const vs_uuid *id)
{
	for (size_t i = 0; i < db->store.nsessions; i++)
		if (vs_uuid_eq(&db->store.sessions[i].t.id, id))
			return &db->store.sessions[i];
	return NULL;
}

static enum vs_err session_mark_rotated(struct vs_session_repo *repo, const vs_uuid *id)
{
	struct fake_db *db = sessions_db(repo);
	if (call(db, "sessions.mark_rotated"))
		return VS_UNAVAILABLE;
	struct fake_session_row *r = session_by_id(db, id);
	if (!r)
		return VS_NOTFOUND;
	wrote(db);
	r->t.rotated = true;
	return VS_OK;
}

static enum vs_err session_revoke_family(struct vs_session_repo *repo, const vs_uuid *family)
{
	struct fake_db *db = sessions_db(repo);
	if (call(db, "sessions.revoke_family"))
		return VS_UNAVAILABLE;
	if (db->nrevoked < sizeof(db->revoked_families) / sizeof(db->revoked_families[0]))
		db->revoked_families[db->nrevoked++] = *family;
	wrote(db);
	for (size_t i = 0; i < db->store.nsessions; i++)
		if (vs_uuid_eq(&db->store.sessions[i].t.family_id, family))
			db->store.sessions[i].t.revoked = true;
	return VS_OK;
}

static const struct vs_session_repo_ops fake_session_ops = {
    session_insert,
    session_take,
    session_mark_rotated,
    session_revoke_family,
};

/* ---- the database ---- */

struct fake_db *fake_db_new(void)
{
	struct fake_db *db = calloc(1, sizeof(*db));
	if (!db)
		abort();
	db->tx = (struct fake_tx){{&fake_tx_ops}, db};
	db->users = (struct fake_users){{&fake_user_ops}, db};
	db->tenants = (struct fake_tenants){{&fake_tenant_ops}, db};
	db->memberships = (struct fake_memberships){{&fake_membership_ops}, db};
	db->sessions = (struct fake_sessions){{&fake_session_ops}, db};
	return db;
}

void fake_db_free(struct fake_db *db)
{
	free(db);
}

void fake_repos(struct fake_db *db, struct vs_repos *out)
{
	out->tx = &db->tx.base;
	out->users = &db->users.base;
	out->tenants = &db->tenants.base;
	out->memberships = &db->memberships.base;
	out->sessions = &db->sessions.base;
}

void fake_reset_journal(struct fake_db *db)
{
	db->begins = db->commits = db->rollbacks = 0;
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

/* ---- seeding ---- */

vs_uuid fake_seed_user(struct fake_db *db, const char *email, const char *password_hash,
		       bool active, bool superuser)
{
	if (db->store.nusers == FAKE_MAX_USERS)
		abort();
	struct fake_user_row *r = &db->store.users[db->store.nusers++];
	memset(r, 0, sizeof(*r));
	vs_uuid_v4(&r->id);
	copy_str(r->email, sizeof(r->email), email);
	copy_str(r->password_hash, sizeof(r->password_hash), password_hash);
	r->is_active = active;
	r->is_superuser = superuser;
	r->created_at = r->updated_at = fake_now();
	return r->id;
}

vs_uuid fake_seed_tenant(struct fake_db *db, const char *name, const char *slug)
{
	if (db->store.ntenants == FAKE_MAX_TENANTS)
		abort();
	struct fake_tenant_row *r = &db->store.tenants[db->store.ntenants++];
	memset(r, 0, sizeof(*r));
	vs_uuid_v4(&r->id);
	copy_str(r->name, sizeof(r->name), name);
	copy_str(r->slug, sizeof(r->slug), slug);
	r->is_active = true;
	r->created_at = r->updated_at = fake_now();
	return r->id;
}

vs_uuid fake_seed_role(struct fake_db *db, const char *name, const vs_uuid *tenant)
{
	if (db->store.nroles == FAKE_MAX_ROLES)
		abort();
	struct fake_role_row *r = &db->store.roles[db->store.nroles++];
	memset(r, 0, sizeof(*r));
	vs_uuid_v4(&r->id);
	copy_str(r->name, sizeof(r->name), name);
	r->global = tenant == NULL;
	if (tenant)
		r->tenant_id = *tenant;
	return r->id;
}

void fake_seed_grant(struct fake_db *db, const vs_uuid *tenant, const vs_uuid *user,
		     const vs_uuid *role)
{
	if (db->store.ngrants == FAKE_MAX_GRANTS)
		abort();
	db->store.grants[db->store.ngrants++] =
	    (struct fake_grant_row){.tenant_id = *tenant, .user_id = *user, .role_id = *role};
}

void fake_drop_user(struct fake_db *db, const vs_uuid *id)
{
	FAKE_FILTER(db->store.users, db->store.nusers, !vs_uuid_eq(&row->id, id));
	FAKE_FILTER(db->store.grants, db->store.ngrants, !vs_uuid_eq(&row->user_id, id));
	FAKE_FILTER(db->store.sessions, db->store.nsessions, !vs_uuid_eq(&row->t.user_id, id));
}

/* ---- fault injection ---- */

unsigned fake_inject_each_call(struct fake_db *db, const char *name, fake_op op, void *ctx)
{
	enum { MAX_CALLS = 64 };
	struct fake_store *base = malloc(sizeof(*base));
	if (!base)
		abort();
	memcpy(base, &db->store, sizeof(*base));
	unsigned faults = 0;
	bool completed = false;
	for (unsigned n = 1; n <= MAX_CALLS && !completed; n++) {
		memcpy(&db->store, base, sizeof(*base));
		fake_reset_journal(db);
		db->in_tx = db->aborted = false;
		db->fail_after = n;
		struct vs_error e = {0};
		enum vs_err rc = op(ctx, &e);
		if (!db->injected) {
			completed = true;
			CU_ASSERT_EQUAL(rc, VS_OK);
			FAKE_ASSERT_TX_CLEAN(db);
			break;
		}
		faults++;
		bool clean = rc == VS_UNAVAILABLE && e.code == VS_UNAVAILABLE &&
			     fake_store_equal(&db->store, base) && !db->in_tx &&
			     db->writes_outside_tx == 0 && db->tx_misuse == 0 &&
			     db->begins == db->commits + db->rollbacks;
		if (!clean)
			fprintf(stderr,
				"\n  %s: failing call %u (%s) gave rc=%d e.code=%d store %s, "
				"tx %s, begins=%d commits=%d rollbacks=%d misuse=%d\n",
				name, n, db->injected_op, rc, e.code,
				fake_store_equal(&db->store, base) ? "unchanged" : "CHANGED",
				db->in_tx ? "OPEN" : "closed", db->begins, db->commits,
				db->rollbacks, db->tx_misuse);
		CU_ASSERT_EQUAL(rc, VS_UNAVAILABLE);
		CU_ASSERT_EQUAL(e.code, VS_UNAVAILABLE);
		CU_ASSERT_TRUE(fake_store_equal(&db->store, base));
		FAKE_ASSERT_TX_CLEAN(db);
	}
	CU_ASSERT_TRUE(completed);
	db->fail_after = 0;
	free(base);
	return faults;
}
