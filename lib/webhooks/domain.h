/* Webhooks (API.md §9): a tenant's subscriptions to its audit events, their deliveries and
 * the log of attempts, and the Standard Webhooks signature (www.standardwebhooks.com):
 *
 *   webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>
 *
 * where the secret is "whsec_" + base64(key). Pure C (HMAC from core/crypto.h). */
#ifndef VS_WEBHOOKS_DOMAIN_H
#define VS_WEBHOOKS_DOMAIN_H

#include "core/arena.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VS_WEBHOOK_URL_MAX 2048
#define VS_WEBHOOK_SECRET_BYTES 24
#define VS_WEBHOOK_SECRET_LEN (6 + 32) /* "whsec_" + base64 of the 24 bytes */
#define VS_WEBHOOK_EVENT_TYPES_MAX 64
#define VS_WEBHOOK_DESCRIPTION_MAX 500
#define VS_WEBHOOK_ROTATION_OVERLAP_S 86400 /* the old secret signs along for 24 h */
#define VS_WEBHOOK_TIMEOUT_MS 10000
#define VS_WEBHOOK_RESPONSE_CAP (256 * 1024)
#define VS_WEBHOOK_RETRIES_MAX 16
#define VS_WEBHOOK_DISABLE_AFTER_S (5 * 86400)

struct vs_webhook {
	vs_uuid id, tenant_id;
	const char *url;
	const char *description; /* or NULL */
	const char **event_types;
	size_t nevent_types;
	bool is_active;
	const char *secret;	     /* only to sign, never shown but once */
	const char *previous_secret; /* or NULL: signs alongside until previous_until */
	int64_t previous_until;
	int64_t failing_since; /* 0: not failing */
	int64_t created_at, updated_at;
};

enum vs_delivery_status { VS_DELIVERY_PENDING, VS_DELIVERY_SUCCEEDED, VS_DELIVERY_FAILED };
const char *vs_delivery_status_name(enum vs_delivery_status s);
bool vs_delivery_status_parse(const char *s, enum vs_delivery_status *out);

/* One message to one endpoint; its id is the webhook-id of every attempt. */
struct vs_webhook_delivery {
	vs_uuid id, webhook_id, tenant_id;
	bool has_event;
	vs_uuid event_id;
	const char *event_type;
	const char *body;
	enum vs_delivery_status status;
	int attempts;
	int64_t created_at;
};

/* A line of the delivery log. */
struct vs_webhook_attempt {
	vs_uuid delivery_id;
	bool has_event;
	vs_uuid event_id;
	const char *event_type;
	int attempt;
	int status_code; /* 0: no answer */
	int64_t duration_ms;
	const char *error; /* or NULL */
	enum vs_delivery_status status;
	int64_t next_attempt_at; /* 0: none */
	int64_t at;
};

/* A new secret, "whsec_…", into out. */
void vs_webhook_secret_new(char out[VS_WEBHOOK_SECRET_LEN + 1]);

/* "v1,<base64>" of msg_id.timestamp.body under secret, in a; NULL when secret is not a
 * whsec_ secret. */
const char *vs_webhook_sign(struct vs_arena *a, const char *secret, const char *msg_id,
			    int64_t timestamp, const char *body, size_t body_len);
/* The webhook-signature header's value at now: the current secret's signature, then the
 * previous secret's while it still signs (space separated). In a. */
const char *vs_webhook_signatures(struct vs_arena *a, const struct vs_webhook *w,
				  const char *msg_id, int64_t timestamp, const char *body,
				  size_t body_len, int64_t now);

/* The retry schedule: after attempt k (1-based) fails, the next comes delays_ms[k-1] later;
 * after the last there is none. */
struct vs_webhook_schedule {
	int64_t delays_ms[VS_WEBHOOK_RETRIES_MAX];
	size_t n;
};
/* API.md §9: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
void vs_webhook_schedule_default(struct vs_webhook_schedule *s);
/* "300,600,900" (milliseconds); false for anything else (empty, a non-number, 0, too many). */
bool vs_webhook_schedule_parse(const char *text, struct vs_webhook_schedule *s);
/* The wait after failed attempt `attempt`, or -1 when that was the last. */
int64_t vs_webhook_schedule_next(const struct vs_webhook_schedule *s, int attempt);

/* What an attempt came to: a 2xx is success, anything else (another status, no answer) is
 * a failure to retry. */
static inline bool vs_webhook_status_ok(int status_code)
{
	return status_code >= 200 && status_code <= 299;
}

#endif
