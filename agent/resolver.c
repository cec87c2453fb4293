#include "resolver.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "cost.h"
#include "methods.h"
#include "native_stack.h"
#include "storage.h"
#include "vm.h"

#define PERIOD_NS 200000000L

static pthread_t thread;
static bool started;
static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond = PTHREAD_COND_INITIALIZER;
static atomic_bool stopping;

/* Where the resolver stopped: the next insertion of window `seen` to look at. */
static ag_window *seen;
static uint64_t seen_generation;
static uint32_t cursor;

/*
 * Resolves the stacks inserted into `w` since the last period, in insertion
 * order, up to the first one still being written (taken up next period).
 * A reset window starts over.
 */
static void resolve_window(ag_window *w)
{
	uint64_t generation = atomic_load(&w->generation);
	if (w != seen || generation != seen_generation) {
		seen = w;
		seen_generation = generation;
		cursor = 0;
	}
	uint32_t used = atomic_load(&w->trace_used);
	for (; cursor < used && cursor < w->trace_cap && !atomic_load(&stopping); cursor++) {
		uint32_t id = atomic_load(&w->inserted[cursor]);
		if (id == 0)
			break;
		ag_trace *t = &w->traces[id - 1];
		uint32_t ready = 1;
		if (atomic_load(&t->ready) != 1)
			continue;
		for (uint32_t k = 0; k < t->nframes; k++) {
			const ag_frame *f = &w->frames[t->frames_off + k];
			/* Native frames hold code addresses, named at dump time. */
			if (f->method && !ag_frame_is_native(f))
				ag_method_get((jmethodID)f->method);
		}
		atomic_compare_exchange_strong(&t->ready, &ready, 2);
	}
}

static bool wait_period(void)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += PERIOD_NS;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&stop_lock);
	while (!atomic_load(&stopping) && pthread_cond_timedwait(&stop_cond, &stop_lock, &until) == 0)
		;
	bool go_on = !atomic_load(&stopping);
	pthread_mutex_unlock(&stop_lock);
	return go_on;
}

static void *resolver_main(void *arg)
{
	(void)arg;
	JNIEnv *jni = NULL;
	JavaVMAttachArgs attach = {JNI_VERSION_1_6, "pyrojava agent resolver", NULL};
	if ((*ag_jvm.vm)->AttachCurrentThreadAsDaemon(ag_jvm.vm, (void **)&jni, &attach) != JNI_OK)
		return NULL;
	uint64_t cpu = ag_cost_thread_cpu();
	while (wait_period()) {
		ag_window *w = ag_window_enter();
		if (!w)
			continue;
		resolve_window(w);
		ag_window_leave(w);
		ag_cost_thread_tick(&cpu);
	}
	ag_cost_thread_tick(&cpu);
	(*ag_jvm.vm)->DetachCurrentThread(ag_jvm.vm);
	return NULL;
}

bool ag_resolver_start(void)
{
	if (started)
		return true;
	atomic_store(&stopping, false);
	started = pthread_create(&thread, NULL, resolver_main, NULL) == 0;
	return started;
}

void ag_resolver_stop(void)
{
	if (!started)
		return;
	pthread_mutex_lock(&stop_lock);
	atomic_store(&stopping, true);
	pthread_cond_broadcast(&stop_cond);
	pthread_mutex_unlock(&stop_lock);
	pthread_join(thread, NULL);
	started = false;
}
