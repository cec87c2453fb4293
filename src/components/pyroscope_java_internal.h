#ifndef PJ_COMPONENTS_PYROSCOPE_JAVA_INTERNAL_H
#define PJ_COMPONENTS_PYROSCOPE_JAVA_INTERNAL_H

/*
 * pyroscope.java's internals, split in:
 * pyroscope_java_config.c (arguments, validation, the agent option strings),
 * pyroscope_java_labels.c (series labels), pyroscope_java_target.c (one
 * profiling loop per PID on its own thread) and pyroscope_java.c (the
 * component: target set, updates, debug info). This header is what they
 * share and what the unit tests reach into.
 */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "jvm/dist.h"
#include "components/pyroscope_java.h"
#include "runtime/log.h"
#include "runtime/receiver.h"
#include "syntax/value.h"

extern const pj_schema pj_java_args_schema;

/* The decoded profiling_config block, shared read-only by the target loops. */
typedef struct pj_java_config {
	atomic_int refs;
	int64_t interval_ns;
	int64_t sample_rate;
	bool cpu, per_thread, quiet, tlab;
	char *event, *alloc, *lock, *log_level;
	char **custom; /* custom_arguments */
	size_t ncustom;
} pj_java_config;

/* From the decoded arguments (the whole component body). */
pj_java_config *pj_java_config_new(const pj_value *args);
pj_java_config *pj_java_config_ref(pj_java_config *c);
void pj_java_config_unref(pj_java_config *c);

/*
 * The asprof command line Alloy runs to start a window, without the program
 * name: -f JFR -o jfr [-e E [-t] -i N] [--alloc A [--tlab]] [--lock L] [-L LVL]
 * (or the custom arguments) start [--timeout S] PID. `timeout` false leaves
 * out --timeout (our agent dumps continuously and is not restarted).
 * Returns the number of arguments written to argv (at most max; the strings
 * live in *store, which the caller frees).
 */
size_t pj_java_start_argv(const pj_java_config *c, const char *jfr, pid_t pid, bool timeout, char **argv,
			  size_t max, pj_buf *store);

/*
 * The agent option string for `action` ("start", "dump", "stop") as asprof
 * would send it; NULL with a message in err for arguments asprof rejects
 * (only possible through custom_arguments).
 */
char *pj_java_agent_options(const pj_java_config *c, const char *action, const char *jfr, const char *log,
			    pid_t pid, bool timeout, char *err, size_t err_size);

/*
 * The labels of one pushed series, as Alloy's pyroscope.java sends them:
 * the target's labels without `__`-prefixed ones, service_name (inferred
 * when missing), __name__, __delta__="false", pyroscope_spy="alloy.java",
 * jfr_event (when known) and otel.scope.name. `target` is a decoded target
 * object (map of strings). Fills out (capacity cap) and returns the count;
 * names and values are borrowed from target, store (an inferred
 * service_name) and the constants.
 */
size_t pj_java_series_labels(const pj_value *target, const char *metric, const char *jfr_event, pj_buf *store,
			     pj_label *out, size_t cap);
/* service_name for a target without one, in the documented order; may be built in store. */
const char *pj_java_infer_service_name(const pj_value *target, pj_buf *store);

/* One profiled PID: the loop thread and what debug info shows. */
typedef struct pj_java_target pj_java_target;

/* What the component hands every loop; lives as long as the component. */
typedef struct pj_java_shared {
	const char *component_id;
	pj_dist *dist;
	pj_log_once *log_once;
	pthread_mutex_t *mu; /* guards config, receivers and every target's labels and stats */
	pj_java_config *config;
	pj_value *receivers;
} pj_java_shared;

/* Starts the loop for `pid` with its target labels (referenced). NULL if the thread cannot start. */
pj_java_target *pj_java_target_start(pj_java_shared *sh, pid_t pid, const pj_value *labels);
/* New target labels (under sh->mu). */
void pj_java_target_set_labels(pj_java_target *t, const pj_value *labels);
/* Asks the loop to stop the profiler and exit; pj_java_target_join waits and frees. */
void pj_java_target_stop(pj_java_target *t);
void pj_java_target_join(pj_java_target *t);
/* True once the loop ended by itself (the process exited). */
bool pj_java_target_done(pj_java_target *t);
pid_t pj_java_target_pid(const pj_java_target *t);
/* Appends the debug-info object of this target (called under sh->mu). */
void pj_java_target_debug(const pj_java_target *t, pj_buf *json);

#endif
