/*
 * The invitation e-mail end to end (API.md §7): the stack's job runners send it to the
 * test SMTP server tests/integration/run starts (aiosmtpd; each message it takes is a
 * file in VS_TEST_SMTP_DIR), read here as a mail client would (check_mail.py): to the
 * invited address, text and HTML, the tenant's name, and the accept link whose token is
 * the one the API answered. A server that refuses the recipient for now (RCPT 451, by
 * VS_TEST_SMTP_DIR/control) makes the job retry until it takes the mail; a resend mails
 * the new token.
 */
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "inv_util.h"
#include "json_get.h"
#include "mail/mail_util.h"
#include "pg_util.h"
#include "rbac_world.h"
#include "suites.h"
#include "util.h"

#define LINK "/accept-invitation#token="
#define ARRIVAL_S 10 /* "within a few seconds", with room for a sanitizer build */

static struct rbac_world world;
static bool world_tried, world_ok;

static struct rbac_world *get_world(void)
{
	if (!world_tried) {
		world_tried = true;
		world_ok = EXPECT(getenv("VS_TEST_SMTP_DIR"),
				  "VS_TEST_SMTP_DIR must be set (tests/integration/run)") &&
			   rw_build(&world);
	}
	EXPECT(world_ok, "could not build the tenants and users of this suite "
			 "(the first failure above says why)");
	return world_ok ? &world : NULL;
}

static char *control_path(void)
{
	return xasprintf("%s/control", getenv("VS_TEST_SMTP_DIR"));
}

/* What the SMTP server answers at RCPT, or everything accepted (NULL). */
static void smtp_refuse(const char *rcpt_reply)
{
	char *path = control_path(), *tmp = xasprintf("%s.tmp", path);
	if (rcpt_reply) {
		FILE *f = fopen(tmp, "w");
		EXPECT(f && fprintf(f, "RCPT %s\n", rcpt_reply) > 0 && fclose(f) == 0 &&
			       rename(tmp, path) == 0,
		       "could not write %s", path);
	} else {
		unlink(path);
	}
	free(tmp);
	free(path);
}

static int suite_cleanup(void)
{
	if (getenv("VS_TEST_SMTP_DIR"))
		smtp_refuse(NULL);
	if (world_tried)
		rw_free(&world);
	world_tried = world_ok = false;
	inv_owner_db_close();
	return 0;
}

/* Whether the envelope (msg-N.json) names address among its recipients. */
static bool envelope_to(const char *json_path, const char *address)
{
	size_t len;
	char *text = read_file(json_path, &len);
	struct json_object *o = text ? jparse(text, len) : NULL, *rcpts = jarr(o, "rcpt_tos");
	bool found = false;
	for (size_t i = 0; i < jlen(rcpts); i++) {
		const char *r = json_object_get_string(jat(rcpts, i));
		found = found || (r && strcasecmp(r, address) == 0);
	}
	json_object_put(o);
	free(text);
	return found;
}

/* The .eml files of the messages to address the server took so far, oldest first, up to
 * max; their number. The server numbers them msg-1, msg-2, … and writes each .json last. */
static size_t mails_to(const char *address, char **paths, size_t max)
{
	const char *dir = getenv("VS_TEST_SMTP_DIR");
	size_t n = 0;
	for (int i = 1;; i++) {
		char *json = xasprintf("%s/msg-%d.json", dir, i);
		bool exists = access(json, R_OK) == 0;
		if (exists && envelope_to(json, address) && n < max)
			paths[n++] = xasprintf("%s/msg-%d.eml", dir, i);
		free(json);
		if (!exists)
			return n;
	}
}

/* The nth (1-based) message to address, waiting up to seconds for it; NULL (recorded). */
static char *wait_mail(const char *address, size_t nth, double seconds)
{
	double deadline = now_mono() + seconds;
	char *paths[8] = { NULL }, *found = NULL;
	size_t n = 0;
	do {
		for (size_t i = 0; i < n; i++)
			free(paths[i]);
		n = mails_to(address, paths, 8);
		if (n >= nth)
			break;
		sleep_ms(100);
	} while (now_mono() < deadline);
	for (size_t i = 0; i < n; i++) {
		if (i + 1 == nth)
			found = paths[i];
		else
			free(paths[i]);
	}
	EXPECT(found, "message %zu to %s did not arrive within %.0f s (%zu did)", nth, address,
	       seconds, n);
	return found;
}

/* The part of type in check_mail.py's reading, or NULL. */
static const char *part(struct json_object *mail, const char *type)
{
	struct json_object *parts = mail_obj(mail, "parts");
	for (size_t i = 0; i < jlen(parts); i++)
		if (strcmp(mail_str(jat(parts, i), "type"), type) == 0)
			return mail_str(jat(parts, i), "content");
	return NULL;
}

/* The token of the first accept link in s, malloc'd, or NULL. */
static char *link_token(const char *s)
{
	const char *at = s ? strstr(s, LINK) : NULL;
	if (!at)
		return NULL;
	at += strlen(LINK);
	return xstrndup(at, strspn(at, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					"0123456789-_"));
}

/* The invitation mail at path, as a client reads it: to inv's address, with inv's token in
 * the link of both parts and the tenant's name. */
static void expect_invitation_mail(const char *path, const struct it_invitation *inv,
				   const char *tenant_name)
{
	struct json_object *m = mail_check(path);
	if (!m)
		return;
	EXPECT(strcasecmp(mail_str(mail_obj(m, "to"), "email"), inv->email) == 0, "To: %s",
	       mail_str(mail_obj(m, "to"), "email"));
	EXPECT(strstr(mail_str(m, "subject"), tenant_name), "the subject names the tenant: %s",
	       mail_str(m, "subject"));
	EXPECT(strcmp(mail_str(m, "content_type"), "multipart/alternative") == 0,
	       "content type %s", mail_str(m, "content_type"));
	EXPECT(jlen(mail_obj(m, "defects")) == 0, "the parser found defects in %s", path);
	const char *text = part(m, "text/plain"), *html = part(m, "text/html");
	char *t1 = link_token(text), *t2 = link_token(html);
	EXPECT(text && html, "a text and an HTML part in %s", path);
	EXPECT(t1 && strcmp(t1, inv->token) == 0, "the text's link carries the token (%s)", path);
	EXPECT(t2 && strcmp(t2, inv->token) == 0, "the HTML's link carries the token (%s)", path);
	EXPECT(text && strstr(text, tenant_name) && html && strstr(html, "Accept the invitation"),
	       "the tenant's name and the call to accept: %s", text ? text : "(none)");
	EXPECT(text && strstr(text, world.persona[P_TADMIN].email), "the inviter is named: %s",
	       text ? text : "(none)");
	free(t1);
	free(t2);
	json_object_put(m);
}

/* The tenant's name, as the invitation's detail gives it; malloc'd. */
static char *tenant_name_of(const struct it_invitation *inv)
{
	struct resp *r;
	struct json_object *d = inv_get(rw_token(&world, P_TADMIN), world.tenant_a, inv->id, &r);
	char *name = xstrdup(d && jstr(d, "tenant_name") ? jstr(d, "tenant_name") : "?");
	resp_free(r);
	return name;
}

/* The job of the invitation at row as it is now: its status ("" when there is none), its
 * attempts and last_error (malloc'd or NULL) when asked. */
static void job_state(const char *id, int row, char status[32], long *attempts,
		      char **last_error)
{
	PGresult *r = inv_jobs_of(id);
	bool there = pg_succeeded(r) && PQntuples(r) > row;
	snprintf(status, 32, "%s", there ? PQgetvalue(r, row, 3) : "");
	if (attempts)
		*attempts = there ? pg_long(r, row, 4) : 0;
	if (last_error) {
		free(*last_error);
		*last_error = there && !PQgetisnull(r, row, 6) ? xstrdup(PQgetvalue(r, row, 6)) : NULL;
	}
	PQclear(r);
}

/* Waits up to seconds for the job at row to have status; its attempts then. */
static bool wait_job(const char *id, int row, const char *want, double seconds, long *attempts)
{
	double deadline = now_mono() + seconds;
	char status[32];
	for (;;) {
		job_state(id, row, status, attempts, NULL);
		if (strcmp(status, want) == 0)
			return true;
		if (now_mono() > deadline)
			return EXPECT(false, "job %d of %s is %s, not %s, after %.0f s", row, id,
				      status[0] ? status : "missing", want, seconds);
		sleep_ms(100);
	}
}

static void test_the_invitation_arrives_by_smtp(void)
{
	struct it_invitation inv;
	if (!get_world() || !inv_create(rw_token(&world, P_TADMIN), world.tenant_a, NULL, NULL, &inv))
		return;
	char *path = wait_mail(inv.email, 1, ARRIVAL_S), *name = tenant_name_of(&inv);
	if (path)
		expect_invitation_mail(path, &inv, name);
	long attempts = 0;
	if (wait_job(inv.id, 0, "succeeded", 10, &attempts))
		EXPECT(attempts == 1, "sent at attempt %ld", attempts);
	/* The envelope: from the configured sender, to the invitee only. */
	if (path) {
		char *json = xasprintf("%.*s.json", (int)strlen(path) - 4, path); /* msg-N.eml */
		size_t len;
		char *text = read_file(json, &len);
		struct json_object *env = text ? jparse(text, len) : NULL;
		const char *from = getenv("VS_SMTP_FROM");
		EXPECT(from && jstr(env, "mail_from") && strcmp(jstr(env, "mail_from"), from) == 0,
		       "MAIL FROM %s", jstr(env, "mail_from") ? jstr(env, "mail_from") : "(none)");
		EXPECT(jlen(jarr(env, "rcpt_tos")) == 1, "one recipient");
		json_object_put(env);
		free(text);
		free(json);
	}
	free(name);
	free(path);
	inv_release(&inv);
}

static void test_a_refused_recipient_is_retried_until_the_mail_is_taken(void)
{
	struct it_invitation inv;
	if (!get_world())
		return;
	smtp_refuse("451 4.3.0 Try again later");
	if (!inv_create(rw_token(&world, P_TADMIN), world.tenant_a, NULL, NULL, &inv)) {
		smtp_refuse(NULL);
		return;
	}
	/* Refused for now: the job goes back to the queue and tries again. */
	long attempts = 0;
	char *error = NULL, status[32];
	double deadline = now_mono() + 15;
	for (;;) {
		job_state(inv.id, 0, status, &attempts, &error);
		if (attempts >= 2 || now_mono() > deadline)
			break;
		sleep_ms(100);
	}
	EXPECT(attempts >= 2, "the job ran %ld times while the server refused", attempts);
	EXPECT(error && strstr(error, "451"), "last_error says why: %s", error ? error : "(none)");
	EXPECT(!error || !strstr(error, inv.token), "last_error holds the token");
	char *none[1];
	EXPECT(mails_to(inv.email, none, 1) == 0, "a refused mail arrived");

	/* Accepted again: the next attempt delivers it. */
	smtp_refuse(NULL);
	char *path = wait_mail(inv.email, 1, 15), *name = tenant_name_of(&inv);
	if (path)
		expect_invitation_mail(path, &inv, name);
	if (wait_job(inv.id, 0, "succeeded", 10, &attempts))
		EXPECT(attempts > 1, "delivered at attempt %ld", attempts);
	free(name);
	free(path);
	free(error);
	inv_release(&inv);
}

static void test_a_resend_mails_the_new_token(void)
{
	struct it_invitation inv;
	const char *admin = get_world() ? rw_token(&world, P_TADMIN) : NULL;
	if (!admin || !inv_create(admin, world.tenant_a, NULL, NULL, &inv))
		return;
	char *first = wait_mail(inv.email, 1, ARRIVAL_S), *name = tenant_name_of(&inv);
	char *path = xasprintf(INV_PATH "/%s/resend", inv.id);
	struct resp *r = req("POST", path, admin, world.tenant_a, NULL);
	struct json_object *o = EXPECT_JSON(r, 202);
	if (o && jstr(o, "token")) {
		fx_remember_secret(jstr(o, "token"));
		free(inv.token);
		inv.token = xstrdup(jstr(o, "token"));
		char *second = wait_mail(inv.email, 2, ARRIVAL_S);
		if (second)
			expect_invitation_mail(second, &inv, name);
		free(second);
	}
	resp_free(r);
	free(path);
	free(first);
	free(name);
	inv_release(&inv);
}

static int add_invitation_mail_suite(void)
{
	static const struct it_test tests[] = {
		{ "the invitation arrives by SMTP with its token in the link, text and HTML", test_the_invitation_arrives_by_smtp },
		{ "a recipient refused for now (451) is retried until the mail is taken", test_a_refused_recipient_is_retried_until_the_mail_is_taken },
		{ "a resend mails the new token", test_a_resend_mails_the_new_token },
		{ NULL, NULL },
	};
	return it_add_suite("invitation mail", NULL, suite_cleanup, tests);
}

IT_REGISTER(add_invitation_mail_suite)
