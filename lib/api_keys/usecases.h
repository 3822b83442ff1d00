/* API keys: owned by a user, GLOBAL or bound to one tenant, limited by scopes, shown once;
 * and the one verification of a presented key, used by request authentication and by
 * the auth_request check alike. */
#ifndef VS_API_KEYS_USECASES_H
#define VS_API_KEYS_USECASES_H

#include "api_keys/domain.h"
#include "api_keys/port.h"
#include "app/app.h"
#include "auth/domain.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/opt.h"

#include <stdbool.h>
#include <stdint.h>

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

/* The key text → its record: well-formed with a matching checksum (else refused with no
 * lookup), known, the same SHA-256 (compared in constant time), active, unexpired and
 * its owner active. 401 "Invalid or expired API Key" otherwise, 503 when it cannot be
 * told (the database is away). The caller notes a use it accepts (touch). */
enum vs_err vs_api_keys_authenticate(struct vs_app *app, struct vs_arena *a, const char *key,
				     size_t len, struct vs_api_key *out, struct vs_error *e);

/* vs_api_keys_authenticate, and the key's tenant: a TENANT key works only in its own
 * tenant (another one in *tenant: 403), and names the tenant when the request named none
 * (*tenant then points at tenant_buf). Used by request authentication and the check. */
enum vs_err vs_api_keys_open(struct vs_app *app, struct vs_arena *a, const char *key, size_t len,
			     const vs_uuid **tenant, vs_uuid *tenant_buf, struct vs_api_key *out,
			     struct vs_error *e);

/* For vs-admin (benchmarks): count GLOBAL keys for the user with that email, limited to
 * scopes (codes of the catalogue; none: unlimited), stored in batches, each key's text
 * handed to emit once it is committed. Platform (operator) scope. */
enum vs_err vs_api_keys_mint_many(struct vs_app *app, struct vs_arena *a, const char *email,
				  long count, const char **scopes, size_t nscopes,
				  void (*emit)(void *ctx, const char *key_text), void *ctx,
				  struct vs_error *e);

#endif
