/* Unit tests for pyroscope.receive_http: profiles posted over HTTP reach forward_to (spec push 6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "components/push_proto.h"
#include "components/pyroscope_receive_http.h"
#include "profile/gzip.h"
#include "runtime/controller.h"
#include "runtime/receiver.h"

#include "free_port.h"

/* test.sink: records what it receives; `fail = true` makes append fail. */
typedef struct sink {
	pj_appendable app;
	pthread_mutex_t mu;
	char received[1024];
	bool fail;
} sink;

static sink *the_sink;

static bool sink_append(pj_appendable *self, const pj_label *labels, size_t nlabels,
	const pj_raw_sample *samples, size_t nsamples, char **err)
{
	sink *s = (sink *)self;
	if (s->fail) {
		*err = strdup("sink refused");
		return false;
	}
	pthread_mutex_lock(&s->mu);
	size_t len = strlen(s->received);
	for (size_t i = 0; i < nlabels; i++)
		len += snprintf(s->received + len, sizeof(s->received) - len, "%s=%s;", labels[i].name, labels[i].value);
	for (size_t i = 0; i < nsamples; i++)
		len += snprintf(s->received + len, sizeof(s->received) - len, "[%.*s]", (int)samples[i].len,
			(const char *)samples[i].data);
	snprintf(s->received + len, sizeof(s->received) - len, "\n");
	pthread_mutex_unlock(&s->mu);
	return true;
}

static void sink_release(pj_appendable *self)
{
	sink *s = (sink *)self;
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static const pj_attr_schema sink_attrs[] = {
	{"fail", &pj_type_bool, "false", false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema sink_args = {sink_attrs, NULL, NULL};
static const pj_attr_schema sink_export_attrs[] = {
	{"receiver", &pj_type_receiver, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema sink_exports = {sink_export_attrs, NULL, NULL};

static void *sink_build(pj_component *self, const pj_value *args, char **err)
{
	(void)err;
	sink *s = calloc(1, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	s->fail = pj_arg_bool(args, "fail");
	s->app.append = sink_append;
	s->app.release = sink_release;
	pj_appendable_init(&s->app);
	the_sink = s;
	pj_value *exports = pj_object_new();
	pj_object_set(exports, "receiver", pj_appendable_value(&s->app));
	pj_component_export(self, exports);
	return s;
}

static void sink_destroy(void *state)
{
	pj_appendable_unref(state);
}

static const pj_component_type sink_type = {
	.name = "test.sink", .args = &sink_args, .exports = &sink_exports, .build = sink_build,
	.destroy = sink_destroy,
};

typedef struct harness {
	pj_registry *reg;
	pj_controller *ctl;
	int port;
} harness;

static harness start(bool sink_fails, const char *http_extra)
{
	harness h;
	h.port = free_port();
	h.reg = pj_registry_new();
	pj_registry_add(h.reg, &sink_type);
	pj_registry_add(h.reg, &pj_pyroscope_receive_http_type);
	pj_controller_options opts = {.registry = h.reg, .manual_flush = true};
	h.ctl = pj_controller_new(&opts);
	char text[512];
	snprintf(text, sizeof(text),
		"test.sink \"s\" {\n  fail = %s\n}\n"
		"pyroscope.receive_http \"r\" {\n  http {\n    listen_address = \"127.0.0.1\"\n    listen_port = %d\n%s  }\n"
		"  forward_to = [test.sink.s.receiver]\n}\n",
		sink_fails ? "true" : "false", h.port, http_extra);
	pj_diags diags = PJ_DIAGS_INIT;
	pj_file **files = calloc(1, sizeof(*files));
	files[0] = pj_parse(pj_source_new("main.alloy", text, strlen(text)), &diags);
	bool ok = pj_controller_load(h.ctl, files, 1, &diags);
	if (!ok)
		pj_diags_print(&diags, stderr, false);
	assert_true(ok);
	pj_diags_free(&diags);
	return h;
}

static void finish(harness *h)
{
	pj_controller_free(h->ctl);
	pj_registry_free(h->reg);
}

static size_t keep(char *data, size_t size, size_t n, void *ctx)
{
	pj_buf_append(ctx, data, size * n);
	return size * n;
}

/* POSTs body to path; returns the status and fills resp. */
static long post(const harness *h, const char *path, const char *content_type, const char *encoding,
	const void *body, size_t len, pj_buf *resp)
{
	CURL *c = curl_easy_init();
	char url[256], ct[128], ce[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", h->port, path);
	snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
	snprintf(ce, sizeof(ce), "Content-Encoding: %s", encoding ? encoding : "identity");
	struct curl_slist *headers = curl_slist_append(NULL, ct);
	headers = curl_slist_append(headers, ce);
	headers = curl_slist_append(headers, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	return status;
}

static void push_body(pj_buf *body, const pj_label *labels, size_t n, const char *profile)
{
	pj_raw_sample s = {profile, strlen(profile), "id-1"};
	pj_push_encode(labels, n, &s, 1, body);
}

static void test_push_reaches_forward_to(void **state)
{
	(void)state;
	harness h = start(false, "");
	pj_label no_service[] = {{"__name__", "process_cpu"}, {"env", "a"}};
	pj_label with_service[] = {{"__name__", "memory"}, {"service_name", "shop"}, {"app_name", "old"}};
	pj_buf body = PJ_BUF_INIT, resp = PJ_BUF_INIT;
	push_body(&body, no_service, 2, "P1");
	push_body(&body, with_service, 3, "P2");
	assert_int_equal(post(&h, "/push.v1.PusherService/Push", "application/proto", NULL, body.data, body.len, &resp),
		200);
	assert_string_equal(the_sink->received,
		"__name__=process_cpu;env=a;service_name=process_cpu;[P1]\n"
		"__name__=memory;service_name=shop;app_name=memory;[P2]\n");
	pj_buf_free(&body);
	pj_buf_free(&resp);
	finish(&h);
}

static void test_gzip_request_body(void **state)
{
	(void)state;
	harness h = start(false, "");
	pj_label l[] = {{"__name__", "wall"}, {"service_name", "svc"}};
	pj_buf body = PJ_BUF_INIT, gz = PJ_BUF_INIT, resp = PJ_BUF_INIT;
	push_body(&body, l, 2, "ZIPPED");
	assert_true(gzip_buf(body.data, body.len, &gz));
	assert_int_equal(post(&h, "/push.v1.PusherService/Push", "application/proto", "gzip", gz.data, gz.len, &resp),
		200);
	assert_non_null(strstr(the_sink->received, "[ZIPPED]"));
	pj_buf_reset(&resp);
	assert_int_equal(post(&h, "/push.v1.PusherService/Push", "application/proto", "br", gz.data, gz.len, &resp),
		501);
	pj_buf_free(&body);
	pj_buf_free(&gz);
	pj_buf_free(&resp);
	finish(&h);
}

static void test_bad_requests_get_clear_errors(void **state)
{
	(void)state;
	harness h = start(false, "    max_request_body_bytes = 64\n");
	pj_buf resp = PJ_BUF_INIT;
	assert_int_equal(post(&h, "/push.v1.PusherService/Push", "application/json", NULL, "{}", 2, &resp), 415);
	pj_buf_reset(&resp);
	assert_int_equal(post(&h, "/push.v1.PusherService/Push", "application/proto", NULL, "\x0a\x10\x0a", 3, &resp),
		400);
	assert_string_equal(resp.data, "{\"code\":\"invalid_argument\",\"message\":\"malformed PushRequest\"}");
	static char big[100];
	pj_buf_reset(&resp);
	assert_int_equal(post(&h, "/push.v1.PusherService/Push", "application/proto", NULL, big, sizeof(big), &resp),
		413);
	pj_buf_reset(&resp);
	assert_int_equal(post(&h, "/ingest?name=app&format=pprof", "application/octet-stream", NULL, "x", 1, &resp),
		400);
	assert_non_null(strstr(resp.data, "only format=jfr"));
	pj_buf_reset(&resp);
	assert_int_equal(post(&h, "/ingest?name=bad%20app&format=jfr", "application/octet-stream", NULL, "x", 1, &resp),
		400);
	assert_non_null(strstr(resp.data, "invalid application name"));
	pj_buf_reset(&resp);
	assert_int_equal(post(&h, "/ingest?name=app&format=jfr", "application/octet-stream", NULL, "notjfr", 6, &resp),
		422);
	pj_buf_free(&resp);
	finish(&h);
}

/* A failing receiver answers 500 (Connect "internal"), which makes an upstream pyroscope.write retry. */
static void test_forward_failure_is_500(void **state)
{
	(void)state;
	harness h = start(true, "");
	pj_label l[] = {{"__name__", "wall"}};
	pj_buf body = PJ_BUF_INIT, resp = PJ_BUF_INIT;
	push_body(&body, l, 1, "X");
	assert_int_equal(post(&h, "/push.v1.PusherService/Push", "application/proto", NULL, body.data, body.len, &resp),
		500);
	assert_string_equal(resp.data, "{\"code\":\"internal\",\"message\":\"sink refused\"}");
	pj_buf_free(&body);
	pj_buf_free(&resp);
	finish(&h);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_reaches_forward_to),
		cmocka_unit_test(test_gzip_request_body),
		cmocka_unit_test(test_bad_requests_get_clear_errors),
		cmocka_unit_test(test_forward_failure_is_500),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
