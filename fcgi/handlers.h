/* Handlers: parse and validate input, call one use case, render the result. No SQL and
 * no permission logic here. */
#ifndef VS_FCGI_HANDLERS_H
#define VS_FCGI_HANDLERS_H

#include "request.h"
#include "worker.h"

#define VS_HANDLER(name) enum vs_err name(struct vs_worker *w, struct vs_request *req)

/* h_system.c */
VS_HANDLER(vs_h_root);
VS_HANDLER(vs_h_health);
VS_HANDLER(vs_h_health_ready);
VS_HANDLER(vs_h_metrics);

/* h_auth.c */
VS_HANDLER(vs_h_auth_token);
VS_HANDLER(vs_h_auth_login);
VS_HANDLER(vs_h_auth_refresh);
VS_HANDLER(vs_h_auth_logout);

/* h_users.c */
VS_HANDLER(vs_h_users_list);
VS_HANDLER(vs_h_users_create);
VS_HANDLER(vs_h_users_get);
VS_HANDLER(vs_h_users_update);
VS_HANDLER(vs_h_users_delete);
VS_HANDLER(vs_h_users_me);
VS_HANDLER(vs_h_users_me_update);

/* h_tenants.c */
VS_HANDLER(vs_h_tenants_list);
VS_HANDLER(vs_h_tenants_create);
VS_HANDLER(vs_h_tenants_get);
VS_HANDLER(vs_h_tenants_get_by_slug);
VS_HANDLER(vs_h_tenants_update);
VS_HANDLER(vs_h_tenants_delete);
VS_HANDLER(vs_h_tenant_users_list);
VS_HANDLER(vs_h_tenant_users_get);

/* h_roles.c */
VS_HANDLER(vs_h_roles_list);
VS_HANDLER(vs_h_roles_create);
VS_HANDLER(vs_h_roles_get);
VS_HANDLER(vs_h_roles_update);
VS_HANDLER(vs_h_roles_delete);
VS_HANDLER(vs_h_roles_permissions);
VS_HANDLER(vs_h_roles_add_permission);
VS_HANDLER(vs_h_roles_remove_permission);
VS_HANDLER(vs_h_roles_users);
VS_HANDLER(vs_h_roles_set_users);
VS_HANDLER(vs_h_permissions_list);
VS_HANDLER(vs_h_assignments_grant);
VS_HANDLER(vs_h_assignments_revoke);

/* h_api_keys.c */
VS_HANDLER(vs_h_api_keys_list);
VS_HANDLER(vs_h_api_keys_create);
VS_HANDLER(vs_h_api_keys_get);
VS_HANDLER(vs_h_api_keys_update);
VS_HANDLER(vs_h_api_keys_delete);
VS_HANDLER(vs_h_api_keys_rotate);

/* h_auth_check.c */
VS_HANDLER(vs_h_auth_check);

/* openapi.c */
VS_HANDLER(vs_h_openapi);
/* The built-in OpenAPI document (fcgi/openapi.json), NUL-terminated; *len excludes the NUL. */
const char *vs_openapi_document(size_t *len);

#endif
