/* The authorization matrix (README "Authorization"; API.md §3-§5). See authz_table.h. */
#include "authz_table.h"

#define V1 "/api/v1"

/*
 * One line = one route, one kind, eight rows: the expected status of each
 * persona, in enum persona order:
 *   anonymous, superuser, tenant admin, member, viewer, other tenant's admin, inactive, bare
 */
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
/* GET /tenants/slug/{slug}: a tenant the caller is not in is as if it did not exist (404) */
#define SLUG_A 401, 200, 200, 200, 200, 404, 401, 403
#define SLUG_B 401, 200, 404, 404, 404, 200, 401, 404
/* another user's API key: only a superuser may touch it */
#define KEY_FOREIGN(s) 401, s, 403, 403, 403, 403, 401, 403

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

/* An API key: the persona's own, another user's, a random id. */
#define KEY3(m, p, b, ok)                                                                    \
	ROWS(m, p, b, H_NONE, RULE_AUTHENTICATED, K_OWN, SIGNED_IN(ok)),                      \
		ROWS(m, p, b, H_NONE, RULE_AUTHENTICATED, K_FOREIGN, KEY_FOREIGN(ok)),        \
		ROWS(m, p, b, H_NONE, RULE_AUTHENTICATED, K_MISSING, SIGNED_IN(404))

#define FIRST_NAME "{\"first_name\":\"Matrix\"}"
#define DESCRIPTION "{\"description\":\"authz matrix\"}"
#define JUNK_REFRESH "{\"refresh_token\":\"{junk}\"}"
#define NEW_USER                                                                             \
	"{\"email\":\"{email}\",\"password\":\"" MATRIX_PASSWORD "\","                       \
	"\"first_name\":\"Matrix\",\"last_name\":\"Row\"}"
#define NEW_TENANT "{\"name\":\"{uniq}\",\"slug\":\"{uslug}\"}"
#define NEW_ROLE "{\"name\":\"{uniq}\"}"
#define ADD_PERMISSION "{\"permission_id\":\"{pid}\"}"
#define HOLDERS "{\"user_ids\":[\"{uA}\"]}"
#define ASSIGN "{\"role_id\":\"{rid}\"}"
#define NEW_KEY "{\"name\":\"{uniq}\",\"scope\":\"GLOBAL\"}"
#define KEY_NAME "{\"name\":\"matrix\"}"

/* The roles API at one mounting: collection c (X-Tenant-ID ch), objects under ob (oh). */
#define ROLE_READS(c, ch, ob, oh)                                                            \
	COLL3("GET", c, NULL, ch, "role:read", READ_A, IN_B(200)),                           \
		OBJ4("GET", ob "{rid}", NULL, oh, "role:read", READ_A, NOT_IN_A_READ, READ_A), \
		OBJ4("GET", ob "{rid}/permissions", NULL, oh, "role:read", READ_A,           \
		     NOT_IN_A_READ, READ_A),                                                 \
		OBJ4("GET", ob "{rid}/users", NULL, oh, "role:read", READ_A, NOT_IN_A_READ,  \
		     READ_A)
#define ROLE_CHANGES(ob, oh)                                                                 \
	OBJ4("PUT", ob "{rid}", DESCRIPTION, oh, "role:update", ADMIN_A(200), NOT_IN_A_ADMIN, \
	     SYSTEM_ROLE),                                                                   \
		OBJ4("PATCH", ob "{rid}", DESCRIPTION, oh, "role:update", ADMIN_A(200),      \
		     NOT_IN_A_ADMIN, SYSTEM_ROLE),                                           \
		OBJ4("POST", ob "{rid}/permissions", ADD_PERMISSION, oh, "permission:assign", \
		     ADMIN_A(204), NOT_IN_A_ADMIN, SYSTEM_ROLE)
#define ROLE_CREATE(c, ch) COLL3("POST", c, NEW_ROLE, ch, "role:create", ADMIN_A(201), IN_B(201))
#define ROLE_HOLDERS(ob, oh)                                                                 \
	OBJ3("PUT", ob "{xrid}/users", HOLDERS, oh, "role:assign_users", ADMIN_A(204),       \
	     NOT_IN_A_ADMIN)
#define ROLE_DELETES(ob, oh)                                                                 \
	OBJ4("DELETE", ob "{xrid}/permissions/{pid}", NULL, oh, "permission:assign",         \
	     ADMIN_A(204), NOT_IN_A_ADMIN, SYSTEM_ROLE),                                     \
		OBJ4("DELETE", ob "{xrid}", NULL, oh, "role:delete", ADMIN_A(204),           \
		     NOT_IN_A_ADMIN, SYSTEM_ROLE)

#define ME(m, b)                                                                             \
	COLL3(m, V1 "/users/me", b, H_CTX, RULE_AUTHENTICATED, SELF_A, IN_B(200)),           \
		ROWS(m, V1 "/users/me", b, H_CTX, RULE_AUTHENTICATED, K_NOCTX, SIGNED_IN(200))

/*
 * Order matters: reads, then changes that keep every fixture, creations, then
 * deletions of throwaway objects, tenants last.
 */
const struct authz_row authz_rows[] = {
	/* public */
	ROWS("GET", "/", NULL, H_NONE, RULE_PUBLIC, K_NONE, ALL(200)),
	ROWS("GET", "/health", NULL, H_NONE, RULE_PUBLIC, K_NONE, ALL(200)),
	ROWS("GET", V1 "/health", NULL, H_NONE, RULE_PUBLIC, K_NONE, ALL(200)),
	ROWS("GET", V1 "/health/ready", NULL, H_NONE, RULE_PUBLIC, K_NONE, ALL(200)),
	ROWS("GET", V1 "/openapi.json", NULL, H_NONE, RULE_PUBLIC, K_NONE, ALL(200)),
	ROWS("GET", "/metrics", NULL, H_NONE, RULE_PUBLIC, K_NONE, ALL(200)),
	ROWS("POST", V1 "/auth/token", "{}", H_NONE, RULE_PUBLIC, K_NONE, ALL(422)),
	ROWS("POST", V1 "/auth/login/access-token", "{}", H_NONE, RULE_PUBLIC, K_NONE, ALL(422)),
	ROWS("POST", V1 "/auth/login", "{}", H_NONE, RULE_PUBLIC, K_NONE, ALL(422)),
	ROWS("POST", V1 "/auth/refresh", JUNK_REFRESH, H_NONE, RULE_PUBLIC, K_NONE, ALL(401)),

	/* the auth_request check decides itself: a signed-in user's token is 204, no body ever */
	ROWS("GET", V1 "/auth/check", NULL, H_NONE, RULE_PUBLIC, K_NONE, SIGNED_IN(204)),

	/* any signed-in user */
	ROWS("POST", V1 "/auth/logout", JUNK_REFRESH, H_NONE, RULE_AUTHENTICATED, K_NONE,
	     SIGNED_IN(204)),
	/* API keys are their owner's (superusers may touch any) */
	ROWS("GET", V1 "/api-keys", NULL, H_NONE, RULE_AUTHENTICATED, K_NONE, SIGNED_IN(200)),
	ROWS("POST", V1 "/api-keys", NEW_KEY, H_NONE, RULE_AUTHENTICATED, K_NONE, SIGNED_IN(201)),
	KEY3("GET", V1 "/api-keys/{xkid}", NULL, 200),
	KEY3("PUT", V1 "/api-keys/{xkid}", KEY_NAME, 200),
	KEY3("PATCH", V1 "/api-keys/{xkid}", KEY_NAME, 200),
	KEY3("POST", V1 "/api-keys/{xkid}/rotate", "{}", 201),
	KEY3("DELETE", V1 "/api-keys/{xkid}", NULL, 204),
	ROWS("GET", V1 "/tenants", NULL, H_NONE, RULE_AUTHENTICATED, K_NONE, SIGNED_IN(200)),
	ME("GET", NULL),
	ME("PUT", FIRST_NAME),
	ME("PATCH", FIRST_NAME),
	ROWS("GET", V1 "/tenants/slug/{slug}", NULL, H_NONE, RULE_AUTHENTICATED, K_OWN, SLUG_A),
	ROWS("GET", V1 "/tenants/slug/{slug}", NULL, H_NONE, RULE_AUTHENTICATED, K_FOREIGN, SLUG_B),
	ROWS("GET", V1 "/tenants/slug/{slug}", NULL, H_NONE, RULE_AUTHENTICATED, K_MISSING,
	     NO_TENANT),

	/* reads */
	COLL3("GET", V1 "/users", NULL, H_CTX, "user:read", READ_A, IN_B(200)),
	ROWS("GET", V1 "/users", NULL, H_CTX, "user:read", K_NOCTX, NEEDS_HEADER(200)),
	OBJ3("GET", V1 "/users/{uid}", NULL, H_A, "user:read", READ_A, NOT_IN_A_READ),
	COLL3("GET", V1 "/tenants/{tid}", NULL, H_NONE, "tenant:read", READ_A, IN_B(200)),
	COLL3("GET", V1 "/tenants/{tid}/users", NULL, H_NONE, "tenant:view_users", READ_A,
	      IN_B(200)),
	OBJ3("GET", V1 "/tenants/{A}/users/{uid}", NULL, H_NONE, "tenant:view_users", READ_A,
	     NOT_IN_A_READ),
	ROLE_READS(V1 "/roles", H_CTX, V1 "/roles/", H_A),
	ROWS("GET", V1 "/roles", NULL, H_CTX, "role:read", K_NOCTX, NEEDS_HEADER(200)),
	ROLE_READS(V1 "/tenants/{tid}/roles", H_NONE, V1 "/tenants/{A}/roles/", H_NONE),
	COLL3("GET", V1 "/permissions", NULL, H_CTX, "permission:read", READ_A, IN_B(200)),
	ROWS("GET", V1 "/permissions", NULL, H_CTX, "permission:read", K_NOCTX,
	     NEEDS_HEADER(200)),

	/* changes that keep every fixture usable */
	OBJ3("PUT", V1 "/users/{uid}", FIRST_NAME, H_A, "user:update", ADMIN_A(200),
	     NOT_IN_A_ADMIN),
	OBJ3("PATCH", V1 "/users/{uid}", FIRST_NAME, H_A, "user:update", ADMIN_A(200),
	     NOT_IN_A_ADMIN),
	COLL3("PUT", V1 "/tenants/{tid}", DESCRIPTION, H_NONE, "tenant:update", ADMIN_A(200),
	      IN_B(200)),
	COLL3("PATCH", V1 "/tenants/{tid}", DESCRIPTION, H_NONE, "tenant:update", ADMIN_A(200),
	      IN_B(200)),
	ROLE_CHANGES(V1 "/roles/", H_A),
	ROLE_CHANGES(V1 "/tenants/{A}/roles/", H_NONE),
	OBJ3("POST", V1 "/tenants/{A}/users/{uid}/roles", ASSIGN, H_NONE, "role:assign_users",
	     ADMIN_A(204), NOT_IN_A_ADMIN),

	/* creations */
	COLL3("POST", V1 "/users", NEW_USER, H_CTX, "user:create", ADMIN_A(201), IN_B(201)),
	ROWS("POST", V1 "/users", NEW_USER, H_CTX, "user:create", K_NOCTX, NEEDS_HEADER(201)),
	ROWS("POST", V1 "/tenants", NEW_TENANT, H_NONE, "tenant:create", K_NONE, SU_ONLY(201)),
	ROLE_CREATE(V1 "/roles", H_CTX),
	ROLE_CREATE(V1 "/tenants/{tid}/roles", H_NONE),
	ROLE_HOLDERS(V1 "/roles/", H_A),
	ROLE_HOLDERS(V1 "/tenants/{A}/roles/", H_NONE),

	/* deletions, of throwaway objects where they succeed */
	ROLE_DELETES(V1 "/roles/", H_A),
	ROLE_DELETES(V1 "/tenants/{A}/roles/", H_NONE),
	OBJ3("DELETE", V1 "/tenants/{A}/users/{xuid}/roles/{member}", NULL, H_NONE,
	     "role:assign_users", ADMIN_A(204), NOT_IN_A_ADMIN),
	OBJ3("DELETE", V1 "/users/{xuid}", NULL, H_A, "user:delete", ADMIN_A(204),
	     NOT_IN_A_ADMIN),
	/* nobody but the superuser deletes a tenant: the others try A and B themselves */
	ROWS("DELETE", V1 "/tenants/{tid}", NULL, H_NONE, "tenant:delete", K_OWN,
	     401, NA, 403, 403, 403, 403, 401, 403),
	ROWS("DELETE", V1 "/tenants/{tid}", NULL, H_NONE, "tenant:delete", K_FOREIGN,
	     401, NA, 403, 403, 403, 403, 401, 403),
	ROWS("DELETE", V1 "/tenants/{tid}", NULL, H_NONE, "tenant:delete", K_MISSING, NO_TENANT),
	ROWS("DELETE", V1 "/tenants/{xtid}", NULL, H_NONE, "tenant:delete", K_OWN,
	     NA, 204, NA, NA, NA, NA, NA, NA),
	ROWS("DELETE", V1 "/tenants/{xtid}", NULL, H_NONE, "tenant:delete", K_FOREIGN,
	     NA, 204, NA, NA, NA, NA, NA, NA),
};

const size_t authz_nrows = sizeof(authz_rows) / sizeof(authz_rows[0]);

const char *kind_name(enum obj_kind k)
{
	static const char *const names[K_COUNT] = {
		[K_NONE] = "no object",         [K_OWN] = "own object",
		[K_FOREIGN] = "foreign object", [K_MISSING] = "missing object",
		[K_SYSTEM] = "system role",     [K_NOCTX] = "no X-Tenant-ID",
	};

	return k < K_COUNT ? names[k] : "?";
}
