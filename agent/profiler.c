#include "profiler.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cost.h"
#include "engine.h"
#include "frame_types.h"
#include "jfr_writer.h"
#include "log.h"
#include "native_stack.h"
#include "native_symbols.h"
#include "output.h"
#include "resolver.h"
#include "sampler.h"
#include "storage.h"
#include "threads.h"
#include "vm.h"

#define RC_ARGS 100
#define RC_COMMAND 200

typedef struct session {
	bool running;
	bool has_args;
	ag_args args; /* of the start command */
	const ag_engine *engines[4]; /* started, in start order */
	int nengines;
	ag_jfr_settings settings;
	time_t started;
} session;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static session s;
static _Atomic(const ag_engine *) thread_engine; /* engine with per-thread hooks */
static char *deferred;
static atomic_bool active; /* s.running, readable without the lock */
static pthread_cond_t timer_cond;
static pthread_once_t timer_once = PTHREAD_ONCE_INIT;
static uint64_t timer_gen;

static int fail(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int rc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ag_log(AG_LOG_ERROR, "%s", msg);
	return rc;
}

static void stop_engines(void)
{
	atomic_store(&thread_engine, NULL);
	while (s.nengines > 0)
		s.engines[--s.nengines]->stop();
}

static bool start_engine(const ag_engine *e, const ag_engine_config *cfg, char *err, size_t n)
{
	if (!e->start(cfg, err, n))
		return false;
	s.engines[s.nengines++] = e;
	if (e->thread_start)
		atomic_store(&thread_engine, e);
	return true;
}

/* The CPU-type engine for `event`, NULL for an unsupported event. */
static const ag_engine *cpu_engine(const char *event)
{
	if (strcmp(event, "itimer") == 0)
		return &ag_engine_itimer;
	if (strcmp(event, "cpu") == 0 || strcmp(event, "ctimer") == 0)
		return &ag_engine_cpu;
	if (strcmp(event, "wall") == 0)
		return &ag_engine_wall;
	return NULL;
}

static bool start_cpu(const ag_args *a, char *err, size_t n)
{
	const ag_engine *e = cpu_engine(a->event);
	bool wall = e == &ag_engine_wall;
	ag_engine_config cfg = {
		.interval = a->interval > 0 ? a->interval : wall ? AG_DEFAULT_WALL_INTERVAL : AG_DEFAULT_INTERVAL,
	};
	s.settings.interval = cfg.interval;
	if (start_engine(e, &cfg, err, n)) {
		s.settings.engine = e->name;
		return true;
	}
	if (e != &ag_engine_cpu)
		return false;
	/* perf events are often forbidden in containers: say why once per JVM
	 * (daemons restart profiling every interval), keep going. */
	static bool warned;
	if (!warned)
		ag_log(AG_LOG_WARN, "%s; falling back to itimer", err);
	warned = true;
	s.settings.engine = ag_engine_itimer.name;
	return start_engine(&ag_engine_itimer, &cfg, err, n);
}

static bool start_engines(const ag_args *a, char *err, size_t n)
{
	if (a->event && !start_cpu(a, err, n))
		return false;
	if (a->wall >= 0 && (!a->event || cpu_engine(a->event) != &ag_engine_wall)) {
		ag_engine_config cfg = {.interval = a->wall > 0 ? a->wall : AG_DEFAULT_WALL_INTERVAL};
		if (!start_engine(&ag_engine_wall, &cfg, err, n))
			return false;
	}
	ag_engine_config cfg = {.alloc = a->alloc, .lock = a->lock};
	if (a->alloc >= 0 && !start_engine(&ag_engine_alloc, &cfg, err, n))
		return false;
	if (a->lock >= 0 && !start_engine(&ag_engine_lock, &cfg, err, n))
		return false;
	return true;
}

/* Problems that make `start` refuse before anything is installed. */
static int check_start(const ag_args *a)
{
	if (a->event && !cpu_engine(a->event))
		return fail(RC_COMMAND, "Unsupported event: %s", a->event);
	bool java_stacks = a->event || a->wall >= 0;
	if (java_stacks && (!ag_jvm.agct || !ag_jvm.bridge_ok))
		return fail(RC_COMMAND, "Could not find AsyncGetCallTrace function");
	if (java_stacks && ag_vm_agct_unsafe() && !a->force)
		return fail(RC_COMMAND,
			"AsyncGetCallTrace is known to crash JDK %s: use 8u352+, 11.0.17+, 17.0.5+ or 18+, "
			"or add 'force' to profile anyway",
			ag_jvm.java_version);
	if (a->output == AG_OUTPUT_JFR && !a->file)
		return fail(RC_ARGS, "JFR output requires file=");
	if (a->output == AG_OUTPUT_JFR && !ag_output_dir_writable(a->file))
		return fail(RC_COMMAND, "Could not open output file: %s", a->file);
	if (!ag_storage_init())
		return fail(RC_COMMAND, "Not enough memory to start profiling");
	return 0;
}

static void *timer_main(void *arg);

static void init_timer_cond(void)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&timer_cond, &attr);
	pthread_condattr_destroy(&attr);
}

static void arm_timer(long seconds)
{
	pthread_once(&timer_once, init_timer_cond);
	timer_gen++;
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (seconds > 0xffffff)
		seconds = 0xffffff;
	uintptr_t packed = (uintptr_t)timer_gen << 24 | (uintptr_t)seconds;
	int rc = pthread_create(&t, &attr, timer_main, (void *)packed);
	if (rc != 0)
		ag_log(AG_LOG_WARN, "Could not start the timeout thread: %s", strerror(rc));
	pthread_attr_destroy(&attr);
}

static void disarm_timer(void)
{
	pthread_once(&timer_once, init_timer_cond);
	timer_gen++;
	pthread_cond_broadcast(&timer_cond);
}

static int start(ag_args *a, bool resume)
{
	if (s.running)
		return fail(RC_COMMAND, "Profiler already started");
	int rc = check_start(a);
	if (rc)
		return rc;
	ag_storage_open(!resume);
	ag_sampler_set_depth(a->jstackdepth);
	bool native = !a->cstack || strcmp(a->cstack, "no") != 0;
	if (native && a->cstack && strcmp(a->cstack, "fp") != 0 && strcmp(a->cstack, "default") != 0)
		ag_log(AG_LOG_WARN, "cstack=%s is not supported: native stacks follow frame pointers",
			a->cstack);
	ag_native_stack_enable(native);
	ag_cost_reset();
	s.settings = (ag_jfr_settings){
		.event = NULL, .interval = -1, .wall = a->wall, .alloc = a->alloc, .lock = a->lock,
		.jstackdepth = a->jstackdepth, .cstack = native ? "fp" : "no",
	};
	char err[256] = "";
	if (!start_engines(a, err, sizeof(err))) {
		stop_engines();
		ag_storage_close(false);
		return fail(RC_COMMAND, "%s", err);
	}
	if (s.has_args)
		ag_args_free(&s.args);
	s.args = *a;
	s.has_args = true;
	a->buf = NULL; /* the session owns the strings now */
	a->file_buf = NULL;
	s.settings.event = s.args.event;
	s.settings.park = ag_park_active();
	s.running = true;
	atomic_store(&active, true);
	if (!ag_resolver_start())
		ag_log(AG_LOG_DEBUG, "No resolver thread: method names are resolved at dump only");
	s.started = time(NULL);
	if (s.args.timeout > 0)
		arm_timer(s.args.timeout);
	if (!s.args.quiet)
		ag_log(AG_LOG_INFO, "Profiling started");
	return 0;
}

/* Writes a closed window in `fmt` to `file` (stdout without one). */
static int write_window(ag_window *w, ag_output fmt, const char *file)
{
	char err[512] = "";
	bool ok;
	if (fmt == AG_OUTPUT_JFR && !file)
		return fail(RC_ARGS, "JFR output requires file=");
	uint64_t dropped = atomic_load(&w->dropped);
	if (dropped)
		ag_log(AG_LOG_WARN, "%llu samples were dropped: the sample tables were full",
			(unsigned long long)dropped);
	ag_native_maps_changed(); /* libraries loaded since the last output */
	if (fmt == AG_OUTPUT_JFR)
		ok = ag_jfr_write(file, w, &s.settings, err, sizeof(err));
	else
		ok = ag_output_text(w, fmt, file, s.has_args && s.args.threads, err, sizeof(err));
	return ok ? 0 : fail(RC_COMMAND, "%s", err);
}

/* The session's cost so far, one DEBUG line per report line. */
static void log_cost(void)
{
	ag_cost_report r;
	char text[1024];
	ag_cost_read(&r);
	if (!ag_cost_format(&r, text, sizeof(text)))
		return;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		ag_log(AG_LOG_DEBUG, "%s", line);
}

/* Once per session: native stacks lost to a refused stack copy (seccomp, say). */
static void log_native_failures(void)
{
	uint64_t n = ag_native_walk_failures_take();
	if (n)
		ag_log(AG_LOG_WARN,
			"%llu native stacks kept only their top frame: process_vm_readv on the JVM "
			"itself failed (a seccomp filter?)",
			(unsigned long long)n);
}

/* Ends the session; JFR goes to the start-time file (as async-profiler does). */
static int stop_session(const ag_args *a)
{
	disarm_timer();
	stop_engines();
	ag_resolver_stop();
	ag_window *w = ag_storage_close(false);
	s.running = false;
	atomic_store(&active, false);
	ag_ft_log_counts(AG_LOG_INFO, true);
	log_native_failures();
	int rc = 0;
	ag_output fmt = a && a->output != AG_OUTPUT_NONE ? a->output : s.args.output;
	if (w && s.args.output == AG_OUTPUT_JFR)
		rc = write_window(w, AG_OUTPUT_JFR, s.args.file);
	else if (w && fmt != AG_OUTPUT_NONE)
		rc = write_window(w, fmt, a && a->file ? a->file : s.args.file);
	log_cost();
	return rc;
}

/* stop/dump while stopped: JFR is a no-op, text repeats the last profile. */
static int idle_output(const ag_args *a)
{
	if (a->output == AG_OUTPUT_JFR)
		return 0;
	ag_window *last = ag_storage_last();
	if (a->output == AG_OUTPUT_NONE || !last)
		return fail(RC_COMMAND, "Profiler is not active");
	return write_window(last, a->output, a->file);
}

static int dump(const ag_args *a)
{
	if (!s.running)
		return idle_output(a);
	ag_output fmt = a->output != AG_OUTPUT_NONE ? a->output : s.args.output;
	const char *file = a->file ? a->file : s.args.file;
	if (fmt == AG_OUTPUT_JFR && !file)
		return fail(RC_ARGS, "JFR output requires file=");
	if (fmt == AG_OUTPUT_JFR) {
		/* Sampling continues into the other window while this one is written. */
		ag_window *w = ag_storage_close(true);
		ag_ft_log_counts(AG_LOG_DEBUG, false); /* the session's counts so far; stop logs them too */
		int rc = write_window(w, fmt, file);
		ag_window_reset(w);
		return rc;
	}
	ag_storage_close(false);
	int rc = fmt == AG_OUTPUT_NONE ? 0 : write_window(ag_storage_last(), fmt, file);
	ag_storage_open(false);
	return rc;
}

/* async-profiler's line, then (ours, appended) what the session cost so far. */
static int status(const ag_args *a)
{
	char text[1280];
	if (s.running) {
		int n = snprintf(text, sizeof(text), "Profiling is running for %ld seconds\n",
			(long)(time(NULL) - s.started));
		ag_cost_report r;
		ag_cost_read(&r);
		if (n > 0 && (size_t)n < sizeof(text) &&
			!ag_cost_format(&r, text + n, sizeof(text) - (size_t)n))
			text[n] = '\0';
	} else {
		snprintf(text, sizeof(text), "Profiler is not active\n");
	}
	char err[512];
	return ag_output_string(a->file, text, err, sizeof(err)) ? 0 : fail(RC_COMMAND, "%s", err);
}

static int check(const ag_args *a)
{
	if (a->event && !cpu_engine(a->event))
		return fail(RC_COMMAND, "Unsupported event: %s", a->event);
	if (a->alloc >= 0 && !ag_jvm.can_alloc)
		return fail(RC_COMMAND, "Allocation profiling needs JVMTI SampledObjectAlloc (JDK 11+)");
	return 0;
}

static int version(const ag_args *a)
{
	char err[512];
	const char *text = "pyrojava agent " AG_VERSION " (async-profiler 4.5 compatible)\n";
	return ag_output_string(a->file, text, err, sizeof(err)) ? 0 : fail(RC_COMMAND, "%s", err);
}

static int run_action(ag_args *a)
{
	switch (a->action) {
	case AG_ACTION_START:
	case AG_ACTION_RESUME:
		return start(a, a->action == AG_ACTION_RESUME);
	case AG_ACTION_STOP:
		return s.running ? stop_session(a) : idle_output(a);
	case AG_ACTION_DUMP:
		return dump(a);
	case AG_ACTION_STATUS:
		return status(a);
	case AG_ACTION_CHECK:
		return check(a);
	case AG_ACTION_VERSION:
		return version(a);
	default:
		return 0;
	}
}

int ag_profiler_execute(const char *options)
{
	ag_args a;
	bool ok = ag_args_parse(&a, options, (long)time(NULL));
	ag_log_open(a.log, a.loglevel);
	if (a.unknown)
		ag_log(AG_LOG_WARN, "Unknown argument: %s", a.unknown);
	int rc;
	if (!ok) {
		rc = fail(RC_ARGS, "%s", a.error);
	} else {
		pthread_mutex_lock(&lock);
		ag_cost_command_begin();
		rc = run_action(&a);
		ag_cost_command_end();
		pthread_mutex_unlock(&lock);
	}
	ag_log_close();
	ag_args_free(&a);
	return rc;
}

static void *timer_main(void *arg)
{
	uintptr_t packed = (uintptr_t)arg;
	uint64_t gen = packed >> 24;
	JNIEnv *jni = NULL;
	JavaVMAttachArgs attach = {JNI_VERSION_1_6, "pyrojava agent timeout", NULL};
	bool attached = (*ag_jvm.vm)->AttachCurrentThreadAsDaemon(ag_jvm.vm, (void **)&jni, &attach) ==
		JNI_OK;
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)(packed & 0xffffff);
	pthread_mutex_lock(&lock);
	while (timer_gen == gen && s.running) {
		if (pthread_cond_timedwait(&timer_cond, &lock, &deadline) == ETIMEDOUT) {
			if (timer_gen == gen && s.running) {
				ag_cost_command_begin();
				stop_session(NULL);
				ag_cost_command_end();
			}
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	if (attached)
		(*ag_jvm.vm)->DetachCurrentThread(ag_jvm.vm);
	return NULL;
}

void ag_profiler_defer(const char *options)
{
	free(deferred);
	deferred = options ? strdup(options) : NULL;
}

void ag_profiler_vm_init(void)
{
	if (!deferred)
		return;
	int rc = ag_profiler_execute(deferred);
	if (rc)
		fprintf(stderr, "[ERROR] the profiler agent could not start (%d)\n", rc);
	free(deferred);
	deferred = NULL;
}

void ag_profiler_vm_death(void)
{
	/* Never wait for a stuck command at exit: try the lock and give up. */
	if (pthread_mutex_trylock(&lock) != 0)
		return;
	if (s.running) {
		ag_cost_command_begin();
		stop_session(NULL);
		ag_cost_command_end();
	}
	pthread_mutex_unlock(&lock);
}

void ag_profiler_thread_start(void)
{
	const ag_engine *e = atomic_load(&thread_engine);
	if (e && e->thread_start)
		e->thread_start();
}

void ag_profiler_thread_end(JNIEnv *jni, jthread thread)
{
	if (atomic_load(&active))
		ag_threads_note_ending(jni, thread);
	const ag_engine *e = atomic_load(&thread_engine);
	if (e && e->thread_end)
		e->thread_end();
}
