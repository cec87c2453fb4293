/*
 * pyroscope.receive_http: an HTTP server of its own that accepts profiles
 * the way a Pyroscope server does and hands each series to `forward_to`
 * (docs/pyroscope.receive_http.md). It is how one pyrojava relays for
 * others, and the receiving end of the end-to-end tests.
 *
 *   POST /push.v1.PusherService/Push  Connect unary, application/proto
 *   POST /ingest                      legacy ingest API, format=jfr only
 */
#include "components/pyroscope_receive_http.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "components/push_proto.h"
#include "profile/gunzip.h"
#include "profile/jfr_pprof.h"
#include "runtime/http_server.h"
#include "runtime/log.h"
#include "runtime/receiver.h"

typedef struct receive_state {
	pj_component *self;
	pthread_mutex_t mu; /* guards forward_to */
	pj_value *forward_to;
	pj_value *http; /* the http block the server was started with */
	pj_http_server *server;
	size_t max_body;
} receive_state;

/* A Connect error: JSON body with the code, and the status Connect maps it to. */
static void connect_error(pj_http_response *resp, int status, const char *code, const char *message)
{
	pj_buf json = PJ_BUF_INIT;
	pj_value *msg = pj_cstring(message);
	pj_value_write_json(&json, msg);
	pj_value_unref(msg);
	resp->content_type = "application/json";
	pj_http_response_text(resp, status, "{\"code\":\"%s\",\"message\":%s}", code, json.data);
	pj_buf_free(&json);
}

static pj_value *forward_targets(receive_state *r)
{
	pthread_mutex_lock(&r->mu);
	pj_value *v = r->forward_to ? pj_value_ref(r->forward_to) : NULL;
	pthread_mutex_unlock(&r->mu);
	return v;
}

/*
 * Alloy's label rule for received series: without service_name the series
 * gets service_name = __name__; otherwise app_name = __name__ when set.
 */
static pj_label *adjust_labels(const pj_label *in, size_t n, size_t *out_n)
{
	pj_label *out = pj_calloc(n + 1, sizeof(*out));
	const char *name = NULL;
	bool has_service = false;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(in[i].name, "__name__") == 0)
			name = in[i].value;
		has_service |= strcmp(in[i].name, "service_name") == 0;
	}
	const char *target = has_service ? "app_name" : "service_name";
	for (size_t i = 0; i < n; i++) {
		if (!(name && *name && strcmp(in[i].name, target) == 0))
			out[m++] = in[i];
	}
	if (name && *name)
		out[m++] = (pj_label){target, name};
	*out_n = m;
	return out;
}

typedef struct forward_ctx {
	receive_state *r;
	const pj_value *receivers;
} forward_ctx;

static bool forward_series(void *ctx, const pj_push_series *s, char **err)
{
	forward_ctx *f = ctx;
	size_t n;
	pj_label *labels = adjust_labels(s->labels, s->nlabels, &n);
	bool ok = pj_appendable_append_all(f->receivers, labels, n, s->samples, s->nsamples, err);
	free(labels);
	return ok;
}

/* The media type without parameters equals want. */
static bool media_type_is(const char *value, const char *want)
{
	if (!value)
		return false;
	size_t len = strcspn(value, "; \t");
	return len == strlen(want) && strncasecmp(value, want, len) == 0;
}

/* The request body, inflated when Content-Encoding says gzip. False: the response is set. */
static bool request_body(receive_state *r, const pj_http_request *req, pj_http_response *resp, pj_buf *out,
	const void **data, size_t *len)
{
	const char *enc = pj_http_header(req, "Content-Encoding");
	*data = req->body;
	*len = req->body_len;
	if (!enc || !*enc || strcasecmp(enc, "identity") == 0)
		return true;
	if (strcasecmp(enc, "gzip") != 0) {
		connect_error(resp, 501, "unimplemented", "unsupported Content-Encoding");
		return false;
	}
	char *err = NULL;
	if (!gunzip_buf((const uint8_t *)req->body, req->body_len, r->max_body, out, &err)) {
		connect_error(resp, 400, "invalid_argument", err);
		free(err);
		return false;
	}
	*data = out->data;
	*len = out->len;
	return true;
}

static void handle_push(void *ctx, const pj_http_request *req, pj_http_response *resp)
{
	receive_state *r = ctx;
	if (!media_type_is(pj_http_header(req, "Content-Type"), PJ_PUSH_CONTENT_TYPE)) {
		pj_http_response_header(resp, "Accept-Post", PJ_PUSH_CONTENT_TYPE);
		pj_http_response_text(resp, 415, "unsupported content type: use %s\n", PJ_PUSH_CONTENT_TYPE);
		return;
	}
	pj_buf inflated = PJ_BUF_INIT;
	const void *data;
	size_t len;
	if (!request_body(r, req, resp, &inflated, &data, &len)) {
		pj_buf_free(&inflated);
		return;
	}
	pj_value *receivers = forward_targets(r);
	forward_ctx f = {r, receivers};
	char *err = NULL;
	if (pj_push_decode(data, len, forward_series, &f, &err)) {
		resp->content_type = PJ_PUSH_CONTENT_TYPE;
	} else {
		bool malformed = strncmp(err, "malformed", 9) == 0;
		pj_log(PJ_LOG_WARN, pj_component_id(r->self), "failed to forward profiles", "err", err, NULL);
		connect_error(resp, malformed ? 400 : 500, malformed ? "invalid_argument" : "internal", err);
		free(err);
	}
	if (receivers)
		pj_value_unref(receivers);
	pj_buf_free(&inflated);
}

/* Labels parsed from an ingest `name` ("app{k=v,k2=v2}"); strings point into text. */
typedef struct ingest_name {
	char *text; /* heap copy, cut into NUL-terminated pieces */
	const char *app;
	pj_label labels[32];
	size_t nlabels;
} ingest_name;

static char *trim(char *s)
{
	while (*s == ' ')
		s++;
	size_t len = strlen(s);
	while (len && s[len - 1] == ' ')
		s[--len] = '\0';
	return s;
}

static bool valid_chars(const char *s, const char *extra)
{
	for (; *s; s++) {
		char c = *s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(extra, c);
		if (!ok)
			return false;
	}
	return true;
}

static bool parse_ingest_name(const char *name, ingest_name *out, char **err)
{
	out->text = pj_strdup(name ? name : "");
	char *brace = strchr(out->text, '{');
	if (brace) {
		*brace = '\0';
		char *end = strrchr(brace + 1, '}');
		if (!end || end[1]) {
			*err = pj_strdup("invalid name: missing closing }");
			return false;
		}
		*end = '\0';
	}
	out->app = trim(out->text);
	if (!*out->app || !valid_chars(out->app, "_.-/")) {
		*err = pj_asprintf("invalid application name \"%s\"", out->app);
		return false;
	}
	char *save = NULL;
	for (char *pair = brace ? strtok_r(brace + 1, ",", &save) : NULL; pair; pair = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(pair, '=');
		if (!eq || out->nlabels == sizeof(out->labels) / sizeof(out->labels[0])) {
			*err = pj_asprintf("invalid label \"%s\"", pair);
			return false;
		}
		*eq = '\0';
		const char *key = trim(pair);
		if (!*key || !valid_chars(key, "_.")) {
			*err = pj_asprintf("invalid label name \"%s\"", key);
			return false;
		}
		out->labels[out->nlabels++] = (pj_label){key, trim(eq + 1)};
	}
	return true;
}

/* Unix time in s, ms, us or ns chosen by digit count as Pyroscope does; 0 if not plain digits. */
static int64_t ingest_time(const char *s)
{
	if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 19)
		return 0;
	int64_t v = strtoll(s, NULL, 10);
	switch (strlen(s)) {
	case 13:
		return v * 1000000;
	case 16:
		return v * 1000;
	case 19:
		return v;
	default:
		return v * 1000000000;
	}
}

static bool forward_jfr(receive_state *r, const pj_http_request *req, const ingest_name *name, const void *data,
	size_t len, char **err)
{
	jfr_convert_options o = JFR_CONVERT_OPTIONS_INIT;
	const char *rate = pj_http_query(req, "sampleRate");
	if (rate && *rate)
		o.sample_rate = strtoll(rate, NULL, 10);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	o.start_nanos = ingest_time(pj_http_query(req, "from"));
	o.end_nanos = ingest_time(pj_http_query(req, "until"));
	o.start_nanos = o.start_nanos ? o.start_nanos : now_ns;
	o.end_nanos = o.end_nanos ? o.end_nanos : now_ns;
	jfr_profiles profiles;
	if (!jfr_convert(data, len, &o, &profiles, err))
		return false;
	pj_label labels[40];
	size_t n = 0;
	bool has_service = false;
	for (size_t i = 0; i < name->nlabels; i++) {
		has_service |= strcmp(name->labels[i].name, "service_name") == 0;
		if (strncmp(name->labels[i].name, "__", 2) != 0)
			labels[n++] = name->labels[i];
	}
	const char *spy = pj_http_query(req, "spyName");
	labels[n++] = (pj_label){has_service ? "app_name" : "service_name", name->app};
	labels[n++] = (pj_label){"pyroscope_spy", spy && *spy ? spy : "unknown"};
	labels[n++] = (pj_label){"__delta__", "false"};
	if (profiles.event)
		labels[n++] = (pj_label){"jfr_event", profiles.event};
	pj_value *receivers = forward_targets(r);
	bool ok = true;
	for (size_t i = 0; ok && i < profiles.count; i++) {
		pj_buf pprof = PJ_BUF_INIT;
		pprof_encode(profiles.items[i].builder, &pprof);
		labels[n] = (pj_label){"__name__", profiles.items[i].metric};
		pj_raw_sample sample = {pprof.data, pprof.len, NULL};
		ok = pj_appendable_append_all(receivers, labels, n + 1, &sample, 1, err);
		pj_buf_free(&pprof);
	}
	if (receivers)
		pj_value_unref(receivers);
	jfr_profiles_free(&profiles);
	return ok;
}

static void handle_ingest(void *ctx, const pj_http_request *req, pj_http_response *resp)
{
	receive_state *r = ctx;
	const char *format = pj_http_query(req, "format");
	if (!format || strcmp(format, "jfr") != 0) {
		pj_http_response_text(resp, 400, "format \"%s\" is not supported by pyrojava: only format=jfr\n",
			format ? format : "");
		return;
	}
	const char *type = pj_http_header(req, "Content-Type");
	if (type && strncasecmp(type, "multipart/", 10) == 0) {
		pj_http_response_text(resp, 415, "multipart JFR uploads are not supported: send the JFR as the body\n");
		return;
	}
	ingest_name name = {0};
	char *err = NULL;
	pj_buf inflated = PJ_BUF_INIT;
	const void *data = req->body;
	size_t len = req->body_len;
	bool ok = parse_ingest_name(pj_http_query(req, "name"), &name, &err);
	if (ok && gunzip_is_gzip((const uint8_t *)data, len)) {
		ok = gunzip_buf((const uint8_t *)data, len, r->max_body, &inflated, &err);
		data = inflated.data;
		len = inflated.len;
	}
	if (!ok) {
		pj_http_response_text(resp, 400, "%s\n", err);
	} else if (!forward_jfr(r, req, &name, data, len, &err)) {
		bool bad = strncmp(err, "jfr:", 4) == 0;
		pj_log(PJ_LOG_WARN, pj_component_id(r->self), "failed to ingest profile", "err", err, NULL);
		pj_http_response_text(resp, bad ? 422 : 500, "%s\n", err);
	}
	free(err);
	free(name.text);
	pj_buf_free(&inflated);
}

static pj_http_server *start_server(receive_state *r, const pj_value *http, char **err)
{
	const char *host = pj_arg_str(http, "listen_address");
	char *addr = strchr(host, ':') ? pj_asprintf("[%s]:%lld", host, (long long)pj_arg_int(http, "listen_port"))
				       : pj_asprintf("%s:%lld", host, (long long)pj_arg_int(http, "listen_port"));
	r->max_body = (size_t)pj_arg_int(http, "max_request_body_bytes");
	int64_t limit = pj_arg_int(http, "conn_limit");
	pj_http_server_opts o = {.listen_addr = addr, .max_body_bytes = r->max_body,
		.log_component = pj_component_id(r->self),
		.conn_limit = limit > 0 && limit < UINT_MAX ? (unsigned)limit : 0,
		.idle_timeout_ns = pj_arg_int(http, "server_idle_timeout"),
		.read_timeout_ns = pj_arg_int(http, "server_read_timeout")};
	pj_http_server *s = pj_http_server_new(&o);
	free(addr);
	pj_http_route_add(s, "POST", PJ_PUSH_PATH, PJ_HTTP_EXACT, handle_push, r);
	pj_http_route_add(s, "POST", "/ingest", PJ_HTTP_EXACT, handle_ingest, r);
	pj_http_route_add(s, "POST", "/pyroscope/ingest", PJ_HTTP_EXACT, handle_ingest, r);
	if (!pj_http_server_start(s, err)) {
		pj_http_server_free(s);
		return NULL;
	}
	pj_log(PJ_LOG_INFO, pj_component_id(r->self), "receiving profiles", "addr", pj_http_server_addr(s), NULL);
	return s;
}

/* Restarts the server only when the http block changed; forward_to is swapped in place. */
static bool apply(receive_state *r, const pj_value *args, char **err)
{
	const pj_value *http = pj_object_get(args, "http");
	if (!r->http || !pj_value_equal(r->http, http)) {
		if (r->server)
			pj_http_server_stop(r->server);
		pj_http_server *s = start_server(r, http, err);
		if (!s) {
			char *again = NULL;
			if (r->server && !pj_http_server_start(r->server, &again))
				pj_log(PJ_LOG_ERROR, pj_component_id(r->self), "cannot restart the previous server", "err",
					again, NULL);
			free(again);
			return false;
		}
		pj_http_server_free(r->server);
		r->server = s;
		if (r->http)
			pj_value_unref(r->http);
		r->http = pj_value_ref(http);
	}
	pthread_mutex_lock(&r->mu);
	if (r->forward_to)
		pj_value_unref(r->forward_to);
	r->forward_to = pj_value_ref(pj_object_get(args, "forward_to"));
	pthread_mutex_unlock(&r->mu);
	return true;
}

static void receive_destroy(void *state)
{
	receive_state *r = state;
	pj_http_server_free(r->server);
	if (r->http)
		pj_value_unref(r->http);
	if (r->forward_to)
		pj_value_unref(r->forward_to);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

static void *receive_build(pj_component *self, const pj_value *args, char **err)
{
	receive_state *r = pj_calloc(1, sizeof(*r));
	r->self = self;
	pthread_mutex_init(&r->mu, NULL);
	if (!apply(r, args, err)) {
		receive_destroy(r);
		return NULL;
	}
	return r;
}

static bool receive_update(void *state, const pj_value *args, char **err)
{
	return apply(state, args, err);
}

static bool check_port(const pj_value *v, char **err)
{
	int64_t port = pj_value_int(v);
	if (port >= 0 && port <= 65535)
		return true;
	*err = pj_asprintf("port %lld is out of range", (long long)port);
	return false;
}

static bool check_positive(const pj_value *v, char **err)
{
	if (pj_value_int(v) > 0)
		return true;
	*err = pj_strdup("must be greater than 0");
	return false;
}

static const pj_attr_schema http_attrs[] = {
	{"listen_address", &pj_type_string, "\"\"", false, NULL},
	{"listen_port", &pj_type_int, "8080", false, check_port},
	{"conn_limit", &pj_type_int, "16384", false, NULL},
	{"server_read_timeout", &pj_type_duration, "\"30s\"", false, NULL},
	{"server_write_timeout", &pj_type_duration, "\"30s\"", false, NULL},
	{"server_idle_timeout", &pj_type_duration, "\"120s\"", false, NULL},
	{"max_request_body_bytes", &pj_type_int, "33554432", false, check_positive},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema http_schema = {http_attrs, NULL, NULL};

static const pj_attr_schema receive_attrs[] = {
	{"forward_to", &pj_type_receiver_list, NULL, true, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_block_schema receive_blocks[] = {
	{"http", &http_schema, 0},
	{NULL, NULL, 0},
};
static const pj_schema receive_schema = {receive_attrs, receive_blocks, NULL};

const pj_component_type pj_pyroscope_receive_http_type = {
	.name = "pyroscope.receive_http",
	.args = &receive_schema,
	.build = receive_build,
	.update = receive_update,
	.destroy = receive_destroy,
};
