/*
 * The agent's sample storage: traces deduplicated and counted, events kept
 * in order, concurrent writers without locks, a full table dropping and
 * counting instead of blocking, and dump's window rotation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>

#include "storage.h"

static int setup(void **state)
{
	(void)state;
	assert_true(ag_storage_init());
	ag_storage_open(true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ag_window *w = ag_storage_close(false);
	if (w)
		ag_window_reset(w);
	return 0;
}

static void stack_of(ag_frame *f, uint32_t n, uintptr_t seed)
{
	for (uint32_t i = 0; i < n; i++) {
		f[i].method = (void *)(seed * 1000 + i + 1);
		f[i].bci = (int32_t)i;
	}
}

static bool record(uintptr_t seed, uint32_t n, uint32_t tid)
{
	ag_frame f[16];
	stack_of(f, n, seed);
	ag_window *w = ag_window_enter();
	assert_non_null(w);
	ag_event ev = {.ticks = seed, .tid = tid, .kind = AG_EV_CPU, .samples = 1};
	bool ok = ag_record(w, f, n, &ev);
	ag_window_leave(w);
	return ok;
}

static void test_traces_are_deduplicated_and_counted(void **state)
{
	(void)state;
	for (int i = 0; i < 5; i++)
		assert_true(record(7, 4, 100));
	assert_true(record(8, 3, 101));
	ag_window *w = ag_storage_close(false);
	assert_int_equal(atomic_load(&w->event_used), 6);
	assert_int_equal(atomic_load(&w->trace_used), 2);
	uint32_t first = w->events[0].trace;
	assert_true(first > 0);
	for (int i = 1; i < 5; i++)
		assert_int_equal(w->events[i].trace, first);
	assert_int_not_equal(w->events[5].trace, first);
	const ag_trace *t = &w->traces[first - 1];
	assert_int_equal(atomic_load(&t->samples), 5);
	assert_int_equal(t->nframes, 4);
	ag_frame want[4];
	stack_of(want, 4, 7);
	for (int i = 0; i < 4; i++) {
		assert_ptr_equal(w->frames[t->frames_off + i].method, want[i].method);
		assert_int_equal(w->frames[t->frames_off + i].bci, want[i].bci);
	}
	assert_int_equal(w->events[5].tid, 101);
	ag_storage_open(false);
}

static void test_event_without_stack(void **state)
{
	(void)state;
	ag_window *w = ag_window_enter();
	ag_event ev = {.ticks = 1, .tid = 5, .kind = AG_EV_LOCK, .value = 42};
	assert_true(ag_record(w, NULL, 0, &ev));
	ag_window_leave(w);
	w = ag_storage_close(false);
	assert_int_equal(atomic_load(&w->event_used), 1);
	assert_int_equal(w->events[0].trace, 0);
	assert_int_equal(w->events[0].value, 42);
	assert_int_equal(atomic_load(&w->trace_used), 0);
	ag_storage_open(false);
}

static void test_repeat_a_known_stack(void **state)
{
	(void)state;
	ag_frame f[3];
	stack_of(f, 3, 9);
	ag_window *w = ag_window_enter();
	ag_event ev = {.ticks = 1, .tid = 3, .kind = AG_EV_WALL, .samples = 1};
	uint32_t trace = ag_record(w, f, 3, &ev);
	assert_true(trace > 0 && trace != AG_NO_STACK);
	ev.ticks = 2;
	assert_true(ag_record_trace(w, trace, &ev));
	/* Ids that name no stored stack are refused. */
	assert_false(ag_record_trace(w, 0, &ev));
	assert_false(ag_record_trace(w, w->trace_cap + 1, &ev));
	assert_false(ag_record_trace(w, trace == 1 ? 2 : 1, &ev));
	ag_window_leave(w);
	w = ag_storage_close(false);
	assert_int_equal(atomic_load(&w->event_used), 2);
	assert_int_equal(w->events[1].trace, trace);
	assert_int_equal(w->events[1].ticks, 2);
	assert_int_equal(atomic_load(&w->traces[trace - 1].samples), 2);
	ag_storage_open(false);
}

enum { WRITERS = 4, PER_WRITER = 20000, STACKS = 100 };

static void *writer(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	for (int i = 0; i < PER_WRITER; i++)
		if (!record((uintptr_t)(i % STACKS) + 1, 8, (uint32_t)id))
			return (void *)1;
	return NULL;
}

static void test_concurrent_writers_lose_nothing(void **state)
{
	(void)state;
	pthread_t t[WRITERS];
	for (uintptr_t i = 0; i < WRITERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer, (void *)(i + 1)), 0);
	for (int i = 0; i < WRITERS; i++) {
		void *failed;
		pthread_join(t[i], &failed);
		assert_null(failed);
	}
	ag_window *w = ag_storage_close(false);
	assert_int_equal(atomic_load(&w->event_used), WRITERS * PER_WRITER);
	assert_int_equal(atomic_load(&w->trace_used), STACKS);
	assert_int_equal(atomic_load(&w->dropped), 0);
	uint64_t total = 0;
	for (uint32_t i = 0; i < w->trace_cap; i++)
		total += atomic_load(&w->traces[i].samples);
	assert_int_equal(total, WRITERS * PER_WRITER);
	/* The insertion log names every stack once, for the resolver. */
	uint32_t logged = 0;
	for (uint32_t k = 0; k < atomic_load(&w->trace_used); k++) {
		uint32_t id = atomic_load(&w->inserted[k]);
		assert_true(id > 0 && id <= w->trace_cap);
		assert_int_not_equal(atomic_load(&w->traces[id - 1].hash), 0);
		assert_int_equal(atomic_load(&w->traces[id - 1].ready), 1);
		logged++;
	}
	assert_int_equal(logged, STACKS);
	for (uint32_t k = 0; k < STACKS; k++)
		for (uint32_t j = k + 1; j < STACKS; j++)
			assert_int_not_equal(atomic_load(&w->inserted[k]), atomic_load(&w->inserted[j]));
	ag_storage_open(false);
}

static void test_full_table_drops_and_counts(void **state)
{
	(void)state;
	ag_window *w = ag_window_enter();
	uint32_t cap = w->trace_cap;
	ag_window_leave(w);
	uint32_t kept = 0, dropped = 0;
	for (uint32_t i = 0; i < cap; i++) {
		if (record(i + 1, 2, 1))
			kept++;
		else
			dropped++;
	}
	assert_int_equal(kept, cap / 4 * 3);
	assert_int_equal(dropped, cap - kept);
	/* Stacks already known still count when the table is full. */
	assert_true(record(1, 2, 1));
	w = ag_storage_close(false);
	assert_int_equal(atomic_load(&w->dropped), dropped);
	ag_storage_open(false);
}

static void test_dump_rotates_without_losing_samples(void **state)
{
	(void)state;
	for (int i = 0; i < 5; i++)
		record(1, 2, 1);
	ag_window *first = ag_storage_close(true);
	assert_non_null(first);
	/* Sampling goes on into the other, empty window while the first is read. */
	for (int i = 0; i < 3; i++)
		assert_true(record(2, 2, 1));
	assert_int_equal(atomic_load(&first->event_used), 5);
	assert_int_not_equal(atomic_load(&first->inserted[0]), 0);
	uint64_t generation = atomic_load(&first->generation);
	ag_window_reset(first);
	assert_int_equal(atomic_load(&first->event_used), 0);
	assert_int_equal(atomic_load(&first->traces[0].hash), 0);
	/* The resolver sees the reset by the generation; the log is empty again. */
	assert_int_equal(atomic_load(&first->generation), generation + 1);
	assert_int_equal(atomic_load(&first->inserted[0]), 0);
	ag_window *second = ag_storage_close(false);
	assert_ptr_not_equal(second, first);
	assert_int_equal(atomic_load(&second->event_used), 3);
	assert_ptr_equal(ag_storage_last(), second);
	/* Closed: signal handlers find no window and record nothing. */
	assert_null(ag_window_enter());
	ag_storage_open(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_traces_are_deduplicated_and_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_without_stack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeat_a_known_stack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers_lose_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_table_drops_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_rotates_without_losing_samples, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
