/* The stack's processes as seen from /proc, and calls to scripts/stack. */
#ifndef IT_PROCS_H
#define IT_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The pid in a pid file, or -1. */
pid_t read_pid_file(const char *path);
/* The pid of multiwatch, from $VS_STATE_DIR/pids/multiwatch.pid, or -1. */
pid_t multiwatch_pid(void);
/*
 * The children of parent (from the ppid field of /proc/N/stat), sorted,
 * into a malloc'd array. Returns the count.
 */
size_t children_of(pid_t parent, pid_t **out);
/* The worker processes: children of multiwatch. */
size_t worker_pids(pid_t **out);
/* The key check pool's workers: children of pids/check-multiwatch.pid. */
size_t check_worker_pids(pid_t **out);
bool pid_in(pid_t pid, const pid_t *set, size_t n);
/* The same non-empty set of pids (no worker died and was replaced in between). */
bool same_pids(const pid_t *now, size_t n, const pid_t *before, size_t nbefore);
/* The command name of pid (/proc/N/comm) into buf, "?" when unknown. */
void proc_comm(pid_t pid, char *buf, size_t size);
/* Runs "scripts/stack <subcmd>" from the repo root, with our environment. Its exit status, or -1. */
int run_stack(const char *subcmd);
/* Runs scripts/<name> <subcmd> of the repository with this process's environment. */
int run_script(const char *name, const char *subcmd);

#endif
