/*
 * The agent's own cost accounting: timed scopes add the thread's CPU time
 * to their kind, the signal dispatcher times handlers by signal, commands
 * and agent threads add their CPU time, a reset starts from zero, and the
 * report adds up and formats within its buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <string.h>

#include "burn_cpu.h"
#include "cost.h"
#include "engine.h"

static int reset(void **state)
{
	(void)state;
	ag_cost_reset();
	return 0;
}

static void test_reset_starts_from_zero(void **state)
{
	(void)state;
	ag_cost_add(AG_COST_ALLOC, 1234);
	ag_cost_reset();
	ag_cost_report r;
	ag_cost_read(&r);
	for (int k = 0; k < AG_COST_KINDS; k++) {
		if (k == AG_COST_CALIBRATION)
			continue;
		assert_int_equal(r.calls[k], 0);
		assert_int_equal(r.ns[k], 0);
	}
	assert_int_equal(r.accounting_ns, 0);
	assert_true(r.scope_ns > 0);
}

/* A scope records the CPU time spent inside it: within what the test measures around it. */
static void test_scope_records_its_cpu_time(void **state)
{
	(void)state;
	uint64_t before = ag_cost_thread_cpu();
	{
		AG_COST_SCOPE(AG_COST_LOCK);
		burn(2000000);
	}
	uint64_t outside = ag_cost_thread_cpu() - before;
	ag_cost_report r;
	ag_cost_read(&r);
	assert_int_equal(r.calls[AG_COST_LOCK], 1);
	assert_true(r.ns[AG_COST_LOCK] >= 2000000);
	assert_true(r.ns[AG_COST_LOCK] <= outside);
	assert_int_equal(r.accounting_ns, r.scope_ns);
	assert_int_equal(r.agent_ns, r.ns[AG_COST_LOCK] + r.accounting_ns);
	/* The process ran at least the scope's CPU time since the reset. */
	assert_true(r.process_ns >= r.ns[AG_COST_LOCK]);
}

static volatile sig_atomic_t handled;

static void busy_handler(int sig, siginfo_t *info, void *ucontext)
{
	(void)sig, (void)info, (void)ucontext;
	burn(500000);
	handled++;
}

/* Handlers installed through ag_install_handler are timed per signal. */
static void test_dispatcher_times_handlers_by_signal(void **state)
{
	(void)state;
	assert_true(ag_install_handler(SIGPROF, busy_handler));
	assert_true(ag_install_handler(SIGVTALRM, busy_handler));
	handled = 0;
	raise(SIGPROF);
	raise(SIGPROF);
	raise(SIGVTALRM);
	assert_int_equal(handled, 3);
	ag_cost_report r;
	ag_cost_read(&r);
	assert_int_equal(r.calls[AG_COST_SIGPROF], 2);
	assert_int_equal(r.calls[AG_COST_SIGVTALRM], 1);
	assert_true(r.ns[AG_COST_SIGPROF] >= 1000000);
	assert_true(r.ns[AG_COST_SIGVTALRM] >= 500000);
	signal(SIGPROF, SIG_IGN);
	signal(SIGVTALRM, SIG_IGN);
}

/* A command's CPU time counts while it runs (status reports itself) and after. */
static void test_commands_and_threads(void **state)
{
	(void)state;
	ag_cost_command_begin();
	burn(1000000);
	ag_cost_report r;
	ag_cost_read(&r);
	assert_true(r.ns[AG_COST_COMMANDS] >= 1000000);
	assert_int_equal(r.calls[AG_COST_COMMANDS], 0);
	ag_cost_command_end();
	ag_cost_read(&r);
	assert_int_equal(r.calls[AG_COST_COMMANDS], 1);
	uint64_t command = r.ns[AG_COST_COMMANDS];
	assert_true(command >= 1000000);
	/* No command running: nothing more is added. */
	burn(1000000);
	ag_cost_read(&r);
	assert_int_equal(r.ns[AG_COST_COMMANDS], command);

	uint64_t last = ag_cost_thread_cpu();
	burn(1000000);
	ag_cost_thread_tick(&last);
	ag_cost_read(&r);
	assert_true(r.ns[AG_COST_THREADS] >= 1000000);
	/* Commands and thread time are not timed calls: no accounting charged. */
	assert_int_equal(r.accounting_ns, 0);
	assert_int_equal(r.agent_ns, r.ns[AG_COST_COMMANDS] + r.ns[AG_COST_THREADS]);
}

static void test_format(void **state)
{
	(void)state;
	ag_cost_report r;
	memset(&r, 0, sizeof(r));
	r.calls[AG_COST_SIGPROF] = 1000;
	r.ns[AG_COST_SIGPROF] = 10000000;
	r.ns[AG_COST_THREADS] = 2000000;
	r.scope_ns = 1000;
	r.accounting_ns = 1000000;
	r.agent_ns = 13000000;
	r.process_ns = 2600000000ull;
	char text[1024];
	assert_true(ag_cost_format(&r, text, sizeof(text)));
	assert_non_null(strstr(text, "Agent CPU: 13.000 ms of 2600.000 ms process CPU since start (0.500%)\n"));
	assert_non_null(strstr(text, "  cpu/itimer signal handler: 1000 calls, 10.000 ms\n"));
	assert_non_null(strstr(text, "  agent threads: 2.000 ms\n"));
	assert_non_null(strstr(text, "  accounting: 1.000 ms (1000 ns per timed call)\n"));
	size_t len = strlen(text);
	assert_int_equal(text[len - 1], '\n');
	/* Too small a buffer: false, nothing written past it. */
	char small[64];
	memset(small, 'x', sizeof(small));
	assert_false(ag_cost_format(&r, small, 40));
	for (size_t i = 40; i < sizeof(small); i++)
		assert_int_equal(small[i], 'x');
	/* No process CPU yet: no division by zero. */
	r.process_ns = 0;
	assert_true(ag_cost_format(&r, text, sizeof(text)));
	assert_non_null(strstr(text, "(0.000%)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_starts_from_zero, reset),
		cmocka_unit_test_setup(test_scope_records_its_cpu_time, reset),
		cmocka_unit_test_setup(test_dispatcher_times_handlers_by_signal, reset),
		cmocka_unit_test_setup(test_commands_and_threads, reset),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
