/*
 * alloc: JVMTI SampledObjectAlloc with SetHeapSamplingInterval (JDK 11+).
 * HotSpot picks the samples (about one per `alloc` bytes); each becomes a
 * jdk.ObjectAllocationInNewTLAB event the way async-profiler writes them:
 * allocationSize = the object's size, tlabSize = the bytes it stands for.
 */
#include <stdatomic.h>
#include <stdio.h>

#include "cost.h"
#include "engine.h"
#include "java_stack.h"
#include "methods.h"
#include "vm.h"

static atomic_bool running;
static long interval;

void JNICALL ag_alloc_sampled(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread, jobject object,
	jclass klass, jlong size)
{
	AG_COST_SCOPE(AG_COST_ALLOC);
	(void)jvmti, (void)jni, (void)thread, (void)object;
	if (!atomic_load(&running))
		return;
	ag_event ev = {
		.ticks = ag_ticks(),
		.kind = AG_EV_ALLOC_IN_TLAB,
		.samples = 1,
		.cls = ag_class_name(klass),
		.value = (uint64_t)size,
		.weight = (uint64_t)(size > interval ? size : interval),
	};
	ag_record_java(&ev);
}

static bool alloc_start(const ag_engine_config *cfg, char *err, size_t errlen)
{
	interval = cfg->alloc;
	atomic_store(&running, true);
	if (!ag_vm_enable_alloc(cfg->alloc)) {
		atomic_store(&running, false);
		snprintf(err, errlen, "Allocation profiling needs JVMTI SampledObjectAlloc (JDK 11+)");
		return false;
	}
	return true;
}

static void alloc_stop(void)
{
	ag_vm_disable_alloc();
	atomic_store(&running, false);
}

const ag_engine ag_engine_alloc = {
	.name = "alloc",
	.start = alloc_start,
	.stop = alloc_stop,
};
