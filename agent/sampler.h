/*
 * Taking a Java stack from a signal handler: the set of known Java threads
 * (only those are handed to AsyncGetCallTrace), per-sample frame buffers
 * claimed without locks, and the tid -> JavaThread map used to name threads
 * at dump time.
 */
#ifndef AG_SAMPLER_H
#define AG_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>

#include "storage.h"

/* Deepest stack AsyncGetCallTrace is asked for (jstackdepth is capped here). */
#define AG_MAX_DEPTH 2048

/*
 * Async-signal-safe. Samples the interrupted thread into the open window.
 * Returns the stack's trace id (0 if nothing was recorded) and, in *window,
 * the window it belongs to.
 */
uint32_t ag_sample_signal(void *ucontext, ag_event_kind kind, ag_thread_state state,
	ag_window **window);

/* Java threads: added from ThreadStart and the attach-time thread list. */
void ag_sampler_add_thread(void *java_thread);
void ag_sampler_remove_thread(void *java_thread);
/* Remembers which JavaThread runs on `tid` (async-signal-safe). */
void ag_sampler_note_thread(uint32_t tid, void *java_thread);
/* The JavaThread last seen sampling on `tid`, NULL if none. */
void *ag_sampler_thread_of(uint32_t tid);

uint32_t ag_gettid(void);
/* Maximum frames per stack (jstackdepth), set before sampling starts. */
void ag_sampler_set_depth(int depth);
/* Samples skipped because all frame buffers were busy. */
uint64_t ag_sampler_skipped(void);

#endif
