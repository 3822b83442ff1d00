/* One mail over one SMTP connection, and what its failure means for the job.
 *
 * libcurl 7.88 (Debian 12) reports a reply it did not want as CURLE_SEND_ERROR for MAIL,
 * RCPT and DATA ("RCPT failed: 550"), CURLE_WEIRD_SERVER_REPLY for the greeting and for
 * the end of the data, CURLE_LOGIN_DENIED for AUTH, CURLE_USE_SSL_FAILED for a refused
 * STARTTLS; CURLINFO_RESPONSE_CODE keeps the code of that reply (not of the QUIT after
 * it). Server replies reach the header callback line by line, where the last refusal's
 * text is kept for e->detail. */
#include "adapters/smtp/internal.h"

#include "core/crypto.h"
#include "core/time.h"

#include <stdio.h>
#include <string.h>

#define REPLY_MAX 200

struct transfer {
	struct vs_str msg;
	size_t off;
	bool data_sent; /* the server said 354 and took (some of) the message */
	char reply[REPLY_MAX + 1]; /* the last reply line of 4xx or 5xx, printable ASCII */
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
	struct transfer *t = ud;
	size_t n = size * nitems, left = t->msg.len - t->off;

	if (n > left)
		n = left;
	memcpy(buf, t->msg.p + t->off, n);
	t->off += n;
	t->data_sent = true;
	return n;
}

/* "451 4.3.0 Try again later\r\n": the last line of a refusal (a multi-line reply's
 * lines have '-' after the code, its last a space). Anything unprintable becomes '?'. */
static size_t header_cb(char *buf, size_t size, size_t nitems, void *ud)
{
	struct transfer *t = ud;
	size_t n = size * nitems, o = 0;

	if (n < 4 || (buf[0] != '4' && buf[0] != '5') || buf[1] < '0' || buf[1] > '9' ||
	    buf[2] < '0' || buf[2] > '9' || buf[3] != ' ')
		return n;
	for (size_t i = 0; i < n && o < REPLY_MAX && buf[i] != '\r' && buf[i] != '\n'; i++)
		t->reply[o++] = buf[i] >= ' ' && buf[i] <= '~' ? buf[i] : '?';
	t->reply[o] = '\0';
	return n;
}

/* What a failure means: a 5xx to the sender, a recipient or the message is final; a
 * 5xx anywhere else (greeting, EHLO, STARTTLS, AUTH) and 530 "authentication required"
 * are the configuration's or the server's, like 4xx, timeouts and network errors, and
 * may pass. */
static enum vs_err classify(CURLcode cc, long code, bool data_sent)
{
	if (cc == CURLE_OK)
		return VS_OK;
	if (code >= 500 && code <= 599 && code != 530 &&
	    (cc == CURLE_SEND_ERROR || (cc == CURLE_WEIRD_SERVER_REPLY && data_sent)))
		return VS_INVALID;
	switch (cc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_UNKNOWN_OPTION:
	case CURLE_OUT_OF_MEMORY:
		return VS_INTERNAL;
	default:
		return VS_UNAVAILABLE;
	}
}

static struct smtp_mailer *mailer_of(struct vs_mailer *self)
{
	return (struct smtp_mailer *)self;
}

/* Every option of the transfer; false when libcurl refuses one (a build without SMTP
 * or TLS). */
static bool setup(CURL *h, struct smtp_mailer *m, struct transfer *t, struct curl_slist *rcpt,
		  int64_t deadline_ms, char *errbuf)
{
	bool ok = true;

#define SET(opt, val) ok = ok && curl_easy_setopt(h, opt, val) == CURLE_OK
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_URL, m->url);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SET(CURLOPT_PROXY, ""); /* none, whatever the environment says */
	SET(CURLOPT_USE_SSL, m->use_ssl);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (m->ca_file)
		SET(CURLOPT_CAINFO, m->ca_file);
	if (m->user) {
		SET(CURLOPT_USERNAME, m->user);
		SET(CURLOPT_PASSWORD, m->password);
	}
	if (m->login_options)
		SET(CURLOPT_LOGIN_OPTIONS, m->login_options);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)deadline_ms);
	SET(CURLOPT_TIMEOUT_MS, (long)deadline_ms);
	SET(CURLOPT_MAIL_FROM, m->mail_from);
	SET(CURLOPT_MAIL_RCPT, rcpt);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_READFUNCTION, read_cb);
	SET(CURLOPT_READDATA, t);
	SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)t->msg.len);
	SET(CURLOPT_HEADERFUNCTION, header_cb);
	SET(CURLOPT_HEADERDATA, t);
#undef SET
	return ok;
}

static enum vs_err smtp_send(struct vs_mailer *self, struct vs_arena *a, const struct vs_mail *in,
			     int64_t deadline_ms, struct vs_error *e)
{
	struct smtp_mailer *m = mailer_of(self);
	struct vs_mail mail = *in;
	struct transfer t = { 0 };
	uint8_t random[VS_MAIL_RANDOM_LEN];
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *rcpt = NULL;
	CURL *h = NULL;
	enum vs_err rc;

	if (!mail.from.email)
		mail.from = m->from;
	vs_random_bytes(random, sizeof(random));
	if ((rc = vs_mail_compose(a, &mail, vs_time_now(), random, &t.msg, e)) != VS_OK)
		return rc;
	if (!(h = curl_easy_init()) ||
	    !(rcpt = curl_slist_append(NULL, vs_arena_printf(a, "<%s>", mail.to.email)))) {
		rc = vs_fail(e, VS_INTERNAL, "could not allocate an SMTP transfer");
		goto out;
	}
	if (!setup(h, m, &t, rcpt, deadline_ms > 0 ? deadline_ms : m->timeout_ms, errbuf)) {
		rc = vs_fail(e, VS_INTERNAL, "libcurl was built without SMTP or TLS");
		goto out;
	}
	CURLcode cc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if ((rc = classify(cc, code, t.data_sent)) == VS_OK)
		goto out;
	/* curl's words say at which step ("RCPT failed: 550"), the server's why. */
	const char *what = errbuf[0] ? errbuf : curl_easy_strerror(cc);
	vs_fail(e, rc,
		vs_arena_printf(a, "%s send the mail: %s%s%s%s",
				rc == VS_INVALID ? "cannot" : "could not", what,
				t.reply[0] ? " (the server said: " : "", t.reply,
				t.reply[0] ? ")" : ""));
out:
	curl_slist_free_all(rcpt);
	if (h)
		curl_easy_cleanup(h);
	return rc;
}

const struct vs_mailer_ops vs__smtp_ops = { .send = smtp_send };
