/*
 * lock: JVMTI MonitorContendedEnter/Entered. The wait start is kept in the
 * thread's JVMTI thread-local slot; waits of at least `lock` ns become
 * jdk.JavaMonitorEnter events (start time, duration, monitor class, stack).
 * Waits that began before the engine started are ignored. Parks of at least
 * `lock` ns become jdk.ThreadPark events (engine_park.c).
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "cost.h"
#include "engine.h"
#include "java_stack.h"
#include "methods.h"
#include "vm.h"

static atomic_bool running;
static long threshold;
/* When the running session started: a slot set before it (a wait that began
 * under an earlier session and outlived its stop) is not this session's. */
static _Atomic uint64_t session_start;

void JNICALL ag_lock_contended_enter(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread, jobject object)
{
	AG_COST_SCOPE(AG_COST_LOCK);
	(void)jni, (void)thread, (void)object;
	if (atomic_load(&running))
		(*jvmti)->SetThreadLocalStorage(jvmti, NULL, (const void *)(uintptr_t)ag_ticks());
}

void JNICALL ag_lock_contended_entered(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread,
	jobject object)
{
	AG_COST_SCOPE(AG_COST_LOCK);
	(void)thread;
	void *slot = NULL;
	if ((*jvmti)->GetThreadLocalStorage(jvmti, NULL, &slot) != JVMTI_ERROR_NONE || !slot)
		return;
	(*jvmti)->SetThreadLocalStorage(jvmti, NULL, NULL);
	uint64_t start = (uint64_t)(uintptr_t)slot;
	uint64_t wait = ag_ticks() - start;
	if (!atomic_load(&running) || start < atomic_load(&session_start) || wait < (uint64_t)threshold)
		return;
	jclass cls = (*jni)->GetObjectClass(jni, object);
	ag_event ev = {
		.ticks = start,
		.kind = AG_EV_LOCK,
		.samples = 1,
		.cls = cls ? ag_class_name(cls) : NULL,
		.value = wait,
	};
	if (cls)
		(*jni)->DeleteLocalRef(jni, cls);
	ag_record_java(&ev);
}

static bool lock_start(const ag_engine_config *cfg, char *err, size_t errlen)
{
	threshold = cfg->lock;
	atomic_store(&session_start, ag_ticks());
	atomic_store(&running, true);
	if (ag_vm_enable_lock()) {
		ag_park_start(threshold);
		return true;
	}
	atomic_store(&running, false);
	snprintf(err, errlen, "Monitor contention events are not available in this JVM");
	return false;
}

static void lock_stop(void)
{
	ag_park_stop();
	atomic_store(&running, false);
	ag_vm_disable_lock();
}

const ag_engine ag_engine_lock = {
	.name = "lock",
	.start = lock_start,
	.stop = lock_stop,
};
