/* Limits, for the platform's operator (vs-admin limits). The API's writes meet them as
 * 409 quota-exceeded; the database enforces them (sql/015). */
#ifndef VS_LIMITS_USECASES_H
#define VS_LIMITS_USECASES_H

#include "app/app.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/uuid.h"
#include "limits/port.h"

#include <stddef.h>

/* Whose limit: nobody's (the default), a tenant's or a user's (by e-mail). */
struct vs_limit_target {
	const vs_uuid *tenant;
	const char *email;
};

enum vs_err vs_limits_list(struct vs_app *app, struct vs_arena *a, struct vs_limit **items,
			   size_t *n, struct vs_error *e);
/* The kind's scope must match the target's; an unknown tenant or user → NOTFOUND. */
enum vs_err vs_limits_set(struct vs_app *app, struct vs_arena *a, const char *kind,
			  const struct vs_limit_target *target, long long max, struct vs_error *e);
enum vs_err vs_limits_reset(struct vs_app *app, struct vs_arena *a, const char *kind,
			    const struct vs_limit_target *target, struct vs_error *e);

#endif
