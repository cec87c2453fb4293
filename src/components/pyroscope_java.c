/*
 * The pyroscope.java component: unpacks the profiler at build, then keeps
 * one target loop (pyroscope_java_target.c) per PID in `targets`. Updates
 * only swap the shared config, receivers and target list under the lock and
 * wake the run thread, which starts and stops loops; the loops pick up the
 * new config at their next window.
 */
#include "components/pyroscope_java_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "jvm/proc_info.h"
#include "runtime/stopper.h"

/* How often the run thread looks for loops that ended even without an update. */
#define RECONCILE_NS 1000000000LL

/* A PID whose loop ended because the process exited; kept so discovery lag does not restart it. */
typedef struct tombstone {
	pid_t pid;
	unsigned long long start_time;
} tombstone;

typedef struct java_state {
	pj_component *self;
	pthread_mutex_t mu;
	pj_java_shared sh;
	pj_stopper stop;
	pj_value *targets; /* latest `targets`, under mu */
	pj_java_target **loops; /* under mu (debug info reads it) */
	size_t nloops;
	pj_java_target **stopping; /* told to stop, not yet joined; run thread only */
	size_t nstopping;
	tombstone *dead;
	size_t ndead;
} java_state;

static bool parse_pid(const pj_value *target, pid_t *out)
{
	const pj_value *v = pj_object_get(target, "__process_pid__");
	if (!v || pj_value_kind(v) != PJ_STRING)
		return false;
	const char *s = pj_value_str(v, NULL);
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno || end == s || *end || n <= 0 || n > INT32_MAX)
		return false;
	*out = (pid_t)n;
	return true;
}

static bool read_start_time(pid_t pid, unsigned long long *out)
{
	int fd = pj_proc_open(pid);
	if (fd < 0)
		return false;
	bool ok = pj_proc_read_start_time(fd, out) == 0;
	close(fd);
	return ok;
}

static pj_java_target *find_loop(java_state *s, pid_t pid)
{
	for (size_t i = 0; i < s->nloops; i++)
		if (pj_java_target_pid(s->loops[i]) == pid)
			return s->loops[i];
	return NULL;
}

static bool is_dead(java_state *s, pid_t pid)
{
	unsigned long long st;
	if (!read_start_time(pid, &st))
		return true;
	for (size_t i = 0; i < s->ndead; i++)
		if (s->dead[i].pid == pid && s->dead[i].start_time == st)
			return true;
	return false;
}

/* Joins stopped loops that have finished; all of them when `all`. */
static void reap_stopping(java_state *s, bool all)
{
	for (size_t i = 0; i < s->nstopping;) {
		if (!all && !pj_java_target_done(s->stopping[i])) {
			i++;
			continue;
		}
		pj_java_target_join(s->stopping[i]);
		s->stopping[i] = s->stopping[--s->nstopping];
	}
}

/* Joins loops whose process exited, remembering them as tombstones. */
static void reap(java_state *s)
{
	reap_stopping(s, false);
	for (size_t i = 0; i < s->nloops;) {
		pj_java_target *t = s->loops[i];
		if (!pj_java_target_done(t)) {
			i++;
			continue;
		}
		pthread_mutex_lock(&s->mu);
		s->loops[i] = s->loops[--s->nloops];
		pthread_mutex_unlock(&s->mu);
		pid_t pid = pj_java_target_pid(t);
		pj_java_target_join(t);
		unsigned long long st;
		if (read_start_time(pid, &st)) {
			s->dead = pj_realloc(s->dead, (s->ndead + 1) * sizeof(*s->dead));
			s->dead[s->ndead++] = (tombstone){pid, st};
		}
	}
}

/* Index of the target with this pid in `targets`, or -1. The last one wins, as in Alloy's map. */
static const pj_value *target_for(const pj_value *targets, pid_t pid)
{
	const pj_value *found = NULL;
	for (size_t i = 0; targets && i < pj_array_len(targets); i++) {
		pid_t p;
		if (parse_pid(pj_array_get(targets, i), &p) && p == pid)
			found = pj_array_get(targets, i);
	}
	return found;
}

/*
 * Loops whose PID left `targets` are told to stop and joined later by
 * reap_stopping, so one JVM that is slow to stop never holds up the others.
 */
static void stop_gone_loops(java_state *s, const pj_value *targets)
{
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->nloops;) {
		if (target_for(targets, pj_java_target_pid(s->loops[i]))) {
			i++;
			continue;
		}
		pj_java_target_stop(s->loops[i]);
		s->stopping = pj_realloc(s->stopping, (s->nstopping + 1) * sizeof(*s->stopping));
		s->stopping[s->nstopping++] = s->loops[i];
		s->loops[i] = s->loops[--s->nloops];
	}
	pthread_mutex_unlock(&s->mu);
	for (size_t i = 0; i < s->ndead;) {
		if (target_for(targets, s->dead[i].pid))
			i++;
		else
			s->dead[i] = s->dead[--s->ndead];
	}
}

static void log_bad_target(java_state *s, const pj_value *target)
{
	pj_buf b = PJ_BUF_INIT;
	pj_value_write(&b, target);
	if (pj_log_once_should(s->sh.log_once, pj_buf_cstr(&b), "invalid __process_pid__"))
		pj_log(PJ_LOG_WARN, pj_component_id(s->self), "target without a valid __process_pid__ skipped",
		       "target", pj_buf_cstr(&b), NULL);
	pj_buf_free(&b);
}

/* Makes the running loops match `targets`. Only the run thread calls this. */
static void reconcile(java_state *s)
{
	reap(s);
	pthread_mutex_lock(&s->mu);
	pj_value *targets = s->targets ? pj_value_ref(s->targets) : NULL;
	pthread_mutex_unlock(&s->mu);
	stop_gone_loops(s, targets);
	for (size_t i = 0; targets && i < pj_array_len(targets); i++) {
		const pj_value *target = pj_array_get(targets, i);
		pid_t pid;
		if (!parse_pid(target, &pid)) {
			log_bad_target(s, target);
			continue;
		}
		target = target_for(targets, pid);
		pthread_mutex_lock(&s->mu);
		pj_java_target *t = find_loop(s, pid);
		if (t)
			pj_java_target_set_labels(t, target);
		pthread_mutex_unlock(&s->mu);
		if (t || is_dead(s, pid))
			continue;
		if (!(t = pj_java_target_start(&s->sh, pid, target))) {
			pj_log(PJ_LOG_ERROR, pj_component_id(s->self), "cannot start a profiling thread", "err",
			       strerror(errno), NULL);
			continue;
		}
		pthread_mutex_lock(&s->mu);
		s->loops = pj_realloc(s->loops, (s->nloops + 1) * sizeof(*s->loops));
		s->loops[s->nloops++] = t;
		pthread_mutex_unlock(&s->mu);
	}
	if (targets)
		pj_value_unref(targets);
}

static void apply_args(java_state *s, const pj_value *args)
{
	pj_java_config *c = pj_java_config_new(args);
	const pj_value *targets = pj_object_get(args, "targets");
	const pj_value *receivers = pj_object_get(args, "forward_to");
	pthread_mutex_lock(&s->mu);
	pj_java_config *old = s->sh.config;
	s->sh.config = c;
	if (s->targets)
		pj_value_unref(s->targets);
	s->targets = targets ? pj_value_ref(targets) : NULL;
	if (s->sh.receivers)
		pj_value_unref(s->sh.receivers);
	s->sh.receivers = receivers ? pj_value_ref(receivers) : NULL;
	pthread_mutex_unlock(&s->mu);
	pj_java_config_unref(old);
	pj_stopper_wake(&s->stop);
}

static pj_dist *open_dist(const pj_value *args, char **err)
{
	const char *dist = pj_arg_str(args, "dist");
	if (dist[0])
		return pj_dist_open_dir(dist, err);
	size_t len;
	const uint8_t *archive = pj_dist_embedded(&len);
	return pj_dist_extract(archive, len, pj_arg_str(args, "tmp_dir"), err);
}

static void *java_build(pj_component *self, const pj_value *args, char **err)
{
	pj_dist *dist = open_dist(args, err);
	if (!dist)
		return NULL;
	java_state *s = pj_calloc(1, sizeof(*s));
	s->self = self;
	pthread_mutex_init(&s->mu, NULL);
	pj_stopper_init(&s->stop);
	s->sh.component_id = pj_component_id(self);
	s->sh.dist = dist;
	s->sh.log_once = pj_log_once_new();
	s->sh.mu = &s->mu;
	apply_args(s, args);
	if (geteuid() != 0) {
		char uid[16];
		snprintf(uid, sizeof(uid), "%d", (int)geteuid());
		pj_log(PJ_LOG_WARN, s->sh.component_id,
		       "not running as root: only JVMs of our own uid can be profiled; run as root to profile every JVM",
		       "uid", uid, NULL);
	}
	return s;
}

static bool java_update(void *state, const pj_value *args, char **err)
{
	(void)err;
	apply_args(state, args);
	return true;
}

static bool java_run(void *state, char **err)
{
	(void)err;
	java_state *s = state;
	do
		reconcile(s);
	while (!pj_stopper_wait(&s->stop, RECONCILE_NS));
	pthread_mutex_lock(&s->mu);
	pj_java_target **loops = s->loops;
	size_t n = s->nloops;
	s->loops = NULL;
	s->nloops = 0;
	pthread_mutex_unlock(&s->mu);
	for (size_t i = 0; i < n; i++)
		pj_java_target_stop(loops[i]);
	for (size_t i = 0; i < n; i++)
		pj_java_target_join(loops[i]);
	free(loops);
	reap_stopping(s, true);
	return true;
}

static void java_stop(void *state)
{
	java_state *s = state;
	pj_stopper_stop(&s->stop);
}

static void java_destroy(void *state)
{
	java_state *s = state;
	for (size_t i = 0; i < s->nloops; i++) {
		pj_java_target_stop(s->loops[i]);
		pj_java_target_join(s->loops[i]);
	}
	free(s->loops);
	reap_stopping(s, true);
	free(s->stopping);
	free(s->dead);
	if (s->targets)
		pj_value_unref(s->targets);
	if (s->sh.receivers)
		pj_value_unref(s->sh.receivers);
	pj_java_config_unref(s->sh.config);
	pj_log_once_free(s->sh.log_once);
	pj_dist_free(s->sh.dist);
	pj_stopper_destroy(&s->stop);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static int compare_pid(const void *a, const void *b)
{
	pid_t x = pj_java_target_pid(*(pj_java_target *const *)a), y = pj_java_target_pid(*(pj_java_target *const *)b);
	return (x > y) - (x < y);
}

static void java_debug_info(void *state, pj_buf *json)
{
	java_state *s = state;
	pthread_mutex_lock(&s->mu);
	pj_java_target **sorted = pj_calloc(s->nloops + 1, sizeof(*sorted));
	if (s->nloops)
		memcpy(sorted, s->loops, s->nloops * sizeof(*sorted));
	qsort(sorted, s->nloops, sizeof(*sorted), compare_pid);
	pj_buf_putc(json, '[');
	for (size_t i = 0; i < s->nloops; i++) {
		if (i)
			pj_buf_putc(json, ',');
		pj_java_target_debug(sorted[i], json);
	}
	pj_buf_putc(json, ']');
	pthread_mutex_unlock(&s->mu);
	free(sorted);
}

const pj_component_type pj_pyroscope_java_type = {
	.name = "pyroscope.java",
	.args = &pj_java_args_schema,
	.exports = NULL,
	.build = java_build,
	.update = java_update,
	.run = java_run,
	.stop = java_stop,
	.destroy = java_destroy,
	.debug_info = java_debug_info,
};
