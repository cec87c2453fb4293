/*
 * The profiler's state machine and the actions of the option string
 * (start, resume, stop, dump, status, check, version). Actions run one at a
 * time; JVMTI callbacks and the timeout thread go through the same lock.
 */
#ifndef AG_PROFILER_H
#define AG_PROFILER_H

#include <jvmti.h>

/* Runs one option string: 0 = ok, 100 = argument error, 200 = command error. */
int ag_profiler_execute(const char *options);

/* -agentpath options are kept until the VM is initialised. */
void ag_profiler_defer(const char *options);
void ag_profiler_vm_init(void);
void ag_profiler_vm_death(void);
void ag_profiler_thread_start(void);
void ag_profiler_thread_end(JNIEnv *jni, jthread thread);

#endif
