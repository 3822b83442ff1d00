/* The permission catalogue's repository, wired with the roles' (roles.c). */
#ifndef VS_ADAPTERS_PG_ROLES_PERMISSIONS_H
#define VS_ADAPTERS_PG_ROLES_PERMISSIONS_H

#include "adapters/pg/wiring.h"

void vs_pg__permissions_wire(const struct vs_pg_wiring *w, struct vs_app *app);

#endif
