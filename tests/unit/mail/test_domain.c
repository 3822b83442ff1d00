/* lib/mail/domain.c: composing RFC 5322 / MIME. The checks read the bytes back with small
 * decoders of their own (unfolding, RFC 2047 "B", quoted-printable, the multipart
 * split); tests/integration/mail/ has Python's email package read them too. */
#include "suites.h"

#include "mail/domain.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATE 1767261600 /* 2026-01-01T10:00:00Z, a Thursday */

static const uint8_t RANDOM[VS_MAIL_RANDOM_LEN] = { 0, 1, 2, 3, 4, 5, 6, 7,
						    8, 9, 10, 11, 12, 13, 14, 15 };
#define RANDOM_HEX "000102030405060708090a0b0c0d0e0f"

static struct vs_mail base_mail(void)
{
	return (struct vs_mail){
		.from = { "VirtualStack", "noreply@example.com" },
		.to = { "Alice Example", "alice@example.org" },
		.subject = "You are invited",
		.text = "Hello Alice,\n\nopen the link.\n",
		.html = NULL,
	};
}

/* The composed message as a NUL-terminated copy (the arena's bytes have no NUL). */
static char *compose(struct vs_arena *a, const struct vs_mail *m)
{
	struct vs_error e = { 0 };
	struct vs_str s;
	enum vs_err rc = vs_mail_compose(a, m, DATE, RANDOM, &s, &e);
	CU_ASSERT_EQUAL(rc, VS_OK);
	if (rc != VS_OK) {
		printf("\ncompose: %s\n", ut_str(e.detail));
		return NULL;
	}
	return vs_arena_strndup(a, s.p, s.len);
}

/* ---- readers ---- */

/* Every line ends in CRLF, no bare CR or LF, 7-bit only, header lines ≤ 78 (but those
 * holding one unbreakable token of more) and body lines ≤ 76. */
static void check_lines(const char *msg)
{
	bool body = false;
	size_t nlines = 0;

	for (const char *p = msg; *p;) {
		const char *eol = strstr(p, "\r\n");
		CU_ASSERT_PTR_NOT_NULL_FATAL(eol);
		size_t len = (size_t)(eol - p);
		for (size_t i = 0; i < len; i++) {
			CU_ASSERT(p[i] != '\r' && p[i] != '\n');
			CU_ASSERT((unsigned char)p[i] < 0x80);
		}
		if (len == 0)
			body = true;
		if (body) {
			CU_ASSERT(len <= 76);
		} else {
			CU_ASSERT(len <= 78);
			/* no fold that leaves a line of blanks */
			CU_ASSERT(len == 0 || nlines == 0 || p[0] != ' ' || len > 1);
		}
		if (len > (body ? 76u : 78u))
			printf("\nline too long (%zu): %.*s\n", len, (int)len, p);
		nlines++;
		p = eol + 2;
	}
	CU_ASSERT(body);
}

/* The unfolded value of header name (first occurrence), without the space after the
 * colon, or NULL. */
static char *header(struct vs_arena *a, const char *msg, const char *name)
{
	size_t nl = strlen(name);
	const char *end = strstr(msg, "\r\n\r\n");

	for (const char *p = msg; p && p < end; p = strstr(p, "\r\n") + 2) {
		if (strncmp(p, name, nl) != 0 || p[nl] != ':')
			continue;
		const char *v = p + nl + 1, *q = v;
		char *out = vs_arena_alloc(a, strlen(v) + 1), *o = out;
		for (;;) {
			const char *eol = strstr(q, "\r\n");
			memcpy(o, q, (size_t)(eol - q));
			o += eol - q;
			if (eol[2] != ' ' && eol[2] != '\t')
				break;
			q = eol + 2;
		}
		*o = '\0';
		return out[0] == ' ' ? out + 1 : out;
	}
	return NULL;
}

static int b64val(char c)
{
	const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(abc, c) : NULL;
	return p ? (int)(p - abc) : -1;
}

/* Base64 of n characters into out; the byte count, or -1. */
static long b64decode(const char *s, size_t n, char *out)
{
	long o = 0;
	if (n % 4)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++)
			v[k] = s[i + k] == '=' ? 0 : b64val(s[i + k]);
		if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0)
			return -1;
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
			     (uint32_t)v[3];
		out[o++] = (char)(w >> 16);
		if (s[i + 2] != '=')
			out[o++] = (char)(w >> 8);
		if (s[i + 3] != '=')
			out[o++] = (char)w;
	}
	return o;
}

/* Whether s[0..n) is well-formed UTF-8 (a decoded encoded-word must be, on its own). */
static bool utf8_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t l = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
			 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (!l || i + l > n)
			return false;
		for (size_t k = 1; k < l; k++)
			if (((unsigned char)s[i + k] & 0xc0) != 0x80)
				return false;
		i += l;
	}
	return true;
}

/* An unfolded unstructured value: encoded-words decoded (the space between two of them
 * dropped, RFC 2047 §6.2), everything else as it is. Counts the words in *nwords. */
static char *decode_words(struct vs_arena *a, const char *v, int *nwords)
{
	char *out = vs_arena_alloc(a, strlen(v) + 1), *o = out;
	bool prev_ew = false;
	const char *p = v;

	*nwords = 0;
	while (*p) {
		const char *sp = p;
		while (*p == ' ')
			p++;
		const char *end = strchr(p, ' ');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		bool ew = n > 12 && strncmp(p, "=?utf-8?B?", 10) == 0 &&
			  strncmp(p + n - 2, "?=", 2) == 0;
		if (!(ew && prev_ew)) {
			memcpy(o, sp, (size_t)(p - sp));
			o += p - sp;
		}
		if (ew) {
			CU_ASSERT(n <= 75);
			long got = b64decode(p + 10, n - 12, o);
			CU_ASSERT(got >= 0);
			CU_ASSERT(got >= 0 && utf8_ok(o, (size_t)got));
			o += got > 0 ? got : 0;
			++*nwords;
		} else {
			memcpy(o, p, n);
			o += n;
		}
		prev_ew = ew;
		p += n;
	}
	*o = '\0';
	return out;
}

static char *decode_header(struct vs_arena *a, const char *msg, const char *name)
{
	int n;
	const char *v = header(a, msg, name);
	return v ? decode_words(a, v, &n) : NULL;
}

#define UPPER_HEX "0123456789ABCDEF"

/* Quoted-printable, hard line ends read as LF; NULL on a malformed escape. */
static char *qp_decode(struct vs_arena *a, const char *s, size_t n)
{
	char *out = vs_arena_alloc(a, n + 1), *o = out;
	for (size_t i = 0; i < n;) {
		if (s[i] == '=') {
			unsigned v;
			if (i + 2 >= n)
				return NULL;
			if (s[i + 1] == '\r' && s[i + 2] == '\n') {
				i += 3;
				continue;
			}
			if (!strchr(UPPER_HEX, s[i + 1]) || !strchr(UPPER_HEX, s[i + 2]) ||
			    sscanf(s + i + 1, "%2X", &v) != 1)
				return NULL;
			*o++ = (char)v;
			i += 3;
		} else if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
			*o++ = '\n';
			i += 2;
		} else {
			*o++ = s[i++];
		}
	}
	*o = '\0';
	return out;
}

/* text with CRLF read as LF: what a round trip gives back. */
static char *lf(struct vs_arena *a, const char *s)
{
	char *out = vs_arena_strdup(a, s), *o = out;
	for (const char *p = s; *p; p++)
		if (!(p[0] == '\r' && p[1] == '\n'))
			*o++ = *p;
	*o = '\0';
	return out;
}

static const char *body_of(const char *msg)
{
	const char *p = strstr(msg, "\r\n\r\n");
	return p ? p + 4 : "";
}

struct part {
	char *headers, *body; /* body: the encoded bytes */
};

/* The parts of a multipart body by its boundary; their count (at most max). */
static int split_parts(struct vs_arena *a, const char *body, const char *boundary,
		       struct part *parts, int max)
{
	char *delim = vs_arena_printf(a, "--%s", boundary);
	char *close = vs_arena_printf(a, "\r\n--%s--\r\n", boundary);
	size_t dl = strlen(delim);
	int n = 0;

	CU_ASSERT_EQUAL_FATAL(strncmp(body, delim, dl), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(body, close));
	CU_ASSERT_STRING_EQUAL(strstr(body, close), close); /* nothing after it */
	const char *p = body;
	while (strncmp(p, delim, dl) == 0 && strncmp(p + dl, "--", 2) != 0 && n < max) {
		p += dl;
		CU_ASSERT_EQUAL_FATAL(strncmp(p, "\r\n", 2), 0);
		p += 2;
		const char *hend = strstr(p, "\r\n\r\n");
		char *next = strstr(hend, vs_arena_printf(a, "\r\n%s", delim));
		CU_ASSERT_PTR_NOT_NULL_FATAL(next);
		parts[n].headers = vs_arena_strndup(a, p, (size_t)(hend - p) + 2);
		parts[n].body = vs_arena_strndup(a, hend + 4, (size_t)(next - hend - 4));
		n++;
		p = next + 2;
	}
	return n;
}

/* ---- tests ---- */

static void test_mail_headers_present_in_order(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_mail m = base_mail();
	char *msg = compose(a, &m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	check_lines(msg);
	const char *want =
		"Date: Thu, 01 Jan 2026 10:00:00 +0000\r\n"
		"From: \"VirtualStack\" <noreply@example.com>\r\n"
		"To: \"Alice Example\" <alice@example.org>\r\n"
		"Subject: You are invited\r\n"
		"Message-ID: <" RANDOM_HEX "@example.com>\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"Hello Alice,\r\n"
		"\r\n"
		"open the link.\r\n";
	CU_ASSERT_STRING_EQUAL(msg, want);
	vs_arena_free(a);
}

static void test_mail_deterministic_for_fixed_inputs(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_mail m = base_mail();
	m.html = "<p>Hello</p>";
	char *one = compose(a, &m), *two = compose(a, &m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(one);
	CU_ASSERT_STRING_EQUAL(one, ut_str(two));

	uint8_t other[VS_MAIL_RANDOM_LEN] = { 0xff };
	struct vs_str s;
	struct vs_error e = { 0 };
	CU_ASSERT_EQUAL_FATAL(vs_mail_compose(a, &m, DATE, other, &s, &e), VS_OK);
	char *three = vs_arena_strndup(a, s.p, s.len);
	CU_ASSERT(strcmp(one, three) != 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(three, "<ff000000000000000000000000000000@example.com>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(three, "boundary=\"=_ff000000000000000000000000000000\""));
	vs_arena_free(a);
}

static void test_mail_message_id_given_or_made(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_mail m = base_mail();
	m.message_id = "<invitation.42@vs.example.net>";
	char *msg = compose(a, &m);
	CU_ASSERT_STRING_EQUAL(ut_str(header(a, msg, "Message-ID")),
			       "<invitation.42@vs.example.net>");
	CU_ASSERT_STRING_EQUAL(vs_mail_message_id(a, RANDOM, "x@mail.example.com"),
			       "<" RANDOM_HEX "@mail.example.com>");
	vs_arena_free(a);
}

static void test_mail_text_only_is_one_part(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_mail m = base_mail();
	m.text = "no newline at the end";
	char *msg = compose(a, &m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	check_lines(msg);
	CU_ASSERT_STRING_EQUAL(ut_str(header(a, msg, "Content-Type")), "text/plain; charset=utf-8");
	CU_ASSERT_PTR_NULL(strstr(msg, "multipart"));
	/* A final soft break: the message ends in CRLF, the text gains no newline. */
	const char *body = body_of(msg);
	CU_ASSERT_STRING_EQUAL(body, "no newline at the end=\r\n");
	CU_ASSERT_STRING_EQUAL(ut_str(qp_decode(a, body, strlen(body))), m.text);

	m.text = "";
	msg = compose(a, &m);
	CU_ASSERT_STRING_EQUAL(ut_str(body_of(msg)), "");
	vs_arena_free(a);
}

static void test_mail_multipart_alternative_text_then_html(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_mail m = base_mail();
	m.text = "Hello Alice,\nopen https://vs.example/accept-invitation#token=abc\n";
	m.html = "<!doctype html>\n<p>Hello <b>Alice</b>,</p>\n<p><a href=\"https://vs.example/"
		 "accept-invitation#token=abc\">Accept the invitation</a></p>";
	char *msg = compose(a, &m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	check_lines(msg);
	CU_ASSERT_STRING_EQUAL(ut_str(header(a, msg, "Content-Type")),
			       "multipart/alternative; boundary=\"=_" RANDOM_HEX "\"");
	CU_ASSERT_PTR_NULL(header(a, msg, "Content-Transfer-Encoding"));
	struct part parts[3];
	int n = split_parts(a, body_of(msg), "=_" RANDOM_HEX, parts, 3);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(parts[0].headers, "Content-Type: text/plain; charset=utf-8\r\n"
						 "Content-Transfer-Encoding: quoted-printable\r\n");
	CU_ASSERT_STRING_EQUAL(parts[1].headers, "Content-Type: text/html; charset=utf-8\r\n"
						 "Content-Transfer-Encoding: quoted-printable\r\n");
	CU_ASSERT_STRING_EQUAL(ut_str(qp_decode(a, parts[0].body, strlen(parts[0].body))), m.text);
	CU_ASSERT_STRING_EQUAL(ut_str(qp_decode(a, parts[1].body, strlen(parts[1].body))), m.html);
	vs_arena_free(a);
}

/* The boundary is not random luck: "=_" cannot occur in quoted-printable, even when the
 * text spells out the boundary itself. */
static void test_mail_boundary_cannot_occur_in_bodies(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_mail m = base_mail();
	m.text = "--=_" RANDOM_HEX "\n--=_" RANDOM_HEX "--\n=_=_";
	m.html = "<pre>\n--=_" RANDOM_HEX "\n</pre>";
	char *msg = compose(a, &m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	size_t count = 0;
	for (const char *p = msg; (p = strstr(p, "=_" RANDOM_HEX)); p++)
		count++;
	CU_ASSERT_EQUAL(count, 4); /* the header's, two delimiters, the closing one */
	struct part parts[3];
	CU_ASSERT_EQUAL_FATAL(split_parts(a, body_of(msg), "=_" RANDOM_HEX, parts, 3), 2);
	CU_ASSERT_STRING_EQUAL(ut_str(qp_decode(a, parts[0].body, strlen(parts[0].body))), m.text);
	CU_ASSERT_STRING_EQUAL(ut_str(qp_decode(a, parts[1].body, strlen(parts[1].body))), m.html);
	vs_arena_free(a);
}

/* The encoded body of text (text only, so the body is the part). */
static const char *qp_of(struct vs_arena *a, const char *text)
{
	struct vs_mail m = base_mail();
	m.text = text;
	char *msg = compose(a, &m);
	if (!msg)
		return "";
	check_lines(msg);
	return body_of(msg);
}

static void test_mail_quoted_printable_round_trip(void)
{
	struct vs_arena *a = vs_arena_new();
	char longline[400], exact[80];
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	longline[100] = '=';
	longline[200] = ' ';
	memset(exact, 'y', sizeof(exact) - 1);
	exact[sizeof(exact) - 1] = '\0';
	const char *cases[] = {
		longline,
		exact,
		"a=b==c=\n=\n==3D=\n",
		"trailing space \ntrailing tab\t\nboth \t \n   \n \t",
		"M\xc3\xbcller \xe2\x80\x93 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"
		" \xf0\x9f\x8e\x89\n",
		".\n.starts with a dot\n..two\n.\r\nFrom here\nFrom\nFromage\n",
		"crlf\r\nlines\r\n\r\nand a lone \r cr\n",
		"\n\n\n",
		"tab\tinside and\x01" "control\x7f bytes\n",
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
		"ends with a space ",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *enc = qp_of(a, cases[i]);
		const char *dec = qp_decode(a, enc, strlen(enc));
		/* A lone CR survives as =0D; CRLF and LF both come back as LF. */
		CU_ASSERT_STRING_EQUAL(ut_str(dec), lf(a, cases[i]));
		if (!dec || strcmp(dec, lf(a, cases[i])) != 0)
			printf("\ncase %zu encoded as:\n%s\n", i, enc);
		for (const char *l = enc; *l; l = strstr(l, "\r\n") + 2) {
			size_t len = (size_t)(strstr(l, "\r\n") - l);
			CU_ASSERT(len <= 76);
			CU_ASSERT(l[0] != '.');		  /* no dot-stuffing needed */
			CU_ASSERT(strncmp(l, "From ", 5) != 0); /* no mbox escaping either */
			CU_ASSERT(len == 0 || (l[len - 1] != ' ' && l[len - 1] != '\t'));
		}
	}
	/* Soft breaks keep lines at 76 with the '=', and never split an escape. */
	const char *enc = qp_of(a, longline);
	CU_ASSERT_EQUAL(strncmp(enc, "xxxxxxxxxx", 10), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(enc, "=3D"));
	CU_ASSERT_EQUAL(strcspn(enc, "\r"), 76);
	vs_arena_free(a);
}

static void test_mail_non_ascii_subject_is_encoded(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_mail m = base_mail();
	m.subject = "Einladung: M\xc3\xbcller & S\xc3\xb6hne \xe2\x80\x93 \xf0\x9f\x8e\x89";
	char *msg = compose(a, &m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	check_lines(msg);
	const char *raw = header(a, msg, "Subject");
	CU_ASSERT_EQUAL(strncmp(ut_str(raw), "=?utf-8?B?", 10), 0);
	CU_ASSERT_STRING_EQUAL(ut_str(decode_header(a, msg, "Subject")), m.subject);
	vs_arena_free(a);
}

static void test_mail_long_subjects_are_folded(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_mail m = base_mail();
	char ascii[400] = "", utf8[600] = "";
	while (strlen(ascii) < 300)
		strcat(ascii, "invitation to the tenant ");
	strcat(ascii, "end");
	while (strlen(utf8) < 500)
		strcat(utf8, "\xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x8e\x89 ");
	const char *cases[] = { ascii, utf8 };
	for (size_t i = 0; i < 2; i++) {
		m.subject = cases[i];
		char *msg = compose(a, &m);
		CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
		check_lines(msg);
		const char *start = strstr(msg, "\r\nSubject:") + 2;
		const char *next = strstr(start, "\r\nMessage-ID:");
		int lines = 1, nwords;
		for (const char *p = start; p < next; p++)
			lines += p[0] == '\r' && p[1] == '\n';
		CU_ASSERT(lines >= (i == 0 ? 4 : 10));
		const char *raw = header(a, msg, "Subject");
		CU_ASSERT_STRING_EQUAL(decode_words(a, raw, &nwords), m.subject);
		CU_ASSERT(i == 0 ? nwords == 0 : nwords >= 10);
	}
	vs_arena_free(a);
}

/* Spaces where unfolding would lose them, a long word, text that looks like an
 * encoded-word: encoded, so they come back exactly. */
static void test_mail_awkward_ascii_subjects_round_trip(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_mail m = base_mail();
	char longword[120];
	memset(longword, 'w', sizeof(longword) - 1);
	longword[sizeof(longword) - 1] = '\0';
	const char *cases[] = { "=?utf-8?B?SGk=?=", " leading", "trailing ", "two  spaces",
				longword, "a \"quoted\" (comment) <x@y> subject", "" };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m.subject = cases[i];
		char *msg = compose(a, &m);
		CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
		check_lines(msg);
		CU_ASSERT_STRING_EQUAL(ut_str(decode_header(a, msg, "Subject")), cases[i]);
	}
	vs_arena_free(a);
}

static void test_mail_display_names(void)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_mail m = base_mail();
	char *msg;

	m.to.name = NULL;
	msg = compose(a, &m);
	CU_ASSERT_STRING_EQUAL(ut_str(header(a, msg, "To")), "alice@example.org");
	m.to.name = "";
	msg = compose(a, &m);
	CU_ASSERT_STRING_EQUAL(ut_str(header(a, msg, "To")), "alice@example.org");

	m.to.name = "O'Brien, \"Al\" \\ Co";
	msg = compose(a, &m);
	CU_ASSERT_STRING_EQUAL(ut_str(header(a, msg, "To")),
			       "\"O'Brien, \\\"Al\\\" \\\\ Co\" <alice@example.org>");

	m.to.name = "J\xc3\xbcrgen M\xc3\xbcller";
	msg = compose(a, &m);
	check_lines(msg);
	CU_ASSERT_STRING_EQUAL(ut_str(decode_header(a, msg, "To")),
			       "J\xc3\xbcrgen M\xc3\xbcller <alice@example.org>");
	CU_ASSERT_EQUAL(strncmp(ut_str(header(a, msg, "To")), "=?utf-8?B?", 10), 0);

	m.to.name = "=?utf-8?B?QWRtaW4=?="; /* would read as "Admin" if passed through */
	msg = compose(a, &m);
	CU_ASSERT_STRING_EQUAL(ut_str(decode_header(a, msg, "To")),
			       "=?utf-8?B?QWRtaW4=?= <alice@example.org>");

	char longname[200] = "";
	while (strlen(longname) < 150)
		strcat(longname, "\xc3\x89milie ");
	m.to.name = longname;
	msg = compose(a, &m);
	check_lines(msg);
	char *want = vs_arena_printf(a, "%s <alice@example.org>", longname);
	CU_ASSERT_STRING_EQUAL(ut_str(decode_header(a, msg, "To")), want);
	vs_arena_free(a);
}

/* Each field with each way of smuggling a header line or a command: VS_INVALID, the
 * field named, nothing composed. */
static void test_mail_injection_is_rejected(void)
{
	static const char *const bad_texts[] = {
		"a\r\nBcc: evil@example.com", "a\nBcc: evil@example.com", "a\rb", "tab\there",
		"del\x7f", "nel\xc2\x85", "ls\xe2\x80\xa8", "ps\xe2\x80\xa9", "esc\x1b[0m",
	};
	static const char *const bad_emails[] = {
		"alice@example.org\r\nBcc: evil@example.com", "alice@example.org\n",
		"alice@example.org>\r\nRCPT TO:<evil@example.com", "alice @example.org",
		"alice@example.org, evil@example.com", "<alice@example.org>", "\"a b\"@example.org",
		"alice", "@example.org", "alice@", "a@b@example.org", ".alice@example.org",
		"alice.@example.org", "al..ice@example.org", "alice@example..org",
		"alice@-example.org", "alice@example-.org", "alice@example.org.",
		"alice@[127.0.0.1]", "al\xc3\xaf" "ce@example.org", "alice@ex\xc3\xa4mple.org", "",
		"alice@exa_mple.org", "alice(comment)@example.org",
	};
	struct vs_arena *a = vs_arena_new();

	for (size_t i = 0; i < sizeof(bad_texts) / sizeof(bad_texts[0]); i++) {
		for (int field = 0; field < 3; field++) {
			struct vs_mail m = base_mail();
			const char *names[] = { "subject", "from.name", "to.name" };
			if (field == 0)
				m.subject = bad_texts[i];
			else if (field == 1)
				m.from.name = bad_texts[i];
			else
				m.to.name = bad_texts[i];
			struct vs_error e = { 0 };
			struct vs_str out = { "x", 1 };
			CU_ASSERT_EQUAL(vs_mail_compose(a, &m, DATE, RANDOM, &out, &e), VS_INVALID);
			CU_ASSERT_EQUAL(e.code, VS_INVALID);
			CU_ASSERT_PTR_NULL(out.p);
			CU_ASSERT_EQUAL(e.nfields, 1);
			CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].field), names[field]);
			CU_ASSERT_PTR_NOT_NULL(e.detail && strstr(e.detail, names[field]));
		}
	}
	for (size_t i = 0; i < sizeof(bad_emails) / sizeof(bad_emails[0]); i++) {
		CU_ASSERT_PTR_NOT_NULL(vs_mail_email_check(bad_emails[i]));
		for (int field = 0; field < 2; field++) {
			struct vs_mail m = base_mail();
			*(field ? &m.to.email : &m.from.email) = bad_emails[i];
			struct vs_error e = { 0 };
			struct vs_str out;
			CU_ASSERT_EQUAL(vs_mail_compose(a, &m, DATE, RANDOM, &out, &e), VS_INVALID);
			CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].field),
					       field ? "to.email" : "from.email");
		}
	}
	static const char *const bad_ids[] = { "<a@b>\r\nBcc: x@y", "a@b", "<a b@c>", "<ab>",
					       "<a@b@c>", "<@b>", "<a@>", "<a@b>>", "<a\x01@b>" };
	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		struct vs_mail m = base_mail();
		m.message_id = bad_ids[i];
		struct vs_error e = { 0 };
		struct vs_str out;
		CU_ASSERT_EQUAL(vs_mail_compose(a, &m, DATE, RANDOM, &out, &e), VS_INVALID);
		CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].field), "message_id");
	}
	vs_arena_free(a);
}

static void test_mail_rejects_invalid_utf8_and_missing_fields(void)
{
	static const char *const bad_utf8[] = { "\xff", "caf\xc3", "\xc3(", "\xc0\xaf",
						"\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
						"\xf8\x88\x80\x80\x80" };
	struct vs_arena *a = vs_arena_new();
	for (size_t i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
		for (int field = 0; field < 4; field++) {
			const char *names[] = { "subject", "to.name", "text", "html" };
			struct vs_mail m = base_mail();
			if (field == 0)
				m.subject = bad_utf8[i];
			else if (field == 1)
				m.to.name = bad_utf8[i];
			else if (field == 2)
				m.text = bad_utf8[i];
			else
				m.html = bad_utf8[i];
			struct vs_error e = { 0 };
			struct vs_str out;
			CU_ASSERT_EQUAL(vs_mail_compose(a, &m, DATE, RANDOM, &out, &e), VS_INVALID);
			CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].field), names[field]);
		}
	}
	struct vs_mail m = base_mail();
	struct vs_error e = { 0 };
	struct vs_str out;
	m.subject = NULL;
	CU_ASSERT_EQUAL(vs_mail_compose(a, &m, DATE, RANDOM, &out, &e), VS_INVALID);
	CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].field), "subject");
	m = base_mail();
	m.text = NULL;
	e = (struct vs_error){ 0 };
	CU_ASSERT_EQUAL(vs_mail_compose(a, &m, DATE, RANDOM, &out, &e), VS_INVALID);
	CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].field), "text");
	m = base_mail();
	m.from.email = NULL;
	e = (struct vs_error){ 0 };
	CU_ASSERT_EQUAL(vs_mail_compose(a, &m, DATE, RANDOM, &out, &e), VS_INVALID);
	CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].field), "from.email");
	m = base_mail();
	e = (struct vs_error){ 0 };
	CU_ASSERT_EQUAL(vs_mail_compose(a, &m, -1, RANDOM, &out, &e), VS_INVALID);
	CU_ASSERT_STRING_EQUAL(ut_str(e.fields[0].field), "date");
	vs_arena_free(a);
}

static void test_mail_email_check_accepts_ordinary_addresses(void)
{
	static const char *const good[] = {
		"a@b", "alice@example.org", "first.last+tag@mail.example.co.uk",
		"o'brien@example.org", "x_y-z@sub-domain.example", "admin@localhost",
		"1234@127example.org", "!#$%&'*+-/=?^_`{|}~@example.org",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CU_ASSERT_PTR_NULL(vs_mail_email_check(good[i]));
	}
	struct vs_arena *a = vs_arena_new();
	char local[80], domain[300];
	memset(local, 'l', 64);
	strcpy(local + 64, "@e.org");
	CU_ASSERT_PTR_NULL(vs_mail_email_check(local));
	memset(local, 'l', 65);
	strcpy(local + 65, "@e.org");
	CU_ASSERT_PTR_NOT_NULL(vs_mail_email_check(local));
	memset(domain, 'd', 64);
	strcpy(domain + 64, ".org");
	CU_ASSERT_PTR_NOT_NULL(vs_mail_email_check(vs_arena_printf(a, "a@%s", domain)));
	CU_ASSERT_PTR_NOT_NULL(vs_mail_email_check(NULL));
	vs_arena_free(a);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
		UT_TEST(test_mail_headers_present_in_order),
		UT_TEST(test_mail_deterministic_for_fixed_inputs),
		UT_TEST(test_mail_message_id_given_or_made),
		UT_TEST(test_mail_text_only_is_one_part),
		UT_TEST(test_mail_multipart_alternative_text_then_html),
		UT_TEST(test_mail_boundary_cannot_occur_in_bodies),
		UT_TEST(test_mail_quoted_printable_round_trip),
		UT_TEST(test_mail_non_ascii_subject_is_encoded),
		UT_TEST(test_mail_long_subjects_are_folded),
		UT_TEST(test_mail_awkward_ascii_subjects_round_trip),
		UT_TEST(test_mail_display_names),
		UT_TEST(test_mail_injection_is_rejected),
		UT_TEST(test_mail_rejects_invalid_utf8_and_missing_fields),
		UT_TEST(test_mail_email_check_accepts_ordinary_addresses),
		UT_END,
	};
	ut_add_suite("mail: domain", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
