/* Tenants: entity and field rules. Pure C. */
#ifndef VS_TENANTS_DOMAIN_H
#define VS_TENANTS_DOMAIN_H

#include "core/opt.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vs_tenant {
	vs_uuid id;
	const char *name, *slug, *description; /* description NULL when unset */
	const char *timezone;		       /* IANA zone name, "UTC" by default */
	bool is_active;
	int64_t created_at, updated_at;
};

struct vs_tenant_changes {
	struct vs_opt_str name, description, timezone;
	struct vs_opt_bool is_active;
};

/* 3–50 characters of [a-z0-9-]. NULL when fine, else the message. */
const char *vs_tenant_slug_check(const char *s, size_t len);

#endif
