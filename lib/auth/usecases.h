/* Authentication and authorization of a request, and the nginx auth_request check. */
#ifndef VS_AUTH_USECASES_H
#define VS_AUTH_USECASES_H

#include "app/app.h"
#include "auth/domain.h"
#include "core/arena.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

/* Decides from the loaded principal: rule, and when tenant is set, that the tenant exists
 * (404) and p is a member (403, superusers excepted). tenant_scoped says the route takes
 * its tenant from X-Tenant-ID: there a non-superuser without one gets 400, since
 * permissions are held through roles in a tenant. */
enum vs_err vs_authorize(struct vs_arena *a, const struct vs_principal *p,
			 const struct vs_rule *rule, const vs_uuid *tenant, bool tenant_scoped,
			 struct vs_error *e);

/* The request's session: verifies the access token, opens the request's transaction
 * scoped to tenant (may be NULL) and the token's user, and loads the principal with what
 * it holds in tenant. On success the transaction stays open until vs_auth_close. */
enum vs_err vs_auth_open(struct vs_app *app, struct vs_arena *a, const char *token, size_t len,
			 const vs_uuid *tenant, struct vs_principal *out, struct vs_error *e);
/* The same with an API key. A TENANT key works only in its tenant: when *tenant is NULL
 * it becomes the key's (stored in tenant_buf), another tenant is a 403. */
enum vs_err vs_auth_open_key(struct vs_app *app, struct vs_arena *a, const char *key, size_t len,
			     const vs_uuid **tenant, vs_uuid *tenant_buf, struct vs_principal *out,
			     struct vs_error *e);
/* Commits (ok) or rolls back the request's transaction. */
enum vs_err vs_auth_close(struct vs_app *app, bool ok);
/* After the request's transaction: records that p was refused method route (a change) in
 * tenant (NULL: none) for want of permission (NULL: another rule), as an
 * auth.permission_denied event of its own transaction. A failure is logged only. */
void vs_auth_record_denied(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			   const vs_uuid *tenant, const char *method, const char *route,
			   const char *permission);

struct vs_check_result {
	vs_uuid user_id;
	const vs_uuid *tenant; /* the tenant the credential acts in, or NULL */
	vs_uuid tenant_buf;
	bool via_key;
	vs_uuid key_id;
	struct vs_permset scopes; /* the key's scopes (none: not limited) */
};

/* Checks a credential for a protected request elsewhere: 401 unless it is valid, 403
 * unless it may act in tenant (when given) and holds `required` (when given), 503 when
 * that cannot be told now. A valid, cached API key costs no database round trip. */
enum vs_err vs_auth_check_key(struct vs_app *app, struct vs_arena *a, const char *key,
			      size_t len, const vs_uuid *tenant, const char *required,
			      struct vs_check_result *out, struct vs_error *e);
enum vs_err vs_auth_check_bearer(struct vs_app *app, struct vs_arena *a, const char *token,
				 size_t len, const vs_uuid *tenant, const char *required,
				 struct vs_check_result *out, struct vs_error *e);

#endif
