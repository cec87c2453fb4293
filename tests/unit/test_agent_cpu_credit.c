/*
 * The itimer engine's per-thread credit: a signal stands for the samples
 * its thread earned by its own CPU clock since its previous signal, with
 * the remainder carried over and at most AG_CPU_CREDIT_MAX at once; extra
 * samples repeat the stack in the same window. The test burns CPU measured
 * on the same clock, so the expected counts do not depend on machine speed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "burn_cpu.h"
#include "cpu_credit.h"
#include "storage.h"

#define MS 1000000ull

static void test_counts_follow_the_thread_cpu_clock(void **state)
{
	(void)state;
	ag_cpu_credit_reset(1 * MS);
	assert_int_equal(ag_cpu_credit_take(), 1); /* the first signal counts as one */
	burn(5 * MS);
	assert_int_equal(ag_cpu_credit_take(), 5);
	/* Right after: no CPU earned, the signal is dropped. */
	assert_int_equal(ag_cpu_credit_take(), 0);
	/* 0.7 ms rounds to one sample and leaves -0.3 ms; 0.4 ms more is 0.1: none. */
	burn(7 * MS / 10);
	assert_int_equal(ag_cpu_credit_take(), 1);
	burn(4 * MS / 10);
	assert_int_equal(ag_cpu_credit_take(), 0);
	/* ... and the carried 0.1 ms plus 0.5 ms more is one again. */
	burn(5 * MS / 10);
	assert_int_equal(ag_cpu_credit_take(), 1);
}

static void test_at_most_the_cap_and_the_excess_is_dropped(void **state)
{
	(void)state;
	ag_cpu_credit_reset(1 * MS);
	assert_int_equal(ag_cpu_credit_take(), 1);
	burn(40 * MS);
	assert_int_equal(ag_cpu_credit_take(), AG_CPU_CREDIT_MAX);
	assert_int_equal(ag_cpu_credit_take(), 0);
}

static void test_reset_forgets_the_thread(void **state)
{
	(void)state;
	ag_cpu_credit_reset(1 * MS);
	assert_int_equal(ag_cpu_credit_take(), 1);
	burn(3 * MS);
	/* A new session: the CPU used before it does not count. */
	ag_cpu_credit_reset(1 * MS);
	assert_int_equal(ag_cpu_credit_take(), 1);
	assert_int_equal(ag_cpu_credit_take(), 0);
}

static void test_repeat_records_the_same_stack(void **state)
{
	(void)state;
	assert_true(ag_storage_init());
	ag_storage_open(true);
	ag_frame frames[2] = {{.bci = 1, .method = (void *)0x10}, {.bci = 2, .method = (void *)0x20}};
	ag_event ev = {.ticks = 1, .tid = 7, .kind = AG_EV_CPU, .samples = 1};
	ag_window *w = ag_window_enter();
	assert_non_null(w);
	uint32_t trace = ag_record(w, frames, 2, &ev);
	ag_window_leave(w);
	assert_true(trace > 0);
	ag_cpu_credit_repeat(w, trace, 3);
	/* Nothing without a stack or a window. */
	ag_cpu_credit_repeat(w, 0, 3);
	ag_cpu_credit_repeat(w, AG_NO_STACK, 3);
	ag_cpu_credit_repeat(NULL, trace, 3);
	ag_window *closed = ag_storage_close(false);
	assert_ptr_equal(closed, w);
	assert_int_equal(atomic_load(&w->event_used), 4);
	assert_int_equal(atomic_load(&w->traces[trace - 1].samples), 4);
	for (uint32_t i = 1; i < 4; i++) {
		assert_int_equal(w->events[i].trace, trace);
		assert_int_equal(w->events[i].kind, AG_EV_CPU);
	}
	/* A window closed since the stack was taken: nothing is recorded. */
	ag_storage_open(false);
	ag_window *again = ag_storage_close(true);
	ag_cpu_credit_repeat(again, trace, 2);
	ag_window *other = ag_storage_close(false);
	assert_ptr_not_equal(other, again);
	assert_int_equal(atomic_load(&other->event_used), 0);
	ag_window_reset(again);
	ag_window_reset(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_follow_the_thread_cpu_clock),
		cmocka_unit_test(test_at_most_the_cap_and_the_excess_is_dropped),
		cmocka_unit_test(test_reset_forgets_the_thread),
		cmocka_unit_test(test_repeat_records_the_same_stack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
