/* webhooks.subscriptions, deliveries and attempts (sql/018_webhooks.sql). Every statement
 * names the tenant besides the row-level security of the transaction's scope. */
#include "adapters/pg/util.h"
#include "adapters/pg/wiring.h"
#include "webhooks/port.h"

#include <stdio.h>
#include <string.h>

/* Whole seconds, rounded down as the clock of the use cases (vs_time_now) is. */
#define EPOCH(col) "floor(extract(epoch FROM " col "))::bigint"
#define HOOK_COLS                                                                          \
	"s.id, s.tenant_id, s.url, s.description, array_to_json(s.event_types)::text, "     \
	"s.is_active, s.secret, s.previous_secret, " EPOCH("s.previous_until") ", "         \
	EPOCH("s.failing_since") ", " EPOCH("s.created_at") ", " EPOCH("s.updated_at")
#define HOOK_NCOLS 12
/* A change of webhook $1 of tenant $2, answered like a read. */
#define HOOK_CHANGE(set)                                                                   \
	"WITH s AS (UPDATE webhooks.subscriptions SET " set ", updated_at = now() "           \
	"WHERE id = $1 AND tenant_id = $2 RETURNING *) SELECT " HOOK_COLS " FROM s"

static const struct vs_pg_stmt insert_stmt = {
	"webhook_insert",
	"WITH s AS (INSERT INTO webhooks.subscriptions (id, tenant_id, url, description, "
	"event_types, is_active, secret, created_by) VALUES ($1, $2, $3, $4, $5::text[], $6, $7, "
	"$8) RETURNING *) SELECT " HOOK_COLS " FROM s",
	8
};
static const struct vs_pg_stmt get_stmt = {
	"webhook_get",
	"SELECT " HOOK_COLS " FROM webhooks.subscriptions s WHERE s.id = $1 AND s.tenant_id = $2",
	2
};
static const struct vs_pg_stmt list_stmt = {
	"webhook_list",
	"SELECT " HOOK_COLS " FROM webhooks.subscriptions s WHERE s.tenant_id = $1 "
	"ORDER BY s.created_at, s.id OFFSET $2 LIMIT $3",
	3
};
static const struct vs_pg_stmt count_stmt = {
	"webhook_count", "SELECT count(*) FROM webhooks.subscriptions WHERE tenant_id = $1", 1
};
/* $3 url, $4 whether to set description, $5 it, $6 event types, $7 is_active (NULLs: as
 * they are). Made active again, it starts with no failures. */
static const struct vs_pg_stmt update_stmt = {
	"webhook_update",
	HOOK_CHANGE("url = coalesce($3, url), description = CASE WHEN $4::bool THEN $5 ELSE "
		    "description END, event_types = coalesce($6::text[], event_types), "
		    "is_active = coalesce($7::bool, is_active), failing_since = CASE WHEN "
		    "$7::bool THEN NULL ELSE failing_since END"),
	7
};
static const struct vs_pg_stmt remove_stmt = {
	"webhook_remove", "DELETE FROM webhooks.subscriptions WHERE id = $1 AND tenant_id = $2", 2
};
static const struct vs_pg_stmt rotate_stmt = {
	"webhook_rotate",
	HOOK_CHANGE("previous_secret = secret, previous_until = to_timestamp($4), secret = $3"),
	4
};
static const struct vs_pg_stmt add_delivery_stmt = {
	"webhook_add_delivery",
	"WITH d AS (INSERT INTO webhooks.deliveries (subscription_id, tenant_id, event_type, body) "
	"SELECT id, tenant_id, $3, $4 FROM webhooks.subscriptions WHERE id = $1 AND "
	"tenant_id = $2 RETURNING id) SELECT d.id, webhooks.enqueue(ARRAY[d.id], $2) FROM d",
	4
};
/* How many deliveries were found, and how many of them got a job (none has one already). */
static const struct vs_pg_stmt replay_stmt = {
	"webhook_replay",
	"WITH d AS (UPDATE webhooks.deliveries SET status = 'pending', updated_at = now() "
	"WHERE id = $3 AND subscription_id = $1 AND tenant_id = $2 RETURNING id) "
	"SELECT (SELECT count(*) FROM d), coalesce((SELECT webhooks.enqueue(array_agg(id), $2) "
	"FROM d), 0)",
	3
};
static const struct vs_pg_stmt replay_since_stmt = {
	"webhook_replay_since",
	"WITH d AS (UPDATE webhooks.deliveries SET status = 'pending', updated_at = now() "
	"WHERE id IN (SELECT id FROM webhooks.deliveries WHERE subscription_id = $1 AND "
	"tenant_id = $2 AND created_at >= to_timestamp($3) ORDER BY created_at LIMIT $4) "
	"RETURNING id) SELECT coalesce((SELECT webhooks.enqueue(array_agg(id), $2) FROM d), 0)",
	4
};
static const struct vs_pg_stmt attempts_stmt = {
	"webhook_attempts",
	"SELECT a.delivery_id, d.event_id, d.event_type, a.attempt, a.status_code, "
	"a.duration_ms, a.error, a.status, " EPOCH("a.next_attempt_at") ", " EPOCH("a.at")
	" FROM webhooks.attempts a JOIN webhooks.deliveries d ON d.id = a.delivery_id "
	"WHERE a.subscription_id = $1 AND a.tenant_id = $2 ORDER BY a.at DESC, a.attempt DESC "
	"LIMIT $3",
	3
};
static const struct vs_pg_stmt delivery_stmt = {
	"webhook_delivery",
	"SELECT " HOOK_COLS ", d.id, d.event_id, d.event_type, d.body, d.status, d.attempts, "
	EPOCH("d.created_at") " FROM webhooks.deliveries d JOIN webhooks.subscriptions s ON "
	"s.id = d.subscription_id WHERE d.id = $1 AND d.tenant_id = $2",
	2
};
/* The attempt logged and the delivery moved; the webhook's failing_since written only when
 * it changes (a success after failures, the first failure), so that deliveries to one
 * endpoint do not queue on its row. Answers failing_since as it is after. */
static const struct vs_pg_stmt record_stmt = {
	"webhook_record_attempt",
	"WITH d AS (UPDATE webhooks.deliveries SET attempts = attempts + 1, status = $5::text, "
	"updated_at = now() WHERE id = $1 AND tenant_id = $3 RETURNING id, attempts), "
	"a AS (INSERT INTO webhooks.attempts (delivery_id, attempt, subscription_id, tenant_id, "
	"status_code, duration_ms, error, status, next_attempt_at) SELECT d.id, d.attempts, "
	"$2::uuid, $3::uuid, $4::int, $6::int, $7::text, $5::text, to_timestamp($8::bigint) "
	"FROM d RETURNING 1), "
	"s AS (UPDATE webhooks.subscriptions SET failing_since = CASE WHEN $5 = 'succeeded' "
	"THEN NULL ELSE now() END WHERE id = $2 AND tenant_id = $3 AND "
	"(failing_since IS NULL) = ($5 <> 'succeeded') RETURNING failing_since) "
	"SELECT (SELECT count(*) FROM a), CASE WHEN EXISTS (SELECT 1 FROM s) THEN "
	"(SELECT " EPOCH("failing_since") " FROM s) ELSE (SELECT " EPOCH("failing_since")
	" FROM webhooks.subscriptions WHERE id = $2) END",
	8
};
static const struct vs_pg_stmt prune_stmt = {
	"webhook_prune", "SELECT webhooks.prune($1, $2)", 2
};
static const struct vs_pg_stmt disable_stmt = {
	"webhook_disable",
	"UPDATE webhooks.subscriptions SET is_active = false, updated_at = now() "
	"WHERE id = $1 AND tenant_id = $2 AND is_active",
	2
};

struct pg_webhooks {
	struct vs_webhook_repo base;
	struct vs_pg *pg;
};

static struct vs_pg *repo_pg(struct vs_webhook_repo *self)
{
	return ((struct pg_webhooks *)self)->pg;
}

static int64_t epoch_or_zero(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : vs_pg_int64(r, row, col);
}

static void row_to_webhook(struct vs_arena *a, const PGresult *r, int row, void *out)
{
	struct vs_webhook *w = out;
	memset(w, 0, sizeof(*w));
	vs_pg_uuid(r, row, 0, &w->id);
	vs_pg_uuid(r, row, 1, &w->tenant_id);
	w->url = vs_pg_text(a, r, row, 2);
	w->description = vs_pg_text(a, r, row, 3);
	w->event_types = vs_pg_json_strings(a, PQgetvalue(r, row, 4), &w->nevent_types);
	w->is_active = vs_pg_bool(r, row, 5);
	w->secret = vs_pg_text(a, r, row, 6);
	w->previous_secret = vs_pg_text(a, r, row, 7);
	w->previous_until = epoch_or_zero(r, row, 8);
	w->failing_since = epoch_or_zero(r, row, 9);
	w->created_at = vs_pg_int64(r, row, 10);
	w->updated_at = vs_pg_int64(r, row, 11);
}

static const char *int_param(struct vs_arena *a, int64_t v)
{
	return vs_arena_printf(a, "%lld", (long long)v);
}

static enum vs_err hook_insert(struct vs_webhook_repo *self, struct vs_arena *a, const vs_uuid *by,
			       struct vs_webhook *w)
{
	struct pg_uuid_text id, tenant, user;
	const char *params[] = {
		pg_uuid_param(&id, &w->id),
		pg_uuid_param(&tenant, &w->tenant_id),
		w->url,
		w->description,
		vs_pg_text_array_param(a, w->event_types, w->nevent_types),
		pg_bool_param(w->is_active),
		w->secret,
		pg_uuid_param(&user, by),
	};
	const char *secret = w->secret;
	enum vs_err rc = vs_pg_one(repo_pg(self), a, &insert_stmt, params, row_to_webhook, w);
	w->secret = secret;
	return rc;
}

static enum vs_err hook_get(struct vs_webhook_repo *self, struct vs_arena *a,
			    const vs_uuid *tenant, const vs_uuid *id, struct vs_webhook *out)
{
	struct pg_uuid_text i, t;
	const char *params[] = { pg_uuid_param(&i, id), pg_uuid_param(&t, tenant) };
	return vs_pg_one(repo_pg(self), a, &get_stmt, params, row_to_webhook, out);
}

static enum vs_err hook_list(struct vs_webhook_repo *self, struct vs_arena *a,
			     const vs_uuid *tenant, int64_t offset, int64_t limit,
			     struct vs_webhook **items, size_t *n, int64_t *total)
{
	struct pg_uuid_text t;
	const char *params[3] = { pg_uuid_param(&t, tenant) };
	return vs_pg_list(repo_pg(self), a, &list_stmt, &count_stmt, params, 1, offset, limit,
			  row_to_webhook, sizeof(**items), items, n, total);
}

static enum vs_err hook_update(struct vs_webhook_repo *self, struct vs_arena *a,
			       const vs_uuid *tenant, const vs_uuid *id,
			       const struct vs_webhook_change *c, struct vs_webhook *out)
{
	struct pg_uuid_text i, t;
	const char *params[] = {
		pg_uuid_param(&i, id),
		pg_uuid_param(&t, tenant),
		c->url,
		pg_bool_param(c->set_description),
		c->description,
		c->event_types ? vs_pg_text_array_param(a, c->event_types, c->nevent_types) : NULL,
		c->set_active ? pg_bool_param(c->is_active) : NULL,
	};
	return vs_pg_one(repo_pg(self), a, &update_stmt, params, row_to_webhook, out);
}

static enum vs_err hook_remove(struct vs_webhook_repo *self, const vs_uuid *tenant,
			       const vs_uuid *id)
{
	struct pg_uuid_text i, t;
	const char *params[] = { pg_uuid_param(&i, id), pg_uuid_param(&t, tenant) };
	return vs_pg_change(repo_pg(self), &remove_stmt, params);
}

static enum vs_err hook_rotate(struct vs_webhook_repo *self, struct vs_arena *a,
			       const vs_uuid *tenant, const vs_uuid *id, const char *secret,
			       int64_t previous_until, struct vs_webhook *out)
{
	struct pg_uuid_text i, t;
	const char *params[] = { pg_uuid_param(&i, id), pg_uuid_param(&t, tenant), secret,
				 int_param(a, previous_until) };
	return vs_pg_one(repo_pg(self), a, &rotate_stmt, params, row_to_webhook, out);
}

static void row_to_uuid(struct vs_arena *a, const PGresult *r, int row, void *out)
{
	(void)a;
	vs_pg_uuid(r, row, 0, out);
}

static enum vs_err hook_add_delivery(struct vs_webhook_repo *self, const vs_uuid *tenant,
				     const vs_uuid *id, const char *event_type, const char *body,
				     vs_uuid *delivery)
{
	struct vs_arena *a = vs_arena_new();
	struct pg_uuid_text i, t;
	const char *params[] = { pg_uuid_param(&i, id), pg_uuid_param(&t, tenant), event_type,
				 body };
	enum vs_err rc = vs_pg_one(repo_pg(self), a, &add_delivery_stmt, params, row_to_uuid,
				   delivery);
	vs_arena_free(a);
	return rc;
}

/* Runs a statement whose one row holds integers into v[0..n). */
static enum vs_err ints(struct vs_pg *pg, const struct vs_pg_stmt *stmt,
			const char *const *params, int64_t *v, int n)
{
	struct vs_arena *a = vs_arena_new();
	PGresult *r;
	enum vs_err rc = vs_pg_exec(pg, a, stmt, params, &r);
	if (rc == VS_OK && PQntuples(r) != 1)
		rc = VS_INTERNAL;
	for (int i = 0; rc == VS_OK && i < n; i++)
		v[i] = epoch_or_zero(r, 0, i);
	vs_arena_free(a);
	return rc;
}

static enum vs_err hook_replay(struct vs_webhook_repo *self, const vs_uuid *tenant,
			       const vs_uuid *id, const vs_uuid *delivery, bool *queued)
{
	struct pg_uuid_text i, t, d;
	const char *params[] = { pg_uuid_param(&i, id), pg_uuid_param(&t, tenant),
				 pg_uuid_param(&d, delivery) };
	int64_t v[2] = { 0, 0 };
	enum vs_err rc = ints(repo_pg(self), &replay_stmt, params, v, 2);
	*queued = v[1] > 0;
	return rc == VS_OK && v[0] == 0 ? VS_NOTFOUND : rc;
}

static enum vs_err hook_replay_since(struct vs_webhook_repo *self, const vs_uuid *tenant,
				     const vs_uuid *id, int64_t since, int max, int *n)
{
	struct pg_uuid_text i, t;
	char at[24], lim[16];
	snprintf(at, sizeof(at), "%lld", (long long)since);
	snprintf(lim, sizeof(lim), "%d", max);
	const char *params[] = { pg_uuid_param(&i, id), pg_uuid_param(&t, tenant), at, lim };
	int64_t v = 0;
	enum vs_err rc = ints(repo_pg(self), &replay_since_stmt, params, &v, 1);
	*n = (int)v;
	return rc;
}

static void row_to_attempt(struct vs_arena *a, const PGresult *r, int row, void *out)
{
	struct vs_webhook_attempt *t = out;
	memset(t, 0, sizeof(*t));
	vs_pg_uuid(r, row, 0, &t->delivery_id);
	if ((t->has_event = !PQgetisnull(r, row, 1)))
		vs_pg_uuid(r, row, 1, &t->event_id);
	t->event_type = vs_pg_text(a, r, row, 2);
	t->attempt = (int)vs_pg_int64(r, row, 3);
	t->status_code = (int)epoch_or_zero(r, row, 4);
	t->duration_ms = vs_pg_int64(r, row, 5);
	t->error = vs_pg_text(a, r, row, 6);
	(void)vs_delivery_status_parse(PQgetvalue(r, row, 7), &t->status);
	t->next_attempt_at = epoch_or_zero(r, row, 8);
	t->at = vs_pg_int64(r, row, 9);
}

static enum vs_err hook_attempts(struct vs_webhook_repo *self, struct vs_arena *a,
				 const vs_uuid *tenant, const vs_uuid *id, int limit,
				 struct vs_webhook_attempt **items, size_t *n)
{
	struct pg_uuid_text i, t;
	const char *params[] = { pg_uuid_param(&i, id), pg_uuid_param(&t, tenant),
				 int_param(a, limit) };
	PGresult *r;
	enum vs_err rc = vs_pg_exec(repo_pg(self), a, &attempts_stmt, params, &r);
	if (rc != VS_OK)
		return rc;
	*n = (size_t)PQntuples(r);
	*items = vs_arena_alloc(a, (*n ? *n : 1) * sizeof(**items));
	for (size_t k = 0; k < *n; k++)
		row_to_attempt(a, r, (int)k, &(*items)[k]);
	return VS_OK;
}

struct delivery_row {
	struct vs_webhook_delivery *d;
	struct vs_webhook *w;
};

static void row_to_delivery(struct vs_arena *a, const PGresult *r, int row, void *out)
{
	struct delivery_row *dr = out;
	struct vs_webhook_delivery *d = dr->d;
	row_to_webhook(a, r, row, dr->w);
	memset(d, 0, sizeof(*d));
	d->webhook_id = dr->w->id;
	d->tenant_id = dr->w->tenant_id;
	vs_pg_uuid(r, row, HOOK_NCOLS, &d->id);
	if ((d->has_event = !PQgetisnull(r, row, HOOK_NCOLS + 1)))
		vs_pg_uuid(r, row, HOOK_NCOLS + 1, &d->event_id);
	d->event_type = vs_pg_text(a, r, row, HOOK_NCOLS + 2);
	d->body = vs_pg_text(a, r, row, HOOK_NCOLS + 3);
	(void)vs_delivery_status_parse(PQgetvalue(r, row, HOOK_NCOLS + 4), &d->status);
	d->attempts = (int)vs_pg_int64(r, row, HOOK_NCOLS + 5);
	d->created_at = vs_pg_int64(r, row, HOOK_NCOLS + 6);
}

static enum vs_err hook_delivery(struct vs_webhook_repo *self, struct vs_arena *a,
				 const vs_uuid *tenant, const vs_uuid *id,
				 struct vs_webhook_delivery *d, struct vs_webhook *w)
{
	struct pg_uuid_text i, t;
	const char *params[] = { pg_uuid_param(&i, id), pg_uuid_param(&t, tenant) };
	struct delivery_row out = { d, w };
	return vs_pg_one(repo_pg(self), a, &delivery_stmt, params, row_to_delivery, &out);
}

static enum vs_err hook_record_attempt(struct vs_webhook_repo *self,
				       const struct vs_webhook_attempt_record *r,
				       int64_t *failing_since)
{
	struct pg_uuid_text d, w, t;
	char code[16], ms[24], next[24];
	snprintf(code, sizeof(code), "%d", r->status_code);
	snprintf(ms, sizeof(ms), "%lld", (long long)r->duration_ms);
	snprintf(next, sizeof(next), "%lld", (long long)r->next_attempt_at);
	const char *params[] = {
		pg_uuid_param(&d, &r->delivery_id),
		pg_uuid_param(&w, &r->webhook_id),
		pg_uuid_param(&t, &r->tenant_id),
		r->status_code ? code : NULL,
		vs_delivery_status_name(r->status),
		ms,
		r->error,
		r->next_attempt_at ? next : NULL,
	};
	int64_t v[2] = { 0, 0 };
	enum vs_err rc = ints(repo_pg(self), &record_stmt, params, v, 2);
	*failing_since = v[1];
	return rc == VS_OK && v[0] == 0 ? VS_NOTFOUND : rc;
}

static enum vs_err hook_prune(struct vs_webhook_repo *self, int retention_s, int n, int *removed)
{
	char retention[16], batch[16];
	snprintf(retention, sizeof(retention), "%d", retention_s);
	snprintf(batch, sizeof(batch), "%d", n);
	const char *params[] = { retention, batch };
	int64_t v = 0;
	enum vs_err rc = ints(repo_pg(self), &prune_stmt, params, &v, 1);
	*removed = (int)v;
	return rc;
}

static enum vs_err hook_disable(struct vs_webhook_repo *self, const vs_uuid *tenant,
				const vs_uuid *id, bool *changed)
{
	struct pg_uuid_text i, t;
	const char *params[] = { pg_uuid_param(&i, id), pg_uuid_param(&t, tenant) };
	long rows = 0;
	enum vs_err rc = vs_pg_exec_affected(repo_pg(self), &disable_stmt, params, &rows);
	*changed = rows > 0;
	return rc;
}

static const struct vs_webhook_repo_ops ops = {
	.insert = hook_insert,
	.get = hook_get,
	.list = hook_list,
	.update = hook_update,
	.remove = hook_remove,
	.rotate = hook_rotate,
	.add_delivery = hook_add_delivery,
	.replay = hook_replay,
	.replay_since = hook_replay_since,
	.attempts = hook_attempts,
	.delivery = hook_delivery,
	.record_attempt = hook_record_attempt,
	.prune = hook_prune,
	.disable = hook_disable,
};

void vs_pg_webhooks_wire(const struct vs_pg_wiring *w, struct vs_app *app)
{
	struct pg_webhooks *repo = vs_arena_alloc(w->owned, sizeof(*repo));
	*repo = (struct pg_webhooks){ { &ops }, w->pg };
	app->webhooks = &repo->base;
}
