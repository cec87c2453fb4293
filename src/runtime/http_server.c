#include "runtime/http_server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "runtime/http_listen.h"
#include "runtime/log.h"

#define DEFAULT_MAX_BODY (16u << 20)
#define DEFAULT_THREADS 4
#define IDLE_TIMEOUT_SECONDS 300
#define TEXT_PLAIN "text/plain; charset=utf-8"

struct pj_http_route {
	char *methods; /* comma-separated, NULL = any */
	char *path;
	size_t path_len;
	bool prefix;
	pj_http_handler handler;
	void *ctx;
	int active; /* requests inside the handler */
	pj_http_route *next;
};

struct pj_http_server {
	char *listen_addr;
	size_t max_body;
	unsigned threads;
	unsigned conn_limit;
	unsigned idle_timeout_s;
	unsigned read_timeout_s; /* 0: none */
	char *log_component;
	struct MHD_Daemon *daemon;
	int port;
	char bound[128];

	pthread_mutex_t mu; /* guards routes and route->active */
	pthread_cond_t idle; /* signalled when a route's last request leaves its handler */
	pj_http_route *routes;
};

/* Per-request state, kept by MHD between calls of the access handler. */
typedef struct request_state {
	pj_buf body;
	bool too_large;
	int64_t read_deadline_ns; /* CLOCK_MONOTONIC; 0: none */
} request_state;

/* Whole seconds for libmicrohttpd's timeouts, rounded up; `none` for 0 or less. */
static unsigned timeout_seconds(int64_t ns, unsigned none)
{
	if (ns <= 0)
		return none;
	int64_t s = (ns + 999999999) / 1000000000;
	return s > UINT_MAX ? UINT_MAX : (unsigned)s;
}

static int64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

pj_http_server *pj_http_server_new(const pj_http_server_opts *opts)
{
	pj_http_server *s = pj_calloc(1, sizeof(*s));
	s->listen_addr = pj_strdup(opts->listen_addr ? opts->listen_addr : "127.0.0.1:12345");
	s->max_body = opts->max_body_bytes ? opts->max_body_bytes : DEFAULT_MAX_BODY;
	s->threads = opts->threads ? opts->threads : DEFAULT_THREADS;
	s->conn_limit = opts->conn_limit;
	/* libmicrohttpd shares the limit out among its threads and wants one connection each at least. */
	if (s->conn_limit && s->threads > s->conn_limit)
		s->threads = s->conn_limit;
	s->idle_timeout_s = timeout_seconds(opts->idle_timeout_ns, IDLE_TIMEOUT_SECONDS);
	s->read_timeout_s = timeout_seconds(opts->read_timeout_ns, 0);
	s->log_component = opts->log_component ? pj_strdup(opts->log_component) : NULL;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->idle, NULL);
	return s;
}

static void route_free(pj_http_route *r)
{
	free(r->methods);
	free(r->path);
	free(r);
}

void pj_http_server_free(pj_http_server *s)
{
	if (s == NULL)
		return;
	pj_http_server_stop(s);
	for (pj_http_route *r = s->routes, *next; r; r = next) {
		next = r->next;
		route_free(r);
	}
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->mu);
	free(s->listen_addr);
	free(s->log_component);
	free(s);
}

int pj_http_server_port(const pj_http_server *s)
{
	return s->port;
}

const char *pj_http_server_addr(const pj_http_server *s)
{
	return s->bound;
}

pj_http_route *pj_http_route_add(pj_http_server *s, const char *methods, const char *path,
				 bool prefix, pj_http_handler handler, void *ctx)
{
	pj_http_route *r = pj_calloc(1, sizeof(*r));
	r->methods = methods ? pj_strdup(methods) : NULL;
	r->path = pj_strdup(path);
	r->path_len = strlen(path);
	r->prefix = prefix;
	r->handler = handler;
	r->ctx = ctx;
	pthread_mutex_lock(&s->mu);
	pj_http_route **tail = &s->routes;
	while (*tail)
		tail = &(*tail)->next;
	*tail = r;
	pthread_mutex_unlock(&s->mu);
	return r;
}

void pj_http_route_remove(pj_http_server *s, pj_http_route *route)
{
	if (route == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	for (pj_http_route **p = &s->routes; *p; p = &(*p)->next) {
		if (*p == route) {
			*p = route->next;
			break;
		}
	}
	while (route->active > 0)
		pthread_cond_wait(&s->idle, &s->mu);
	pthread_mutex_unlock(&s->mu);
	route_free(route);
}

static bool method_allowed(const char *methods, const char *method)
{
	if (methods == NULL)
		return true;
	size_t n = strlen(method);
	for (const char *p = methods; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, method, n) == 0)
			return true;
		p += len + (end != NULL);
	}
	return false;
}

static bool path_matches(const pj_http_route *r, const char *path)
{
	if (r->prefix)
		return strncmp(path, r->path, r->path_len) == 0;
	return strcmp(path, r->path) == 0;
}

/* Adds each method of a route's list to the Allow header value, once. */
static void add_allowed(pj_buf *allow, const char *methods)
{
	char *copy = pj_strdup(methods), *save = NULL;
	for (char *m = strtok_r(copy, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		if (allow->len && method_allowed(pj_buf_cstr(allow), m))
			continue;
		if (allow->len)
			pj_buf_putc(allow, ',');
		pj_buf_puts(allow, m);
	}
	free(copy);
}

/*
 * Finds the longest route for path and method and marks it active. When only
 * routes for other methods match, *allow gets their method lists.
 */
static pj_http_route *route_acquire(pj_http_server *s, const char *method, const char *path,
				    pj_buf *allow)
{
	pj_http_route *best = NULL;
	pthread_mutex_lock(&s->mu);
	for (pj_http_route *r = s->routes; r; r = r->next) {
		if (!path_matches(r, path))
			continue;
		if (!method_allowed(r->methods, method)) {
			add_allowed(allow, r->methods);
			continue;
		}
		if (best == NULL || r->path_len > best->path_len)
			best = r;
	}
	if (best)
		best->active++;
	pthread_mutex_unlock(&s->mu);
	return best;
}

static void route_release(pj_http_server *s, pj_http_route *r)
{
	pthread_mutex_lock(&s->mu);
	if (--r->active == 0)
		pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->mu);
}

const char *pj_http_header(const pj_http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *pj_http_query(const pj_http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

typedef struct query_iter {
	void (*fn)(void *ctx, const char *key, const char *value);
	void *ctx;
} query_iter;

static enum MHD_Result each_query_cb(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	(void)kind;
	query_iter *it = cls;
	it->fn(it->ctx, key, value);
	return MHD_YES;
}

void pj_http_each_query(const pj_http_request *req,
			void (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
	query_iter it = {fn, ctx};
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, each_query_cb, &it);
}

void pj_http_response_header(pj_http_response *resp, const char *name, const char *value)
{
	pj_buf_append(&resp->headers, name, strlen(name) + 1);
	pj_buf_append(&resp->headers, value, strlen(value) + 1);
}

void pj_http_response_text(pj_http_response *resp, int status, const char *fmt, ...)
{
	resp->status = status;
	resp->content_type = TEXT_PLAIN;
	pj_buf_reset(&resp->body);
	va_list ap;
	va_start(ap, fmt);
	pj_buf_vprintf(&resp->body, fmt, ap);
	va_end(ap);
}

static enum MHD_Result send_response(struct MHD_Connection *conn, pj_http_response *resp)
{
	size_t len = resp->body.len;
	char *data = pj_buf_detach(&resp->body);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(data);
		pj_buf_free(&resp->headers);
		return MHD_NO;
	}
	bool ok = MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type) ==
		  MHD_YES;
	for (size_t off = 0; off < resp->headers.len;) {
		const char *name = resp->headers.data + off;
		const char *value = name + strlen(name) + 1;
		off = (size_t)(value - resp->headers.data) + strlen(value) + 1;
		ok = ok && MHD_add_response_header(r, name, value) == MHD_YES;
	}
	pj_buf_free(&resp->headers);
	int status = resp->status >= 100 && resp->status <= 599 ? resp->status : 500;
	enum MHD_Result rc = ok ? MHD_queue_response(conn, (unsigned)status, r) : MHD_NO;
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result send_text(struct MHD_Connection *conn, int status, const char *text)
{
	pj_http_response resp = {status, PJ_BUF_INIT, TEXT_PLAIN, PJ_BUF_INIT};
	pj_buf_puts(&resp.body, text);
	return send_response(conn, &resp);
}

static enum MHD_Result dispatch(pj_http_server *s, struct MHD_Connection *conn, const char *path,
				const char *method, request_state *st)
{
	pj_buf allow = PJ_BUF_INIT;
	pj_http_route *route = route_acquire(s, method, path, &allow);
	if (route == NULL) {
		enum MHD_Result rc;
		if (allow.len == 0) {
			rc = send_text(conn, 404, "404 page not found\n");
		} else {
			pj_http_response resp = {405, PJ_BUF_INIT, TEXT_PLAIN, PJ_BUF_INIT};
			pj_buf_puts(&resp.body, "405 method not allowed\n");
			pj_http_response_header(&resp, "Allow", pj_buf_cstr(&allow));
			rc = send_response(conn, &resp);
		}
		pj_buf_free(&allow);
		return rc;
	}
	pj_buf_free(&allow);
	pj_http_request req = {
		.method = method,
		.path = path,
		.subpath = route->prefix ? path + route->path_len : "",
		.body = pj_buf_cstr(&st->body),
		.body_len = st->body.len,
		.conn = conn,
	};
	pj_http_response resp = {200, PJ_BUF_INIT, TEXT_PLAIN, PJ_BUF_INIT};
	route->handler(route->ctx, &req, &resp);
	route_release(s, route);
	return send_response(conn, &resp);
}

static bool content_length_too_large(struct MHD_Connection *conn, size_t max)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl == NULL)
		return false;
	char *end = NULL;
	errno = 0;
	unsigned long long n = strtoull(cl, &end, 10);
	return errno == ERANGE || (end != cl && n > max);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	(void)version;
	pj_http_server *s = cls;
	request_state *st = *con_cls;
	if (st == NULL) {
		*con_cls = st = pj_calloc(1, sizeof(*st));
		/* Refuse a declared oversized body before reading any of it. */
		if (content_length_too_large(conn, s->max_body)) {
			st->too_large = true;
			return send_text(conn, 413, "http: request body too large\n");
		}
		if (s->read_timeout_s) {
			/* A client that stops sending is closed by the connection's own timeout; one that
			 * trickles bytes, by the deadline. */
			st->read_deadline_ns = monotonic_ns() + (int64_t)s->read_timeout_s * 1000000000;
			MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
						  s->read_timeout_s < s->idle_timeout_s ? s->read_timeout_s
											 : s->idle_timeout_s);
		}
		return MHD_YES;
	}
	if (st->read_deadline_ns && monotonic_ns() > st->read_deadline_ns) {
		if (pj_log_enabled(PJ_LOG_DEBUG))
			pj_log(PJ_LOG_DEBUG, s->log_component, "request body not read within the read timeout",
			       "addr", s->bound, "path", url, NULL);
		return MHD_NO; /* closes the connection */
	}
	if (*upload_data_size > 0) {
		if (!st->too_large && *upload_data_size <= s->max_body - st->body.len) {
			pj_buf_append(&st->body, upload_data, *upload_data_size);
		} else {
			/* Chunked bodies reveal their size late: drop what we have, read on, answer 413. */
			st->too_large = true;
			pj_buf_free(&st->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->read_deadline_ns) /* read: back to the idle timeout for keep-alive */
		MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, s->idle_timeout_s);
	if (st->too_large)
		return send_text(conn, 413, "http: request body too large\n");
	return dispatch(s, conn, url, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode code)
{
	(void)cls;
	(void)conn;
	(void)code;
	request_state *st = *con_cls;
	if (st == NULL)
		return;
	pj_buf_free(&st->body);
	free(st);
	*con_cls = NULL;
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap)
{
	pj_http_server *s = cls;
	if (!pj_log_enabled(PJ_LOG_DEBUG))
		return;
	pj_buf text = PJ_BUF_INIT;
	pj_buf_vprintf(&text, fmt, ap);
	while (text.len > 0 && text.data[text.len - 1] == '\n')
		text.data[--text.len] = '\0';
	pj_log(PJ_LOG_DEBUG, s->log_component, "http server error", "addr", s->bound, "err",
	       pj_buf_cstr(&text), NULL);
	pj_buf_free(&text);
}

bool pj_http_server_start(pj_http_server *s, char **err)
{
	if (s->daemon)
		return true;
	int fd = pj_tcp_listen(s->listen_addr, s->bound, sizeof(s->bound), &s->port, err);
	if (fd < 0)
		return false;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL : MHD_USE_POLL;
	struct MHD_OptionItem opts[8] = {
		{MHD_OPTION_LISTEN_SOCKET, fd, NULL},
		{MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
		{MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_error, s},
		{MHD_OPTION_CONNECTION_TIMEOUT, s->idle_timeout_s, NULL},
	};
	size_t n = 4;
	if (s->conn_limit)
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, s->conn_limit, NULL};
	if (s->threads > 1)
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, s->threads, NULL};
	opts[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, opts,
				     MHD_OPTION_END);
	if (s->daemon == NULL) {
		/* MHD may or may not have closed the socket it was handed; close it only if open. */
		if (fcntl(fd, F_GETFD) != -1)
			close(fd);
		*err = pj_asprintf("listen tcp %s: could not start the HTTP server", s->bound);
		s->port = 0;
		s->bound[0] = '\0';
		return false;
	}
	return true;
}

void pj_http_server_stop(pj_http_server *s)
{
	if (s->daemon == NULL)
		return;
	/* Closes the listening socket and joins the worker threads, so no handler runs after this. */
	MHD_stop_daemon(s->daemon);
	s->daemon = NULL;
	s->port = 0;
	s->bound[0] = '\0';
}
