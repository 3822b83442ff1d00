#include "mail_util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "fixtures.h"
#include "util.h"

#define STOP_WAIT_MS 5000
#define CHECK_TIMEOUT_S 30.0

char *mail_script(const char *name)
{
	return xasprintf("%s/tests/integration/mail/%s", fx.cfg.repo_root ? fx.cfg.repo_root : ".",
			 name);
}

pid_t mail_spawn(const char *const *args, const char *log_path, const char *const *extra_env)
{
	const char *argv[16], *envp[16];
	size_t na = 0, ne = 0;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	pid_t pid = -1;
	int rc;

	argv[na++] = MAIL_PYTHON;
	for (; *args && na < 15; args++)
		argv[na++] = *args;
	argv[na] = NULL;
	/* Nothing of the test's environment (VS_STATE_DIR, credentials) goes along. */
	envp[ne++] = "PATH=/usr/bin:/bin";
	envp[ne++] = "LANG=C.UTF-8";
	for (; extra_env && *extra_env && ne < 15; extra_env++)
		envp[ne++] = *extra_env;
	envp[ne] = NULL;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0); /* its own group: pgid = pid */
	fflush(stdout);
	fflush(stderr);
	rc = posix_spawn(&pid, MAIL_PYTHON, &fa, &attr, (char *const *)argv, (char *const *)envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		fprintf(stderr, "mail: cannot run %s: %s (scripts/install-deps installs python3)\n",
			MAIL_PYTHON, strerror(rc));
		return -1;
	}
	return pid;
}

static bool group_gone(pid_t pgid)
{
	return kill(-pgid, 0) != 0 && errno == ESRCH;
}

bool mail_stop(pid_t pid)
{
	int st;
	bool exited = false;

	if (pid <= 0)
		return true;
	kill(-pid, SIGTERM);
	for (int waited = 0; waited < STOP_WAIT_MS; waited += 20) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid || (w < 0 && errno == ECHILD)) {
			exited = true;
			break;
		}
		sleep_ms(20);
	}
	kill(-pid, SIGKILL);
	if (!exited)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	for (int i = 0; i < 100 && !group_gone(pid); i++)
		sleep_ms(20);
	return group_gone(pid);
}

struct json_object *mail_run_json(const char *const *args, const char *out_path,
				  const char *what)
{
	struct json_object *obj = NULL;
	char *text = NULL;
	double t0 = now_mono();
	int st = 0;
	pid_t pid = mail_spawn(args, out_path, NULL);
	if (pid < 0) {
		EXPECT(false, "cannot run %s", what);
		return NULL;
	}
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (now_mono() - t0 > CHECK_TIMEOUT_S) {
			mail_stop(pid);
			EXPECT(false, "%s took more than %.0f s", what, CHECK_TIMEOUT_S);
			return NULL;
		}
		sleep_ms(10);
	}
	/* Its stderr goes to the same file, but it writes there only when it fails. */
	text = read_file(out_path, NULL);
	if (EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0 && text, "%s failed: %s", what,
		   text ? text : "(no output)")) {
		obj = json_tokener_parse(text);
		if (!EXPECT(json_object_is_type(obj, json_type_object),
			    "%s printed no JSON object: %s", what, text)) {
			json_object_put(obj);
			obj = NULL;
		}
	}
	free(text);
	return obj;
}

struct json_object *mail_check(const char *path)
{
	char *script = mail_script("check_mail.py");
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	char *out_path = xasprintf("%s/.check-%s.json", dir, slash ? slash + 1 : path);
	char *what = xasprintf("check_mail.py %s", path);
	const char *args[] = { script, path, NULL };
	struct json_object *obj = mail_run_json(args, out_path, what);
	unlink(out_path);
	free(what);
	free(out_path);
	free(dir);
	free(script);
	return obj;
}

const char *mail_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

long mail_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	return (long)json_object_get_int64(v);
}

struct json_object *mail_obj(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

void mail_expect_read(const char *path, const struct vs_mail *mail,
		      const struct vs_mail_address *from, const char *id_suffix)
{
	struct json_object *got = mail_check(path), *parts, *defects;
	const struct vs_mail_address *f = mail->from.email ? &mail->from : from;
	const char *id = mail_str(got, "message_id");
	size_t nparts = mail->html ? 2 : 1;

	if (!got)
		return;
	EXPECT(strcmp(mail_str(mail_obj(got, "from"), "name"), f->name ? f->name : "") == 0,
	       "From name %s", mail_str(mail_obj(got, "from"), "name"));
	EXPECT(strcmp(mail_str(mail_obj(got, "from"), "email"), f->email) == 0, "From %s",
	       mail_str(mail_obj(got, "from"), "email"));
	EXPECT(strcmp(mail_str(mail_obj(got, "to"), "name"), mail->to.name ? mail->to.name : "") == 0,
	       "To name %s", mail_str(mail_obj(got, "to"), "name"));
	EXPECT(strcmp(mail_str(mail_obj(got, "to"), "email"), mail->to.email) == 0, "To %s",
	       mail_str(mail_obj(got, "to"), "email"));
	EXPECT(strcmp(mail_str(got, "subject"), mail->subject) == 0, "Subject %s",
	       mail_str(got, "subject"));
	EXPECT(mail_str(got, "date_utc")[0] != '\0', "no Date a reader understands");
	EXPECT(strlen(id) > strlen(id_suffix) &&
		       strcmp(id + strlen(id) - strlen(id_suffix), id_suffix) == 0,
	       "Message-ID %s", id);
	EXPECT(strcmp(mail_str(got, "mime_version"), "1.0") == 0, "MIME-Version %s",
	       mail_str(got, "mime_version"));
	EXPECT(strcmp(mail_str(got, "content_type"),
		      mail->html ? "multipart/alternative" : "text/plain") == 0,
	       "Content-Type %s", mail_str(got, "content_type"));
	parts = mail_obj(got, "parts");
	if (EXPECT(parts && json_object_array_length(parts) == nparts, "want %zu parts: %s", nparts,
		   json_object_to_json_string(got))) {
		const char *want[][2] = { { "text/plain", mail->text }, { "text/html", mail->html } };
		for (size_t i = 0; i < nparts; i++) {
			struct json_object *p = json_object_array_get_idx(parts, i);
			EXPECT(strcmp(mail_str(p, "type"), want[i][0]) == 0, "part %zu is %s", i + 1,
			       mail_str(p, "type"));
			EXPECT(strcmp(mail_str(p, "charset"), "utf-8") == 0, "part %zu charset %s",
			       i + 1, mail_str(p, "charset"));
			EXPECT(strcmp(mail_str(p, "content"), want[i][1]) == 0, "part %zu reads: %s",
			       i + 1, mail_str(p, "content"));
		}
	}
	defects = mail_obj(got, "defects");
	EXPECT(defects && json_object_array_length(defects) == 0, "defects: %s",
	       json_object_to_json_string(defects));
	EXPECT(mail_int(got, "max_line") > 0 && mail_int(got, "max_line") <= 78, "a line of %ld",
	       mail_int(got, "max_line"));
	EXPECT(!json_object_get_boolean(mail_obj(got, "bare_lf")), "a bare CR or LF");
	EXPECT(!json_object_get_boolean(mail_obj(got, "eight_bit")), "8-bit bytes");
	json_object_put(got);
}
