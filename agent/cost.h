/*
 * What the agent costs the process it profiles, measured from inside: the
 * CPU time spent in every signal handler and JVMTI callback, in the agent's
 * own threads and in its commands (start, dump, stop, status: the JFR
 * writing). `status` prints it, a stopping session logs it (DEBUG).
 *
 * Handlers and callbacks are timed with the thread's CPU clock
 * (CLOCK_THREAD_CPUTIME_ID), not with a wall clock: on a busy machine a
 * thread is often preempted inside a handler, and a wall clock would charge
 * the agent for the time the thread waited for a CPU (measured: tens of
 * times the handler's real cost at a load of 3 per CPU). clock_gettime is on
 * POSIX's list of async-signal-safe functions; for this clock glibc and musl
 * make a plain system call, no lock, no allocation, and errno is untouched
 * on success (the dispatcher restores errno anyway). The price is two
 * system calls per timed call, about 1 us in a VM: it is calibrated at
 * start and reported as the accounting's own cost, included in the total.
 */
#ifndef AG_COST_H
#define AG_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef enum ag_cost_kind {
	AG_COST_SIGPROF, /* itimer and cpu samples */
	AG_COST_SIGVTALRM, /* wall samples */
	AG_COST_ALLOC, /* SampledObjectAlloc */
	AG_COST_LOCK, /* MonitorContendedEnter / Entered, recording a park */
	AG_COST_JVMTI, /* the other JVMTI callbacks: class, thread, compiled method */
	AG_COST_THREADS, /* CPU time of the agent's own threads */
	AG_COST_COMMANDS, /* CPU time of the commands, JFR writing included */
	AG_COST_CALIBRATION, /* the calibration loop's own counter, not reported */
	AG_COST_KINDS,
} ag_cost_kind;

/* CPU time of the calling thread, ns (0 if the clock fails). */
static inline uint64_t ag_cost_thread_cpu(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Async-signal-safe: one call of `kind` that took `ns`. */
void ag_cost_add(ag_cost_kind kind, uint64_t ns);

typedef struct ag_cost_scope {
	uint64_t start;
	ag_cost_kind kind;
} ag_cost_scope;

static inline ag_cost_scope ag_cost_begin(ag_cost_kind kind)
{
	return (ag_cost_scope){ag_cost_thread_cpu(), kind};
}

static inline void ag_cost_end(ag_cost_scope *s)
{
	uint64_t now = ag_cost_thread_cpu();
	ag_cost_add(s->kind, now > s->start ? now - s->start : 0);
}

/* Times the rest of the enclosing block: the first line of a callback. */
#define AG_COST_SCOPE(kind) \
	__attribute__((cleanup(ag_cost_end), unused)) ag_cost_scope ag_cost_scope_ = \
		ag_cost_begin(kind)

/* For an agent thread's loop: adds its CPU time since *last, updates *last. */
void ag_cost_thread_tick(uint64_t *last);

/* Commands run one at a time (under the profiler lock). */
void ag_cost_command_begin(void);
void ag_cost_command_end(void);

/* New session: zeroes the counters, notes the process CPU time, calibrates. */
void ag_cost_reset(void);

typedef struct ag_cost_report {
	uint64_t calls[AG_COST_KINDS];
	uint64_t ns[AG_COST_KINDS];
	uint64_t scope_ns; /* calibrated cost of one timed call's accounting */
	uint64_t accounting_ns; /* scope_ns x timed calls */
	uint64_t agent_ns; /* everything above, accounting included */
	uint64_t process_ns; /* process CPU time since the reset */
} ag_cost_report;

void ag_cost_read(ag_cost_report *r);
/* The report as text lines, each ending in '\n'; false if it did not fit. */
bool ag_cost_format(const ag_cost_report *r, char *buf, size_t size);

#endif
