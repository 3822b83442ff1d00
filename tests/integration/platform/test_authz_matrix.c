/* The authorization matrix: every route x persona x object kind answers the status of the
 * modules' fragments (tests/integration/<module>/authz_<module>.c); together they name every
 * route of the server. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz_table.h"
#include "check.h"
#include "db_keys.h"
#include "fixtures.h"
#include "http.h"
#include "jobs/db_jobs.h"
#include "json_get.h"
#include "pg_util.h"
#include "rbac_world.h"
#include "server_routes.h"
#include "suites.h"
#include "util.h"
#include "webhooks/hook_util.h"

static struct rbac_world world;
static bool world_tried, world_ok;

static struct rbac_world *get_world(void)
{
	if (!world_tried) {
		world_tried = true;
		world_ok = rw_build(&world);
	}
	EXPECT(world_ok, "could not build tenants A and B, their roles and the personas "
			 "(the first failure above says why)");
	return world_ok ? &world : NULL;
}

/* ---- the rows, from every module's fragment ------------------------------------------ */

/* A row and where it is written. */
struct mrow {
	const struct authz_row *row;
	const char *file; /* its fragment, below tests/integration/ */
	size_t index;     /* its index there */
};

static struct mrow *rows;
static size_t nrows;

enum phase { PH_READ, PH_CHANGE, PH_POST, PH_DELETE, PH_DELETE_TENANT, NPHASES };

/* Deleting a tenant itself: DELETE /api/v1/tenants/{...} and nothing after. */
static bool deletes_a_tenant(const struct authz_row *r)
{
	const char *prefix = "/api/v1/tenants/{", *end;

	if (strncmp(r->path, prefix, strlen(prefix)) != 0)
		return false;
	end = strchr(r->path + strlen(prefix), '}');
	return end && end[1] == '\0';
}

/*
 * Reads first, then changes that keep every fixture, creations (and the other POSTs),
 * deletions of throwaway objects, and deleting whole tenants last. The fragments come in
 * any order; this way a wrong 2xx (a tenant deleted by someone who may not) spoils as few
 * of the later rows as it can.
 */
static enum phase row_phase(const struct authz_row *r)
{
	if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0)
		return PH_READ;
	if (strcmp(r->method, "PUT") == 0 || strcmp(r->method, "PATCH") == 0)
		return PH_CHANGE;
	if (strcmp(r->method, "DELETE") == 0)
		return deletes_a_tenant(r) ? PH_DELETE_TENANT : PH_DELETE;
	return PH_POST;
}

static const char *below_integration(const char *file)
{
	const char *marker = "tests/integration/", *p = strstr(file, marker);

	return p ? p + strlen(marker) : file;
}

/* Every fragment's rows, phase by phase, each phase in fragment order. */
static void collect_rows(void)
{
	const struct authz_fragment *f;
	size_t nf = authz_fragments(&f), total = 0;

	for (size_t i = 0; i < nf; i++)
		total += f[i].n;
	rows = xcalloc(total ? total : 1, sizeof(*rows));
	nrows = 0;
	for (int ph = 0; ph < NPHASES; ph++)
		for (size_t i = 0; i < nf; i++)
			for (size_t j = 0; j < f[i].n; j++)
				if (row_phase(&f[i].rows[j]) == (enum phase)ph)
					rows[nrows++] = (struct mrow){ &f[i].rows[j],
								       below_integration(f[i].file),
								       j };
}

static int suite_init(void)
{
	fx_remember_secret(MATRIX_PASSWORD);
	collect_rows();
	return 0;
}

static int suite_cleanup(void)
{
	if (world_tried)
		rw_free(&world);
	world_tried = world_ok = false;
	free(rows);
	rows = NULL;
	nrows = 0;
	return 0;
}

/* ---- templates ------------------------------------------------------------------------ */

enum placeholder {
	PH_TID, PH_A, PH_SLUG, PH_UID, PH_RID, PH_XUID, PH_XRID, PH_XTID,
	PH_MEMBER, PH_PID, PH_UA, PH_UNIQ, PH_USLUG, PH_EMAIL, PH_JUNK, PH_XKID, PH_XJID,
	PH_XIID, PH_HOOK, PH_XWID, PH_XDID, NPH
};

static const char *const ph_names[NPH] = {
	"tid", "A", "slug", "uid", "rid", "xuid", "xrid", "xtid",
	"member", "pid", "uA", "uniq", "uslug", "email", "junk", "xkid", "xjid", "xiid",
	"hook", "xwid", "xdid",
};

/* One row being run: its values, made on first use and shared by path, body and header. */
struct row_run {
	const struct authz_row *row;
	struct rbac_world *w;
	char *val[NPH];
};

static int placeholder_index(const char *name, size_t len)
{
	for (int i = 0; i < NPH; i++)
		if (strlen(ph_names[i]) == len && memcmp(ph_names[i], name, len) == 0)
			return i;
	return -1;
}

static char *random_id(void)
{
	char id[37];

	random_uuid(id);
	return xstrdup(id);
}

/* own, foreign, missing: one of the first two, or a random id */
static char *by_kind(enum obj_kind k, const char *own, const char *foreign)
{
	if (k == K_MISSING)
		return random_id();
	return xstrdup(k == K_FOREIGN ? foreign : own);
}

/* A throwaway GLOBAL API key of persona p; a random id when p cannot make one (the
 * anonymous and inactive personas get 401 whatever the id). */
static char *new_key_of(struct rbac_world *w, enum persona p)
{
	const char *token = rw_token(w, p);
	char *name = fx_unique("mxkey"), *id = NULL;
	char *body = xasprintf("{\"name\":\"%s\",\"scope\":\"GLOBAL\"}", name);
	struct resp *r = token ? req("POST", "/api/v1/api-keys", token, NULL, body) : NULL;
	struct json_object *o = r && r->status == 201 ? resp_json(r) : NULL;
	if (o && jstr(o, "id"))
		id = xstrdup(jstr(o, "id"));
	resp_free(r);
	free(body);
	free(name);
	return id ? id : random_id();
}

/* A throwaway invitation of tenant, made by the superuser; a random id when it cannot be. */
static char *new_invitation_in(const char *tenant)
{
	char *email = fx_email("mxinv"), *id = NULL;
	char *body = xasprintf("{\"email\":\"%s\",\"tenant_id\":\"%s\"}", email, tenant);
	struct resp *r = req("POST", "/api/v1/invitations", fx.admin.access, tenant, body);
	struct json_object *o = r->status == 201 ? resp_json(r) : NULL;
	if (o && jstr(o, "id"))
		id = xstrdup(jstr(o, "id"));
	if (o && jstr(o, "token"))
		fx_remember_secret(jstr(o, "token"));
	resp_free(r);
	free(body);
	free(email);
	return id ? id : random_id();
}

/* The run's webhook receiver at a path of its own; NULL (reported) when there is none. */
static char *new_hook_url(void)
{
	char *path = hook_unique_path("matrix"), *url = hook_url(path);

	free(path);
	return url;
}

/* A throwaway webhook of tenant, made by the superuser, sending to the run's receiver. It
 * subscribes to webhook.disabled alone, which the matrix never causes: its webhooks add no
 * deliveries to the run beyond those the rows ask for. A random id when it cannot be made. */
static char *new_webhook_in(const char *tenant)
{
	char *url = new_hook_url(), *body, *id = NULL;
	struct resp *r;
	struct json_object *o;

	if (!url)
		return random_id();
	body = xasprintf("{\"url\":\"%s\",\"event_types\":[\"webhook.disabled\"]}", url);
	r = req("POST", "/api/v1/webhooks", fx.admin.access, tenant, body);
	o = r->status == 201 ? resp_json(r) : NULL;
	if (o && jstr(o, "secret"))
		fx_remember_secret(jstr(o, "secret"));
	if (o && jstr(o, "id"))
		id = xstrdup(jstr(o, "id"));
	EXPECT(id, "could not make a throwaway webhook: %s", resp_summary(r));
	resp_free(r);
	free(body);
	free(url);
	return id ? id : random_id();
}

/* A delivery of webhook made in the database as one sent once with success (no job holds
 * it, so a replay queues it again); a random id when webhook is none (a random id). */
#define NEW_DELIVERY                                                                     \
	"WITH d AS (INSERT INTO webhooks.deliveries (subscription_id, tenant_id, event_type, " \
	"body, status, attempts) SELECT id, tenant_id, 'webhook.test', json_build_object(" \
	"'type', 'webhook.test', 'timestamp', to_char(now() AT TIME ZONE 'UTC', "        \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'data', json_build_object('webhook_id', id, " \
	"'tenant_id', tenant_id))::text, 'succeeded', 1 FROM webhooks.subscriptions "    \
	"WHERE id = $1::uuid RETURNING id, subscription_id, tenant_id), "                \
	"a AS (INSERT INTO webhooks.attempts (delivery_id, attempt, subscription_id, "   \
	"tenant_id, status_code, duration_ms, status) SELECT id, 1, subscription_id, "   \
	"tenant_id, 204, 1, 'succeeded' FROM d) SELECT id FROM d"

static char *new_delivery_of(const char *webhook)
{
	const char *url = getenv("VS_OWNER_DATABASE_URL");
	PGconn *c = EXPECT(url && *url, "VS_OWNER_DATABASE_URL is not set") ? pg_open(url) : NULL;
	const char *params[] = { webhook };
	PGresult *r = c ? db_in_platform_scope(c, NEW_DELIVERY, 1, params) : NULL;
	char *id = r && pg_succeeded(r) && PQntuples(r) == 1 ? xstrdup(PQgetvalue(r, 0, 0)) : NULL;

	PQclear(r);
	PQfinish(c);
	return id ? id : random_id();
}

static const char *value(struct row_run *rr, int ph);

static char *make_value(struct row_run *rr, int ph)
{
	struct rbac_world *w = rr->w;
	enum obj_kind k = rr->row->kind;
	const char *tenant = k == K_FOREIGN ? w->tenant_b : w->tenant_a;
	char hex[65];

	switch (ph) {
	case PH_TID: return by_kind(k, w->tenant_a, w->tenant_b);
	case PH_A: return xstrdup(w->tenant_a);
	case PH_SLUG:
		if (k != K_MISSING)
			return by_kind(k, w->slug_a, w->slug_b);
		random_hex(hex, 8);
		return xasprintf("no-such-%s", hex);
	case PH_UID: return by_kind(k, w->user_a.id, w->user_b.id);
	case PH_RID:
		return k == K_SYSTEM ? xstrdup(w->role_member) : by_kind(k, w->role_a, w->role_b);
	case PH_XUID: return k == K_MISSING ? random_id() : rw_new_user(w, tenant, NULL);
	case PH_XRID:
		if (k == K_SYSTEM)
			return xstrdup(w->role_member);
		return k == K_MISSING ? random_id()
				      : rw_new_role(w, tenant, "x-role", "[\"role:read\"]");
	case PH_XTID: return k == K_MISSING ? random_id() : rw_new_tenant(w);
	case PH_MEMBER: return xstrdup(w->role_member);
	case PH_PID: return xstrdup(w->perm_role_read);
	case PH_UA: return xstrdup(w->user_a.id);
	case PH_UNIQ: return fx_unique("matrix");
	case PH_USLUG: return fx_unique("mx");
	case PH_EMAIL: return fx_email("matrix");
	case PH_JUNK: random_hex(hex, 32); return xstrdup(hex);
	case PH_XKID:
		/* own: the persona's key; foreign: another user's (badmin's, or tadmin's) */
		if (k == K_MISSING)
			return random_id();
		if (k == K_OWN)
			return new_key_of(w, rr->row->persona);
		return new_key_of(w, rr->row->persona == P_OTHER ? P_TADMIN : P_OTHER);
	case PH_XJID: return k == K_MISSING ? random_id() : db_job_queued(tenant, "test.matrix");
	case PH_XIID: return k == K_MISSING ? random_id() : new_invitation_in(tenant);
	case PH_HOOK: return new_hook_url();
	case PH_XWID: return k == K_MISSING ? random_id() : new_webhook_in(tenant);
	case PH_XDID:
		return k == K_MISSING ? random_id() : new_delivery_of(value(rr, PH_XWID));
	}
	return NULL;
}

static const char *value(struct row_run *rr, int ph)
{
	if (!rr->val[ph])
		rr->val[ph] = make_value(rr, ph);
	return rr->val[ph];
}

/* The template with every {name} filled in; NULL when a value could not be made. */
static char *expand(struct row_run *rr, const char *tpl)
{
	size_t cap = strlen(tpl) + 1, n = 0;
	char *out = xmalloc(cap);

	for (const char *s = tpl; *s;) {
		const char *end = *s == '{' ? strchr(s, '}') : NULL;
		int ph = end ? placeholder_index(s + 1, (size_t)(end - s - 1)) : -1;
		const char *v = ph >= 0 ? value(rr, ph) : NULL;
		size_t add = ph >= 0 ? (v ? strlen(v) : 0) : 1;

		if (ph >= 0 && !v) {
			free(out);
			return NULL;
		}
		if (n + add + 1 > cap) {
			cap = 2 * (n + add + 1);
			out = xrealloc(out, cap);
		}
		if (ph >= 0) {
			memcpy(out + n, v, add);
			s = end + 1;
		} else {
			/* a JSON body's own braces are not placeholders */
			out[n] = *s++;
		}
		n += add;
	}
	out[n] = '\0';
	return out;
}

/* ---- the table itself ------------------------------------------------------------------- */

static bool names_are_known(const char *tpl)
{
	for (const char *s = tpl ? strchr(tpl, '{') : NULL; s; s = strchr(s + 1, '{')) {
		const char *end = strchr(s, '}');

		if (end && end - s > 1 && s[1] != '"' &&
		    placeholder_index(s + 1, (size_t)(end - s - 1)) < 0)
			return false;
	}
	return true;
}

struct route_summary {
	char *key;
	const char *rule;
	unsigned kinds;                    /* bit per enum obj_kind */
	unsigned char rows[K_COUNT][P_COUNT]; /* rows that expect a status */
	bool rule_mixed;
};

/* The distinct routes of the table, in table order. */
static size_t summarise(struct route_summary **out)
{
	struct route_summary *s = xcalloc(nrows ? nrows : 1, sizeof(*s));
	size_t n = 0;

	for (size_t i = 0; i < nrows; i++) {
		const struct authz_row *row = rows[i].row;
		char *key = route_key(row->method, row->path);
		size_t j = 0;

		while (j < n && strcmp(s[j].key, key) != 0)
			j++;
		if (j == n) {
			s[n].key = key;
			s[n].rule = row->rule;
			n++;
		} else {
			free(key);
		}
		s[j].kinds |= 1u << row->kind;
		s[j].rule_mixed |= strcmp(s[j].rule, row->rule) != 0;
		if (row->expect != NA && s[j].rows[row->kind][row->persona] < 255)
			s[j].rows[row->kind][row->persona]++;
	}
	*out = s;
	return n;
}

static void free_summary(struct route_summary *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].key);
	free(s);
}

static void test_table_is_complete(void)
{
	struct route_summary *s;
	size_t n = summarise(&s);
	const unsigned object_kinds = 1u << K_OWN | 1u << K_FOREIGN | 1u << K_MISSING;

	EXPECT(nrows > 0, "no module registered rows of the matrix (IT_AUTHZ_ROWS)");
	for (size_t i = 0; i < nrows; i++) {
		const struct authz_row *r = rows[i].row;
		const char *f = rows[i].file;
		size_t at = rows[i].index;
		bool pub = strcmp(r->rule, RULE_PUBLIC) == 0;

		EXPECT(names_are_known(r->path) && names_are_known(r->body),
		       "%s row %zu (%s %s): unknown {placeholder}", f, at, r->method, r->path);
		EXPECT(r->expect == NA || (r->expect >= 200 && r->expect <= 599),
		       "%s row %zu (%s %s): expected status %d", f, at, r->method, r->path,
		       r->expect);
		EXPECT(pub || r->expect == NA ||
			       ((r->persona == P_ANON || r->persona == P_INACTIVE) ==
				(r->expect == 401)),
		       "%s row %zu (%s %s, %s): a non-public route answers 401 exactly to the "
		       "anonymous and the inactive caller", f, at, r->method, r->path,
		       persona_name(r->persona));
		EXPECT(r->kind != K_NONE || (r->hdr == H_NONE && !strchr(r->path, '{')),
		       "%s row %zu (%s %s): a route without object kinds has no tenant and no ids",
		       f, at, r->method, r->path);
	}
	for (size_t i = 0; i < n; i++) {
		bool none = s[i].kinds & (1u << K_NONE);

		EXPECT(!s[i].rule_mixed, "%s: rows disagree about the rule", s[i].key);
		EXPECT(none ? s[i].kinds == (1u << K_NONE)
			    : (s[i].kinds & object_kinds) == object_kinds,
		       "%s: needs rows for own, foreign and missing objects (or only \"no "
		       "object\")", s[i].key);
		for (int k = 0; k < K_COUNT; k++) {
			if (!(s[i].kinds & (1u << k)))
				continue;
			for (int p = 0; p < P_COUNT; p++)
				EXPECT(s[i].rows[k][p] == 1,
				       "%s, %s, %s: %u rows expect a status (want exactly 1)",
				       s[i].key, kind_name((enum obj_kind)k),
				       persona_name((enum persona)p), s[i].rows[k][p]);
		}
	}
	printf("\n    authz matrix: %zu rows over %zu routes ", nrows, n);
	free_summary(s, n);
}

static void test_table_names_every_server_route(void)
{
	struct srv_route *routes;
	struct route_summary *s;
	size_t nr = srv_routes(&routes), n = summarise(&s);

	if (!EXPECT(srv_routes_available(),
		    "this program was built without VS_HAVE_ROUTE_TABLE: it cannot prove the "
		    "matrix names every route of fcgi/routes.c")) {
		free_summary(s, n);
		return;
	}
	for (size_t i = 0; i < nr; i++) {
		char *key = route_key(routes[i].method, routes[i].pattern);
		size_t j = 0;

		while (j < n && strcmp(s[j].key, key) != 0)
			j++;
		if (EXPECT(j < n, "the server has route %s (%s) that the matrix does not name",
			   key, routes[i].rule))
			EXPECT(strcmp(s[j].rule, routes[i].rule) == 0,
			       "%s: the server declares \"%s\", the matrix (README) says \"%s\"",
			       key, routes[i].rule, s[j].rule);
		free(key);
	}
	for (size_t j = 0; j < n; j++) {
		size_t i = 0;

		for (; i < nr; i++) {
			char *key = route_key(routes[i].method, routes[i].pattern);
			bool same = strcmp(key, s[j].key) == 0;

			free(key);
			if (same)
				break;
		}
		EXPECT(i < nr, "the matrix names %s, which the server does not route", s[j].key);
	}
	free(routes);
	free_summary(s, n);
}

/* ---- running the rows ------------------------------------------------------------------- */

static const char *problem_slug(int status)
{
	switch (status) {
	case 400: return "bad-request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not-found";
	case 409: return "conflict";
	case 422: return "validation-error";
	default: return "?";
	}
}

/* The tenant the row acts in (NULL: none, or one named by a slug). */
static const char *row_tenant(struct row_run *rr)
{
	const struct authz_row *row = rr->row;

	if (row->kind == K_NOCTX)
		return NULL;
	if (row->hdr == H_CTX || strstr(row->path, "{tid}"))
		return value(rr, PH_TID);
	if (row->hdr == H_A || strstr(row->path, "{A}"))
		return rr->w->tenant_a;
	return NULL;
}

/* The detail the contract fixes for this row's answer, or NULL when it leaves it open. */
static char *expected_detail(struct row_run *rr)
{
	const struct authz_row *row = rr->row;
	const char *tenant = row_tenant(rr);
	bool pub = strcmp(row->rule, RULE_PUBLIC) == 0, perm = strchr(row->rule, ':') != NULL;

	switch (row->expect) {
	case 400:
		return row->kind == K_NOCTX ? xstrdup("X-Tenant-ID header is required.") : NULL;
	case 401:
		if (pub)
			return NULL;
		if (row->persona == P_ANON)
			return xstrdup("Not authenticated");
		/* its token outlives 15 minutes on a slow run: then it is merely invalid */
		if (row->persona == P_INACTIVE && now_mono() - rr->w->inactive_login_at < 800)
			return xstrdup("Inactive user");
		return NULL;
	case 403:
		if (row->kind == K_SYSTEM && (row->persona == P_SU || row->persona == P_TADMIN))
			return xstrdup("System roles cannot be changed.");
		if (perm && (!tenant || (strcmp(tenant, rr->w->tenant_a) == 0 &&
					 row->persona != P_OTHER)))
			return xstrdup("Not enough permissions");
		return NULL;
	case 404:
		if (row->kind == K_MISSING && tenant &&
		    (row->hdr == H_CTX || strstr(row->path, "{tid}")))
			return xasprintf("Tenant %s not found.", tenant);
		return NULL;
	default:
		return NULL;
	}
}

static const char *header_tenant(struct row_run *rr)
{
	if (rr->row->kind == K_NOCTX)
		return NULL;
	switch (rr->row->hdr) {
	case H_CTX: return value(rr, PH_TID);
	case H_A: return rr->w->tenant_a;
	case H_NONE: return NULL;
	}
	return NULL;
}

/* The request; nginx's login rate limit (429) is waited out, it is not what the row tests. */
static struct resp *send_row(const char *method, const char *path, const char *token,
			     const char *tenant, const char *body, int expect)
{
	struct resp *r = NULL;

	for (int attempt = 0; attempt < 8; attempt++) {
		const char *ra;
		long wait;

		resp_free(r);
		r = req(method, path, token, tenant, body);
		if (r->status != 429 || expect == 429)
			break;
		ra = resp_header(r, "Retry-After");
		wait = ra ? atol(ra) : 1;
		sleep_ms((wait < 1 ? 1 : wait > 3 ? 3 : wait) * 1000);
	}
	return r;
}

/* Every change must leave an audit event (API.md §8): the request ids of the rows whose
 * change succeeded, by route, are looked up in audit.events after the run. A POST that
 * changes nothing is named here: verifying an invitation, and the matrix's logout, whose
 * refresh token nobody holds (the unit tests check a real logout's event). */
struct changed {
	const char *route;
	char *request_id;
};
static struct changed *changes;
static size_t nchanges;

static bool changes_nothing(const char *method, const char *route)
{
	return !strcmp(method, "GET") || !strcmp(method, "HEAD") ||
	       !strcmp(route, "/api/v1/invitations/verify") || !strcmp(route, "/api/v1/auth/logout");
}

static void note_change(const struct authz_row *row, const struct resp *r)
{
	const char *id = resp_header(r, "X-Request-Id");
	if (r->status >= 300 || changes_nothing(row->method, row->path) || !id)
		return;
	changes = xrealloc(changes, (nchanges + 1) * sizeof(*changes));
	changes[nchanges++] = (struct changed){ row->path, xstrdup(id) };
}

/* Whether some change through route had its event. */
static bool route_audited(const char *route, PGresult *events)
{
	for (size_t i = 0; i < nchanges; i++) {
		if (strcmp(changes[i].route, route))
			continue;
		for (int k = 0; k < PQntuples(events); k++)
			if (!strcmp(PQgetvalue(events, k, 0), changes[i].request_id))
				return true;
	}
	return false;
}

/* Each route that changed something has an event of one of those requests. */
static void check_changes_were_audited(void)
{
	PGconn *db = pg_open(getenv("VS_OWNER_DATABASE_URL"));
	PGresult *events = db ? pg_run(db,
				       "SELECT DISTINCT canonical::jsonb ->> 'request_id' "
				       "FROM audit.events WHERE canonical::jsonb ? 'request_id'",
				       0, NULL)
			      : NULL;
	if (EXPECT(events && PQresultStatus(events) == PGRES_TUPLES_OK, "could not read audit.events")) {
		for (size_t i = 0; i < nchanges; i++) {
			bool first = true; /* of its route: one message per route */
			for (size_t j = 0; j < i && first; j++)
				first = strcmp(changes[j].route, changes[i].route) != 0;
			if (first && !route_audited(changes[i].route, events))
				EXPECT(false, "%s changed something and left no audit event",
				       changes[i].route);
		}
	}
	PQclear(events);
	if (db)
		PQfinish(db);
	for (size_t i = 0; i < nchanges; i++)
		free(changes[i].request_id);
	free(changes);
	changes = NULL;
	nchanges = 0;
}

/* Runs row m; true when the status was the expected one. */
static bool run_row(struct rbac_world *w, const struct mrow *m)
{
	struct row_run rr = { m->row, w, { NULL } };
	const struct authz_row *row = rr.row;
	char *path, *body = NULL, *detail;
	struct resp *r;
	bool ok = false;

	chk_context("%s row %zu: %s %s as %s, %s", m->file, m->index, row->method, row->path,
		    persona_name(row->persona), kind_name(row->kind));
	path = expand(&rr, row->path);
	if (row->body)
		body = expand(&rr, row->body);
	if (EXPECT(path && (!row->body || body), "could not fill in the row's templates")) {
		r = send_row(row->method, path, rw_token(w, row->persona), header_tenant(&rr),
			     body, row->expect);
		ok = EXPECT_STATUS(r, row->expect);
		note_change(row, r);
		if (ok && strcmp(row->path, "/api/v1/auth/check") == 0) {
			/* nginx's auth_request reads the status only: never a body */
			EXPECT(r->len == 0, "the check answered with a body");
		} else if (ok && row->expect >= 400) {
			detail = expected_detail(&rr);
			EXPECT_PROBLEM(r, row->expect, problem_slug(row->expect), detail);
			free(detail);
		}
		resp_free(r);
	}
	free(path);
	free(body);
	for (int k = 0; k < NPH; k++)
		free(rr.val[k]);
	chk_context(NULL);
	return ok;
}

static void test_every_row(void)
{
	struct rbac_world *w = get_world();
	size_t run = 0, wrong = 0;

	if (!w)
		return;
	for (size_t i = 0; i < nrows; i++) {
		if (rows[i].row->expect == NA)
			continue;
		run++;
		wrong += !run_row(w, &rows[i]);
	}
	check_changes_were_audited();
	printf("\n    authz matrix: %zu requests, %zu with another status ", run, wrong);
}

/* ---- walking the server's own table ---------------------------------------------------- */

/* The pattern with {tenant_id} = A, {slug} = A's slug, every other {name} a random id. */
static char *fill_pattern(struct rbac_world *w, const char *pattern)
{
	char *out = xstrdup("");

	for (const char *s = pattern; *s;) {
		const char *end = *s == '{' ? strchr(s, '}') : NULL;
		char *next, id[37];

		if (!end) {
			next = xasprintf("%s%c", out, *s++);
		} else {
			size_t len = (size_t)(end - s - 1);
			const char *v = id;

			if (len == 9 && memcmp(s + 1, "tenant_id", 9) == 0)
				v = w->tenant_a;
			else if (len == 4 && memcmp(s + 1, "slug", 4) == 0)
				v = w->slug_a;
			else
				random_uuid(id);
			next = xasprintf("%s%s", out, v);
			s = end + 1;
		}
		free(out);
		out = next;
	}
	return out;
}

static bool has_body(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
	       strcmp(method, "PATCH") == 0;
}

/* Every route of the server, as persona p (X-Tenant-ID A); check() judges each answer. */
static void walk(enum persona p, void (*check)(const struct srv_route *, struct resp *))
{
	struct rbac_world *w = get_world();
	struct srv_route *routes;
	size_t n = srv_routes(&routes);

	if (w && EXPECT(srv_routes_available(), "built without VS_HAVE_ROUTE_TABLE: no route "
						"table to walk"))
		for (size_t i = 0; i < n; i++) {
			char *path = fill_pattern(w, routes[i].pattern);
			struct resp *r = send_row(routes[i].method, path, rw_token(w, p),
						  w->tenant_a,
						  has_body(routes[i].method) ? "{}" : NULL, 0);

			chk_context("%s %s (%s) as %s", routes[i].method, routes[i].pattern,
				    routes[i].rule, persona_name(p));
			check(&routes[i], r);
			chk_context(NULL);
			resp_free(r);
			free(path);
		}
	free(routes);
}

static void check_unauthenticated(const struct srv_route *route, struct resp *r)
{
	if (strcmp(route->pattern, "/api/v1/auth/check") == 0) /* decides itself, bodiless */
		EXPECT(r->status == 401 && r->len == 0, "the check without credentials: %s",
		       resp_summary(r));
	else if (strcmp(route->rule, RULE_PUBLIC) == 0)
		EXPECT(r->status != 401, "a public route asked for credentials: %s",
		       resp_summary(r));
	else
		EXPECT_PROBLEM(r, 401, "unauthorized", "Not authenticated");
}

static void check_without_permission(const struct srv_route *route, struct resp *r)
{
	if (strchr(route->rule, ':'))
		EXPECT_PROBLEM(r, 403, "forbidden", "Not enough permissions");
	else
		EXPECT(r->status != 401, "a signed-in member was refused as unauthenticated: %s",
		       resp_summary(r));
}

static void test_walk_without_credentials(void)
{
	walk(P_ANON, check_unauthenticated);
}

static void test_walk_member_without_permissions(void)
{
	walk(P_BARE, check_without_permission);
}

static int add_authz_matrix_suite(void)
{
	static const struct it_test tests[] = {
		{ "the matrix has one expected status per route, kind and persona", test_table_is_complete },
		{ "the matrix names every route of the server's table, with its rule, and no other", test_table_names_every_server_route },
		{ "every route x persona x object kind answers the matrix's status", test_every_row },
		{ "every non-public route of the server is 401 + WWW-Authenticate without credentials", test_walk_without_credentials },
		{ "every permission route of the server is 403 for a member of A holding no permission", test_walk_member_without_permissions },
		{ NULL, NULL },
	};

	return it_add_suite("authz-matrix", suite_init, suite_cleanup, tests);
}

IT_REGISTER(add_authz_matrix_suite)
