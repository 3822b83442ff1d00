/*
 * The authorization matrix: for every route, persona and object kind, the
 * status the server must answer. Each module writes the rows of its routes in
 * its own folder (tests/integration/<module>/authz_<module>.c, with the macros
 * of authz_rows.h) and registers them with IT_AUTHZ_ROWS(table);
 * platform/test_authz_matrix.c collects every fragment and runs them.
 *
 * Path and body templates name their values in braces:
 *   {tid}   the tenant of the row's kind: A (own, system), B (foreign), a random id (missing)
 *   {A}     tenant A whatever the kind
 *   {slug}  the slug of A / of B / an unknown slug
 *   {uid}   user of A (own) / user of B (foreign) / a random id (missing)
 *   {rid}   custom role of A / of B / a random id / the system role "Member" (system)
 *   {xuid}  like {uid}, but a throwaway user made for this row ("Member" of A or B)
 *   {xrid}  like {rid}, but a throwaway role made for this row (holding role:read)
 *   {xtid}  a throwaway tenant (own, foreign) / a random id (missing)
 *   {xjid}  a throwaway queued job of A / of B, made in the database / a random id
 *   {xiid}  a throwaway invitation of A (own) / of B (foreign) / a random id (missing)
 *   {xwid}  a throwaway webhook of A (own) / of B (foreign) / a random id (missing), sending
 *           to the run's receiver
 *   {xdid}  a delivery of the row's {xwid}, made in the database as sent once with success
 *           (so a replay queues it) / a random id (missing)
 *   {hook}  a URL of the run's webhook receiver (webhooks/hook_util.h), a path of its own
 *   {member} the system role "Member"; {pid} the permission role:read; {uA} the user of A
 *   {uniq} a unique name, {uslug} a unique slug, {email} a unique e-mail, {junk} 64 hex digits
 */
#ifndef IT_AUTHZ_TABLE_H
#define IT_AUTHZ_TABLE_H

#include <stddef.h>

#include "rbac_world.h"

enum obj_kind {
	K_NONE,    /* the route has no tenant and no object (public, /auth, GET|POST /tenants) */
	K_OWN,     /* A's object, or A itself, in tenant context A */
	K_FOREIGN, /* B's object in tenant context A; for collections and tenants: B itself */
	K_MISSING, /* a random id (object or tenant) */
	K_SYSTEM,  /* a seeded system role, in tenant context A */
	K_NOCTX,   /* an X-Tenant-ID route called without the header */
	K_COUNT
};

/* Where X-Tenant-ID comes from. */
enum tenant_hdr {
	H_NONE, /* not sent */
	H_CTX,  /* {tid} of the kind; not sent for K_NOCTX */
	H_A,    /* tenant A; not sent for K_NOCTX */
};

/* The rule a route declares (README, Authorization): these two words or a permission code. */
#define RULE_PUBLIC "public"
#define RULE_AUTHENTICATED "authenticated"

/* The password of the users the matrix creates (never to appear in a log). */
#define MATRIX_PASSWORD "Matrix-row-pw-7"

/* expect == NA: this persona's status for the route and kind is in another row. */
#define NA 0

struct authz_row {
	const char *method;
	const char *path;
	const char *body;
	enum tenant_hdr hdr;
	const char *rule;
	enum obj_kind kind;
	enum persona persona;
	int expect;
};

/* One module's rows, as its file registered them. */
struct authz_fragment {
	const struct authz_row *rows;
	size_t n;
	const char *file; /* __FILE__ of the fragment */
};

/* Called by IT_AUTHZ_ROWS before main; the matrix gets every fragment. */
void authz_register(const struct authz_row *rows, size_t n, const char *file);
/* The registered fragments, sorted by file path. */
size_t authz_fragments(const struct authz_fragment **out);

/* A fragment file ends with IT_AUTHZ_ROWS(its table): no central list names it. */
#define IT_AUTHZ_ROWS(table)                                                                       \
	__attribute__((constructor)) static void authz_register_##table(void)                      \
	{                                                                                          \
		authz_register(table, sizeof(table) / sizeof((table)[0]), __FILE__);               \
	}

const char *kind_name(enum obj_kind k);

#endif
