#include "procs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures.h"
#include "util.h"

extern char **environ;

pid_t read_pid_file(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v > 0 ? (pid_t)v : -1;
}

pid_t multiwatch_pid(void)
{
	char *path = xasprintf("%s/pids/multiwatch.pid", fx.cfg.state_dir);
	pid_t p = read_pid_file(path);

	free(path);
	return p;
}

/* The ppid field of /proc/pid/stat, or -1. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[1024];
	FILE *f;
	size_t n;
	char *rp;
	long ppid = -1;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) state ppid ..."; comm may contain spaces and parens */
	rp = strrchr(buf, ')');
	if (!rp || sscanf(rp + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

size_t children_of(pid_t parent, pid_t **out)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0, cap = 16;
	pid_t *v = xmalloc(cap * sizeof(*v));

	*out = v;
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long pid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = strtol(e->d_name, &end, 10);
		if (*end != '\0' || parent_of((pid_t)pid) != parent)
			continue;
		if (n == cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = (pid_t)pid;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_pid);
	*out = v;
	return n;
}

static size_t pool_pids(pid_t mw, pid_t **out)
{
	if (mw <= 0) {
		*out = xmalloc(sizeof(pid_t));
		return 0;
	}
	return children_of(mw, out);
}

size_t worker_pids(pid_t **out)
{
	return pool_pids(multiwatch_pid(), out);
}

size_t check_worker_pids(pid_t **out)
{
	char *path = xasprintf("%s/pids/check-multiwatch.pid", fx.cfg.state_dir);
	pid_t mw = read_pid_file(path);

	free(path);
	return pool_pids(mw, out);
}

bool pid_in(pid_t pid, const pid_t *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == pid)
			return true;
	return false;
}

bool same_pids(const pid_t *now, size_t n, const pid_t *before, size_t nbefore)
{
	bool same = n == nbefore && n > 0;

	for (size_t i = 0; same && i < n; i++)
		same = pid_in(now[i], before, nbefore);
	return same;
}

void proc_comm(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(buf, size, "?");
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

int run_stack(const char *subcmd)
{
	return run_script("stack", subcmd);
}

int run_script(const char *name, const char *subcmd)
{
	char *script = xasprintf("%s/scripts/%s", fx.cfg.repo_root, name);
	char *argv[] = { script, (char *)subcmd, NULL };
	pid_t pid;
	int st, rc;

	fflush(stdout);
	fflush(stderr);
	rc = posix_spawn(&pid, script, NULL, NULL, argv, environ);
	free(script);
	if (rc != 0) {
		fprintf(stderr, "could not run scripts/%s %s: %s\n", name, subcmd,
			strerror(rc));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
