#ifndef PJ_RUNTIME_METRICS_H
#define PJ_RUNTIME_METRICS_H

/*
 * A Prometheus metrics registry served on /metrics in the text exposition
 * format 0.0.4. Components register their metrics when they start and
 * unregister them when they stop; several registrations may share one metric
 * name as long as their constant labels differ (two pyroscope.java components
 * both export pyroscope_java_... with their own component_id), which is how
 * Alloy's per-component registerer behaves.
 *
 * Output is stable: families sorted by name, label pairs by label name, series
 * by label values. All functions are thread-safe; a pj_metric stays valid
 * until it is unregistered or the registry is freed, and must not be used
 * concurrently with its own unregistration.
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

typedef struct pj_metrics pj_metrics;
typedef struct pj_metric pj_metric;

typedef enum pj_metric_type {
	PJ_METRIC_COUNTER,
	PJ_METRIC_GAUGE,
	PJ_METRIC_HISTOGRAM,
} pj_metric_type;

typedef struct pj_metric_opts {
	const char *name; /* [a-zA-Z_:][a-zA-Z0-9_:]* */
	const char *help;
	/* Variable label names, NULL-terminated; NULL for none. */
	const char *const *label_names;
	/* Constant labels as name, value, name, value..., NULL-terminated; NULL for none. */
	const char *const *const_labels;
	/* Histogram upper bounds, strictly increasing, without +Inf. NULL = Prometheus defaults
	 * (.005 .01 .025 .05 .1 .25 .5 1 2.5 5 10). */
	const double *buckets;
	size_t bucket_count;
	/* Counter or gauge read at scrape time instead of stored; no variable labels allowed. */
	double (*read)(void *ctx);
	void *read_ctx;
} pj_metric_opts;

pj_metrics *pj_metrics_new(void);
/* Frees the registry and every metric still registered. */
void pj_metrics_free(pj_metrics *r);

/*
 * Registers a metric. Fails (NULL, *err set, caller frees) on an invalid name
 * or label name, unsorted buckets, or a clash with an existing registration of
 * the same name: different type, help or label names, or the same constant
 * label values.
 */
pj_metric *pj_metrics_register(pj_metrics *r, pj_metric_type type, const pj_metric_opts *o,
			       char **err);
/* Removes and frees the metric; NULL is ignored. */
void pj_metrics_unregister(pj_metrics *r, pj_metric *m);

/*
 * Series updates. `values` holds one value per variable label name, in the
 * registration order (NULL when there are none); a series is created on first
 * use. Passing the wrong number of values is a programming error and aborts.
 */
void pj_metric_add(pj_metric *m, const char *const *values, double delta); /* counter: delta >= 0 */
void pj_metric_inc(pj_metric *m, const char *const *values);
void pj_metric_set(pj_metric *m, const char *const *values, double value); /* gauge */
void pj_metric_observe(pj_metric *m, const char *const *values, double value); /* histogram */
/* Current value of a counter or gauge series (0 if absent); for tests and health checks. */
double pj_metric_value(pj_metric *m, const char *const *values);
/* Drops one series (a target that went away); true if it existed. */
bool pj_metric_remove(pj_metric *m, const char *const *values);

/* Appends the whole registry in text format 0.0.4. */
void pj_metrics_write_text(pj_metrics *r, pj_buf *out);
#define PJ_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* pyrojava_build_info{version="<version>"} 1, like alloy_build_info. */
pj_metric *pj_metrics_register_build_info(pj_metrics *r, const char *version);
/*
 * The standard process_* metrics of the Prometheus client (CPU seconds, open
 * and max fds, virtual and resident memory, start time), read from /proc/self.
 * Returns false (and *err) if any of them could not be registered.
 */
bool pj_metrics_register_process(pj_metrics *r, char **err);

/* Go's strconv.FormatFloat(v, 'g', -1, 64) with Prometheus' +Inf/-Inf/NaN spelling. */
void pj_metrics_format_float(pj_buf *out, double v);

#endif
