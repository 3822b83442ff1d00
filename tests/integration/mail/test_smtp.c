/*
 * The SMTP mailer (lib/adapters/smtp) against a real SMTP server: Debian's aiosmtpd, run
 * by smtp_server.py, three of them for the suite — plain, STARTTLS with AUTH, and
 * implicit TLS (smtps) with AUTH, on ports the kernel picks, each with a self-signed
 * certificate the tests trust through VS_SMTP_CA_FILE. What arrives is read back with
 * Python's email package (check_mail.py). Refusals on demand come from the server's
 * control file. The servers are stopped by their process groups in the suite cleanup.
 * The suite needs no stack, only the integration program around it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapters/smtp/smtp.h"
#include "check.h"
#include "fixtures.h"
#include "mail_util.h"
#include "suites.h"
#include "util.h"

#define START_TIMEOUT_S 20.0
#define FROM_EMAIL "noreply@vs.example"
#define FROM_NAME "VirtualStack"

struct server {
	const char *name, *tls;	     /* smtp_server.py --tls */
	const char *user, *password; /* --auth, SMTP_TEST_PASSWORD; NULL: no AUTH */
	char *dir;
	pid_t pid;
	int port;
};

static struct server plain = { "plain", "none", NULL, NULL, NULL, -1, 0 };
static struct server starttls = { "starttls", "starttls", "alice", "starttls secret", NULL, -1, 0 };
/* A password that needs percent-encoding in a URL. */
static struct server smtps = { "smtps", "implicit", "bob", "p@ss w:rd/%", NULL, -1, 0 };
static struct server *const servers[] = { &plain, &starttls, &smtps };
static char *root;

/* ------------------------------------------------------------ the servers */

static char *server_file(const struct server *s, const char *name)
{
	return xasprintf("%s/%s", s->dir, name);
}

static bool start_server(struct server *s)
{
	char *script = mail_script("smtp_server.py"), *log = NULL, *port_path = NULL;
	char *pw = xasprintf("SMTP_TEST_PASSWORD=%s", s->password ? s->password : "");
	const char *args[] = { script, s->dir, "--tls", s->tls, s->user ? "--auth" : NULL, s->user,
			       NULL };
	const char *env[] = { pw, NULL };
	double t0 = now_mono();
	bool ok = false;

	if (mkdir(s->dir, 0700) != 0) {
		fprintf(stderr, "mail: mkdir %s: %s\n", s->dir, strerror(errno));
		goto out;
	}
	log = server_file(s, "server.log");
	port_path = server_file(s, "port");
	if ((s->pid = mail_spawn(args, log, env)) < 0)
		goto out;
	while (now_mono() - t0 < START_TIMEOUT_S) {
		char *text = read_file(port_path, NULL);
		int st;

		if (text) {
			s->port = atoi(text);
			free(text);
			ok = s->port > 0;
			break;
		}
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			s->pid = -1;
			break;
		}
		sleep_ms(20);
	}
	if (!ok) {
		char *text = read_file(log, NULL);
		fprintf(stderr,
			"mail: the %s SMTP server did not start (is python3-aiosmtpd installed? "
			"scripts/install-deps): %s\n",
			s->name, text ? text : "(no log)");
		free(text);
	}
out:
	free(script);
	free(log);
	free(port_path);
	free(pw);
	return ok;
}

static int suite_cleanup(void)
{
	bool ok = true;

	for (size_t i = 0; i < sizeof(servers) / sizeof(servers[0]); i++) {
		struct server *s = servers[i];
		if (s->pid > 0 && !mail_stop(s->pid)) {
			fprintf(stderr, "mail: the %s SMTP server's group survived SIGKILL\n", s->name);
			ok = false;
		}
		s->pid = -1;
		free(s->dir);
		s->dir = NULL;
	}
	fx_remove_tree(root);
	free(root);
	root = NULL;
	return ok ? 0 : -1;
}

static int suite_init(void)
{
	if (!(root = fx_scratch_dir("smtp")))
		return -1;
	for (size_t i = 0; i < sizeof(servers) / sizeof(servers[0]); i++) {
		servers[i]->dir = xasprintf("%s/%s", root, servers[i]->name);
		if (!start_server(servers[i])) {
			suite_cleanup();
			return -1;
		}
	}
	return 0;
}

/* The messages the server has accepted so far. */
static int accepted(const struct server *s)
{
	int n = 0;

	for (;; n++) {
		char *p = xasprintf("%s/msg-%d.json", s->dir, n + 1);
		bool there = access(p, F_OK) == 0;
		free(p);
		if (!there)
			return n;
	}
}

/* What the server answers at stage (MAIL, RCPT, DATA) from now on; NULL: accept. */
static void refuse(const struct server *s, const char *stage, const char *reply)
{
	char *path = server_file(s, "control");

	if (!stage) {
		unlink(path);
	} else {
		FILE *f = fopen(path, "w");
		EXPECT(f != NULL, "cannot write %s", path);
		if (f) {
			fprintf(f, "%s %s\n", stage, reply);
			fclose(f);
		}
	}
	free(path);
}

/* ------------------------------------------------------------ mailers */

static struct vs_smtp_options options(const char *url)
{
	return (struct vs_smtp_options){
		.url = url,
		.from = { FROM_NAME, FROM_EMAIL },
		.timeout_ms = 10000,
	};
}

/* A mailer in a (NULL with a failure when the options are refused). */
static struct vs_mailer *mailer(struct vs_arena *a, const struct vs_smtp_options *o)
{
	struct vs_mailer *m = NULL;
	struct vs_error e = { 0 };

	if (vs_smtp_mailer_new(a, o, &m, &e) != VS_OK)
		EXPECT(false, "vs_smtp_mailer_new: %s", e.detail ? e.detail : "?");
	return m;
}

static char *url(const char *scheme, int port, const char *query)
{
	return xasprintf("%s://127.0.0.1:%d%s%s", scheme, port, query ? "?" : "", query ? query : "");
}

static struct vs_mail invitation(void)
{
	return (struct vs_mail){
		.from = { NULL, NULL }, /* the mailer's */
		.to = { "J\xc3\xbcrgen M\xc3\xbcller", "juergen@example.org" },
		.subject = "Einladung zu \xc2\xbbM\xc3\xbcller & S\xc3\xb6hne\xc2\xab \xe2\x80\x93 "
			   "bitte best\xc3\xa4tigen Sie Ihre Einladung in den n\xc3\xa4" "chsten "
			   "sieben Tagen \xf0\x9f\x8e\x89",
		.text = "Hallo J\xc3\xbcrgen,\n\nSie wurden eingeladen. \xc3\x96" "ffnen Sie:\n"
			"https://vs.example/accept-invitation#token=vsit_0123456789abcdefghijklmnop"
			"qrstuvwxyz0123456789ABCDEFGHIJ\n.\n..\n.leading dot\nFrom the team\n"
			"a=b  \n",
		.html = "<!doctype html>\n<p>Hallo J\xc3\xbcrgen,</p>\n<p><a href=\"https://vs.example/"
			"accept-invitation#token=vsit_0123456789\">Einladung annehmen</a></p>\n",
	};
}

static enum vs_err send_mail(struct vs_mailer *m, struct vs_arena *a, const struct vs_mail *mail,
			     int64_t deadline_ms, struct vs_error *e)
{
	*e = (struct vs_error){ 0 };
	return m->ops->send(m, a, mail, deadline_ms, e);
}

/* The envelope the server recorded for its n-th message, or NULL. */
static struct json_object *envelope(const struct server *s, int n)
{
	char *p = xasprintf("%s/msg-%d.json", s->dir, n);
	char *text = read_file(p, NULL);
	struct json_object *o = text ? json_tokener_parse(text) : NULL;

	EXPECT(o != NULL, "no envelope in %s", p);
	free(text);
	free(p);
	return o;
}

/* The n-th message as Python's email package reads it matches mail (sent with the
 * mailer's From). */
static void expect_received(const struct server *s, int n, const struct vs_mail *mail)
{
	static const struct vs_mail_address from = { FROM_NAME, FROM_EMAIL };
	char *path = xasprintf("%s/msg-%d.eml", s->dir, n);

	chk_context("message %d of the %s server", n, s->name);
	mail_expect_read(path, mail, &from, "@vs.example>");
	chk_context(NULL);
	free(path);
}

/* ------------------------------------------------------------ the tests */

static void test_smtp_delivers_a_mail_a_client_reads(void)
{
	struct vs_arena *a = vs_arena_new();
	/* The URL's path is the EHLO name. */
	char *u = xasprintf("smtp://127.0.0.1:%d/mta.vs.example?starttls=never", plain.port);
	struct vs_smtp_options o = options(u);
	struct vs_mailer *m = mailer(a, &o);
	struct vs_mail mail = invitation();
	struct vs_error e;
	int before = accepted(&plain);

	if (m && EXPECT(send_mail(m, a, &mail, 0, &e) == VS_OK, "send: %s", e.detail)) {
		EXPECT(accepted(&plain) == before + 1, "the server has %d messages", accepted(&plain));
		struct json_object *env = envelope(&plain, before + 1);
		EXPECT(strcmp(mail_str(env, "mail_from"), FROM_EMAIL) == 0, "MAIL FROM %s",
		       mail_str(env, "mail_from"));
		struct json_object *rcpt = mail_obj(env, "rcpt_tos");
		EXPECT(rcpt && json_object_array_length(rcpt) == 1 &&
			       strcmp(json_object_get_string(json_object_array_get_idx(rcpt, 0)),
				      "juergen@example.org") == 0,
		       "RCPT TO %s", json_object_to_json_string(rcpt));
		EXPECT(!json_object_get_boolean(mail_obj(env, "tls")), "plain was asked for");
		EXPECT(strcmp(mail_str(env, "helo"), "mta.vs.example") == 0, "EHLO %s",
		       mail_str(env, "helo"));
		json_object_put(env);
		expect_received(&plain, before + 1, &mail);
	}
	free(u);
	vs_arena_free(a);
}

/* A reply at a stage → the outcome, the reply in the detail, nothing delivered. */
static void expect_refusal(const char *stage, const char *reply, enum vs_err want)
{
	struct vs_arena *a = vs_arena_new();
	char *u = url("smtp", plain.port, "starttls=never");
	struct vs_smtp_options o = options(u);
	struct vs_mailer *m = mailer(a, &o);
	struct vs_mail mail = invitation();
	struct vs_error e;
	int before = accepted(&plain);

	chk_context("%s answered with %s", stage, reply);
	refuse(&plain, stage, reply);
	if (m) {
		enum vs_err rc = send_mail(m, a, &mail, 0, &e);
		EXPECT(rc == want, "send gave %s, want %s: %s", vs_err_slug(rc), vs_err_slug(want),
		       e.detail ? e.detail : "(no detail)");
		EXPECT(e.code == rc, "e.code %d", (int)e.code);
		EXPECT(e.detail && strstr(e.detail, reply), "the detail should quote the reply: %s",
		       e.detail ? e.detail : "(none)");
	}
	refuse(&plain, NULL, NULL);
	EXPECT(accepted(&plain) == before, "the refused mail was delivered");
	chk_context(NULL);
	free(u);
	vs_arena_free(a);
}

static void test_smtp_4xx_may_work_later(void)
{
	expect_refusal("RCPT", "451 4.3.0 Try again later", VS_UNAVAILABLE);
	expect_refusal("MAIL", "421 4.3.2 Service shutting down", VS_UNAVAILABLE);
	expect_refusal("DATA", "452 4.3.1 Insufficient system storage", VS_UNAVAILABLE);
}

static void test_smtp_5xx_never_will(void)
{
	expect_refusal("RCPT", "550 5.1.1 No such user here", VS_INVALID);
	expect_refusal("MAIL", "553 5.1.8 Sender address rejected", VS_INVALID);
	expect_refusal("DATA", "554 5.7.1 Message refused as spam", VS_INVALID);
	/* Authentication required: the configuration's fault, not the mail's. */
	expect_refusal("MAIL", "530 5.7.0 Authentication required", VS_UNAVAILABLE);
}

/* A port nobody listens on: refused at once. */
static void test_smtp_nothing_listening_may_work_later(void)
{
	struct vs_arena *a = vs_arena_new();
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	CU_ASSERT_FATAL(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
			getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
	close(fd); /* the port is free again, and nothing listens there */
	char *u = url("smtp", ntohs(sa.sin_port), "starttls=never");
	struct vs_smtp_options o = options(u);
	struct vs_mailer *m = mailer(a, &o);
	struct vs_mail mail = invitation();
	struct vs_error e;
	double t0 = now_mono();

	if (m) {
		enum vs_err rc = send_mail(m, a, &mail, 3000, &e);
		EXPECT(rc == VS_UNAVAILABLE, "send gave %s: %s", vs_err_slug(rc), e.detail);
		EXPECT(now_mono() - t0 < 3.0, "took %.1f s", now_mono() - t0);
		EXPECT(e.detail && strstr(e.detail, "could not send the mail"), "detail %s", e.detail);
	}
	free(u);
	vs_arena_free(a);
}

/* A server that takes the connection and never greets: the deadline ends it. */
static void test_smtp_silent_server_ends_at_the_deadline(void)
{
	struct vs_arena *a = vs_arena_new();
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	CU_ASSERT_FATAL(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
			listen(fd, 4) == 0 && getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
	char *u = url("smtp", ntohs(sa.sin_port), "starttls=never");
	struct vs_smtp_options o = options(u);
	struct vs_mailer *m = mailer(a, &o);
	struct vs_mail mail = invitation();
	struct vs_error e;

	if (m) {
		double t0 = now_mono();
		enum vs_err rc = send_mail(m, a, &mail, 1000, &e);
		double took = now_mono() - t0;
		EXPECT(rc == VS_UNAVAILABLE, "send gave %s: %s", vs_err_slug(rc), e.detail);
		EXPECT(took >= 0.9 && took < 3.0, "a deadline of 1 s took %.2f s", took);
		EXPECT(e.detail && strstr(e.detail, "imed out"), "detail %s", e.detail);
		/* The mailer's own default when the send names none. */
		o.timeout_ms = 700;
		struct vs_mailer *m2 = mailer(a, &o);
		t0 = now_mono();
		rc = m2 ? send_mail(m2, a, &mail, 0, &e) : VS_INTERNAL;
		took = now_mono() - t0;
		EXPECT(rc == VS_UNAVAILABLE && took >= 0.6 && took < 2.5,
		       "default deadline of 0.7 s: %s after %.2f s", vs_err_slug(rc), took);
	}
	close(fd);
	free(u);
	vs_arena_free(a);
}

static void test_smtp_starttls_and_auth(void)
{
	struct vs_arena *a = vs_arena_new();
	char *u = url("smtp", starttls.port, NULL); /* STARTTLS required by default */
	char *ca = server_file(&starttls, "cert.pem");
	struct vs_smtp_options o = options(u);
	struct vs_mail mail = invitation();
	struct vs_mailer *m;
	struct vs_error e;
	enum vs_err rc;
	int before = accepted(&starttls);

	o.ca_file = ca;
	o.user = starttls.user;
	o.password = starttls.password;
	if ((m = mailer(a, &o)) &&
	    EXPECT((rc = send_mail(m, a, &mail, 0, &e)) == VS_OK, "send: %s", e.detail)) {
		struct json_object *env = envelope(&starttls, before + 1);
		EXPECT(strcmp(mail_str(env, "login"), "alice") == 0, "login %s",
		       mail_str(env, "login"));
		EXPECT(json_object_get_boolean(mail_obj(env, "tls")), "the mail came in the clear");
		json_object_put(env);
		expect_received(&starttls, before + 1, &mail);
	}

	/* A wrong password: the server's 535, and never the password. */
	o.password = "wrong horse battery";
	if ((m = mailer(a, &o))) {
		rc = send_mail(m, a, &mail, 0, &e);
		EXPECT(rc == VS_UNAVAILABLE, "wrong password: %s: %s", vs_err_slug(rc), e.detail);
		EXPECT(e.detail && strstr(e.detail, "535"), "detail %s", e.detail);
		EXPECT(e.detail && !strstr(e.detail, "horse"), "the password is in the detail");
	}

	/* The self-signed certificate without the CA file: verification fails. */
	o.password = starttls.password;
	o.ca_file = NULL;
	if ((m = mailer(a, &o))) {
		rc = send_mail(m, a, &mail, 0, &e);
		EXPECT(rc == VS_UNAVAILABLE, "unverified server: %s: %s", vs_err_slug(rc), e.detail);
		EXPECT(e.detail && strstr(e.detail, "certificate"), "detail %s", e.detail);
	}

	/* Plain to a server that insists on STARTTLS: its 530, the configuration's fault. */
	char *plain_url = url("smtp", starttls.port, "starttls=never");
	struct vs_smtp_options po = options(plain_url);
	if ((m = mailer(a, &po))) {
		rc = send_mail(m, a, &mail, 0, &e);
		EXPECT(rc == VS_UNAVAILABLE, "no STARTTLS: %s: %s", vs_err_slug(rc), e.detail);
		EXPECT(e.detail && strstr(e.detail, "530"), "detail %s", e.detail);
	}
	EXPECT(accepted(&starttls) == before + 1, "%d messages", accepted(&starttls));
	free(plain_url);
	free(ca);
	free(u);
	vs_arena_free(a);
}

/* STARTTLS is required unless the URL says otherwise: a server without it gets nothing. */
static void test_smtp_starttls_required_by_default(void)
{
	struct vs_arena *a = vs_arena_new();
	char *u = url("smtp", plain.port, NULL);
	struct vs_smtp_options o = options(u);
	struct vs_mailer *m = mailer(a, &o);
	struct vs_mail mail = invitation();
	struct vs_error e;
	int before = accepted(&plain);

	if (m) {
		enum vs_err rc = send_mail(m, a, &mail, 0, &e);
		EXPECT(rc == VS_UNAVAILABLE, "send gave %s: %s", vs_err_slug(rc), e.detail);
		EXPECT(e.detail && strstr(e.detail, "STARTTLS"), "detail %s", e.detail);
	}
	EXPECT(accepted(&plain) == before, "delivered in the clear");
	/* optional: STARTTLS when offered, else plain. */
	free(u);
	u = url("smtp", plain.port, "starttls=optional");
	o = options(u);
	if ((m = mailer(a, &o)))
		EXPECT(send_mail(m, a, &mail, 0, &e) == VS_OK, "send: %s", e.detail);
	EXPECT(accepted(&plain) == before + 1, "not delivered");
	free(u);
	vs_arena_free(a);
}

/* smtps://, the credentials in the URL (percent-encoded), the mail's own From. */
static void test_smtp_implicit_tls_credentials_in_url(void)
{
	struct vs_arena *a = vs_arena_new();
	char *u = xasprintf("smtps://bob:p%%40ss%%20w%%3Ard%%2F%%25@127.0.0.1:%d", smtps.port);
	char *ca = server_file(&smtps, "cert.pem");
	struct vs_smtp_options o = options(u);
	struct vs_mail mail = invitation();
	struct vs_mailer *m;
	struct vs_error e;
	int before = accepted(&smtps);

	o.ca_file = ca;
	mail.from = (struct vs_mail_address){ "Tenant Admin", "admin@tenant.example" };
	if ((m = mailer(a, &o)) &&
	    EXPECT(send_mail(m, a, &mail, 0, &e) == VS_OK, "send: %s", e.detail)) {
		struct json_object *env = envelope(&smtps, before + 1);
		EXPECT(strcmp(mail_str(env, "login"), "bob") == 0, "login %s", mail_str(env, "login"));
		EXPECT(json_object_get_boolean(mail_obj(env, "tls")), "no TLS");
		/* The envelope sender stays the configured one (bounces come to us). */
		EXPECT(strcmp(mail_str(env, "mail_from"), FROM_EMAIL) == 0, "MAIL FROM %s",
		       mail_str(env, "mail_from"));
		json_object_put(env);
		char *path = xasprintf("%s/msg-%d.eml", smtps.dir, before + 1);
		struct json_object *got = mail_check(path);
		EXPECT(strcmp(mail_str(mail_obj(got, "from"), "email"), "admin@tenant.example") == 0 &&
			       strcmp(mail_str(mail_obj(got, "from"), "name"), "Tenant Admin") == 0,
		       "From %s", json_object_to_json_string(mail_obj(got, "from")));
		json_object_put(got);
		free(path);
	}
	free(ca);
	free(u);
	vs_arena_free(a);
}

/* A mail that cannot be composed never reaches the server. */
static void test_smtp_bad_mail_is_refused_before_connecting(void)
{
	struct vs_arena *a = vs_arena_new();
	char *u = url("smtp", plain.port, "starttls=never");
	struct vs_smtp_options o = options(u);
	struct vs_mailer *m = mailer(a, &o);
	struct vs_mail mail = invitation();
	struct vs_error e;
	int before = accepted(&plain);

	mail.to.email = "juergen@example.org>\r\nRCPT TO:<evil@example.com";
	if (m) {
		EXPECT(send_mail(m, a, &mail, 0, &e) == VS_INVALID, "send: %s", e.detail);
		EXPECT(e.nfields == 1 && strcmp(e.fields[0].field, "to.email") == 0, "field %s",
		       e.nfields ? e.fields[0].field : "(none)");
	}
	EXPECT(accepted(&plain) == before, "delivered");
	free(u);
	vs_arena_free(a);
}

/* Options refused at start, with a detail that names the variable, never a secret. */
static void test_smtp_refuses_bad_configuration(void)
{
	static const struct {
		const char *url, *user, *password, *ca, *from, *from_name;
	} bad[] = {
		{ "not a url", NULL, NULL, NULL, NULL, NULL },
		{ "", NULL, NULL, NULL, NULL, NULL },
		{ "http://127.0.0.1:25", NULL, NULL, NULL, NULL, NULL },
		{ "smtp://127.0.0.1:25?starttls=sometimes", NULL, NULL, NULL, NULL, NULL },
		{ "smtp://127.0.0.1:25?tls=1", NULL, NULL, NULL, NULL, NULL },
		{ "smtps://127.0.0.1:465?starttls=required", NULL, NULL, NULL, NULL, NULL },
		{ "smtp://127.0.0.1:25#frag", NULL, NULL, NULL, NULL, NULL },
		{ "smtp://u:secretpw@127.0.0.1:25?starttls=optional", NULL, NULL, NULL, NULL, NULL },
		{ "smtp://u:secretpw@127.0.0.1:25?starttls=never", NULL, NULL, NULL, NULL, NULL },
		{ "smtp://127.0.0.1:25?starttls=never", "u", "secretpw", NULL, NULL, NULL },
		{ "smtps://u:secretpw@127.0.0.1", "u", "secretpw", NULL, NULL, NULL },
		{ "smtps://127.0.0.1", "u", NULL, NULL, NULL, NULL },
		{ "smtps://127.0.0.1", NULL, "secretpw", NULL, NULL, NULL },
		{ "smtps://u@127.0.0.1", NULL, NULL, NULL, NULL, NULL },
		{ "smtps://127.0.0.1", NULL, NULL, "/nonexistent/ca.pem", NULL, NULL },
		{ "smtps://127.0.0.1", NULL, NULL, NULL, "not-an-address", NULL },
		{ "smtps://127.0.0.1", NULL, NULL, NULL, "a@b.example\r\nBcc: x@y.example", NULL },
		{ "smtps://127.0.0.1", NULL, NULL, NULL, FROM_EMAIL, "Evil\r\nBcc: x@y.example" },
	};
	struct vs_arena *a = vs_arena_new();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vs_smtp_options o = options(bad[i].url);
		struct vs_mailer *m = (struct vs_mailer *)1;
		struct vs_error e = { 0 };

		o.user = bad[i].user;
		o.password = bad[i].password;
		o.ca_file = bad[i].ca;
		if (bad[i].from)
			o.from.email = bad[i].from;
		if (bad[i].from_name)
			o.from.name = bad[i].from_name;
		chk_context("case %zu: %s", i, bad[i].url);
		EXPECT(vs_smtp_mailer_new(a, &o, &m, &e) == VS_INVALID, "accepted");
		EXPECT(m == NULL, "a mailer came back");
		EXPECT(e.detail && strstr(e.detail, "SMTP"), "detail %s",
		       e.detail ? e.detail : "(none)");
		EXPECT(!e.detail || !strstr(e.detail, "secretpw"), "the password is in the detail");
		chk_context(NULL);
	}

	static const char *const good[] = {
		"smtp://127.0.0.1", "smtp://mail.example:587", "smtp://mail.example:587?starttls=required",
		"smtp://localhost:25?starttls=optional", "smtp://localhost:25/vs.example?starttls=never",
		"smtps://mail.example", "smtps://user%40example:pw@mail.example:465",
		"SMTPS://mail.example", "smtp://[::1]:25?starttls=never",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct vs_smtp_options o = options(good[i]);
		struct vs_mailer *m = NULL;
		struct vs_error e = { 0 };
		chk_context("good case %s", good[i]);
		EXPECT(vs_smtp_mailer_new(a, &o, &m, &e) == VS_OK && m, "refused: %s",
		       e.detail ? e.detail : "?");
		chk_context(NULL);
	}
	vs_arena_free(a);
}

static int add_mail_smtp_suite(void)
{
	static const struct it_test tests[] = {
		{ "smtp: delivers a mail a client reads", test_smtp_delivers_a_mail_a_client_reads },
		{ "smtp: 4xx may work later", test_smtp_4xx_may_work_later },
		{ "smtp: 5xx never will", test_smtp_5xx_never_will },
		{ "smtp: nothing listening may work later", test_smtp_nothing_listening_may_work_later },
		{ "smtp: a silent server ends at the deadline",
		  test_smtp_silent_server_ends_at_the_deadline },
		{ "smtp: STARTTLS and AUTH", test_smtp_starttls_and_auth },
		{ "smtp: STARTTLS required by default", test_smtp_starttls_required_by_default },
		{ "smtp: implicit TLS, credentials in the URL",
		  test_smtp_implicit_tls_credentials_in_url },
		{ "smtp: a bad mail is refused before connecting",
		  test_smtp_bad_mail_is_refused_before_connecting },
		{ "smtp: refuses bad configuration", test_smtp_refuses_bad_configuration },
		{ NULL, NULL },
	};

	return it_add_suite("mail: smtp", suite_init, suite_cleanup, tests);
}

IT_REGISTER(add_mail_smtp_suite)
