/* Texts clients see from the audit module. */
#ifndef VS_AUDIT_MESSAGES_H
#define VS_AUDIT_MESSAGES_H

#define VS_MSG_AUDIT_ACTION_UNKNOWN                                                        \
	"must be an action of the audit log, or <resource>.* for all of one resource"
#define VS_MSG_AUDIT_RANGE_BACKWARDS "must not be after to"

#endif
