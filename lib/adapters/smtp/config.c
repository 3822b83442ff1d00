/* The SMTP mailer from its options: the URL taken apart with libcurl's URL parser, the
 * TLS and credential rules of smtp.h checked once, at start. Details name variables,
 * never their values: the URL may hold a password. */
#include "adapters/smtp/internal.h"

#include <string.h>
#include <unistd.h>

bool vs_smtp_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

void vs_smtp_global_cleanup(void)
{
	curl_global_cleanup();
}

static void wipe(void *p)
{
	explicit_bzero(p, strlen(p));
}

/* A copy of the URL part, or NULL when it is absent (or empty). */
static char *url_part(struct vs_arena *a, CURLU *u, CURLUPart part)
{
	char *v = NULL, *copy = NULL;

	if (curl_url_get(u, part, &v, CURLU_URLDECODE) == CURLUE_OK && v && *v)
		copy = vs_arena_strdup(a, v);
	if (v && part == CURLUPART_PASSWORD)
		explicit_bzero(v, strlen(v));
	curl_free(v);
	return copy;
}

static enum vs_err bad(struct vs_error *e, const char *detail)
{
	return vs_fail(e, VS_INVALID, detail);
}

/* The URL into m: scheme, TLS mode, credentials, login options, and the URL curl is
 * given (neither credentials nor our query in it). */
static enum vs_err parse_url(struct vs_arena *owned, struct smtp_mailer *m, const char *url,
			     struct vs_error *e)
{
	CURLU *u = curl_url();
	char *clean = NULL;
	enum vs_err rc = VS_INVALID;

	if (!u)
		return vs_fail(e, VS_INTERNAL, "could not allocate a URL parser");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		rc = bad(e, "VS_SMTP_URL is not a valid URL");
		goto out;
	}
	char *scheme = url_part(owned, u, CURLUPART_SCHEME);
	char *query = url_part(owned, u, CURLUPART_QUERY);
	bool smtps = scheme && strcmp(scheme, "smtps") == 0;
	if (!smtps && !(scheme && strcmp(scheme, "smtp") == 0)) {
		rc = bad(e, "VS_SMTP_URL must start with smtp:// or smtps://");
		goto out;
	}
	if (!url_part(owned, u, CURLUPART_HOST)) {
		rc = bad(e, "VS_SMTP_URL names no host");
		goto out;
	}
	if (url_part(owned, u, CURLUPART_FRAGMENT)) {
		rc = bad(e, "VS_SMTP_URL must not have a fragment");
		goto out;
	}
	if (smtps && query) {
		rc = bad(e, "VS_SMTP_URL: smtps:// takes no query (TLS is implicit)");
		goto out;
	}
	if (smtps || !query || strcmp(query, "starttls=required") == 0) {
		m->use_ssl = CURLUSESSL_ALL;
	} else if (strcmp(query, "starttls=optional") == 0) {
		m->use_ssl = CURLUSESSL_TRY;
	} else if (strcmp(query, "starttls=never") == 0) {
		m->use_ssl = CURLUSESSL_NONE;
	} else {
		rc = bad(e, "VS_SMTP_URL: the query may only be starttls=required, "
			    "starttls=optional or starttls=never");
		goto out;
	}
	m->user = url_part(owned, u, CURLUPART_USER);
	m->password = url_part(owned, u, CURLUPART_PASSWORD);
	m->login_options = url_part(owned, u, CURLUPART_OPTIONS);
	if (m->password)
		vs_arena_defer(owned, wipe, (void *)m->password);
	const CURLUPart strip[] = { CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS,
				    CURLUPART_QUERY };
	for (size_t i = 0; i < sizeof(strip) / sizeof(strip[0]); i++)
		curl_url_set(u, strip[i], NULL, 0);
	if (curl_url_get(u, CURLUPART_URL, &clean, 0) != CURLUE_OK) {
		rc = vs_fail(e, VS_INTERNAL, "could not rebuild VS_SMTP_URL");
		goto out;
	}
	m->url = vs_arena_strdup(owned, clean);
	rc = VS_OK;
out:
	curl_free(clean);
	curl_url_cleanup(u); /* curl frees its copy of the password with it */
	return rc;
}

enum vs_err vs_smtp_mailer_new(struct vs_arena *owned, const struct vs_smtp_options *o,
			       struct vs_mailer **out, struct vs_error *e)
{
	struct smtp_mailer *m = vs_arena_alloc(owned, sizeof(*m));
	enum vs_err rc;

	*out = NULL;
	if (!o->url || !*o->url)
		return bad(e, "VS_SMTP_URL is not set");
	if (vs_mail_email_check(o->from.email))
		return bad(e, "VS_SMTP_FROM must be a valid email address");
	if (vs_mail_name_check(o->from.name))
		return bad(e, "VS_SMTP_FROM_NAME must be UTF-8 without control characters");
	if ((rc = parse_url(owned, m, o->url, e)) != VS_OK)
		return rc;
	bool given = (o->user && *o->user) || (o->password && *o->password);
	if (given && (m->user || m->password))
		return bad(e, "give the SMTP credentials in VS_SMTP_URL or in VS_SMTP_USER and "
			      "VS_SMTP_PASSWORD, not both");
	if (given) {
		if (o->user && *o->user)
			m->user = vs_arena_strdup(owned, o->user);
		if (o->password && *o->password) {
			m->password = vs_arena_strdup(owned, o->password);
			vs_arena_defer(owned, wipe, (void *)m->password);
		}
	}
	if (!m->user != !m->password)
		return bad(e, "SMTP credentials need both a user and a password");
	if (m->user && m->use_ssl != CURLUSESSL_ALL)
		return bad(e, "SMTP credentials need TLS: use smtps:// or starttls=required");
	if (o->ca_file && *o->ca_file) {
		if (access(o->ca_file, R_OK) != 0)
			return bad(e, "VS_SMTP_CA_FILE cannot be read");
		m->ca_file = vs_arena_strdup(owned, o->ca_file);
	}
	m->from.email = vs_arena_strdup(owned, o->from.email);
	m->from.name = o->from.name && *o->from.name ? vs_arena_strdup(owned, o->from.name) : NULL;
	m->mail_from = vs_arena_printf(owned, "<%s>", o->from.email);
	m->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : VS_SMTP_DEFAULT_TIMEOUT_MS;
	m->base.ops = &vs__smtp_ops;
	*out = &m->base;
	return VS_OK;
}
