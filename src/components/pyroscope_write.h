#ifndef PJ_COMPONENTS_PYROSCOPE_WRITE_H
#define PJ_COMPONENTS_PYROSCOPE_WRITE_H

/*
 * pyroscope.write: takes profiles through its `receiver` export and pushes
 * them to every `endpoint` (docs/pyroscope.write.md). Split in three files:
 * write_config.c (argument schema and Alloy's validation),
 * write_endpoint.c (one sender thread, queue and libcurl handle per
 * endpoint) and pyroscope_write.c (the component). This header is what they
 * share, and what the unit tests reach into.
 */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/component.h"
#include "runtime/log.h"
#include "runtime/metrics.h"
#include "syntax/value.h"

extern const pj_component_type pj_pyroscope_write_type;
extern const pj_schema pj_write_args_schema;

/* Jittered exponential backoff, as dskit computes it (spec push 5.3). */
typedef struct pj_backoff {
	int64_t min_ns, max_ns, lo_ns, hi_ns;
	uint64_t rng;
} pj_backoff;

void pj_backoff_init(pj_backoff *b, int64_t min_ns, int64_t max_ns, uint64_t seed);
/* The next delay, in [lo, hi) of the current step; then the window doubles up to max. */
int64_t pj_backoff_next(pj_backoff *b);

/* One encoded PushRequest, shared by every endpoint queue that holds it. */
typedef struct pj_write_payload {
	atomic_int refs;
	int64_t created_ns; /* CLOCK_MONOTONIC */
	size_t profile_bytes; /* sum of raw_profile lengths, what the byte metrics count */
	size_t nprofiles;
	size_t len;
	unsigned char data[];
} pj_write_payload;

pj_write_payload *pj_write_payload_new(const void *data, size_t len, size_t profile_bytes,
	size_t nprofiles);
void pj_write_payload_unref(pj_write_payload *p);

/* The component's metrics, shared by its endpoints; every pointer may be NULL. */
typedef struct pj_write_metrics {
	pj_metric *sent_bytes, *dropped_bytes, *sent_profiles, *dropped_profiles, *retries, *latency;
} pj_write_metrics;

typedef struct pj_write_endpoint pj_write_endpoint;

/*
 * Starts an endpoint's sender thread for one decoded `endpoint` block.
 * Fails (NULL, *err) when a file it names cannot be read or libcurl cannot
 * be set up.
 */
pj_write_endpoint *pj_write_endpoint_start(const pj_value *cfg, const char *component_id,
	const pj_write_metrics *metrics, char **err);
/* The block the endpoint was started with (borrowed). */
const pj_value *pj_write_endpoint_cfg(const pj_write_endpoint *ep);
/* The URL with any password redacted, as metrics and logs show it (borrowed). */
const char *pj_write_endpoint_label(const pj_write_endpoint *ep);
/* How many profiles and bytes wait in the queue (the one in flight not counted). */
void pj_write_endpoint_queued(pj_write_endpoint *ep, size_t *profiles, size_t *bytes);
/* Why the endpoint last gave up on a profile (heap), or NULL if its last delivery succeeded. */
char *pj_write_endpoint_failure(pj_write_endpoint *ep);
/* Queues a payload (takes a reference); drops the oldest when over the byte limit. */
void pj_write_endpoint_enqueue(pj_write_endpoint *ep, pj_write_payload *p);
/* Moves every queued payload of from to the back of to (a reload that changed the block). */
void pj_write_endpoint_take_queue(pj_write_endpoint *to, pj_write_endpoint *from);
/*
 * Stopping is split so several endpoints flush at the same time. begin:
 * what is queued is still sent, with backoff waits cut short, until flush_ns
 * has passed; the rest is dropped and counted. finish: waits for that and
 * frees the endpoint.
 */
void pj_write_endpoint_begin_stop(pj_write_endpoint *ep, int64_t flush_ns);
void pj_write_endpoint_finish_stop(pj_write_endpoint *ep);

/* Profiles older than this are dropped instead of retried (Pyroscope's ingestion window, 1 h). */
extern int64_t pj_write_max_age_ns;
/* How long shutdown keeps sending what is queued (5 s); tests shorten it. */
extern int64_t pj_write_flush_ns;

/* The URL with any password replaced by "xxxxx", as Go's URL.Redacted (heap). */
char *pj_write_redact_url(const char *url);

#endif
