/*
 * The pyroscope.write component. `append` checks and rewrites the labels,
 * gzips raw profiles, encodes one PushRequest and queues it on every
 * endpoint, then returns: delivery, retries and their accounting happen on
 * the endpoints' sender threads (write_endpoint.c).
 */
#include "components/pyroscope_write.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "components/push_proto.h"
#include "profile/gunzip.h"
#include "profile/gzip.h"
#include "runtime/receiver.h"

int64_t pj_write_flush_ns = 5000000000LL;

typedef struct write_state {
	pj_appendable app; /* first: append and release get the state by a cast */
	pj_component *self;
	pthread_mutex_t mu; /* guards everything below */
	pj_write_endpoint **eps;
	size_t neps;
	pj_value *external;
	bool closed;
	pj_write_metrics m;
	pj_metrics *registry;
} write_state;

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The samples as sent: raw pprof is gzipped, already gzipped data goes unchanged. */
static pj_raw_sample *gzip_samples(const pj_raw_sample *in, size_t n, pj_buf *store, size_t *bytes)
{
	pj_raw_sample *out = pj_calloc(n ? n : 1, sizeof(*out));
	*bytes = 0;
	for (size_t i = 0; i < n; i++) {
		out[i] = in[i];
		if (!gunzip_is_gzip(in[i].data, in[i].len) && gzip_buf(in[i].data, in[i].len, &store[i])) {
			out[i].data = store[i].data;
			out[i].len = store[i].len;
		}
		*bytes += out[i].len;
	}
	return out;
}

static pj_write_payload *encode_payload(write_state *w, const pj_label *labels, size_t nlabels,
	const pj_raw_sample *samples, size_t nsamples)
{
	pthread_mutex_lock(&w->mu);
	pj_value *external = w->external ? pj_value_ref(w->external) : NULL;
	pthread_mutex_unlock(&w->mu);
	size_t nwire, bytes;
	pj_label *wire = pj_push_labels_prepare(labels, nlabels, external, &nwire);
	pj_buf *store = pj_calloc(nsamples ? nsamples : 1, sizeof(*store));
	pj_raw_sample *sent = gzip_samples(samples, nsamples, store, &bytes);
	pj_buf body = PJ_BUF_INIT;
	pj_push_encode(wire, nwire, sent, nsamples, &body);
	pj_write_payload *p = pj_write_payload_new(body.data, body.len, bytes, nsamples);
	for (size_t i = 0; i < nsamples; i++)
		pj_buf_free(&store[i]);
	free(store);
	free(sent);
	free(wire);
	pj_buf_free(&body);
	if (external)
		pj_value_unref(external);
	return p;
}

static bool write_append(pj_appendable *a, const pj_label *labels, size_t nlabels,
	const pj_raw_sample *samples, size_t nsamples, char **err)
{
	write_state *w = (write_state *)a;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!pj_push_labels_check(labels, nlabels, err))
		return false;
	pj_write_payload *p = encode_payload(w, labels, nlabels, samples, nsamples);
	pthread_mutex_lock(&w->mu);
	bool closed = w->closed;
	for (size_t i = 0; !closed && i < w->neps; i++) {
		atomic_fetch_add(&p->refs, 1);
		pj_write_endpoint_enqueue(w->eps[i], p);
	}
	static const char *const total[] = {"-", "push_total"};
	if (!closed && w->m.latency)
		pj_metric_observe(w->m.latency, total, seconds_since(&t0));
	pthread_mutex_unlock(&w->mu);
	if (pj_log_enabled(PJ_LOG_DEBUG)) {
		pj_log_entry e;
		pj_log_begin(&e, PJ_LOG_DEBUG, pj_component_id(w->self), "Push");
		pj_log_kvf(&e, "sz", "%zu", p->profile_bytes);
		pj_log_kvf(&e, "n", "%zu", nsamples);
		pj_log_end(&e);
	}
	pj_write_payload_unref(p);
	if (closed)
		*err = pj_strdup("pyroscope.write has shut down");
	return !closed;
}

static void write_release(pj_appendable *a)
{
	write_state *w = (write_state *)a;
	pthread_mutex_destroy(&w->mu);
	free(w);
}

static void register_metrics(write_state *w)
{
	static const char *const endpoint[] = {"endpoint", NULL};
	static const char *const endpoint_type[] = {"endpoint", "type", NULL};
	static const struct {
		const char *name, *help;
		size_t offset;
	} counters[] = {
		{"pyroscope_write_sent_bytes_total", "Total number of compressed bytes sent to Pyroscope.",
			offsetof(pj_write_metrics, sent_bytes)},
		{"pyroscope_write_dropped_bytes_total", "Total number of compressed bytes dropped by Pyroscope.",
			offsetof(pj_write_metrics, dropped_bytes)},
		{"pyroscope_write_sent_profiles_total", "Total number of profiles sent to Pyroscope.",
			offsetof(pj_write_metrics, sent_profiles)},
		{"pyroscope_write_dropped_profiles_total", "Total number of profiles dropped by Pyroscope.",
			offsetof(pj_write_metrics, dropped_profiles)},
		{"pyroscope_write_retries_total", "Total number of retries to Pyroscope.",
			offsetof(pj_write_metrics, retries)},
	};
	w->registry = pj_component_metrics(w->self);
	if (!w->registry)
		return;
	const char *const *consts = pj_component_metric_labels(w->self);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		pj_metric_opts o = {.name = counters[i].name, .help = counters[i].help, .label_names = endpoint,
			.const_labels = consts};
		char *err = NULL;
		pj_metric **slot = (pj_metric **)((char *)&w->m + counters[i].offset);
		if (!(*slot = pj_metrics_register(w->registry, PJ_METRIC_COUNTER, &o, &err))) {
			pj_log(PJ_LOG_WARN, pj_component_id(w->self), "cannot register metric", "err", err, NULL);
			free(err);
		}
	}
	pj_metric_opts o = {.name = "pyroscope_write_latency", .help = "Write latency for sending profiles to Pyroscope.",
		.label_names = endpoint_type, .const_labels = consts};
	char *err = NULL;
	if (!(w->m.latency = pj_metrics_register(w->registry, PJ_METRIC_HISTOGRAM, &o, &err))) {
		pj_log(PJ_LOG_WARN, pj_component_id(w->self), "cannot register metric", "err", err, NULL);
		free(err);
	}
}

static void unregister_metrics(write_state *w)
{
	pj_metric *all[] = {w->m.sent_bytes, w->m.dropped_bytes, w->m.sent_profiles, w->m.dropped_profiles,
		w->m.retries, w->m.latency};
	for (size_t i = 0; w->registry && i < sizeof(all) / sizeof(all[0]); i++)
		pj_metrics_unregister(w->registry, all[i]);
	memset(&w->m, 0, sizeof(w->m));
}

static void stop_endpoints(pj_write_endpoint **eps, size_t n, int64_t flush_ns)
{
	for (size_t i = 0; i < n; i++)
		pj_write_endpoint_begin_stop(eps[i], flush_ns);
	for (size_t i = 0; i < n; i++)
		pj_write_endpoint_finish_stop(eps[i]);
	free(eps);
}

/* Index of the first unused endpoint in eps started from a block equal to cfg, or n. */
static size_t find_equal(pj_write_endpoint *const *eps, const bool *used, size_t n, const pj_value *cfg)
{
	for (size_t i = 0; i < n; i++) {
		if (!used[i] && pj_value_equal(pj_write_endpoint_cfg(eps[i]), cfg))
			return i;
	}
	return n;
}

static bool same_url(const pj_write_endpoint *a, const pj_write_endpoint *b)
{
	return strcmp(pj_arg_str(pj_write_endpoint_cfg(a), "url"), pj_arg_str(pj_write_endpoint_cfg(b), "url")) == 0;
}

/* The endpoint list for new arguments, and which endpoints of the current one it keeps. */
typedef struct endpoint_plan {
	pj_write_endpoint **eps;
	bool *fresh; /* eps[i] was started for this plan */
	size_t n;
	bool *kept; /* per current endpoint */
} endpoint_plan;

/* Reuses endpoints whose block is unchanged and starts the others. False + *err if one cannot start. */
static bool plan_endpoints(write_state *w, const pj_value *args, endpoint_plan *p, char **err)
{
	const pj_value *blocks = pj_object_get(args, "endpoint");
	p->n = blocks && pj_value_kind(blocks) == PJ_ARRAY ? pj_array_len(blocks) : 0;
	p->eps = pj_calloc(p->n + 1, sizeof(*p->eps));
	p->fresh = pj_calloc(p->n + 1, sizeof(*p->fresh));
	p->kept = pj_calloc(w->neps + 1, sizeof(*p->kept));
	for (size_t i = 0; i < p->n; i++) {
		const pj_value *cfg = pj_array_get(blocks, i);
		size_t j = find_equal(w->eps, p->kept, w->neps, cfg);
		if (j < w->neps) {
			p->kept[j] = true;
			p->eps[i] = w->eps[j];
			continue;
		}
		p->fresh[i] = true;
		if (!(p->eps[i] = pj_write_endpoint_start(cfg, pj_component_id(w->self), &w->m, err)))
			return false;
	}
	return true;
}

/*
 * The old endpoints the plan drops, after handing their queues to a new
 * endpoint with the same URL. Called once appends reach only the new list.
 */
static size_t retire_endpoints(pj_write_endpoint **old, size_t nold, const endpoint_plan *p,
	pj_write_endpoint **gone)
{
	size_t ngone = 0;
	for (size_t j = 0; j < nold; j++) {
		if (p->kept[j])
			continue;
		for (size_t i = 0; i < p->n; i++) {
			if (p->fresh[i] && same_url(p->eps[i], old[j])) {
				pj_write_endpoint_take_queue(p->eps[i], old[j]);
				break;
			}
		}
		gone[ngone++] = old[j];
	}
	return ngone;
}

/*
 * Replaces the endpoints and external labels for new arguments. Only the
 * evaluation thread calls this, so w->eps is read without the lock and
 * replaced under it. On failure nothing changes.
 */
static bool apply_args(write_state *w, const pj_value *args, char **err)
{
	endpoint_plan p = {0};
	bool ok = plan_endpoints(w, args, &p, err);
	pj_write_endpoint **gone = pj_calloc(w->neps + p.n + 1, sizeof(*gone));
	size_t ngone = 0;
	if (!ok) {
		for (size_t i = 0; i < p.n; i++) {
			if (p.fresh[i] && p.eps[i])
				gone[ngone++] = p.eps[i];
		}
		free(p.eps);
	} else {
		const pj_value *ext = pj_object_get(args, "external_labels");
		pthread_mutex_lock(&w->mu);
		pj_write_endpoint **old = w->eps;
		size_t nold = w->neps;
		w->eps = p.eps;
		w->neps = p.n;
		if (w->external)
			pj_value_unref(w->external);
		w->external = ext ? pj_value_ref(ext) : NULL;
		pthread_mutex_unlock(&w->mu);
		ngone = retire_endpoints(old, nold, &p, gone);
		free(old);
	}
	stop_endpoints(gone, ngone, 0);
	free(p.fresh);
	free(p.kept);
	return ok;
}

static void *write_build(pj_component *self, const pj_value *args, char **err)
{
	write_state *w = pj_calloc(1, sizeof(*w));
	w->self = self;
	pthread_mutex_init(&w->mu, NULL);
	w->app.append = write_append;
	w->app.release = write_release;
	pj_appendable_init(&w->app);
	register_metrics(w);
	if (!apply_args(w, args, err)) {
		unregister_metrics(w);
		pj_appendable_unref(&w->app);
		return NULL;
	}
	pj_value *exports = pj_object_new();
	pj_object_set(exports, "receiver", pj_appendable_value(&w->app));
	pj_component_export(self, exports);
	return w;
}

static bool write_update(void *state, const pj_value *args, char **err)
{
	return apply_args(state, args, err);
}

static void write_destroy(void *state)
{
	write_state *w = state;
	pthread_mutex_lock(&w->mu);
	w->closed = true;
	pj_write_endpoint **eps = w->eps;
	size_t n = w->neps;
	w->eps = NULL;
	w->neps = 0;
	pthread_mutex_unlock(&w->mu);
	stop_endpoints(eps, n, pj_write_flush_ns);
	unregister_metrics(w);
	if (w->external)
		pj_value_unref(w->external);
	w->external = NULL;
	pj_appendable_unref(&w->app);
}

/* Unhealthy while an endpoint's last delivery failed, with the endpoints and reasons. */
static void write_health(void *state, pj_health *out)
{
	write_state *w = state;
	pj_buf msg = PJ_BUF_INIT;
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < w->neps; i++) {
		char *failure = pj_write_endpoint_failure(w->eps[i]);
		if (failure)
			pj_buf_printf(&msg, "%sendpoint %s: %s", msg.len ? "; " : "",
				pj_write_endpoint_label(w->eps[i]), failure);
		free(failure);
	}
	pthread_mutex_unlock(&w->mu);
	if (msg.len)
		pj_health_set(out, PJ_HEALTH_UNHEALTHY, msg.data);
	else
		pj_health_set(out, PJ_HEALTH_HEALTHY, "no endpoint failed its last delivery");
	pj_buf_free(&msg);
}

static void json_attr(pj_buf *out, const char *name, pj_value *v, bool last)
{
	pj_buf_printf(out, "{\"name\":\"%s\",\"type\":\"attr\",\"value\":{\"type\":\"%s\",\"value\":", name,
		pj_value_type_name(v));
	pj_value_write_json(out, v);
	pj_buf_puts(out, last ? "}}" : "}},");
	pj_value_unref(v);
}

/* One `endpoint` block per endpoint: its URL (redacted), queue and last failure. */
static void write_debug_info(void *state, pj_buf *json)
{
	write_state *w = state;
	pj_buf_putc(json, '[');
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < w->neps; i++) {
		size_t profiles, bytes;
		pj_write_endpoint_queued(w->eps[i], &profiles, &bytes);
		char *failure = pj_write_endpoint_failure(w->eps[i]);
		pj_buf_puts(json, i ? ",{\"name\":\"endpoint\",\"type\":\"block\",\"body\":["
				    : "{\"name\":\"endpoint\",\"type\":\"block\",\"body\":[");
		json_attr(json, "url", pj_cstring(pj_write_endpoint_label(w->eps[i])), false);
		json_attr(json, "queued_profiles", pj_uint(profiles), false);
		json_attr(json, "queued_bytes", pj_uint(bytes), false);
		json_attr(json, "last_error", pj_cstring(failure ? failure : ""), true);
		pj_buf_puts(json, "]}");
		free(failure);
	}
	pthread_mutex_unlock(&w->mu);
	pj_buf_putc(json, ']');
}

static const pj_attr_schema export_attrs[] = {
	{"receiver", &pj_type_receiver, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema export_schema = {export_attrs, NULL, NULL};

const pj_component_type pj_pyroscope_write_type = {
	.name = "pyroscope.write",
	.args = &pj_write_args_schema,
	.exports = &export_schema,
	.build = write_build,
	.update = write_update,
	.destroy = write_destroy,
	.health = write_health,
	.debug_info = write_debug_info,
};
