#include "cpu_credit.h"

#include <stdatomic.h>
#include <time.h>

#include "sampler.h"

/*
 * Direct-mapped by tid: a thread owns slot tid % SLOTS until another live
 * thread with the same remainder takes it over (more than SLOTS threads),
 * which only restarts that thread's count as if at its first signal. A slot
 * is written only from its thread's SIGPROF handler, which does not nest.
 */
#define SLOTS 16384

typedef struct credit_slot {
	_Atomic uint32_t tid;
	uint64_t last_cpu; /* thread CPU ns at its last signal */
	int64_t credit; /* ns earned but not yet sampled (may be negative) */
} credit_slot;

static credit_slot slots[SLOTS];
static long interval_ns = 10000000;

void ag_cpu_credit_reset(long interval)
{
	interval_ns = interval > 0 ? interval : 1;
	for (uint32_t i = 0; i < SLOTS; i++)
		atomic_store(&slots[i].tid, 0);
}

uint32_t ag_cpu_credit_take(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 1;
	uint64_t cpu = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	uint32_t tid = ag_gettid();
	credit_slot *s = &slots[tid % SLOTS];
	/* A new owner, or a thread that reused the tid (its clock restarted). */
	if (atomic_load(&s->tid) != tid || cpu < s->last_cpu) {
		atomic_store(&s->tid, tid);
		s->last_cpu = cpu;
		s->credit = 0;
		return 1;
	}
	int64_t interval = interval_ns;
	int64_t credit = s->credit + (int64_t)(cpu - s->last_cpu);
	s->last_cpu = cpu;
	int64_t n = credit > 0 ? (credit + interval / 2) / interval : 0;
	/* Left over: between -interval/2 and interval/2; nothing when capped. */
	if (n > AG_CPU_CREDIT_MAX) {
		n = AG_CPU_CREDIT_MAX;
		credit = 0;
	} else {
		credit -= n * interval;
	}
	s->credit = credit;
	return (uint32_t)n;
}

void ag_cpu_credit_repeat(ag_window *w, uint32_t trace, uint32_t extra)
{
	if (!w || trace == 0 || trace == AG_NO_STACK || extra == 0)
		return;
	ag_window *cur = ag_window_enter();
	if (!cur)
		return;
	/* A dump may have rotated the windows since: the trace id is w's. */
	if (cur == w) {
		ag_event ev = {
			.ticks = ag_ticks(), .tid = ag_gettid(), .kind = AG_EV_CPU,
			.state = AG_STATE_DEFAULT, .samples = 1,
		};
		for (uint32_t i = 0; i < extra; i++)
			if (!ag_record_trace(cur, trace, &ev))
				break;
	}
	ag_window_leave(cur);
}
