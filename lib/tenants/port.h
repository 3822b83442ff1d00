/* What the tenants module needs from storage (see users/port.h for the conventions). */
#ifndef VS_TENANTS_PORT_H
#define VS_TENANTS_PORT_H

#include "core/arena.h"
#include "core/cursor.h"
#include "core/err.h"
#include "tenants/domain.h"

#include <stdint.h>

struct vs_tenant_query {
	const vs_uuid *member_id; /* only tenants this user is a member of; NULL: all */
	struct vs_list_at at;
};
struct vs_tenant_page {
	struct vs_tenant *items;
	size_t n;
	struct vs_list_end end;
};

struct vs_tenant_repo;
struct vs_tenant_repo_ops {
	enum vs_err (*get)(struct vs_tenant_repo *, struct vs_arena *, const vs_uuid *id,
			   struct vs_tenant *out);
	enum vs_err (*get_by_slug)(struct vs_tenant_repo *, struct vs_arena *, const char *slug,
				   struct vs_tenant *out);
	/* Fills id and timestamps. Duplicate name or slug → CONFLICT. */
	enum vs_err (*insert)(struct vs_tenant_repo *, struct vs_arena *, struct vs_tenant *t);
	enum vs_err (*update)(struct vs_tenant_repo *, struct vs_arena *, const vs_uuid *id,
			      const struct vs_tenant_changes *c, struct vs_tenant *out);
	enum vs_err (*remove)(struct vs_tenant_repo *, const vs_uuid *id);
	enum vs_err (*list)(struct vs_tenant_repo *, struct vs_arena *,
			    const struct vs_tenant_query *q, struct vs_tenant_page *out);
};
struct vs_tenant_repo {
	const struct vs_tenant_repo_ops *ops;
};

#endif
