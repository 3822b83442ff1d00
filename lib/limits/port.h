/* What the limits module needs from storage: the defaults and per-scope overrides of
 * iam.limits, with what each scope holds now. */
#ifndef VS_LIMITS_PORT_H
#define VS_LIMITS_PORT_H

#include "core/arena.h"
#include "core/err.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vs_limit {
	const char *kind;
	bool scoped; /* an override for scope; else the default */
	vs_uuid scope;
	int64_t max;
	int64_t used; /* what scope holds now; -1 for a default */
};

struct vs_limit_repo;
struct vs_limit_repo_ops {
	/* Defaults first, then overrides, each by kind. */
	enum vs_err (*list)(struct vs_limit_repo *, struct vs_arena *, struct vs_limit **items,
			    size_t *n);
	/* The default (scope NULL) or scope's override; an unknown kind → INVALID. */
	enum vs_err (*set)(struct vs_limit_repo *, const char *kind, const vs_uuid *scope,
			   int64_t max);
	/* Drops scope's override; NOTFOUND when it had none. */
	enum vs_err (*reset)(struct vs_limit_repo *, const char *kind, const vs_uuid *scope);
};
struct vs_limit_repo {
	const struct vs_limit_repo_ops *ops;
};

#endif
