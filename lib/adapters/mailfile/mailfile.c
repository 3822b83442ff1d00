#include "adapters/mailfile/mailfile.h"

#include "core/crypto.h"
#include "core/hex.h"
#include "core/log.h"
#include "core/time.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_FROM "virtualstack@localhost"
#define DIR_MODE 0750
#define FILE_MODE 0640
#define ID_MAX 64 /* characters of the Message-ID in a file name */

struct mailfile {
	struct vs_mailer base;
	const char *dir;
	struct vs_mail_address from;
};

static struct mailfile *mailer_of(struct vs_mailer *self)
{
	return (struct mailfile *)self;
}

/* mkdir -p: 0, or -1 with errno. */
static int make_dirs(struct vs_arena *a, const char *dir)
{
	char *p = vs_arena_strdup(a, dir);
	struct stat st;

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, DIR_MODE) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(p, DIR_MODE) != 0 && errno != EEXIST)
		return -1;
	if (stat(p, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* "20260101T100000Z-<the Message-ID's left part, [A-Za-z0-9._-] only>.eml" */
static char *file_name(struct vs_arena *a, int64_t now, const char *message_id)
{
	char id[ID_MAX + 1];
	size_t n = 0;
	struct tm tm;
	time_t t = (time_t)now;

	for (const char *p = message_id + 1; *p && *p != '@' && n < ID_MAX; p++) {
		char c = *p;
		bool keep = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == '-';
		id[n++] = keep ? c : '_';
	}
	id[n] = '\0';
	gmtime_r(&t, &tm);
	return vs_arena_printf(a, "%04d%02d%02dT%02d%02d%02dZ-%s.eml", tm.tm_year + 1900,
			       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, id);
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* bytes as dir/name, atomically and durably; 0, or -1 with errno. */
static int write_file(struct vs_arena *a, const char *dir, const char *name, struct vs_str bytes)
{
	uint8_t r[8];
	char hex[2 * sizeof(r) + 1];
	int fd, dfd, err;

	vs_random_bytes(r, sizeof(r));
	vs_hex_encode(r, sizeof(r), hex);
	const char *tmp = vs_arena_printf(a, "%s/.%s.%s.tmp", dir, name, hex);
	const char *path = vs_arena_printf(a, "%s/%s", dir, name);

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, FILE_MODE);
	if (fd < 0)
		return -1;
	/* The umask may have taken bits away; the mode is the agreement, not the umask's. */
	if (fchmod(fd, FILE_MODE) != 0 || !write_all(fd, bytes.p, bytes.len) || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	/* The rename itself survives a crash once the directory is on disk. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = err;
	return -1;
}

static enum vs_err mailfile_send(struct vs_mailer *self, struct vs_arena *a,
				 const struct vs_mail *in, int64_t deadline_ms, struct vs_error *e)
{
	struct mailfile *mf = mailer_of(self);
	struct vs_mail mail = *in;
	uint8_t random[VS_MAIL_RANDOM_LEN];
	int64_t now = vs_time_now();
	struct vs_str bytes;
	enum vs_err rc;

	(void)deadline_ms; /* a local write */
	if (!mail.from.email)
		mail.from = mf->from;
	vs_random_bytes(random, sizeof(random));
	if (!mail.message_id && !vs_mail_email_check(mail.from.email))
		mail.message_id = vs_mail_message_id(a, random, mail.from.email);
	if ((rc = vs_mail_compose(a, &mail, now, random, &bytes, e)) != VS_OK)
		return rc;
	const char *name = file_name(a, now, mail.message_id);
	if (make_dirs(a, mf->dir) != 0 || write_file(a, mf->dir, name, bytes) != 0)
		return vs_fail(e, VS_UNAVAILABLE,
			       vs_arena_printf(a, "could not write the mail file %s/%s: %s",
					       mf->dir, name, strerror(errno)));
	vs_log(VS_LOG_INFO, "mail written to %s/%s", mf->dir, name);
	return VS_OK;
}

static const struct vs_mailer_ops mailfile_ops = { .send = mailfile_send };

enum vs_err vs_mailfile_mailer_new(struct vs_arena *owned, const char *dir,
				   const struct vs_mail_address *from, struct vs_mailer **out,
				   struct vs_error *e)
{
	struct mailfile *mf = vs_arena_alloc(owned, sizeof(*mf));

	*out = NULL;
	if (!dir || !*dir)
		return vs_fail(e, VS_INVALID, "the mail directory is not set");
	if (from && from->email && vs_mail_email_check(from->email))
		return vs_fail(e, VS_INVALID, "VS_SMTP_FROM must be a valid email address");
	if (from && vs_mail_name_check(from->name))
		return vs_fail(e, VS_INVALID,
			       "VS_SMTP_FROM_NAME must be UTF-8 without control characters");
	if (make_dirs(owned, dir) != 0)
		return vs_fail(e, VS_INVALID,
			       vs_arena_printf(owned, "could not create the mail directory %s: %s",
					       dir, strerror(errno)));
	mf->dir = vs_arena_strdup(owned, dir);
	mf->from.email = vs_arena_strdup(owned, from && from->email ? from->email : DEFAULT_FROM);
	if (from && from->name && *from->name)
		mf->from.name = vs_arena_strdup(owned, from->name);
	mf->base.ops = &mailfile_ops;
	*out = &mf->base;
	return VS_OK;
}
