/* The response as FastCGI sends it: the head built in one buffer, then the body. */
#include "respond.h"

#include "access_log.h"
#include "core/log.h"

#include <stdlib.h>
#include <string.h>

/* The response head is built in one buffer and written with one call: FCGX_FPrintF's
 * own printf costs more per header than the key check itself. */
struct head {
	char *p, *end;
};

static void put(struct head *h, const char *s, size_t n)
{
	if (n > (size_t)(h->end - h->p))
		abort(); /* head_size undercounted: a programming error */
	memcpy(h->p, s, n);
	h->p += n;
}

static void put_str(struct head *h, const char *s)
{
	put(h, s, strlen(s));
}

static void put_header(struct head *h, const char *name, const char *value)
{
	put_str(h, name);
	put(h, ": ", 2);
	put_str(h, value);
	put(h, "\r\n", 2);
}

/* Decimal text of v, written backwards from the end of buf. */
static const char *decimal(size_t v, char *buf, size_t size)
{
	char *p = buf + size;
	*--p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) && p > buf);
	return p;
}

static bool has_header(const struct vs_request *req, const char *name)
{
	for (size_t i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->header_names[i], name) == 0)
			return true;
	return false;
}

void vs_respond(struct vs_request *req, bool log)
{
	size_t len = 0;
	const char *body = NULL, *type = NULL;
	if (req->json) {
		body = vs_json_text(req->arena, req->json, &len);
		type = req->status >= 400 ? "application/problem+json" : "application/json";
	} else if (req->raw_body) {
		body = req->raw_body;
		len = req->raw_len;
		type = req->raw_type;
	}

	/* Fixed text (status line, names, separators, a length) fits in 256 bytes. */
	size_t head_size = 256 + strlen(req->request_id) + (type ? strlen(type) : 0);
	for (size_t i = 0; i < req->nheaders; i++)
		head_size += strlen(req->header_names[i]) + strlen(req->header_values[i]) + 4;
	char *buf = vs_arena_alloc(req->arena, head_size);
	struct head h = { buf, buf + head_size };
	char number[24];

	put_str(&h, "Status: ");
	put_str(&h, decimal((size_t)req->status, number, sizeof(number)));
	put(&h, " ", 1);
	put_str(&h, vs_http_reason(req->status));
	put(&h, "\r\n", 2);
	if (body) {
		put_header(&h, "Content-Type", type);
		put_header(&h, "Content-Length", decimal(len, number, sizeof(number)));
	}
	/* A handler may allow caching of what is the same for everyone (the API document). */
	if (!has_header(req, "Cache-Control"))
		put_header(&h, "Cache-Control", "no-store");
	put_header(&h, "X-Request-Id", req->request_id);
	for (size_t i = 0; i < req->nheaders; i++)
		put_header(&h, req->header_names[i], req->header_values[i]);
	put(&h, "\r\n", 2);

	FCGX_Stream *out = req->fcgi->out;
	FCGX_PutStr(buf, (int)(h.p - buf), out);
	if (body && req->method != VS_HEAD)
		FCGX_PutStr(body, (int)len, out);
	if (log)
		vs_access_log(req);
	vs_log_set_request(NULL);
}
