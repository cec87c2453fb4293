/* Unit tests for pyroscope.write against a fake Pyroscope on loopback (spec pyroscope-push-and-pprof.md 2, 5; alloy-config 11). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "components/push_proto.h"
#include "components/pyroscope_write.h"
#include "profile/gunzip.h"
#include "runtime/controller.h"
#include "runtime/http_server.h"
#include "runtime/receiver.h"

/* ---- a fake Pyroscope ---- */

#define MAX_REQUESTS 32

typedef struct recorded {
	char path[128];
	char content_type[64];
	char authorization[128];
	char tenant[64];
	char user_agent[64];
	char extra[64];
	pj_buf body;
} recorded;

typedef struct fake {
	pj_http_server *server;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	recorded req[MAX_REQUESTS];
	size_t nreq;
	int fail_first; /* answer `fail_status` to this many requests, then 200 */
	int fail_status;
	bool hang; /* hold every request until released */
	char url[64];
} fake;

static void copy_header(const pj_http_request *req, const char *name, char *out, size_t size)
{
	const char *v = pj_http_header(req, name);
	snprintf(out, size, "%s", v ? v : "");
}

static void fake_handler(void *ctx, const pj_http_request *req, pj_http_response *resp)
{
	fake *f = ctx;
	pthread_mutex_lock(&f->mu);
	size_t i = f->nreq < MAX_REQUESTS ? f->nreq : MAX_REQUESTS - 1;
	recorded *r = &f->req[i];
	snprintf(r->path, sizeof(r->path), "%s", req->path);
	copy_header(req, "Content-Type", r->content_type, sizeof(r->content_type));
	copy_header(req, "Authorization", r->authorization, sizeof(r->authorization));
	copy_header(req, "X-Scope-OrgID", r->tenant, sizeof(r->tenant));
	copy_header(req, "User-Agent", r->user_agent, sizeof(r->user_agent));
	copy_header(req, "X-Extra", r->extra, sizeof(r->extra));
	pj_buf_reset(&r->body);
	pj_buf_append(&r->body, req->body, req->body_len);
	f->nreq++;
	pthread_cond_broadcast(&f->cv);
	while (f->hang)
		pthread_cond_wait(&f->cv, &f->mu);
	bool fail = f->fail_first > 0;
	if (fail)
		f->fail_first--;
	pthread_mutex_unlock(&f->mu);
	if (fail) {
		resp->content_type = "application/json";
		pj_http_response_text(resp, f->fail_status, "{\"code\":\"invalid_argument\",\"message\":\"bad profile\"}");
		return;
	}
	resp->content_type = "application/proto";
}

static fake *fake_start_at(const char *addr)
{
	fake *f = calloc(1, sizeof(*f));
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	f->server = pj_http_server_new(&(pj_http_server_opts){.listen_addr = addr});
	pj_http_route_add(f->server, "POST", "/", PJ_HTTP_PREFIX, fake_handler, f);
	char *err = NULL;
	assert_true(pj_http_server_start(f->server, &err));
	snprintf(f->url, sizeof(f->url), "http://%s", pj_http_server_addr(f->server));
	return f;
}

static fake *fake_start(void)
{
	return fake_start_at("127.0.0.1:0");
}

static void fake_release(fake *f)
{
	pthread_mutex_lock(&f->mu);
	f->hang = false;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

static void fake_free(fake *f)
{
	fake_release(f);
	pj_http_server_free(f->server);
	for (size_t i = 0; i < MAX_REQUESTS; i++)
		pj_buf_free(&f->req[i].body);
	free(f);
}

/* Waits (up to 20 s, a safety net rather than a timing assertion) for n requests. */
static void fake_wait(fake *f, size_t n)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 20;
	pthread_mutex_lock(&f->mu);
	while (f->nreq < n && pthread_cond_timedwait(&f->cv, &f->mu, &until) == 0)
		;
	size_t got = f->nreq;
	pthread_mutex_unlock(&f->mu);
	assert_true(got >= n);
}

static size_t fake_count(fake *f)
{
	pthread_mutex_lock(&f->mu);
	size_t n = f->nreq;
	pthread_mutex_unlock(&f->mu);
	return n;
}

/* ---- the component under test ---- */

typedef struct harness {
	pj_registry *reg;
	pj_metrics *metrics;
	pj_controller *ctl;
} harness;

static bool load(harness *h, const char *text, pj_diags *diags)
{
	pj_diags parse = PJ_DIAGS_INIT;
	pj_file **files = calloc(1, sizeof(*files));
	files[0] = pj_parse(pj_source_new("main.alloy", text, strlen(text)), &parse);
	assert_false(pj_diags_has_errors(&parse));
	pj_diags_free(&parse);
	return pj_controller_load(h->ctl, files, 1, diags);
}

static harness start(const char *text)
{
	harness h;
	h.reg = pj_registry_new();
	pj_registry_add(h.reg, &pj_pyroscope_write_type);
	h.metrics = pj_metrics_new();
	pj_controller_options opts = {.registry = h.reg, .manual_flush = true, .metrics = h.metrics};
	h.ctl = pj_controller_new(&opts);
	pj_diags diags = PJ_DIAGS_INIT;
	bool ok = load(&h, text, &diags);
	if (!ok)
		pj_diags_print(&diags, stderr, false);
	pj_diags_free(&diags);
	assert_true(ok);
	pj_controller_start(h.ctl);
	return h;
}

static void finish(harness *h)
{
	pj_controller_free(h->ctl);
	pj_metrics_free(h->metrics);
	pj_registry_free(h->reg);
}

static pj_appendable *receiver(harness *h)
{
	pj_value *exports = pj_controller_exports(h->ctl, "pyroscope.write.t");
	assert_non_null(exports);
	pj_appendable *a = pj_appendable_from(pj_object_get(exports, "receiver"));
	assert_non_null(a);
	pj_value_unref(exports);
	return a;
}

static void push(pj_appendable *a, const char *service, const char *profile)
{
	pj_label labels[] = {{"service_name", service}, {"__name__", "process_cpu"}, {"__delta__", "false"},
		{"__session_id__", "77"}};
	pj_raw_sample s = {profile, strlen(profile), ""};
	char *err = NULL;
	assert_true(a->append(a, labels, 4, &s, 1, &err));
}

/* A counter of the component, summed over its series that mention endpoint. */
static double metric(harness *h, const char *name, const char *endpoint)
{
	pj_buf text = PJ_BUF_INIT;
	pj_metrics_write_text(h->metrics, &text);
	double sum = 0;
	size_t name_len = strlen(name);
	for (char *line = strtok(text.data, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, name, name_len) == 0 && line[name_len] == '{' && strstr(line, endpoint))
			sum += strtod(strrchr(line, ' ') + 1, NULL);
	}
	pj_buf_free(&text);
	return sum;
}

static void wait_metric(harness *h, const char *name, const char *endpoint, double want)
{
	for (int i = 0; i < 2000 && metric(h, name, endpoint) < want; i++)
		usleep(10000);
	assert_true(metric(h, name, endpoint) == want);
}

typedef struct decoded {
	char labels[512];
	pj_buf profile;
	size_t samples;
} decoded;

static bool keep_series(void *ctx, const pj_push_series *s, char **err)
{
	decoded *d = ctx;
	size_t len = 0;
	for (size_t i = 0; i < s->nlabels; i++)
		len += snprintf(d->labels + len, sizeof(d->labels) - len, "%s=%s;", s->labels[i].name, s->labels[i].value);
	d->samples += s->nsamples;
	for (size_t i = 0; i < s->nsamples; i++) {
		assert_true(gunzip_is_gzip(s->samples[i].data, s->samples[i].len));
		assert_true(gunzip_buf(s->samples[i].data, s->samples[i].len, 1 << 20, &d->profile, err));
	}
	return true;
}

static void decode_request(const recorded *r, decoded *d)
{
	memset(d, 0, sizeof(*d));
	char *err = NULL;
	assert_true(pj_push_decode(r->body.data, r->body.len, keep_series, d, &err));
}

static char *config(const char *endpoints)
{
	pj_buf b = PJ_BUF_INIT;
	pj_buf_printf(&b, "pyroscope.write \"t\" {\n  external_labels = { env = \"test\" }\n%s}\n", endpoints);
	return pj_buf_detach(&b);
}

/* ---- tests ---- */

static void test_push_arrives_with_headers_auth_and_labels(void **state)
{
	(void)state;
	fake *f = fake_start();
	char ep[512];
	snprintf(ep, sizeof(ep),
		"  endpoint {\n    url = \"%s/\"\n    headers = { \"X-Scope-OrgID\" = \"tenant-a\" }\n"
		"    http_headers = { \"X-Extra\" = [\"one\"] }\n"
		"    basic_auth {\n      username = \"user\"\n      password = \"s3cret\"\n    }\n  }\n",
		f->url);
	char *text = config(ep);
	harness h = start(text);
	push(receiver(&h), "app", "PROFILE-BYTES");
	fake_wait(f, 1);
	wait_metric(&h, "pyroscope_write_sent_profiles_total", f->url, 1);
	recorded *r = &f->req[0];
	assert_string_equal(r->path, "/push.v1.PusherService/Push");
	assert_string_equal(r->content_type, "application/proto");
	assert_string_equal(r->authorization, "Basic dXNlcjpzM2NyZXQ="); /* user:s3cret */
	assert_string_equal(r->tenant, "tenant-a");
	assert_string_equal(r->extra, "one");
	assert_non_null(strstr(r->user_agent, "pyrojava/"));
	decoded d;
	decode_request(r, &d);
	assert_string_equal(d.labels, "__delta__=false;__name__=process_cpu;env=test;service_name=app;");
	assert_int_equal(d.samples, 1);
	assert_string_equal(pj_buf_cstr(&d.profile), "PROFILE-BYTES");
	pj_buf_free(&d.profile);
	assert_true(metric(&h, "pyroscope_write_sent_bytes_total", f->url) > 0);
	finish(&h);
	free(text);
	fake_free(f);
}

static void test_bearer_token_file_is_read_per_request(void **state)
{
	(void)state;
	fake *f = fake_start();
	char path[] = "/tmp/pj_token_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, " tok-1\n", 7), 7);
	close(fd);
	char ep[512];
	snprintf(ep, sizeof(ep), "  endpoint {\n    url = \"%s\"\n    bearer_token_file = \"%s\"\n  }\n", f->url, path);
	char *text = config(ep);
	harness h = start(text);
	push(receiver(&h), "app", "p1");
	fake_wait(f, 1);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	fputs("tok-2", out);
	fclose(out);
	push(receiver(&h), "app", "p2");
	fake_wait(f, 2);
	assert_string_equal(f->req[0].authorization, "Bearer tok-1");
	assert_string_equal(f->req[1].authorization, "Bearer tok-2");
	finish(&h);
	free(text);
	unlink(path);
	fake_free(f);
}

static void test_retries_then_success(void **state)
{
	(void)state;
	fake *f = fake_start();
	f->fail_first = 2;
	f->fail_status = 503;
	char ep[512];
	snprintf(ep, sizeof(ep),
		"  endpoint {\n    url = \"%s\"\n    min_backoff_period = \"10ms\"\n    max_backoff_period = \"20ms\"\n  }\n",
		f->url);
	char *text = config(ep);
	harness h = start(text);
	push(receiver(&h), "app", "retry-me");
	wait_metric(&h, "pyroscope_write_sent_profiles_total", f->url, 1);
	assert_int_equal(fake_count(f), 3);
	assert_true(metric(&h, "pyroscope_write_retries_total", f->url) == 2);
	assert_true(metric(&h, "pyroscope_write_dropped_profiles_total", f->url) == 0);
	finish(&h);
	free(text);
	fake_free(f);
}

static void test_400_is_not_retried(void **state)
{
	(void)state;
	fake *f = fake_start();
	f->fail_first = 5;
	f->fail_status = 400;
	char ep[512];
	snprintf(ep, sizeof(ep), "  endpoint {\n    url = \"%s\"\n    min_backoff_period = \"10ms\"\n  }\n", f->url);
	char *text = config(ep);
	harness h = start(text);
	push(receiver(&h), "app", "bad");
	wait_metric(&h, "pyroscope_write_dropped_profiles_total", f->url, 1);
	assert_int_equal(fake_count(f), 1);
	assert_true(metric(&h, "pyroscope_write_retries_total", f->url) == 0);
	finish(&h);
	free(text);
	fake_free(f);
}

/* 429 is retried by default and dropped at once with retry_on_http_429 = false. */
static void test_429_follows_retry_on_http_429(void **state)
{
	(void)state;
	fake *f = fake_start();
	f->fail_first = 1;
	f->fail_status = 429;
	char ep[512];
	snprintf(ep, sizeof(ep), "  endpoint {\n    url = \"%s\"\n    min_backoff_period = \"10ms\"\n  }\n", f->url);
	char *text = config(ep);
	harness h = start(text);
	push(receiver(&h), "app", "busy");
	wait_metric(&h, "pyroscope_write_sent_profiles_total", f->url, 1);
	assert_int_equal(fake_count(f), 2);
	finish(&h);
	free(text);
	f->fail_first = 1;
	snprintf(ep, sizeof(ep), "  endpoint {\n    url = \"%s\"\n    retry_on_http_429 = false\n  }\n", f->url);
	text = config(ep);
	h = start(text);
	push(receiver(&h), "app", "busy");
	wait_metric(&h, "pyroscope_write_dropped_profiles_total", f->url, 1);
	assert_int_equal(fake_count(f), 3);
	finish(&h);
	free(text);
	fake_free(f);
}

/* max_backoff_retries counts attempts: the server sees exactly that many requests. */
static void test_max_backoff_retries_bounds_attempts(void **state)
{
	(void)state;
	fake *f = fake_start();
	f->fail_first = 100;
	f->fail_status = 500;
	char ep[512];
	snprintf(ep, sizeof(ep),
		"  endpoint {\n    url = \"%s\"\n    min_backoff_period = \"1ms\"\n    max_backoff_period = \"2ms\"\n"
		"    max_backoff_retries = 3\n  }\n",
		f->url);
	char *text = config(ep);
	harness h = start(text);
	push(receiver(&h), "app", "never");
	wait_metric(&h, "pyroscope_write_dropped_profiles_total", f->url, 1);
	assert_int_equal(fake_count(f), 3);
	finish(&h);
	free(text);
	fake_free(f);
}

static void test_dead_endpoint_does_not_delay_live_one(void **state)
{
	(void)state;
	fake *slow = fake_start(), *live = fake_start();
	slow->hang = true;
	char ep[1024];
	snprintf(ep, sizeof(ep), "  endpoint {\n    url = \"%s\"\n  }\n  endpoint {\n    url = \"%s\"\n  }\n", slow->url,
		live->url);
	char *text = config(ep);
	harness h = start(text);
	pj_appendable *a = receiver(&h);
	push(a, "one", "p1");
	push(a, "two", "p2");
	push(a, "three", "p3");
	fake_wait(live, 3);
	wait_metric(&h, "pyroscope_write_sent_profiles_total", live->url, 3);
	assert_int_equal(fake_count(slow), 1); /* still stuck on the first */
	fake_release(slow);
	wait_metric(&h, "pyroscope_write_sent_profiles_total", slow->url, 3);
	finish(&h);
	free(text);
	fake_free(slow);
	fake_free(live);
}

static void test_queue_overflow_drops_oldest(void **state)
{
	(void)state;
	fake *f = fake_start();
	f->hang = true;
	/* Every request here is 105 bytes: room for two queued behind the one in flight. */
	char ep[512];
	snprintf(ep, sizeof(ep), "  endpoint {\n    url = \"%s\"\n    max_queue_bytes = 250\n  }\n", f->url);
	char *text = config(ep);
	harness h = start(text);
	pj_appendable *a = receiver(&h);
	push(a, "s1", "p");
	fake_wait(f, 1);
	assert_int_equal(f->req[0].body.len, 105);
	push(a, "s2", "p");
	push(a, "s3", "p");
	push(a, "s4", "p");
	push(a, "s5", "p");
	assert_true(metric(&h, "pyroscope_write_dropped_profiles_total", f->url) == 2);
	fake_release(f);
	wait_metric(&h, "pyroscope_write_sent_profiles_total", f->url, 3);
	decoded d;
	decode_request(&f->req[1], &d);
	assert_non_null(strstr(d.labels, "service_name=s4;"));
	pj_buf_free(&d.profile);
	decode_request(&f->req[2], &d);
	assert_non_null(strstr(d.labels, "service_name=s5;"));
	pj_buf_free(&d.profile);
	finish(&h);
	free(text);
	fake_free(f);
}

/* A port that was free a moment ago. */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t len = sizeof(sa);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* The server is down for a while: queued profiles are retried and all arrive, in order, once it is up. */
static void test_outage_loses_nothing_within_queue(void **state)
{
	(void)state;
	char addr[32], ep[512];
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", free_port());
	snprintf(ep, sizeof(ep),
		"  endpoint {\n    url = \"http://%s\"\n    min_backoff_period = \"10ms\"\n"
		"    max_backoff_period = \"50ms\"\n    max_backoff_retries = 0\n  }\n",
		addr);
	char *text = config(ep);
	harness h = start(text);
	pj_appendable *a = receiver(&h);
	push(a, "s1", "p1");
	push(a, "s2", "p2");
	push(a, "s3", "p3");
	char url[48];
	snprintf(url, sizeof(url), "http://%s", addr);
	for (int i = 0; i < 2000 && metric(&h, "pyroscope_write_retries_total", url) < 5; i++)
		usleep(10000);
	assert_true(metric(&h, "pyroscope_write_retries_total", url) >= 5);
	fake *f = fake_start_at(addr);
	wait_metric(&h, "pyroscope_write_sent_profiles_total", url, 3);
	assert_true(metric(&h, "pyroscope_write_dropped_profiles_total", url) == 0);
	const char *order[] = {"service_name=s1;", "service_name=s2;", "service_name=s3;"};
	for (size_t i = 0; i < 3; i++) {
		decoded d;
		decode_request(&f->req[i], &d);
		assert_non_null(strstr(d.labels, order[i]));
		pj_buf_free(&d.profile);
	}
	finish(&h);
	free(text);
	fake_free(f);
}

/* A listening socket that stands in for a proxy: it only notices connections. */
static int listen_loopback(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	socklen_t len = sizeof(sa);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void test_proxy_env_ignored_unless_asked(void **state)
{
	(void)state;
	fake *f = fake_start();
	int port;
	int proxy = listen_loopback(&port);
	char proxy_url[64];
	snprintf(proxy_url, sizeof(proxy_url), "http://127.0.0.1:%d", port);
	setenv("http_proxy", proxy_url, 1);
	setenv("HTTP_PROXY", proxy_url, 1);
	setenv("no_proxy", "", 1);
	char ep[512];
	snprintf(ep, sizeof(ep), "  endpoint {\n    url = \"%s\"\n  }\n", f->url);
	char *text = config(ep);
	harness h = start(text);
	push(receiver(&h), "app", "direct");
	wait_metric(&h, "pyroscope_write_sent_profiles_total", f->url, 1);
	assert_true(accept(proxy, NULL, NULL) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
	finish(&h);
	free(text);

	snprintf(ep, sizeof(ep), "  endpoint {\n    url = \"%s\"\n    proxy_from_environment = true\n  }\n", f->url);
	text = config(ep);
	pj_write_flush_ns = 100000000;
	h = start(text);
	push(receiver(&h), "app", "via-proxy");
	struct pollfd pfd = {proxy, POLLIN, 0};
	assert_int_equal(poll(&pfd, 1, 20000), 1);
	int conn = accept(proxy, NULL, NULL);
	assert_true(conn >= 0);
	close(conn);
	finish(&h);
	pj_write_flush_ns = 5000000000LL;
	free(text);
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("no_proxy");
	close(proxy);
	assert_int_equal(fake_count(f), 1);
	fake_free(f);
}

static void test_secrets_stay_out_of_metrics_and_logs(void **state)
{
	(void)state;
	fake *f = fake_start();
	f->fail_first = 1;
	f->fail_status = 401;
	char *log = NULL;
	size_t log_len = 0;
	FILE *mem = open_memstream(&log, &log_len);
	pj_log_set_output(mem);
	char ep[512];
	snprintf(ep, sizeof(ep),
		"  endpoint {\n    url = \"http://user:urlpass@%s\"\n    bearer_token = \"tok-secret\"\n  }\n", f->url + 7);
	char *text = config(ep);
	harness h = start(text);
	push(receiver(&h), "app", "p");
	wait_metric(&h, "pyroscope_write_dropped_profiles_total", "xxxxx", 1);
	pj_buf metrics = PJ_BUF_INIT;
	pj_metrics_write_text(h.metrics, &metrics);
	assert_null(strstr(metrics.data, "urlpass"));
	assert_non_null(strstr(metrics.data, "http://user:xxxxx@127.0.0.1"));
	pj_buf json = PJ_BUF_INIT;
	assert_true(pj_controller_component_json(h.ctl, "pyroscope.write.t", &json));
	assert_null(strstr(json.data, "tok-secret"));
	finish(&h);
	pj_log_set_output(NULL);
	fclose(mem);
	assert_non_null(strstr(log, "bad profile")); /* the server's message is logged */
	assert_null(strstr(log, "urlpass"));
	assert_null(strstr(log, "tok-secret"));
	free(log);
	pj_buf_free(&metrics);
	pj_buf_free(&json);
	free(text);
	fake_free(f);
}

static void test_backoff_schedule(void **state)
{
	(void)state;
	const int64_t ms = 1000000;
	pj_backoff b;
	pj_backoff_init(&b, 500 * ms, 300000 * ms, 42);
	int64_t lo = 500 * ms;
	for (int i = 0; i < 9; i++, lo *= 2) {
		int64_t d = pj_backoff_next(&b);
		assert_true(d >= lo && d < 2 * lo);
	}
	/* [256 s, 300 s) once the upper bound reaches max_backoff_period, from then on. */
	for (int i = 0; i < 5; i++) {
		int64_t d = pj_backoff_next(&b);
		assert_true(d >= 256000 * ms && d < 300000 * ms);
	}
	pj_backoff_init(&b, 10 * ms, 10 * ms, 1);
	assert_int_equal(pj_backoff_next(&b), 10 * ms);
}

static void test_redact_url(void **state)
{
	(void)state;
	char *s = pj_write_redact_url("https://u:p@host:4040/x");
	assert_string_equal(s, "https://u:xxxxx@host:4040/x");
	free(s);
	s = pj_write_redact_url("http://host/a@b");
	assert_string_equal(s, "http://host/a@b");
	free(s);
}

/* Config errors carry Alloy's messages. */
static void expect_invalid(const char *endpoint_body, const char *message)
{
	pj_registry *reg = pj_registry_new();
	pj_registry_add(reg, &pj_pyroscope_write_type);
	pj_controller_options opts = {.registry = reg, .validate_only = true};
	harness h = {reg, NULL, pj_controller_new(&opts)};
	char body[1024];
	snprintf(body, sizeof(body), "pyroscope.write \"t\" {\n  endpoint {\n    url = \"http://x\"\n%s  }\n}\n",
		endpoint_body);
	pj_diags diags = PJ_DIAGS_INIT;
	assert_false(load(&h, body, &diags));
	assert_true(diags.len >= 1);
	if (!strstr(diags.items[0].message, message))
		fail_msg("got %s, want %s", diags.items[0].message, message);
	pj_diags_free(&diags);
	pj_controller_free(h.ctl);
	pj_registry_free(reg);
}

static void test_config_validation_messages(void **state)
{
	(void)state;
	expect_invalid("bearer_token = \"a\"\nbearer_token_file = \"/f\"\n",
		"at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured");
	expect_invalid("basic_auth {\n username = \"u\"\n}\nauthorization {\n credentials = \"c\"\n}\n",
		"at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured");
	expect_invalid("basic_auth {\n password = \"p\"\n password_file = \"/f\"\n}\n",
		"at most one of basic_auth password & password_file must be configured");
	expect_invalid("authorization {\n type = \" Basic \"\n}\n",
		"authorization type cannot be set to \"basic\", use \"basic_auth\" block instead");
	expect_invalid("authorization {\n credentials = \"c\"\n credentials_file = \"/f\"\n}\n",
		"at most one of authorization credentials & credentials_file must be configured");
	expect_invalid("tls_config {\n ca_pem = \"x\"\n ca_file = \"/f\"\n}\n",
		"at most one of ca_pem and ca_file must be configured");
	expect_invalid("tls_config {\n cert_file = \"/f\"\n}\n",
		"exactly one of key_pem or key_file must be configured when a client certificate is configured");
	expect_invalid("tls_config {\n min_version = \"TLS9\"\n}\n", "unknown TLS version: TLS9");
	expect_invalid("no_proxy = \"a\"\n", "if no_proxy is configured, proxy_url must also be configured");
	expect_invalid("proxy_from_environment = true\nproxy_url = \"http://p\"\n",
		"if proxy_from_environment is configured, proxy_url must not be configured");
	expect_invalid("proxy_connect_header = { a = [\"b\"] }\n",
		"if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured");
	expect_invalid("http_headers = { \"content-type\" = [\"x\"] }\n", "setting header \"Content-Type\" is not allowed");
	expect_invalid("oauth2 {\n token_url = \"http://t\"\n}\n", "oauth2 client_id must be configured");
	expect_invalid("oauth2 {\n client_id = \"a\"\n client_secret = \"b\"\n token_url = \"http://t\"\n}\n",
		"oauth2 is not supported by pyrojava");
}

static void test_unreadable_file_fails_build(void **state)
{
	(void)state;
	pj_registry *reg = pj_registry_new();
	pj_registry_add(reg, &pj_pyroscope_write_type);
	pj_controller_options opts = {.registry = reg, .manual_flush = true};
	harness h = {reg, NULL, pj_controller_new(&opts)};
	pj_diags diags = PJ_DIAGS_INIT;
	assert_false(load(&h,
		"pyroscope.write \"t\" {\n  endpoint {\n    url = \"http://x\"\n    bearer_token_file = \"/nonexistent/tok\"\n  }\n}\n",
		&diags));
	assert_non_null(strstr(diags.items[0].message, "/nonexistent/tok: No such file or directory"));
	pj_diags_free(&diags);
	pj_controller_free(h.ctl);
	pj_registry_free(reg);
}

int main(void)
{
	pj_write_flush_ns = 5000000000LL;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_arrives_with_headers_auth_and_labels),
		cmocka_unit_test(test_bearer_token_file_is_read_per_request),
		cmocka_unit_test(test_retries_then_success),
		cmocka_unit_test(test_400_is_not_retried),
		cmocka_unit_test(test_429_follows_retry_on_http_429),
		cmocka_unit_test(test_max_backoff_retries_bounds_attempts),
		cmocka_unit_test(test_dead_endpoint_does_not_delay_live_one),
		cmocka_unit_test(test_queue_overflow_drops_oldest),
		cmocka_unit_test(test_outage_loses_nothing_within_queue),
		cmocka_unit_test(test_proxy_env_ignored_unless_asked),
		cmocka_unit_test(test_secrets_stay_out_of_metrics_and_logs),
		cmocka_unit_test(test_backoff_schedule),
		cmocka_unit_test(test_redact_url),
		cmocka_unit_test(test_config_validation_messages),
		cmocka_unit_test(test_unreadable_file_fails_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
