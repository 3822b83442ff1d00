/* What a subscription may name in event_types: the audit log's actions (its catalog,
 * audit/actions.h), every action of one resource ("user.*"), everything ("*"), and the
 * events that are no audit action: audit.checkpoint (a chain's head signed, API.md §8). */
#ifndef VS_WEBHOOKS_EVENT_TYPES_H
#define VS_WEBHOOKS_EVENT_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#define VS_WEBHOOK_CHECKPOINT_EVENT "audit.checkpoint"

/* NULL when s[0..len) may be in a subscription's event_types; else why not. */
const char *vs_webhook_event_type_check(const char *s, size_t len);
/* Whether a subscription to types gets an event of this type (as sql/018 matches). */
bool vs_webhook_matches(const char *const *types, size_t n, const char *type);

#endif
