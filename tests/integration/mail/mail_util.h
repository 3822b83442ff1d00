/*
 * What the mail suites share: a scratch directory, Debian's Python (/usr/bin/python3,
 * with python3-aiosmtpd) run as a child in its own process group with a minimal
 * environment, and check_mail.py, which reads a message with Python's email package.
 */
#ifndef IT_MAIL_UTIL_H
#define IT_MAIL_UTIL_H

#include "mail/domain.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#define MAIL_PYTHON "/usr/bin/python3" /* Debian's, not one first on PATH */


/* tests/integration/mail/<name> of the repository, malloc'd. */
char *mail_script(const char *name);

/*
 * Starts MAIL_PYTHON with args (NULL-terminated, after the interpreter) in a process
 * group of its own, stdin from /dev/null, stdout and stderr to log_path, environment
 * PATH, LANG and the NULL-terminated extra_env. The pid (= its group), or -1.
 */
pid_t mail_spawn(const char *const *args, const char *log_path, const char *const *extra_env);
/* SIGTERM to pid's group, up to 5 s for pid to exit, then SIGKILL to the group; reaps pid.
 * False when something of the group was still there after SIGKILL. */
bool mail_stop(pid_t pid);

/*
 * Runs MAIL_PYTHON with args (as mail_spawn does), its output to out_path, for at most
 * 30 s: the JSON object it printed (json_object_put it), or NULL with a CUnit failure
 * naming what when it did not finish, failed, or printed no JSON object. The helper
 * scripts' (check_mail.py, webhooks/check_signature.py) one way of being run.
 */
struct json_object *mail_run_json(const char *const *args, const char *out_path,
				  const char *what);

/* check_mail.py on path: its JSON (json_object_put it), or NULL with a CUnit failure. */
struct json_object *mail_check(const char *path);

/*
 * check_mail.py on path, and what a client reads matches mail: From (from when
 * mail->from.email is NULL), To, the decoded Subject, a Date, a Message-ID ending in
 * id_suffix, MIME 1.0, and the text (and html) part with charset utf-8; no parser
 * defect, lines ≤ 78, CRLF only, 7-bit. Failures are CUnit failures.
 */
void mail_expect_read(const char *path, const struct vs_mail *mail,
		      const struct vs_mail_address *from, const char *id_suffix);

/* Accessors that never crash on a missing key: "" / -1 / NULL. */
const char *mail_str(struct json_object *o, const char *key);
long mail_int(struct json_object *o, const char *key);
struct json_object *mail_obj(struct json_object *o, const char *key);

#endif
