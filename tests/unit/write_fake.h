#ifndef PJ_TESTS_WRITE_FAKE_H
#define PJ_TESTS_WRITE_FAKE_H

/*
 * Test helpers for pyroscope.write: a fake Pyroscope on loopback built on the
 * project's HTTP server (records requests; answers 200, a chosen failure
 * status, an oauth2 token, or hangs until released) and a controller harness
 * that loads a config and reads the component's receiver and metrics.
 * Include after cmocka.h.
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	bool token; /* answer as an oauth2 token endpoint */
	char url[64];
} fake;

static inline void copy_header(const pj_http_request *req, const char *name, char *out, size_t size)
{
	const char *v = pj_http_header(req, name);
	snprintf(out, size, "%s", v ? v : "");
}

static inline void fake_handler(void *ctx, const pj_http_request *req, pj_http_response *resp)
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
	if (f->token) {
		resp->content_type = "application/json";
		pj_http_response_text(resp, 200, "{\"access_token\":\"tok-123\",\"token_type\":\"bearer\",\"expires_in\":3600}");
		return;
	}
	if (fail) {
		resp->content_type = "application/json";
		pj_http_response_text(resp, f->fail_status, "{\"code\":\"invalid_argument\",\"message\":\"bad profile\"}");
		return;
	}
	resp->content_type = "application/proto";
}

static inline fake *fake_start_at(const char *addr)
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

static inline fake *fake_start(void)
{
	return fake_start_at("127.0.0.1:0");
}

static inline void fake_release(fake *f)
{
	pthread_mutex_lock(&f->mu);
	f->hang = false;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

static inline void fake_free(fake *f)
{
	fake_release(f);
	pj_http_server_free(f->server);
	for (size_t i = 0; i < MAX_REQUESTS; i++)
		pj_buf_free(&f->req[i].body);
	free(f);
}

/* Waits (up to 20 s, a safety net rather than a timing assertion) for n requests. */
static inline void fake_wait(fake *f, size_t n)
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

static inline size_t fake_count(fake *f)
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

static inline bool load(harness *h, const char *text, pj_diags *diags)
{
	pj_diags parse = PJ_DIAGS_INIT;
	pj_file **files = calloc(1, sizeof(*files));
	files[0] = pj_parse(pj_source_new("main.alloy", text, strlen(text)), &parse);
	assert_false(pj_diags_has_errors(&parse));
	pj_diags_free(&parse);
	return pj_controller_load(h->ctl, files, 1, diags);
}

static inline harness start(const char *text)
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

static inline void finish(harness *h)
{
	pj_controller_free(h->ctl);
	pj_metrics_free(h->metrics);
	pj_registry_free(h->reg);
}

static inline pj_appendable *receiver(harness *h)
{
	pj_value *exports = pj_controller_exports(h->ctl, "pyroscope.write.t");
	assert_non_null(exports);
	pj_appendable *a = pj_appendable_from(pj_object_get(exports, "receiver"));
	assert_non_null(a);
	pj_value_unref(exports);
	return a;
}

static inline void push(pj_appendable *a, const char *service, const char *profile)
{
	pj_label labels[] = {{"service_name", service}, {"__name__", "process_cpu"}, {"__delta__", "false"},
		{"__session_id__", "77"}};
	pj_raw_sample s = {profile, strlen(profile), ""};
	char *err = NULL;
	assert_true(a->append(a, labels, 4, &s, 1, &err));
}

/* A counter of the component, summed over its series that mention endpoint. */
static inline double metric(harness *h, const char *name, const char *endpoint)
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

static inline void wait_metric(harness *h, const char *name, const char *endpoint, double want)
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

static inline bool keep_series(void *ctx, const pj_push_series *s, char **err)
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

static inline void decode_request(const recorded *r, decoded *d)
{
	memset(d, 0, sizeof(*d));
	char *err = NULL;
	assert_true(pj_push_decode(r->body.data, r->body.len, keep_series, d, &err));
}

static inline char *config(const char *endpoints)
{
	pj_buf b = PJ_BUF_INIT;
	pj_buf_printf(&b, "pyroscope.write \"t\" {\n  external_labels = { env = \"test\" }\n%s}\n", endpoints);
	return pj_buf_detach(&b);
}

#endif
