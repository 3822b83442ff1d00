/* Texts clients match on, for roles and permissions. */
#ifndef VS_ROLES_MESSAGES_H
#define VS_ROLES_MESSAGES_H

#define VS_MSG_ROLE_NOT_FOUND "Role not found"
#define VS_MSG_ROLE_TAKEN "A role with this name already exists."
#define VS_MSG_ROLE_ASSIGNED "Role is assigned to users and cannot be deleted."
#define VS_MSG_PERMISSION_NOT_FOUND "Permission not found"
#define VS_MSG_SYSTEM_ROLE "System roles cannot be changed."
#define VS_MSG_GLOBAL_ROLE "Global roles can only be changed by a superuser without a tenant in context."
#define VS_MSG_PERMISSION_REFS "must be an array of short strings"
#define VS_MSG_CANNOT_GRANT "You cannot grant permissions you do not hold."

#endif
