#include "mail/domain.h"

#include "core/email.h"
#include "core/utf8.h"
#include "mail/messages.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* RFC 5322 §2.1.1: header lines SHOULD stay within 78 characters (MUST within 998).
 * RFC 2045 §6.7: quoted-printable lines within 76, the soft break's '=' included.
 * RFC 2047 §2: an encoded-word within 75. */
#define HEADER_LINE 78
#define QP_LINE 75
#define EW_PREFIX "=?utf-8?B?"
#define EW_SUFFIX "?="
#define EW_OVERHEAD (sizeof(EW_PREFIX) - 1 + sizeof(EW_SUFFIX) - 1)
#define EW_MAX_B64 60 /* 12 + 60 ≤ 75 */

/* ---- an arena buffer that grows ---- */

struct buf {
	struct vs_arena *a;
	char *p;
	size_t len, cap;
};

static void buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n)
			cap *= 2;
		char *p = vs_arena_alloc(b->a, cap);
		if (b->len)
			memcpy(p, b->p, b->len);
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

/* ---- characters ---- */

/* C0 (tab too), DEL, C1 (NEL among them) and the Unicode line and paragraph separators:
 * nothing a header may carry, since some reader would take it as a line end. */
static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029;
}

/* NULL when s is UTF-8 (without controls, for a header); else the reason. */
static const char *text_check(const char *s, bool header)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	uint32_t cp;

	for (size_t i = 0, l; i < n; i += l) {
		if (!(l = vs_utf8_next(p + i, n - i, &cp)))
			return VS_MSG_MAIL_NOT_UTF8;
		if (header && is_control(cp))
			return VS_MSG_MAIL_CONTROL;
	}
	return NULL;
}

const char *vs_mail_email_check(const char *email)
{
	if (!email || !*email)
		return VS_MSG_MAIL_REQUIRED;
	return vs_email_valid(email, strlen(email)) ? NULL : VS_MSG_MAIL_ADDRESS;
}

const char *vs_mail_name_check(const char *name)
{
	return name ? text_check(name, true) : NULL;
}

/* "<left@right>", dot-atoms both, short enough to leave its header line under 998. */
static bool message_id_ok(const char *s)
{
	size_t n = strlen(s);
	const char *at = strchr(s, '@');

	return n >= 5 && n <= 250 && s[0] == '<' && s[n - 1] == '>' && at &&
	       vs_email_dot_atom(s + 1, (size_t)(at - s - 1)) &&
	       vs_email_dot_atom(at + 1, (size_t)(s + n - 1 - at - 1));
}

/* ---- encodings ---- */

static const char HEX[] = "0123456789ABCDEF";

static void hex_put(struct buf *b, const uint8_t *p, size_t n)
{
	static const char lower[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		char two[2] = { lower[p[i] >> 4], lower[p[i] & 15] };
		buf_put(b, two, 2);
	}
}

/* RFC 4648 base64 with padding into out (4 * ceil(n / 3) bytes); returns the length. */
static size_t base64(const unsigned char *in, size_t n, char *out)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? abc[v & 63] : '=';
	}
	return o;
}

/* Whether s[i] ends its line: the last byte, or one before a line break. */
static bool at_line_end(const char *s, size_t n, size_t i)
{
	return i + 1 == n || s[i + 1] == '\n' ||
	       (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n');
}

/* RFC 2045 §6.7 quoted-printable of text with its line breaks (LF or CRLF) as CRLF, lines
 * of at most 76 with the soft break. Beyond the rules: '.' and "From " at the start of a
 * line are encoded too, so a relay's dot handling or an mbox's "From " escaping cannot
 * touch the body. '=' only ever appears as "=XX" or a soft break. */
static void qp_put(struct buf *b, const char *s, size_t n)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n' || (c == '\r' && i + 1 < n && s[i + 1] == '\n')) {
			i += c == '\r';
			buf_put(b, "\r\n", 2);
			col = 0;
			continue;
		}
		for (;;) {
			bool literal = (c > ' ' && c < 0x7f && c != '=') ||
				       ((c == ' ' || c == '\t') && !at_line_end(s, n, i));
			if (col == 0 &&
			    (c == '.' || (c == 'F' && n - i >= 5 && !memcmp(s + i, "From ", 5))))
				literal = false;
			size_t len = literal ? 1 : 3;
			if (col + len > QP_LINE) {
				buf_put(b, "=\r\n", 3);
				col = 0;
				continue; /* the start of a line may change the choice */
			}
			char tok[3] = { (char)c, HEX[c >> 4], HEX[c & 15] };
			if (!literal)
				tok[0] = '=';
			buf_put(b, tok, len);
			col += len;
			break;
		}
	}
}

/* ---- header fields, folded ---- */

struct hdr {
	struct buf *b;
	size_t col; /* characters on the current line */
};

static void hdr_begin(struct hdr *h, const char *name)
{
	buf_puts(h->b, name);
	buf_put(h->b, ":", 1);
	h->col = strlen(name) + 1;
}

static void hdr_end(struct hdr *h)
{
	buf_put(h->b, "\r\n", 2);
}

/* A space and a token that is never split (n > 0); a fold (CRLF before the space) first
 * when the token would pass the line's limit here. */
static void hdr_token(struct hdr *h, const char *s, size_t n)
{
	if (h->col > 0 && h->col + 1 + n > HEADER_LINE) {
		buf_put(h->b, "\r\n", 2);
		h->col = 0;
	}
	buf_put(h->b, " ", 1);
	buf_put(h->b, s, n);
	h->col += 1 + n;
}

static void hdr_tokens(struct hdr *h, const char *s)
{
	hdr_token(h, s, strlen(s));
}

/* s (valid UTF-8) as "B" encoded-words, each holding whole characters (RFC 2047 §5) and
 * as many as the line has room for; readers drop the folds between them. */
static void hdr_encoded(struct hdr *h, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		/* Room for a word of at least one character (8 base64 digits) on this line? */
		if (h->col + 1 + EW_OVERHEAD + 8 > HEADER_LINE) {
			buf_put(h->b, "\r\n", 2);
			h->col = 0;
		}
		size_t b64 = (HEADER_LINE - h->col - 1 - EW_OVERHEAD) / 4 * 4;
		size_t max = (b64 < EW_MAX_B64 ? b64 : EW_MAX_B64) / 4 * 3, take = 0, l;
		uint32_t cp;
		while (i + take < n && (l = vs_utf8_next(p + i + take, n - i - take, &cp)) &&
		       take + l <= max)
			take += l;
		/* Split after a space where there is one: some readers (Python's email in
		 * address headers) keep the fold between two words, and a doubled space
		 * reads better than a word cut in two. */
		for (size_t k = take; i + take < n && k > 1; k--) {
			if (p[i + k - 1] == ' ') {
				take = k;
				break;
			}
		}
		char word[EW_OVERHEAD + EW_MAX_B64];
		size_t len = sizeof(EW_PREFIX) - 1;
		memcpy(word, EW_PREFIX, len);
		len += base64(p + i, take, word + len);
		memcpy(word + len, EW_SUFFIX, sizeof(EW_SUFFIX) - 1);
		len += sizeof(EW_SUFFIX) - 1;
		hdr_token(h, word, len);
		i += take;
	}
}

/* Whether s can go into a header as it is: printable ASCII words joined by single
 * spaces, none that a reader would take for an encoded-word, each fitting on a line. */
static bool plain_words(const char *s)
{
	size_t word = 0;

	if (!*s || s[0] == ' ' || strstr(s, "=?"))
		return false;
	for (const char *p = s; *p; p++) {
		if (*p == ' ') {
			if (p[1] == ' ' || p[1] == '\0')
				return false;
			word = 0;
		} else if (*p < '!' || *p > '~' || ++word > HEADER_LINE - 1) {
			return false;
		}
	}
	return true;
}

/* A display name: an RFC 5322 quoted-string when it is printable ASCII that fits on a
 * line, else encoded-words (which a reader never mistakes for the address). */
static void hdr_phrase(struct hdr *h, struct vs_arena *a, const char *name)
{
	size_t n = strlen(name), q = 2;
	bool ascii = !strstr(name, "=?");

	for (size_t i = 0; i < n && ascii; i++) {
		ascii = name[i] >= ' ' && name[i] <= '~';
		q += 1 + (name[i] == '"' || name[i] == '\\');
	}
	if (!ascii || q > HEADER_LINE - 2) {
		hdr_encoded(h, name);
		return;
	}
	char *t = vs_arena_alloc(a, q), *o = t;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (name[i] == '"' || name[i] == '\\')
			*o++ = '\\';
		*o++ = name[i];
	}
	*o = '"';
	hdr_token(h, t, q);
}

static void hdr_address(struct hdr *h, struct vs_arena *a, const struct vs_mail_address *ad)
{
	if (!ad->name || !*ad->name) {
		hdr_tokens(h, ad->email);
		return;
	}
	hdr_phrase(h, a, ad->name);
	hdr_tokens(h, vs_arena_printf(a, "<%s>", ad->email));
}

static void hdr_subject(struct hdr *h, const char *s)
{
	if (!*s)
		return; /* "Subject:" alone: an empty subject */
	if (!plain_words(s)) {
		hdr_encoded(h, s);
		return;
	}
	for (const char *p = s, *sp;; p = sp + 1) {
		sp = strchr(p, ' ');
		hdr_token(h, p, sp ? (size_t)(sp - p) : strlen(p));
		if (!sp)
			break;
	}
}

/* RFC 5322 §3.3 date-time in UTC; false when the year has no four digits. */
static bool format_date(int64_t t, char out[64])
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	time_t tt = (time_t)t;

	if (t < 0 || t > 253402300799 /* 9999-12-31T23:59:59Z */ || !gmtime_r(&tt, &tm))
		return false;
	snprintf(out, 64, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
		 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return true;
}

/* ---- the message ---- */

char *vs_mail_message_id(struct vs_arena *a, const uint8_t random[VS_MAIL_RANDOM_LEN],
			 const char *from_email)
{
	struct buf b = { .a = a };
	const char *at = strchr(from_email, '@');

	buf_put(&b, "<", 1);
	hex_put(&b, random, VS_MAIL_RANDOM_LEN);
	buf_puts(&b, at ? at : "@localhost");
	buf_put(&b, ">", 2); /* with the NUL */
	return b.p;
}

static enum vs_err bad(struct vs_arena *a, struct vs_error *e, const char *field, const char *why)
{
	vs_fail_field(e, field, why);
	return vs_fail(e, VS_INVALID,
		       vs_arena_printf(a, "%s: %s %s", VS_MSG_MAIL_CANNOT_COMPOSE, field, why));
}

static enum vs_err check(struct vs_arena *a, const struct vs_mail *m, struct vs_error *e)
{
	const struct {
		const char *field, *value;
		bool required, header;
	} texts[] = {
		{ "from.name", m->from.name, false, true },
		{ "to.name", m->to.name, false, true },
		{ "subject", m->subject, true, true },
		{ "text", m->text, true, false },
		{ "html", m->html, false, false },
	};
	const char *why;

	if ((why = vs_mail_email_check(m->from.email)))
		return bad(a, e, "from.email", why);
	if ((why = vs_mail_email_check(m->to.email)))
		return bad(a, e, "to.email", why);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (!texts[i].value) {
			if (texts[i].required)
				return bad(a, e, texts[i].field, VS_MSG_MAIL_REQUIRED);
		} else if ((why = text_check(texts[i].value, texts[i].header))) {
			return bad(a, e, texts[i].field, why);
		}
	}
	if (m->message_id && !message_id_ok(m->message_id))
		return bad(a, e, "message_id", VS_MSG_MAIL_MESSAGE_ID);
	return VS_OK;
}

static void part_headers(struct buf *b, const char *type)
{
	buf_puts(b, "Content-Type: ");
	buf_puts(b, type);
	buf_puts(b, "; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n");
}

enum vs_err vs_mail_compose(struct vs_arena *a, const struct vs_mail *m, int64_t date_unix,
			    const uint8_t random[VS_MAIL_RANDOM_LEN], struct vs_str *out,
			    struct vs_error *e)
{
	char date[64];
	enum vs_err rc;

	*out = (struct vs_str){ NULL, 0 };
	if ((rc = check(a, m, e)) != VS_OK)
		return rc;
	if (!format_date(date_unix, date))
		return bad(a, e, "date", VS_MSG_MAIL_DATE);

	/* Quoted-printable at worst triples a byte, plus a soft break per 25 of those: one
	 * allocation, and the headers fit in the rest. */
	size_t body = strlen(m->text) + (m->html ? strlen(m->html) : 0);
	struct buf b = { .a = a, .cap = 2048 + body * 3 + body / 25 * 3 };
	b.p = vs_arena_alloc(a, b.cap);
	struct hdr h = { .b = &b };

	hdr_begin(&h, "Date");
	hdr_tokens(&h, date);
	hdr_end(&h);
	hdr_begin(&h, "From");
	hdr_address(&h, a, &m->from);
	hdr_end(&h);
	hdr_begin(&h, "To");
	hdr_address(&h, a, &m->to);
	hdr_end(&h);
	hdr_begin(&h, "Subject");
	hdr_subject(&h, m->subject);
	hdr_end(&h);
	hdr_begin(&h, "Message-ID");
	hdr_tokens(&h, m->message_id ? m->message_id
				     : vs_mail_message_id(a, random, m->from.email));
	hdr_end(&h);
	buf_puts(&b, "MIME-Version: 1.0\r\n");

	if (!m->html) {
		part_headers(&b, "text/plain");
		buf_puts(&b, "\r\n");
		size_t n = strlen(m->text);
		qp_put(&b, m->text, n);
		/* A soft break as the last line: the message ends in CRLF, the text as it was. */
		if (n && m->text[n - 1] != '\n')
			buf_puts(&b, "=\r\n");
	} else {
		/* "=_" never occurs in quoted-printable, so neither does the boundary. */
		struct buf bd = { .a = a };
		buf_puts(&bd, "=_");
		hex_put(&bd, random, VS_MAIL_RANDOM_LEN);
		buf_put(&bd, "", 1);
		const char *boundary = bd.p;

		hdr_begin(&h, "Content-Type");
		hdr_tokens(&h, "multipart/alternative;");
		hdr_tokens(&h, vs_arena_printf(a, "boundary=\"%s\"", boundary));
		hdr_end(&h);
		buf_puts(&b, "\r\n");
		const char *parts[][2] = { { "text/plain", m->text }, { "text/html", m->html } };
		for (size_t i = 0; i < 2; i++) {
			buf_puts(&b, "--");
			buf_puts(&b, boundary);
			buf_puts(&b, "\r\n");
			part_headers(&b, parts[i][0]);
			buf_puts(&b, "\r\n");
			qp_put(&b, parts[i][1], strlen(parts[i][1]));
			buf_puts(&b, "\r\n"); /* belongs to the delimiter that follows */
		}
		buf_puts(&b, "--");
		buf_puts(&b, boundary);
		buf_puts(&b, "--\r\n");
	}
	*out = (struct vs_str){ b.p, b.len };
	return VS_OK;
}
