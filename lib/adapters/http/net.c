/* The SSRF defence of outgoing webhooks (net.h): addresses judged on their bytes against
 * the special-purpose blocks, URLs taken apart by libcurl's URL API, names by getaddrinfo. */
#include "adapters/http/net.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)

#define WHY_ALLOW_HTTP "VS_WEBHOOK_ALLOW_HTTP must be 0 or 1"
#define WHY_ALLOW_PRIVATE "VS_WEBHOOK_ALLOW_PRIVATE must be 0 or 1"
#define WHY_ALLOW_ADDRESSES                                                                \
	"VS_WEBHOOK_ALLOW_ADDRESSES must be a comma-separated list of a.b.c.d:port or "    \
	"[v6]:port, ports 1 to 65535"
#define WHY_ALLOW_TOO_MANY                                                                 \
	"VS_WEBHOOK_ALLOW_ADDRESSES must hold at most " STR(VS_WEBHOOK_ALLOWED_MAX) " addresses"

#define WHY_UNSPECIFIED "is an unspecified address"
#define WHY_LOOPBACK "is a loopback address"
#define WHY_PRIVATE "is a private address"
#define WHY_LINK_LOCAL "is a link-local address"
#define WHY_SHARED "is a shared (carrier-grade NAT) address"
#define WHY_DOCUMENTATION "is a documentation address"
#define WHY_MULTICAST "is a multicast address"
#define WHY_RESERVED "is a reserved address"
#define WHY_NOT_IP "is not an IP address"

#define WHY_URL "must be a valid absolute URL"
#define WHY_URL_TOO_LONG "must be at most " STR(VS_WEBHOOK_URL_MAX) " bytes"
#define WHY_HTTPS "must be an https URL"
#define WHY_HTTP_OR_HTTPS "must be an http or https URL"
#define WHY_CREDENTIALS "must not hold credentials"
#define WHY_NO_HOST "must name a host"
#define WHY_ZONE "must not name an IPv6 zone"
#define WHY_NOT_ASCII "must name its host in ASCII (xn-- for an international name)"
#define WHY_HOST_TOO_LONG "has too long a host name"
#define WHY_PORT "must have a port from 1 to 65535"
#define WHY_NO_MEMORY "could not be checked (out of memory)"
#define WHY_UNRESOLVED "does not resolve"

/* ---- the environment ---- */

/* NULL (unset) and "0" are false, "1" true; false for anything else. */
static bool parse_flag(const char *v, bool *out)
{
	if (!v || strcmp(v, "0") == 0)
		*out = false;
	else if (strcmp(v, "1") == 0)
		*out = true;
	else
		return false;
	return true;
}

/* Decimal digits only (no sign, no spaces, which strtol would take), 1 to 65535. */
static bool parse_port(const char *s, size_t len, in_port_t *port)
{
	unsigned v = 0;

	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return false;
	*port = htons((in_port_t)v);
	return true;
}

/* "a.b.c.d:port" or "[v6]:port", the len bytes at s, into ss; the address by inet_pton,
 * which takes no zone, no port and nothing around the address. */
static bool parse_address(const char *s, size_t len, struct sockaddr_storage *ss)
{
	char addr[INET6_ADDRSTRLEN];
	const char *end = s + len, *close, *colon;

	memset(ss, 0, sizeof(*ss));
	if (len && s[0] == '[') {
		close = memchr(s, ']', len);
		if (!close || close + 1 == end || close[1] != ':')
			return false;
		s++;
		colon = close + 1;
	} else {
		colon = close = memchr(s, ':', len);
		if (!colon)
			return false;
	}
	size_t alen = (size_t)(close - s);
	if (alen >= sizeof(addr))
		return false;
	memcpy(addr, s, alen);
	addr[alen] = '\0';

	if (close != colon) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		return inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1 &&
		       parse_port(colon + 1, (size_t)(end - colon - 1), &sin6->sin6_port);
	}
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	sin->sin_family = AF_INET;
	return inet_pton(AF_INET, addr, &sin->sin_addr) == 1 &&
	       parse_port(colon + 1, (size_t)(end - colon - 1), &sin->sin_port);
}

/* The comma-separated list into n->allowed; NULL, or why not. An empty item (",," or a
 * trailing comma) is an error, not nothing: it is most likely a typing slip. */
static const char *parse_addresses(const char *list, struct vs_webhook_net *n)
{
	if (!list || !*list)
		return NULL;
	for (const char *p = list;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (n->nallowed == VS_WEBHOOK_ALLOWED_MAX)
			return WHY_ALLOW_TOO_MANY;
		if (!parse_address(p, len, &n->allowed[n->nallowed]))
			return WHY_ALLOW_ADDRESSES;
		n->nallowed++;
		if (!comma)
			return NULL;
		p = comma + 1;
	}
}

bool vs_webhook_net_parse(const char *allow_http, const char *allow_private,
			  const char *allow_addresses, struct vs_webhook_net *out, const char **why)
{
	struct vs_webhook_net n = { 0 };

	*why = NULL;
	if (!parse_flag(allow_http, &n.allow_http))
		*why = WHY_ALLOW_HTTP;
	else if (!parse_flag(allow_private, &n.allow_private))
		*why = WHY_ALLOW_PRIVATE;
	else
		*why = parse_addresses(allow_addresses, &n);
	if (*why)
		return false;
	*out = n;
	return true;
}

/* ---- addresses ---- */

/* A block of addresses by its leading bits: refused with why, or, where v4_at is not 0,
 * an IPv6 form that carries an IPv4 address at that byte (where a packet sent to it ends
 * up), judged as that address. */
struct block {
	uint8_t prefix[16];
	unsigned bits;
	const char *why;
	unsigned v4_at;
};

/* RFC 6890 and the IANA special-purpose registry; the first block that holds an address
 * decides. */
static const struct block v4_blocks[] = {
	{ { 0 }, 8, WHY_UNSPECIFIED, 0 }, /* "this network"; Linux connects 0.0.0.0 locally */
	{ { 10 }, 8, WHY_PRIVATE, 0 },
	{ { 100, 64 }, 10, WHY_SHARED, 0 },
	{ { 127 }, 8, WHY_LOOPBACK, 0 },
	{ { 169, 254 }, 16, WHY_LINK_LOCAL, 0 }, /* cloud metadata at 169.254.169.254 */
	{ { 172, 16 }, 12, WHY_PRIVATE, 0 },
	{ { 192, 0, 0 }, 24, WHY_RESERVED, 0 }, /* IETF protocol assignments */
	{ { 192, 0, 2 }, 24, WHY_DOCUMENTATION, 0 },
	{ { 192, 168 }, 16, WHY_PRIVATE, 0 },
	{ { 198, 18 }, 15, WHY_RESERVED, 0 }, /* benchmarking */
	{ { 198, 51, 100 }, 24, WHY_DOCUMENTATION, 0 },
	{ { 203, 0, 113 }, 24, WHY_DOCUMENTATION, 0 },
	{ { 224 }, 4, WHY_MULTICAST, 0 },
	{ { 240 }, 4, WHY_RESERVED, 0 }, /* 255.255.255.255, the broadcast, among them */
};

/* As above; :: and ::1 come before ::/96, which holds them. */
static const struct block v6_blocks[] = {
	{ { 0 }, 128, WHY_UNSPECIFIED, 0 },		/* :: */
	{ { [15] = 1 }, 128, WHY_LOOPBACK, 0 },		/* ::1 */
	{ { [10] = 0xff, [11] = 0xff }, 96, NULL, 12 }, /* ::ffff:a.b.c.d, mapped */
	{ { 0 }, 96, NULL, 12 },			/* ::a.b.c.d, compatible */
	{ { 0, 0x64, 0xff, 0x9b }, 96, NULL, 12 },	/* 64:ff9b::a.b.c.d, NAT64 */
	{ { 0x20, 0x02 }, 16, NULL, 2 },		/* 2002:aabb:ccdd::, 6to4 */
	{ { 0xfc }, 7, WHY_PRIVATE, 0 }, /* unique local; EC2's metadata at fd00:ec2::254 */
	{ { 0xfe, 0x80 }, 10, WHY_LINK_LOCAL, 0 },
	{ { 0xff }, 8, WHY_MULTICAST, 0 },
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, WHY_DOCUMENTATION, 0 },
	{ { 0x3f, 0xff }, 20, WHY_DOCUMENTATION, 0 }, /* RFC 9637 */
	{ { 0x01 }, 64, WHY_RESERVED, 0 },	      /* 100::/64, discard only */
};

static bool in_block(const uint8_t *a, const struct block *b)
{
	unsigned whole = b->bits / 8, rest = b->bits % 8;

	if (memcmp(a, b->prefix, whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ b->prefix[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static const char *v4_refusal(const uint8_t a[4])
{
	for (size_t i = 0; i < sizeof(v4_blocks) / sizeof(v4_blocks[0]); i++)
		if (in_block(a, &v4_blocks[i]))
			return v4_blocks[i].why;
	return NULL;
}

static const char *v6_refusal(const uint8_t a[16])
{
	for (size_t i = 0; i < sizeof(v6_blocks) / sizeof(v6_blocks[0]); i++) {
		const struct block *b = &v6_blocks[i];
		if (in_block(a, b))
			return b->v4_at ? v4_refusal(a + b->v4_at) : b->why;
	}
	/* Only 2000::/3 holds global unicast; whatever else is left is not allocated. */
	return (a[0] & 0xe0) == 0x20 ? NULL : WHY_RESERVED;
}

/* Whether the exact address and port is in n->allowed. */
static bool allowed(const struct vs_webhook_net *n, const struct sockaddr *sa)
{
	for (size_t i = 0; i < n->nallowed; i++) {
		const struct sockaddr *al = (const struct sockaddr *)&n->allowed[i];
		if (al->sa_family != sa->sa_family)
			continue;
		if (sa->sa_family == AF_INET) {
			const struct sockaddr_in *x = (const void *)al, *y = (const void *)sa;
			if (x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr)
				return true;
		} else {
			const struct sockaddr_in6 *x = (const void *)al, *y = (const void *)sa;
			if (x->sin6_port == y->sin6_port &&
			    memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0)
				return true;
		}
	}
	return false;
}

const char *vs_webhook_address_refusal(const struct vs_webhook_net *n, const struct sockaddr *sa)
{
	if (!sa || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return WHY_NOT_IP;
	if (n->allow_private || allowed(n, sa))
		return NULL;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;
		return v4_refusal((const uint8_t *)&sin->sin_addr.s_addr);
	}
	const struct sockaddr_in6 *sin6 = (const void *)sa;
	return v6_refusal(sin6->sin6_addr.s6_addr);
}

/* ---- URLs ---- */

/* Whether u has that part at all: "https://@host" has a user, an empty one. */
static bool has_part(CURLU *u, CURLUPart part)
{
	char *v = NULL;
	CURLUcode rc = curl_url_get(u, part, &v, 0);

	curl_free(v);
	return rc == CURLUE_OK;
}

static const char *scheme_check(const struct vs_webhook_net *n, CURLU *u)
{
	char *s = NULL;
	bool ok = curl_url_get(u, CURLUPART_SCHEME, &s, 0) == CURLUE_OK &&
		  (strcmp(s, "https") == 0 || (n->allow_http && strcmp(s, "http") == 0));

	curl_free(s); /* curl gives the scheme in lower case */
	return ok ? NULL : n->allow_http ? WHY_HTTP_OR_HTTPS : WHY_HTTPS;
}

/* curl's host without an IPv6 literal's brackets into host. ASCII only: curl would turn
 * an international name into xn-- itself, but getaddrinfo would look up the UTF-8, and
 * the check must resolve the very name curl connects to. A zone ("%25eth0") would not
 * survive in host. */
static const char *host_out(CURLU *u, char *host, size_t hostsize)
{
	char *h = NULL;
	const char *why = NULL;

	if (has_part(u, CURLUPART_ZONEID))
		return WHY_ZONE;
	if (curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK || !*h) {
		why = WHY_NO_HOST;
		goto out;
	}
	const char *s = h;
	size_t len = strlen(h);
	if (len >= 2 && h[0] == '[' && h[len - 1] == ']') {
		s++;
		len -= 2;
	}
	for (size_t i = 0; i < len && !why; i++)
		if ((unsigned char)s[i] >= 0x80)
			why = WHY_NOT_ASCII;
	if (!why && len >= hostsize)
		why = WHY_HOST_TOO_LONG;
	if (!why) {
		memcpy(host, s, len);
		host[len] = '\0';
	}
out:
	curl_free(h);
	return why;
}

/* The port, the scheme's when the URL has none. curl takes ":0", which no server has. */
static const char *port_out(CURLU *u, int *port)
{
	char *p = NULL;
	long v = 0;

	if (curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK)
		v = strtol(p, NULL, 10);
	curl_free(p);
	if (v < 1 || v > 65535)
		return WHY_PORT;
	*port = (int)v;
	return NULL;
}

/* Why curl_url_set refused the URL. */
static const char *parse_refusal(CURLUcode rc)
{
	if (rc == CURLUE_NO_HOST)
		return WHY_NO_HOST;
	return rc == CURLUE_OUT_OF_MEMORY ? WHY_NO_MEMORY : WHY_URL;
}

static const char *parsed_check(const struct vs_webhook_net *n, CURLU *u, char *host,
				size_t hostsize, int *port)
{
	const char *why;

	if ((why = scheme_check(n, u)))
		return why;
	if (has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD))
		return WHY_CREDENTIALS;
	if ((why = host_out(u, host, hostsize)))
		return why;
	return port_out(u, port);
}

const char *vs_webhook_url_check(const struct vs_webhook_net *n, const char *url, char *host,
				 size_t hostsize, int *port)
{
	CURLU *u = NULL;
	CURLUcode rc;
	const char *why;

	if (hostsize)
		host[0] = '\0';
	*port = 0;
	if (!url)
		return WHY_URL;
	if (strnlen(url, VS_WEBHOOK_URL_MAX + 1) > VS_WEBHOOK_URL_MAX)
		return WHY_URL_TOO_LONG;
	if (!(u = curl_url()))
		return WHY_NO_MEMORY;
	/* Any scheme parses, so that ftp:// hears that it is not https rather than that it
	 * is no URL. Without CURLU_DEFAULT_SCHEME, one without a scheme is refused. */
	rc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
	why = rc == CURLUE_OK ? parsed_check(n, u, host, hostsize, port) : parse_refusal(rc);
	curl_url_cleanup(u);
	if (why && hostsize)
		host[0] = '\0'; /* port_out may refuse after host_out wrote */
	return why;
}

/* ---- names ---- */

const char *vs_webhook_resolve_check(const struct vs_webhook_net *n, const char *host, int port)
{
	/* Every address, not only those this host could reach (no AI_ADDRCONFIG): curl picks
	 * among them, and another host or a later network may reach the others. */
	const struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV,
	};
	struct addrinfo *res = NULL;
	const char *why = NULL;
	char service[8];

	if (port < 1 || port > 65535)
		return WHY_PORT;
	if (!host || !*host)
		return WHY_UNRESOLVED;
	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(host, service, &hints, &res) != 0 || !res)
		return WHY_UNRESOLVED;
	for (const struct addrinfo *ai = res; ai && !why; ai = ai->ai_next)
		why = vs_webhook_address_refusal(n, ai->ai_addr);
	freeaddrinfo(res);
	return why;
}
