/* The RBAC world of fakes/world.h made ready for API keys, shared by the key tests
 * (tests/unit/api_keys/, tests/unit/auth/test_check.c):
 *   - the catalogue gains api_key:read/create/update/delete, held by Tenant Admin and
 *     Member (API.md §4: a Member manages its own keys); Managers and Viewer hold none;
 *   - acme keeps its days in America/New_York, every other tenant in UTC. The fake's
 *     tenant rows have no time zone (vs_tenant.timezone is NULL, where PostgreSQL's
 *     column is NOT NULL DEFAULT 'UTC'), so the tenants port is wrapped to supply one. */
#ifndef VS_TESTS_UNIT_API_KEYS_KEY_WORLD_H
#define VS_TESTS_UNIT_API_KEYS_KEY_WORLD_H

#include "fakes/world.h"

#define KW_ACME_ZONE "America/New_York"

/* The fake tenants port with a time zone on each tenant it returns. */
struct kw_zoned_tenants {
	struct vs_tenant_repo base;
	struct vs_tenant_repo *inner;
	vs_uuid acme;
};

struct key_world {
	struct world w;
	struct kw_zoned_tenants tenants;
};

void key_world_init(struct key_world *k);
void key_world_free(struct key_world *k);

/* A present optional string. */
struct vs_opt_str kw_str(const char *s);

/* Opens a request session with an API key as fcgi/pipeline.c does (vs_auth_open_key),
 * tenant may be NULL; the test stops if it cannot. As world_enter: the journal is reset
 * afterwards and the transaction stays open; close it with world_leave. */
const struct vs_principal *kw_enter_key(struct world *w, const char *key, const vs_uuid *tenant);

/* A well-formed key text (right shape and checksum) with this public id and a fresh
 * random secret: what an attacker who learnt a key's prefix could send. */
const char *kw_forge_key(struct vs_arena *a, const char *public_id);

/* Whether the bytes of the stored row contain s: no key text or secret may be stored. */
bool kw_row_contains(const struct fake_api_key_row *row, const char *s, size_t len);

#endif
