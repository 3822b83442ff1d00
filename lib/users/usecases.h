/* Users: listing, reading, creating, changing and removing, in a tenant or platform-wide. */
#ifndef VS_USERS_USECASES_H
#define VS_USERS_USECASES_H

#include "app/app.h"
#include "auth/domain.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/opt.h"
#include "users/domain.h"
#include "users/port.h"

#include <stdint.h>

struct vs_user_input {
	struct vs_opt_str email, password, first_name, last_name;
	struct vs_opt_bool is_active, is_superuser;
	struct vs_opt_uuid role_id;
};

enum vs_err vs_users_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			  const vs_uuid *tenant, const char *search, const struct vs_list_at *at,
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
/* For other modules' use cases (an accepted invitation): a new user from in (email
 * normalised and password hashed here; active unless in says otherwise), inserted in the
 * transaction the caller has open. A taken email → 409 "A user with this email already
 * exists."; *out without its password hash. */
enum vs_err vs_users_insert_new(struct vs_app *app, struct vs_arena *a,
				const struct vs_user_input *in, struct vs_user *out,
				struct vs_error *e);
/* For vs-admin: creates a superuser, or reports VS_CONFLICT when the email exists. */
enum vs_err vs_users_create_superuser(struct vs_app *app, struct vs_arena *a, const char *email,
				      const char *password, struct vs_user *out,
				      struct vs_error *e);

#endif
