/*
 * Slow clients cannot tie up workers: nginx reads a request whole (headers under
 * client_header_timeout, the body buffered under client_body_timeout, both 10 s) before a
 * worker sees it. The test opens SLOW_CONNS TLS connections that never finish a request:
 *   - a third trickle their headers, one byte a second to each, forever (slowloris);
 *   - a third send a POST's headers with a Content-Length and part of the body, then stall;
 *   - a third do the same with an X-API-Key, through auth_request's key check (which runs
 *     before the body is read, and must be the only thing a worker sees of them).
 * Meanwhile the normal client gets prompt answers from GET /api/v1/health and an
 * authenticated GET /api/v1/users/me (each under MAX_ANSWER_MS), no worker logs any of the
 * slow requests, and nginx closes every slow connection when its timeout runs out, never
 * early: the trickled headers 10 s after the connection came (the header timeout bounds
 * the whole header, not the gap between bytes), the stalled bodies 10 s after their last
 * byte. nginx logs those as 408; workers.log never mentions them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "suites.h"
#include "util.h"

#define SLOW_CONNS    200
#define MAX_ANSWER_MS 1000.0
#define TIMEOUT_S     10.0 /* client_header_timeout and client_body_timeout, nginx.conf */
#define EARLY_SLACK_S 1.0  /* closed before TIMEOUT_S - this: not the timeout's doing */
#define LATE_SLACK_S  4.0  /* nginx's timers are coarse, and this host is shared */
#define GIVE_UP_S     30.0

enum slow_kind { TRICKLE_HEADERS, STALLED_BODY, STALLED_KEYED_BODY };

struct slow {
	enum slow_kind kind;
	int fd;
	SSL *ssl;
	char id[64];	  /* X-Request-Id */
	double connected; /* now_mono() before the TCP connect */
	double last_sent; /* of its last byte */
	double closed;	  /* when nginx closed it; 0 while open */
	size_t trickled;
};

/* The header line trickled byte by byte: long enough never to end. */
static const char pad_line[] =
    "X-Slow-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

static bool parse_port(const char *url, int *port)
{
	const char *colon = strrchr(url, ':');
	char *end;
	long p = colon ? strtol(colon + 1, &end, 10) : 0;
	if (!colon || p <= 0 || p > 65535 || (*end && *end != '/'))
		return false;
	*port = (int)p;
	return true;
}

static bool send_all(struct slow *s, const char *buf, size_t len)
{
	while (len > 0) {
		int n = SSL_write(s->ssl, buf, (int)len);
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	s->last_sent = now_mono();
	return true;
}

/* Connects, handshakes (blocking), then makes the socket non-blocking. */
static bool slow_open(SSL_CTX *ctx, int port, struct slow *s)
{
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
	s->connected = now_mono();
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
		return false;
	s->ssl = SSL_new(ctx);
	if (!s->ssl || SSL_set_fd(s->ssl, s->fd) != 1 ||
	    SSL_set_tlsext_host_name(s->ssl, "localhost") != 1 || SSL_connect(s->ssl) != 1)
		return false;
	return fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK) == 0;
}

/* The first bytes of its request: headers up to the padding line for a trickler, whole
 * headers and 10 of 1000 body bytes for the others. */
static bool slow_start(struct slow *s, const char *token, const char *key)
{
	char *req;
	if (s->kind == TRICKLE_HEADERS)
		req = xasprintf("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n"
				"X-Request-Id: %s\r\n",
				s->id);
	else if (s->kind == STALLED_BODY)
		req = xasprintf("POST /api/v1/tenants HTTP/1.1\r\nHost: localhost\r\n"
				"X-Request-Id: %s\r\nAuthorization: Bearer %s\r\n"
				"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
				"{\"name\":\"",
				s->id, token);
	else
		req = xasprintf("POST /api/v1/tenants HTTP/1.1\r\nHost: localhost\r\n"
				"X-Request-Id: %s\r\nX-API-Key: %s\r\n"
				"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
				"{\"name\":\"",
				s->id, key);
	bool ok = send_all(s, req, strlen(req));
	free(req);
	return ok;
}

/* Whether nginx has closed it (EOF, reset, or an answer: it must not answer either). */
static bool slow_closed(struct slow *s)
{
	struct pollfd p = {.fd = s->fd, .events = POLLIN};
	if (poll(&p, 1, 0) <= 0)
		return false;
	char buf[512];
	int n = SSL_read(s->ssl, buf, sizeof(buf));
	if (n > 0)
		return true; /* an answer; counted as closed, checked below by the log */
	int err = SSL_get_error(s->ssl, n);
	ERR_clear_error();
	return err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE;
}

static void slow_free(struct slow *s)
{
	if (s->ssl)
		SSL_free(s->ssl);
	if (s->fd >= 0)
		close(s->fd);
}

/* Lines of a log that carry one of the slow requests' ids (all start with prefix). */
static size_t log_lines_with(const char *path, const char *prefix, const char *must_have,
			     char *first, size_t first_len)
{
	size_t len = 0, n = 0;
	char *log = read_file(path, &len), *save = NULL;
	for (char *line = log ? strtok_r(log, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, prefix) || (must_have && !strstr(line, must_have)))
			continue;
		if (n++ == 0 && first)
			snprintf(first, first_len, "%s", line);
	}
	free(log);
	return n;
}

/* A timed request of the normal client; its duration in ms into *worst when longer. */
static void timed(const char *path, const char *token, long want, double *worst, double *sum,
		  size_t *count)
{
	double t0 = now_mono();
	struct resp *r = req("GET", path, token, NULL, NULL);
	double ms = (now_mono() - t0) * 1000.0;
	EXPECT_STATUS(r, want);
	EXPECT(ms < MAX_ANSWER_MS, "GET %s took %.0f ms while %d slow clients were connected", path,
	       ms, SLOW_CONNS);
	if (ms > *worst)
		*worst = ms;
	*sum += ms;
	(*count)++;
	resp_free(r);
}

static void test_slow_clients_do_not_tie_up_workers(void)
{
	struct slow *s = xcalloc(SLOW_CONNS, sizeof(*s));
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char *cert = xasprintf("%s/tls/cert.pem", fx.cfg.state_dir);
	char *workers_log = xasprintf("%s/logs/workers.log", fx.cfg.state_dir);
	char *nginx_log = xasprintf("%s/logs/nginx-access.log", fx.cfg.state_dir);
	char *prefix = xasprintf("slow-%s-", fx.suffix);
	char *key_name = fx_unique("slow");
	char *key_body = xasprintf("{\"name\":\"%s\",\"scope\":\"GLOBAL\"}", key_name);
	char *key_id = NULL, *key = NULL;
	struct sigaction ignore = {.sa_handler = SIG_IGN}, old_pipe;
	double health_worst = 0, me_worst = 0, health_sum = 0, me_sum = 0;
	size_t health_n = 0, me_n = 0, opened = 0;
	int port = 0;

	sigaction(SIGPIPE, &ignore, &old_pipe); /* writes to a connection nginx closed */
	for (size_t i = 0; i < SLOW_CONNS; i++)
		s[i].fd = -1;
	if (!EXPECT(ctx && SSL_CTX_load_verify_locations(ctx, cert, NULL) == 1, "cannot load %s",
		    cert) ||
	    !EXPECT(parse_port(fx.cfg.url, &port), "no port in %s", fx.cfg.url))
		goto out;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	fx_keep_admin_fresh();
	key = fx_create_key(fx.admin.access, key_body, &key_id);
	if (!EXPECT(key != NULL, "could not create a key"))
		goto out;

	/* Open them all; each starts its request at once. */
	for (size_t i = 0; i < SLOW_CONNS; i++) {
		s[i].kind = (enum slow_kind)(i % 3);
		snprintf(s[i].id, sizeof(s[i].id), "%s%zu", prefix, i);
		if (!EXPECT(slow_open(ctx, port, &s[i]) && slow_start(&s[i], fx.admin.access, key),
			    "slow connection %zu could not be opened (errno %d)", i, errno))
			goto out;
		opened++;
	}

	/* Trickle a header byte a second to each trickler, and ask the normal questions
	 * twice a second, until the first timeout is near; then wait for the closes. */
	double start = now_mono(), last_trickle = 0, last_ask = 0;
	size_t open_now = SLOW_CONNS;
	bool logs_checked = false;
	while (open_now > 0 && now_mono() - start < GIVE_UP_S) {
		double t = now_mono();
		if (t - last_trickle >= 1.0) {
			for (size_t i = 0; i < SLOW_CONNS; i++)
				if (s[i].kind == TRICKLE_HEADERS && !s[i].closed &&
				    send_all(&s[i],
					     &pad_line[s[i].trickled % (sizeof(pad_line) - 1)], 1))
					s[i].trickled++;
			last_trickle = t;
		}
		if (t - start < TIMEOUT_S - 2 * EARLY_SLACK_S && t - last_ask >= 0.5) {
			timed("/api/v1/health", NULL, 200, &health_worst, &health_sum, &health_n);
			timed("/api/v1/users/me", fx.admin.access, 200, &me_worst, &me_sum, &me_n);
			last_ask = now_mono();
		}
		if (!logs_checked && t - start >= TIMEOUT_S - 2 * EARLY_SLACK_S) {
			/* Nothing of theirs has reached a worker (nor finished in nginx). */
			char first[512] = "";
			EXPECT(log_lines_with(workers_log, prefix, NULL, first, sizeof(first)) == 0,
			       "a worker saw a slow request before it was complete: %s", first);
			logs_checked = true;
		}
		for (size_t i = 0; i < SLOW_CONNS; i++) {
			if (!s[i].closed && slow_closed(&s[i])) {
				s[i].closed = now_mono();
				open_now--;
			}
		}
		sleep_ms(50);
	}

	/* When each was closed, from the moment its timeout started. */
	double hdr_min = 1e9, hdr_max = 0, body_min = 1e9, body_max = 0;
	size_t still_open = 0;
	for (size_t i = 0; i < SLOW_CONNS; i++) {
		if (!s[i].closed) {
			still_open++;
			continue;
		}
		bool header = s[i].kind == TRICKLE_HEADERS;
		double after = s[i].closed - (header ? s[i].connected : s[i].last_sent);
		double *lo = header ? &hdr_min : &body_min, *hi = header ? &hdr_max : &body_max;
		if (after < *lo)
			*lo = after;
		if (after > *hi)
			*hi = after;
	}
	EXPECT(still_open == 0, "%zu of %d slow connections still open after %.0f s", still_open,
	       SLOW_CONNS, GIVE_UP_S);
	EXPECT(hdr_min >= TIMEOUT_S - EARLY_SLACK_S && hdr_max <= TIMEOUT_S + LATE_SLACK_S,
	       "trickled headers were closed %.1f–%.1f s after connecting (timeout %.0f s)",
	       hdr_min, hdr_max, TIMEOUT_S);
	EXPECT(body_min >= TIMEOUT_S - EARLY_SLACK_S && body_max <= TIMEOUT_S + LATE_SLACK_S,
	       "stalled bodies were closed %.1f–%.1f s after their last byte (timeout %.0f s)",
	       body_min, body_max, TIMEOUT_S);
	printf("\n    slow clients: %d (%d trickling headers, %d stalled bodies of which %d "
	       "keyed); health worst %.0f ms mean %.1f ms (%zu), users/me worst %.0f ms mean "
	       "%.1f ms (%zu); closed after %.1f–%.1f s (headers, from connect), %.1f–%.1f s "
	       "(bodies, from last byte)\n",
	       SLOW_CONNS, (SLOW_CONNS + 2) / 3, SLOW_CONNS - (SLOW_CONNS + 2) / 3, SLOW_CONNS / 3,
	       health_worst, health_n ? health_sum / (double)health_n : 0, health_n, me_worst,
	       me_n ? me_sum / (double)me_n : 0, me_n, hdr_min, hdr_max, body_min, body_max);

	/* nginx logged them as timed out; no worker ever logged one. The keyed ones' key
	 * checks are the check pool's (not logged unless VS_LOG_CHECKS says so). */
	char first[512] = "";
	size_t n408 = log_lines_with(nginx_log, prefix, "\"status\":408", NULL, 0);
	size_t nginx_lines = log_lines_with(nginx_log, prefix, NULL, first, sizeof(first));
	EXPECT(n408 == SLOW_CONNS,
	       "nginx logged %zu of %d slow requests as 408 (%zu lines; "
	       "the first: %s)",
	       n408, SLOW_CONNS, nginx_lines, first);
	first[0] = '\0';
	size_t api_lines =
	    log_lines_with(workers_log, prefix, "\"/api/v1/tenants\"", first, sizeof(first));
	size_t health_lines = log_lines_with(workers_log, prefix, "\"/api/v1/health\"", NULL, 0);
	EXPECT(api_lines == 0 && health_lines == 0,
	       "workers logged %zu slow POSTs and %zu slow GETs (the first: %s)", api_lines,
	       health_lines, first);

	/* And the API is as it was. */
	timed("/api/v1/health", NULL, 200, &health_worst, &health_sum, &health_n);

out:
	for (size_t i = 0; i < opened; i++)
		slow_free(&s[i]);
	if (key_id) {
		char *path = xasprintf("/api/v1/api-keys/%s", key_id);
		resp_free(fx_key_req("DELETE", path, NULL, fx.admin.access, NULL, NULL));
		free(path);
	}
	sigaction(SIGPIPE, &old_pipe, NULL);
	SSL_CTX_free(ctx);
	free(s);
	free(cert);
	free(workers_log);
	free(nginx_log);
	free(prefix);
	free(key_name);
	free(key_body);
	free(key_id);
	free(key);
}

static int add_slow_clients_suite(void)
{
	static const struct it_test tests[] = {
	    {"200 slow connections (trickled headers, stalled bodies, keyed or not) reach no "
	     "worker, the API answers meanwhile, nginx closes each at its timeout",
	     test_slow_clients_do_not_tie_up_workers},
	    {NULL, NULL},
	};

	return it_add_suite("slow clients", NULL, NULL, tests);
}

IT_REGISTER(add_slow_clients_suite)
