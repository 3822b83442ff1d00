/* Users: entity and the rules for their fields. Pure C. */
#ifndef VS_USERS_DOMAIN_H
#define VS_USERS_DOMAIN_H

#include "core/opt.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vs_user {
	vs_uuid id;
	const char *email; /* lower-case */
	const char *first_name, *last_name; /* NULL when unset */
	bool is_active, is_superuser;
	int64_t created_at, updated_at;
	const char **roles; /* names of the roles held in the tenant in context */
	size_t nroles;
	const char *password_hash; /* filled only where a use case needs it (login) */
};

/* What an update changes; absent fields stay as they are. */
struct vs_user_changes {
	struct vs_opt_str email, first_name, last_name;
	struct vs_opt_bool is_active, is_superuser;
	const char *password_hash; /* NULL: unchanged */
};

/* Field checks for vs_json_field tables: NULL when fine, else the message. */
const char *vs_user_email_check(const char *s, size_t len);
const char *vs_user_password_check(const char *s, size_t len);

/* Lower-cases an ASCII email in place (the local part of our users is case-insensitive). */
void vs_user_email_normalise(char *email);

#endif
