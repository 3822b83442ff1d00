/* lib/api_keys/usecases.c on the fakes: keys GLOBAL or bound to a tenant, scopes that are
 * catalogue codes the owner holds there, a limited key that never mints a stronger one,
 * expiry as an instant or the end of a day in the tenant's zone, the key text shown once
 * with only its SHA-256 stored, someone else's key 403 and a missing one 404, rotation
 * with a grace period, minting in batches, and a clean rollback on every fault. Calls
 * run inside a request session as fcgi/pipeline.c runs them (world.h), but mint_many,
 * which is vs-admin's. */
#include "suites.h"

#include "api_keys/key_world.h"
#include "api_keys/messages.h"
#include "api_keys/usecases.h"
#include "auth/messages.h"
#include "core/crypto.h"
#include "roles/messages.h"
#include "users/messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW	      1795428000 /* 2026-11-23T10:00:00Z, world_init's clock */
#define END_OF_23_UTC 1795478400 /* 2026-11-24T00:00:00Z */
#define END_OF_23_NY  1795496400 /* 2026-11-24T05:00:00Z: midnight in New York (EST) */

static struct vs_api_key_input global_key(const char **scopes, size_t n)
{
	return (struct vs_api_key_input){.name = kw_str("ci"),
					 .scope = kw_str("GLOBAL"),
					 .scopes_set = n > 0,
					 .scopes = scopes,
					 .nscopes = n};
}

static struct vs_api_key_input tenant_key(const vs_uuid *tenant, const char **scopes, size_t n)
{
	return (struct vs_api_key_input){.name = kw_str("ci"),
					 .scope = kw_str("TENANT"),
					 .tenant_id = {.set = true, .v = *tenant},
					 .scopes_set = n > 0,
					 .scopes = scopes,
					 .nscopes = n};
}

/* One request as user (no X-Tenant-ID): open, create, close. */
static enum vs_err create_as(struct world *w, const vs_uuid *user,
			     const struct vs_api_key_input *in, struct vs_api_key *out,
			     const char **text, struct vs_error *e)
{
	const struct vs_principal *p = world_enter(w, user, NULL);
	enum vs_err rc = vs_api_keys_create(&w->app, w->a, p, in, out, text, e);
	CU_ASSERT_EQUAL(world_leave(w, rc == VS_OK), VS_OK);
	return rc;
}

static struct fake_api_key_row *key_row(struct world *w, const vs_uuid *id)
{
	struct fake_api_key_row *row = fake_api_key(w->db, id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(row);
	return row;
}

/* The key text authenticates, as the key id (VS_OK), or is refused. */
static enum vs_err authenticate(struct world *w, const char *text, vs_uuid *id)
{
	struct vs_api_key k;
	struct vs_error e = {0};
	enum vs_err rc = vs_api_keys_authenticate(&w->app, w->a, text, strlen(text), &k, &e);
	if (rc == VS_OK && id)
		*id = k.id;
	return rc;
}

/* A refusal: the answer, its text (or its one field), and nothing written. */
static void assert_refused(struct world *w, const struct fake_store *before, enum vs_err rc,
			   const struct vs_error *e, enum vs_err want, const char *detail,
			   const char *field)
{
	CU_ASSERT_EQUAL(rc, want);
	CU_ASSERT_EQUAL(e->code, want);
	if (field) {
		CU_ASSERT_EQUAL_FATAL(e->nfields, 1);
		CU_ASSERT_STRING_EQUAL(ut_str(e->fields[0].field), field);
		CU_ASSERT_STRING_EQUAL(ut_str(e->fields[0].message), detail);
	} else {
		CU_ASSERT_STRING_EQUAL(ut_str(e->detail), detail);
	}
	CU_ASSERT_TRUE(fake_store_equal(&w->db->store, before));
	CU_ASSERT_EQUAL(fake_called(w->db, "api_keys.insert"), 0);
	CU_ASSERT_EQUAL(fake_called(w->db, "api_keys.update"), 0);
	CU_ASSERT_EQUAL(fake_called(w->db, "api_keys.remove"), 0);
	FAKE_ASSERT_TX_CLEAN(w->db);
}

/* ---- create ---- */

static void test_keys_create_global_shown_once_only_its_hash_stored(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	const char *scopes[] = {"vm:read", "user:read"};
	struct vs_api_key_input in = global_key(scopes, 2);
	in.description = kw_str("CI runner");
	struct vs_api_key out;
	const char *text = NULL;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(create_as(w, &w->ann, &in, &out, &text, &e), VS_OK);

	/* The text: well formed; its public id and SHA-256 are what the record holds. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL_FATAL(strlen(text), VS_API_KEY_LEN);
	char public_id[VS_API_KEY_PUBLIC_LEN + 1];
	CU_ASSERT_TRUE_FATAL(vs_api_key_parse(text, VS_API_KEY_LEN, public_id));
	uint8_t digest[VS_SHA256_LEN];
	vs_sha256(text, VS_API_KEY_LEN, digest);
	CU_ASSERT_STRING_EQUAL(out.public_id, public_id);
	CU_ASSERT_EQUAL(memcmp(out.hash, digest, sizeof(digest)), 0);
	CU_ASSERT_TRUE(vs_uuid_eq(&out.user_id, &w->ann));
	CU_ASSERT_TRUE(out.global);
	CU_ASSERT_TRUE(vs_uuid_is_nil(&out.tenant_id));
	CU_ASSERT_STRING_EQUAL(ut_str(out.name), "ci");
	CU_ASSERT_STRING_EQUAL(ut_str(out.description), "CI runner");
	CU_ASSERT_TRUE(out.is_active);
	CU_ASSERT_FALSE(out.expires);

	/* Stored: the prefix and the hash, never the text or its secret. */
	CU_ASSERT_EQUAL(w->db->store.napi_keys, 1);
	const struct fake_api_key_row *row = key_row(w, &out.id);
	CU_ASSERT_TRUE(vs_uuid_eq(&row->user_id, &w->ann));
	CU_ASSERT_TRUE(row->global);
	CU_ASSERT_STRING_EQUAL(row->public_id, public_id);
	CU_ASSERT_EQUAL(memcmp(row->hash, digest, sizeof(digest)), 0);
	CU_ASSERT_FALSE(kw_row_contains(row, text, VS_API_KEY_LEN));
	CU_ASSERT_FALSE(kw_row_contains(row, text + VS_API_KEY_PREFIX_LEN + VS_API_KEY_PUBLIC_LEN,
					VS_API_KEY_SECRET_LEN));
	CU_ASSERT_EQUAL_FATAL(row->nscopes, 2);
	CU_ASSERT_STRING_EQUAL(row->scopes[0], "vm:read");
	CU_ASSERT_STRING_EQUAL(row->scopes[1], "user:read");
	CU_ASSERT_TRUE(row->is_active);
	CU_ASSERT_FALSE(row->expires);
	/* Each scope looked up in the catalogue, one insert in the use case's transaction. */
	CU_ASSERT_EQUAL(fake_called(w->db, "permissions.find"), 2);
	CU_ASSERT_EQUAL(fake_called(w->db, "api_keys.insert"), 1);
	CU_ASSERT_EQUAL(fake_called(w->db, "tx.nested_commit"), 1);
	FAKE_ASSERT_TX_CLEAN(w->db);

	/* What was shown works; the next key is another one. */
	vs_uuid id;
	CU_ASSERT_EQUAL(authenticate(w, text, &id), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&id, &out.id));
	struct vs_api_key second;
	const char *text2 = NULL;
	CU_ASSERT_EQUAL_FATAL(create_as(w, &w->ann, &in, &second, &text2, &e), VS_OK);
	CU_ASSERT_NOT_EQUAL(strcmp(text, text2), 0);
	CU_ASSERT_NOT_EQUAL(strcmp(out.public_id, second.public_id), 0);
	key_world_free(&k);
}

static void test_keys_create_tenant_key_only_with_scopes_held_there(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	const struct {
		const vs_uuid *user;
		const char *scope; /* NULL: unlimited */
		enum vs_err want;
		const char *detail, *field;
	} cases[] = {
	    {&w->ann, "vm:read", VS_OK, NULL, NULL},
	    {&w->ann, NULL, VS_OK, NULL, NULL}, /* the owner's permissions, checked at use */
	    {&w->ann, "vm:create", VS_FORBIDDEN, VS_MSG_CANNOT_GRANT, NULL}, /* Member lacks it */
	    {&w->ann, "vm:teleport", VS_INVALID, VS_MSG_SCOPE_UNKNOWN, "scopes"},
	    {&w->manager, "vm:read", VS_FORBIDDEN, VS_MSG_FORBIDDEN, NULL}, /* no api_key:create */
	    {&w->gus, "vm:read", VS_FORBIDDEN, VS_MSG_NOT_MEMBER, NULL},
	    {&w->root, "vm:create", VS_OK, NULL, NULL}, /* superuser, not a member */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *scopes[] = {cases[i].scope};
		struct vs_api_key_input in = tenant_key(&w->acme, scopes, cases[i].scope ? 1 : 0);
		struct vs_api_key out;
		const char *text = NULL;
		struct vs_error e = {0};
		struct fake_store *before = WORLD_SNAPSHOT(w);
		enum vs_err rc = create_as(w, cases[i].user, &in, &out, &text, &e);
		if (cases[i].want != VS_OK) {
			assert_refused(w, before, rc, &e, cases[i].want, cases[i].detail,
				       cases[i].field);
		} else {
			CU_ASSERT_EQUAL_FATAL(rc, VS_OK);
			const struct fake_api_key_row *row = key_row(w, &out.id);
			CU_ASSERT_FALSE(row->global);
			CU_ASSERT_TRUE(vs_uuid_eq(&row->tenant_id, &w->acme));
			CU_ASSERT_TRUE(vs_uuid_eq(&row->user_id, cases[i].user));
			CU_ASSERT_EQUAL(row->nscopes, cases[i].scope ? 1u : 0u);
			CU_ASSERT_EQUAL(w->db->store.napi_keys, before->napi_keys + 1);
		}
		free(before);
	}
	key_world_free(&k);
}

static void test_keys_create_scope_and_tenant_must_agree(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	struct vs_api_key_input none = {.name = kw_str("ci")}; /* TENANT by default */
	struct vs_api_key_input tenant = tenant_key(&w->acme, NULL, 0);
	tenant.tenant_id = (struct vs_opt_uuid){0};
	struct vs_api_key_input null_tenant = tenant_key(&w->acme, NULL, 0);
	null_tenant.tenant_id = (struct vs_opt_uuid){.set = true, .null = true};
	struct vs_api_key_input global = global_key(NULL, 0);
	global.tenant_id = (struct vs_opt_uuid){.set = true, .v = w->acme};
	const struct {
		const struct vs_api_key_input *in;
		enum vs_err want;
		const char *detail, *field;
	} cases[] = {
	    {&none, VS_BADREQ, VS_MSG_KEY_NEEDS_TENANT, NULL},
	    {&tenant, VS_BADREQ, VS_MSG_KEY_NEEDS_TENANT, NULL},
	    {&null_tenant, VS_BADREQ, VS_MSG_KEY_NEEDS_TENANT, NULL},
	    {&global, VS_INVALID, VS_MSG_KEY_GLOBAL_TENANT, "tenant_id"},
	};
	struct fake_store *before = WORLD_SNAPSHOT(w);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vs_api_key out;
		const char *text = NULL;
		struct vs_error e = {0};
		const struct vs_principal *p = world_enter(w, &w->root, NULL);
		enum vs_err rc = vs_api_keys_create(&w->app, w->a, p, cases[i].in, &out, &text, &e);
		CU_ASSERT_EQUAL(w->db->calls, 0); /* decided from the input alone */
		CU_ASSERT_EQUAL(world_leave(w, false), VS_OK);
		assert_refused(w, before, rc, &e, cases[i].want, cases[i].detail, cases[i].field);
	}
	free(before);
	key_world_free(&k);
}

static void test_keys_create_by_a_limited_key_stays_within_its_scopes(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	/* admin holds every code in acme (Tenant Admin): each refusal is the key's limit. */
	const char *const minting[] = {"api_key:create", "vm:read", "user:read", NULL};
	const char *const plain[] = {"vm:read", NULL};
	const char *mint_key = fake_seed_api_key(w->db, w->a, &w->admin, &w->acme, minting, NULL);
	const char *plain_key = fake_seed_api_key(w->db, w->a, &w->admin, &w->acme, plain, NULL);
	const char *vm_read[] = {"vm:read"};
	const char *both[] = {"user:read", "vm:read"};
	const char *wider[] = {"vm:read", "vm:create"};
	const struct {
		const char *key;
		struct vs_api_key_input in;
		enum vs_err want;
		const char *detail;
	} cases[] = {
	    {mint_key, tenant_key(&w->acme, vm_read, 1), VS_OK, NULL},
	    {mint_key, global_key(both, 2), VS_OK, NULL},
	    {mint_key, tenant_key(&w->acme, wider, 2), VS_FORBIDDEN, VS_MSG_KEY_BEYOND_SCOPES},
	    {mint_key, tenant_key(&w->acme, NULL, 0), VS_FORBIDDEN, VS_MSG_KEY_BEYOND_SCOPES},
	    {mint_key, global_key(NULL, 0), VS_FORBIDDEN, VS_MSG_KEY_BEYOND_SCOPES},
	    {plain_key, tenant_key(&w->acme, vm_read, 1), VS_FORBIDDEN, VS_MSG_FORBIDDEN},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vs_api_key out;
		const char *text = NULL;
		struct vs_error e = {0};
		struct fake_store *before = WORLD_SNAPSHOT(w);
		const struct vs_principal *p = kw_enter_key(w, cases[i].key, NULL);
		CU_ASSERT_TRUE(p->via_key && p->key_limited);
		enum vs_err rc =
		    vs_api_keys_create(&w->app, w->a, p, &cases[i].in, &out, &text, &e);
		CU_ASSERT_EQUAL(world_leave(w, rc == VS_OK), VS_OK);
		if (cases[i].want != VS_OK) {
			assert_refused(w, before, rc, &e, cases[i].want, cases[i].detail, NULL);
		} else {
			CU_ASSERT_EQUAL(rc, VS_OK);
			CU_ASSERT_TRUE(vs_uuid_eq(&key_row(w, &out.id)->user_id, &w->admin));
		}
		free(before);
	}
	key_world_free(&k);
}

static void test_keys_create_expiry_instant_or_end_of_day_in_tenant_zone(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	const struct {
		int64_t now;
		bool in_acme;
		struct vs_opt_time at;
		const char *on;
		enum vs_err want;
		int64_t expires_at; /* 0: none */
		const char *message, *field;
	} cases[] = {
	    /* clang-format off */
	    {NOW, false, {.set = true, .v = NOW + 3600}, NULL, VS_OK, NOW + 3600, NULL, NULL},
	    {NOW, false, {.set = true, .null = true}, NULL, VS_OK, 0, NULL, NULL},
	    {NOW, false, {.set = true, .v = NOW}, NULL, VS_INVALID, 0, VS_MSG_EXPIRY_PAST,
	     "expires_at"},
	    {NOW, false, {.set = true, .v = NOW - 1}, NULL, VS_INVALID, 0, VS_MSG_EXPIRY_PAST,
	     "expires_at"},
	    {NOW, false, {.set = true, .v = NOW + 3600}, "2026-11-30", VS_INVALID, 0,
	     VS_MSG_EXPIRY_BOTH, "expires_on"},
	    /* The end of the day: UTC for a GLOBAL key, the tenant's zone for a TENANT key. */
	    {NOW, false, {0}, "2026-11-23", VS_OK, END_OF_23_UTC, NULL, NULL},
	    {NOW, true, {0}, "2026-11-23", VS_OK, END_OF_23_NY, NULL, NULL},
	    /* 02:00 UTC on the 24th: the 23rd is over in UTC, not yet in New York. */
	    {NOW + 16 * 3600, false, {0}, "2026-11-23", VS_INVALID, 0, VS_MSG_EXPIRY_PAST,
	     "expires_on"},
	    {NOW + 16 * 3600, true, {0}, "2026-11-23", VS_OK, END_OF_23_NY, NULL, NULL},
	    {NOW, false, {0}, "2026-02-30", VS_INVALID, 0, VS_MSG_EXPIRY_DATE, "expires_on"},
	    /* clang-format on */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_clock_set(cases[i].now);
		struct vs_api_key_input in =
		    cases[i].in_acme ? tenant_key(&w->acme, NULL, 0) : global_key(NULL, 0);
		in.expires_at = cases[i].at;
		if (cases[i].on)
			in.expires_on = kw_str(cases[i].on);
		struct vs_api_key out;
		const char *text = NULL;
		struct vs_error e = {0};
		struct fake_store *before = WORLD_SNAPSHOT(w);
		enum vs_err rc = create_as(w, &w->ann, &in, &out, &text, &e);
		if (rc != cases[i].want)
			fprintf(stderr, "\n  expiry case %zu: rc=%d\n", i, rc);
		if (cases[i].want != VS_OK) {
			assert_refused(w, before, rc, &e, cases[i].want, cases[i].message,
				       cases[i].field);
		} else if (rc == VS_OK) {
			const struct fake_api_key_row *row = key_row(w, &out.id);
			CU_ASSERT_EQUAL(row->expires, cases[i].expires_at != 0);
			CU_ASSERT_EQUAL(row->expires_at, cases[i].expires_at);
			CU_ASSERT_EQUAL(out.expires_at, cases[i].expires_at);
		}
		free(before);
	}
	key_world_free(&k);
}

/* ---- read ---- */

static enum vs_err list_as(struct world *w, const vs_uuid *user, const vs_uuid *of_user,
			   const vs_uuid *of_tenant, int64_t offset, int64_t limit,
			   struct vs_api_key_page *page, struct vs_error *e)
{
	struct vs_api_key_filter f = {of_user, of_tenant, offset, limit};
	const struct vs_principal *p = world_enter(w, user, NULL);
	enum vs_err rc = vs_api_keys_list(&w->app, w->a, p, &f, page, e);
	CU_ASSERT_EQUAL(world_leave(w, rc == VS_OK), VS_OK);
	return rc;
}

static void test_keys_list_own_keys_filters_for_superusers_only(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	vs_uuid ann_global, ann_acme, admin_acme, root_global;
	fake_seed_api_key(w->db, w->a, &w->ann, NULL, NULL, &ann_global);
	fake_seed_api_key(w->db, w->a, &w->gus, &w->globex, NULL, NULL);
	fake_seed_api_key(w->db, w->a, &w->ann, &w->acme, NULL, &ann_acme);
	fake_seed_api_key(w->db, w->a, &w->admin, &w->acme, NULL, &admin_acme);
	fake_seed_api_key(w->db, w->a, &w->root, NULL, NULL, &root_global);
	struct vs_api_key_page page;
	struct vs_error e = {0};

	/* One's own, in creation order, with paging. */
	CU_ASSERT_EQUAL_FATAL(list_as(w, &w->ann, NULL, NULL, 0, 100, &page, &e), VS_OK);
	CU_ASSERT_EQUAL(page.total, 2);
	CU_ASSERT_EQUAL_FATAL(page.n, 2);
	CU_ASSERT_TRUE(vs_uuid_eq(&page.items[0].id, &ann_global));
	CU_ASSERT_TRUE(vs_uuid_eq(&page.items[1].id, &ann_acme));
	CU_ASSERT_EQUAL_FATAL(list_as(w, &w->ann, NULL, NULL, 1, 1, &page, &e), VS_OK);
	CU_ASSERT_EQUAL(page.total, 2);
	CU_ASSERT_EQUAL_FATAL(page.n, 1);
	CU_ASSERT_TRUE(vs_uuid_eq(&page.items[0].id, &ann_acme));

	/* Filters are a superuser's, even naming oneself. */
	const vs_uuid *filters[][2] = {{&w->ann, NULL}, {NULL, &w->acme}, {&w->gus, &w->globex}};
	for (size_t i = 0; i < 3; i++) {
		e = (struct vs_error){0};
		CU_ASSERT_EQUAL(
		    list_as(w, &w->ann, filters[i][0], filters[i][1], 0, 100, &page, &e),
		    VS_FORBIDDEN);
		CU_ASSERT_STRING_EQUAL(ut_str(e.detail), VS_MSG_FORBIDDEN);
		CU_ASSERT_EQUAL(fake_called(w->db, "api_keys.list"), 0);
		FAKE_ASSERT_TX_CLEAN(w->db);
	}

	/* A superuser: its own unless asked; by owner, by tenant (TENANT keys), or both. */
	const struct {
		const vs_uuid *user, *tenant;
		size_t n;
		const vs_uuid *first;
	} asks[] = {
	    {NULL, NULL, 1, &root_global},
	    {&w->ann, NULL, 2, &ann_global},
	    {NULL, &w->acme, 2, &ann_acme},
	    {&w->ann, &w->acme, 1, &ann_acme},
	};
	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(
		    list_as(w, &w->root, asks[i].user, asks[i].tenant, 0, 100, &page, &e), VS_OK);
		CU_ASSERT_EQUAL(page.total, (int64_t)asks[i].n);
		CU_ASSERT_EQUAL_FATAL(page.n, asks[i].n);
		CU_ASSERT_TRUE(vs_uuid_eq(&page.items[0].id, asks[i].first));
	}
	CU_ASSERT_EQUAL_FATAL(list_as(w, &w->root, NULL, &w->acme, 0, 100, &page, &e), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&page.items[1].id, &admin_acme));
	key_world_free(&k);
}

/* ---- get, update, delete, rotate: whose key ---- */

enum key_op { OP_GET, OP_UPDATE, OP_DELETE, OP_ROTATE };

static enum vs_err key_op(struct world *w, const struct vs_principal *p, enum key_op op,
			  const vs_uuid *id, struct vs_error *e)
{
	struct vs_api_key out;
	const char *text = NULL;
	struct vs_api_key_input rename = {.name = kw_str("renamed")};
	switch (op) {
	case OP_GET:
		return vs_api_keys_get(&w->app, w->a, p, id, &out, e);
	case OP_UPDATE:
		return vs_api_keys_update(&w->app, w->a, p, id, &rename, &out, e);
	case OP_DELETE:
		return vs_api_keys_delete(&w->app, w->a, p, id, e);
	case OP_ROTATE:
		return vs_api_keys_rotate(&w->app, w->a, p, id, 60, &out, &text, e);
	}
	return VS_INTERNAL;
}

static void test_keys_someone_elses_is_403_missing_is_404(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	vs_uuid gus_key, missing;
	fake_seed_api_key(w->db, w->a, &w->gus, &w->globex, NULL, &gus_key);
	vs_uuid_v4(&missing);
	struct fake_store *before = WORLD_SNAPSHOT(w);
	for (enum key_op op = OP_GET; op <= OP_ROTATE; op++) {
		struct vs_error e = {0};
		const struct vs_principal *p = world_enter(w, &w->ann, NULL);
		enum vs_err rc = key_op(w, p, op, &gus_key, &e);
		CU_ASSERT_EQUAL(world_leave(w, false), VS_OK);
		assert_refused(w, before, rc, &e, VS_FORBIDDEN, VS_MSG_KEY_NOT_YOURS, NULL);

		e = (struct vs_error){0};
		p = world_enter(w, &w->ann, NULL);
		rc = key_op(w, p, op, &missing, &e);
		CU_ASSERT_EQUAL(world_leave(w, false), VS_OK);
		assert_refused(w, before, rc, &e, VS_NOTFOUND, VS_MSG_KEY_NOT_FOUND, NULL);
	}
	/* A superuser sees anyone's. */
	struct vs_api_key out;
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(w, &w->root, NULL);
	CU_ASSERT_EQUAL(vs_api_keys_get(&w->app, w->a, p, &gus_key, &out, &e), VS_OK);
	CU_ASSERT_EQUAL(world_leave(w, true), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&out.user_id, &w->gus));
	free(before);
	key_world_free(&k);
}

/* ---- update ---- */

static enum vs_err update_as(struct world *w, const vs_uuid *user, const vs_uuid *id,
			     const struct vs_api_key_input *in, struct vs_api_key *out,
			     struct vs_error *e)
{
	const struct vs_principal *p = world_enter(w, user, NULL);
	enum vs_err rc = vs_api_keys_update(&w->app, w->a, p, id, in, out, e);
	CU_ASSERT_EQUAL(world_leave(w, rc == VS_OK), VS_OK);
	return rc;
}

static void test_keys_update_changes_settings_never_scope_or_tenant(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	const char *const seeded[] = {"vm:read", NULL};
	vs_uuid id, global_id;
	fake_seed_api_key(w->db, w->a, &w->ann, &w->acme, seeded, &id);
	fake_seed_api_key(w->db, w->a, &w->ann, NULL, NULL, &global_id);
	const char *scopes[] = {"user:read", "vm:read"};
	struct vs_api_key_input in = {.name = kw_str("renamed"),
				      .description = kw_str("for CI"),
				      .is_active = {.set = true, .v = false},
				      .expires_on = kw_str("2026-11-23"),
				      .scopes_set = true,
				      .scopes = scopes,
				      .nscopes = 2};
	struct vs_api_key out;
	struct vs_error e = {0};
	fake_clock_advance(5);
	CU_ASSERT_EQUAL_FATAL(update_as(w, &w->ann, &id, &in, &out, &e), VS_OK);
	const struct fake_api_key_row *row = key_row(w, &id);
	CU_ASSERT_STRING_EQUAL(row->name, "renamed");
	CU_ASSERT_TRUE(row->has_description);
	CU_ASSERT_STRING_EQUAL(row->description, "for CI");
	CU_ASSERT_FALSE(row->is_active);
	CU_ASSERT_TRUE(row->expires);
	CU_ASSERT_EQUAL(row->expires_at, END_OF_23_NY); /* the key's tenant's day */
	CU_ASSERT_EQUAL_FATAL(row->nscopes, 2);
	CU_ASSERT_STRING_EQUAL(row->scopes[0], "user:read");
	CU_ASSERT_STRING_EQUAL(row->scopes[1], "vm:read");
	CU_ASSERT_EQUAL(row->updated_at, NOW + 5);
	CU_ASSERT_TRUE(vs_uuid_eq(&row->tenant_id, &w->acme));
	CU_ASSERT_STRING_EQUAL(ut_str(out.name), "renamed");
	CU_ASSERT_FALSE(out.is_active);
	CU_ASSERT_EQUAL(out.nscopes, 2);

	/* Cleared with nulls. */
	struct vs_api_key_input clear = {.description = {.set = true, .null = true},
					 .expires_at = {.set = true, .null = true}};
	CU_ASSERT_EQUAL_FATAL(update_as(w, &w->ann, &id, &clear, &out, &e), VS_OK);
	CU_ASSERT_FALSE(row->has_description);
	CU_ASSERT_FALSE(row->expires);
	CU_ASSERT_STRING_EQUAL(row->name, "renamed"); /* absent: kept */

	/* Refused, changing nothing. */
	struct vs_api_key_input scope = {.scope = kw_str("GLOBAL")};
	struct vs_api_key_input tenant = {.tenant_id = {.set = true, .v = w->globex}};
	struct vs_api_key_input untenant = {.tenant_id = {.set = true, .null = true}};
	const char *beyond[] = {"vm:create"}; /* Member lacks it in acme */
	struct vs_api_key_input stronger = {.scopes_set = true, .scopes = beyond, .nscopes = 1};
	const char *unknown[] = {"vm:teleport"};
	struct vs_api_key_input made_up = {.scopes_set = true, .scopes = unknown, .nscopes = 1};
	struct vs_api_key_input past = {.expires_at = {.set = true, .v = NOW}};
	const struct {
		const struct vs_api_key_input *in;
		enum vs_err want;
		const char *detail, *field;
	} refused[] = {
	    {&scope, VS_INVALID, VS_MSG_KEY_FIXED, "scope"},
	    {&tenant, VS_INVALID, VS_MSG_KEY_FIXED, "tenant_id"},
	    {&untenant, VS_INVALID, VS_MSG_KEY_FIXED, "tenant_id"},
	    {&stronger, VS_FORBIDDEN, VS_MSG_CANNOT_GRANT, NULL},
	    {&made_up, VS_INVALID, VS_MSG_SCOPE_UNKNOWN, "scopes"},
	    {&past, VS_INVALID, VS_MSG_EXPIRY_PAST, "expires_at"},
	};
	struct fake_store *before = WORLD_SNAPSHOT(w);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		e = (struct vs_error){0};
		enum vs_err rc = update_as(w, &w->ann, &id, refused[i].in, &out, &e);
		assert_refused(w, before, rc, &e, refused[i].want, refused[i].detail,
			       refused[i].field);
	}
	/* A GLOBAL key's scopes are only checked against the catalogue here; what the owner
	 * holds is checked in each tenant at use (test_check.c). */
	e = (struct vs_error){0};
	CU_ASSERT_EQUAL(update_as(w, &w->ann, &global_id, &stronger, &out, &e), VS_OK);
	CU_ASSERT_STRING_EQUAL(key_row(w, &global_id)->scopes[0], "vm:create");
	free(before);
	key_world_free(&k);
}

/* ---- delete ---- */

static void test_keys_delete_removes_that_key_only(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	vs_uuid first, second, gus_key;
	const char *text = fake_seed_api_key(w->db, w->a, &w->ann, NULL, NULL, &first);
	fake_seed_api_key(w->db, w->a, &w->ann, NULL, NULL, &second);
	fake_seed_api_key(w->db, w->a, &w->gus, NULL, NULL, &gus_key);
	CU_ASSERT_EQUAL(authenticate(w, text, NULL), VS_OK);

	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(w, &w->ann, NULL);
	CU_ASSERT_EQUAL(vs_api_keys_delete(&w->app, w->a, p, &first, &e), VS_OK);
	CU_ASSERT_EQUAL(world_leave(w, true), VS_OK);
	CU_ASSERT_PTR_NULL(fake_api_key(w->db, &first));
	CU_ASSERT_PTR_NOT_NULL(fake_api_key(w->db, &second));
	CU_ASSERT_EQUAL(w->db->store.napi_keys, 2);
	CU_ASSERT_EQUAL(fake_called(w->db, "api_keys.remove"), 1);
	FAKE_ASSERT_TX_CLEAN(w->db);
	CU_ASSERT_EQUAL(authenticate(w, text, NULL), VS_UNAUTHORIZED);

	/* Gone is gone. */
	p = world_enter(w, &w->ann, NULL);
	CU_ASSERT_EQUAL(vs_api_keys_delete(&w->app, w->a, p, &first, &e), VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), VS_MSG_KEY_NOT_FOUND);
	CU_ASSERT_EQUAL(world_leave(w, false), VS_OK);
	/* A superuser deletes anyone's. */
	p = world_enter(w, &w->root, NULL);
	CU_ASSERT_EQUAL(vs_api_keys_delete(&w->app, w->a, p, &gus_key, &e), VS_OK);
	CU_ASSERT_EQUAL(world_leave(w, true), VS_OK);
	CU_ASSERT_PTR_NULL(fake_api_key(w->db, &gus_key));
	CU_ASSERT_EQUAL(w->db->store.napi_keys, 1);
	key_world_free(&k);
}

/* ---- rotate ---- */

static enum vs_err rotate_as(struct world *w, const vs_uuid *user, const vs_uuid *id, int64_t grace,
			     struct vs_api_key *out, const char **text, struct vs_error *e)
{
	const struct vs_principal *p = world_enter(w, user, NULL);
	enum vs_err rc = vs_api_keys_rotate(&w->app, w->a, p, id, grace, out, text, e);
	CU_ASSERT_EQUAL(world_leave(w, rc == VS_OK), VS_OK);
	return rc;
}

static void test_keys_rotate_same_settings_old_one_retires_after_grace(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	const char *const scopes[] = {"vm:read", "user:read", NULL};
	vs_uuid old_id;
	const char *old_text = fake_seed_api_key(w->db, w->a, &w->ann, &w->acme, scopes, &old_id);
	struct fake_api_key_row *old = key_row(w, &old_id);
	old->has_description = true;
	strcpy(old->description, "deploys");
	char old_public[VS_API_KEY_PUBLIC_LEN + 1];
	memcpy(old_public, old->public_id, sizeof(old_public));

	struct vs_api_key out;
	const char *text = NULL;
	struct vs_error e = {0};
	CU_ASSERT_EQUAL_FATAL(rotate_as(w, &w->ann, &old_id, 3600, &out, &text, &e), VS_OK);
	CU_ASSERT_EQUAL(fake_called(w->db, "api_keys.update"), 1);
	CU_ASSERT_EQUAL(fake_called(w->db, "api_keys.insert"), 1);
	FAKE_ASSERT_TX_CLEAN(w->db);

	/* A new key: its own id, prefix and hash, the old one's settings. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_FALSE(vs_uuid_eq(&out.id, &old_id));
	CU_ASSERT_NOT_EQUAL(strcmp(out.public_id, old_public), 0);
	const struct fake_api_key_row *fresh = key_row(w, &out.id);
	uint8_t digest[VS_SHA256_LEN];
	vs_sha256(text, strlen(text), digest);
	CU_ASSERT_EQUAL(memcmp(fresh->hash, digest, sizeof(digest)), 0);
	CU_ASSERT_TRUE(vs_uuid_eq(&fresh->user_id, &w->ann));
	CU_ASSERT_FALSE(fresh->global);
	CU_ASSERT_TRUE(vs_uuid_eq(&fresh->tenant_id, &w->acme));
	CU_ASSERT_STRING_EQUAL(fresh->name, "seeded");
	CU_ASSERT_STRING_EQUAL(fresh->description, "deploys");
	CU_ASSERT_EQUAL_FATAL(fresh->nscopes, 2);
	CU_ASSERT_STRING_EQUAL(fresh->scopes[0], "vm:read");
	CU_ASSERT_STRING_EQUAL(fresh->scopes[1], "user:read");
	CU_ASSERT_TRUE(fresh->is_active);
	CU_ASSERT_FALSE(fresh->expires);
	CU_ASSERT_EQUAL(fresh->last_used_at, 0);

	/* The old key works through the grace period, not a second longer. */
	old = key_row(w, &old_id);
	CU_ASSERT_TRUE(old->expires);
	CU_ASSERT_EQUAL(old->expires_at, NOW + 3600);
	vs_uuid id;
	fake_clock_set(NOW + 3599);
	CU_ASSERT_EQUAL(authenticate(w, old_text, &id), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&id, &old_id));
	fake_clock_set(NOW + 3600);
	CU_ASSERT_EQUAL(authenticate(w, old_text, NULL), VS_UNAUTHORIZED);
	CU_ASSERT_EQUAL(authenticate(w, text, &id), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&id, &out.id));
	fake_clock_set(NOW);

	/* An earlier expiry stays (the grace never extends a key); no grace: retired now. */
	vs_uuid soon_id, now_id;
	fake_seed_api_key(w->db, w->a, &w->ann, NULL, NULL, &soon_id);
	const char *now_text = fake_seed_api_key(w->db, w->a, &w->ann, NULL, NULL, &now_id);
	key_row(w, &soon_id)->expires = true;
	key_row(w, &soon_id)->expires_at = NOW + 600;
	CU_ASSERT_EQUAL_FATAL(rotate_as(w, &w->ann, &soon_id, 3600, &out, &text, &e), VS_OK);
	CU_ASSERT_EQUAL(key_row(w, &soon_id)->expires_at, NOW + 600);
	CU_ASSERT_EQUAL(key_row(w, &out.id)->expires_at, NOW + 600); /* the same setting */
	CU_ASSERT_EQUAL_FATAL(rotate_as(w, &w->ann, &now_id, 0, &out, &text, &e), VS_OK);
	CU_ASSERT_EQUAL(authenticate(w, now_text, NULL), VS_UNAUTHORIZED);

	/* A superuser's rotation of ann's key makes ann's key, not root's. */
	vs_uuid ann_key = out.id;
	CU_ASSERT_EQUAL_FATAL(rotate_as(w, &w->root, &ann_key, 60, &out, &text, &e), VS_OK);
	CU_ASSERT_TRUE(vs_uuid_eq(&key_row(w, &out.id)->user_id, &w->ann));
	key_world_free(&k);
}

/* ---- a limited key managing keys ---- */

static void test_keys_limited_key_manages_keys_only_with_the_matching_scope(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	const char *const read_only[] = {"api_key:read", "vm:read", NULL};
	const char *const manage[] = {"api_key:update", "api_key:delete", "vm:read", NULL};
	const char *const vm_read[] = {"vm:read", NULL};
	const char *reader = fake_seed_api_key(w->db, w->a, &w->ann, &w->acme, read_only, NULL);
	const char *manager = fake_seed_api_key(w->db, w->a, &w->ann, &w->acme, manage, NULL);
	vs_uuid target, unlimited;
	fake_seed_api_key(w->db, w->a, &w->ann, &w->acme, vm_read, &target);
	fake_seed_api_key(w->db, w->a, &w->ann, &w->acme, NULL, &unlimited);

	/* Without api_key:update / api_key:delete in the key: nothing but reading. */
	struct fake_store *before = WORLD_SNAPSHOT(w);
	for (enum key_op op = OP_UPDATE; op <= OP_ROTATE; op++) {
		struct vs_error e = {0};
		const struct vs_principal *p = kw_enter_key(w, reader, NULL);
		enum vs_err rc = key_op(w, p, op, &target, &e);
		CU_ASSERT_EQUAL(world_leave(w, false), VS_OK);
		assert_refused(w, before, rc, &e, VS_FORBIDDEN, VS_MSG_FORBIDDEN, NULL);
	}
	free(before);

	/* With them: only within its own scopes, never making a key unlimited. */
	const char *user_read[] = {"user:read"};
	const char *same[] = {"vm:read"};
	struct vs_api_key_input narrower = {.scopes_set = true, .scopes = same, .nscopes = 1};
	struct vs_api_key_input other = {.scopes_set = true, .scopes = user_read, .nscopes = 1};
	struct vs_api_key_input unlimit = {.scopes_set = true};
	struct vs_api_key_input rename = {.name = kw_str("renamed")};
	struct vs_api_key out;
	const char *text;
	const struct {
		enum key_op op;
		const vs_uuid *id;
		const struct vs_api_key_input *in;
		enum vs_err want;
	} cases[] = {
	    {OP_UPDATE, &target, &narrower, VS_OK},
	    {OP_UPDATE, &target, &rename, VS_OK},
	    {OP_UPDATE, &target, &other, VS_FORBIDDEN},
	    {OP_UPDATE, &target, &unlimit, VS_FORBIDDEN},
	    {OP_ROTATE, &unlimited, NULL, VS_FORBIDDEN}, /* the new key would be unlimited */
	    {OP_ROTATE, &target, NULL, VS_OK},
	    {OP_DELETE, &target, NULL, VS_OK},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vs_error e = {0};
		before = WORLD_SNAPSHOT(w);
		const struct vs_principal *p = kw_enter_key(w, manager, NULL);
		enum vs_err rc = VS_INTERNAL;
		if (cases[i].op == OP_UPDATE)
			rc = vs_api_keys_update(&w->app, w->a, p, cases[i].id, cases[i].in, &out,
						&e);
		else if (cases[i].op == OP_ROTATE)
			rc = vs_api_keys_rotate(&w->app, w->a, p, cases[i].id, 60, &out, &text, &e);
		else
			rc = vs_api_keys_delete(&w->app, w->a, p, cases[i].id, &e);
		CU_ASSERT_EQUAL(world_leave(w, rc == VS_OK), VS_OK);
		if (cases[i].want == VS_OK) {
			CU_ASSERT_EQUAL(rc, VS_OK);
		} else {
			assert_refused(w, before, rc, &e, VS_FORBIDDEN, VS_MSG_KEY_BEYOND_SCOPES,
				       NULL);
		}
		free(before);
	}
	CU_ASSERT_PTR_NULL(fake_api_key(w->db, &target));
	key_world_free(&k);
}

/* ---- mint_many ---- */

#define MINT_MAX 6000

struct minted {
	struct world *w;
	size_t n;
	char (*texts)[VS_API_KEY_LEN + 1]; /* MINT_MAX, malloc'd */
	bool check_store;		   /* each key stored and committed when handed out */
};

static void emit(void *ctx, const char *text)
{
	struct minted *m = ctx;
	CU_ASSERT_FATAL(m->n < MINT_MAX);
	CU_ASSERT_EQUAL(strlen(text), VS_API_KEY_LEN);
	memcpy(m->texts[m->n++], text, VS_API_KEY_LEN + 1);
	if (!m->check_store)
		return;
	/* Handed out only once committed: no transaction open, and there to be found. */
	CU_ASSERT_EQUAL(m->w->db->depth, 0);
	vs_uuid id;
	CU_ASSERT_EQUAL(authenticate(m->w, text, &id), VS_OK);
}

static void minted_init(struct minted *m, struct world *w, bool check_store)
{
	*m = (struct minted){.w = w, .check_store = check_store};
	m->texts = calloc(MINT_MAX, sizeof(*m->texts));
	CU_ASSERT_PTR_NOT_NULL_FATAL(m->texts);
}

static void test_keys_mint_many_commits_then_hands_out_global_keys(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	struct minted m;
	minted_init(&m, w, true);
	const char *scopes[] = {"vm:read"};
	struct vs_error e = {0};
	size_t before = w->db->store.napi_keys;
	CU_ASSERT_EQUAL_FATAL(
	    vs_api_keys_mint_many(&w->app, w->a, "ANN@Example.COM", 3, scopes, 1, emit, &m, &e),
	    VS_OK);
	CU_ASSERT_EQUAL(m.n, 3);
	CU_ASSERT_EQUAL(w->db->store.napi_keys, before + 3);
	for (size_t i = 0; i < m.n; i++) {
		vs_uuid id;
		CU_ASSERT_EQUAL_FATAL(authenticate(w, m.texts[i], &id), VS_OK);
		const struct fake_api_key_row *row = key_row(w, &id);
		CU_ASSERT_TRUE(vs_uuid_eq(&row->user_id, &w->ann));
		CU_ASSERT_TRUE(row->global);
		CU_ASSERT_STRING_EQUAL(row->name, "bench");
		CU_ASSERT_EQUAL_FATAL(row->nscopes, 1);
		CU_ASSERT_STRING_EQUAL(row->scopes[0], "vm:read");
		CU_ASSERT_FALSE(kw_row_contains(row, m.texts[i], VS_API_KEY_LEN));
		for (size_t j = 0; j < i; j++)
			CU_ASSERT_NOT_EQUAL(strcmp(m.texts[i], m.texts[j]), 0);
	}
	/* Operator scope (the schema owner's tool): the lookups, then one batch. */
	CU_ASSERT_TRUE(w->db->scope.operator);
	CU_ASSERT_EQUAL(fake_called(w->db, "users.get_by_email"), 1);
	CU_ASSERT_EQUAL(fake_called(w->db, "permissions.find"), 1);
	CU_ASSERT_EQUAL(fake_called(w->db, "api_keys.insert_many"), 1);
	CU_ASSERT_EQUAL(w->db->commits, 2);
	FAKE_ASSERT_TX_CLEAN(w->db);
	free(m.texts);
	key_world_free(&k);
}

/* The key port with insert_many recording each batch instead of storing it: the fake's
 * store holds FAKE_MAX_API_KEYS, a batch is 5000. mint_many reaches no other op of the
 * port; the fake's own ops, left in place, abort if handed this repo. */
struct batch_spy {
	struct vs_api_key_repo base;
	struct vs_api_key_repo_ops ops;
	vs_uuid owner;
	size_t batches[8], nbatches;
	uint8_t (*hashes)[VS_SHA256_LEN]; /* MINT_MAX, in order */
	size_t nhashes;
	bool well_formed; /* every key the owner's, GLOBAL, with its public id */
};

static enum vs_err spy_insert_many(struct vs_api_key_repo *r, struct vs_arena *a,
				   const struct vs_api_key *keys, size_t n)
{
	(void)a;
	struct batch_spy *s = (struct batch_spy *)r;
	CU_ASSERT_FATAL(s->nbatches < 8 && s->nhashes + n <= MINT_MAX);
	s->batches[s->nbatches++] = n;
	for (size_t i = 0; i < n; i++) {
		s->well_formed = s->well_formed && vs_uuid_eq(&keys[i].user_id, &s->owner) &&
				 keys[i].global &&
				 strlen(keys[i].public_id) == VS_API_KEY_PUBLIC_LEN;
		memcpy(s->hashes[s->nhashes++], keys[i].hash, VS_SHA256_LEN);
	}
	return VS_OK;
}

static int cmp_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_keys_mint_many_stores_in_batches_of_5000(void)
{
	const struct {
		long count;
		size_t nbatches, batches[2];
	} cases[] = {{5001, 2, {5000, 1}}, {5000, 1, {5000, 0}}, {0, 0, {0, 0}}};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct key_world k;
		key_world_init(&k);
		struct world *w = &k.w;
		struct batch_spy spy = {
		    .ops = *w->app.api_keys->ops, .owner = w->gus, .well_formed = true};
		spy.ops.insert_many = spy_insert_many;
		spy.base.ops = &spy.ops;
		spy.hashes = calloc(MINT_MAX, sizeof(*spy.hashes));
		CU_ASSERT_PTR_NOT_NULL_FATAL(spy.hashes);
		w->app.api_keys = &spy.base;
		struct minted m;
		minted_init(&m, w, false);
		struct vs_error e = {0};
		CU_ASSERT_EQUAL(vs_api_keys_mint_many(&w->app, w->a, "gus@example.com",
						      cases[c].count, NULL, 0, emit, &m, &e),
				VS_OK);
		CU_ASSERT_EQUAL_FATAL(spy.nbatches, cases[c].nbatches);
		for (size_t i = 0; i < spy.nbatches; i++)
			CU_ASSERT_EQUAL(spy.batches[i], cases[c].batches[i]);
		CU_ASSERT_TRUE(spy.well_formed);
		/* Each text handed out is the key stored at its place, and no two are alike. */
		CU_ASSERT_EQUAL_FATAL(m.n, (size_t)cases[c].count);
		CU_ASSERT_EQUAL_FATAL(spy.nhashes, m.n);
		size_t mismatched = 0;
		for (size_t i = 0; i < m.n; i++) {
			uint8_t digest[VS_SHA256_LEN];
			vs_sha256(m.texts[i], VS_API_KEY_LEN, digest);
			mismatched += memcmp(digest, spy.hashes[i], VS_SHA256_LEN) != 0;
		}
		CU_ASSERT_EQUAL(mismatched, 0);
		qsort(m.texts, m.n, sizeof(*m.texts), cmp_text);
		size_t same = 0;
		for (size_t i = 1; i < m.n; i++)
			same += strcmp(m.texts[i - 1], m.texts[i]) == 0;
		CU_ASSERT_EQUAL(same, 0);
		/* One transaction to read, one per batch. */
		CU_ASSERT_EQUAL(w->db->commits, 1 + (int)cases[c].nbatches);
		FAKE_ASSERT_TX_CLEAN(w->db);
		free(m.texts);
		free(spy.hashes);
		key_world_free(&k);
	}
}

static void test_keys_mint_many_unknown_email_or_scope_writes_nothing(void)
{
	struct key_world k;
	key_world_init(&k);
	struct world *w = &k.w;
	struct minted m;
	minted_init(&m, w, true);
	const char *good[] = {"vm:read"};
	const char *made_up[] = {"vm:read", "vm:teleport"};
	const struct {
		const char *email;
		const char **scopes;
		size_t n;
		enum vs_err want;
		const char *detail, *field;
	} cases[] = {
	    {"nobody@example.com", good, 1, VS_NOTFOUND, VS_MSG_USER_NOT_FOUND, NULL},
	    {"nobody@example.com", made_up, 2, VS_NOTFOUND, VS_MSG_USER_NOT_FOUND, NULL},
	    {"ann@example.com", made_up, 2, VS_INVALID, VS_MSG_SCOPE_UNKNOWN, "scopes"},
	};
	struct fake_store *before = WORLD_SNAPSHOT(w);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_reset_journal(w->db);
		struct vs_error e = {0};
		enum vs_err rc = vs_api_keys_mint_many(&w->app, w->a, cases[i].email, 3,
						       cases[i].scopes, cases[i].n, emit, &m, &e);
		assert_refused(w, before, rc, &e, cases[i].want, cases[i].detail, cases[i].field);
		CU_ASSERT_EQUAL(fake_called(w->db, "api_keys.insert_many"), 0);
		CU_ASSERT_EQUAL(w->db->stray_rollbacks, 0);
	}
	CU_ASSERT_EQUAL(m.n, 0);
	free(before);
	free(m.texts);
	key_world_free(&k);
}

/* ---- faults ---- */

struct fault_ctx {
	struct vs_api_key_input in;
	bool in_acme; /* in is for a TENANT key in acme */
	vs_uuid id;
	size_t emitted;
};

static enum vs_err create_fn(struct world *w, const struct vs_principal *p, void *ctx,
			     struct vs_error *e)
{
	struct vs_api_key out;
	const char *text;
	return vs_api_keys_create(&w->app, w->a, p, &((struct fault_ctx *)ctx)->in, &out, &text, e);
}

static enum vs_err update_fn(struct world *w, const struct vs_principal *p, void *ctx,
			     struct vs_error *e)
{
	struct fault_ctx *c = ctx;
	struct vs_api_key out;
	return vs_api_keys_update(&w->app, w->a, p, &c->id, &c->in, &out, e);
}

static enum vs_err delete_fn(struct world *w, const struct vs_principal *p, void *ctx,
			     struct vs_error *e)
{
	return vs_api_keys_delete(&w->app, w->a, p, &((struct fault_ctx *)ctx)->id, e);
}

static enum vs_err rotate_fn(struct world *w, const struct vs_principal *p, void *ctx,
			     struct vs_error *e)
{
	struct vs_api_key out;
	const char *text;
	return vs_api_keys_rotate(&w->app, w->a, p, &((struct fault_ctx *)ctx)->id, 60, &out, &text,
				  e);
}

static enum vs_err read_fn(struct world *w, const struct vs_principal *p, void *ctx,
			   struct vs_error *e)
{
	struct vs_api_key_filter f = {.limit = 10};
	struct vs_api_key_page page;
	struct vs_api_key out;
	enum vs_err rc = vs_api_keys_list(&w->app, w->a, p, &f, &page, e);
	return rc == VS_OK
		   ? vs_api_keys_get(&w->app, w->a, p, &((struct fault_ctx *)ctx)->id, &out, e)
		   : rc;
}

/* A key use case as ann on a world of its own, ann's acme key [vm:read] in c->id. */
static unsigned inject(const char *name, world_fn fn, struct fault_ctx *c)
{
	struct key_world k;
	key_world_init(&k);
	const char *const scopes[] = {"vm:read", NULL};
	fake_seed_api_key(k.w.db, k.w.a, &k.w.ann, &k.w.acme, scopes, &c->id);
	if (c->in_acme)
		c->in.tenant_id = (struct vs_opt_uuid){.set = true, .v = k.w.acme};
	unsigned faults = world_inject(&k.w, name, &k.w.ann, NULL, fn, c);
	key_world_free(&k);
	return faults;
}

static void count_emit(void *ctx, const char *text)
{
	(void)text;
	((struct fault_ctx *)ctx)->emitted++;
}

struct mint_ctx {
	struct world *w;
	struct fault_ctx counted;
};

static enum vs_err mint_op(void *ctx, struct vs_error *e)
{
	struct mint_ctx *c = ctx;
	const char *scopes[] = {"vm:read"};
	return vs_api_keys_mint_many(&c->w->app, c->w->a, "ann@example.com", 2, scopes, 1,
				     count_emit, &c->counted, e);
}

static void test_keys_fail_cleanly_on_each_repository_fault(void)
{
	const char *vm_read[] = {"vm:read"};
	const char *user_read[] = {"user:read"};
	struct fault_ctx global = {.in = global_key(vm_read, 1)};
	/* begin, principal, permissions.find, insert, audit, commit */
	CU_ASSERT_EQUAL(inject("keys create GLOBAL", create_fn, &global), 6);
	struct fault_ctx tenant = {.in = global_key(vm_read, 1), .in_acme = true};
	tenant.in.scope = kw_str("TENANT");
	tenant.in.expires_on = kw_str("2026-12-31");
	/* begin, principal, principal (the owner in acme), find, tenants.get, insert, audit,
	 * commit */
	CU_ASSERT_EQUAL(inject("keys create TENANT", create_fn, &tenant), 8);
	struct fault_ctx update = {.in = {.name = kw_str("renamed"),
					  .scopes_set = true,
					  .scopes = user_read,
					  .nscopes = 1,
					  .expires_on = kw_str("2026-12-31")}};
	/* begin, principal, get, principal, find, tenants.get, update, audit, commit */
	CU_ASSERT_EQUAL(inject("keys update", update_fn, &update), 9);
	struct fault_ctx del = {0};
	/* begin, principal, get, remove, audit, commit */
	CU_ASSERT_EQUAL(inject("keys delete", delete_fn, &del), 6);
	struct fault_ctx rotate = {0};
	/* begin, principal, get, update, insert, audit, commit */
	CU_ASSERT_EQUAL(inject("keys rotate", rotate_fn, &rotate), 7);
	struct fault_ctx read = {0};
	/* begin, principal, list, get, commit */
	CU_ASSERT_EQUAL(inject("keys read", read_fn, &read), 5);

	/* vs-admin's: begin, get_by_email, find, commit, then begin, insert_many, commit. No
	 * key is handed out unless its batch committed. */
	struct key_world k;
	key_world_init(&k);
	struct mint_ctx mint = {.w = &k.w};
	CU_ASSERT_EQUAL(fake_inject_each_call(k.w.db, "keys mint_many", mint_op, &mint), 7);
	CU_ASSERT_EQUAL(mint.counted.emitted, 2);
	key_world_free(&k);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_keys_create_global_shown_once_only_its_hash_stored),
	    UT_TEST(test_keys_create_tenant_key_only_with_scopes_held_there),
	    UT_TEST(test_keys_create_scope_and_tenant_must_agree),
	    UT_TEST(test_keys_create_by_a_limited_key_stays_within_its_scopes),
	    UT_TEST(test_keys_create_expiry_instant_or_end_of_day_in_tenant_zone),
	    UT_TEST(test_keys_list_own_keys_filters_for_superusers_only),
	    UT_TEST(test_keys_someone_elses_is_403_missing_is_404),
	    UT_TEST(test_keys_update_changes_settings_never_scope_or_tenant),
	    UT_TEST(test_keys_delete_removes_that_key_only),
	    UT_TEST(test_keys_rotate_same_settings_old_one_retires_after_grace),
	    UT_TEST(test_keys_limited_key_manages_keys_only_with_the_matching_scope),
	    UT_TEST(test_keys_mint_many_commits_then_hands_out_global_keys),
	    UT_TEST(test_keys_mint_many_stores_in_batches_of_5000),
	    UT_TEST(test_keys_mint_many_unknown_email_or_scope_writes_nothing),
	    UT_TEST(test_keys_fail_cleanly_on_each_repository_fault),
	    UT_END,
	};
	ut_add_suite("api_keys: use cases", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
