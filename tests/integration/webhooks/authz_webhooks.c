/* The authorization matrix's rows for fcgi/webhooks' routes: a tenant's webhooks are
 * managed in the X-Tenant-ID tenant with webhook:manage (Tenant Admin has it), superusers
 * too only with the header (a webhook always belongs to a tenant). The objects are
 * throwaway webhooks ({xwid}) sending to the run's receiver, and for the replay of one
 * delivery, a delivery of that webhook ({xdid}). */
#include "authz_rows.h"

#define MANAGE "webhook:manage"
/* an event the matrix never causes: its webhooks get only the deliveries the rows ask for */
#define SUBSCRIBE "{\"url\":\"{hook}\",\"event_types\":[\"webhook.disabled\"]}"
#define SINCE "{\"since\":\"2020-01-01T00:00:00Z\"}"

static const struct authz_row webhooks_rows[] = {
	COLL3("GET", "/api/v1/webhooks", NULL, H_CTX, MANAGE, ADMIN_A(200), IN_B(200)),
	ROWS("GET", "/api/v1/webhooks", NULL, H_CTX, MANAGE, K_NOCTX, NEEDS_HEADER(400)),
	COLL3("POST", "/api/v1/webhooks", SUBSCRIBE, H_CTX, MANAGE, ADMIN_A(201), IN_B(201)),
	ROWS("POST", "/api/v1/webhooks", SUBSCRIBE, H_CTX, MANAGE, K_NOCTX, NEEDS_HEADER(400)),
	/* on throwaway webhooks: A's, B's, a random id */
	OBJ3("GET", "/api/v1/webhooks/{xwid}", NULL, H_A, MANAGE, ADMIN_A(200), NOT_IN_A_ADMIN),
	OBJ3("PATCH", "/api/v1/webhooks/{xwid}", DESCRIPTION, H_A, MANAGE, ADMIN_A(200),
	     NOT_IN_A_ADMIN),
	OBJ3("DELETE", "/api/v1/webhooks/{xwid}", NULL, H_A, MANAGE, ADMIN_A(204), NOT_IN_A_ADMIN),
	OBJ3("POST", "/api/v1/webhooks/{xwid}/rotate-secret", NULL, H_A, MANAGE, ADMIN_A(201),
	     NOT_IN_A_ADMIN),
	OBJ3("POST", "/api/v1/webhooks/{xwid}/test", NULL, H_A, MANAGE, ADMIN_A(202),
	     NOT_IN_A_ADMIN),
	OBJ3("GET", "/api/v1/webhooks/{xwid}/deliveries", NULL, H_A, MANAGE, ADMIN_A(200),
	     NOT_IN_A_ADMIN),
	/* a delivery of the row's webhook, sent already: queued again */
	OBJ3("POST", "/api/v1/webhooks/{xwid}/deliveries/{xdid}/replay", NULL, H_A, MANAGE,
	     ADMIN_A(202), NOT_IN_A_ADMIN),
	OBJ3("POST", "/api/v1/webhooks/{xwid}/replay", SINCE, H_A, MANAGE, ADMIN_A(202),
	     NOT_IN_A_ADMIN),
};

IT_AUTHZ_ROWS(webhooks_rows)
