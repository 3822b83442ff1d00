/* audit.events (sql/017): an event is inserted in the use case's transaction and joins its
 * chain a moment after its commit, in vs-worker's sequencer turns (audit.chain_pending,
 * every VS_AUDIT_SEQUENCE_MS): one turn chains whatever a chain has pending, so its cost
 * is shared by the batch instead of paid by every request. */
#include "adapters/pg/util.h"
#include "adapters/pg/wiring.h"
#include "audit/port.h"
#include "core/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const struct vs_pg_stmt append_stmt = {
	"audit_append", "INSERT INTO audit.events (canonical) VALUES ($1)", 1
};
/* A turn commits without waiting for its WAL flush: lost in a crash, it is lost whole (its
 * events go back to pending and the next turn chains them), and a checkpoint, written
 * after it, cannot outlive it. The events themselves were flushed with their changes. */
static const struct vs_pg_stmt chain_pending_stmt = {
	"audit_chain_pending",
	"SELECT audit.chain_pending(), set_config('synchronous_commit', 'off', true)", 0
};

/* Chain $1 newest first before seq $2, with the optional filters of vs_audit_query. */
#define LINK_COLS "l.seq, encode(l.prev_hash, 'hex'), encode(l.hash, 'hex'), e.canonical"
#define LINK_FROM " FROM audit.links l JOIN audit.events e ON e.pos = l.event_pos "
static const struct vs_pg_stmt list_stmt = {
	"audit_list",
	"SELECT " LINK_COLS LINK_FROM "WHERE l.chain = $1 AND l.seq < $2 "
	"AND ($3::uuid IS NULL OR e.actor_user_id = $3) "
	"AND ($4::text IS NULL OR CASE WHEN $5::boolean THEN starts_with(e.action, $4) "
	"ELSE e.action = $4 END) "
	"AND ($6::text IS NULL OR e.resource_type = $6) AND ($7::text IS NULL OR e.resource_id = $7) "
	"AND ($8::bigint IS NULL OR e.occurred_at >= to_timestamp($8)) "
	"AND ($9::bigint IS NULL OR e.occurred_at <= to_timestamp($9)) "
	"ORDER BY l.seq DESC LIMIT $10",
	10
};
static const struct vs_pg_stmt head_stmt = {
	"audit_head", "SELECT seq || ' ' || encode(hash, 'hex') FROM audit.heads WHERE chain = $1", 1
};
static const struct vs_pg_stmt links_stmt = {
	"audit_links",
	"SELECT " LINK_COLS LINK_FROM "WHERE l.chain = $1 AND l.seq > $2 AND l.seq <= $3 "
	"ORDER BY l.seq LIMIT $4",
	4
};

static const struct vs_pg_stmt unsigned_stmt = {
	"audit_unsigned_heads", "SELECT chain, seq, encode(hash, 'hex') FROM audit.unsigned_heads()", 0
};
static const struct vs_pg_stmt add_checkpoint_stmt = {
	"audit_add_checkpoint",
	"SELECT audit.add_checkpoint($1, $2, decode($3, 'hex'), to_timestamp($4), decode($5, 'hex'), "
	"decode($6, 'hex'))",
	6
};
static const struct vs_pg_stmt checkpoints_stmt = {
	"audit_checkpoints",
	"SELECT chain, seq, encode(hash, 'hex'), extract(epoch FROM signed_at)::bigint, "
	"encode(public_key, 'hex'), encode(signature, 'hex') FROM audit.checkpoints "
	"WHERE chain = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
	3
};

struct pg_audit {
	struct vs_audit_log base;
	struct vs_pg *pg;
};

static enum vs_err audit_append(struct vs_audit_log *self, const char *canonical, size_t len,
				const vs_uuid *tenant)
{
	struct pg_audit *log = (struct pg_audit *)self;
	(void)len; /* text: NUL-terminated, and never holds a NUL (canonical JSON escapes it) */
	const char *params[] = { canonical };
	(void)tenant; /* the event names its chain itself (a generated column) */
	/* Sent with the COMMIT: the event is the transaction's last write, and its round trip
	 * is the commit's. */
	return vs_pg_defer(log->pg, &append_stmt, params[0]);
}

static enum vs_err audit_sequence(struct vs_audit_log *self, int *joined)
{
	struct pg_audit *log = (struct pg_audit *)self;
	char text[24] = "0";
	enum vs_err rc = vs_pg_scalar(log->pg, &chain_pending_stmt, NULL, text, sizeof(text));
	*joined = rc == VS_OK ? atoi(text) : 0;
	return rc;
}

/* The chain's id: the tenant's, or the nil UUID for the platform's. */
static const char *chain_param(struct pg_uuid_text *buf, const vs_uuid *tenant)
{
	static const vs_uuid platform = { { 0 } };
	return pg_uuid_param(buf, tenant ? tenant : &platform);
}

/* Exactly len bytes of hex from a column into out. */
static bool hex_col(const PGresult *r, int row, int col, uint8_t *out, size_t len)
{
	const char *hex = PQgetvalue(r, row, col);
	return strlen(hex) == 2 * len && vs_hex_decode(hex, out, len);
}

/* A hash column into out: its length, 0 for an empty one (the first link's prev_hash),
 * and 1 — a length no hash has, which verification refuses — for anything else. */
static size_t hash_of(const PGresult *r, int row, int col, uint8_t out[VS_SHA256_LEN])
{
	if (PQgetlength(r, row, col) == 0)
		return 0;
	return hex_col(r, row, col, out, VS_SHA256_LEN) ? VS_SHA256_LEN : 1;
}

static void read_links(struct vs_arena *a, const PGresult *r, size_t n, struct vs_audit_link *out)
{
	for (size_t i = 0; i < n; i++) {
		struct vs_audit_link *l = &out[i];
		l->seq = vs_pg_int64(r, (int)i, 0);
		l->prev_len = hash_of(r, (int)i, 1, l->prev_hash);
		l->hash_len = hash_of(r, (int)i, 2, l->hash);
		l->canonical = vs_pg_text(a, r, (int)i, 3);
		l->len = (size_t)PQgetlength(r, (int)i, 3);
	}
}

static enum vs_err audit_list(struct vs_audit_log *self, struct vs_arena *a,
			      const struct vs_audit_query *q, struct vs_audit_page *out)
{
	struct pg_audit *log = (struct pg_audit *)self;
	struct pg_uuid_text chain, actor;
	const char *params[] = {
		chain_param(&chain, q->tenant),
		vs_arena_printf(a, "%lld", (long long)(q->before_seq > 0 ? q->before_seq : INT64_MAX)),
		pg_uuid_param(&actor, q->actor),
		q->action,
		pg_bool_param(q->action_prefix),
		q->resource_type,
		q->resource_id,
		q->has_from ? vs_arena_printf(a, "%lld", (long long)q->from) : NULL,
		q->has_to ? vs_arena_printf(a, "%lld", (long long)q->to) : NULL,
		vs_arena_printf(a, "%lld", (long long)q->limit + 1), /* one more: is there a next page */
	};
	PGresult *r;
	*out = (struct vs_audit_page){ 0 };
	enum vs_err rc = vs_pg_exec(log->pg, a, &list_stmt, params, &r);
	if (rc != VS_OK)
		return rc;
	size_t rows = (size_t)PQntuples(r);
	out->n = rows > (size_t)q->limit ? (size_t)q->limit : rows;
	out->more = rows > out->n;
	out->items = vs_arena_array(a, out->n + 1, sizeof(*out->items));
	read_links(a, r, out->n, out->items);
	return VS_OK;
}

static enum vs_err audit_head(struct vs_audit_log *self, const vs_uuid *tenant, int64_t *seq,
			      uint8_t hash[VS_SHA256_LEN])
{
	struct pg_audit *log = (struct pg_audit *)self;
	struct pg_uuid_text chain;
	const char *params[] = { chain_param(&chain, tenant) };
	char text[24 + 2 * VS_SHA256_LEN] = "";
	*seq = 0;
	memset(hash, 0, VS_SHA256_LEN);
	enum vs_err rc = vs_pg_scalar(log->pg, &head_stmt, params, text, sizeof(text));
	if (rc == VS_NOTFOUND)
		return VS_OK; /* nothing chained yet */
	if (rc != VS_OK)
		return rc;
	char *hex = strchr(text, ' ');
	*seq = strtoll(text, NULL, 10);
	bool empty = hex && hex[1] == '\0';
	if (!hex || (*seq == 0 ? !empty : !vs_hex_decode(hex + 1, hash, VS_SHA256_LEN)))
		return VS_INTERNAL; /* a head the sequencer did not write */
	return VS_OK;
}

static enum vs_err audit_links(struct vs_audit_log *self, struct vs_arena *a, const vs_uuid *tenant,
			       int64_t after, int64_t up_to, int limit, struct vs_audit_link **items,
			       size_t *n)
{
	struct pg_audit *log = (struct pg_audit *)self;
	struct pg_uuid_text chain;
	const char *params[] = { chain_param(&chain, tenant), vs_arena_printf(a, "%lld", (long long)after),
				 vs_arena_printf(a, "%lld", (long long)up_to),
				 vs_arena_printf(a, "%d", limit) };
	PGresult *r;
	*n = 0;
	enum vs_err rc = vs_pg_exec(log->pg, a, &links_stmt, params, &r);
	if (rc != VS_OK)
		return rc;
	*n = (size_t)PQntuples(r);
	*items = vs_arena_array(a, *n + 1, sizeof(**items));
	read_links(a, r, *n, *items);
	return VS_OK;
}

/* Checkpoint rows (chain, seq, hash, and when is_signed signed_at, public_key, signature)
 * into an arena array; a row that does not read whole is left out. */
static void read_checkpoints(struct vs_arena *a, const PGresult *r, bool is_signed,
			     struct vs_audit_checkpoint **items, size_t *n)
{
	*n = 0;
	*items = vs_arena_array(a, (size_t)PQntuples(r) + 1, sizeof(**items));
	for (int i = 0; i < PQntuples(r); i++) {
		struct vs_audit_checkpoint *c = &(*items)[*n];
		memset(c, 0, sizeof(*c));
		vs_pg_uuid(r, i, 0, &c->chain);
		c->seq = vs_pg_int64(r, i, 1);
		bool whole = hex_col(r, i, 2, c->hash, VS_SHA256_LEN);
		if (is_signed) {
			c->signed_at = vs_pg_int64(r, i, 3);
			whole = whole && hex_col(r, i, 4, c->public_key, VS_ED25519_PUBLIC_LEN) &&
				hex_col(r, i, 5, c->signature, VS_ED25519_SIGNATURE_LEN);
		}
		if (whole)
			(*n)++;
	}
}

static enum vs_err audit_unsigned_heads(struct vs_audit_log *self, struct vs_arena *a,
					struct vs_audit_checkpoint **items, size_t *n)
{
	struct pg_audit *log = (struct pg_audit *)self;
	PGresult *r;
	*n = 0;
	enum vs_err rc = vs_pg_exec(log->pg, a, &unsigned_stmt, NULL, &r);
	if (rc == VS_OK)
		read_checkpoints(a, r, false, items, n);
	return rc;
}

static enum vs_err audit_add_checkpoint(struct vs_audit_log *self,
					const struct vs_audit_checkpoint *c)
{
	struct pg_audit *log = (struct pg_audit *)self;
	struct pg_uuid_text chain;
	char seq[24], at[24], hash[2 * VS_SHA256_LEN + 1], key[2 * VS_ED25519_PUBLIC_LEN + 1],
		sig[2 * VS_ED25519_SIGNATURE_LEN + 1], out[8];
	snprintf(seq, sizeof(seq), "%lld", (long long)c->seq);
	snprintf(at, sizeof(at), "%lld", (long long)c->signed_at);
	vs_hex_encode(c->hash, VS_SHA256_LEN, hash);
	vs_hex_encode(c->public_key, VS_ED25519_PUBLIC_LEN, key);
	vs_hex_encode(c->signature, VS_ED25519_SIGNATURE_LEN, sig);
	const char *params[] = { pg_uuid_param(&chain, &c->chain), seq, hash, at, key, sig };
	enum vs_err rc = vs_pg_scalar(log->pg, &add_checkpoint_stmt, params, out, sizeof(out));
	return rc == VS_INTERNAL ? VS_NOTFOUND : rc; /* the function's exception: no such link */
}

static enum vs_err audit_checkpoints(struct vs_audit_log *self, struct vs_arena *a,
				     const vs_uuid *tenant, int64_t before, int limit,
				     struct vs_audit_checkpoint **items, size_t *n)
{
	struct pg_audit *log = (struct pg_audit *)self;
	struct pg_uuid_text chain;
	const char *params[] = { chain_param(&chain, tenant),
				 vs_arena_printf(a, "%lld", (long long)(before > 0 ? before : INT64_MAX)),
				 vs_arena_printf(a, "%d", limit) };
	PGresult *r;
	*n = 0;
	enum vs_err rc = vs_pg_exec(log->pg, a, &checkpoints_stmt, params, &r);
	if (rc == VS_OK)
		read_checkpoints(a, r, true, items, n);
	return rc;
}

static const struct vs_audit_log_ops ops = {
	.unsigned_heads = audit_unsigned_heads,
	.add_checkpoint = audit_add_checkpoint,
	.checkpoints = audit_checkpoints,
	.append = audit_append,
	.sequence = audit_sequence,
	.list = audit_list,
	.head = audit_head,
	.links = audit_links,
};

void vs_pg_audit_wire(const struct vs_pg_wiring *w, struct vs_app *app)
{
	struct pg_audit *log = vs_arena_alloc(w->owned, sizeof(*log));
	*log = (struct pg_audit){ .base = { &ops }, .pg = w->pg };
	app->audit = &log->base;
}
