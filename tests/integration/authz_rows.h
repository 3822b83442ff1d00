/*
 * The macros the authorization matrix's fragments are written with (see
 * authz_table.h for the placeholders). One line = one route, one kind, eight
 * rows: the expected status of each persona, in enum persona order:
 *   anonymous, superuser, tenant admin, member, viewer, other tenant's admin, inactive, bare
 * Write paths out whole ("/api/v1/users/{uid}"), so that grep finds a route's rows.
 */
#ifndef IT_AUTHZ_ROWS_H
#define IT_AUTHZ_ROWS_H

#include "authz_table.h"

#define ROWS(...) ROWS_(__VA_ARGS__)
#define ROWS_(m, p, b, h, rule, k, an, su, ta, me, vi, ot, in, ba)                           \
	{ m, p, b, h, rule, k, P_ANON, an },   { m, p, b, h, rule, k, P_SU, su },             \
	{ m, p, b, h, rule, k, P_TADMIN, ta }, { m, p, b, h, rule, k, P_MEMBER, me },         \
	{ m, p, b, h, rule, k, P_VIEWER, vi }, { m, p, b, h, rule, k, P_OTHER, ot },          \
	{ m, p, b, h, rule, k, P_INACTIVE, in }, { m, p, b, h, rule, k, P_BARE, ba }

/* The recurring columns. */
#define ALL(s) s, s, s, s, s, s, s, s
#define SIGNED_IN(s) 401, s, s, s, s, s, 401, s              /* any active user */
#define SELF_A 401, 200, 200, 200, 200, 403, 401, 200        /* any member of A */
#define READ_A 401, 200, 200, 200, 200, 403, 401, 403        /* every system role of A has it */
#define ADMIN_A(s) 401, s, s, 403, 403, 403, 401, 403        /* only Tenant Admin has it */
#define IN_B(s) 401, s, 403, 403, 403, s, 401, 403           /* context B */
#define NOT_IN_A_READ 401, 404, 404, 404, 404, 403, 401, 403 /* an object A cannot see */
#define NOT_IN_A_ADMIN 401, 404, 404, 403, 403, 403, 401, 403
#define NO_TENANT 401, 404, 404, 404, 404, 404, 401, 404     /* unknown tenant */
#define SYSTEM_ROLE 401, 403, 403, 403, 403, 403, 401, 403   /* nobody changes one */
#define NEEDS_HEADER(s) 401, s, 400, 400, 400, 400, 401, 400 /* no X-Tenant-ID */
#define SU_ONLY(s) 401, s, 403, 403, 403, 403, 401, 403

/* A collection, or a tenant itself: {tid} is A, B, then an unknown tenant. */
#define COLL3(m, p, b, h, rule, own, in_b)                                                   \
	ROWS(m, p, b, h, rule, K_OWN, own), ROWS(m, p, b, h, rule, K_FOREIGN, in_b),          \
		ROWS(m, p, b, h, rule, K_MISSING, NO_TENANT)
/* An object in context A: A's, B's, then a random id. */
#define OBJ3(m, p, b, h, rule, own, not_in_a)                                                \
	ROWS(m, p, b, h, rule, K_OWN, own), ROWS(m, p, b, h, rule, K_FOREIGN, not_in_a),      \
		ROWS(m, p, b, h, rule, K_MISSING, not_in_a)
/* OBJ3 plus a system role. (Column lists cannot be handed on through a second macro.) */
#define OBJ4(m, p, b, h, rule, own, not_in_a, system)                                        \
	ROWS(m, p, b, h, rule, K_OWN, own), ROWS(m, p, b, h, rule, K_FOREIGN, not_in_a),      \
		ROWS(m, p, b, h, rule, K_MISSING, not_in_a),                                  \
		ROWS(m, p, b, h, rule, K_SYSTEM, system)

/* Bodies more than one module's rows send. */
#define DESCRIPTION "{\"description\":\"authz matrix\"}"

#endif
