/*
 * Burning a measured amount of the calling thread's CPU time, for the
 * agent tests whose expectations follow the thread's CPU clock
 * (CLOCK_THREAD_CPUTIME_ID, the clock the agent itself reads), so they do
 * not depend on machine speed. Include after <cmocka.h>.
 */
#ifndef PJ_TESTS_BURN_CPU_H
#define PJ_TESTS_BURN_CPU_H

#include <stdint.h>
#include <time.h>

static volatile uint64_t burn_sink;

/* The calling thread's CPU time in ns. */
static inline uint64_t burn_thread_cpu(void)
{
	struct timespec ts;
	assert_int_equal(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts), 0);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Burns at least `ns` of this thread's CPU, overshooting by a few us at
 * most (the clock is read every 100 iterations).
 */
static inline void burn(uint64_t ns)
{
	uint64_t start = burn_thread_cpu();
	while (burn_thread_cpu() - start < ns)
		for (int i = 0; i < 100; i++)
			burn_sink += (uint64_t)i * 31u ^ (burn_sink >> 3);
}

#endif
