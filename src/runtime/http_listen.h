#ifndef PJ_RUNTIME_HTTP_LISTEN_H
#define PJ_RUNTIME_HTTP_LISTEN_H

/* Opening a TCP listener from a Go-style address, with Go's error texts. */

#include <stddef.h>

/*
 * Parses "host:port", "[v6]:port" or ":port" (all interfaces, IPv4 and IPv6),
 * resolves the host, and returns a listening, close-on-exec socket, or -1 with
 * *err set (caller frees). `bound` receives the bound address as host:port
 * with the real port when port 0 was asked for.
 */
int pj_tcp_listen(const char *addr, char *bound, size_t bound_size, int *port, char **err);

#endif
