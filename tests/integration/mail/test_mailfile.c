/*
 * The mail-file mailer (lib/adapters/mailfile): each mail an .eml file in a directory it
 * makes, whole or absent, mode 0640, read back with Python's email package
 * (check_mail.py). File I/O, so here and not in tests/unit. Needs no stack.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapters/mailfile/mailfile.h"
#include "check.h"
#include "fixtures.h"
#include "core/log.h"
#include "mail_util.h"
#include "suites.h"
#include "util.h"

static const struct vs_mail_address FROM = { "VirtualStack", "noreply@vs.example" };
static char *root;

/* The mailer logs each file it writes (info): not in the test report. */
static int suite_init(void)
{
	vs_log_set_level(VS_LOG_WARN);
	return (root = fx_scratch_dir("mailfile")) ? 0 : -1;
}

static int suite_cleanup(void)
{
	vs_log_set_level(VS_LOG_INFO); /* core/log.c's default */
	fx_remove_tree(root);
	free(root);
	root = NULL;
	return 0;
}

static int not_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* The names in dir (dot files too), sorted, as one string "a b c". */
static char *names_in(const char *dir)
{
	struct dirent **list;
	int n = scandir(dir, &list, not_dots, alphasort);
	char *out = xstrdup("");

	for (int i = 0; i < n; i++) {
		char *next = xasprintf("%s%s%s", out, i ? " " : "", list[i]->d_name);
		free(out);
		out = next;
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	return out;
}

/* "20260101T100000Z-<id>.eml" with id of [A-Za-z0-9._-]. */
static bool good_name(const char *name, const char *id)
{
	size_t n = strlen(name);

	if (n < 23 || name[8] != 'T' || name[15] != 'Z' || name[16] != '-' ||
	    strcmp(name + n - 4, ".eml") != 0)
		return false;
	for (int i = 0; i < 15; i++)
		if (i != 8 && (name[i] < '0' || name[i] > '9'))
			return false;
	if (id)
		return n == 21 + strlen(id) && strncmp(name + 17, id, strlen(id)) == 0;
	for (size_t i = 17; i < n - 4; i++)
		if (!strchr("0123456789abcdef", name[i]))
			return false;
	return n - 4 - 17 == 32;
}

static struct vs_mail a_mail(void)
{
	return (struct vs_mail){
		.to = { "Zo\xc3\xab \xc3\x85str\xc3\xb6m", "zoe@example.org" },
		.subject = "You are invited to \xe2\x80\x9c" "Acme Cloud\xe2\x80\x9d",
		.text = "Hello Zo\xc3\xab,\n\naccept: https://vs.example/accept-invitation#token=x\n",
	};
}

static enum vs_err send_mail(struct vs_mailer *m, struct vs_arena *a, const struct vs_mail *mail,
			     struct vs_error *e)
{
	*e = (struct vs_error){ 0 };
	return m->ops->send(m, a, mail, 0, e);
}

static void test_mailfile_writes_a_mail_a_client_reads(void)
{
	struct vs_arena *a = vs_arena_new();
	char *dir = xasprintf("%s/state/mail", root); /* neither exists yet */
	struct vs_mailer *m = NULL;
	struct vs_error e = { 0 };
	struct vs_mail mail = a_mail();
	struct stat st;

	CU_ASSERT_EQUAL_FATAL(vs_mailfile_mailer_new(a, dir, &FROM, &m, &e), VS_OK);
	EXPECT(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0750,
	       "%s: mode %o", dir, (unsigned)(st.st_mode & 0777));
	if (EXPECT(send_mail(m, a, &mail, &e) == VS_OK, "send: %s", e.detail)) {
		char *names = names_in(dir);
		EXPECT(good_name(names, NULL), "the directory holds: %s", names);
		char *path = xasprintf("%s/%s", dir, names);
		EXPECT(stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0640,
		       "%s: mode %o", path, (unsigned)(st.st_mode & 0777));
		mail_expect_read(path, &mail, &FROM, "@vs.example>");

		/* With an HTML part too, and the mail's own From. */
		mail.html = "<p>Hello Zo\xc3\xab,</p>\n<p><a href=\"https://vs.example/\">Accept</a></p>";
		mail.from = (struct vs_mail_address){ NULL, "admin@tenant.example" };
		mail.message_id = "<second@tenant.example>";
		if (EXPECT(send_mail(m, a, &mail, &e) == VS_OK, "send: %s", e.detail)) {
			char *names2 = names_in(dir);
			char *second = strchr(names2, ' ');
			EXPECT(second && good_name(second + 1, "second"), "the directory holds: %s",
			       names2);
			if (second) {
				char *path2 = xasprintf("%s/%s", dir, second + 1);
				mail_expect_read(path2, &mail, &FROM, "@tenant.example>");
				free(path2);
			}
			free(names2);
		}
		free(path);
		free(names);
	}
	free(dir);
	vs_arena_free(a);
}

/* One file per mail, named by its Message-ID as far as it is safe in a file name; no
 * temporary file left behind. */
static void test_mailfile_names_one_file_per_mail(void)
{
	struct vs_arena *a = vs_arena_new();
	char *dir = xasprintf("%s/names", root);
	struct vs_mailer *m = NULL;
	struct vs_error e = { 0 };
	struct vs_mail mail = a_mail();

	CU_ASSERT_EQUAL_FATAL(vs_mailfile_mailer_new(a, dir, NULL, &m, &e), VS_OK);
	for (int i = 0; i < 3; i++)
		EXPECT(send_mail(m, a, &mail, &e) == VS_OK, "send %d: %s", i, e.detail);
	mail.message_id = "<a+b=c/d.e_f-g@vs.example>";
	EXPECT(send_mail(m, a, &mail, &e) == VS_OK, "send: %s", e.detail);
	char *names = names_in(dir);
	int count = 0, generated = 0, named = 0;
	for (char *tok = strtok(names, " "); tok; tok = strtok(NULL, " ")) {
		count++;
		generated += good_name(tok, NULL);
		named += good_name(tok, "a_b_c_d.e_f-g");
		if (good_name(tok, NULL) && generated == 1) {
			/* No From given anywhere: the default sender. */
			char *path = xasprintf("%s/%s", dir, tok);
			struct vs_mail want = a_mail();
			const struct vs_mail_address def = { NULL, "virtualstack@localhost" };
			mail_expect_read(path, &want, &def, "@localhost>");
			free(path);
		}
	}
	EXPECT(count == 4 && generated == 3 && named == 1, "%d files, %d generated, %d named",
	       count, generated, named);
	free(names);
	free(dir);
	vs_arena_free(a);
}

static void test_mailfile_failures(void)
{
	struct vs_arena *a = vs_arena_new();
	char *file = xasprintf("%s/a-file", root), *under = xasprintf("%s/mail", file);
	char *dir = xasprintf("%s/comes-and-goes", root);
	struct vs_mailer *m = (struct vs_mailer *)1;
	struct vs_error e = { 0 };
	struct vs_mail mail = a_mail();
	FILE *f = fopen(file, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fclose(f);
	/* A directory that cannot be made: refused at start. */
	EXPECT(vs_mailfile_mailer_new(a, under, &FROM, &m, &e) == VS_INVALID && !m, "accepted %s",
	       under);
	EXPECT(e.detail && strstr(e.detail, "could not create the mail directory"), "detail %s",
	       e.detail);
	const struct vs_mail_address bad_from = { NULL, "not an address" };
	const struct vs_mail_address bad_name = { "a\r\nBcc: x@y.example", "a@b.example" };
	EXPECT(vs_mailfile_mailer_new(a, dir, &bad_from, &m, &e) == VS_INVALID, "bad from");
	EXPECT(vs_mailfile_mailer_new(a, dir, &bad_name, &m, &e) == VS_INVALID, "bad from name");
	EXPECT(vs_mailfile_mailer_new(a, "", &FROM, &m, &e) == VS_INVALID, "no directory");

	CU_ASSERT_EQUAL_FATAL(vs_mailfile_mailer_new(a, dir, &FROM, &m, &e), VS_OK);
	/* A mail that cannot be composed: VS_INVALID, no file. */
	mail.subject = "Hi\r\nBcc: evil@example.com";
	EXPECT(send_mail(m, a, &mail, &e) == VS_INVALID, "send: %s", e.detail);
	char *names = names_in(dir);
	EXPECT(names[0] == '\0', "the directory holds: %s", names);
	free(names);

	/* The directory replaced by a file: may work later, and does once it is gone. */
	mail = a_mail();
	CU_ASSERT_EQUAL_FATAL(rmdir(dir), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(dir, "w"));
	fclose(f);
	EXPECT(send_mail(m, a, &mail, &e) == VS_UNAVAILABLE, "send: %s", e.detail);
	EXPECT(e.detail && strstr(e.detail, "could not write the mail file"), "detail %s",
	       e.detail);
	unlink(dir);
	EXPECT(send_mail(m, a, &mail, &e) == VS_OK, "send: %s", e.detail);
	names = names_in(dir);
	EXPECT(good_name(names, NULL), "the directory holds: %s", names);
	free(names);
	free(dir);
	free(under);
	free(file);
	vs_arena_free(a);
}

static int add_mailfile_suite(void)
{
	static const struct it_test tests[] = {
		{ "mailfile: writes a mail a client reads",
		  test_mailfile_writes_a_mail_a_client_reads },
		{ "mailfile: one file per mail, named by its id",
		  test_mailfile_names_one_file_per_mail },
		{ "mailfile: failures", test_mailfile_failures },
		{ NULL, NULL },
	};

	return it_add_suite("mail: mailfile", suite_init, suite_cleanup, tests);
}

IT_REGISTER(add_mailfile_suite)
