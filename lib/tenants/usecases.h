/* Tenants: platform-wide for superusers, memberships for everyone else. */
#ifndef VS_TENANTS_USECASES_H
#define VS_TENANTS_USECASES_H

#include "app/app.h"
#include "auth/domain.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/opt.h"
#include "tenants/domain.h"
#include "tenants/port.h"

#include <stdint.h>

struct vs_tenant_input {
	struct vs_opt_str name, slug, description, timezone;
	struct vs_opt_bool is_active;
};

enum vs_err vs_tenants_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const struct vs_list_at *at, struct vs_tenant_page *out,
			    struct vs_error *e);
enum vs_err vs_tenants_get(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			   const vs_uuid *id, struct vs_tenant *out, struct vs_error *e);
/* The slug names the tenant, so tenant:read is checked in the tenant it resolves to. */
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

#endif
