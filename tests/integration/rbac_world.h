/*
 * The world the RBAC suites run in, built through the API as the superuser:
 * tenants A and B, custom roles in each, plain members, and one logged-in
 * user per persona. Throwaway objects made during a test are remembered and
 * removed with the world.
 */
#ifndef IT_RBAC_WORLD_H
#define IT_RBAC_WORLD_H

#include <stdbool.h>

#include "fixtures.h"

/* Who calls. The order is the column order of the authorization matrix. */
enum persona {
	P_ANON,     /* no credentials */
	P_SU,       /* the superuser (fx.admin) */
	P_TADMIN,   /* "Tenant Admin" of A */
	P_MEMBER,   /* "Member" of A */
	P_VIEWER,   /* "Viewer" of A */
	P_OTHER,    /* "Tenant Admin" of B: a user of another tenant */
	P_INACTIVE, /* "Member" of A, deactivated after logging in */
	P_BARE,     /* holds only the custom role "Nothing" (no permissions) in A */
	P_COUNT
};

struct rbac_world {
	char *tenant_a, *tenant_b, *slug_a, *slug_b;
	char *role_tadmin, *role_member, *role_viewer; /* the seeded system roles */
	char *role_a, *role_b;  /* custom roles of A and B, each with user:read */
	char *role_nothing;     /* custom role of A without permissions */
	char *perm_role_read, *perm_user_read, *perm_job_read; /* permission ids */
	struct it_user user_a, user_b; /* plain members of A and of B ("Member") */
	struct it_user persona[P_COUNT]; /* [P_ANON] and [P_SU] unused */
	double login_at;         /* when the personas last logged in */
	double inactive_login_at; /* when the inactive user's token was issued */
	char **trash_users, **trash_tenants;
	size_t ntrash_users, ntrash_tenants;
	bool built;
};

/* Builds everything; false (having reported why) when some step failed. */
bool rw_build(struct rbac_world *w);
/* Deletes the tenants and users it made (as the superuser) and frees w. */
void rw_free(struct rbac_world *w);

const char *persona_name(enum persona p);
/* The access token of persona p (NULL for P_ANON); logs the personas in again when old. */
const char *rw_token(struct rbac_world *w, enum persona p);
/* The user id of persona p (NULL for P_ANON). */
const char *rw_user_id(struct rbac_world *w, enum persona p);

/* A throwaway user in tenant (role_id NULL: "Member"); its id or NULL. Deleted with the world. */
char *rw_new_user(struct rbac_world *w, const char *tenant, const char *role_id);
/* A throwaway custom role in tenant with the permission codes of perms_json ("[\"role:read\"]"). */
char *rw_new_role(struct rbac_world *w, const char *tenant, const char *name_tag,
		  const char *perms_json);
/* A throwaway tenant; its id or NULL. Deleted with the world. */
char *rw_new_tenant(struct rbac_world *w);

/*
 * The role names the superuser sees for user in tenant (GET /tenants/{t}/users/{u}):
 * a JSON array owned by the response put in *holder (free it), or NULL.
 */
struct json_object *rw_roles_of(const char *tenant, const char *user, struct resp **holder);
/* POST /tenants/{tenant}/users/{user}/roles {"role_id"} with token; the response. */
struct resp *rw_assign(const char *token, const char *tenant, const char *user, const char *role);
/* DELETE /tenants/{tenant}/users/{user}/roles/{role} with token; the response. */
struct resp *rw_unassign(const char *token, const char *tenant, const char *user, const char *role);

#endif
