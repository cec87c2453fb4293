#include "java_stack.h"

#include <pthread.h>

#include "frame_types.h"
#include "sampler.h"
#include "vm.h"

/* Fills frames[AG_JVMTI_DEPTH] top first; returns the frame count. */
static uint32_t java_stack(ag_frame *frames)
{
	jvmtiFrameInfo info[AG_JVMTI_DEPTH];
	jint n = 0;
	if ((*ag_jvm.jvmti)->GetStackTrace(ag_jvm.jvmti, NULL, 0, AG_JVMTI_DEPTH, info, &n) !=
		JVMTI_ERROR_NONE)
		return 0;
	for (jint i = 0; i < n; i++) {
		frames[i].method = info[i].method;
		/* JVMTI marks native methods with location -1, AGCT with bci -3. */
		frames[i].bci = info[i].location < 0 ? -3 : (int32_t)info[i].location;
	}
	if (n > 0 && ag_jvm.bridge_ok)
		ag_ft_classify_current(pthread_getspecific(ag_jvm.thread_key), frames, (uint32_t)n,
			n == AG_JVMTI_DEPTH);
	return (uint32_t)n;
}

void ag_record_java(ag_event *ev)
{
	ag_frame frames[AG_JVMTI_DEPTH];
	uint32_t n = java_stack(frames);
	ev->tid = ag_gettid();
	if (ag_jvm.bridge_ok)
		ag_sampler_note_thread(ev->tid, pthread_getspecific(ag_jvm.thread_key));
	ag_window *w = ag_window_enter();
	if (!w)
		return;
	ag_record(w, frames, n, ev);
	ag_window_leave(w);
}
