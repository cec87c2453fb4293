/* Unit tests for src/runtime/http_server and http_api over real loopback HTTP (libcurl). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/alloc.h"
#include "runtime/http_api.h"
#include "runtime/http_server.h"
#include "runtime/log.h"
#include "runtime/metrics.h"

static FILE *devnull; /* log output while no test captures it */

typedef struct reply {
	long status;
	pj_buf body;
	pj_buf headers;
} reply;

typedef struct upload {
	const char *data;
	size_t len;
	size_t off;
} upload;

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	pj_buf_append(ctx, p, size * n);
	return size * n;
}

static size_t on_read(char *p, size_t size, size_t n, void *ctx)
{
	upload *u = ctx;
	size_t want = size * n, left = u->len - u->off;
	size_t take = want < left ? want : left;
	memcpy(p, u->data + u->off, take);
	u->off += take;
	return take;
}

/* Performs one request; `chunked` streams the body without a Content-Length. */
static reply request(const char *method, const char *url, const char *body, size_t body_len,
		     bool chunked, const char *header)
{
	reply r = {0, PJ_BUF_INIT, PJ_BUF_INIT};
	CURL *c = curl_easy_init();
	assert_non_null(c);
	struct curl_slist *hdrs = NULL;
	upload up = {body, body_len, 0};
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (header)
		hdrs = curl_slist_append(hdrs, header);
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (body && chunked) {
		hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, &up);
	} else if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		fail_msg("%s %s: %s", method, url, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return r;
}

static void reply_free(reply *r)
{
	pj_buf_free(&r->body);
	pj_buf_free(&r->headers);
}

static char *url_of(pj_http_server *s, const char *path)
{
	return pj_asprintf("http://%s%s", pj_http_server_addr(s), path);
}

/* GETs path and checks status and exact body. */
static void expect(pj_http_server *s, const char *method, const char *path, long status,
		   const char *body)
{
	char *url = url_of(s, path);
	reply r = request(method, url, NULL, 0, false, NULL);
	if (r.status != status || strcmp(pj_buf_cstr(&r.body), body) != 0)
		fail_msg("%s %s: got %ld %s, want %ld %s", method, path, r.status,
			 pj_buf_cstr(&r.body), status, body);
	reply_free(&r);
	free(url);
}

typedef struct fake_controller {
	bool ready;
	const char *unhealthy;
	const char *reload_error;
	int reloads;
} fake_controller;

static bool fake_ready(void *ctx)
{
	return ((fake_controller *)ctx)->ready;
}

static bool fake_healthy(void *ctx, pj_buf *names)
{
	fake_controller *f = ctx;
	if (f->unhealthy == NULL)
		return true;
	pj_buf_puts(names, f->unhealthy);
	return false;
}

static bool fake_reload(void *ctx, char **err)
{
	fake_controller *f = ctx;
	f->reloads++;
	if (f->reload_error == NULL)
		return true;
	*err = pj_strdup(f->reload_error);
	return false;
}

static void fake_components(void *ctx, pj_buf *out)
{
	(void)ctx;
	pj_buf_puts(out, "[{\"localID\":\"discovery.process.local\"}]");
}

static bool fake_component(void *ctx, const char *id, pj_buf *out)
{
	(void)ctx;
	if (strcmp(id, "discovery.process.local") != 0)
		return false;
	pj_buf_printf(out, "{\"localID\":\"%s\"}", id);
	return true;
}

static pj_http_server *start_with(pj_http_server_opts o)
{
	pj_http_server *s = pj_http_server_new(&o);
	char *err = NULL;
	if (!pj_http_server_start(s, &err))
		fail_msg("start %s: %s", o.listen_addr, err);
	assert_true(pj_http_server_port(s) > 0);
	return s;
}

static pj_http_server *start(const char *addr, size_t max_body)
{
	return start_with((pj_http_server_opts){.listen_addr = addr, .max_body_bytes = max_body});
}

static void test_alloy_endpoints(void **state)
{
	(void)state;
	fake_controller fake = {false, "discovery.relabel, pyroscope.java", "bad config: x", 0};
	pj_metrics *metrics = pj_metrics_new();
	assert_non_null(pj_metrics_register_build_info(metrics, "0.1.0"));
	pj_http_server *s = start("127.0.0.1:0", 0);
	pj_http_handlers h = {&fake, fake_ready, fake_healthy, fake_reload, fake_components,
			      fake_component};
	pj_http_api *api = pj_http_api_add(s, &h, metrics, NULL);

	expect(s, "GET", "/-/ready", 503, "Alloy is not ready.\n");
	fake.ready = true;
	expect(s, "GET", "/-/ready", 200, "Alloy is ready.\n");
	expect(s, "GET", "/-/healthy", 500, "unhealthy components: discovery.relabel, pyroscope.java\n");
	fake.unhealthy = NULL;
	expect(s, "GET", "/-/healthy", 200, "All Alloy components are healthy.\n");

	char *log_text = NULL;
	size_t log_len = 0;
	FILE *log = open_memstream(&log_text, &log_len);
	assert_non_null(log);
	pj_log_set_output(log);
	pj_log_configure(PJ_LOG_INFO, PJ_LOG_LOGFMT);
	expect(s, "POST", "/-/reload", 400, "bad config: x\n");
	fake.reload_error = NULL;
	expect(s, "GET", "/-/reload", 200, "config reloaded\n");
	assert_int_equal(fake.reloads, 2);
	pj_log_set_output(devnull);
	fclose(log);
	/* Like Alloy, the reload endpoint logs the request and its outcome. */
	assert_non_null(strstr(log_text, " level=info msg=\"reload requested via /-/reload endpoint\"\n"));
	assert_non_null(strstr(log_text, " level=error msg=\"failed to reload config\" err=\"bad config: x\"\n"));
	assert_non_null(strstr(log_text, " level=info msg=\"config reloaded\"\n"));
	free(log_text);
	expect(s, "PUT", "/-/reload", 405, "405 method not allowed\n");
	assert_int_equal(fake.reloads, 2);

	expect(s, "GET", "/metrics", 200,
	       "# HELP pyrojava_build_info A metric with a constant '1' value labeled by version "
	       "from which pyrojava was built.\n# TYPE pyrojava_build_info gauge\n"
	       "pyrojava_build_info{version=\"0.1.0\"} 1\n");
	char *url = url_of(s, "/metrics");
	reply r = request("GET", url, NULL, 0, false, NULL);
	assert_non_null(strstr(pj_buf_cstr(&r.headers),
			       "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	reply_free(&r);
	free(url);

	expect(s, "GET", "/api/v0/web/components", 200, "[{\"localID\":\"discovery.process.local\"}]");
	expect(s, "GET", "/api/v0/web/components/discovery.process.local", 200,
	       "{\"localID\":\"discovery.process.local\"}");
	expect(s, "GET", "/api/v0/web/components/discovery.process.nope", 404, "404 page not found\n");
	expect(s, "GET", "/api/v0/web/components/", 404, "404 page not found\n");
	expect(s, "GET", "/nope", 404, "404 page not found\n");

	pj_http_api_remove(s, api);
	expect(s, "GET", "/-/ready", 404, "404 page not found\n");
	pj_http_server_free(s);
	pj_metrics_free(metrics);
}

static void test_ui_path_prefix(void **state)
{
	(void)state;
	pj_http_server *s = start("127.0.0.1:0", 0);
	pj_http_handlers h = {.components_json = fake_components, .component_json = fake_component};
	pj_http_api *api = pj_http_api_add(s, &h, NULL, "/ui/");
	expect(s, "GET", "/ui/api/v0/web/components", 200, "[{\"localID\":\"discovery.process.local\"}]");
	expect(s, "GET", "/ui/api/v0/web/components/discovery.process.local", 200,
	       "{\"localID\":\"discovery.process.local\"}");
	expect(s, "GET", "/api/v0/web/components", 404, "404 page not found\n");
	expect(s, "GET", "/metrics", 404, "404 page not found\n");
	pj_http_api_remove(s, api);
	pj_http_server_free(s);
}

/* Echoes what a component handler can see of the request. */
static void echo(void *ctx, const pj_http_request *req, pj_http_response *resp)
{
	const char *ct = pj_http_header(req, "content-type");
	const char *name = pj_http_query(req, "name");
	pj_buf_printf(&resp->body, "%s|%s|%s|%s|%s|%zu:", (const char *)ctx, req->method, req->path,
		      req->subpath, name ? name : "-", req->body_len);
	pj_buf_append(&resp->body, req->body, req->body_len);
	pj_buf_printf(&resp->body, "|%s", ct ? ct : "-");
	resp->status = 202;
	resp->content_type = "application/octet-stream";
	pj_http_response_header(resp, "X-Pyrojava", "yes");
}

static void test_custom_routes_and_body_limit(void **state)
{
	(void)state;
	pj_http_server *s = start("127.0.0.1:0", 64);
	pj_http_route *ingest = pj_http_route_add(s, "POST", "/ingest", PJ_HTTP_PREFIX, echo, "short");
	pj_http_route_add(s, "POST,PUT", "/ingest/v2", PJ_HTTP_PREFIX, echo, "long");
	char *url = url_of(s, "/ingest/x?name=app.cpu%7Bservice%3D%22a%22%7D&from=1");
	reply r = request("POST", url, "a\0b", 3, false, "Content-Type: binary/octet-stream");
	assert_int_equal(r.status, 202);
	assert_memory_equal(r.body.data, "short|POST|/ingest/x|/x|app.cpu{service=\"a\"}|3:a\0b|binary/octet-stream",
			    r.body.len);
	assert_non_null(strstr(pj_buf_cstr(&r.headers), "X-Pyrojava: yes\r\n"));
	assert_non_null(strstr(pj_buf_cstr(&r.headers), "Content-Type: application/octet-stream\r\n"));
	reply_free(&r);
	free(url);

	/* The longest prefix wins; a path served only for other methods gives 405. */
	url = url_of(s, "/ingest/v2/y");
	r = request("PUT", url, NULL, 0, false, NULL);
	assert_int_equal(r.status, 202);
	assert_string_equal(pj_buf_cstr(&r.body), "long|PUT|/ingest/v2/y|/y|-|0:|-");
	reply_free(&r);
	r = request("GET", url, NULL, 0, false, NULL);
	assert_int_equal(r.status, 405);
	assert_non_null(strstr(pj_buf_cstr(&r.headers), "Allow: POST,PUT\r\n"));
	reply_free(&r);

	/* Bodies: exactly at the limit passes; one byte more is 413, declared or chunked. */
	char big[65];
	memset(big, 'x', sizeof(big));
	r = request("POST", url, big, 64, false, NULL);
	assert_int_equal(r.status, 202);
	reply_free(&r);
	r = request("POST", url, big, 64, true, NULL);
	assert_int_equal(r.status, 202);
	reply_free(&r);
	r = request("POST", url, big, 65, false, NULL);
	assert_int_equal(r.status, 413);
	assert_string_equal(pj_buf_cstr(&r.body), "http: request body too large\n");
	reply_free(&r);
	r = request("POST", url, big, 65, true, NULL);
	assert_int_equal(r.status, 413);
	assert_string_equal(pj_buf_cstr(&r.body), "http: request body too large\n");
	reply_free(&r);
	free(url);

	/* Removing a route takes effect at once; the server keeps serving the others. */
	pj_http_route_remove(s, ingest);
	expect(s, "POST", "/ingest/x", 404, "404 page not found\n");
	expect(s, "POST", "/ingest/v2", 202, "long|POST|/ingest/v2||-|0:|-");
	pj_http_server_free(s);
}

static void test_listen_errors_are_clear(void **state)
{
	(void)state;
	pj_http_server *first = start("127.0.0.1:0", 0);
	char addr[64];
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", pj_http_server_port(first));
	pj_http_server *second = pj_http_server_new(&(pj_http_server_opts){.listen_addr = addr});
	char *err = NULL;
	assert_false(pj_http_server_start(second, &err));
	char *want = pj_asprintf("listen tcp %s: bind: address already in use", addr);
	assert_string_equal(err, want);
	free(want);
	free(err);
	pj_http_server_free(second);

	static const struct {
		const char *addr;
		const char *err;
	} bad[] = {
		{"127.0.0.1", "listen tcp: address 127.0.0.1: missing port in address"},
		{"127.0.0.1:99999", "listen tcp: address 99999: invalid port"},
		{"127.0.0.1:", "listen tcp: address : invalid port"},
		{"[::1:80", "listen tcp: address [::1:80: missing ']' in address"},
		{"::1:80", "listen tcp: address ::1:80: too many colons in address"},
		{"192.0.2.1:0", "listen tcp 192.0.2.1:0: bind: cannot assign requested address"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pj_http_server *s = pj_http_server_new(&(pj_http_server_opts){.listen_addr = bad[i].addr});
		err = NULL;
		assert_false(pj_http_server_start(s, &err));
		assert_string_equal(err, bad[i].err);
		free(err);
		pj_http_server_free(s);
	}
	pj_http_server_free(first);
}

static void ok_handler(void *ctx, const pj_http_request *req, pj_http_response *resp)
{
	(void)req;
	pj_http_response_text(resp, 200, "%s\n", (const char *)ctx);
}

static void test_ipv6_two_servers_and_restart(void **state)
{
	(void)state;
	pj_http_server *a = start("[::1]:0", 0);
	pj_http_server *b = start("localhost:0", 0);
	assert_true(strncmp(pj_http_server_addr(a), "[::1]:", 6) == 0);
	pj_http_route_add(a, NULL, "/", PJ_HTTP_PREFIX, ok_handler, "a");
	pj_http_route_add(b, "GET", "/", PJ_HTTP_EXACT, ok_handler, "b");
	expect(a, "GET", "/anything", 200, "a\n");
	expect(b, "GET", "/", 200, "b\n");
	expect(b, "GET", "/x", 404, "404 page not found\n");
	/* Stop releases the port; routes survive a restart. */
	pj_http_server_stop(b);
	assert_int_equal(pj_http_server_port(b), 0);
	char *err = NULL;
	assert_true(pj_http_server_start(b, &err));
	expect(b, "GET", "/", 200, "b\n");
	pj_http_server_free(a);
	pj_http_server_free(b);
}

typedef struct client_arg {
	pj_http_server *s;
	int ok;
} client_arg;

static void *client(void *p)
{
	client_arg *a = p;
	char *url = url_of(a->s, "/metrics");
	for (int i = 0; i < 25; i++) {
		reply r = request("GET", url, NULL, 0, false, NULL);
		a->ok += r.status == 200 && strstr(pj_buf_cstr(&r.body), "pj_hits_total") != NULL;
		reply_free(&r);
	}
	free(url);
	return NULL;
}

static void test_parallel_clients(void **state)
{
	(void)state;
	pj_metrics *metrics = pj_metrics_new();
	char *err = NULL;
	pj_metric *hits = pj_metrics_register(
		metrics, PJ_METRIC_COUNTER, &(pj_metric_opts){.name = "pj_hits_total", .help = "Hits."},
		&err);
	assert_non_null(hits);
	pj_metric_inc(hits, NULL);
	pj_http_server *s = start("127.0.0.1:0", 0);
	pj_http_api *api = pj_http_api_add(s, &(pj_http_handlers){0}, metrics, "/");
	pthread_t t[4];
	client_arg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (client_arg){s, 0};
		assert_int_equal(pthread_create(&t[i], NULL, client, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(args[i].ok, 25);
	}
	pj_http_api_remove(s, api);
	pj_http_server_free(s);
	pj_metrics_free(metrics);
}

/* A raw TCP connection to the server, for what a well-behaved client like libcurl won't do. */
static int raw_connect(pj_http_server *s)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)pj_http_server_port(s))};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static void raw_send(int fd, const char *text)
{
	size_t len = strlen(text);
	assert_int_equal(send(fd, text, len, MSG_NOSIGNAL), (ssize_t)len);
}

/*
 * Reads what the server sends until it closes the connection or `ms` pass
 * with nothing to read. True when it closed; the bytes it sent are in `got`.
 */
static bool raw_closed_within(int fd, int ms, pj_buf *got)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, ms);
		if (r == 0)
			return false;
		assert_true(r > 0);
		char buf[512];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return true;
		pj_buf_append(got, buf, (size_t)n);
	}
}

/* Reads until the server has sent `marker` (true) or closed the connection (false); 30 s at most. */
static bool raw_wait_for(int fd, const char *marker, pj_buf *got)
{
	for (int i = 0; i < 300 && !strstr(pj_buf_cstr(got), marker); i++)
		if (raw_closed_within(fd, 100, got))
			break;
	return strstr(pj_buf_cstr(got), marker) != NULL;
}

static void test_read_timeout_closes_slow_uploads(void **state)
{
	(void)state;
	pj_http_server *s = start_with((pj_http_server_opts){
		.listen_addr = "127.0.0.1:0", .read_timeout_ns = 1000000000, .idle_timeout_ns = 60000000000});
	pj_http_route_add(s, "POST", "/echo", PJ_HTTP_EXACT, echo, "e");

	/* A body that stops halfway: closed by the read timeout, not the 60 s idle timeout. */
	int fd = raw_connect(s);
	raw_send(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789");
	pj_buf got = PJ_BUF_INIT;
	assert_true(raw_closed_within(fd, 20000, &got));
	assert_null(strstr(pj_buf_cstr(&got), "202"));
	close(fd);

	/* A body trickled a byte at a time keeps the connection active but misses the deadline. */
	fd = raw_connect(s);
	raw_send(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n");
	bool closed = false;
	for (int i = 0; i < 1000 && !closed; i++) {
		if (send(fd, "x", 1, MSG_NOSIGNAL) != 1)
			closed = true; /* the server has closed: the send failed */
		else
			closed = raw_closed_within(fd, 100, &got);
	}
	assert_true(closed);
	assert_null(strstr(pj_buf_cstr(&got), "202"));
	close(fd);

	/* A prompt request still gets its answer. */
	fd = raw_connect(s);
	raw_send(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok");
	pj_buf_reset(&got);
	assert_true(raw_wait_for(fd, "HTTP/1.1 202", &got));
	close(fd);
	pj_buf_free(&got);
	pj_http_server_free(s);
}

static void test_conn_limit(void **state)
{
	(void)state;
	pj_http_server *s = start_with((pj_http_server_opts){.listen_addr = "127.0.0.1:0", .conn_limit = 1});
	pj_http_route_add(s, "POST", "/echo", PJ_HTTP_EXACT, echo, "e");
	const char *req = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok";

	int first = raw_connect(s);
	raw_send(first, req);
	pj_buf got = PJ_BUF_INIT;
	assert_true(raw_wait_for(first, "HTTP/1.1 202", &got));

	/* While the first connection is open a second one waits, unanswered, as behind Go's
	 * LimitListener (Alloy's); once the first is gone it is served. */
	int second = raw_connect(s);
	raw_send(second, req);
	pj_buf_reset(&got);
	assert_false(raw_closed_within(second, 1000, &got));
	assert_int_equal(got.len, 0);
	close(first);
	assert_true(raw_wait_for(second, "HTTP/1.1 202", &got));
	close(second);
	pj_buf_free(&got);
	pj_http_server_free(s);
}

static int setup(void **state)
{
	(void)state;
	/* Keep log lines out of the test output unless a test captures them. */
	devnull = fopen("/dev/null", "w");
	if (devnull == NULL)
		return -1;
	pj_log_set_output(devnull);
	return curl_global_init(CURL_GLOBAL_ALL) == CURLE_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	curl_global_cleanup();
	pj_log_set_output(NULL);
	fclose(devnull);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloy_endpoints),
		cmocka_unit_test(test_ui_path_prefix),
		cmocka_unit_test(test_custom_routes_and_body_limit),
		cmocka_unit_test(test_listen_errors_are_clear),
		cmocka_unit_test(test_ipv6_two_servers_and_restart),
		cmocka_unit_test(test_parallel_clients),
		cmocka_unit_test(test_read_timeout_closes_slow_uploads),
		cmocka_unit_test(test_conn_limit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
