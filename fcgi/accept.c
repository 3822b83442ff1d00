/* A non-blocking listening socket, waited on with epoll. A blocking accept() would wake
 * one worker per connection too, but it can neither give up after a while (an idle worker
 * has writes to make) nor take only the connections already waiting (a worker about to
 * ask PostgreSQL takes those along, vs_pg_repos_prefetch_keys). */
#include "accept.h"

#include <errno.h>
#include <fastcgi.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

static int listener_ready = -1; /* epoll instance watching the listening socket */

bool vs_accept_init(void)
{
	/* EPOLLEXCLUSIVE: a connection wakes one waiting worker of the pool, not all. The
	 * file flag is shared by the pool's workers, all of which set it. Accepted sockets
	 * do not inherit it (Linux), so requests are read and written blocking as before. */
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };
	int flags = fcntl(FCGI_LISTENSOCK_FILENO, F_GETFL);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (flags < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, FCGI_LISTENSOCK_FILENO, &ev) != 0 ||
	    fcntl(FCGI_LISTENSOCK_FILENO, F_SETFL, flags | O_NONBLOCK) != 0) {
		if (ep >= 0)
			close(ep);
		return false;
	}
	listener_ready = ep;
	return true;
}

int vs_accept(FCGX_Request *fcgi, int wait_ms)
{
	for (;;) {
		int rc = FCGX_Accept_r(fcgi);
		if (rc != -EAGAIN || listener_ready < 0 || wait_ms == 0)
			return rc;
		/* Another worker may take the connection first: then wait again. */
		struct epoll_event ev;
		int n = epoll_wait(listener_ready, &ev, 1, wait_ms);
		if (n == 0)
			return -ETIMEDOUT;
		if (n < 0)
			return -errno;
	}
}
