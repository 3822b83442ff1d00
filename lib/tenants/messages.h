/* Texts clients match on, for tenants (a missing tenant: auth/messages.h). */
#ifndef VS_TENANTS_MESSAGES_H
#define VS_TENANTS_MESSAGES_H

#define VS_MSG_TENANT_TAKEN "A tenant with this name or slug already exists."
#define VS_MSG_SLUG_IMMUTABLE "cannot be changed"
#define VS_MSG_SLUG_LENGTH "must be 3 to 50 characters"
#define VS_MSG_SLUG_CHARACTERS "may contain only lower-case letters, digits and '-'"
#define VS_MSG_TIMEZONE_INVALID "must be an IANA time zone name, e.g. Europe/Berlin"

#endif
