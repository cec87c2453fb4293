/*
 * Thread names for output: Java threads by their JavaThread address (from
 * GetAllThreads at dump time), other threads by /proc/self/task/<tid>/comm.
 */
#ifndef AG_THREADS_H
#define AG_THREADS_H

#include <jvmti.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ag_threads ag_threads;

typedef struct ag_thread_info {
	char name[256];
	int64_t java_id; /* 0 for non-Java threads */
	bool java;
} ag_thread_info;

ag_threads *ag_threads_snapshot(void);
/* Remembers the name of the current thread, which is ending (JVMTI ThreadEnd). */
void ag_threads_note_ending(JNIEnv *jni, jthread thread);
void ag_threads_lookup(const ag_threads *t, uint32_t tid, ag_thread_info *out);
void ag_threads_free(ag_threads *t);

#endif
