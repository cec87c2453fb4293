/*
 * Sample counts that follow each thread's own CPU clock, for the itimer
 * engine (and the cpu engine's itimer fallback).
 *
 * setitimer(ITIMER_PROF) fires per interval of the process's CPU time as
 * the kernel accounts it at scheduler ticks, and signals whichever thread
 * is running at that tick. Tick accounting charges a whole tick to the
 * thread found running: on a busy machine, whose other processes run in
 * bursts shorter than a tick, a CPU-bound thread is charged for time it
 * did not have (measured here: 4-20% more SIGPROFs than CPU time /
 * interval). And a tick delivers at most one signal, so intervals shorter
 * than a tick (4 ms at HZ=250) are under-sampled.
 *
 * So each SIGPROF stands for as many samples as the interrupted thread
 * has earned: its CPU time (CLOCK_THREAD_CPUTIME_ID, exact) since its last
 * SIGPROF plus what was left over then, divided by the interval and
 * rounded: 0 drops the signal, 2 or more record the same stack again. A
 * thread's count then stays within one sample of its CPU time / interval.
 */
#ifndef AG_CPU_CREDIT_H
#define AG_CPU_CREDIT_H

#include <stdint.h>

#include "storage.h"

/* Most samples one signal may stand for; credit beyond is dropped. */
#define AG_CPU_CREDIT_MAX 16

/* Forgets every thread's credit: a new session at `interval` ns. */
void ag_cpu_credit_reset(long interval);
/*
 * Async-signal-safe, on the signalled thread: how many samples this
 * signal stands for (0 to AG_CPU_CREDIT_MAX). A thread's first signal
 * of the session counts as one.
 */
uint32_t ag_cpu_credit_take(void);
/* Async-signal-safe: records `extra` more samples of `trace` in `w`. */
void ag_cpu_credit_repeat(ag_window *w, uint32_t trace, uint32_t extra);

#endif
