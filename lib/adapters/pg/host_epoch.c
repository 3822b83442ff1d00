#include "adapters/pg/host_epoch.h"

#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)sizeof(struct shared)) != 0) {
		vs_log(VS_LOG_WARN, "could not open the host epoch %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	/* Growing a file of that size with ftruncate leaves it as it was: zeros the first time. */
	void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		vs_log(VS_LOG_WARN, "could not map the host epoch %s: %s", path, strerror(errno));
		return NULL;
	}
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
	munmap(h->shared, sizeof(struct shared));
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
