#include "adapters/http/webhook_sender.h"

#include "core/time.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#define USER_AGENT "VirtualStack-Webhooks/1"
#define CONNECT_TIMEOUT_MS 5000

struct http_sender {
	struct vs_webhook_sender base;
	CURL *curl;
	const struct vs_webhook_net *net;
	const char *ca_file;
};

/* What one attempt learnt besides curl's result. */
struct attempt {
	const struct vs_webhook_net *net;
	const char *refused; /* why a connection was not opened */
	size_t read;	     /* bytes of the answer read */
	bool capped;	     /* the answer was longer than the cap */
};

/* Every new connection: its address judged before the socket exists. */
static curl_socket_t open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct attempt *at = ctx;
	(void)purpose;
	const char *why = vs_webhook_address_refusal(at->net, &addr->addr);
	if (why) {
		at->refused = why;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

static size_t read_answer(char *p, size_t size, size_t n, void *ctx)
{
	struct attempt *at = ctx;
	(void)p;
	size_t len = size * n;
	if (at->read + len > VS_WEBHOOK_RESPONSE_CAP) {
		at->capped = true;
		return 0; /* stops the transfer */
	}
	at->read += len;
	return len;
}

static struct curl_slist *headers_of(struct vs_arena *a, const struct vs_webhook_request *r)
{
	const char *lines[] = {
		"Content-Type: application/json",
		"Expect:", /* no 100-continue round trip */
		vs_arena_printf(a, "webhook-id: %s", r->msg_id),
		vs_arena_printf(a, "webhook-timestamp: %lld", (long long)r->timestamp),
		vs_arena_printf(a, "webhook-signature: %s", r->signature),
	};
	struct curl_slist *h = NULL;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct curl_slist *next = curl_slist_append(h, lines[i]);
		if (!next) {
			curl_slist_free_all(h);
			return NULL;
		}
		h = next;
	}
	return h;
}

#define SET(opt, val) ok = ok && curl_easy_setopt(c, opt, val) == CURLE_OK

static bool configure(struct http_sender *s, const struct vs_webhook_request *r,
		      struct curl_slist *headers, struct attempt *at)
{
	CURL *c = s->curl;
	bool ok = true;
	curl_easy_reset(c); /* options only: the connection cache stays */
	SET(CURLOPT_URL, r->url);
	SET(CURLOPT_PROTOCOLS_STR, s->net->allow_http ? "http,https" : "https");
	/* One request per connection at a time, as receivers expect; HTTP/2 negotiated with
	 * nginx failed one attempt in four on a reused handle ("Stream error in the HTTP/2
	 * framing layer"). */
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT_MS, (long)r->timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(r->timeout_ms < CONNECT_TIMEOUT_MS ? r->timeout_ms : CONNECT_TIMEOUT_MS));
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (s->ca_file)
		SET(CURLOPT_CAINFO, s->ca_file);
	SET(CURLOPT_USERAGENT, USER_AGENT);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_POSTFIELDS, r->body);
	SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	SET(CURLOPT_OPENSOCKETFUNCTION, open_socket);
	SET(CURLOPT_OPENSOCKETDATA, at);
	SET(CURLOPT_WRITEFUNCTION, read_answer);
	SET(CURLOPT_WRITEDATA, at);
	return ok;
}

#undef SET

/* Why there was no answer, for the log (never the URL: its path may be a credential). */
static const char *failure(struct vs_arena *a, CURLcode code, const struct attempt *at)
{
	if (at->refused)
		return vs_arena_printf(a, "refused to connect: the address %s", at->refused);
	if (code == CURLE_OPERATION_TIMEDOUT)
		return "the endpoint did not answer in time";
	return vs_arena_printf(a, "could not deliver: %s", curl_easy_strerror(code));
}

static enum vs_err post(struct vs_webhook_sender *self, struct vs_arena *a,
			const struct vs_webhook_request *r, struct vs_webhook_response *out)
{
	struct http_sender *s = (struct http_sender *)self;
	struct attempt at = { .net = s->net };
	memset(out, 0, sizeof(*out));
	struct curl_slist *headers = headers_of(a, r);
	if (!headers || !configure(s, r, headers, &at)) {
		curl_slist_free_all(headers);
		out->error = "could not prepare the request";
		return VS_INTERNAL;
	}
	int64_t started = vs_time_mono_us();
	CURLcode code = curl_easy_perform(s->curl);
	out->duration_ms = (vs_time_mono_us() - started) / 1000;
	long status = 0;
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	/* An answer longer than the cap still has its status: the rest is not read. */
	if (code == CURLE_OK || (at.capped && status > 0))
		out->status_code = (int)status;
	else
		out->error = failure(a, code, &at);
	return VS_OK;
}

static void cleanup(void *p)
{
	curl_easy_cleanup(p);
}

static const struct vs_webhook_sender_ops ops = { .post = post };

enum vs_err vs_http_webhook_sender_new(struct vs_arena *owned, const struct vs_webhook_net *net,
				       const char *ca_file, struct vs_webhook_sender **out)
{
	CURL *c = curl_easy_init();
	if (!c)
		return VS_INTERNAL;
	vs_arena_defer(owned, cleanup, c);
	struct http_sender *s = vs_arena_alloc(owned, sizeof(*s));
	*s = (struct http_sender){ { &ops }, c, net,
				   ca_file ? vs_arena_strdup(owned, ca_file) : NULL };
	*out = &s->base;
	return VS_OK;
}
