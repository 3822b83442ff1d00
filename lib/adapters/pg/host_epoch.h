/* A counter shared by the workers of one host (a small mmapped file, VS_SHM_PATH). A
 * worker that commits a change to keys, users, tenants, roles or assignments bumps it
 * before it answers; a worker that sees it moved drops its key and permission caches.
 * So on one host a revocation counts from the very next check, without waiting for the
 * database's notification (which still serves other hosts). */
#ifndef VS_ADAPTERS_PG_HOST_EPOCH_H
#define VS_ADAPTERS_PG_HOST_EPOCH_H

#include <stdint.h>

struct vs_host_epoch;

/* NULL path: none (each worker relies on notifications alone). NULL on failure too. */
struct vs_host_epoch *vs_host_epoch_open(const char *path);
void vs_host_epoch_close(struct vs_host_epoch *h);
uint64_t vs_host_epoch_read(const struct vs_host_epoch *h);
void vs_host_epoch_bump(struct vs_host_epoch *h);

#endif
