/*
 * Stacks taken through JVMTI GetStackTrace on the current thread, for
 * events delivered in JVMTI callbacks (allocation, monitor contention),
 * where AsyncGetCallTrace is not needed.
 */
#ifndef AG_JAVA_STACK_H
#define AG_JAVA_STACK_H

#include <stdint.h>

#include "storage.h"

#define AG_JVMTI_DEPTH 1024

/*
 * Records `ev` (ticks, kind and values set) for the current thread, with
 * the thread's Java stack. Uses two arrays of AG_JVMTI_DEPTH frames (16 KB
 * each) on the stack.
 */
void ag_record_java(ag_event *ev);

#endif
