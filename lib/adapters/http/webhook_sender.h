/* The webhook sender and guard ports over HTTP(S), with libcurl. One POST per attempt on a handle the
 * sender keeps, so that deliveries to one endpoint reuse its connection. No redirects, no
 * proxies from the environment, TLS verified (the system's CAs, or VS_WEBHOOK_CA_FILE
 * instead), a 256 KiB cap on what is read of the answer, and the address of every new
 * connection checked as it is opened (CURLOPT_OPENSOCKETFUNCTION): whatever a name resolves
 * to now, a connection to a private address is never made (DNS rebinding included). */
#ifndef VS_ADAPTERS_HTTP_WEBHOOK_SENDER_H
#define VS_ADAPTERS_HTTP_WEBHOOK_SENDER_H

#include "adapters/http/net.h"
#include "core/arena.h"
#include "core/err.h"
#include "webhooks/port.h"

/* A sender in owned (its handle is cleaned up with owned). net is borrowed for its life;
 * ca_file NULL: the system's CAs. libcurl's global setup is done already (main). */
enum vs_err vs_http_webhook_sender_new(struct vs_arena *owned, const struct vs_webhook_net *net,
				       const char *ca_file, struct vs_webhook_sender **out);

/* The guard port over the same policy (webhook_guard.c): the URL's form, then every
 * address its host resolves to now. */
struct vs_webhook_guard *vs_http_webhook_guard_new(struct vs_arena *owned,
						   const struct vs_webhook_net *net);

#endif
