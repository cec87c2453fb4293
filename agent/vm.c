#include "vm.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cost.h"
#include "engine.h"
#include "frame_types.h"
#include "jdk_version.h"
#include "log.h"
#include "native_stack.h"
#include "profiler.h"
#include "sampler.h"

ag_vm ag_jvm;

static void create_method_ids(jvmtiEnv *jvmti, jclass klass)
{
	jint count = 0;
	jmethodID *methods = NULL;
	/* The ids stay allocated in the JVM; only the array is ours. */
	if ((*jvmti)->GetClassMethods(jvmti, klass, &count, &methods) == JVMTI_ERROR_NONE)
		(*jvmti)->Deallocate(jvmti, (unsigned char *)methods);
}

static void JNICALL on_class_load(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread, jclass klass)
{
	/* AsyncGetCallTrace refuses to walk unless some env enables ClassLoad.
	 * Empty, so not timed: the accounting would cost more than the call. */
	(void)jvmti, (void)jni, (void)thread, (void)klass;
}

static void JNICALL on_class_prepare(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread, jclass klass)
{
	AG_COST_SCOPE(AG_COST_JVMTI);
	(void)jni, (void)thread;
	create_method_ids(jvmti, klass);
}

static void JNICALL on_compiled_method_load(jvmtiEnv *jvmti, jmethodID method, jint code_size,
	const void *code_addr, jint map_length, const jvmtiAddrLocationMap *map, const void *compile_info)
{
	/* Enabled only so that the JIT records debug info at non-safepoints too.
	 * Empty, so not timed. */
	(void)jvmti, (void)method, (void)code_size, (void)code_addr, (void)map_length, (void)map;
	(void)compile_info;
}

static void JNICALL on_vm_init(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread)
{
	(void)jvmti, (void)thread;
	ag_vm_attach_live(jni);
	ag_profiler_vm_init();
}

static void JNICALL on_vm_death(jvmtiEnv *jvmti, JNIEnv *jni)
{
	(void)jvmti, (void)jni;
	ag_profiler_vm_death();
}

static void JNICALL on_thread_start(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread)
{
	AG_COST_SCOPE(AG_COST_JVMTI);
	(void)jvmti, (void)jni, (void)thread;
	if (ag_jvm.bridge_ok)
		ag_sampler_add_thread(pthread_getspecific(ag_jvm.thread_key));
	ag_profiler_thread_start();
}

static void JNICALL on_thread_end(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread)
{
	AG_COST_SCOPE(AG_COST_JVMTI);
	(void)jvmti;
	ag_profiler_thread_end(jni, thread);
	if (ag_jvm.bridge_ok)
		ag_sampler_remove_thread(pthread_getspecific(ag_jvm.thread_key));
	/* Forget this tid's JavaThread: its memory is freed and may be reused by
	 * a later thread, which would then be named for this one's samples. The
	 * name is kept by ag_profiler_thread_end, keyed by tid. */
	ag_sampler_note_thread(ag_gettid(), NULL);
}

static void add_capabilities(jvmtiEnv *jvmti)
{
	jvmtiCapabilities potential, want;
	memset(&want, 0, sizeof(want));
	if ((*jvmti)->GetPotentialCapabilities(jvmti, &potential) != JVMTI_ERROR_NONE)
		return;
	want.can_get_line_numbers = potential.can_get_line_numbers;
	want.can_get_source_file_name = potential.can_get_source_file_name;
	want.can_generate_monitor_events = potential.can_generate_monitor_events;
	want.can_generate_compiled_method_load_events = potential.can_generate_compiled_method_load_events;
	want.can_generate_sampled_object_alloc_events = potential.can_generate_sampled_object_alloc_events;
	want.can_generate_native_method_bind_events = potential.can_generate_native_method_bind_events;
	if ((*jvmti)->AddCapabilities(jvmti, &want) == JVMTI_ERROR_NONE) {
		ag_jvm.can_alloc = want.can_generate_sampled_object_alloc_events;
		ag_jvm.can_bind = want.can_generate_native_method_bind_events;
	}
}

static void set_callbacks(jvmtiEnv *jvmti)
{
	jvmtiEventCallbacks cb;
	memset(&cb, 0, sizeof(cb));
	cb.ClassLoad = on_class_load;
	cb.ClassPrepare = on_class_prepare;
	cb.CompiledMethodLoad = on_compiled_method_load;
	cb.VMInit = on_vm_init;
	cb.VMDeath = on_vm_death;
	cb.ThreadStart = on_thread_start;
	cb.ThreadEnd = on_thread_end;
	cb.SampledObjectAlloc = ag_alloc_sampled;
	cb.MonitorContendedEnter = ag_lock_contended_enter;
	cb.MonitorContendedEntered = ag_lock_contended_entered;
	cb.NativeMethodBind = ag_park_native_bind;
	(*jvmti)->SetEventCallbacks(jvmti, &cb, sizeof(cb));
	static const jvmtiEvent always[] = {
		JVMTI_EVENT_CLASS_LOAD, JVMTI_EVENT_CLASS_PREPARE, JVMTI_EVENT_VM_INIT,
		JVMTI_EVENT_VM_DEATH, JVMTI_EVENT_THREAD_START, JVMTI_EVENT_THREAD_END,
		JVMTI_EVENT_COMPILED_METHOD_LOAD,
	};
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		(*jvmti)->SetEventNotificationMode(jvmti, JVMTI_ENABLE, always[i], NULL);
}

static void read_java_version(jvmtiEnv *jvmti)
{
	static const char *const props[] = {"java.version", "java.vm.version"};
	for (size_t i = 0; i < 2; i++) {
		char *v = NULL;
		if ((*jvmti)->GetSystemProperty(jvmti, props[i], &v) == JVMTI_ERROR_NONE && v) {
			snprintf(ag_jvm.java_version, sizeof(ag_jvm.java_version), "%s", v);
			(*jvmti)->Deallocate(jvmti, (unsigned char *)v);
			return;
		}
	}
}

jint ag_vm_init(JavaVM *vm, bool onload)
{
	if (ag_jvm.jvmti)
		return JNI_OK;
	jvmtiEnv *jvmti = NULL;
	if ((*vm)->GetEnv(vm, (void **)&jvmti, JVMTI_VERSION_1_0) != JNI_OK || !jvmti)
		return JNI_ERR;
	ag_jvm.vm = vm;
	ag_jvm.jvmti = jvmti;
	add_capabilities(jvmti);
	set_callbacks(jvmti);
	ag_jvm.live = !onload;
	return JNI_OK;
}

JNIEnv *ag_vm_jni(void)
{
	JNIEnv *jni = NULL;
	if (!ag_jvm.vm || (*ag_jvm.vm)->GetEnv(ag_jvm.vm, (void **)&jni, JNI_VERSION_1_6) != JNI_OK)
		return NULL;
	return jni;
}

void ag_vm_expect_local_refs(JNIEnv *jni, jint n)
{
	/* Only the checker's bookkeeping: the references exist either way. */
	if (n > 0 && (*jni)->EnsureLocalCapacity(jni, n + 16) != JNI_OK)
		(*jni)->ExceptionClear(jni);
}

void *ag_vm_java_thread(JNIEnv *jni, jthread t)
{
	if (!ag_jvm.eetop || !t)
		return NULL;
	return (void *)(uintptr_t)(*jni)->GetLongField(jni, t, ag_jvm.eetop);
}

static jfieldID long_field(JNIEnv *jni, jclass cls, const char *name)
{
	jfieldID f = (*jni)->GetFieldID(jni, cls, name, "J");
	if ((*jni)->ExceptionCheck(jni)) {
		(*jni)->ExceptionClear(jni);
		return NULL;
	}
	return f;
}

/* Finds the pthread key whose value on this thread is its JavaThread. */
static void find_thread_bridge(JNIEnv *jni)
{
	jclass cls = (*jni)->FindClass(jni, "java/lang/Thread");
	if (!cls) {
		(*jni)->ExceptionClear(jni);
		return;
	}
	ag_jvm.thread_class = (*jni)->NewGlobalRef(jni, cls);
	ag_jvm.eetop = long_field(jni, cls, "eetop");
	ag_jvm.java_tid = long_field(jni, cls, "tid");
	(*jni)->DeleteLocalRef(jni, cls);
	jthread self = NULL;
	if (!ag_jvm.eetop || (*ag_jvm.jvmti)->GetCurrentThread(ag_jvm.jvmti, &self) != JVMTI_ERROR_NONE)
		return;
	void *jt = ag_vm_java_thread(jni, self);
	(*jni)->DeleteLocalRef(jni, self);
	if (!jt)
		return;
	int max_keys = PTHREAD_KEYS_MAX < 1024 ? PTHREAD_KEYS_MAX : 1024;
	for (int k = 0; k < max_keys; k++) {
		if (pthread_getspecific((pthread_key_t)k) == jt) {
			ag_jvm.thread_key = (pthread_key_t)k;
			ag_jvm.env_offset = (char *)jni - (char *)jt;
			ag_jvm.bridge_ok = true;
			return;
		}
	}
}

static void add_existing_threads(JNIEnv *jni)
{
	jint n = 0;
	jthread *threads = NULL;
	if ((*ag_jvm.jvmti)->GetAllThreads(ag_jvm.jvmti, &n, &threads) != JVMTI_ERROR_NONE)
		return;
	ag_vm_expect_local_refs(jni, n);
	for (jint i = 0; i < n; i++) {
		ag_sampler_add_thread(ag_vm_java_thread(jni, threads[i]));
		(*jni)->DeleteLocalRef(jni, threads[i]);
	}
	(*ag_jvm.jvmti)->Deallocate(ag_jvm.jvmti, (unsigned char *)threads);
}

static void create_all_method_ids(JNIEnv *jni)
{
	jvmtiEnv *jvmti = ag_jvm.jvmti;
	jint n = 0;
	jclass *classes = NULL;
	if ((*jvmti)->GetLoadedClasses(jvmti, &n, &classes) != JVMTI_ERROR_NONE)
		return;
	ag_vm_expect_local_refs(jni, n);
	for (jint i = 0; i < n; i++) {
		jint status = 0;
		if ((*jvmti)->GetClassStatus(jvmti, classes[i], &status) == JVMTI_ERROR_NONE &&
			(status & JVMTI_CLASS_STATUS_PREPARED) &&
			!(status & (JVMTI_CLASS_STATUS_ARRAY | JVMTI_CLASS_STATUS_PRIMITIVE)))
			create_method_ids(jvmti, classes[i]);
		(*jni)->DeleteLocalRef(jni, classes[i]);
	}
	(*jvmti)->Deallocate(jvmti, (unsigned char *)classes);
}

bool ag_vm_attach_live(JNIEnv *jni)
{
	static bool done;
	ag_jvm.live = true;
	if (done)
		return ag_jvm.bridge_ok;
	done = true;
	read_java_version(ag_jvm.jvmti);
	ag_jvm.agct = (ag_agct_fn)dlsym(RTLD_DEFAULT, "AsyncGetCallTrace");
	if (!ag_jvm.agct) {
		void *jvm = dlopen("libjvm.so", RTLD_LAZY | RTLD_NOLOAD);
		if (jvm)
			ag_jvm.agct = (ag_agct_fn)dlsym(jvm, "AsyncGetCallTrace");
	}
	find_thread_bridge(jni);
	if (!ag_jvm.agct || !ag_jvm.bridge_ok)
		ag_log(AG_LOG_WARN, "Java stacks unavailable: %s",
			ag_jvm.agct ? "could not map threads to their JNIEnv" : "AsyncGetCallTrace not found");
	if (ag_jvm.agct && ag_jvm.bridge_ok)
		ag_ft_init();
	ag_native_stack_init();
	add_existing_threads(jni);
	create_all_method_ids(jni);
	return ag_jvm.bridge_ok;
}

bool ag_vm_agct_unsafe(void)
{
	return ag_jdk_agct_unsafe(ag_jvm.java_version);
}

static bool set_event(jvmtiEvent ev, bool on)
{
	return (*ag_jvm.jvmti)->SetEventNotificationMode(ag_jvm.jvmti, on ? JVMTI_ENABLE : JVMTI_DISABLE,
		       ev, NULL) == JVMTI_ERROR_NONE;
}

bool ag_vm_enable_alloc(long interval)
{
	if (!ag_jvm.can_alloc)
		return false;
	jint bytes = interval > INT_MAX ? INT_MAX : (jint)interval;
	if ((*ag_jvm.jvmti)->SetHeapSamplingInterval(ag_jvm.jvmti, bytes) != JVMTI_ERROR_NONE)
		return false;
	return set_event(JVMTI_EVENT_SAMPLED_OBJECT_ALLOC, true);
}

void ag_vm_disable_alloc(void)
{
	set_event(JVMTI_EVENT_SAMPLED_OBJECT_ALLOC, false);
}

bool ag_vm_enable_lock(void)
{
	return set_event(JVMTI_EVENT_MONITOR_CONTENDED_ENTER, true) &&
		set_event(JVMTI_EVENT_MONITOR_CONTENDED_ENTERED, true);
}

void ag_vm_disable_lock(void)
{
	set_event(JVMTI_EVENT_MONITOR_CONTENDED_ENTER, false);
	set_event(JVMTI_EVENT_MONITOR_CONTENDED_ENTERED, false);
}
