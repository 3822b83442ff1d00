/* Taking connections from the pool's listening socket (spawn-fcgi's fd 0). */
#ifndef VS_FCGI_ACCEPT_H
#define VS_FCGI_ACCEPT_H

#include <fcgiapp.h>
#include <stdbool.h>

/* Makes the socket non-blocking, so that vs_accept can take only what is already waiting
 * and give up when nothing comes. False if it cannot: the socket is left blocking, and
 * vs_accept then waits for as long as it takes. */
bool vs_accept_init(void);

/* FCGX_Accept_r, waiting up to wait_ms for a connection (0: only one already waiting):
 * -EAGAIN if none was waiting, -ETIMEDOUT if none came, -EINTR on a signal. */
int vs_accept(FCGX_Request *fcgi, int wait_ms);

#endif
