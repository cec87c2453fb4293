/* Unit tests for src/runtime/log: Alloy's line formats, quoting, levels, log-once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/log.h"

static long fake_nsec = 123456789;

static void fake_clock(struct timespec *ts)
{
	ts->tv_sec = 1795676400; /* 2026-11-26T07:00:00Z */
	ts->tv_nsec = fake_nsec;
}

typedef struct capture {
	char *data;
	size_t len;
	FILE *f;
} capture;

static int setup(void **state)
{
	capture *c = calloc(1, sizeof(*c));
	c->f = open_memstream(&c->data, &c->len);
	assert_non_null(c->f);
	fake_nsec = 123456789;
	pj_log_set_output(c->f);
	pj_log_set_clock(fake_clock);
	pj_log_configure(PJ_LOG_DEBUG, PJ_LOG_LOGFMT);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	capture *c = *state;
	pj_log_set_output(NULL);
	pj_log_set_clock(NULL);
	pj_log_configure(PJ_LOG_INFO, PJ_LOG_LOGFMT);
	fclose(c->f);
	free(c->data);
	free(c);
	return 0;
}

/* Everything written since the last call. */
static const char *take(capture *c)
{
	static char copy[4096];
	pj_log_set_output(NULL);
	fclose(c->f);
	assert_true(c->len < sizeof(copy));
	memcpy(copy, c->data, c->len + 1);
	free(c->data);
	c->f = open_memstream(&c->data, &c->len);
	assert_non_null(c->f);
	pj_log_set_output(c->f);
	return copy;
}

static void test_logfmt_line_matches_alloy(void **state)
{
	capture *c = *state;
	pj_log(PJ_LOG_INFO, "pyroscope.java.jvms", "profiling target", "pid", "4242", NULL);
	assert_string_equal(take(c),
			    "ts=2026-11-26T07:00:00.123456789Z level=info msg=\"profiling target\" "
			    "component_path=/ component_id=pyroscope.java.jvms pid=4242\n");
	pj_log(PJ_LOG_WARN, NULL, "hello", NULL);
	assert_string_equal(take(c), "ts=2026-11-26T07:00:00.123456789Z level=warn msg=hello\n");
}

static void test_timestamp_trims_trailing_zeros(void **state)
{
	capture *c = *state;
	fake_nsec = 500000000;
	pj_log(PJ_LOG_ERROR, NULL, "x", NULL);
	assert_string_equal(take(c), "ts=2026-11-26T07:00:00.5Z level=error msg=x\n");
	fake_nsec = 0;
	pj_log(PJ_LOG_DEBUG, NULL, "x", NULL);
	assert_string_equal(take(c), "ts=2026-11-26T07:00:00Z level=debug msg=x\n");
}

static void test_logfmt_quotes_like_slog(void **state)
{
	capture *c = *state;
	fake_nsec = 0;
	pj_log(PJ_LOG_INFO, NULL, "m", "plain", "a/b:c-1.5s", "space", "a b", "eq", "a=b", "quote",
	       "say \"hi\"", "empty", "", "nullv", NULL, "nl", "line1\nline2\ttab", "bs", "C:\\dir",
	       "utf8", "gr\xc3\xbc\xc3\x9f", "bad", "x\xffy", "nbsp", "a\xc2\xa0" "b", NULL);
	assert_string_equal(take(c), "ts=2026-11-26T07:00:00Z level=info msg=m plain=a/b:c-1.5s "
				     "space=\"a b\" eq=\"a=b\" quote=\"say \\\"hi\\\"\" empty=\"\" "
				     "nullv=\"\" nl=\"line1\\nline2\\ttab\" bs=C:\\dir "
				     "utf8=gr\xc3\xbc\xc3\x9f bad=\"x\\xffy\" nbsp=\"a\\u00a0b\"\n");
}

static void test_keys_are_sanitised_and_empty_msg_dropped(void **state)
{
	capture *c = *state;
	fake_nsec = 0;
	pj_log(PJ_LOG_INFO, NULL, "", " my key=x\"y ", "v", NULL);
	assert_string_equal(take(c), "ts=2026-11-26T07:00:00Z level=info my_key_x_y=v\n");
}

static void test_json_format(void **state)
{
	capture *c = *state;
	pj_log_configure(PJ_LOG_DEBUG, PJ_LOG_JSON);
	pj_log(PJ_LOG_ERROR, "pyroscope.write.backend", "failed to push", "err",
	       "Post \"http://x\": dial\ttcp\n\x01", "bad", "\xff", NULL);
	assert_string_equal(take(c),
			    "{\"ts\":\"2026-11-26T07:00:00.123456789Z\",\"level\":\"error\","
			    "\"msg\":\"failed to push\",\"component_path\":\"/\","
			    "\"component_id\":\"pyroscope.write.backend\","
			    "\"err\":\"Post \\\"http://x\\\": dial\\ttcp\\n\\u0001\",\"bad\":\"\\ufffd\"}\n");
}

static void test_level_filtering_follows_configuration(void **state)
{
	capture *c = *state;
	fake_nsec = 0;
	pj_log_configure(PJ_LOG_WARN, PJ_LOG_LOGFMT);
	pj_log(PJ_LOG_DEBUG, NULL, "d", NULL);
	pj_log(PJ_LOG_INFO, NULL, "i", NULL);
	pj_log(PJ_LOG_WARN, NULL, "w", NULL);
	pj_log(PJ_LOG_ERROR, NULL, "e", NULL);
	assert_string_equal(take(c), "ts=2026-11-26T07:00:00Z level=warn msg=w\n"
				     "ts=2026-11-26T07:00:00Z level=error msg=e\n");
	assert_false(pj_log_enabled(PJ_LOG_INFO));
	pj_log_configure(PJ_LOG_DEBUG, PJ_LOG_LOGFMT);
	pj_log(PJ_LOG_DEBUG, NULL, "d", NULL);
	assert_string_equal(take(c), "ts=2026-11-26T07:00:00Z level=debug msg=d\n");
}

static void test_parse_level_and_format(void **state)
{
	(void)state;
	pj_log_level level = PJ_LOG_ERROR;
	pj_log_format format = PJ_LOG_JSON;
	char *err = NULL;
	assert_true(pj_log_parse_level("", &level, &err));
	assert_int_equal(level, PJ_LOG_INFO);
	assert_true(pj_log_parse_level("debug", &level, &err));
	assert_int_equal(level, PJ_LOG_DEBUG);
	assert_true(pj_log_parse_level("warn", &level, &err));
	assert_int_equal(level, PJ_LOG_WARN);
	assert_false(pj_log_parse_level("verbose", &level, &err));
	assert_string_equal(err, "unrecognized log level \"verbose\"");
	free(err);
	assert_true(pj_log_parse_format("json", &format, &err));
	assert_int_equal(format, PJ_LOG_JSON);
	assert_true(pj_log_parse_format("logfmt", &format, &err));
	assert_int_equal(format, PJ_LOG_LOGFMT);
	assert_false(pj_log_parse_format("text", &format, &err));
	assert_string_equal(err, "unrecognized log format \"text\"");
	free(err);
}

static void test_builder_formats_values(void **state)
{
	capture *c = *state;
	fake_nsec = 0;
	pj_log_entry e;
	pj_log_begin(&e, PJ_LOG_INFO, "discovery.process.local", "scan done");
	pj_log_kvf(&e, "targets", "%d", 17);
	pj_log_kvf(&e, "duration", "%.1fms", 2.5);
	pj_log_kv(&e, "note", "all good");
	pj_log_end(&e);
	assert_string_equal(take(c), "ts=2026-11-26T07:00:00Z level=info msg=\"scan done\" "
				     "component_path=/ component_id=discovery.process.local "
				     "targets=17 duration=2.5ms note=\"all good\"\n");
	pj_log_begin(&e, PJ_LOG_DEBUG, NULL, "hidden");
	pj_log_configure(PJ_LOG_INFO, PJ_LOG_LOGFMT);
	pj_log_kvf(&e, "k", "%s", "v");
	pj_log_end(&e);
	pj_log_begin(&e, PJ_LOG_DEBUG, NULL, "dropped");
	pj_log_kvf(&e, "k", "%s", "v");
	pj_log_end(&e);
	assert_string_equal(take(c), "ts=2026-11-26T07:00:00Z level=debug msg=hidden k=v\n");
}

static void test_log_once_per_cause(void **state)
{
	capture *c = *state;
	fake_nsec = 0;
	pj_log_once *once = pj_log_once_new();
	for (int i = 0; i < 5; i++)
		pj_log_once_log(once, "pid 42", "connection refused", PJ_LOG_WARN, "pyroscope.java.jvms",
				"profiling failed", "pid", "42", NULL);
	assert_string_equal(take(c), "ts=2026-11-26T07:00:00Z level=warn msg=\"profiling failed\" "
				     "component_path=/ component_id=pyroscope.java.jvms pid=42 "
				     "err=\"connection refused\"\n");
	/* Another key is independent. */
	assert_true(pj_log_once_should(once, "pid 43", "connection refused"));
	assert_false(pj_log_once_should(once, "pid 43", "connection refused"));
	/* A new cause is logged once. */
	assert_true(pj_log_once_log(once, "pid 42", "no such process", PJ_LOG_WARN, NULL, "failed",
				    NULL));
	assert_false(pj_log_once_log(once, "pid 42", "no such process", PJ_LOG_WARN, NULL, "failed",
				     NULL));
	assert_string_equal(take(c), "ts=2026-11-26T07:00:00Z level=warn msg=failed "
				     "err=\"no such process\"\n");
	/* After a recovery the same cause is news again. */
	assert_true(pj_log_once_clear(once, "pid 42"));
	assert_false(pj_log_once_clear(once, "pid 42"));
	assert_true(pj_log_once_should(once, "pid 42", "no such process"));
	pj_log_once_free(once);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_logfmt_line_matches_alloy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timestamp_trims_trailing_zeros, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logfmt_quotes_like_slog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_are_sanitised_and_empty_msg_dropped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_filtering_follows_configuration, setup,
						teardown),
		cmocka_unit_test(test_parse_level_and_format),
		cmocka_unit_test_setup_teardown(test_builder_formats_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_once_per_cause, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
