/* The use cases: the only layer that opens transactions and decides authorization.
 * Every mutation is one function here, so auditing can record it in the same transaction. */
#ifndef VS_APP_APP_H
#define VS_APP_APP_H

#include "core/arena.h"
#include "core/err.h"
#include "core/jwt.h"
#include "domain/principal.h"
#include "domain/tenant.h"
#include "domain/user.h"
#include "ports/repos.h"

#include <stdint.h>

struct vs_app {
	struct vs_repos repos;
	const struct vs_jwt_keys *jwt;
	int64_t access_ttl, refresh_ttl; /* seconds */
	int64_t (*now)(void);		 /* Unix seconds; a port so tests can move time */
};

/* ---- authentication (auth.c) ---- */

#define VS_REFRESH_TOKEN_PREFIX "vsrt_"

struct vs_token_pair {
	const char *access_token, *refresh_token;
	int64_t expires_in;
};

enum vs_err vs_auth_login(struct vs_app *app, struct vs_arena *a, const char *email,
			  const char *password, size_t password_len, struct vs_token_pair *out,
			  struct vs_error *e);
enum vs_err vs_auth_refresh(struct vs_app *app, struct vs_arena *a, const char *refresh_token,
			    size_t len, struct vs_token_pair *out, struct vs_error *e);
/* Revokes the login the refresh token belongs to, if it is the caller's. */
enum vs_err vs_auth_logout(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			   const char *refresh_token, size_t len, struct vs_error *e);
/* ---- the request session (session.c) ---- */

/* Verifies the access token, opens the request's transaction scoped to tenant (may be
 * NULL) and the token's user, and loads the principal with what it holds in tenant.
 * On success the transaction stays open until vs_session_close. */
enum vs_err vs_session_open(struct vs_app *app, struct vs_arena *a, const char *token,
			    size_t len, const vs_uuid *tenant, struct vs_principal *out,
			    struct vs_error *e);
/* The same with an API key. A TENANT key works only in its tenant: when *tenant is NULL
 * it becomes the key's (stored in tenant_buf), another tenant is a 403. */
enum vs_err vs_session_open_key(struct vs_app *app, struct vs_arena *a, const char *key,
				size_t len, const vs_uuid **tenant, vs_uuid *tenant_buf,
				struct vs_principal *out, struct vs_error *e);
/* Commits (ok) or rolls back the request's transaction. */
enum vs_err vs_session_close(struct vs_app *app, bool ok);

/* ---- authorization (authorize.c) ---- */

/* Decides from the loaded principal: rule, and when tenant is set, that the tenant exists
 * (404) and p is a member (403, superusers excepted). tenant_scoped says the route takes
 * its tenant from X-Tenant-ID: there a non-superuser without one gets 400, since
 * permissions are held through roles in a tenant. */
enum vs_err vs_authorize(struct vs_arena *a, const struct vs_principal *p,
			 const struct vs_rule *rule, const vs_uuid *tenant, bool tenant_scoped,
			 struct vs_error *e);

/* ---- users (users.c) ---- */

struct vs_user_input {
	struct vs_opt_str email, password, first_name, last_name;
	struct vs_opt_bool is_active, is_superuser;
	struct vs_opt_uuid role_id;
};

enum vs_err vs_users_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			  const vs_uuid *tenant, const char *search, int64_t offset, int64_t limit,
			  struct vs_user_page *out, struct vs_error *e);
enum vs_err vs_users_get(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			 const vs_uuid *id, const vs_uuid *tenant, struct vs_user *out,
			 struct vs_error *e);
enum vs_err vs_users_create(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *tenant, const struct vs_user_input *in,
			    struct vs_user *out, struct vs_error *e);
enum vs_err vs_users_update(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *id, const vs_uuid *tenant, const struct vs_user_input *in,
			    struct vs_user *out, struct vs_error *e);
enum vs_err vs_users_update_me(struct vs_app *app, struct vs_arena *a,
			       const struct vs_principal *p, const vs_uuid *tenant,
			       const struct vs_user_input *in, struct vs_user *out,
			       struct vs_error *e);
enum vs_err vs_users_delete(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *id, const vs_uuid *tenant, struct vs_error *e);
/* For vs-admin: creates a superuser, or reports VS_CONFLICT when the email exists. */
enum vs_err vs_users_create_superuser(struct vs_app *app, struct vs_arena *a, const char *email,
				      const char *password, struct vs_user *out,
				      struct vs_error *e);

/* ---- tenants (tenants.c) ---- */

struct vs_tenant_input {
	struct vs_opt_str name, slug, description, timezone;
	struct vs_opt_bool is_active;
};

enum vs_err vs_tenants_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    int64_t offset, int64_t limit, struct vs_tenant_page *out,
			    struct vs_error *e);
enum vs_err vs_tenants_get(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			   const vs_uuid *id, struct vs_tenant *out, struct vs_error *e);
enum vs_err vs_tenants_get_by_slug(struct vs_app *app, struct vs_arena *a,
				   const struct vs_principal *p, const char *slug,
				   struct vs_tenant *out, struct vs_error *e);
enum vs_err vs_tenants_create(struct vs_app *app, struct vs_arena *a,
			      const struct vs_principal *p, const struct vs_tenant_input *in,
			      struct vs_tenant *out, struct vs_error *e);
enum vs_err vs_tenants_update(struct vs_app *app, struct vs_arena *a,
			      const struct vs_principal *p, const vs_uuid *id,
			      const struct vs_tenant_input *in, struct vs_tenant *out,
			      struct vs_error *e);
enum vs_err vs_tenants_delete(struct vs_app *app, struct vs_arena *a,
			      const struct vs_principal *p, const vs_uuid *id, struct vs_error *e);

/* ---- roles, permissions and assignments (roles.c) ---- */

/* Permission references as sent: UUIDs or codes. */
struct vs_permission_refs {
	bool set;
	const char **refs;
	size_t n;
};

struct vs_role_input {
	struct vs_opt_str name, description;
	struct vs_permission_refs permissions;
};

enum vs_err vs_roles_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			  const vs_uuid *tenant, int64_t offset, int64_t limit,
			  struct vs_role_page *out, struct vs_error *e);
enum vs_err vs_roles_get(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			 const vs_uuid *id, const vs_uuid *tenant, struct vs_role *out,
			 struct vs_error *e);
enum vs_err vs_roles_create(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *tenant, const struct vs_role_input *in,
			    struct vs_role *out, struct vs_error *e);
enum vs_err vs_roles_update(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *id, const vs_uuid *tenant,
			    const struct vs_role_input *in, struct vs_role *out,
			    struct vs_error *e);
enum vs_err vs_roles_delete(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *id, const vs_uuid *tenant, struct vs_error *e);
enum vs_err vs_roles_add_permission(struct vs_app *app, struct vs_arena *a,
				    const struct vs_principal *p, const vs_uuid *id,
				    const vs_uuid *tenant, const char *permission,
				    struct vs_error *e);
enum vs_err vs_roles_remove_permission(struct vs_app *app, struct vs_arena *a,
				       const struct vs_principal *p, const vs_uuid *id,
				       const vs_uuid *tenant, const char *permission,
				       struct vs_error *e);
enum vs_err vs_roles_holders(struct vs_app *app, struct vs_arena *a,
			     const struct vs_principal *p, const vs_uuid *id,
			     const vs_uuid *tenant, vs_uuid **users, size_t *n,
			     struct vs_error *e);
enum vs_err vs_roles_set_holders(struct vs_app *app, struct vs_arena *a,
				 const struct vs_principal *p, const vs_uuid *id,
				 const vs_uuid *tenant, const vs_uuid *users, size_t n,
				 struct vs_error *e);
enum vs_err vs_permissions_list(struct vs_app *app, struct vs_arena *a, int64_t offset,
				int64_t limit, struct vs_permission_page *out, struct vs_error *e);
/* Gives user the role in tenant (idempotent) / takes it away. */
enum vs_err vs_assignments_grant(struct vs_app *app, struct vs_arena *a,
				 const struct vs_principal *p, const vs_uuid *tenant,
				 const vs_uuid *user, const vs_uuid *role, struct vs_error *e);
enum vs_err vs_assignments_revoke(struct vs_app *app, struct vs_arena *a,
				  const struct vs_principal *p, const vs_uuid *tenant,
				  const vs_uuid *user, const vs_uuid *role, struct vs_error *e);

/* ---- the auth_request check (check.c) ---- */

struct vs_check_result {
	vs_uuid user_id;
	const vs_uuid *tenant; /* the tenant the credential acts in, or NULL */
	vs_uuid tenant_buf;
	bool via_key;
	vs_uuid key_id;
	struct vs_permset scopes; /* the key's scopes (none: not limited) */
};

/* Checks a credential for a protected request elsewhere: 401 unless it is valid, 403
 * unless it may act in tenant (when given) and holds `required` (when given). A valid,
 * cached API key costs no database round trip. */
enum vs_err vs_auth_check_key(struct vs_app *app, struct vs_arena *a, const char *key,
			      size_t len, const vs_uuid *tenant, const char *required,
			      struct vs_check_result *out, struct vs_error *e);
enum vs_err vs_auth_check_bearer(struct vs_app *app, struct vs_arena *a, const char *token,
				 size_t len, const vs_uuid *tenant, const char *required,
				 struct vs_check_result *out, struct vs_error *e);

/* ---- API keys (api_keys.c) ---- */

struct vs_api_key_input {
	struct vs_opt_str name, description, scope, expires_on;
	struct vs_opt_uuid tenant_id;
	struct vs_opt_time expires_at;
	struct vs_opt_bool is_active;
	bool scopes_set;
	const char **scopes;
	size_t nscopes;
};

struct vs_api_key_filter {
	const vs_uuid *user, *tenant; /* superusers only */
	int64_t offset, limit;
};

/* *key_text is the key, shown this once. */
enum vs_err vs_api_keys_create(struct vs_app *app, struct vs_arena *a,
			       const struct vs_principal *p, const struct vs_api_key_input *in,
			       struct vs_api_key *out, const char **key_text, struct vs_error *e);
enum vs_err vs_api_keys_list(struct vs_app *app, struct vs_arena *a,
			     const struct vs_principal *p, const struct vs_api_key_filter *f,
			     struct vs_api_key_page *out, struct vs_error *e);
enum vs_err vs_api_keys_get(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *id, struct vs_api_key *out, struct vs_error *e);
enum vs_err vs_api_keys_update(struct vs_app *app, struct vs_arena *a,
			       const struct vs_principal *p, const vs_uuid *id,
			       const struct vs_api_key_input *in, struct vs_api_key *out,
			       struct vs_error *e);
enum vs_err vs_api_keys_delete(struct vs_app *app, struct vs_arena *a,
			       const struct vs_principal *p, const vs_uuid *id, struct vs_error *e);
/* A new key with the same settings; the old one keeps working for grace_seconds only. */
enum vs_err vs_api_keys_rotate(struct vs_app *app, struct vs_arena *a,
			       const struct vs_principal *p, const vs_uuid *id,
			       int64_t grace_seconds, struct vs_api_key *out, const char **key_text,
			       struct vs_error *e);

#endif
