/*
 * Sampling engines. Each engine lives in its own file (engine_<name>.c) and
 * is driven through this interface by the profiler; at most one CPU-type
 * engine (itimer, cpu, wall) runs, next to the optional alloc and lock
 * engines and an optional wall engine added by `wall=`.
 */
#ifndef AG_ENGINE_H
#define AG_ENGINE_H

#include <jvmti.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ag_engine_config {
	long interval; /* ns; CPU time for itimer/cpu, wall time for wall */
	long alloc; /* bytes between allocation samples */
	long lock; /* ns: shortest monitor wait or park recorded */
} ag_engine_config;

typedef struct ag_engine {
	const char *name;
	/* false with a message in err when the engine cannot run here */
	bool (*start)(const ag_engine_config *cfg, char *err, size_t errlen);
	void (*stop)(void);
	/* Optional: called on every new / ending Java thread, on that thread. */
	void (*thread_start)(void);
	void (*thread_end)(void);
} ag_engine;

extern const ag_engine ag_engine_itimer;
extern const ag_engine ag_engine_cpu;
extern const ag_engine ag_engine_wall;
extern const ag_engine ag_engine_alloc;
extern const ag_engine ag_engine_lock;

/* JVMTI callbacks of the alloc and lock engines (registered by vm.c). */
void JNICALL ag_alloc_sampled(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread, jobject object,
	jclass klass, jlong size);
void JNICALL ag_lock_contended_enter(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread, jobject object);
void JNICALL ag_lock_contended_entered(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread,
	jobject object);

/*
 * jdk.ThreadPark through a hook on Unsafe.park (engine_park.c), run by the
 * lock engine. ag_park_start binds the hook if needed and starts recording
 * parks of at least `threshold` ns; false (and one warning per JVM) when
 * the hook cannot be used here.
 */
bool ag_park_start(long threshold);
void ag_park_stop(void);
bool ag_park_active(void);
void JNICALL ag_park_native_bind(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread, jmethodID method,
	void *address, void **new_address_ptr);
/* The helper class file (exposed for the unit tests): its length; out holds 256 bytes. */
size_t ag_park_binder_class(const char *name, unsigned char *out);

/* Installs `handler` for `sig` once; handlers stay installed after stop. */
bool ag_install_handler(int sig, void (*handler)(int, siginfo_t *, void *));

#endif
