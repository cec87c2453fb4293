/*
 * The exported JVMTI entry points: the only symbols the library exports.
 * Everything else lives behind -fvisibility=hidden.
 */
#include <dlfcn.h>
#include <jvmti.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "args.h"
#include "profiler.h"
#include "vm.h"

/*
 * A failed Agent_OnAttach makes the JVM dlclose the library, and a later
 * load of the same path must find the running session: pin the library so
 * it is never unmapped while handlers and callbacks point into it.
 */
static void pin_self(void)
{
	static bool pinned;
	Dl_info info;
	if (pinned || !dladdr((void *)pin_self, &info) || !info.dli_fname)
		return;
	pinned = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NODELETE) != NULL;
}

JNIEXPORT jint JNICALL Agent_OnLoad(JavaVM *vm, char *options, void *reserved)
{
	(void)reserved;
	pin_self();
	ag_args a;
	bool ok = ag_args_parse(&a, options, (long)time(NULL));
	if (!ok)
		fprintf(stderr, "[ERROR] %s\n", a.error);
	ag_args_free(&a);
	if (!ok)
		return 100;
	if (ag_vm_init(vm, true) != JNI_OK)
		return JNI_ERR;
	ag_profiler_defer(options);
	return JNI_OK;
}

JNIEXPORT jint JNICALL Agent_OnAttach(JavaVM *vm, char *options, void *reserved)
{
	(void)reserved;
	pin_self();
	if (ag_vm_init(vm, false) != JNI_OK)
		return JNI_ERR;
	JNIEnv *jni = ag_vm_jni();
	if (jni)
		ag_vm_attach_live(jni);
	return ag_profiler_execute(options);
}

JNIEXPORT void JNICALL Agent_OnUnload(JavaVM *vm)
{
	(void)vm;
}
