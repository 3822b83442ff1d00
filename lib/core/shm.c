#include "core/shm.h"

#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void *vs_shm_map(const char *path, size_t size, const char *what)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	struct stat st;
	/* Growing a file with ftruncate zero-fills; a file already that large is kept. */
	if (fd < 0 || fstat(fd, &st) != 0 ||
	    ((size_t)st.st_size < size && ftruncate(fd, (off_t)size) != 0)) {
		vs_log(VS_LOG_WARN, "could not open the %s %s: %s", what, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		vs_log(VS_LOG_WARN, "could not map the %s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	return p;
}

void vs_shm_unmap(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}
