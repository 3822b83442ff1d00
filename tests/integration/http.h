/*
 * A tiny HTTPS client for the integration tests, on top of libcurl.
 *
 * One CURL handle is reused for every request (keep-alive, TLS session
 * reuse); each request gets a fresh option set and a fresh header list.
 * The server certificate is verified against $VS_STATE_DIR/tls/cert.pem.
 */
#ifndef IT_HTTP_H
#define IT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

struct it_header {
	char *name;
	char *value;
};

/* A response. Owned by the caller; release with resp_free(). */
struct resp {
	long status;              /* 0 when the transfer itself failed */
	char *body;               /* always NUL-terminated (may be "") */
	size_t len;
	struct it_header *hdrs;   /* headers of the final response */
	size_t nhdrs;
	size_t hcap;
	long http_version;        /* CURL_HTTP_VERSION_* actually used */
	struct json_object *json; /* parsed lazily by resp_json() */
	bool json_tried;
	char what[192];           /* "POST /api/v1/tenants", for messages */
	char err[256];            /* curl's error text when status == 0 */
};

/* Per-request flags. */
enum {
	HTTP_FORCE_H1 = 1u << 0, /* speak HTTP/1.1 even if h2 is on offer */
	/* not an API response (e.g. the /docs pages): kept out of VS_RESPONSE_LOG */
	HTTP_NO_RESPONSE_LOG = 1u << 1,
};

/* Sets up libcurl; base_url like "https://127.0.0.1:8443", cainfo is a PEM. */
int http_init(const char *base_url, const char *cainfo);
void http_cleanup(void);

/*
 * The general request. headers: NULL or a NULL-terminated list of
 * "Name: value" lines. When body is not NULL and the caller gave no
 * Content-Type, none is sent (curl's form default is suppressed). HEAD reads
 * no body. With VS_RESPONSE_LOG set, every response (of http_burst too) is
 * appended to that file as a JSON line for tests/openapi/validate-responses.mjs.
 */
struct resp *http_do(const char *method, const char *path,
		     const char *const *headers, const char *body, size_t len,
		     unsigned flags);

/*
 * The common case: optional bearer token, optional X-Tenant-ID, optional
 * JSON body (sent as application/json).
 */
struct resp *req(const char *method, const char *path, const char *token,
		 const char *tenant_id, const char *json_body);

/*
 * Sends n copies of the same request concurrently (curl multi), for the
 * rate-limit test. Fills out[0..n-1]; returns how many transfers completed
 * with an HTTP status.
 */
size_t http_burst(const char *method, const char *path,
		  const char *const *headers, const char *body, size_t n,
		  struct resp **out);

/*
 * http_burst from another client address: source is a local address such as
 * "127.0.0.2" (all of 127.0.0.0/8 is this host), which nginx then sees as the
 * client's ($binary_remote_addr), e.g. to spend a rate limit nobody else uses.
 */
size_t http_burst_from(const char *source, const char *method, const char *path,
		       const char *const *headers, const char *body, size_t n,
		       struct resp **out);

/* The same with each request's own headers (headers[i]). With hold, hold->release(ctx)
 * runs once, hold->ms after the requests started (at the latest when all are answered):
 * e.g. to let a pool that was stopped, with the requests waiting for it, go on. */
struct http_hold {
	int ms;
	void (*release)(void *ctx);
	void *ctx;
};
size_t http_burst_each(const char *method, const char *path,
		       const char *const *const *headers, const char *body, size_t n,
		       struct resp **out, const struct http_hold *hold);

/* Value of the first response header with that name (case-insensitive). */
const char *resp_header(const struct resp *r, const char *name);

/*
 * The body parsed as JSON (the whole body must be one JSON value). NULL if
 * it is not JSON. Owned by the response.
 */
struct json_object *resp_json(struct resp *r);

void resp_free(struct resp *r);

#endif
