/* Texts clients match on, for roles held by users in tenants. */
#ifndef VS_ASSIGNMENTS_MESSAGES_H
#define VS_ASSIGNMENTS_MESSAGES_H

#define VS_MSG_ASSIGNMENT_NOT_FOUND "Role assignment not found"

#endif
