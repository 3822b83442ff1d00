/* lib/webhooks/net.c: which addresses, URLs and hosts a webhook may go to. No network:
 * addresses are built with inet_pton, and the resolve checks name IP literals only,
 * which getaddrinfo reads without asking DNS. */
#include "suites.h"

#include "adapters/http/net.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#define UNSPECIFIED "is an unspecified address"
#define LOOPBACK "is a loopback address"
#define PRIVATE "is a private address"
#define LINK_LOCAL "is a link-local address"
#define SHARED "is a shared (carrier-grade NAT) address"
#define DOCUMENTATION "is a documentation address"
#define MULTICAST "is a multicast address"
#define RESERVED "is a reserved address"

struct address_case {
	const char *addr; /* IPv4 or IPv6 text */
	const char *why;  /* NULL: accepted */
};

/* addr and port as a socket address. */
static struct sockaddr_storage sockaddr_of(const char *addr, int port)
{
	struct sockaddr_storage ss = { 0 };

	if (strchr(addr, ':')) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((in_port_t)port);
		CU_ASSERT_FATAL(inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((in_port_t)port);
		CU_ASSERT_FATAL(inet_pton(AF_INET, addr, &sin->sin_addr) == 1);
	}
	return ss;
}

static const char *refusal(const struct vs_webhook_net *n, const char *addr, int port)
{
	struct sockaddr_storage ss = sockaddr_of(addr, port);
	return vs_webhook_address_refusal(n, (const struct sockaddr *)&ss);
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* got against want, with what, when they differ, printed (CUnit names only the line). */
static void expect(const char *what, const char *got, const char *want)
{
	CU_ASSERT(same(got, want));
	if (!same(got, want))
		printf("\n%s: got \"%s\", want \"%s\"\n", what, ut_str(got), ut_str(want));
}

static void expect_cases(const struct vs_webhook_net *n, const struct address_case *c,
			 size_t count)
{
	for (size_t i = 0; i < count; i++)
		expect(c[i].addr, refusal(n, c[i].addr, 443), c[i].why);
}

#define EXPECT_CASES(n, cases) expect_cases(n, cases, sizeof(cases) / sizeof(cases[0]))

/* Each block, with the addresses on both sides of its edges. */
static const struct address_case v4_cases[] = {
	{ "0.0.0.0", UNSPECIFIED },
	{ "0.255.255.255", UNSPECIFIED },
	{ "1.0.0.0", NULL },
	{ "1.1.1.1", NULL },
	{ "8.8.8.8", NULL },
	{ "9.255.255.255", NULL },
	{ "10.0.0.0", PRIVATE },
	{ "10.255.255.255", PRIVATE },
	{ "11.0.0.0", NULL },
	{ "100.63.255.255", NULL },
	{ "100.64.0.0", SHARED },
	{ "100.127.255.255", SHARED },
	{ "100.128.0.0", NULL },
	{ "126.255.255.255", NULL },
	{ "127.0.0.0", LOOPBACK },
	{ "127.0.0.1", LOOPBACK },
	{ "127.255.255.255", LOOPBACK },
	{ "128.0.0.0", NULL },
	{ "169.253.255.255", NULL },
	{ "169.254.0.0", LINK_LOCAL },
	{ "169.254.169.254", LINK_LOCAL },
	{ "169.254.255.255", LINK_LOCAL },
	{ "169.255.0.0", NULL },
	{ "172.15.255.255", NULL },
	{ "172.16.0.0", PRIVATE },
	{ "172.31.255.255", PRIVATE },
	{ "172.32.0.0", NULL },
	{ "191.255.255.255", NULL },
	{ "192.0.0.0", RESERVED },
	{ "192.0.0.255", RESERVED },
	{ "192.0.1.0", NULL },
	{ "192.0.2.0", DOCUMENTATION },
	{ "192.0.2.255", DOCUMENTATION },
	{ "192.0.3.0", NULL },
	{ "192.167.255.255", NULL },
	{ "192.168.0.0", PRIVATE },
	{ "192.168.255.255", PRIVATE },
	{ "192.169.0.0", NULL },
	{ "198.17.255.255", NULL },
	{ "198.18.0.0", RESERVED },
	{ "198.19.255.255", RESERVED },
	{ "198.20.0.0", NULL },
	{ "198.51.99.255", NULL },
	{ "198.51.100.0", DOCUMENTATION },
	{ "198.51.100.255", DOCUMENTATION },
	{ "198.51.101.0", NULL },
	{ "203.0.112.255", NULL },
	{ "203.0.113.0", DOCUMENTATION },
	{ "203.0.113.255", DOCUMENTATION },
	{ "203.0.114.0", NULL },
	{ "223.255.255.255", NULL },
	{ "224.0.0.0", MULTICAST },
	{ "239.255.255.255", MULTICAST },
	{ "240.0.0.0", RESERVED },
	{ "255.255.255.254", RESERVED },
	{ "255.255.255.255", RESERVED },
};

static const struct address_case v6_cases[] = {
	{ "::", UNSPECIFIED },
	{ "::1", LOOPBACK },
	{ "2606:4700::1111", NULL },
	{ "2001:4860:4860::8888", NULL },
	{ "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", RESERVED },
	{ "fc00::", PRIVATE },
	{ "fd00:ec2::254", PRIVATE },
	{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PRIVATE },
	{ "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", RESERVED },
	{ "fe80::", LINK_LOCAL },
	{ "fe80::1", LINK_LOCAL },
	{ "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", LINK_LOCAL },
	{ "fec0::1", RESERVED }, /* site-local, deprecated */
	{ "ff00::", MULTICAST },
	{ "ff02::1", MULTICAST },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", MULTICAST },
	{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", NULL },
	{ "2001:db8::", DOCUMENTATION },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", DOCUMENTATION },
	{ "2001:db9::", NULL },
	{ "3fff::", DOCUMENTATION },
	{ "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", DOCUMENTATION },
	{ "3fff:1000::", NULL },
	{ "100::", RESERVED },
	{ "100::ffff:ffff:ffff:ffff", RESERVED },
	{ "100:0:0:1::", RESERVED }, /* past 100::/64, still not global unicast */
	{ "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", RESERVED },
	{ "4000::", RESERVED },
	/* Judged by the IPv4 address they carry. */
	{ "::ffff:0.0.0.0", UNSPECIFIED },
	{ "::ffff:10.0.0.1", PRIVATE },
	{ "::ffff:127.0.0.1", LOOPBACK },
	{ "::ffff:169.254.169.254", LINK_LOCAL },
	{ "::ffff:8.8.8.8", NULL },
	{ "::2", UNSPECIFIED }, /* ::0.0.0.2 */
	{ "::10.0.0.1", PRIVATE },
	{ "::127.0.0.2", LOOPBACK },
	{ "::8.8.8.8", NULL },
	{ "64:ff9b::7f00:1", LOOPBACK },
	{ "64:ff9b::a9fe:a9fe", LINK_LOCAL },
	{ "64:ff9b::c0a8:101", PRIVATE },
	{ "64:ff9b::808:808", NULL },
	{ "64:ff9b:1::a00:1", RESERVED }, /* local-use NAT64 (RFC 8215): not 64:ff9b::/96 */
	{ "2002:7f00:1::", LOOPBACK },
	{ "2002:a00:1::1", PRIVATE },
	{ "2002:c0a8:101:ffff::1", PRIVATE },
	{ "2002:6440:1::", SHARED },
	{ "2002:808:808::", NULL },
};

static void test_address_ipv4_blocks_and_edges(void)
{
	struct vs_webhook_net n = { 0 };
	EXPECT_CASES(&n, v4_cases);
}

static void test_address_ipv6_blocks_and_embedded_ipv4(void)
{
	struct vs_webhook_net n = { 0 };
	EXPECT_CASES(&n, v6_cases);
}

static void test_address_allow_private_accepts_every_ip_address(void)
{
	struct vs_webhook_net n = { .allow_private = true };
	for (size_t i = 0; i < sizeof(v4_cases) / sizeof(v4_cases[0]); i++)
		expect(v4_cases[i].addr, refusal(&n, v4_cases[i].addr, 443), NULL);
	for (size_t i = 0; i < sizeof(v6_cases) / sizeof(v6_cases[0]); i++)
		expect(v6_cases[i].addr, refusal(&n, v6_cases[i].addr, 443), NULL);
}

static void test_address_not_ip_is_refused_always(void)
{
	struct vs_webhook_net n = { .allow_private = true };
	struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "/run/x.sock" };
	expect("AF_UNIX", vs_webhook_address_refusal(&n, (const struct sockaddr *)&un),
	       "is not an IP address");
	expect("NULL", vs_webhook_address_refusal(&n, NULL), "is not an IP address");
}

static void test_address_allowed_list_is_exact(void)
{
	struct vs_webhook_net n;
	const char *why = "unset";
	CU_ASSERT_FATAL(vs_webhook_net_parse(NULL, NULL, "127.0.0.1:8443,[::1]:8443,10.0.0.5:80",
					     &n, &why));
	CU_ASSERT_PTR_NULL(why);
	CU_ASSERT_EQUAL(n.nallowed, 3);
	expect("127.0.0.1:8443", refusal(&n, "127.0.0.1", 8443), NULL);
	expect("[::1]:8443", refusal(&n, "::1", 8443), NULL);
	expect("10.0.0.5:80", refusal(&n, "10.0.0.5", 80), NULL);
	expect("127.0.0.1:8444", refusal(&n, "127.0.0.1", 8444), LOOPBACK);
	expect("127.0.0.1:443", refusal(&n, "127.0.0.1", 443), LOOPBACK);
	expect("127.0.0.2:8443", refusal(&n, "127.0.0.2", 8443), LOOPBACK);
	expect("[::1]:443", refusal(&n, "::1", 443), LOOPBACK);
	expect("10.0.0.5:443", refusal(&n, "10.0.0.5", 443), PRIVATE);
	/* The same IPv4 address in an IPv6 socket address is another family. */
	expect("[::ffff:127.0.0.1]:8443", refusal(&n, "::ffff:127.0.0.1", 8443), LOOPBACK);
	expect("8.8.8.8:443", refusal(&n, "8.8.8.8", 443), NULL);
}

/* ---- the environment ---- */

/* Parses and expects a refusal whose text names var, leaving out as it was. */
static void expect_parse_error(const char *http, const char *priv, const char *addresses,
			       const char *var)
{
	struct vs_webhook_net n = { .nallowed = 99 };
	const char *why = NULL;
	bool ok = vs_webhook_net_parse(http, priv, addresses, &n, &why);
	CU_ASSERT_FALSE(ok);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_PTR_NOT_NULL(why ? strstr(why, var) : NULL);
	CU_ASSERT_EQUAL(n.nallowed, 99);
	if (ok || !why || !strstr(why, var))
		printf("\n(%s, %s, %s): got \"%s\"\n", ut_str(http), ut_str(priv),
		       ut_str(addresses), ut_str(why));
}

static void test_parse_defaults_and_values(void)
{
	struct vs_webhook_net n;
	const char *why = "unset";

	CU_ASSERT_TRUE(vs_webhook_net_parse(NULL, NULL, NULL, &n, &why));
	CU_ASSERT_PTR_NULL(why);
	CU_ASSERT_FALSE(n.allow_http);
	CU_ASSERT_FALSE(n.allow_private);
	CU_ASSERT_EQUAL(n.nallowed, 0);

	CU_ASSERT_TRUE(vs_webhook_net_parse("1", "1", "", &n, &why));
	CU_ASSERT_TRUE(n.allow_http);
	CU_ASSERT_TRUE(n.allow_private);
	CU_ASSERT_EQUAL(n.nallowed, 0);

	CU_ASSERT_TRUE(vs_webhook_net_parse("0", "0", "[2001:db8::1]:1,192.0.2.1:65535", &n, &why));
	CU_ASSERT_FALSE(n.allow_http);
	CU_ASSERT_FALSE(n.allow_private);
	CU_ASSERT_EQUAL(n.nallowed, 2);
	expect("[2001:db8::1]:1", refusal(&n, "2001:db8::1", 1), NULL);
	expect("192.0.2.1:65535", refusal(&n, "192.0.2.1", 65535), NULL);
}

static void test_parse_refuses_bad_flags(void)
{
	const char *bad[] = { "", "true", "yes", "2", " 1", "1 ", "01", "-1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_parse_error(bad[i], NULL, NULL, "VS_WEBHOOK_ALLOW_HTTP");
		expect_parse_error("1", bad[i], NULL, "VS_WEBHOOK_ALLOW_PRIVATE");
	}
}

static void test_parse_refuses_bad_addresses(void)
{
	const char *bad[] = {
		"127.0.0.1",	    "127.0.0.1:",	 "127.0.0.1:0",	      "127.0.0.1:65536",
		"127.0.0.1:-1",	    "127.0.0.1:+80",	 "127.0.0.1:80 ",     " 127.0.0.1:80",
		"127.0.0.1:80,",    ",127.0.0.1:80",	 "127.0.0.1:80,,[::1]:80",
		"::1:80",	    "[::1]",		 "[::1]80",	      "[::1]:",
		"[127.0.0.1]:80",   "[fe80::1%eth0]:80", "localhost:80",      "256.0.0.1:80",
		"1.2.3:80",	    "0x7f.0.0.1:80",	 "127.0.0.1:80:80",   "[::1]:80]",
		"127.0.0.1:100000", ",",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_parse_error(NULL, NULL, bad[i], "VS_WEBHOOK_ALLOW_ADDRESSES");
}

static void test_parse_holds_at_most_eight_addresses(void)
{
	char list[256] = "";
	struct vs_webhook_net n;
	const char *why;

	for (int i = 1; i <= VS_WEBHOOK_ALLOWED_MAX; i++) {
		char one[32];
		snprintf(one, sizeof(one), "%s10.0.0.%d:443", i > 1 ? "," : "", i);
		strcat(list, one);
	}
	CU_ASSERT_TRUE(vs_webhook_net_parse(NULL, NULL, list, &n, &why));
	CU_ASSERT_EQUAL(n.nallowed, VS_WEBHOOK_ALLOWED_MAX);
	expect("10.0.0.8:443", refusal(&n, "10.0.0.8", 443), NULL);
	strcat(list, ",10.0.0.9:443");
	expect_parse_error(NULL, NULL, list, "VS_WEBHOOK_ALLOW_ADDRESSES");
}

/* ---- URLs ---- */

/* url checked with n; host and port expected when want is NULL. */
static void expect_url(const struct vs_webhook_net *n, const char *url, const char *want,
		       const char *want_host, int want_port)
{
	char host[VS_WEBHOOK_URL_MAX + 1] = "garbage";
	int port = -1;
	expect(url, vs_webhook_url_check(n, url, host, sizeof(host), &port), want);
	if (want) {
		CU_ASSERT_STRING_EQUAL(host, "");
		CU_ASSERT_EQUAL(port, 0);
		return;
	}
	CU_ASSERT_STRING_EQUAL(host, want_host);
	CU_ASSERT_EQUAL(port, want_port);
	if (strcmp(host, want_host) != 0 || port != want_port)
		printf("\n%s: host \"%s\" port %d\n", url, host, port);
}

#define HTTPS_ONLY "must be an https URL"
#define HTTP_OR_HTTPS "must be an http or https URL"
#define CREDENTIALS "must not hold credentials"
#define NO_HOST "must name a host"
#define NOT_A_URL "must be a valid absolute URL"

static void test_url_https_with_host_and_port(void)
{
	struct vs_webhook_net n = { 0 };
	expect_url(&n, "https://example.com/hooks", NULL, "example.com", 443);
	expect_url(&n, "https://example.com:8443/hooks?a=1", NULL, "example.com", 8443);
	expect_url(&n, "https://example.com", NULL, "example.com", 443);
	expect_url(&n, "HTTPS://Example.COM/", NULL, "Example.COM", 443);
	expect_url(&n, "https://[2606:4700::1111]/hooks", NULL, "2606:4700::1111", 443);
	expect_url(&n, "https://[::1]:8443/", NULL, "::1", 8443);
	expect_url(&n, "https://xn--bcher-kva.example/", NULL, "xn--bcher-kva.example", 443);
	/* curl writes other forms of an IPv4 address as a.b.c.d, so the checks see it too. */
	expect_url(&n, "https://2130706433/", NULL, "127.0.0.1", 443);
	expect_url(&n, "https://example.com:65535/", NULL, "example.com", 65535);
}

static void test_url_scheme(void)
{
	struct vs_webhook_net n = { 0 };
	expect_url(&n, "http://example.com/", HTTPS_ONLY, NULL, 0);
	expect_url(&n, "ftp://example.com/", HTTPS_ONLY, NULL, 0);
	expect_url(&n, "file:///etc/passwd", HTTPS_ONLY, NULL, 0);
	expect_url(&n, "gopher://example.com/", HTTPS_ONLY, NULL, 0);
	expect_url(&n, "dict://example.com:11211/", HTTPS_ONLY, NULL, 0);
	expect_url(&n, "ws://example.com/", HTTPS_ONLY, NULL, 0);
	n.allow_http = true;
	expect_url(&n, "http://example.com/", NULL, "example.com", 80);
	expect_url(&n, "http://example.com:8080/", NULL, "example.com", 8080);
	expect_url(&n, "https://example.com/", NULL, "example.com", 443);
	expect_url(&n, "ftp://example.com/", HTTP_OR_HTTPS, NULL, 0);
	expect_url(&n, "file:///etc/passwd", HTTP_OR_HTTPS, NULL, 0);
	expect_url(&n, "gopher://example.com/", HTTP_OR_HTTPS, NULL, 0);
}

static void test_url_refuses_credentials(void)
{
	struct vs_webhook_net n = { 0 };
	expect_url(&n, "https://user@example.com/", CREDENTIALS, NULL, 0);
	expect_url(&n, "https://user:secret@example.com/", CREDENTIALS, NULL, 0);
	expect_url(&n, "https://:secret@example.com/", CREDENTIALS, NULL, 0);
	expect_url(&n, "https://@example.com/", CREDENTIALS, NULL, 0);
	expect_url(&n, "https://:@example.com/", CREDENTIALS, NULL, 0);
}

static void test_url_refuses_what_is_no_absolute_url(void)
{
	struct vs_webhook_net n = { 0 };
	char host[64];
	int port;

	expect_url(&n, "https://", NO_HOST, NULL, 0);
	expect_url(&n, "https://:443/", NO_HOST, NULL, 0);
	expect_url(&n, "/hooks", NOT_A_URL, NULL, 0);
	expect_url(&n, "example.com/hooks", NOT_A_URL, NULL, 0);
	expect_url(&n, "//example.com/hooks", NOT_A_URL, NULL, 0);
	expect_url(&n, "", NOT_A_URL, NULL, 0);
	expect_url(&n, NULL, NOT_A_URL, NULL, 0);
	expect_url(&n, "https://exa mple.com/", NOT_A_URL, NULL, 0);
	expect_url(&n, "https://example.com:65536/", NOT_A_URL, NULL, 0);
	expect_url(&n, "https://example.com:0/", "must have a port from 1 to 65535", NULL, 0);
	expect_url(&n, "https://[fe80::1%25eth0]/", "must not name an IPv6 zone", NULL, 0);
	expect_url(&n, "https://b\xc3\xbc" "cher.example/",
		   "must name its host in ASCII (xn-- for an international name)", NULL, 0);
	/* A host longer than the caller's buffer. */
	expect("short buffer", vs_webhook_url_check(&n, "https://example.com/", host, 8, &port),
	       "has too long a host name");
	CU_ASSERT_STRING_EQUAL(host, "");
}

static void test_url_at_most_2048_bytes(void)
{
	struct vs_webhook_net n = { 0 };
	char url[VS_WEBHOOK_URL_MAX + 2];
	size_t prefix = strlen("https://example.com/");

	memcpy(url, "https://example.com/", prefix);
	memset(url + prefix, 'a', VS_WEBHOOK_URL_MAX - prefix);
	url[VS_WEBHOOK_URL_MAX] = '\0';
	expect_url(&n, url, NULL, "example.com", 443);
	url[VS_WEBHOOK_URL_MAX] = 'a';
	url[VS_WEBHOOK_URL_MAX + 1] = '\0';
	expect_url(&n, url, "must be at most 2048 bytes", NULL, 0);
}

/* ---- hosts ---- */

static void test_resolve_ip_literals(void)
{
	struct vs_webhook_net n = { 0 };
	expect("127.0.0.1", vs_webhook_resolve_check(&n, "127.0.0.1", 443), LOOPBACK);
	expect("10.1.2.3", vs_webhook_resolve_check(&n, "10.1.2.3", 443), PRIVATE);
	expect("169.254.169.254", vs_webhook_resolve_check(&n, "169.254.169.254", 80), LINK_LOCAL);
	expect("::1", vs_webhook_resolve_check(&n, "::1", 443), LOOPBACK);
	expect("::ffff:127.0.0.1", vs_webhook_resolve_check(&n, "::ffff:127.0.0.1", 443),
	       LOOPBACK);
	expect("fd00:ec2::254", vs_webhook_resolve_check(&n, "fd00:ec2::254", 80), PRIVATE);
	expect("2130706433", vs_webhook_resolve_check(&n, "2130706433", 443), LOOPBACK);
	expect("8.8.8.8", vs_webhook_resolve_check(&n, "8.8.8.8", 443), NULL);
	expect("2606:4700::1111", vs_webhook_resolve_check(&n, "2606:4700::1111", 443), NULL);
	expect("empty", vs_webhook_resolve_check(&n, "", 443), "does not resolve");
	expect("NULL", vs_webhook_resolve_check(&n, NULL, 443), "does not resolve");
	expect("port 0", vs_webhook_resolve_check(&n, "8.8.8.8", 0),
	       "must have a port from 1 to 65535");
	expect("port 65536", vs_webhook_resolve_check(&n, "8.8.8.8", 65536),
	       "must have a port from 1 to 65535");
}

static void test_resolve_with_the_allowances(void)
{
	struct vs_webhook_net n;
	const char *why;

	CU_ASSERT_FATAL(vs_webhook_net_parse(NULL, NULL, "127.0.0.1:8443,[::1]:9443", &n, &why));
	expect("127.0.0.1:8443", vs_webhook_resolve_check(&n, "127.0.0.1", 8443), NULL);
	expect("127.0.0.1:8444", vs_webhook_resolve_check(&n, "127.0.0.1", 8444), LOOPBACK);
	expect("::1:9443", vs_webhook_resolve_check(&n, "::1", 9443), NULL);
	expect("::1:8443", vs_webhook_resolve_check(&n, "::1", 8443), LOOPBACK);
	n.allow_private = true;
	expect("10.1.2.3 private", vs_webhook_resolve_check(&n, "10.1.2.3", 443), NULL);
	expect("::1 private", vs_webhook_resolve_check(&n, "::1", 443), NULL);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_address_ipv4_blocks_and_edges),
	    UT_TEST(test_address_ipv6_blocks_and_embedded_ipv4),
	    UT_TEST(test_address_allow_private_accepts_every_ip_address),
	    UT_TEST(test_address_not_ip_is_refused_always),
	    UT_TEST(test_address_allowed_list_is_exact),
	    UT_TEST(test_parse_defaults_and_values),
	    UT_TEST(test_parse_refuses_bad_flags),
	    UT_TEST(test_parse_refuses_bad_addresses),
	    UT_TEST(test_parse_holds_at_most_eight_addresses),
	    UT_TEST(test_url_https_with_host_and_port),
	    UT_TEST(test_url_scheme),
	    UT_TEST(test_url_refuses_credentials),
	    UT_TEST(test_url_refuses_what_is_no_absolute_url),
	    UT_TEST(test_url_at_most_2048_bytes),
	    UT_TEST(test_resolve_ip_literals),
	    UT_TEST(test_resolve_with_the_allowances),
	    UT_END,
	};
	ut_add_suite("webhooks: net (SSRF defence)", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
