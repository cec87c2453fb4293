#include "cost.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

/* One cache line per kind: handlers on different CPUs add to different kinds. */
typedef struct counter {
	_Atomic uint64_t calls;
	_Atomic uint64_t ns;
	char pad[64 - 2 * sizeof(uint64_t)];
} counter;

static counter counters[AG_COST_KINDS];
static uint64_t process_start; /* process CPU ns at the reset */
static _Atomic uint64_t scope_ns;
static uint64_t command_start; /* thread CPU ns, 0 = no command running */

void ag_cost_add(ag_cost_kind kind, uint64_t ns)
{
	atomic_fetch_add_explicit(&counters[kind].calls, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&counters[kind].ns, ns, memory_order_relaxed);
}

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;
	if (clock_gettime(clock, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void ag_cost_thread_tick(uint64_t *last)
{
	uint64_t now = ag_cost_thread_cpu();
	if (now > *last) {
		atomic_fetch_add_explicit(&counters[AG_COST_THREADS].ns, now - *last,
			memory_order_relaxed);
		*last = now;
	}
}

void ag_cost_command_begin(void)
{
	command_start = ag_cost_thread_cpu();
}

void ag_cost_command_end(void)
{
	uint64_t now = ag_cost_thread_cpu();
	if (command_start && now > command_start)
		ag_cost_add(AG_COST_COMMANDS, now - command_start);
	command_start = 0;
}

/*
 * The cost of one timed call's accounting: an empty scope (two clock reads,
 * two atomic adds), timed in CPU time over a batch. The smallest of a few
 * batches leaves out cache misses of the first.
 */
static uint64_t calibrate(void)
{
	uint64_t best = UINT64_MAX;
	for (int batch = 0; batch < 4; batch++) {
		uint64_t t0 = ag_cost_thread_cpu();
		for (int i = 0; i < 64; i++) {
			ag_cost_scope s = ag_cost_begin(AG_COST_CALIBRATION);
			ag_cost_end(&s);
		}
		uint64_t per = (ag_cost_thread_cpu() - t0) / 64;
		if (per < best)
			best = per;
	}
	return best;
}

void ag_cost_reset(void)
{
	for (int k = 0; k < AG_COST_KINDS; k++) {
		atomic_store(&counters[k].calls, 0);
		atomic_store(&counters[k].ns, 0);
	}
	process_start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	atomic_store(&scope_ns, calibrate());
}

void ag_cost_read(ag_cost_report *r)
{
	uint64_t timed = 0;
	r->agent_ns = 0;
	for (int k = 0; k < AG_COST_KINDS; k++) {
		r->calls[k] = atomic_load_explicit(&counters[k].calls, memory_order_relaxed);
		r->ns[k] = atomic_load_explicit(&counters[k].ns, memory_order_relaxed);
		if (k == AG_COST_CALIBRATION)
			continue;
		if (k <= AG_COST_JVMTI)
			timed += r->calls[k];
		r->agent_ns += r->ns[k];
	}
	/* A command in progress (the one reporting, or a stop writing its JFR). */
	uint64_t now = ag_cost_thread_cpu();
	if (command_start && now > command_start) {
		r->ns[AG_COST_COMMANDS] += now - command_start;
		r->agent_ns += now - command_start;
	}
	r->scope_ns = atomic_load(&scope_ns);
	r->accounting_ns = timed * r->scope_ns;
	r->agent_ns += r->accounting_ns;
	uint64_t process = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	r->process_ns = process > process_start ? process - process_start : 0;
}

static bool append(char *buf, size_t size, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool append(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = *used < size ? vsnprintf(buf + *used, size - *used, fmt, ap) : -1;
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *used)
		return false;
	*used += (size_t)n;
	return true;
}

bool ag_cost_format(const ag_cost_report *r, char *buf, size_t size)
{
	static const char *const names[] = {
		[AG_COST_SIGPROF] = "cpu/itimer signal handler",
		[AG_COST_SIGVTALRM] = "wall signal handler",
		[AG_COST_ALLOC] = "allocation callback",
		[AG_COST_LOCK] = "lock callbacks",
		[AG_COST_JVMTI] = "other JVMTI callbacks",
	};
	size_t used = 0;
	double pct = r->process_ns ? 100.0 * (double)r->agent_ns / (double)r->process_ns : 0;
	bool ok = append(buf, size, &used,
		"Agent CPU: %.3f ms of %.3f ms process CPU since start (%.3f%%)\n",
		(double)r->agent_ns / 1e6, (double)r->process_ns / 1e6, pct);
	for (int k = AG_COST_SIGPROF; k <= AG_COST_JVMTI; k++)
		ok = ok && append(buf, size, &used, "  %s: %llu calls, %.3f ms\n", names[k],
				   (unsigned long long)r->calls[k], (double)r->ns[k] / 1e6);
	ok = ok && append(buf, size, &used, "  agent threads: %.3f ms\n",
			   (double)r->ns[AG_COST_THREADS] / 1e6);
	ok = ok && append(buf, size, &used, "  commands and output: %.3f ms\n",
			   (double)r->ns[AG_COST_COMMANDS] / 1e6);
	ok = ok && append(buf, size, &used, "  accounting: %.3f ms (%llu ns per timed call)\n",
			   (double)r->accounting_ns / 1e6, (unsigned long long)r->scope_ns);
	return ok;
}
