/*
 * Native (C/C++) stacks of threads AsyncGetCallTrace cannot walk: the JVM's
 * own threads (garbage collector, JIT compilers, VM thread) and native
 * threads of the process. Frames are taken by following the frame-pointer
 * chain from the signal context; libjvm and the C library keep frame
 * pointers on x86_64, so the chain usually reaches the thread's start.
 *
 * Where HotSpot recorded the thread's stack bounds (every thread it created
 * has them, found through VMStructs) the chain is read in place within
 * them; other threads' stacks are copied first with process_vm_readv, which
 * fails instead of faulting on an unmapped page.
 *
 * A native frame is stored with bci AG_BCI_NATIVE_PC and its code address in
 * `method`: the interrupted pc for the leaf, return address - 1 (inside the
 * call instruction) for its callers. Names come from native_symbols.h at
 * dump time.
 */
#ifndef AG_NATIVE_STACK_H
#define AG_NATIVE_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include "storage.h"

/* Outside any bci (< 65536), AGCT code (< 0) and typed bci (top byte 1..7). */
#define AG_BCI_NATIVE_PC 0x40000000

static inline bool ag_frame_is_native(const ag_frame *f)
{
	return f->bci == AG_BCI_NATIVE_PC;
}

/* Looks up HotSpot's Thread::_stack_base/_stack_size once the JVM is known. */
void ag_native_stack_init(void);
/* Where a Thread keeps its stack base and size (0: unknown); set by ag_native_stack_init. */
void ag_native_stack_layout(uint32_t stack_base_offset, uint32_t stack_size_offset);

/* cstack=no turns native stacks off; set before sampling starts. */
void ag_native_stack_enable(bool on);
bool ag_native_stack_enabled(void);

/*
 * Async-signal-safe. Fills frames[0..max) leaf first from the interrupted
 * context of the calling thread, whose HotSpot Thread is `vm_thread` (NULL
 * for a thread HotSpot did not create); returns the count (0 when native
 * stacks are off, unsupported on this architecture, or all scratch buffers
 * are busy).
 */
uint32_t ag_native_walk(const void *ucontext, const void *vm_thread, ag_frame *frames,
	uint32_t max);

/* Walks that could not copy the stack (process_vm_readv refused, e.g. by seccomp)
 * since the last call. */
uint64_t ag_native_walk_failures_take(void);

#endif
