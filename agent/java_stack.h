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

/* Fills frames[AG_JVMTI_DEPTH] top first; returns the frame count. */
uint32_t ag_java_stack(ag_frame *frames);

/* Records `ev` (ticks, kind and values set) for the current thread. */
void ag_record_current(ag_event *ev, const ag_frame *frames, uint32_t n);

#endif
