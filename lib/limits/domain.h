/* Limits on what a tenant or a user may hold (sql/015 keeps and enforces them). A limit's
 * name says what its scope is: *_per_tenant limits are set per tenant, *_per_user ones
 * per user; the database knows which names exist. */
#ifndef VS_LIMITS_DOMAIN_H
#define VS_LIMITS_DOMAIN_H

#include <stdbool.h>

enum vs_limit_scope { VS_LIMIT_SCOPE_NONE, VS_LIMIT_PER_TENANT, VS_LIMIT_PER_USER };

/* The scope a limit's name says, or NONE for a name that is neither. */
enum vs_limit_scope vs_limit_scope_of(const char *kind);

/* Whether max is a limit the database can hold (0 forbids any). */
bool vs_limit_max_valid(long long max);

#endif
