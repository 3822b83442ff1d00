/* A small file mapped by every worker of a host: how they share counters without a
 * server (the host epoch, the metrics). */
#ifndef VS_CORE_SHM_H
#define VS_CORE_SHM_H

#include <stddef.h>

/* Maps the first size bytes of path (created 0600, zero-filled on creation) shared and
 * writable; NULL with a warning naming what when it cannot. */
void *vs_shm_map(const char *path, size_t size, const char *what);
void vs_shm_unmap(void *p, size_t size);

#endif
