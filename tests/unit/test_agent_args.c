/*
 * The agent's option-string parser (spec jvm-agent-and-attach.md C.1/C.2)
 * and its JDK version gate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <time.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "args.h"
#include "jdk_version.h"

static ag_args parse_ok(const char *s)
{
	ag_args a;
	if (!ag_args_parse(&a, s, 0))
		fail_msg("%s: %s", s, a.error);
	return a;
}

static const char *parse_error(const char *s)
{
	ag_args a;
	assert_false(ag_args_parse(&a, s, 0));
	const char *e = a.error;
	ag_args_free(&a);
	return e;
}

static void test_alloy_start_string(void **state)
{
	(void)state;
	ag_args a = parse_ok("start,file=/tmp/asprof-999-7.jfr,jfr,loglevel=INFO,event=itimer,"
			     "interval=10000000,alloc=512k,lock=10ms,timeout=60,log=/tmp/asprof-log.1.7");
	assert_int_equal(a.action, AG_ACTION_START);
	assert_int_equal(a.output, AG_OUTPUT_JFR);
	assert_string_equal(a.file, "/tmp/asprof-999-7.jfr");
	assert_string_equal(a.loglevel, "INFO");
	assert_string_equal(a.event, "itimer");
	assert_int_equal(a.interval, 10000000);
	assert_int_equal(a.alloc, 512 * 1024);
	assert_int_equal(a.lock, 10000000);
	assert_int_equal(a.timeout, 60);
	assert_string_equal(a.log, "/tmp/asprof-log.1.7");
	assert_null(a.unknown);
	ag_args_free(&a);
}

static void test_units_follow_async_profiler(void **state)
{
	(void)state;
	/* Only the first suffix character counts: 10ms is 10 milli-, 1m is a million. */
	assert_int_equal(ag_parse_units("10ms", AG_UNITS_NANOS), 10000000);
	assert_int_equal(ag_parse_units("1m", AG_UNITS_UNIVERSAL), 1000000);
	assert_int_equal(ag_parse_units("5us", AG_UNITS_NANOS), 5000);
	assert_int_equal(ag_parse_units("2s", AG_UNITS_NANOS), 2000000000);
	assert_int_equal(ag_parse_units("512K", AG_UNITS_BYTES), 524288);
	assert_int_equal(ag_parse_units("1g", AG_UNITS_BYTES), 1L << 30);
	assert_int_equal(ag_parse_units("3m", AG_UNITS_BYTES), 3L << 20);
	assert_int_equal(ag_parse_units("2h", AG_UNITS_SECONDS), 7200);
	assert_int_equal(ag_parse_units("1d", AG_UNITS_SECONDS), 86400);
	/* strtol base 0: octal and hex. */
	assert_int_equal(ag_parse_units("010", AG_UNITS_NANOS), 8);
	assert_int_equal(ag_parse_units("0x10", AG_UNITS_NANOS), 16);
	assert_int_equal(ag_parse_units("10x", AG_UNITS_NANOS), -1);
	assert_int_equal(ag_parse_units("k", AG_UNITS_BYTES), -1);
	assert_int_equal(ag_parse_units("", AG_UNITS_BYTES), -1);
}

static void test_keys_ignore_case(void **state)
{
	(void)state;
	ag_args a = parse_ok("STOP,Event=wall,JFR,Threads");
	assert_int_equal(a.action, AG_ACTION_STOP);
	assert_string_equal(a.event, "wall");
	assert_int_equal(a.output, AG_OUTPUT_JFR);
	assert_true(a.threads);
	ag_args_free(&a);
}

static void test_actions(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		ag_action a;
	} cases[] = {
		{"start", AG_ACTION_START}, {"resume", AG_ACTION_RESUME}, {"stop", AG_ACTION_STOP},
		{"dump", AG_ACTION_DUMP}, {"status", AG_ACTION_STATUS}, {"check", AG_ACTION_CHECK},
		{"version", AG_ACTION_VERSION}, {"", AG_ACTION_NONE},
		/* An output format without an action means dump. */
		{"file=/tmp/x.collapsed", AG_ACTION_DUMP},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ag_args a = parse_ok(cases[i].s);
		assert_int_equal(a.action, cases[i].a);
		ag_args_free(&a);
	}
}

static void test_defaults(void **state)
{
	(void)state;
	ag_args a = parse_ok("start");
	assert_string_equal(a.event, "cpu"); /* no event at all implies cpu */
	assert_int_equal(a.interval, 0);
	assert_int_equal(a.alloc, -1);
	assert_int_equal(a.lock, -1);
	assert_int_equal(a.wall, -1);
	assert_int_equal(a.timeout, 0);
	assert_int_equal(a.jstackdepth, 2048);
	assert_false(a.quiet);
	ag_args_free(&a);

	a = parse_ok("start,alloc,lock,wall,quiet,jfr");
	assert_null(a.event); /* alloc/lock alone do not add a CPU event */
	assert_int_equal(a.alloc, 0);
	assert_int_equal(a.lock, 10000);
	assert_int_equal(a.wall, 0);
	assert_true(a.quiet);
	ag_args_free(&a);

	a = parse_ok("start,event=alloc,event=lock");
	assert_null(a.event);
	assert_int_equal(a.alloc, 0);
	assert_int_equal(a.lock, 10000);
	ag_args_free(&a);
}

static void test_output_from_file_extension(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		ag_output o;
	} cases[] = {
		{"stop,file=/tmp/a.jfr", AG_OUTPUT_JFR},
		{"stop,file=/tmp/a.html", AG_OUTPUT_FLAMEGRAPH},
		{"stop,file=/tmp/a.folded", AG_OUTPUT_COLLAPSED},
		{"stop,file=/tmp/asprof.1.2", AG_OUTPUT_TEXT},
		{"stop,file=/tmp/a.jfr,collapsed", AG_OUTPUT_COLLAPSED},
		{"stop", AG_OUTPUT_NONE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ag_args a = parse_ok(cases[i].s);
		assert_int_equal(a.output, cases[i].o);
		ag_args_free(&a);
	}
	assert_string_equal(parse_error("stop,file=/tmp/a.svg"),
		"SVG format is obsolete, use .html for FlameGraph");
}

static void test_malformed_options(void **state)
{
	(void)state;
	assert_string_equal(parse_error("start,interval=abc"), "Invalid interval");
	assert_string_equal(parse_error("start,interval=0"), "Invalid interval");
	assert_string_equal(parse_error("start,interval"), "Invalid interval");
	assert_string_equal(parse_error("start,timeout=1x"), "Invalid timeout");
	assert_string_equal(parse_error("start,timeout=25:00"), "Invalid timeout");
	assert_string_equal(parse_error("start,file="), "file must not be empty");
	assert_string_equal(parse_error("start,event="), "event must not be empty");
	assert_string_equal(parse_error("start,event=cpu,event=wall"), "Duplicate event argument");
	assert_string_equal(parse_error("start,alloc=1q"), "alloc must be >= 0");
	assert_string_equal(parse_error("start,lock=-1"), "lock must be >= 0");
	assert_string_equal(parse_error("start,jstackdepth=0"), "jstackdepth must be > 0");
	assert_string_equal(parse_error("start,loglevel="), "loglevel must not be empty");
	assert_string_equal(parse_error("start,event=itimer,alloc,collapsed"),
		"Only JFR output supports multiple events");
}

static void test_error_does_not_stop_parsing(void **state)
{
	(void)state;
	/* log= after the bad option still applies, so the error reaches the log file. */
	ag_args a;
	assert_false(ag_args_parse(&a, "start,interval=bad,log=/tmp/l", 0));
	assert_string_equal(a.error, "Invalid interval");
	assert_string_equal(a.log, "/tmp/l");
	ag_args_free(&a);
}

static void test_unknown_key_is_a_warning(void **state)
{
	(void)state;
	ag_args a = parse_ok("start,bogus=1,other,event=itimer");
	assert_string_equal(a.unknown, "bogus");
	assert_string_equal(a.event, "itimer");
	ag_args_free(&a);
}

static void test_timeout_forms(void **state)
{
	(void)state;
	assert_int_equal(ag_parse_timeout("60", 0), 60);
	assert_int_equal(ag_parse_timeout("2m", 0), 120);
	assert_int_equal(ag_parse_timeout("1h", 0), 3600);
	/* Wall clock: seconds until that local time of day, tomorrow if passed. */
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	char buf[32];
	time_t later = now + 3600;
	struct tm lt;
	localtime_r(&later, &lt);
	snprintf(buf, sizeof(buf), "%02d:%02d:%02d", lt.tm_hour, lt.tm_min, lt.tm_sec);
	assert_int_equal(ag_parse_timeout(buf, (long)now), 3600);
	snprintf(buf, sizeof(buf), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	assert_int_equal(ag_parse_timeout(buf, (long)now), 86400);
	assert_int_equal(ag_parse_timeout("12:61", 0), -1);
	assert_int_equal(ag_parse_timeout("", 0), -1);
}

static void test_file_patterns(void **state)
{
	(void)state;
	setenv("AG_TEST_DIR", "/data", 1);
	time_t now = 1700000000;
	struct tm tm;
	localtime_r(&now, &tm);
	char want[256];
	snprintf(want, sizeof(want), "/data/p%d-%04d%02d%02d-%02d%02d%02d.jfr%%q%%", (int)getpid(),
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	ag_args a;
	assert_true(ag_args_parse(&a, "dump,file=%{AG_TEST_DIR}/p%p-%t.jfr%q%", (long)now));
	assert_string_equal(a.file, want);
	assert_int_equal(a.output, AG_OUTPUT_TEXT); /* the extension after expansion decides */
	ag_args_free(&a);
	assert_true(ag_args_parse(&a, "dump,file=/tmp/%{AG_TEST_UNSET_VAR}x.jfr", 0));
	assert_string_equal(a.file, "/tmp/x.jfr");
	assert_int_equal(a.output, AG_OUTPUT_JFR);
	ag_args_free(&a);
}

static void test_agct_crash_prone_jdks(void **state)
{
	(void)state;
	static const struct {
		const char *v;
		bool unsafe;
	} cases[] = {
		{"1.8.0_345", true}, {"1.8.0_352", false}, {"1.8.0_402", false},
		{"11.0.16", true}, {"11.0.17", false}, {"11.0.22", false},
		{"17", true}, {"17.0.4.1", true}, {"17.0.5", false}, {"17.0.15", false},
		{"9.0.4", true}, {"15.0.2", true}, {"18", false}, {"21.0.1", false}, {"25", false},
		{"weird", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (ag_jdk_agct_unsafe(cases[i].v) != cases[i].unsafe)
			fail_msg("%s: want unsafe=%d", cases[i].v, cases[i].unsafe);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloy_start_string),
		cmocka_unit_test(test_units_follow_async_profiler),
		cmocka_unit_test(test_keys_ignore_case),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_output_from_file_extension),
		cmocka_unit_test(test_malformed_options),
		cmocka_unit_test(test_error_does_not_stop_parsing),
		cmocka_unit_test(test_unknown_key_is_a_warning),
		cmocka_unit_test(test_timeout_forms),
		cmocka_unit_test(test_agct_crash_prone_jdks),
		cmocka_unit_test(test_file_patterns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
