/* What the users module needs from storage. Strings and arrays returned are allocated in
 * the arena passed in; adapters embed the port as their first member. */
#ifndef VS_USERS_PORT_H
#define VS_USERS_PORT_H

#include "auth/domain.h"
#include "core/arena.h"
#include "core/cursor.h"
#include "core/err.h"
#include "users/domain.h"

#include <stdbool.h>
#include <stdint.h>

struct vs_user_query {
	const vs_uuid *tenant_id; /* only members of this tenant; NULL: everyone */
	const char *search;	  /* substring of email, first or last name; NULL: all */
	struct vs_list_at at;
};
struct vs_user_page {
	struct vs_user *items;
	size_t n;
	struct vs_list_end end;
};

/* `roles_in` names the tenant whose role names fill vs_user.roles (NULL: none). */
struct vs_user_repo;
struct vs_user_repo_ops {
	enum vs_err (*get)(struct vs_user_repo *, struct vs_arena *, const vs_uuid *id,
			   const vs_uuid *roles_in, struct vs_user *out);
	/* Fills password_hash too. */
	enum vs_err (*get_by_email)(struct vs_user_repo *, struct vs_arena *, const char *email,
				    struct vs_user *out);
	/* u->password_hash must be set; fills id and timestamps. Duplicate email → CONFLICT. */
	enum vs_err (*insert)(struct vs_user_repo *, struct vs_arena *, struct vs_user *u);
	/* *before (unless NULL) is the row as it was: the change's event needs both, and
	 * reading it here saves a round trip of its own. */
	enum vs_err (*update)(struct vs_user_repo *, struct vs_arena *, const vs_uuid *id,
			      const struct vs_user_changes *c, const vs_uuid *roles_in,
			      struct vs_user *before, struct vs_user *out);
	enum vs_err (*remove)(struct vs_user_repo *, const vs_uuid *id);
	enum vs_err (*list)(struct vs_user_repo *, struct vs_arena *, const struct vs_user_query *q,
			    struct vs_user_page *out);
	/* The user with, for tenant (may be NULL), whether it exists, whether the user is a
	 * member, and the permissions its roles there carry. Unknown user → NOTFOUND. */
	enum vs_err (*principal)(struct vs_user_repo *, struct vs_arena *, const vs_uuid *id,
				 const vs_uuid *tenant, struct vs_principal *out);
	/* Whether user is a member of tenant and what it holds there: from the worker's
	 * cache, else one lookup in a transaction of its own (no request transaction open). */
	enum vs_err (*permissions)(struct vs_user_repo *, struct vs_arena *, const vs_uuid *user,
				   const vs_uuid *tenant, bool *member, struct vs_permset *out);
};
struct vs_user_repo {
	const struct vs_user_repo_ops *ops;
};

#endif
