/*
 * The discovery.process component. The scan itself is jvm/process_scan.c;
 * this file owns the schedule (a scan when built, then one per
 * refresh_interval on the run thread), the join, publishing only changed
 * targets, and saying once per cause what could not be read.
 *
 * Alloy's Update re-joins the cached scan without rescanning, so a changed
 * discover_config shows at the next tick; the same happens here.
 */
#include "components/discovery_process.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "components/targets_value.h"
#include "jvm/process_scan.h"
#include "runtime/log.h"
#include "runtime/stopper.h"

const char *pj_discovery_proc_root;
const char *pj_discovery_cgroup_root;

/* time.NewTicker panics on a non-positive period; refuse it instead. */
static bool check_interval(const pj_value *v, char **err)
{
	if (pj_value_int(v) > 0)
		return true;
	*err = pj_strdup("must be a positive duration (refresh_interval)");
	return false;
}

static const pj_attr_schema discover_attrs[] = {
	{"exe", &pj_type_bool, "true", false, NULL},
	{"cwd", &pj_type_bool, "true", false, NULL},
	{"commandline", &pj_type_bool, "true", false, NULL},
	{"container_id", &pj_type_bool, "true", false, NULL},
	/* Alloy's docs say true for these two; its code, which decides, says false. */
	{"username", &pj_type_bool, "false", false, NULL},
	{"uid", &pj_type_bool, "false", false, NULL},
	{"cgroup_path", &pj_type_bool, "false", false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema discover_schema = {discover_attrs, NULL, NULL};

static const pj_attr_schema process_attrs[] = {
	{"join", &pj_type_targets, NULL, false, NULL},
	{"refresh_interval", &pj_type_duration, "\"60s\"", false, check_interval},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_block_schema process_blocks[] = {
	{"discover_config", &discover_schema, 0},
	{NULL, NULL, 0},
};
static const pj_schema process_args = {process_attrs, process_blocks, NULL};

static const pj_attr_schema process_export_attrs[] = {
	{"targets", &pj_type_targets, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema process_exports = {process_export_attrs, NULL, NULL};

typedef struct pid_list {
	int *pids;
	size_t len, cap;
} pid_list;

typedef struct process_state {
	pj_component *self;
	pj_stopper stop;
	pthread_mutex_t mu; /* guards everything up to `health` */
	pj_process_discover_config cfg;
	pj_targets join;
	int64_t interval_ns;
	pj_targets processes; /* the last successful scan */
	pj_targets exported; /* what was last published */
	bool published;
	pj_health health;
	uint64_t scans, changes; /* for debug info */
	pj_process_scan_stats last;
	/* Only the scanning thread (build, then run) touches these. */
	pj_log_once *once;
	pid_list failed, failed_before;
	int first_errno;
} process_state;

typedef struct parsed_args {
	pj_process_discover_config cfg;
	pj_targets join;
	int64_t interval_ns;
} parsed_args;

static bool parse_args(const pj_value *args, parsed_args *p, char **err)
{
	const pj_value *dc = pj_object_get(args, "discover_config");
	p->cfg = (pj_process_discover_config){
		.exe = pj_arg_bool(dc, "exe"),
		.cwd = pj_arg_bool(dc, "cwd"),
		.commandline = pj_arg_bool(dc, "commandline"),
		.container_id = pj_arg_bool(dc, "container_id"),
		.username = pj_arg_bool(dc, "username"),
		.uid = pj_arg_bool(dc, "uid"),
		.cgroup_path = pj_arg_bool(dc, "cgroup_path"),
	};
	p->interval_ns = pj_arg_int(args, "refresh_interval");
	p->join = (pj_targets)PJ_TARGETS_INIT;
	return pj_targets_from_value(pj_object_get(args, "join"), &p->join, err);
}

/* Publishes join(processes, join) if it differs from what was last published. Call with mu held. */
static void publish_locked(process_state *s)
{
	pj_targets out = PJ_TARGETS_INIT;
	pj_process_join(&s->processes, &s->join, &out);
	if (s->published && pj_targets_equal(&out, &s->exported)) {
		pj_targets_free(&out);
		return;
	}
	pj_value *exports = pj_object_new();
	pj_object_set(exports, "targets", pj_targets_to_value(&out));
	/* The controller never calls into this component while holding its own lock, so this cannot deadlock. */
	pj_component_export(s->self, exports);
	pj_targets_free(&s->exported);
	s->exported = out;
	s->published = true;
	s->changes++;
}

static void on_read_error(void *ctx, int pid, const char *what, int err)
{
	process_state *s = ctx;
	s->failed.pids = pj_grow(s->failed.pids, &s->failed.cap, s->failed.len + 1, sizeof(int));
	s->failed.pids[s->failed.len++] = pid;
	if (!s->first_errno)
		s->first_errno = err;
	char key[32], cause[160];
	snprintf(key, sizeof key, "pid %d", pid);
	snprintf(cause, sizeof cause, "%s: %s", what, strerror(err));
	pj_log_once_log(s->once, key, cause, PJ_LOG_DEBUG, pj_component_id(s->self), "failed to get process info",
		"pid", key + 4, NULL);
}

static bool pid_in(const pid_list *l, int pid)
{
	size_t lo = 0, hi = l->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->pids[mid] == pid)
			return true;
		if (l->pids[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Forgets pids that read fine this time (or are gone), so their next failure is logged again. */
static void settle_read_errors(process_state *s)
{
	for (size_t i = 0; i < s->failed_before.len; i++) {
		int pid = s->failed_before.pids[i];
		if (pid_in(&s->failed, pid))
			continue;
		char key[32];
		snprintf(key, sizeof key, "pid %d", pid);
		pj_log_once_clear(s->once, key);
	}
	pid_list t = s->failed_before;
	s->failed_before = s->failed;
	s->failed = t;
	s->failed.len = 0;
	const char *id = pj_component_id(s->self);
	if (s->failed_before.len == 0) {
		pj_log_once_clear(s->once, "unreadable");
		return;
	}
	char count[32];
	snprintf(count, sizeof count, "%zu", s->failed_before.len);
	pj_log_once_log(s->once, "unreadable", strerror(s->first_errno), PJ_LOG_WARN, id,
		"some processes cannot be read and are not discovered", "count", count, NULL);
}

static const char *proc_root(void)
{
	if (pj_discovery_proc_root)
		return pj_discovery_proc_root;
	const char *env = getenv("HOST_PROC");
	return env && env[0] ? env : "/proc";
}

/* One scan, then publish; a directory that cannot be listed keeps the last targets. */
static void scan_and_publish(process_state *s)
{
	pthread_mutex_lock(&s->mu);
	pj_process_discover_config cfg = s->cfg;
	pthread_mutex_unlock(&s->mu);
	pj_process_scan_options opt = {
		.proc_root = proc_root(),
		.cgroup_root = pj_discovery_cgroup_root ? pj_discovery_cgroup_root : "/proc",
		.on_error = on_read_error,
		.ctx = s,
	};
	pj_targets found = PJ_TARGETS_INIT;
	char *err = NULL;
	s->failed.len = 0;
	s->first_errno = 0;
	pj_process_scan_stats stats = {0};
	bool ok = pj_process_scan(&cfg, &opt, &found, &stats, &err);
	const char *id = pj_component_id(s->self);
	pthread_mutex_lock(&s->mu);
	s->scans++;
	if (ok) {
		s->last = stats;
		pj_targets_free(&s->processes);
		s->processes = found;
		publish_locked(s);
		pj_health_set(&s->health, PJ_HEALTH_HEALTHY, "processes scanned");
	} else {
		pj_health_set(&s->health, PJ_HEALTH_UNHEALTHY, err);
	}
	pthread_mutex_unlock(&s->mu);
	if (ok) {
		if (pj_log_once_clear(s->once, "scan"))
			pj_log(PJ_LOG_INFO, id, "process scan recovered", NULL);
		settle_read_errors(s);
	} else {
		pj_log_once_log(s->once, "scan", err, PJ_LOG_ERROR, id, "process scan failed", NULL);
		pj_targets_free(&found);
	}
	free(err);
}

static void process_destroy(void *state)
{
	process_state *s = state;
	pj_stopper_destroy(&s->stop);
	pthread_mutex_destroy(&s->mu);
	pj_targets_free(&s->join);
	pj_targets_free(&s->processes);
	pj_targets_free(&s->exported);
	pj_health_clear(&s->health);
	pj_log_once_free(s->once);
	free(s->failed.pids);
	free(s->failed_before.pids);
	free(s);
}

static void *process_build(pj_component *self, const pj_value *args, char **err)
{
	parsed_args p;
	if (!parse_args(args, &p, err)) {
		pj_targets_free(&p.join);
		return NULL;
	}
	process_state *s = pj_calloc(1, sizeof(*s));
	s->self = self;
	pj_stopper_init(&s->stop);
	pthread_mutex_init(&s->mu, NULL);
	s->cfg = p.cfg;
	s->join = p.join;
	s->interval_ns = p.interval_ns;
	s->once = pj_log_once_new();
	/* The first scan happens here, so dependants see processes on their first evaluation. */
	scan_and_publish(s);
	return s;
}

static bool process_update(void *state, const pj_value *args, char **err)
{
	process_state *s = state;
	parsed_args p;
	if (!parse_args(args, &p, err)) {
		pj_targets_free(&p.join);
		return false;
	}
	pthread_mutex_lock(&s->mu);
	s->cfg = p.cfg;
	pj_targets_free(&s->join);
	s->join = p.join;
	s->interval_ns = p.interval_ns;
	publish_locked(s);
	pthread_mutex_unlock(&s->mu);
	return true;
}

static bool process_run(void *state, char **err)
{
	(void)err;
	process_state *s = state;
	for (;;) {
		pthread_mutex_lock(&s->mu);
		int64_t wait = s->interval_ns;
		pthread_mutex_unlock(&s->mu);
		if (pj_stopper_wait(&s->stop, wait))
			return true;
		scan_and_publish(s);
	}
}

static void process_stop(void *state)
{
	process_state *s = state;
	pj_stopper_stop(&s->stop);
}

static void process_health(void *state, pj_health *out)
{
	process_state *s = state;
	pthread_mutex_lock(&s->mu);
	pj_health_copy(out, &s->health);
	pthread_mutex_unlock(&s->mu);
}

static void debug_number(pj_buf *out, const char *name, uint64_t v, bool first)
{
	pj_buf_printf(out, "%s{\"name\":\"%s\",\"type\":\"attr\",\"value\":{\"type\":\"number\",\"value\":%llu}}",
		first ? "" : ",", name, (unsigned long long)v);
}

/* Counters that tell "not scanned yet" from "scanned, nothing changed" from "cannot read". */
static void process_debug_info(void *state, pj_buf *json)
{
	process_state *s = state;
	pthread_mutex_lock(&s->mu);
	pj_buf_putc(json, '[');
	debug_number(json, "scans", s->scans, true);
	debug_number(json, "changes", s->changes, false);
	debug_number(json, "processes_listed", s->last.listed, false);
	debug_number(json, "processes_discovered", s->last.emitted, false);
	debug_number(json, "processes_gone", s->last.gone, false);
	debug_number(json, "processes_unreadable", s->last.failed, false);
	pj_buf_putc(json, ']');
	pthread_mutex_unlock(&s->mu);
}

const pj_component_type pj_discovery_process_type = {
	.name = "discovery.process",
	.args = &process_args,
	.exports = &process_exports,
	.build = process_build,
	.update = process_update,
	.run = process_run,
	.stop = process_stop,
	.destroy = process_destroy,
	.health = process_health,
	.debug_info = process_debug_info,
};

const pj_component_type pj_discovery_process_once_type = {
	.name = "discovery.process",
	.args = &process_args,
	.exports = &process_exports,
	.build = process_build,
	.update = process_update,
	.destroy = process_destroy,
	.health = process_health,
	.debug_info = process_debug_info,
};
