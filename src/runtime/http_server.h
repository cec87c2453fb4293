#ifndef PJ_RUNTIME_HTTP_SERVER_H
#define PJ_RUNTIME_HTTP_SERVER_H

/*
 * A small HTTP/1.1 server on libmicrohttpd with a route table. The process
 * runs one for --server.http.listen-addr (see http_api.h for Alloy's
 * endpoints), and components such as pyroscope.receive_http run their own, so
 * the type is an ordinary object: create, add routes, start, stop, free.
 *
 * Requests are served by a small pool of threads; handlers may block (a
 * reload takes a while) but should not take long. Routes may be added and
 * removed while the server runs.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

typedef struct pj_http_server pj_http_server;
typedef struct pj_http_route pj_http_route;

typedef struct pj_http_request {
	const char *method;
	const char *path; /* decoded path, without the query string */
	const char *subpath; /* path after the route's prefix ("" for exact routes) */
	const char *body; /* NUL-terminated; body_len bytes (may contain NULs) */
	size_t body_len;
	void *conn; /* private */
} pj_http_request;

/* Header (case-insensitive) or query argument value; NULL if absent. */
const char *pj_http_header(const pj_http_request *req, const char *name);
const char *pj_http_query(const pj_http_request *req, const char *name);
/* Calls fn for every query argument in request order (value NULL for `?flag`). */
void pj_http_each_query(const pj_http_request *req,
			void (*fn)(void *ctx, const char *key, const char *value), void *ctx);

typedef struct pj_http_response {
	int status; /* starts as 200 */
	pj_buf body;
	const char *content_type; /* static string; starts as "text/plain; charset=utf-8" */
	pj_buf headers; /* private: name, value pairs, NUL-separated */
} pj_http_response;

void pj_http_response_header(pj_http_response *resp, const char *name, const char *value);
/* Sets the status and a formatted text body (like Go's http.Error, add the "\n" yourself). */
void pj_http_response_text(pj_http_response *resp, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

typedef void (*pj_http_handler)(void *ctx, const pj_http_request *req, pj_http_response *resp);

typedef struct pj_http_server_opts {
	/* "host:port", "[v6]:port", ":port"; port 0 picks a free one; NULL = 127.0.0.1:12345 */
	const char *listen_addr;
	size_t max_body_bytes; /* larger request bodies get 413; 0 = 16 MiB */
	unsigned threads; /* worker threads; 0 = 4 */
	const char *log_component; /* component ID for server log lines, or NULL */
	unsigned conn_limit; /* most connections open at once, more are closed at accept; 0 = no own limit */
	/* A connection with nothing to read or write for this long is closed; 0 = 300 s. Whole seconds. */
	int64_t idle_timeout_ns;
	/* A request's body must have arrived this long after its headers, else the connection is
	 * closed; 0 = no limit. Whole seconds, at least one. */
	int64_t read_timeout_ns;
} pj_http_server_opts;

pj_http_server *pj_http_server_new(const pj_http_server_opts *opts);
/*
 * Binds and starts serving. On failure returns false and sets *err (caller
 * frees) to Go's wording, e.g.
 *   listen tcp 127.0.0.1:12345: bind: address already in use
 */
bool pj_http_server_start(pj_http_server *s, char **err);
/* Stops serving and waits for running handlers; routes are kept. */
void pj_http_server_stop(pj_http_server *s);
/* Stops if needed and frees the server and its routes. */
void pj_http_server_free(pj_http_server *s);
/* The bound port and address ("127.0.0.1:34567", "[::1]:80"); 0 / "" before start. */
int pj_http_server_port(const pj_http_server *s);
const char *pj_http_server_addr(const pj_http_server *s);

#define PJ_HTTP_EXACT false
#define PJ_HTTP_PREFIX true

/*
 * Adds a route. `methods` is a comma-separated list ("GET,POST") or NULL for
 * any method. With PJ_HTTP_PREFIX the route serves `path` and everything
 * below it; the longest matching route wins, and a path matched only by routes
 * for other methods gets 405. Unmatched paths get Go's "404 page not found".
 */
pj_http_route *pj_http_route_add(pj_http_server *s, const char *methods, const char *path,
				 bool prefix, pj_http_handler handler, void *ctx);
/*
 * Removes a route and waits until no request is still inside its handler, so
 * ctx may be freed afterwards. Must not be called from that route's handler.
 */
void pj_http_route_remove(pj_http_server *s, pj_http_route *route);

#endif
