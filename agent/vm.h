/*
 * The JVM side of the agent: one JVMTI environment, AsyncGetCallTrace, the
 * bridge from a signal handler to the interrupted thread's JNIEnv, and
 * jmethodID creation (spec jvm-agent-and-attach.md D.1-D.4).
 */
#ifndef AG_VM_H
#define AG_VM_H

#include <jvmti.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ag_call_trace {
	JNIEnv *env_id;
	jint num_frames;
	void *frames;
} ag_call_trace;

typedef void (*ag_agct_fn)(ag_call_trace *trace, jint depth, void *ucontext);

typedef struct ag_vm {
	JavaVM *vm;
	jvmtiEnv *jvmti;
	ag_agct_fn agct;
	bool can_alloc; /* SampledObjectAlloc capability granted */
	bool can_bind; /* NativeMethodBind capability granted */
	bool live; /* VMInit seen (or attached to a running VM) */
	char java_version[64];
	/*
	 * HotSpot keeps the current Thread* under a pthread key; a JavaThread's
	 * JNIEnv sits at a fixed offset inside it. Found once per process.
	 */
	bool bridge_ok;
	pthread_key_t thread_key;
	ptrdiff_t env_offset;
	jclass thread_class; /* global ref to java.lang.Thread */
	jfieldID eetop; /* java.lang.Thread.eetop: address of the JavaThread */
	jfieldID java_tid; /* java.lang.Thread.tid */
} ag_vm;

extern ag_vm ag_jvm;

/* Creates the JVMTI env, capabilities and callbacks (once per process). */
jint ag_vm_init(JavaVM *vm, bool onload);
/* Live-phase setup on a Java thread: AGCT, thread bridge, jmethodIDs. */
bool ag_vm_attach_live(JNIEnv *jni);
JNIEnv *ag_vm_jni(void);

/*
 * Announces `n` local references a JVMTI array call just created, so that
 * -Xcheck:jni does not warn "JNI local refs: N, exceeds capacity".
 */
void ag_vm_expect_local_refs(JNIEnv *jni, jint n);

/* The JavaThread address of a java.lang.Thread, 0 if unknown. */
void *ag_vm_java_thread(JNIEnv *jni, jthread t);

/* AsyncGetCallTrace is known to crash on this JDK update (spec D, "AGCT crash bugs"). */
bool ag_vm_agct_unsafe(void);

/* Starts/stops delivering the optional allocation and monitor events. */
bool ag_vm_enable_alloc(long interval);
void ag_vm_disable_alloc(void);
bool ag_vm_enable_lock(void);
void ag_vm_disable_lock(void);

#endif
