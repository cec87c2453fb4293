/* Unit tests for src/jvm/asprof_args: asprof argv -> agent option strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jvm/asprof_args.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void test_alloy_start_string(void **state)
{
	(void)state;
	/* The argv Alloy passes, and the agent string async-profiler's asprof builds from it. */
	char *argv[] = {"asprof", "-f", "/tmp/asprof-999-42.jfr", "-o", "jfr", "-e", "itimer",
			"-i", "10000000", "--alloc", "512k", "--lock", "10ms", "-L", "INFO",
			"start", "--timeout", "60", "42"};
	pj_asprof_cmd cmd;
	char err[128];
	assert_int_equal(pj_asprof_parse(ARGC(argv), argv, "/", &cmd, err, sizeof(err)), 0);
	assert_string_equal(cmd.action, "start");
	assert_int_equal(cmd.pid, 42);
	char *s = pj_asprof_agent_string(&cmd, cmd.action, false, cmd.file, "/tmp/asprof-log.7.42",
					 true);
	assert_string_equal(s, "start,file=/tmp/asprof-999-42.jfr,jfr,loglevel=INFO,event=itimer,"
			       "interval=10000000,alloc=512k,lock=10ms,timeout=60,"
			       "log=/tmp/asprof-log.7.42");
	free(s);
	pj_asprof_cmd_free(&cmd);
}

static void test_stop_string(void **state)
{
	(void)state;
	char *argv[] = {"asprof", "stop", "-o", "jfr", "42"};
	pj_asprof_cmd cmd;
	char err[128];
	assert_int_equal(pj_asprof_parse(ARGC(argv), argv, "/", &cmd, err, sizeof(err)), 0);
	assert_null(cmd.file);
	char *s = pj_asprof_agent_string(&cmd, cmd.action, false, "/tmp/asprof.7.42",
					 "/tmp/asprof-log.7.42", true);
	assert_string_equal(s, "stop,file=/tmp/asprof.7.42,jfr,log=/tmp/asprof-log.7.42");
	free(s);
	pj_asprof_cmd_free(&cmd);
}

static void test_collect_default(void **state)
{
	(void)state;
	char *argv[] = {"asprof", "-d", "5", "-t", "--tlab", "--quiet", "-e", "cpu", "-f",
			"out.html", "42"};
	pj_asprof_cmd cmd;
	char err[128];
	assert_int_equal(pj_asprof_parse(ARGC(argv), argv, "/home/me", &cmd, err, sizeof(err)), 0);
	assert_string_equal(cmd.action, "collect");
	assert_int_equal(cmd.duration, 5);
	assert_string_equal(cmd.file, "/home/me/out.html");
	char *s = pj_asprof_agent_string(&cmd, "start", true, cmd.file, "L", true);
	assert_string_equal(s, "start,quiet,file=/home/me/out.html,threads,tlab,quiet,event=cpu,log=L");
	free(s);
	/* collect's stop carries output and format only. */
	s = pj_asprof_agent_string(&cmd, "stop", false, cmd.file, "L", false);
	assert_string_equal(s, "stop,file=/home/me/out.html,log=L");
	free(s);
	pj_asprof_cmd_free(&cmd);
}

static void test_options_and_errors(void **state)
{
	(void)state;
	pj_asprof_cmd cmd;
	char err[128];
	char *libpath[] = {"asprof", "status", "--libpath", "/opt/ap/lib/libasyncProfiler.so", "9"};
	assert_int_equal(pj_asprof_parse(ARGC(libpath), libpath, "/", &cmd, err, sizeof(err)), 0);
	assert_string_equal(cmd.libpath, "/opt/ap/lib/libasyncProfiler.so");
	assert_int_equal(cmd.duration, 60);
	pj_asprof_cmd_free(&cmd);

	char *unknown[] = {"asprof", "--frobnicate", "1", "9"};
	assert_int_equal(pj_asprof_parse(ARGC(unknown), unknown, "/", &cmd, err, sizeof(err)), -1);
	assert_string_equal(err, "Unrecognized option: --frobnicate");
	pj_asprof_cmd_free(&cmd);

	char *missing[] = {"asprof", "start", "9", "-e"};
	assert_int_equal(pj_asprof_parse(ARGC(missing), missing, "/", &cmd, err, sizeof(err)), -1);
	pj_asprof_cmd_free(&cmd);

	char *comma[] = {"asprof", "-e", "cpu,alloc", "9"};
	assert_int_equal(pj_asprof_parse(ARGC(comma), comma, "/", &cmd, err, sizeof(err)), -1);
	assert_string_equal(err, "Invalid value for -e: cpu,alloc");
	pj_asprof_cmd_free(&cmd);

	char *word[] = {"asprof", "start", "myapp"};
	assert_int_equal(pj_asprof_parse(ARGC(word), word, "/", &cmd, err, sizeof(err)), -1);
	pj_asprof_cmd_free(&cmd);

	char *badd[] = {"asprof", "-d", "soon", "9"};
	assert_int_equal(pj_asprof_parse(ARGC(badd), badd, "/", &cmd, err, sizeof(err)), -1);
	assert_string_equal(err, "Invalid duration: soon");
	pj_asprof_cmd_free(&cmd);

	char *help[] = {"asprof", "--help"};
	assert_int_equal(pj_asprof_parse(ARGC(help), help, "/", &cmd, err, sizeof(err)), 0);
	assert_true(cmd.help);
	pj_asprof_cmd_free(&cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloy_start_string),
		cmocka_unit_test(test_stop_string),
		cmocka_unit_test(test_collect_default),
		cmocka_unit_test(test_options_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
