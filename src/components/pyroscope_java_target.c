/*
 * One profiling loop per target PID, on its own thread so a slow or hung
 * JVM never delays another (spec jvm-agent C.6, B.7):
 *
 *   pre-flight -> place the library -> attach + start
 *   -> every interval: dump (our agent) or stop + start (official
 *      async-profiler) -> read the JFR through /proc/PID/root -> delete it
 *      -> convert -> append one series per profile type
 *   -> on stop: stop the profiler and remove its files.
 *
 * A process that exits ends the loop quietly; every other failure is
 * recorded for debug info, logged once per distinct cause and retried after
 * an interval.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "components/pyroscope_java_internal.h"
#include "jvm/attach.h"
#include "jvm/proc_info.h"
#include "jvm/safe_open.h"
#include "jvm/target_file.h"
#include "profile/jfr_pprof.h"
#include "runtime/stopper.h"

/* A recording bigger than this is deleted unread: something is wrong with the window. */
#define JFR_MAX_BYTES (256u << 20)
#define LOG_MAX_BYTES (64u << 10)
#define MAPS_MAX_BYTES (64u << 20)
#define MAX_TYPES 16
#define MAX_LABELS 128
#define START_RETRY_NS 5000000000LL

typedef enum loop_result {
	LOOP_OK,
	LOOP_FAILED, /* recorded; retry after an interval */
	LOOP_GONE,   /* the process exited */
} loop_result;

struct pj_java_target {
	pj_java_shared *sh;
	pid_t pid;
	pthread_t thread;
	pj_stopper stop;
	atomic_bool done;
	char key[32]; /* "pid N", for log-once */

	/* Under sh->mu: */
	pj_value *labels;
	uint64_t total_bytes, total_samples;
	int64_t last_profiled_ns, last_error_ns; /* CLOCK_REALTIME; 0: never */
	char *error_msg;
	struct {
		char name[64];
		uint64_t bytes;
	} types[MAX_TYPES];
	size_t ntypes;

	/* The loop's own: */
	int procfd;
	unsigned long long start_time;
	bool running; /* a session we started (or took over) is active */
	bool official;
	bool shares_root; /* the target sees our root filesystem (no container) */
	char lib[PATH_MAX];
	char jfr[96], log[96]; /* paths in the target's filesystem */
	char *started; /* the start options of the running session */
	int64_t window_start_ns;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Records a failure for debug info and logs it once per distinct cause. */
static loop_result failed(pj_java_target *t, const char *step, const char *msg)
{
	char cause[1024];
	snprintf(cause, sizeof(cause), "%s: %s", step, msg);
	pthread_mutex_lock(t->sh->mu);
	free(t->error_msg);
	t->error_msg = pj_strdup(cause);
	t->last_error_ns = now_ns();
	pthread_mutex_unlock(t->sh->mu);
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", (int)t->pid);
	pj_log_once_log(t->sh->log_once, t->key, cause, PJ_LOG_WARN, t->sh->component_id, "profiling failed", "pid",
			pid, "step", step, NULL);
	return LOOP_FAILED;
}

static bool alive(pj_java_target *t)
{
	return pj_proc_alive(t->procfd, t->pid);
}

/* The agent's messages for the last command: its [ERROR]/[WARN] lines, else everything. */
static void read_agent_log(pj_java_target *t, int rootfd, char *msg, size_t size)
{
	pj_buf b = PJ_BUF_INIT;
	msg[0] = '\0';
	if (pj_target_take_file(rootfd, t->log, LOG_MAX_BYTES, &b) == 0 && b.len) {
		const char *text = pj_buf_cstr(&b);
		const char *err = strstr(text, "[ERROR] ");
		const char *from = err ? err + 8 : text;
		size_t n = strcspn(from, "\n");
		snprintf(msg, size, "%.*s", (int)n, from);
	}
	pj_buf_free(&b);
}

/* Removes recordings and logs an earlier pyrojava left behind for this PID in the target's /tmp. */
static void remove_stale(pj_java_target *t, int rootfd)
{
	int tmpfd = pj_safe_open_dir(rootfd, "tmp");
	if (tmpfd < 0)
		return;
	int fd = openat(tmpfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(tmpfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		int owner, pid, used = 0;
		bool jfr = sscanf(e->d_name, "asprof-%d-%d-%*[0-9a-f].jfr%n", &owner, &pid, &used) == 2;
		bool log = sscanf(e->d_name, "asprof-log-%d-%d-%*[0-9a-f].log%n", &owner, &pid, &used) == 2;
		if ((jfr || log) && used > 0 && e->d_name[used] == '\0' && pid == t->pid)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/* A fresh random name per session, so nothing can be planted at a predictable path in advance. */
static void new_file_names(pj_java_target *t)
{
	uint64_t r = 0;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint64_t)now_ns() ^ ((uint64_t)t->pid << 32);
	snprintf(t->jfr, sizeof(t->jfr), "/tmp/asprof-%d-%d-%016llx.jfr", (int)getpid(), (int)t->pid,
		 (unsigned long long)r);
	snprintf(t->log, sizeof(t->log), "/tmp/asprof-log-%d-%d-%016llx.log", (int)getpid(), (int)t->pid,
		 (unsigned long long)r);
}

/* Runs one agent command; on failure fills msg. Returns the agent's code, -1 on an attach error, -2 gone. */
static int agent_command(pj_java_target *t, const char *options, char *msg, size_t size)
{
	const char *args[3] = {t->lib, "true", options};
	pj_attach_opts o;
	pj_attach_opts_init(&o);
	o.reply_timeout_ms = 30000;
	o.start_time = t->start_time;
	pj_attach_result res;
	pj_attach_err e = pj_attach(t->pid, "load", args, 3, &o, &res);
	int rc = res.result;
	if (e == PJ_ATTACH_ERR_GONE) {
		rc = -2;
	} else if (e != PJ_ATTACH_OK) {
		snprintf(msg, size, "%s", res.message);
		rc = -1;
	} else if (rc == -1) {
		const char *out = pj_buf_cstr(&res.output);
		snprintf(msg, size, "the JVM could not load %.400s: %.*s", t->lib, (int)strcspn(out, "\n"), out);
	}
	pj_attach_result_free(&res);
	return rc;
}

/* What the agent said about a failed command (its log file), or the attach message. */
static void explain(pj_java_target *t, int rootfd, int rc, char *msg, size_t size)
{
	if (rc <= 0)
		return;
	char text[512];
	read_agent_log(t, rootfd, text, sizeof(text));
	snprintf(msg, size, "agent returned %d%s%s", rc, text[0] ? ": " : "", text);
}

/* The process maps libjvm and no other profiler library: two profilers in one JVM crash it. */
static loop_result preflight(pj_java_target *t, pj_libc *libc)
{
	pj_proc_status st;
	if (geteuid() != 0 && pj_proc_read_status(t->procfd, &st) == 0 && st.euid != geteuid()) {
		char msg[160];
		snprintf(msg, sizeof(msg), "the JVM runs as uid %d; not running as root, only JVMs of uid %d can be profiled",
			 (int)st.euid, (int)geteuid());
		return failed(t, "preflight", msg);
	}
	pj_buf maps = PJ_BUF_INIT;
	int r = pj_proc_read_all(t->procfd, "maps", &maps, MAPS_MAX_BYTES);
	if (r < 0) {
		pj_buf_free(&maps);
		return r == -ESRCH || r == -ENOENT ? LOOP_GONE : failed(t, "preflight", strerror(-r));
	}
	const char *text = pj_buf_cstr(&maps);
	char other[PATH_MAX], msg[PATH_MAX + 128];
	loop_result res = LOOP_OK;
	if (!pj_proc_maps_find(text, "libjvm", NULL, 0)) {
		res = failed(t, "preflight", "the process does not map libjvm.so (not a HotSpot JVM)");
	} else if (pj_proc_maps_find(text, "libjavaProfiler", other, sizeof(other))) {
		snprintf(msg, sizeof(msg), "another profiler is loaded (%s); skipping: two profilers in one JVM crash it",
			 other);
		res = failed(t, "preflight", msg);
	} else {
		int rootfd = pj_safe_open_root(t->pid);
		char err[256];
		if (rootfd < 0) {
			res = rootfd == -ENOENT || rootfd == -ESRCH ? LOOP_GONE : failed(t, "preflight", strerror(-rootfd));
		} else if (pj_libc_detect(text, rootfd, libc, err, sizeof(err)) != 0) {
			res = failed(t, "detect libc", err);
		}
		if (rootfd >= 0)
			close(rootfd);
		const char *lib = res == LOOP_OK ? pj_dist_lib_path(t->sh->dist, *libc) : NULL;
		if (res == LOOP_OK && !lib) {
			snprintf(msg, sizeof(msg), "no %s build of the profiler is available", pj_libc_name(*libc));
			res = failed(t, "detect libc", msg);
		} else if (lib && pj_proc_maps_find(text, "libasyncProfiler", other, sizeof(other)) &&
			   strcmp(other, lib) != 0 && strstr(other, "/alloy-asprof-")) {
			/* An earlier pyrojava build's agent: loading a second copy would crash the JVM, the loaded one takes our commands. */
			lib = other;
		} else if (lib && pj_proc_maps_find(text, "libasyncProfiler", other, sizeof(other)) && strcmp(other, lib) != 0) {
			snprintf(msg, sizeof(msg),
				 "another async-profiler is loaded from %s; skipping: two profilers in one JVM crash it", other);
			res = failed(t, "preflight", msg);
		}
		if (lib)
			snprintf(t->lib, sizeof(t->lib), "%s", lib);
	}
	pj_buf_free(&maps);
	return res;
}

static char *options_for(pj_java_target *t, const pj_java_config *c, const char *action, char *msg, size_t size)
{
	return pj_java_agent_options(c, action, t->jfr, t->log, t->pid, t->official, msg, size);
}

/* Ends a session somebody else (an earlier pyrojava) left running, so ours starts with our options. */
static void take_over(pj_java_target *t, const pj_java_config *c, int rootfd)
{
	char msg[512];
	char *stop = options_for(t, c, "stop", msg, sizeof(msg));
	if (stop && agent_command(t, stop, msg, sizeof(msg)) >= 0)
		pj_log(PJ_LOG_INFO, t->sh->component_id, "took over a profiling session left running", "pid", t->key + 4,
		       NULL);
	free(stop);
	pj_safe_unlink(rootfd, t->jfr);
	pj_safe_unlink(rootfd, t->log);
	remove_stale(t, rootfd);
}

static loop_result start_session(pj_java_target *t, const pj_java_config *c)
{
	pj_libc libc;
	loop_result r = preflight(t, &libc);
	if (r != LOOP_OK)
		return r;
	int rootfd = pj_safe_open_root(t->pid);
	if (rootfd < 0)
		return rootfd == -ENOENT || rootfd == -ESRCH ? LOOP_GONE : failed(t, "copy library", strerror(-rootfd));
	char msg[1024];
	size_t len;
	const uint8_t *data = pj_dist_lib_data(t->sh->dist, libc, &len);
	if (pj_dist_copy_to_target(rootfd, t->lib, data, len, msg, sizeof(msg)) != 0) {
		close(rootfd);
		return alive(t) ? failed(t, "copy library", msg) : LOOP_GONE;
	}
	remove_stale(t, rootfd);
	new_file_names(t);
	char *start = options_for(t, c, "start", msg, sizeof(msg));
	int rc = start ? agent_command(t, start, msg, sizeof(msg)) : -1;
	if (rc > 0) {
		explain(t, rootfd, rc, msg, sizeof(msg));
		if (rc == 200 && strstr(msg, "already started")) {
			take_over(t, c, rootfd);
			rc = agent_command(t, start, msg, sizeof(msg));
			explain(t, rootfd, rc, msg, sizeof(msg));
		}
	}
	pj_safe_unlink(rootfd, t->log);
	close(rootfd);
	free(t->started);
	t->started = start;
	if (rc == -2)
		return LOOP_GONE;
	if (rc != 0)
		return alive(t) ? failed(t, "start", msg) : LOOP_GONE;
	t->running = true;
	t->window_start_ns = now_ns();
	return LOOP_OK;
}

static void note_type(pj_java_target *t, const char *name, size_t bytes)
{
	for (size_t i = 0; i < t->ntypes; i++) {
		if (strcmp(t->types[i].name, name) == 0) {
			t->types[i].bytes = bytes;
			return;
		}
	}
	if (t->ntypes < MAX_TYPES) {
		snprintf(t->types[t->ntypes].name, sizeof(t->types[0].name), "%s", name);
		t->types[t->ntypes++].bytes = bytes;
	}
}

/* Appends one series per profile type to every receiver. */
static loop_result push_profiles(pj_java_target *t, const jfr_profiles *p)
{
	pthread_mutex_lock(t->sh->mu);
	pj_value *labels = pj_value_ref(t->labels);
	pj_value *receivers = t->sh->receivers ? pj_value_ref(t->sh->receivers) : NULL;
	pthread_mutex_unlock(t->sh->mu);
	loop_result res = LOOP_OK;
	uint64_t bytes = 0, samples = 0;
	pj_buf body = PJ_BUF_INIT, store = PJ_BUF_INIT;
	for (size_t i = 0; i < p->count; i++) {
		pj_label l[MAX_LABELS];
		size_t n = pj_java_series_labels(labels, p->items[i].metric, p->event, &store, l, MAX_LABELS);
		pj_buf_reset(&body);
		pprof_encode(p->items[i].builder, &body);
		pj_raw_sample s = {body.data, body.len, NULL};
		char *err = NULL;
		if (receivers && !pj_appendable_append_all(receivers, l, n, &s, 1, &err)) {
			res = failed(t, "push", err);
			free(err);
		}
		bytes += body.len;
		samples += pprof_sample_count(p->items[i].builder);
		pthread_mutex_lock(t->sh->mu);
		note_type(t, p->items[i].name, body.len);
		pthread_mutex_unlock(t->sh->mu);
	}
	pthread_mutex_lock(t->sh->mu);
	t->total_bytes += bytes;
	t->total_samples += samples;
	t->last_profiled_ns = now_ns();
	pthread_mutex_unlock(t->sh->mu);
	pj_buf_free(&body);
	pj_buf_free(&store);
	pj_value_unref(labels);
	if (receivers)
		pj_value_unref(receivers);
	return res;
}

static loop_result convert_and_push(pj_java_target *t, const pj_java_config *c, const pj_buf *jfr, int64_t end)
{
	jfr_convert_options o = JFR_CONVERT_OPTIONS_INIT;
	o.sample_rate = c->sample_rate;
	o.start_nanos = t->window_start_ns;
	o.end_nanos = end;
	o.per_thread = c->per_thread;
	jfr_profiles p;
	char *err = NULL;
	if (!jfr_convert((const uint8_t *)jfr->data, jfr->len, &o, &p, &err)) {
		loop_result r = failed(t, "convert", err);
		free(err);
		return r;
	}
	loop_result r = push_profiles(t, &p);
	jfr_profiles_free(&p);
	return r;
}

/* Ends the window: dump (sampling goes on) or stop (the next iteration starts again). */
static loop_result collect(pj_java_target *t, const pj_java_config *c)
{
	int rootfd = pj_safe_open_root(t->pid);
	if (rootfd < 0)
		return LOOP_GONE;
	char msg[1024];
	const char *action = t->official ? "stop" : "dump";
	char *opts = options_for(t, c, action, msg, sizeof(msg));
	int rc = opts ? agent_command(t, opts, msg, sizeof(msg)) : -1;
	free(opts);
	int64_t end = now_ns();
	if (t->official)
		t->running = false;
	if (rc > 0)
		explain(t, rootfd, rc, msg, sizeof(msg));
	pj_safe_unlink(rootfd, t->log);
	loop_result res = LOOP_OK;
	pj_buf jfr = PJ_BUF_INIT;
	if (rc == -2) {
		res = LOOP_GONE;
	} else if (rc != 0) {
		/* A session that vanished (the JVM restarted its agent state, a timeout fired) starts again. */
		t->running = false;
		res = alive(t) ? failed(t, action, msg) : LOOP_GONE;
	} else {
		int r = pj_target_take_file(rootfd, t->jfr, JFR_MAX_BYTES, &jfr);
		if (r == -EFBIG)
			res = failed(t, "read jfr", "the recording exceeds 256 MiB; deleted unread");
		else if (r < 0)
			res = alive(t) ? failed(t, "read jfr", strerror(-r)) : LOOP_GONE;
		else
			res = convert_and_push(t, c, &jfr, end);
	}
	t->window_start_ns = end;
	pj_buf_free(&jfr);
	close(rootfd);
	return res;
}

static bool same_root(pid_t pid)
{
	char path[48];
	struct stat ours, theirs;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	return stat("/", &ours) == 0 && stat(path, &theirs) == 0 && ours.st_dev == theirs.st_dev &&
	       ours.st_ino == theirs.st_ino;
}

/*
 * A JVM that exits while profiled writes its last window to the file named
 * when the agent's session started. That may be an earlier session's name
 * (a dump that timed out leaves the agent running while this loop believes
 * it stopped), so every recording and log named for this PID goes. Inside a
 * container the files go with it; on the host we remove them.
 */
static void remove_orphans(pj_java_target *t)
{
	if (!t->shares_root)
		return;
	int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return;
	remove_stale(t, rootfd);
	close(rootfd);
}

/* On shutdown or when the target leaves: stop our session and remove our files. */
static void finish(pj_java_target *t, const pj_java_config *c)
{
	if (!alive(t)) {
		remove_orphans(t);
		return;
	}
	if (!t->running)
		return;
	char msg[512];
	char *opts = options_for(t, c, "stop", msg, sizeof(msg));
	if (opts)
		agent_command(t, opts, msg, sizeof(msg));
	free(opts);
	int rootfd = pj_safe_open_root(t->pid);
	if (rootfd >= 0) {
		pj_safe_unlink(rootfd, t->jfr);
		pj_safe_unlink(rootfd, t->log);
		close(rootfd);
	}
	t->running = false;
}

static pj_java_config *current_config(pj_java_target *t)
{
	pthread_mutex_lock(t->sh->mu);
	pj_java_config *c = pj_java_config_ref(t->sh->config);
	pthread_mutex_unlock(t->sh->mu);
	return c;
}

/*
 * The agent keeps the options of its start: after an update that changes
 * them, the session is stopped right after a window and started again.
 */
static void restart_if_changed(pj_java_target *t)
{
	if (!t->running || !t->started)
		return;
	pj_java_config *c = current_config(t);
	char msg[256];
	char *now = options_for(t, c, "start", msg, sizeof(msg));
	if (now && strcmp(now, t->started) != 0)
		finish(t, c);
	free(now);
	pj_java_config_unref(c);
}

static void *target_main(void *arg)
{
	pj_java_target *t = arg;
	t->procfd = pj_proc_open(t->pid);
	if (t->procfd < 0 || pj_proc_read_start_time(t->procfd, &t->start_time) != 0) {
		atomic_store(&t->done, true);
		return NULL;
	}
	t->shares_root = same_root(t->pid);
	pj_java_config *c = current_config(t);
	while (!pj_stopper_stopped(&t->stop) && alive(t)) {
		pj_java_config_unref(c);
		c = current_config(t);
		loop_result r = t->running ? LOOP_OK : start_session(t, c);
		if (r == LOOP_GONE)
			break;
		/* A JVM that is still starting up gets another try soon, not a whole interval later. */
		int64_t wait = r == LOOP_FAILED && c->interval_ns > START_RETRY_NS ? START_RETRY_NS : c->interval_ns;
		if (pj_stopper_wait(&t->stop, wait))
			break;
		if (r == LOOP_FAILED || !t->running)
			continue;
		loop_result cr = collect(t, c);
		if (cr == LOOP_GONE)
			break;
		if (cr == LOOP_OK)
			pj_log_once_clear(t->sh->log_once, t->key);
		restart_if_changed(t);
	}
	finish(t, c);
	pj_java_config_unref(c);
	pj_log_once_clear(t->sh->log_once, t->key);
	close(t->procfd);
	atomic_store(&t->done, true);
	return NULL;
}

pj_java_target *pj_java_target_start(pj_java_shared *sh, pid_t pid, const pj_value *labels)
{
	pj_java_target *t = pj_calloc(1, sizeof(*t));
	t->sh = sh;
	t->pid = pid;
	t->procfd = -1;
	t->official = pj_dist_official(sh->dist);
	t->labels = pj_value_ref(labels);
	snprintf(t->key, sizeof(t->key), "pid %d", (int)pid);
	pj_stopper_init(&t->stop);
	atomic_init(&t->done, false);
	if (pthread_create(&t->thread, NULL, target_main, t) != 0) {
		pj_stopper_destroy(&t->stop);
		pj_value_unref(t->labels);
		free(t);
		return NULL;
	}
	return t;
}

void pj_java_target_set_labels(pj_java_target *t, const pj_value *labels)
{
	pj_value_unref(t->labels);
	t->labels = pj_value_ref(labels);
}

void pj_java_target_stop(pj_java_target *t)
{
	pj_stopper_stop(&t->stop);
}

void pj_java_target_join(pj_java_target *t)
{
	pthread_join(t->thread, NULL);
	pj_stopper_destroy(&t->stop);
	pj_value_unref(t->labels);
	free(t->error_msg);
	free(t->started);
	free(t);
}

bool pj_java_target_done(pj_java_target *t)
{
	return atomic_load(&t->done);
}

pid_t pj_java_target_pid(const pj_java_target *t)
{
	return t->pid;
}

static void json_typed(pj_buf *out, const char *type, const pj_value *v)
{
	pj_buf_printf(out, "{\"type\":\"%s\",\"value\":", type);
	pj_value_write_json(out, v);
	pj_buf_putc(out, '}');
}

static void attr_string(pj_buf *out, bool *first, const char *name, const char *s)
{
	if (!s || !s[0])
		return;
	pj_value *v = pj_cstring(s);
	pj_buf_printf(out, "%s{\"name\":\"%s\",\"type\":\"attr\",\"value\":", *first ? "" : ",", name);
	json_typed(out, "string", v);
	pj_buf_putc(out, '}');
	pj_value_unref(v);
	*first = false;
}

static void attr_number(pj_buf *out, bool *first, const char *name, uint64_t n)
{
	if (n == 0)
		return;
	pj_buf_printf(out, "%s{\"name\":\"%s\",\"type\":\"attr\",\"value\":{\"type\":\"number\",\"value\":%llu}}",
		      *first ? "" : ",", name, (unsigned long long)n);
	*first = false;
}

static void attr_time(pj_buf *out, bool *first, const char *name, int64_t ns)
{
	if (ns == 0)
		return;
	time_t secs = (time_t)(ns / 1000000000LL);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char text[64];
	size_t n = strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(text + n, sizeof(text) - n, ".%09lldZ", (long long)(ns % 1000000000LL));
	attr_string(out, first, name, text);
}

/* An object value: {"type":"object","value":[{"key":K,"value":V}...]} with keys sorted as the map is. */
static void attr_object_begin(pj_buf *out, bool *first, const char *name)
{
	pj_buf_printf(out, "%s{\"name\":\"%s\",\"type\":\"attr\",\"value\":{\"type\":\"object\",\"value\":[",
		      *first ? "" : ",", name);
	*first = false;
}

static void object_entry(pj_buf *out, bool first, const char *key, const char *type, const pj_value *v)
{
	pj_value *k = pj_cstring(key);
	pj_buf_puts(out, first ? "{\"key\":" : ",{\"key\":");
	pj_value_write_json(out, k);
	pj_buf_puts(out, ",\"value\":");
	json_typed(out, type, v);
	pj_buf_putc(out, '}');
	pj_value_unref(k);
}

static int compare_type(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void pj_java_target_debug(const pj_java_target *t, pj_buf *out)
{
	bool first = true;
	pj_buf_puts(out, "{\"name\":\"profiled_targets\",\"type\":\"block\",\"body\":[");
	attr_number(out, &first, "pid", (uint64_t)t->pid);
	attr_object_begin(out, &first, "target");
	for (size_t i = 0; i < pj_object_len(t->labels); i++)
		object_entry(out, i == 0, pj_object_key(t->labels, i), "string", pj_object_value(t->labels, i));
	pj_buf_puts(out, "]}}");
	attr_number(out, &first, "total_bytes", t->total_bytes);
	attr_number(out, &first, "total_samples", t->total_samples);
	attr_time(out, &first, "last_profiled", t->last_profiled_ns);
	attr_time(out, &first, "last_error", t->last_error_ns);
	attr_string(out, &first, "error_msg", t->error_msg);
	if (t->ntypes) {
		const char *names[MAX_TYPES];
		for (size_t i = 0; i < t->ntypes; i++)
			names[i] = t->types[i].name;
		qsort(names, t->ntypes, sizeof(names[0]), compare_type);
		attr_object_begin(out, &first, "last_profile_bytes_per_type");
		for (size_t i = 0; i < t->ntypes; i++) {
			const char *name = names[i];
			uint64_t bytes = 0;
			for (size_t j = 0; j < t->ntypes; j++)
				if (t->types[j].name == name)
					bytes = t->types[j].bytes;
			pj_value *v = pj_uint(bytes);
			object_entry(out, i == 0, name, "number", v);
			pj_value_unref(v);
		}
		pj_buf_puts(out, "]}}");
	}
	pj_buf_puts(out, "]}");
}
