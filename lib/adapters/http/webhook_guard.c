#include "adapters/http/webhook_sender.h"

struct http_guard {
	struct vs_webhook_guard base;
	const struct vs_webhook_net *net;
};

static const char *url_refusal(struct vs_webhook_guard *self, const char *url)
{
	const struct vs_webhook_net *net = ((struct http_guard *)self)->net;
	char host[VS_WEBHOOK_URL_MAX + 1];
	int port;
	const char *why = vs_webhook_url_check(net, url, host, sizeof(host), &port);
	return why ? why : vs_webhook_resolve_check(net, host, port);
}

static const struct vs_webhook_guard_ops ops = { .url_refusal = url_refusal };

struct vs_webhook_guard *vs_http_webhook_guard_new(struct vs_arena *owned,
						   const struct vs_webhook_net *net)
{
	struct http_guard *g = vs_arena_alloc(owned, sizeof(*g));
	*g = (struct http_guard){ { &ops }, net };
	return &g->base;
}
