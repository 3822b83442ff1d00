/* What the webhooks module needs from outside: storage of subscriptions, deliveries and
 * their log (in the caller's transaction and scope), and a sender that makes one HTTP
 * attempt. */
#ifndef VS_WEBHOOKS_PORT_H
#define VS_WEBHOOKS_PORT_H

#include "core/arena.h"
#include "core/err.h"
#include "webhooks/domain.h"

#include <stdbool.h>
#include <stdint.h>

/* How deliveries are retried, from VS_WEBHOOK_* (runtime). */
struct vs_webhook_settings {
	struct vs_webhook_schedule schedule;
	int64_t disable_after_s; /* an endpoint failing this long is disabled */
};

/* Where webhooks may go (API.md §9: https, no credentials, no private address; the
 * operator's exceptions), judged when a URL is stored. The sender judges again each
 * address it connects to. */
struct vs_webhook_guard;
struct vs_webhook_guard_ops {
	/* NULL when url may be a subscription's; else why not, for the client. */
	const char *(*url_refusal)(struct vs_webhook_guard *, const char *url);
};
struct vs_webhook_guard {
	const struct vs_webhook_guard_ops *ops;
};

/* A change to a subscription; NULL / false: left as it is. */
struct vs_webhook_change {
	const char *url;
	bool set_description;
	const char *description; /* NULL: none */
	const char *const *event_types;
	size_t nevent_types;
	bool set_active, is_active; /* active again also forgets its failures */
};

/* One attempt as the delivery job records it. */
struct vs_webhook_attempt_record {
	vs_uuid delivery_id, webhook_id, tenant_id;
	int status_code; /* 0: no answer */
	int64_t duration_ms;
	const char *error;
	enum vs_delivery_status status; /* the delivery's after it */
	int64_t next_attempt_at;	/* 0: none */
};

struct vs_webhook_repo;
struct vs_webhook_repo_ops {
	/* w complete (id, tenant, secret…); created_at/updated_at come back. */
	enum vs_err (*insert)(struct vs_webhook_repo *, struct vs_arena *, const vs_uuid *by,
			      struct vs_webhook *w);
	enum vs_err (*get)(struct vs_webhook_repo *, struct vs_arena *, const vs_uuid *tenant,
			   const vs_uuid *id, struct vs_webhook *out);
	/* The tenant's, oldest first. */
	enum vs_err (*list)(struct vs_webhook_repo *, struct vs_arena *, const vs_uuid *tenant,
			    int64_t offset, int64_t limit, struct vs_webhook **items, size_t *n,
			    int64_t *total);
	enum vs_err (*update)(struct vs_webhook_repo *, struct vs_arena *, const vs_uuid *tenant,
			      const vs_uuid *id, const struct vs_webhook_change *c,
			      struct vs_webhook *out);
	enum vs_err (*remove)(struct vs_webhook_repo *, const vs_uuid *tenant, const vs_uuid *id);
	/* secret becomes the current one; the current one signs along until previous_until. */
	enum vs_err (*rotate)(struct vs_webhook_repo *, struct vs_arena *, const vs_uuid *tenant,
			      const vs_uuid *id, const char *secret, int64_t previous_until,
			      struct vs_webhook *out);
	/* A delivery of body to webhook id outside the fan-out (webhook.test), with its job. */
	enum vs_err (*add_delivery)(struct vs_webhook_repo *, const vs_uuid *tenant,
				    const vs_uuid *id, const char *event_type, const char *body,
				    vs_uuid *delivery);
	/* Sends delivery again (pending, a new job): NOTFOUND when the webhook has no such
	 * delivery; *queued false when one of its jobs waits or runs already. */
	enum vs_err (*replay)(struct vs_webhook_repo *, const vs_uuid *tenant, const vs_uuid *id,
			      const vs_uuid *delivery, bool *queued);
	/* The same for every delivery of the webhook made at or after since (at most max). */
	enum vs_err (*replay_since)(struct vs_webhook_repo *, const vs_uuid *tenant,
				    const vs_uuid *id, int64_t since, int max, int *n);
	/* The log, newest first. */
	enum vs_err (*attempts)(struct vs_webhook_repo *, struct vs_arena *, const vs_uuid *tenant,
				const vs_uuid *id, int limit, struct vs_webhook_attempt **items,
				size_t *n);

	/* The delivery job's side. The delivery and its webhook (NOTFOUND: either is gone). */
	enum vs_err (*delivery)(struct vs_webhook_repo *, struct vs_arena *, const vs_uuid *tenant,
				const vs_uuid *id, struct vs_webhook_delivery *d,
				struct vs_webhook *w);
	/* Adds the attempt to the log, moves the delivery, and keeps the webhook's
	 * failing_since (set on a failure unless set, cleared on a success); *failing_since
	 * as it is after (0: not failing). */
	enum vs_err (*record_attempt)(struct vs_webhook_repo *, const struct vs_webhook_attempt_record *r,
				      int64_t *failing_since);
	/* Removes up to n deliveries done longer ago than retention_s, with their attempts;
	 * *removed how many. Across tenants (vs-worker). */
	enum vs_err (*prune)(struct vs_webhook_repo *, int retention_s, int n, int *removed);
	/* An active webhook made inactive; *changed false when it was not active. */
	enum vs_err (*disable)(struct vs_webhook_repo *, const vs_uuid *tenant, const vs_uuid *id,
			       bool *changed);
};
struct vs_webhook_repo {
	const struct vs_webhook_repo_ops *ops;
};

/* One HTTP POST of a delivery. */
struct vs_webhook_request {
	const char *url;
	const char *msg_id;
	int64_t timestamp;
	const char *signature;
	const char *body;
	size_t body_len;
	int64_t timeout_ms;
};
struct vs_webhook_response {
	int status_code;     /* 0: no answer (error says why) */
	int64_t duration_ms;
	const char *error;   /* NULL on an answer; never a secret */
};
struct vs_webhook_sender;
struct vs_webhook_sender_ops {
	/* Makes the attempt (VS_OK whenever one was made, whatever came of it). */
	enum vs_err (*post)(struct vs_webhook_sender *, struct vs_arena *,
			    const struct vs_webhook_request *r, struct vs_webhook_response *out);
};
struct vs_webhook_sender {
	const struct vs_webhook_sender_ops *ops;
};

#endif
