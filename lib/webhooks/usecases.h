/* Webhooks as a tenant manages them (API.md §9; X-Tenant-ID, webhook:manage), and the
 * job that delivers them (deliver_job.c). Every change is audited in its transaction. */
#ifndef VS_WEBHOOKS_USECASES_H
#define VS_WEBHOOKS_USECASES_H

#include "app/app.h"
#include "auth/domain.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/opt.h"
#include "jobs/usecases.h"
#include "webhooks/port.h"

/* POST and PATCH bodies. */
struct vs_webhook_input {
	struct vs_opt_str url, description;
	struct vs_opt_strs event_types;
	struct vs_opt_bool is_active;
};

/* A URL that is not https (http only with VS_WEBHOOK_ALLOW_HTTP), holds credentials, or
 * resolves to an address webhooks may not reach: 422 on url. *secret (in a) is shown once. */
enum vs_err vs_webhooks_create(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			       const vs_uuid *tenant, const struct vs_webhook_input *in,
			       struct vs_webhook *out, const char **secret, struct vs_error *e);
enum vs_err vs_webhooks_list(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			     const vs_uuid *tenant, int64_t skip, int64_t limit,
			     struct vs_webhook **items, size_t *n, int64_t *total,
			     struct vs_error *e);
enum vs_err vs_webhooks_get(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			    const vs_uuid *tenant, const vs_uuid *id, struct vs_webhook *out,
			    struct vs_error *e);
enum vs_err vs_webhooks_update(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			       const vs_uuid *tenant, const vs_uuid *id,
			       const struct vs_webhook_input *in, struct vs_webhook *out,
			       struct vs_error *e);
enum vs_err vs_webhooks_delete(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			       const vs_uuid *tenant, const vs_uuid *id, struct vs_error *e);
/* A new secret (shown once); the old one signs alongside it for 24 h. */
enum vs_err vs_webhooks_rotate(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			       const vs_uuid *tenant, const vs_uuid *id, struct vs_webhook *out,
			       const char **secret, struct vs_error *e);
/* Sends webhook.test to it (whatever its event types); *delivery the new delivery. */
enum vs_err vs_webhooks_test(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			     const vs_uuid *tenant, const vs_uuid *id, vs_uuid *delivery,
			     struct vs_error *e);
/* The delivery log, newest first. */
enum vs_err vs_webhooks_attempts(struct vs_app *app, struct vs_arena *a,
				 const struct vs_principal *p, const vs_uuid *tenant,
				 const vs_uuid *id, int limit, struct vs_webhook_attempt **items,
				 size_t *n, struct vs_error *e);
/* One delivery sent again (same webhook-id and body); 409 while it is being sent. */
enum vs_err vs_webhooks_replay(struct vs_app *app, struct vs_arena *a, const struct vs_principal *p,
			       const vs_uuid *tenant, const vs_uuid *id, const vs_uuid *delivery,
			       struct vs_error *e);
/* Every delivery made at or after since, sent again; *n how many. */
#define VS_WEBHOOK_REPLAY_MAX 10000
enum vs_err vs_webhooks_replay_since(struct vs_app *app, struct vs_arena *a,
				     const struct vs_principal *p, const vs_uuid *tenant,
				     const vs_uuid *id, int64_t since, int *n, struct vs_error *e);

/* vs-worker: up to batch deliveries done longer ago than retention_s go, with their
 * attempts (the delivery log keeps what the jobs keep); *removed how many. */
enum vs_err vs_webhooks_prune(struct vs_app *app, int retention_s, int batch, int *removed);

/* webhook.deliver: one delivery's attempts, on the retry schedule of app's settings. */
extern const struct vs_job_kind vs_webhook_deliver_kind;
extern const struct vs_job_kind_group vs_webhooks_job_kinds;

#endif
