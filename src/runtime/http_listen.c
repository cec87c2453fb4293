#include "runtime/http_listen.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/alloc.h"

/* Go prints errno texts in lower case ("address already in use"). */
static char *errno_text(int err)
{
	char *s = pj_strdup(strerror(err));
	if (s[0])
		s[0] = (char)tolower((unsigned char)s[0]);
	return s;
}

static bool split_host_port(const char *addr, char **host, long *port, char **err)
{
	const char *colon = strrchr(addr, ':');
	if (colon == NULL) {
		*err = pj_asprintf("listen tcp: address %s: missing port in address", addr);
		return false;
	}
	if (addr[0] == '[') {
		const char *end = strchr(addr, ']');
		if (end == NULL) {
			*err = pj_asprintf("listen tcp: address %s: missing ']' in address", addr);
			return false;
		}
		if (end + 1 != colon) {
			*err = pj_asprintf("listen tcp: address %s: too many colons in address", addr);
			return false;
		}
		*host = pj_strndup(addr + 1, (size_t)(end - addr - 1));
	} else {
		if (memchr(addr, ':', (size_t)(colon - addr))) {
			*err = pj_asprintf("listen tcp: address %s: too many colons in address", addr);
			return false;
		}
		*host = pj_strndup(addr, (size_t)(colon - addr));
	}
	char *end = NULL;
	errno = 0;
	*port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || *port < 0 || *port > 65535) {
		*err = pj_asprintf("listen tcp: address %s: invalid port", colon + 1);
		free(*host);
		*host = NULL;
		return false;
	}
	return true;
}

/* Formats a socket address like Go: 127.0.0.1:80, [::1]:80. */
static void format_addr(const struct sockaddr *sa, socklen_t len, char *out, size_t size)
{
	char host[NI_MAXHOST] = "", serv[NI_MAXSERV] = "";
	if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(out, size, "?");
		return;
	}
	if (sa->sa_family == AF_INET6)
		snprintf(out, size, "[%s]:%s", host, serv);
	else
		snprintf(out, size, "%s:%s", host, serv);
}

static bool resolve(const char *host, long port, struct sockaddr_storage *ss, socklen_t *len,
		    char **err)
{
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '\0') {
		/* An empty host means every interface; "::" with V6ONLY off covers IPv4 too. */
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		return true;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || res == NULL) {
		*err = pj_asprintf("listen tcp: lookup %s: %s", host,
				   rc == EAI_NONAME || rc == 0 ? "no such host" : gai_strerror(rc));
		if (res)
			freeaddrinfo(res);
		return false;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	return true;
}

static int open_socket(const struct sockaddr_storage *ss, socklen_t len, bool any, char **err)
{
	char where[NI_MAXHOST + NI_MAXSERV + 4];
	format_addr((const struct sockaddr *)ss, len, where, sizeof(where));
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		char *e = errno_text(errno);
		*err = pj_asprintf("listen tcp %s: socket: %s", where, e);
		free(e);
		return -1;
	}
	int one = 1, zero = 0;
	/* Like Go: restart without waiting for TIME_WAIT; dual-stack for the any address. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (any && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) != 0)) {
		char *e = errno_text(errno);
		*err = pj_asprintf("listen tcp %s: setsockopt: %s", where, e);
		free(e);
		close(fd);
		return -1;
	}
	const char *step = "bind";
	if (bind(fd, (const struct sockaddr *)ss, len) != 0 ||
	    (step = "listen", listen(fd, SOMAXCONN) != 0)) {
		char *e = errno_text(errno);
		*err = pj_asprintf("listen tcp %s: %s: %s", where, step, e);
		free(e);
		close(fd);
		return -1;
	}
	return fd;
}

int pj_tcp_listen(const char *addr, char *bound, size_t bound_size, int *port, char **err)
{
	char *host = NULL;
	long want_port = 0;
	if (!split_host_port(addr, &host, &want_port, err))
		return -1;
	struct sockaddr_storage ss;
	socklen_t len = 0;
	bool any = host[0] == '\0';
	bool ok = resolve(host, want_port, &ss, &len, err);
	free(host);
	if (!ok)
		return -1;
	int fd = open_socket(&ss, len, any, err);
	if (fd < 0 && any) {
		/* No IPv6 on this host: fall back to every IPv4 interface. */
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		memset(&ss, 0, sizeof(ss));
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
		sin->sin_port = htons((uint16_t)want_port);
		free(*err);
		*err = NULL;
		fd = open_socket(&ss, sizeof(*sin), false, err);
	}
	if (fd < 0)
		return -1;
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		char *e = errno_text(errno);
		*err = pj_asprintf("listen tcp %s: getsockname: %s", addr, e);
		free(e);
		close(fd);
		return -1;
	}
	format_addr((const struct sockaddr *)&ss, len, bound, bound_size);
	*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					       : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}
