/* Unit tests for src/runtime/stopper.c: the stoppable sleep of run loops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>

#include "runtime/stopper.h"

static void test_timeout_returns_false(void **state)
{
	(void)state;
	pj_stopper s;
	pj_stopper_init(&s);
	assert_false(pj_stopper_wait(&s, 1000));
	assert_false(pj_stopper_wait(&s, 0));
	assert_false(pj_stopper_stopped(&s));
	pj_stopper_destroy(&s);
}

static void *stop_later(void *arg)
{
	pj_stopper_stop(arg);
	return NULL;
}

static void test_stop_ends_an_unbounded_wait(void **state)
{
	(void)state;
	pj_stopper s;
	pj_stopper_init(&s);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, stop_later, &s), 0);
	assert_true(pj_stopper_wait(&s, -1));
	pthread_join(t, NULL);
	/* Stopped for good: later waits return at once. */
	assert_true(pj_stopper_wait(&s, -1));
	assert_true(pj_stopper_stopped(&s));
	pj_stopper_destroy(&s);
}

static void test_wake_ends_one_wait(void **state)
{
	(void)state;
	pj_stopper s;
	pj_stopper_init(&s);
	pj_stopper_wake(&s);
	assert_false(pj_stopper_wait(&s, -1));
	assert_false(pj_stopper_wait(&s, 1000)); /* the wake was used up; this one times out */
	pj_stopper_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeout_returns_false),
		cmocka_unit_test(test_stop_ends_an_unbounded_wait),
		cmocka_unit_test(test_wake_ends_one_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
