/* lib/app/roles.c on the fakes: role CRUD at tenant and global scope, permission
 * references by code or UUID, system and global roles that cannot be changed, no
 * escalation, the permission catalogue, and a clean rollback on every repository fault.
 * Each call runs inside a request session, as fcgi/dispatch.c runs it (world.h). */
#include "suites.h"

#include "fakes/world.h"
#include "roles/usecases.h"

#include <stdlib.h>
#include <json-c/json.h>
#include <string.h>

static struct vs_opt_str opt(const char *s)
{
	return (struct vs_opt_str){.set = true, .p = s, .len = strlen(s)};
}

static struct vs_permission_refs refs(const char **r, size_t n)
{
	return (struct vs_permission_refs){.set = true, .refs = r, .n = n};
}

static const char *perm_id(struct world *w, const char *code)
{
	struct fake_permission_row *p = fake_permission_by_code(w->db, code);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return world_id(w, &p->id);
}

/* ---- create ---- */

static void test_roles_create_tenant_role_by_code_and_uuid(void)
{
	struct world w;
	world_init(&w);
	const char *r[] = {"user:read", perm_id(&w, "vm:read"), "user:read"};
	struct vs_role_input in = {.name = opt("Auditors"), .description = opt("Read only"),
				   .permissions = refs(r, 3)};
	struct vs_role out;
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(&w, &w.admin, &w.acme);
	CU_ASSERT_EQUAL_FATAL(vs_roles_create(&w.app, w.a, p, &w.acme, &in, &out, &e), VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_STRING_EQUAL(ut_str(out.name), "Auditors");
	CU_ASSERT_STRING_EQUAL(ut_str(out.description), "Read only");
	CU_ASSERT_FALSE(out.global);
	CU_ASSERT_TRUE(vs_uuid_eq(&out.tenant_id, &w.acme));
	CU_ASSERT_FALSE(out.is_system_role);
	/* The answer carries the permissions, by code, once each. */
	CU_ASSERT_EQUAL_FATAL(out.npermissions, 2);
	CU_ASSERT_STRING_EQUAL(ut_str(out.permissions[0].code), "user:read");
	CU_ASSERT_STRING_EQUAL(ut_str(out.permissions[1].code), "vm:read");

	struct fake_role_row *row = fake_role_by_name(w.db, "Auditors", &w.acme);
	CU_ASSERT_PTR_NOT_NULL_FATAL(row);
	CU_ASSERT_TRUE(vs_uuid_eq(&row->id, &out.id));
	CU_ASSERT_EQUAL(fake_role_npermissions(w.db, &row->id), 2);
	CU_ASSERT_TRUE(fake_role_has(w.db, &row->id, "user:read"));
	CU_ASSERT_TRUE(fake_role_has(w.db, &row->id, "vm:read"));
	CU_ASSERT_EQUAL(w.db->commits, 2); /* the use case's (nested) and the session's */
	/* One event in acme's chain, in the same transaction, naming what was set. */
	CU_ASSERT_EQUAL_FATAL(fake_audit_count(w.db), 1);
	CU_ASSERT_TRUE(vs_uuid_eq(&w.db->store.audit[0].chain, &w.acme));
	struct json_object *ev = json_tokener_parse(fake_audit_event(w.db, 0));
	struct json_object *v;
	CU_ASSERT_TRUE(json_object_object_get_ex(ev, "action", &v) &&
		       strcmp(json_object_get_string(v), "role.created") == 0);
	char id[VS_UUID_STRLEN + 1];
	vs_uuid_format(&out.id, id);
	CU_ASSERT_TRUE(json_object_object_get_ex(ev, "resource", &v) &&
		       strcmp(json_object_get_string(json_object_object_get(v, "id")), id) == 0);
	CU_ASSERT_STRING_EQUAL(
		ut_str(json_object_to_json_string_ext(json_object_object_get(ev, "changes"),
						      JSON_C_TO_STRING_PLAIN)),
		"{\"description\":{\"from\":null,\"to\":\"Read only\"},\"name\":{\"from\":null,"
		"\"to\":\"Auditors\"},\"permissions\":{\"from\":null,\"to\":[\"user:read\","
		"\"vm:read\"]}}");
	json_object_put(ev);
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

/* An update records only what changed; a delete what the role was; a refused change
 * (another tenant's role) records nothing. */
static void test_roles_update_and_delete_are_audited(void)
{
	struct world w;
	world_init(&w);
	struct vs_role_input in = {.name = opt("Operators"), .description = opt("Runs things")};
	struct vs_role out;
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(&w, &w.admin, &w.acme);
	CU_ASSERT_EQUAL_FATAL(vs_roles_update(&w.app, w.a, p, &w.acme_ops, &w.acme, &in, &out, &e),
			      VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_EQUAL_FATAL(fake_audit_count(w.db), 1);
	struct json_object *ev = json_tokener_parse(fake_audit_event(w.db, 0));
	CU_ASSERT_STRING_EQUAL(ut_str(json_object_get_string(json_object_object_get(ev, "action"))),
			       "role.updated");
	struct json_object *changes = json_object_object_get(ev, "changes");
	CU_ASSERT_TRUE(json_object_object_get_ex(changes, "name", NULL));
	CU_ASSERT_FALSE(json_object_object_get_ex(changes, "permissions", NULL)); /* unchanged */
	json_object_put(ev);

	p = world_enter(&w, &w.admin, &w.globex);
	CU_ASSERT_EQUAL(vs_roles_delete(&w.app, w.a, p, &w.acme_ops, &w.globex, &e), VS_NOTFOUND);
	CU_ASSERT_EQUAL(world_leave(&w, false), VS_OK);
	CU_ASSERT_EQUAL(fake_audit_count(w.db), 1);

	p = world_enter(&w, &w.admin, &w.acme);
	e = (struct vs_error){0};
	CU_ASSERT_EQUAL_FATAL(vs_roles_delete(&w.app, w.a, p, &w.acme_ops, &w.acme, &e), VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_EQUAL_FATAL(fake_audit_count(w.db), 2);
	ev = json_tokener_parse(fake_audit_event(w.db, 1));
	CU_ASSERT_STRING_EQUAL(ut_str(json_object_get_string(json_object_object_get(ev, "action"))),
			       "role.deleted");
	changes = json_object_object_get(ev, "changes");
	struct json_object *name = json_object_object_get(changes, "name");
	CU_ASSERT_STRING_EQUAL(ut_str(json_object_get_string(json_object_object_get(name, "from"))),
			       "Operators");
	json_object_put(ev);
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

static void test_roles_create_global_role_by_superuser_without_tenant(void)
{
	struct world w;
	world_init(&w);
	const char *r[] = {"vm:read"};
	struct vs_role_input in = {.name = opt("Ops"), .permissions = refs(r, 1)};
	struct vs_role out;
	struct vs_error e = {0};
	/* "Ops" exists in acme and globex: another scope, no conflict. */
	const struct vs_principal *p = world_enter(&w, &w.root, NULL);
	CU_ASSERT_EQUAL_FATAL(vs_roles_create(&w.app, w.a, p, NULL, &in, &out, &e), VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_TRUE(out.global);
	CU_ASSERT_PTR_NULL(out.description);
	struct fake_role_row *row = fake_role_by_name(w.db, "Ops", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(row);
	CU_ASSERT_TRUE(row->global);
	CU_ASSERT_FALSE(row->is_system_role);
	CU_ASSERT_TRUE(fake_role_has(w.db, &row->id, "vm:read"));
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

static void test_roles_create_unknown_permission_creates_nothing(void)
{
	struct world w;
	world_init(&w);
	vs_uuid ghost;
	vs_uuid_v4(&ghost);
	const char *by_code[] = {"user:read", "vm:teleport"};
	const char *by_uuid[] = {world_id(&w, &ghost)};
	const struct vs_permission_refs cases[] = {refs(by_code, 2), refs(by_uuid, 1)};
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	for (size_t i = 0; i < 2; i++) {
		struct vs_role_input in = {.name = opt("Ghosts"), .permissions = cases[i]};
		struct vs_role out;
		struct vs_error e = {0};
		const struct vs_principal *p = world_enter(&w, &w.admin, &w.acme);
		CU_ASSERT_EQUAL(vs_roles_create(&w.app, w.a, p, &w.acme, &in, &out, &e),
				VS_NOTFOUND);
		CU_ASSERT_EQUAL(e.code, VS_NOTFOUND);
		CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Permission not found");
		CU_ASSERT_EQUAL(fake_called(w.db, "roles.insert"), 0);
		CU_ASSERT_EQUAL(world_leave(&w, false), VS_OK);
		CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
		FAKE_ASSERT_TX_CLEAN(w.db);
	}
	free(before);
	world_free(&w);
}

static void test_roles_create_cannot_grant_what_it_does_not_hold(void)
{
	struct world w;
	world_init(&w);
	const char *too_much[] = {"vm:read", perm_id(&w, "vm:create")}; /* manager lacks the 2nd */
	struct vs_role_input in = {.name = opt("Builders"), .permissions = refs(too_much, 2)};
	struct vs_role out;
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(&w, &w.manager, &w.acme);
	CU_ASSERT_EQUAL(vs_roles_create(&w.app, w.a, p, &w.acme, &in, &out, &e), VS_FORBIDDEN);
	CU_ASSERT_EQUAL(e.code, VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "You cannot grant permissions you do not hold.");
	CU_ASSERT_EQUAL(fake_called(w.db, "roles.insert"), 0);
	CU_ASSERT_EQUAL(world_leave(&w, false), VS_OK);
	CU_ASSERT_PTR_NULL(fake_role_by_name(w.db, "Builders", &w.acme));

	/* What it holds, it may hand on. */
	const char *held[] = {"vm:read", "user:read"};
	in.permissions = refs(held, 2);
	struct vs_error ok = {0};
	p = world_enter(&w, &w.manager, &w.acme);
	CU_ASSERT_EQUAL(vs_roles_create(&w.app, w.a, p, &w.acme, &in, &out, &ok), VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_PTR_NOT_NULL(fake_role_by_name(w.db, "Builders", &w.acme));

	/* A superuser holds everything, member or not. */
	in.name = opt("Builders 2");
	in.permissions = refs(too_much, 2);
	p = world_enter(&w, &w.root, &w.acme);
	CU_ASSERT_EQUAL(vs_roles_create(&w.app, w.a, p, &w.acme, &in, &out, &ok), VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

static void test_roles_create_duplicate_name_in_scope_is_409(void)
{
	struct world w;
	world_init(&w);
	struct vs_role_input in = {.name = opt("Ops")};
	struct vs_role out;
	struct vs_error e = {0};
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	const struct vs_principal *p = world_enter(&w, &w.admin, &w.acme);
	CU_ASSERT_EQUAL(vs_roles_create(&w.app, w.a, p, &w.acme, &in, &out, &e), VS_CONFLICT);
	CU_ASSERT_EQUAL(e.code, VS_CONFLICT);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "A role with this name already exists.");
	CU_ASSERT_EQUAL(world_leave(&w, false), VS_OK);
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	FAKE_ASSERT_TX_CLEAN(w.db);
	/* The name of another tenant's role is free here (no leak through uniqueness). */
	in.name = opt("Managers");
	struct vs_error ok = {0};
	p = world_enter(&w, &w.root, &w.globex);
	CU_ASSERT_EQUAL(vs_roles_create(&w.app, w.a, p, &w.globex, &in, &out, &ok), VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_PTR_NOT_NULL(fake_role_by_name(w.db, "Managers", &w.globex));
	free(before);
	world_free(&w);
}

/* ---- read ---- */

static void test_roles_list_global_and_own_ordered_with_holder_counts(void)
{
	struct world w;
	world_init(&w);
	struct vs_role_page page;
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(&w, &w.ann, &w.acme);
	CU_ASSERT_EQUAL_FATAL(vs_roles_list(&w.app, w.a, p, &w.acme, 0, 50, &page, &e), VS_OK);
	/* System roles first, then by name; globex's Ops is not there. */
	const char *names[] = {"Member", "Tenant Admin", "Viewer", "Managers", "Ops", "Support"};
	const int64_t holders[] = {2, 1, 1, 1, 0, 0}; /* in acme */
	CU_ASSERT_EQUAL(page.total, 6);
	CU_ASSERT_EQUAL_FATAL(page.n, 6);
	for (size_t i = 0; i < 6; i++) {
		CU_ASSERT_STRING_EQUAL(ut_str(page.items[i].name), names[i]);
		CU_ASSERT_EQUAL(page.items[i].user_count, holders[i]);
	}
	CU_ASSERT_TRUE(vs_uuid_eq(&page.items[4].id, &w.acme_ops));
	/* Paging. */
	CU_ASSERT_EQUAL_FATAL(vs_roles_list(&w.app, w.a, p, &w.acme, 2, 2, &page, &e), VS_OK);
	CU_ASSERT_EQUAL(page.total, 6);
	CU_ASSERT_EQUAL_FATAL(page.n, 2);
	CU_ASSERT_STRING_EQUAL(ut_str(page.items[0].name), "Viewer");
	CU_ASSERT_STRING_EQUAL(ut_str(page.items[1].name), "Managers");
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	/* A superuser without a tenant: global roles only. */
	p = world_enter(&w, &w.root, NULL);
	CU_ASSERT_EQUAL_FATAL(vs_roles_list(&w.app, w.a, p, NULL, 0, 50, &page, &e), VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_EQUAL(page.total, 4);
	for (size_t i = 0; i < page.n; i++)
		CU_ASSERT_TRUE(page.items[i].global);
	world_free(&w);
}

static void test_roles_get_with_permissions_and_foreign_role_is_404(void)
{
	struct world w;
	world_init(&w);
	struct vs_role r;
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(&w, &w.ann, &w.acme);
	CU_ASSERT_EQUAL_FATAL(vs_roles_get(&w.app, w.a, p, &w.acme_ops, &w.acme, &r, &e), VS_OK);
	CU_ASSERT_STRING_EQUAL(ut_str(r.name), "Ops");
	CU_ASSERT_EQUAL_FATAL(r.npermissions, 2);
	CU_ASSERT_STRING_EQUAL(ut_str(r.permissions[0].code), "vm:create");
	CU_ASSERT_STRING_EQUAL(ut_str(r.permissions[1].code), "vm:read");
	CU_ASSERT_EQUAL(vs_roles_get(&w.app, w.a, p, &w.member, &w.acme, &r, &e), VS_OK);
	CU_ASSERT_TRUE(r.global && r.is_system_role);
	/* Globex's role, and one that does not exist: the same answer. */
	vs_uuid ghost;
	vs_uuid_v4(&ghost);
	const vs_uuid *missing[] = {&w.globex_ops, &ghost};
	for (size_t i = 0; i < 2; i++) {
		struct vs_error nf = {0};
		CU_ASSERT_EQUAL(vs_roles_get(&w.app, w.a, p, missing[i], &w.acme, &r, &nf),
				VS_NOTFOUND);
		CU_ASSERT_EQUAL(nf.code, VS_NOTFOUND);
		CU_ASSERT_STRING_EQUAL(ut_str(nf.detail), "Role not found");
	}
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	world_free(&w);
}

/* ---- update ---- */

static void test_roles_update_renames_and_replaces_permissions(void)
{
	struct world w;
	world_init(&w);
	const char *r[] = {perm_id(&w, "vm:read")};
	struct vs_role_input in = {.name = opt("Operators"), .permissions = refs(r, 1)};
	struct vs_role out;
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(&w, &w.admin, &w.acme);
	CU_ASSERT_EQUAL_FATAL(vs_roles_update(&w.app, w.a, p, &w.acme_ops, &w.acme, &in, &out, &e),
			      VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_STRING_EQUAL(ut_str(out.name), "Operators");
	CU_ASSERT_EQUAL_FATAL(out.npermissions, 1);
	CU_ASSERT_STRING_EQUAL(ut_str(out.permissions[0].code), "vm:read");
	CU_ASSERT_STRING_EQUAL(ut_str(fake_role(w.db, &w.acme_ops)->name), "Operators");
	CU_ASSERT_FALSE(fake_role_has(w.db, &w.acme_ops, "vm:create"));
	/* Without permission_ids the set stays; an empty list empties it. */
	struct vs_role_input rename = {.name = opt("Ops")};
	p = world_enter(&w, &w.admin, &w.acme);
	CU_ASSERT_EQUAL(vs_roles_update(&w.app, w.a, p, &w.acme_ops, &w.acme, &rename, &out, &e),
			VS_OK);
	CU_ASSERT_EQUAL(fake_role_npermissions(w.db, &w.acme_ops), 1);
	struct vs_role_input clear = {.permissions = refs(NULL, 0)};
	CU_ASSERT_EQUAL(vs_roles_update(&w.app, w.a, p, &w.acme_ops, &w.acme, &clear, &out, &e),
			VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_EQUAL(fake_role_npermissions(w.db, &w.acme_ops), 0);
	CU_ASSERT_STRING_EQUAL(ut_str(fake_role(w.db, &w.acme_ops)->name), "Ops");
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

/* Runs update, delete and add_permission on role as user; each must be refused with
 * status and detail, and change nothing. */
static void assert_unchangeable(struct world *w, const vs_uuid *user, const vs_uuid *tenant,
				const vs_uuid *role, enum vs_err status, const char *detail)
{
	struct fake_store *before = WORLD_SNAPSHOT(w);
	struct vs_role_input in = {.name = opt("Renamed")};
	struct vs_role out;
	struct vs_error e1 = {0}, e2 = {0}, e3 = {0}, e4 = {0};
	const struct vs_principal *p = world_enter(w, user, tenant);
	CU_ASSERT_EQUAL(vs_roles_update(&w->app, w->a, p, role, tenant, &in, &out, &e1), status);
	CU_ASSERT_EQUAL(vs_roles_delete(&w->app, w->a, p, role, tenant, &e2), status);
	CU_ASSERT_EQUAL(vs_roles_add_permission(&w->app, w->a, p, role, tenant, "vm:read", &e3),
			status);
	CU_ASSERT_EQUAL(
	    vs_roles_remove_permission(&w->app, w->a, p, role, tenant, "user:read", &e4), status);
	CU_ASSERT_STRING_EQUAL(ut_str(e1.detail), detail);
	CU_ASSERT_STRING_EQUAL(ut_str(e2.detail), detail);
	CU_ASSERT_STRING_EQUAL(ut_str(e3.detail), detail);
	CU_ASSERT_STRING_EQUAL(ut_str(e4.detail), detail);
	CU_ASSERT_EQUAL(e1.code, status);
	/* Refused before anything was written, so even a commit changes nothing. */
	CU_ASSERT_EQUAL(fake_called(w->db, "roles.update"), 0);
	CU_ASSERT_EQUAL(fake_called(w->db, "roles.remove"), 0);
	CU_ASSERT_EQUAL(fake_called(w->db, "roles.add_permission"), 0);
	CU_ASSERT_EQUAL(fake_called(w->db, "roles.remove_permission"), 0);
	CU_ASSERT_EQUAL(world_leave(w, true), VS_OK);
	CU_ASSERT_TRUE(fake_store_equal(&w->db->store, before));
	FAKE_ASSERT_TX_CLEAN(w->db);
	free(before);
}

static void test_roles_system_roles_cannot_be_changed_even_by_superuser(void)
{
	struct world w;
	world_init(&w);
	const char *why = "System roles cannot be changed.";
	assert_unchangeable(&w, &w.root, &w.acme, &w.member, VS_FORBIDDEN, why);
	assert_unchangeable(&w, &w.root, NULL, &w.tenant_admin, VS_FORBIDDEN, why);
	assert_unchangeable(&w, &w.admin, &w.acme, &w.viewer, VS_FORBIDDEN, why);
	world_free(&w);
}

static void test_roles_global_roles_are_changed_by_superusers_only(void)
{
	struct world w;
	world_init(&w);
	const char *why =
	    "Global roles can only be changed by a superuser without a tenant in context.";
	assert_unchangeable(&w, &w.admin, &w.acme, &w.support, VS_FORBIDDEN, why);
	/* A superuser working in a tenant is confined to it. */
	assert_unchangeable(&w, &w.root, &w.acme, &w.support, VS_FORBIDDEN, why);
	struct vs_role_input in = {.name = opt("Helpdesk")};
	struct vs_role out;
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(&w, &w.root, NULL);
	CU_ASSERT_EQUAL(vs_roles_update(&w.app, w.a, p, &w.support, NULL, &in, &out, &e), VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_STRING_EQUAL(ut_str(fake_role(w.db, &w.support)->name), "Helpdesk");
	world_free(&w);
}

static void test_roles_of_another_tenant_are_not_found(void)
{
	struct world w;
	world_init(&w);
	/* Admin of acme, globex's role: exactly as if it did not exist. */
	assert_unchangeable(&w, &w.admin, &w.acme, &w.globex_ops, VS_NOTFOUND, "Role not found");
	vs_uuid ghost;
	vs_uuid_v4(&ghost);
	assert_unchangeable(&w, &w.admin, &w.acme, &ghost, VS_NOTFOUND, "Role not found");
	world_free(&w);
}

static void test_roles_update_refusals_change_nothing(void)
{
	struct world w;
	world_init(&w);
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	struct vs_role out;
	/* The name of another role in the scope. */
	struct vs_role_input taken = {.name = opt("Managers")};
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(&w, &w.admin, &w.acme);
	CU_ASSERT_EQUAL(vs_roles_update(&w.app, w.a, p, &w.acme_ops, &w.acme, &taken, &out, &e),
			VS_CONFLICT);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "A role with this name already exists.");
	CU_ASSERT_EQUAL(world_leave(&w, false), VS_OK);
	/* Permissions the caller does not hold. */
	const char *r[] = {"vm:read", "vm:delete"};
	struct vs_role_input grant = {.permissions = refs(r, 2)};
	struct vs_error e2 = {0};
	p = world_enter(&w, &w.manager, &w.acme);
	CU_ASSERT_EQUAL(vs_roles_update(&w.app, w.a, p, &w.acme_ops, &w.acme, &grant, &out, &e2),
			VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(e2.detail), "You cannot grant permissions you do not hold.");
	CU_ASSERT_EQUAL(fake_called(w.db, "roles.update"), 0);
	CU_ASSERT_EQUAL(world_leave(&w, false), VS_OK);
	/* An unknown permission. */
	const char *bad[] = {"vm:teleport"};
	struct vs_role_input unknown = {.name = opt("Renamed"), .permissions = refs(bad, 1)};
	struct vs_error e3 = {0};
	p = world_enter(&w, &w.admin, &w.acme);
	CU_ASSERT_EQUAL(
	    vs_roles_update(&w.app, w.a, p, &w.acme_ops, &w.acme, &unknown, &out, &e3),
	    VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(e3.detail), "Permission not found");
	CU_ASSERT_EQUAL(world_leave(&w, false), VS_OK);
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	FAKE_ASSERT_TX_CLEAN(w.db);
	free(before);
	world_free(&w);
}

/* ---- delete ---- */

static void test_roles_delete_assigned_is_409_unassigned_goes(void)
{
	struct world w;
	world_init(&w);
	struct fake_store *before = WORLD_SNAPSHOT(&w);
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(&w, &w.admin, &w.acme);
	CU_ASSERT_EQUAL(vs_roles_delete(&w.app, w.a, p, &w.acme_managers, &w.acme, &e),
			VS_CONFLICT);
	CU_ASSERT_EQUAL(e.code, VS_CONFLICT);
	CU_ASSERT_STRING_EQUAL(ut_str(e.detail), "Role is assigned to users and cannot be deleted.");
	CU_ASSERT_EQUAL(world_leave(&w, false), VS_OK);
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));

	struct vs_error ok = {0};
	p = world_enter(&w, &w.admin, &w.acme);
	CU_ASSERT_EQUAL(vs_roles_delete(&w.app, w.a, p, &w.acme_ops, &w.acme, &ok), VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_PTR_NULL(fake_role(w.db, &w.acme_ops));
	CU_ASSERT_EQUAL(fake_role_npermissions(w.db, &w.acme_ops), 0);

	struct vs_error again = {0};
	p = world_enter(&w, &w.admin, &w.acme);
	CU_ASSERT_EQUAL(vs_roles_delete(&w.app, w.a, p, &w.acme_ops, &w.acme, &again),
			VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(again.detail), "Role not found");
	CU_ASSERT_EQUAL(world_leave(&w, false), VS_OK);
	FAKE_ASSERT_TX_CLEAN(w.db);
	free(before);
	world_free(&w);
}

/* ---- permissions of a role ---- */

static void test_roles_add_permission_idempotent_and_checked(void)
{
	struct world w;
	world_init(&w);
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(&w, &w.admin, &w.acme);
	CU_ASSERT_EQUAL(vs_roles_add_permission(&w.app, w.a, p, &w.acme_ops, &w.acme, "user:read",
						&e),
			VS_OK);
	CU_ASSERT_EQUAL(vs_roles_add_permission(&w.app, w.a, p, &w.acme_ops, &w.acme,
						perm_id(&w, "user:read"), &e),
			VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_TRUE(fake_role_has(w.db, &w.acme_ops, "user:read"));
	CU_ASSERT_EQUAL(fake_role_npermissions(w.db, &w.acme_ops), 3);

	struct fake_store *before = WORLD_SNAPSHOT(&w);
	struct vs_error nf = {0}, no = {0};
	p = world_enter(&w, &w.admin, &w.acme);
	CU_ASSERT_EQUAL(vs_roles_add_permission(&w.app, w.a, p, &w.acme_ops, &w.acme,
						"vm:teleport", &nf),
			VS_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(ut_str(nf.detail), "Permission not found");
	CU_ASSERT_EQUAL(world_leave(&w, false), VS_OK);
	p = world_enter(&w, &w.manager, &w.acme);
	CU_ASSERT_EQUAL(vs_roles_add_permission(&w.app, w.a, p, &w.acme_ops, &w.acme,
						"vm:delete", &no),
			VS_FORBIDDEN);
	CU_ASSERT_STRING_EQUAL(ut_str(no.detail), "You cannot grant permissions you do not hold.");
	CU_ASSERT_EQUAL(fake_called(w.db, "roles.add_permission"), 0);
	CU_ASSERT_EQUAL(world_leave(&w, false), VS_OK);
	CU_ASSERT_TRUE(fake_store_equal(&w.db->store, before));
	FAKE_ASSERT_TX_CLEAN(w.db);
	free(before);
	world_free(&w);
}

static void test_roles_remove_permission_then_404(void)
{
	struct world w;
	world_init(&w);
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(&w, &w.admin, &w.acme);
	CU_ASSERT_EQUAL(vs_roles_remove_permission(&w.app, w.a, p, &w.acme_ops, &w.acme,
						   perm_id(&w, "vm:create"), &e),
			VS_OK);
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	CU_ASSERT_FALSE(fake_role_has(w.db, &w.acme_ops, "vm:create"));
	CU_ASSERT_TRUE(fake_role_has(w.db, &w.acme_ops, "vm:read"));
	const char *gone[] = {"vm:create", "vm:teleport"}; /* no longer held; no such code */
	for (size_t i = 0; i < 2; i++) {
		struct vs_error nf = {0};
		p = world_enter(&w, &w.admin, &w.acme);
		CU_ASSERT_EQUAL(vs_roles_remove_permission(&w.app, w.a, p, &w.acme_ops, &w.acme,
							   gone[i], &nf),
				VS_NOTFOUND);
		CU_ASSERT_EQUAL(nf.code, VS_NOTFOUND);
		CU_ASSERT_STRING_EQUAL(ut_str(nf.detail), "Permission not found");
		CU_ASSERT_EQUAL(world_leave(&w, false), VS_OK);
	}
	FAKE_ASSERT_TX_CLEAN(w.db);
	world_free(&w);
}

static void test_permissions_list_by_code_with_paging(void)
{
	struct world w;
	world_init(&w);
	struct vs_permission_page page;
	struct vs_error e = {0};
	const struct vs_principal *p = world_enter(&w, &w.ann, &w.acme);
	(void)p;
	CU_ASSERT_EQUAL_FATAL(vs_permissions_list(&w.app, w.a, 0, 100, &page, &e), VS_OK);
	CU_ASSERT_EQUAL(page.total, (int64_t)w.db->store.npermissions);
	CU_ASSERT_EQUAL_FATAL(page.n, w.db->store.npermissions);
	for (size_t i = 1; i < page.n; i++)
		CU_ASSERT_TRUE(strcmp(page.items[i - 1].code, page.items[i].code) < 0);
	CU_ASSERT_STRING_EQUAL(ut_str(page.items[0].code), "permission:assign");
	CU_ASSERT_STRING_EQUAL(ut_str(page.items[0].module), "permission");
	CU_ASSERT_EQUAL_FATAL(vs_permissions_list(&w.app, w.a, 15, 10, &page, &e), VS_OK);
	CU_ASSERT_EQUAL(page.n, w.db->store.npermissions - 15);
	CU_ASSERT_STRING_EQUAL(ut_str(page.items[page.n - 1].code), "vm:read");
	CU_ASSERT_EQUAL(world_leave(&w, true), VS_OK);
	world_free(&w);
}

/* ---- faults ---- */

struct role_ctx {
	struct vs_role_input in;
	const vs_uuid *role;
	const char *permission;
};

static enum vs_err create_fn(struct world *w, const struct vs_principal *p, void *ctx,
			     struct vs_error *e)
{
	struct vs_role out;
	return vs_roles_create(&w->app, w->a, p, &w->acme, &((struct role_ctx *)ctx)->in, &out, e);
}

static enum vs_err update_fn(struct world *w, const struct vs_principal *p, void *ctx,
			     struct vs_error *e)
{
	struct role_ctx *c = ctx;
	struct vs_role out;
	return vs_roles_update(&w->app, w->a, p, c->role, &w->acme, &c->in, &out, e);
}

static enum vs_err delete_fn(struct world *w, const struct vs_principal *p, void *ctx,
			     struct vs_error *e)
{
	return vs_roles_delete(&w->app, w->a, p, ((struct role_ctx *)ctx)->role, &w->acme, e);
}

static enum vs_err add_fn(struct world *w, const struct vs_principal *p, void *ctx,
			  struct vs_error *e)
{
	struct role_ctx *c = ctx;
	return vs_roles_add_permission(&w->app, w->a, p, c->role, &w->acme, c->permission, e);
}

static enum vs_err remove_fn(struct world *w, const struct vs_principal *p, void *ctx,
			     struct vs_error *e)
{
	struct role_ctx *c = ctx;
	return vs_roles_remove_permission(&w->app, w->a, p, c->role, &w->acme, c->permission, e);
}

static enum vs_err read_fn(struct world *w, const struct vs_principal *p, void *ctx,
			   struct vs_error *e)
{
	(void)ctx;
	struct vs_role_page page;
	struct vs_role r;
	struct vs_permission_page perms;
	enum vs_err rc = vs_roles_list(&w->app, w->a, p, &w->acme, 0, 10, &page, e);
	if (rc == VS_OK)
		rc = vs_roles_get(&w->app, w->a, p, &w->acme_ops, &w->acme, &r, e);
	if (rc == VS_OK)
		rc = vs_permissions_list(&w->app, w->a, 0, 10, &perms, e);
	return rc;
}

/* Each use case on a world of its own: a successful run stays in the store. */
static unsigned inject(const char *name, bool as_admin, world_fn fn, struct role_ctx *c)
{
	struct world w;
	world_init(&w);
	c->role = &w.acme_ops; /* the role the use cases work on */
	unsigned faults = world_inject(&w, name, as_admin ? &w.admin : &w.ann, &w.acme, fn, c);
	world_free(&w);
	c->role = NULL;
	return faults;
}

static void test_roles_fail_cleanly_on_each_repository_fault(void)
{
	const char *r[] = {"vm:read", "user:read"};
	struct role_ctx create = {.in = {.name = opt("Faulty"), .permissions = refs(r, 2)}};
	/* begin, principal, find ×2, insert, set_permissions, get, audit, commit */
	CU_ASSERT_EQUAL(inject("roles create", true, create_fn, &create), 9);
	struct role_ctx update = {.in = {.name = opt("Faulty"), .permissions = refs(r, 1)}};
	/* begin, principal, get, find, update, set_permissions, get, audit, commit */
	CU_ASSERT_EQUAL(inject("roles update", true, update_fn, &update), 9);
	struct role_ctx del = {0};
	/* begin, principal, get, remove, audit, commit */
	CU_ASSERT_EQUAL(inject("roles delete", true, delete_fn, &del), 6);
	struct role_ctx add = {.permission = "user:read"};
	/* begin, principal, get, find, add_permission, audit, commit */
	CU_ASSERT_EQUAL(inject("roles add permission", true, add_fn, &add), 7);
	struct role_ctx rm = {.permission = "vm:create"};
	CU_ASSERT_EQUAL(inject("roles remove permission", true, remove_fn, &rm), 7);
	struct role_ctx read = {0};
	/* begin, principal, list, get, permissions.list, commit */
	CU_ASSERT_EQUAL(inject("roles read", false, read_fn, &read), 6);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_roles_create_tenant_role_by_code_and_uuid),
	    UT_TEST(test_roles_update_and_delete_are_audited),
	    UT_TEST(test_roles_create_global_role_by_superuser_without_tenant),
	    UT_TEST(test_roles_create_unknown_permission_creates_nothing),
	    UT_TEST(test_roles_create_cannot_grant_what_it_does_not_hold),
	    UT_TEST(test_roles_create_duplicate_name_in_scope_is_409),
	    UT_TEST(test_roles_list_global_and_own_ordered_with_holder_counts),
	    UT_TEST(test_roles_get_with_permissions_and_foreign_role_is_404),
	    UT_TEST(test_roles_update_renames_and_replaces_permissions),
	    UT_TEST(test_roles_system_roles_cannot_be_changed_even_by_superuser),
	    UT_TEST(test_roles_global_roles_are_changed_by_superusers_only),
	    UT_TEST(test_roles_of_another_tenant_are_not_found),
	    UT_TEST(test_roles_update_refusals_change_nothing),
	    UT_TEST(test_roles_delete_assigned_is_409_unassigned_goes),
	    UT_TEST(test_roles_add_permission_idempotent_and_checked),
	    UT_TEST(test_roles_remove_permission_then_404),
	    UT_TEST(test_permissions_list_by_code_with_paging),
	    UT_TEST(test_roles_fail_cleanly_on_each_repository_fault),
	    UT_END,
	};
	ut_add_suite("roles: use cases", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
