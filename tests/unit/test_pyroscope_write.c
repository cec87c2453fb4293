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

#include "write_fake.h"

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

/* oauth2 client credentials against a local token endpoint; the token is reused while valid. */
static void test_oauth2_client_credentials(void **state)
{
	(void)state;
	fake *f = fake_start(), *tok = fake_start();
	tok->token = true;
	char ep[1024];
	snprintf(ep, sizeof(ep),
		"  endpoint {\n    url = \"%s\"\n    oauth2 {\n      client_id = \"client\"\n"
		"      client_secret = \"secret\"\n      token_url = \"%s/token\"\n      scopes = [\"read\", \"write\"]\n"
		"      endpoint_params = { audience = \"pyro\" }\n    }\n  }\n",
		f->url, tok->url);
	char *text = config(ep);
	harness h = start(text);
	push(receiver(&h), "app", "one");
	push(receiver(&h), "app", "two");
	fake_wait(f, 2);
	assert_string_equal(f->req[0].authorization, "Bearer tok-123");
	assert_string_equal(f->req[1].authorization, "Bearer tok-123");
	assert_int_equal(fake_count(tok), 1);
	assert_string_equal(tok->req[0].path, "/token");
	assert_string_equal(tok->req[0].authorization, "Basic Y2xpZW50OnNlY3JldA=="); /* client:secret */
	assert_string_equal(tok->req[0].content_type, "application/x-www-form-urlencoded");
	assert_string_equal(tok->req[0].body.data, "grant_type=client_credentials&scope=read%20write&audience=pyro");
	finish(&h);
	free(text);
	fake_free(f);
	fake_free(tok);
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
	pj_health health = {0};
	assert_true(pj_controller_health(h.ctl, "pyroscope.write.t", &health));
	assert_int_equal(health.state, PJ_HEALTH_HEALTHY);
	pj_health_clear(&health);
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
	pj_health health = {0};
	assert_true(pj_controller_health(h.ctl, "pyroscope.write.t", &health));
	assert_int_equal(health.state, PJ_HEALTH_UNHEALTHY);
	assert_non_null(strstr(health.message, "server returned HTTP status 400: invalid_argument: bad profile"));
	pj_health_clear(&health);
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

/* A profile older than the server's ingestion window is dropped instead of retried, even with unlimited retries. */
static void test_old_profile_not_retried(void **state)
{
	(void)state;
	fake *f = fake_start();
	f->fail_first = 100;
	f->fail_status = 503;
	int64_t saved = pj_write_max_age_ns;
	pj_write_max_age_ns = 1; /* every profile is "old" after its first attempt */
	char ep[512];
	snprintf(ep, sizeof(ep),
		"  endpoint {\n    url = \"%s\"\n    min_backoff_period = \"1ms\"\n    max_backoff_retries = 0\n  }\n",
		f->url);
	char *text = config(ep);
	harness h = start(text);
	push(receiver(&h), "app", "stale");
	wait_metric(&h, "pyroscope_write_dropped_profiles_total", f->url, 1);
	assert_int_equal(fake_count(f), 1);
	finish(&h);
	pj_write_max_age_ns = saved;
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
	fake_wait(slow, 1); /* under load its first request may arrive after live's three */
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
	pj_buf json = PJ_BUF_INIT;
	assert_true(pj_controller_component_json(h.ctl, "pyroscope.write.t", &json));
	assert_non_null(strstr(json.data,
		"{\"name\":\"queued_profiles\",\"type\":\"attr\",\"value\":{\"type\":\"number\",\"value\":2}}"));
	pj_buf_free(&json);
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

int main(void)
{
	pj_write_flush_ns = 5000000000LL;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_arrives_with_headers_auth_and_labels),
		cmocka_unit_test(test_bearer_token_file_is_read_per_request),
		cmocka_unit_test(test_oauth2_client_credentials),
		cmocka_unit_test(test_retries_then_success),
		cmocka_unit_test(test_400_is_not_retried),
		cmocka_unit_test(test_429_follows_retry_on_http_429),
		cmocka_unit_test(test_max_backoff_retries_bounds_attempts),
		cmocka_unit_test(test_old_profile_not_retried),
		cmocka_unit_test(test_dead_endpoint_does_not_delay_live_one),
		cmocka_unit_test(test_queue_overflow_drops_oldest),
		cmocka_unit_test(test_proxy_env_ignored_unless_asked),
		cmocka_unit_test(test_secrets_stay_out_of_metrics_and_logs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
