/*
 * jdk.ThreadPark for the lock engine: java.util.concurrent blocks in the
 * native jdk.internal.misc.Unsafe.park(ZJ)V, which JVMTI has no event for.
 * The agent binds that native to park_hook, which calls libjvm's function
 * and records parks of at least the `lock` threshold.
 *
 * Finding libjvm's function. HotSpot posts NativeMethodBind only when a
 * binding changes, so re-running Unsafe.registerNatives alone reports
 * nothing. Instead, with NativeMethodBind enabled:
 *   1. RegisterNatives binds park to park_hook;
 *   2. Unsafe.registerNatives() re-registers every Unsafe native; for park
 *      the binding changes back, so the event carries libjvm's address,
 *      which the callback keeps (only on the installing thread, only an
 *      address inside libjvm.so) while writing park_hook over the new
 *      binding. Should the event not come, step 2 has simply rebound the
 *      original: the JVM is as before and park events are off.
 * Between 1 and 2 (one JNI call) park_hook does not know the original yet
 * and returns at once: a spurious wakeup, which every caller of park must
 * tolerate (LockSupport's contract), so they retry.
 *
 * Both calls are made from the native method of a tiny class this agent
 * defines in the boot loader and calls from that class's own Java method:
 * HotSpot warns on stdout ("Re-registering of platform native method")
 * when the Java caller of RegisterNatives on a java.base class is not a
 * boot-loader class, and here it is.
 *
 * The hook is never unbound. When lock profiling stops it passes straight
 * through (one atomic load); unbinding could undo the hook of a second
 * copy of this library loaded later (a restarted daemon extracts a new
 * copy), which binds park to its own hook the same way. Each copy stays
 * mapped for the life of the JVM (agent.c pins it), so threads parked
 * inside an older copy's hook return through valid code. HotSpot makes the
 * old native wrapper of park not entrant on every rebinding, so compiled
 * callers follow the new binding.
 *
 * Recording (parks of at least the threshold only) calls JNI and JVMTI but
 * no Java code, so it cannot park again. Its two 16 KB frame arrays (in
 * ag_record_java) fit in the 80 KB of stack HotSpot's native wrapper
 * guarantees free before calling a native (StackShadowPages, 20 pages on
 * JDK 17 and 25 x86_64).
 */
#include <dlfcn.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cost.h"
#include "engine.h"
#include "java_stack.h"
#include "log.h"
#include "methods.h"
#include "vm.h"

typedef void(JNICALL *park_fn)(JNIEnv *jni, jobject unsafe, jboolean absolute, jlong time);

static _Atomic(park_fn) original; /* libjvm's Unsafe.park, once learnt */
static atomic_bool active; /* lock profiling is running */
static _Atomic uint64_t threshold; /* ns */

/* Looked up once, on the first start (under the profiler's command lock). */
static bool looked_up;
static jclass unsafe_cls; /* global ref */
static jmethodID park_id, register_id;
static jfieldID blocker_field; /* java.lang.Thread.parkBlocker */
static jclass binder_cls; /* global ref to the boot-loader helper */
static jmethodID binder_run;
static bool bind_failed;
static _Atomic(JNIEnv *) installer; /* the thread installing, while it does */

/*
 * Only recording is timed for the cost report: timing every park would add
 * two thread-clock system calls to the hook's 85 ns (docs/agent.md).
 */
static void record(JNIEnv *jni, uint64_t start, uint64_t took, jboolean absolute, jlong time)
{
	AG_COST_SCOPE(AG_COST_LOCK);
	/* Nothing below calls Java code, so recording cannot park again. */
	if ((*jni)->ExceptionCheck(jni))
		return;
	jthread self = NULL;
	jobject blocker = NULL;
	jclass cls = NULL;
	jvmtiEnv *jvmti = ag_jvm.jvmti;
	if ((*jvmti)->GetCurrentThread(jvmti, &self) == JVMTI_ERROR_NONE && self)
		blocker = (*jni)->GetObjectField(jni, self, blocker_field);
	if (blocker)
		cls = (*jni)->GetObjectClass(jni, blocker);
	ag_event ev = {
		.ticks = start,
		.kind = AG_EV_PARK,
		.samples = 1,
		.cls = cls ? ag_class_name(cls) : NULL,
		.value = took,
		.state = time == 0 ? AG_PARK_FOREVER : absolute ? AG_PARK_UNTIL : AG_PARK_TIMEOUT,
		.weight = (uint64_t)time,
	};
	ag_record_java(&ev);
	if (cls)
		(*jni)->DeleteLocalRef(jni, cls);
	if (blocker)
		(*jni)->DeleteLocalRef(jni, blocker);
	if (self)
		(*jni)->DeleteLocalRef(jni, self);
}

static void JNICALL park_hook(JNIEnv *jni, jobject unsafe, jboolean absolute, jlong time)
{
	park_fn park = atomic_load_explicit(&original, memory_order_acquire);
	if (!park)
		return; /* only while installing: a spurious wakeup */
	if (!atomic_load_explicit(&active, memory_order_relaxed)) {
		park(jni, unsafe, absolute, time);
		return;
	}
	uint64_t start = ag_ticks();
	park(jni, unsafe, absolute, time);
	uint64_t took = ag_ticks() - start;
	if (took >= atomic_load_explicit(&threshold, memory_order_relaxed) &&
		atomic_load_explicit(&active, memory_order_relaxed))
		record(jni, start, took, absolute, time);
}

/* True for a function of libjvm (not another agent's hook, not a stub). */
static bool in_libjvm(void *address)
{
	Dl_info info;
	if (!dladdr(address, &info) || !info.dli_fname)
		return false;
	const char *slash = strrchr(info.dli_fname, '/');
	return strcmp(slash ? slash + 1 : info.dli_fname, "libjvm.so") == 0;
}

void JNICALL ag_park_native_bind(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread, jmethodID method,
	void *address, void **new_address_ptr)
{
	(void)jvmti, (void)thread;
	/*
	 * Only the binding made by this copy's own install, on its thread: a
	 * hook of another copy installing at the same time must never be taken
	 * for the original (two hooks calling each other would recurse).
	 */
	if (!park_id || method != park_id || jni != atomic_load(&installer) || !address ||
		address == (void *)park_hook || !new_address_ptr)
		return;
	park_fn expected = NULL;
	if (in_libjvm(address) && atomic_compare_exchange_strong(&original, &expected, (park_fn)address))
		expected = (park_fn)address;
	/* Hook only the function the hook will call. */
	if (expected == (park_fn)address)
		*new_address_ptr = (void *)park_hook;
}

/* The boot-loader helper's native: runs with the helper's Java method as its caller. */
static void JNICALL binder_bind(JNIEnv *jni, jclass cls)
{
	(void)cls;
	JNINativeMethod m = {"park", "(ZJ)V", (void *)park_hook};
	if ((*jni)->RegisterNatives(jni, unsafe_cls, &m, 1) != 0) {
		bind_failed = true;
		return;
	}
	if (!atomic_load(&original))
		(*jni)->CallStaticVoidMethod(jni, unsafe_cls, register_id);
}

static void put_u2(uint8_t *p, size_t *n, unsigned v)
{
	p[(*n)++] = (uint8_t)(v >> 8);
	p[(*n)++] = (uint8_t)v;
}

static void put_utf8(uint8_t *p, size_t *n, const char *s)
{
	size_t len = strlen(s);
	p[(*n)++] = 1; /* CONSTANT_Utf8 */
	put_u2(p, n, (unsigned)len);
	memcpy(p + *n, s, len);
	*n += len;
}

/*
 * The class file of `final class <name> { private static native void bind();
 * static void run() { bind(); } }`, version 52. Returns its length; `out`
 * must hold 256 bytes and `name` be under 100 characters.
 */
size_t ag_park_binder_class(const char *name, unsigned char *out)
{
	static const uint8_t head[] = {0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52, 0, 11};
	size_t n = 0;
	memcpy(out, head, sizeof(head));
	n += sizeof(head);
	put_utf8(out, &n, name); /* #1 */
	out[n++] = 7, put_u2(out, &n, 1); /* #2 Class #1 */
	put_utf8(out, &n, "java/lang/Object"); /* #3 */
	out[n++] = 7, put_u2(out, &n, 3); /* #4 Class #3 */
	put_utf8(out, &n, "bind"); /* #5 */
	put_utf8(out, &n, "()V"); /* #6 */
	out[n++] = 12, put_u2(out, &n, 5), put_u2(out, &n, 6); /* #7 NameAndType */
	out[n++] = 10, put_u2(out, &n, 2), put_u2(out, &n, 7); /* #8 Methodref #2.#7 */
	put_utf8(out, &n, "run"); /* #9 */
	put_utf8(out, &n, "Code"); /* #10 */
	put_u2(out, &n, 0x0030); /* ACC_FINAL | ACC_SUPER */
	put_u2(out, &n, 2), put_u2(out, &n, 4); /* this, super */
	put_u2(out, &n, 0), put_u2(out, &n, 0); /* interfaces, fields */
	put_u2(out, &n, 2); /* methods */
	put_u2(out, &n, 0x010a), put_u2(out, &n, 5), put_u2(out, &n, 6), put_u2(out, &n, 0);
	put_u2(out, &n, 0x0008), put_u2(out, &n, 9), put_u2(out, &n, 6), put_u2(out, &n, 1);
	static const uint8_t code[] = {
		0, 10, 0, 0, 0, 16, /* Code, attribute length */
		0, 0, 0, 0, 0, 0, 0, 4, /* max_stack, max_locals, code_length */
		0xb8, 0, 8, 0xb1, /* invokestatic #8; return */
		0, 0, 0, 0, /* exception table, attributes */
	};
	memcpy(out + n, code, sizeof(code));
	n += sizeof(code);
	put_u2(out, &n, 0); /* class attributes */
	return n;
}

static bool clear_failed(JNIEnv *jni, bool ok)
{
	if ((*jni)->ExceptionCheck(jni)) {
		(*jni)->ExceptionClear(jni);
		return false;
	}
	return ok;
}

/* Defines the helper under a name of this copy of the library's own. */
static const char *define_binder(JNIEnv *jni)
{
	char name[96];
	uint8_t bytes[256];
	snprintf(name, sizeof(name), "pyrojava/agent/ParkBinder%" PRIxPTR, (uintptr_t)&binder_cls);
	size_t len = ag_park_binder_class(name, bytes);
	jclass cls = (*jni)->DefineClass(jni, name, NULL, (const jbyte *)bytes, (jsize)len);
	if (!clear_failed(jni, cls != NULL))
		return "could not define the helper class";
	JNINativeMethod m = {"bind", "()V", (void *)binder_bind};
	binder_run = (*jni)->GetStaticMethodID(jni, cls, "run", "()V");
	bool ok = clear_failed(jni, binder_run && (*jni)->RegisterNatives(jni, cls, &m, 1) == 0);
	binder_cls = ok ? (*jni)->NewGlobalRef(jni, cls) : NULL;
	(*jni)->DeleteLocalRef(jni, cls);
	return binder_cls ? NULL : "could not bind the helper class";
}

static const char *look_up(JNIEnv *jni)
{
	if (!ag_jvm.can_bind)
		return "JVMTI NativeMethodBind is not available";
	if (!ag_jvm.agct)
		return "not a HotSpot JVM";
	jclass cls = (*jni)->FindClass(jni, "jdk/internal/misc/Unsafe");
	if (!clear_failed(jni, cls != NULL))
		return "no jdk.internal.misc.Unsafe (JDK 9+)";
	park_id = (*jni)->GetMethodID(jni, cls, "park", "(ZJ)V");
	register_id = (*jni)->GetStaticMethodID(jni, cls, "registerNatives", "()V");
	unsafe_cls = (*jni)->NewGlobalRef(jni, cls);
	(*jni)->DeleteLocalRef(jni, cls);
	if (!clear_failed(jni, park_id && register_id && unsafe_cls)) {
		park_id = NULL;
		return "Unsafe.park(ZJ)V or Unsafe.registerNatives() not found";
	}
	cls = (*jni)->FindClass(jni, "java/lang/Thread");
	blocker_field = cls ? (*jni)->GetFieldID(jni, cls, "parkBlocker", "Ljava/lang/Object;") : NULL;
	if (cls)
		(*jni)->DeleteLocalRef(jni, cls);
	if (!clear_failed(jni, blocker_field != NULL))
		return "Thread.parkBlocker not found";
	return define_binder(jni);
}

static bool set_bind_events(bool on)
{
	return (*ag_jvm.jvmti)->SetEventNotificationMode(ag_jvm.jvmti, on ? JVMTI_ENABLE : JVMTI_DISABLE,
		       JVMTI_EVENT_NATIVE_METHOD_BIND, NULL) == JVMTI_ERROR_NONE;
}

/* Binds park to the hook (again: a later copy of the library may have taken it). */
static const char *install(JNIEnv *jni)
{
	static const char *lookup_error;
	if (!looked_up) {
		looked_up = true;
		lookup_error = look_up(jni);
	}
	if (lookup_error)
		return lookup_error;
	bool learn = !atomic_load(&original);
	if (learn && !set_bind_events(true))
		return "could not enable NativeMethodBind";
	bind_failed = false;
	atomic_store(&installer, jni);
	(*jni)->CallStaticVoidMethod(jni, binder_cls, binder_run);
	bool threw = !clear_failed(jni, true);
	if (learn)
		set_bind_events(false);
	atomic_store(&installer, NULL);
	if (!atomic_load(&original) && !bind_failed) {
		/* Bound to the hook but the original is unknown: rebind libjvm's own. */
		if (threw)
			(*jni)->CallStaticVoidMethod(jni, unsafe_cls, register_id);
		clear_failed(jni, true);
		return "the JVM did not report Unsafe.park's native function";
	}
	if (bind_failed || threw)
		return "could not bind Unsafe.park";
	return NULL;
}

bool ag_park_start(long lock_threshold)
{
	JNIEnv *jni = ag_vm_jni();
	const char *why = jni ? NULL : "not on a Java thread";
	if (jni && (*jni)->PushLocalFrame(jni, 16) == 0) {
		why = install(jni);
		(*jni)->PopLocalFrame(jni, NULL);
	} else if (jni) {
		(*jni)->ExceptionClear(jni);
		why = "out of JNI local references";
	}
	if (why) {
		static bool warned;
		if (!warned)
			ag_log(AG_LOG_WARN, "java.util.concurrent parking is not recorded: %s", why);
		warned = true;
		return false;
	}
	atomic_store(&threshold, lock_threshold > 0 ? (uint64_t)lock_threshold : 0);
	atomic_store(&active, true);
	return true;
}

void ag_park_stop(void)
{
	atomic_store(&active, false);
}

bool ag_park_active(void)
{
	return atomic_load(&active);
}
