/*
 * One pyroscope.write endpoint: a bounded queue of encoded push requests and
 * a sender thread with its own libcurl handle, so a slow or dead endpoint
 * only ever delays itself. Delivery, retries and the response rules follow
 * spec pyroscope-push-and-pprof.md 5.2-5.6, with the simplifications that
 * docs/pyroscope.write.md lists.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "components/push_proto.h"
#include "components/pyroscope_write.h"
#include "components/write_request.h"

#define NS_PER_SEC 1000000000LL

int64_t pj_write_max_age_ns = 3600 * NS_PER_SEC;

struct pj_write_endpoint {
	pj_value *cfg;
	pj_write_request req;
	char *label; /* redacted URL: the metric label and log key */
	char *component_id;
	pj_write_metrics m;
	pj_log_once *once;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pj_write_payload **queue; /* ring buffer */
	size_t head, count, cap, queued_bytes, max_bytes;
	char *failure; /* why the last profile was given up on; NULL after a success */
	atomic_bool stopping;
	_Atomic int64_t deadline_ns; /* monotonic; valid once stopping */
	uint64_t rng;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

void pj_backoff_init(pj_backoff *b, int64_t min_ns, int64_t max_ns, uint64_t seed)
{
	b->min_ns = min_ns;
	b->max_ns = max_ns;
	b->lo_ns = min_ns;
	b->hi_ns = 2 * min_ns < max_ns ? 2 * min_ns : max_ns;
	b->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

int64_t pj_backoff_next(pj_backoff *b)
{
	int64_t delay = b->lo_ns;
	if (b->lo_ns < b->hi_ns)
		delay += (int64_t)(next_random(&b->rng) % (uint64_t)(b->hi_ns - b->lo_ns));
	if (b->hi_ns < b->max_ns) {
		b->lo_ns = 2 * b->lo_ns < b->max_ns ? 2 * b->lo_ns : b->max_ns;
		b->hi_ns = 2 * b->hi_ns < b->max_ns ? 2 * b->hi_ns : b->max_ns;
	}
	return delay;
}

pj_write_payload *pj_write_payload_new(const void *data, size_t len, size_t profile_bytes,
	size_t nprofiles)
{
	pj_write_payload *p = pj_malloc(sizeof(*p) + len);
	atomic_init(&p->refs, 1);
	p->created_ns = now_ns();
	p->profile_bytes = profile_bytes;
	p->nprofiles = nprofiles;
	p->len = len;
	memcpy(p->data, data, len);
	return p;
}

void pj_write_payload_unref(pj_write_payload *p)
{
	if (p && atomic_fetch_sub(&p->refs, 1) == 1)
		free(p);
}

char *pj_write_redact_url(const char *url)
{
	const char *scheme = strstr(url, "://");
	const char *start = scheme ? scheme + 3 : url;
	size_t host_end = strcspn(start, "/?#");
	const char *at = memrchr(start, '@', host_end);
	const char *colon = at ? memchr(start, ':', (size_t)(at - start)) : NULL;
	if (!colon)
		return pj_strdup(url);
	return pj_asprintf("%.*sxxxxx%s", (int)(colon + 1 - url), url, at);
}

static void count_outcome(pj_write_endpoint *ep, const pj_write_payload *p, bool sent)
{
	const char *labels[] = {ep->label};
	pj_metric *bytes = sent ? ep->m.sent_bytes : ep->m.dropped_bytes;
	pj_metric *profiles = sent ? ep->m.sent_profiles : ep->m.dropped_profiles;
	if (bytes)
		pj_metric_add(bytes, labels, (double)p->profile_bytes);
	if (profiles)
		pj_metric_add(profiles, labels, (double)p->nprofiles);
}

static void observe_latency(pj_write_endpoint *ep, const char *type, int64_t start_ns)
{
	const char *labels[] = {ep->label, type};
	if (ep->m.latency)
		pj_metric_observe(ep->m.latency, labels, (double)(now_ns() - start_ns) / NS_PER_SEC);
}

/* Ring buffer operations; called with mu held. */
static void queue_push(pj_write_endpoint *ep, pj_write_payload *p)
{
	if (ep->count == ep->cap) {
		size_t cap = ep->cap ? ep->cap * 2 : 16;
		pj_write_payload **q = pj_calloc(cap, sizeof(*q));
		for (size_t i = 0; i < ep->count; i++)
			q[i] = ep->queue[(ep->head + i) % ep->cap];
		free(ep->queue);
		ep->queue = q;
		ep->cap = cap;
		ep->head = 0;
	}
	ep->queue[(ep->head + ep->count) % ep->cap] = p;
	ep->count++;
	ep->queued_bytes += p->len;
}

static pj_write_payload *queue_pop(pj_write_endpoint *ep)
{
	pj_write_payload *p = ep->queue[ep->head];
	ep->head = (ep->head + 1) % ep->cap;
	ep->count--;
	ep->queued_bytes -= p->len;
	return p;
}

/* Counts and logs (once per cause) a profile that never reaches the sender. */
static void drop_queued(pj_write_endpoint *ep, pj_write_payload *p, const char *cause)
{
	count_outcome(ep, p, false);
	pj_log_once_log(ep->once, "queue", cause, PJ_LOG_WARN, ep->component_id, "dropping profile", "endpoint",
		ep->label, NULL);
	pj_write_payload_unref(p);
}

void pj_write_endpoint_enqueue(pj_write_endpoint *ep, pj_write_payload *p)
{
	pthread_mutex_lock(&ep->mu);
	if (p->len > ep->max_bytes || atomic_load(&ep->stopping)) {
		pthread_mutex_unlock(&ep->mu);
		drop_queued(ep, p, atomic_load(&ep->stopping) ? "endpoint is shutting down"
							      : "profile is larger than max_queue_bytes");
		return;
	}
	while (ep->count && ep->queued_bytes + p->len > ep->max_bytes)
		drop_queued(ep, queue_pop(ep), "queue is full, oldest profile dropped");
	queue_push(ep, p);
	pthread_cond_signal(&ep->cv);
	pthread_mutex_unlock(&ep->mu);
}

void pj_write_endpoint_take_queue(pj_write_endpoint *to, pj_write_endpoint *from)
{
	for (;;) {
		pthread_mutex_lock(&from->mu);
		pj_write_payload *p = from->count ? queue_pop(from) : NULL;
		pthread_mutex_unlock(&from->mu);
		if (!p)
			return;
		pj_write_endpoint_enqueue(to, p);
	}
}

void pj_write_endpoint_queued(pj_write_endpoint *ep, size_t *profiles, size_t *bytes)
{
	pthread_mutex_lock(&ep->mu);
	*profiles = ep->count;
	*bytes = ep->queued_bytes;
	pthread_mutex_unlock(&ep->mu);
}

const char *pj_write_endpoint_label(const pj_write_endpoint *ep)
{
	return ep->label;
}

const pj_value *pj_write_endpoint_cfg(const pj_write_endpoint *ep)
{
	return ep->cfg;
}

static bool past_deadline(pj_write_endpoint *ep)
{
	return atomic_load(&ep->stopping) && now_ns() >= atomic_load(&ep->deadline_ns);
}

/* Sleeps for delay, cut short to the flush deadline once the endpoint is stopping. */
static void wait_backoff(pj_write_endpoint *ep, int64_t delay_ns)
{
	int64_t until = now_ns() + delay_ns;
	pthread_mutex_lock(&ep->mu);
	for (;;) {
		int64_t limit = until;
		if (atomic_load(&ep->stopping) && atomic_load(&ep->deadline_ns) < limit)
			limit = atomic_load(&ep->deadline_ns);
		if (now_ns() >= limit)
			break;
		struct timespec ts = {(time_t)(limit / NS_PER_SEC), (long)(limit % NS_PER_SEC)};
		pthread_cond_timedwait(&ep->cv, &ep->mu, &ts);
	}
	pthread_mutex_unlock(&ep->mu);
}

static int abort_on_deadline(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
	curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return past_deadline(ctx) ? 1 : 0;
}

static void set_failure(pj_write_endpoint *ep, const char *why)
{
	pthread_mutex_lock(&ep->mu);
	free(ep->failure);
	ep->failure = why ? pj_strdup(why) : NULL;
	pthread_mutex_unlock(&ep->mu);
}

char *pj_write_endpoint_failure(pj_write_endpoint *ep)
{
	pthread_mutex_lock(&ep->mu);
	char *out = ep->failure ? pj_strdup(ep->failure) : NULL;
	pthread_mutex_unlock(&ep->mu);
	return out;
}

static void give_up(pj_write_endpoint *ep, const pj_write_payload *p, int64_t attempts, const char *why)
{
	count_outcome(ep, p, false);
	set_failure(ep, why);
	char retries[24];
	snprintf(retries, sizeof(retries), "%lld", (long long)(attempts - 1));
	pj_log_once_log(ep->once, "push", why, PJ_LOG_WARN, ep->component_id,
		"failed to push to endpoint, profile dropped", "endpoint", ep->label, "retries", retries, NULL);
}

static void deliver(pj_write_endpoint *ep, const pj_write_payload *p)
{
	int64_t start = now_ns();
	pj_backoff b;
	pj_backoff_init(&b, pj_arg_int(ep->cfg, "min_backoff_period"), pj_arg_int(ep->cfg, "max_backoff_period"),
		next_random(&ep->rng));
	int64_t max_attempts = pj_arg_int(ep->cfg, "max_backoff_retries");
	for (int64_t attempt = 1;; attempt++) {
		int64_t remaining = atomic_load(&ep->stopping) ? atomic_load(&ep->deadline_ns) - now_ns() : -1;
		char *why = NULL;
		pj_write_outcome o = PJ_WRITE_DROP;
		if (!past_deadline(ep)) {
			int64_t t0 = now_ns();
			o = pj_write_request_send(&ep->req, p, remaining, &why);
			observe_latency(ep, "push_downstream", t0);
		}
		if (o == PJ_WRITE_OK) {
			count_outcome(ep, p, true);
			set_failure(ep, NULL);
			observe_latency(ep, "push_endpoint", start);
			if (pj_log_once_clear(ep->once, "push"))
				pj_log(PJ_LOG_INFO, ep->component_id, "endpoint recovered", "endpoint", ep->label, NULL);
			return;
		}
		if (!why)
			why = pj_strdup("shutting down before the profile could be sent");
		bool too_old = now_ns() - p->created_ns > pj_write_max_age_ns;
		if (o == PJ_WRITE_DROP || (max_attempts > 0 && attempt >= max_attempts) || too_old ||
			past_deadline(ep)) {
			give_up(ep, p, attempt, why);
			free(why);
			return;
		}
		pj_log(PJ_LOG_DEBUG, ep->component_id, "failed to push to endpoint", "endpoint", ep->label, "err",
			why, NULL);
		free(why);
		wait_backoff(ep, pj_backoff_next(&b));
		const char *labels[] = {ep->label};
		if (ep->m.retries)
			pj_metric_inc(ep->m.retries, labels);
	}
}

static void *sender_main(void *arg)
{
	pj_write_endpoint *ep = arg;
	for (;;) {
		pthread_mutex_lock(&ep->mu);
		while (!ep->count && !atomic_load(&ep->stopping))
			pthread_cond_wait(&ep->cv, &ep->mu);
		pj_write_payload *p = ep->count ? queue_pop(ep) : NULL;
		pthread_mutex_unlock(&ep->mu);
		if (!p)
			return NULL;
		deliver(ep, p);
		pj_write_payload_unref(p);
	}
}

static void endpoint_free(pj_write_endpoint *ep)
{
	pj_write_request_clear(&ep->req);
	pj_value_unref(ep->cfg);
	pj_log_once_free(ep->once);
	free(ep->queue);
	free(ep->failure);
	free(ep->label);
	free(ep->component_id);
	pthread_mutex_destroy(&ep->mu);
	pthread_cond_destroy(&ep->cv);
	free(ep);
}

pj_write_endpoint *pj_write_endpoint_start(const pj_value *cfg, const char *component_id,
	const pj_write_metrics *metrics, char **err)
{
	pj_write_endpoint *ep = pj_calloc(1, sizeof(*ep));
	ep->cfg = pj_value_ref(cfg);
	ep->label = pj_write_redact_url(pj_arg_str(cfg, "url"));
	ep->component_id = pj_strdup(component_id);
	ep->m = *metrics;
	ep->once = pj_log_once_new();
	ep->max_bytes = (size_t)pj_arg_int(cfg, "max_queue_bytes");
	ep->rng = (uint64_t)now_ns() ^ (uint64_t)(uintptr_t)ep;
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&ep->cv, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&ep->mu, NULL);
	atomic_init(&ep->stopping, false);
	atomic_init(&ep->deadline_ns, 0);
	if (!pj_write_request_init(&ep->req, cfg, abort_on_deadline, ep, err)) {
		endpoint_free(ep);
		return NULL;
	}
	int rc = pthread_create(&ep->thread, NULL, sender_main, ep);
	if (rc != 0) {
		*err = pj_asprintf("starting the sender thread: %s", strerror(rc));
		endpoint_free(ep);
		return NULL;
	}
	return ep;
}

void pj_write_endpoint_begin_stop(pj_write_endpoint *ep, int64_t flush_ns)
{
	pthread_mutex_lock(&ep->mu);
	atomic_store(&ep->deadline_ns, now_ns() + flush_ns);
	atomic_store(&ep->stopping, true);
	pthread_cond_broadcast(&ep->cv);
	pthread_mutex_unlock(&ep->mu);
}

void pj_write_endpoint_finish_stop(pj_write_endpoint *ep)
{
	pthread_join(ep->thread, NULL);
	endpoint_free(ep);
}
