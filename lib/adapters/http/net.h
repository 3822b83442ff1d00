/* Where outgoing webhooks may go (the SSRF defence): a subscription's URL, the addresses
 * its host resolves to, and each address a delivery connects to. A check at subscription
 * time alone is not enough, since DNS may answer differently at delivery: the deliverer
 * asks vs_webhook_address_refusal again from curl's CURLOPT_OPENSOCKETFUNCTION, the one
 * place that sees the address curl really connects to (redirects and proxies off). */
#ifndef VS_ADAPTERS_HTTP_NET_H
#define VS_ADAPTERS_HTTP_NET_H

#include "webhooks/domain.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define VS_WEBHOOK_ALLOWED_MAX 8

/* Where webhooks may go, from the environment, once per process. */
struct vs_webhook_net {
	bool allow_http;    /* VS_WEBHOOK_ALLOW_HTTP=1: http:// as well as https:// */
	bool allow_private; /* VS_WEBHOOK_ALLOW_PRIVATE=1: every address */
	/* VS_WEBHOOK_ALLOW_ADDRESSES="127.0.0.1:8443,[::1]:8443": these address+port pairs
	 * only, though they are private (a receiver inside the operator's network; the tests'). */
	size_t nallowed;
	struct sockaddr_storage allowed[VS_WEBHOOK_ALLOWED_MAX];
};

/* The three variables' values (NULL when unset) into *out: "0" or "1" for the booleans,
 * "a.b.c.d:port,[v6]:port" (at most VS_WEBHOOK_ALLOWED_MAX; "" for none) for the list.
 * False on any other value, with *why a static text naming the variable; *out unchanged. */
bool vs_webhook_net_parse(const char *allow_http, const char *allow_private,
			  const char *allow_addresses, struct vs_webhook_net *out,
			  const char **why);

/* NULL when a webhook may connect to sa (AF_INET or AF_INET6, address and port), else a
 * static text for the client ("is a loopback address", "is a private address", ...). */
const char *vs_webhook_address_refusal(const struct vs_webhook_net *n, const struct sockaddr *sa);

/* NULL when url may be a subscription's (absolute, https or with allow_http http, no
 * credentials, a host), its host (IPv6 without brackets) into host and its port (the
 * scheme's default when none) into *port; else why not, a static text. A host buffer of
 * VS_WEBHOOK_URL_MAX + 1 bytes always suffices. */
const char *vs_webhook_url_check(const struct vs_webhook_net *n, const char *url, char *host,
				 size_t hostsize, int *port);

/* NULL when host resolves and every one of its addresses, with port, may be connected to;
 * else "does not resolve" or vs_webhook_address_refusal's text for the first refused. */
const char *vs_webhook_resolve_check(const struct vs_webhook_net *n, const char *host, int port);

#endif
