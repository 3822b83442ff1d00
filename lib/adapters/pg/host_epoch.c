#include "adapters/pg/host_epoch.h"

#include "core/shm.h"

#include <stdatomic.h>
#include <stdlib.h>

struct shared {
	_Atomic uint64_t epoch;
};

struct vs_host_epoch {
	struct shared *shared;
};

struct vs_host_epoch *vs_host_epoch_open(const char *path)
{
	if (!path || !*path)
		return NULL;
	struct shared *p = vs_shm_map(path, sizeof(struct shared), "host epoch");
	if (!p)
		return NULL;
	struct vs_host_epoch *h = malloc(sizeof(*h));
	if (!h)
		abort();
	h->shared = p;
	return h;
}

void vs_host_epoch_close(struct vs_host_epoch *h)
{
	if (!h)
		return;
	vs_shm_unmap(h->shared, sizeof(struct shared));
	free(h);
}

uint64_t vs_host_epoch_read(const struct vs_host_epoch *h)
{
	return h ? atomic_load(&h->shared->epoch) : 0;
}

void vs_host_epoch_bump(struct vs_host_epoch *h)
{
	if (h)
		atomic_fetch_add(&h->shared->epoch, 1);
}
