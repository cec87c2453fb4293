/*
 * The agent's JFR writer, read back with pyrojava's own reader and
 * converter: a window of CPU, wall, allocation, lock and park events (synthetic
 * frames, so no JVM is needed) must come out as one complete chunk with
 * async-profiler's event types, settings, stacks and thread names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "../../agent/jfr_writer.h" /* not the test helper beside this file */
#include "profile/jfr_pprof.h"
#include "profile/jfr_reader.h"
#include "sampler.h"
#include "storage.h"

typedef struct recording {
	char path[64];
	uint8_t *data;
	size_t len;
} recording;

/* A stack of one synthetic frame standing for AsyncGetCallTrace's `code`. */
static void add(ag_window *w, ag_event_kind kind, int32_t code, const char *cls, uint64_t value,
	uint8_t state)
{
	ag_frame f = {.bci = code, .method = NULL};
	ag_event ev = {
		.ticks = ag_ticks(), .tid = ag_gettid(), .kind = (uint8_t)kind, .state = state,
		.samples = 1, .cls = cls, .value = value, .weight = 524288,
	};
	assert_true(ag_record(w, &f, 1, &ev));
}

static int write_recording(void **state)
{
	static recording rec;
	assert_true(ag_storage_init());
	ag_storage_open(true);
	ag_window *w = ag_window_enter();
	for (int i = 0; i < 3; i++)
		add(w, AG_EV_CPU, -5, NULL, 0, AG_STATE_DEFAULT);
	add(w, AG_EV_WALL, 0, NULL, 0, AG_STATE_SLEEPING);
	add(w, AG_EV_WALL, 0, NULL, 0, AG_STATE_RUNNABLE);
	add(w, AG_EV_ALLOC_IN_TLAB, -5, "java/lang/String", 24, 0);
	add(w, AG_EV_LOCK, -2, "java/lang/Object", 5000000, 0);
	/* Parks: one with a timeout (524288 ns, the helper's weight) and a blocker, one without either. */
	add(w, AG_EV_PARK, -7, "java/util/concurrent/locks/ReentrantLock$NonfairSync", 7000000,
		AG_PARK_TIMEOUT);
	add(w, AG_EV_PARK, -7, NULL, 3000000, AG_PARK_FOREVER);
	/* A stack as deep as jstackdepth (below) was cut by the walker. */
	ag_frame deep[2] = {{.bci = -9}, {.bci = -7}};
	ag_event ev = {.ticks = ag_ticks(), .tid = ag_gettid(), .kind = AG_EV_CPU, .samples = 1};
	assert_true(ag_record(w, deep, 2, &ev));
	ag_window_leave(w);
	w = ag_storage_close(false);
	ag_jfr_settings s = {
		.engine = "itimer", .event = "itimer", .interval = 10000000, .wall = -1,
		.alloc = 524288, .lock = 10000000, .jstackdepth = 2,
	};
	snprintf(rec.path, sizeof(rec.path), "/tmp/test_agent_jfr.%d.jfr", (int)getpid());
	char err[256];
	if (!ag_jfr_write(rec.path, w, &s, err, sizeof(err)))
		fail_msg("%s", err);
	FILE *f = fopen(rec.path, "rb");
	assert_non_null(f);
	rec.data = malloc(1 << 20);
	rec.len = fread(rec.data, 1, 1 << 20, f);
	fclose(f);
	*state = &rec;
	return 0;
}

static int remove_recording(void **state)
{
	recording *rec = *state;
	unlink(rec->path);
	free(rec->data);
	return 0;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void test_header_describes_a_finished_chunk(void **state)
{
	recording *rec = *state;
	assert_true(rec->len > 68);
	assert_memory_equal(rec->data, "FLR\0\0\2\0\0", 8);
	assert_int_equal(be64(rec->data + 8), rec->len); /* chunk size */
	assert_int_equal(be64(rec->data + 24), 68); /* metadata right after the header */
	assert_true(be64(rec->data + 16) > 68 && be64(rec->data + 16) < rec->len); /* checkpoint */
	assert_int_equal(be64(rec->data + 56), 1000000000); /* ns ticks */
	assert_int_equal(rec->data[64], 0); /* finished */
	assert_int_equal(rec->data[67], 1); /* compressed integers */
	/* Nothing was left behind under the temporary name. */
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", rec->path, (int)getpid());
	assert_int_not_equal(access(tmp, F_OK), 0);
}

static void count_events(jfr_reader *r, const char *cls_name, int want)
{
	int32_t cls = jfr_reader_class(r, cls_name);
	if (cls < 0)
		fail_msg("no class %s", cls_name);
	int n = 0, rc;
	jfr_event ev;
	while ((rc = jfr_reader_next_event(r, &ev)) > 0)
		n += ev.cls == cls;
	assert_int_equal(rc, 0);
	if (n != want)
		fail_msg("%s: %d events, want %d", cls_name, n, want);
}

static void test_events_by_type(void **state)
{
	recording *rec = *state;
	static const struct {
		const char *cls;
		int n;
	} want[] = {
		{"jdk.ExecutionSample", 4}, {"profiler.WallClockSample", 2},
		{"jdk.ObjectAllocationInNewTLAB", 1}, {"jdk.ObjectAllocationOutsideTLAB", 0},
		{"jdk.JavaMonitorEnter", 1}, {"jdk.ThreadPark", 2},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		jfr_reader *r = jfr_reader_new(rec->data, rec->len);
		assert_int_equal(jfr_reader_next_chunk(r), 1);
		count_events(r, want[i].cls, want[i].n);
		assert_int_equal(jfr_reader_next_chunk(r), 0);
		jfr_reader_free(r);
	}
}

static void test_event_setting_names_the_engine(void **state)
{
	recording *rec = *state;
	jfr_reader *r = jfr_reader_new(rec->data, rec->len);
	assert_int_equal(jfr_reader_next_chunk(r), 1);
	int32_t cls = jfr_reader_class(r, "jdk.ActiveSetting");
	int32_t fname = jfr_reader_field(r, cls, "name"), fvalue = jfr_reader_field(r, cls, "value");
	assert_true(cls >= 0 && fname >= 0 && fvalue >= 0);
	char event[32] = "", engine[32] = "";
	jfr_event ev;
	while (jfr_reader_next_event(r, &ev) > 0) {
		jfr_value v[8];
		jfr_str name, value;
		if (ev.cls != cls || !jfr_reader_decode(r, cls, ev.body, ev.end, v, 8, NULL))
			continue;
		assert_true(jfr_reader_string(r, v[fname].pos, &name));
		assert_true(jfr_reader_string(r, v[fvalue].pos, &value));
		char *dst = name.len == 5 && memcmp(name.ptr, "event", 5) == 0 ? event
			: name.len == 6 && memcmp(name.ptr, "engine", 6) == 0 ? engine
			: NULL;
		if (dst && !value.null)
			snprintf(dst, 32, "%.*s", (int)value.len, value.ptr);
	}
	assert_string_equal(event, "itimer");
	assert_string_equal(engine, "itimer");
	jfr_reader_free(r);
}

/* The JDK's encoding: timeout in ns or until in epoch ms, Long.MIN_VALUE for the other; no blocker = null class. */
static void test_park_fields_follow_the_jdk(void **state)
{
	recording *rec = *state;
	jfr_reader *r = jfr_reader_new(rec->data, rec->len);
	assert_int_equal(jfr_reader_next_chunk(r), 1);
	int32_t cls = jfr_reader_class(r, "jdk.ThreadPark");
	int32_t fdur = jfr_reader_field(r, cls, "duration"), fclass = jfr_reader_field(r, cls, "parkedClass");
	int32_t ftimeout = jfr_reader_field(r, cls, "timeout"), funtil = jfr_reader_field(r, cls, "until");
	assert_true(cls >= 0 && fdur >= 0 && fclass >= 0 && ftimeout >= 0 && funtil >= 0);
	assert_true(jfr_reader_field(r, cls, "address") >= 0 && jfr_reader_field(r, cls, "stackTrace") >= 0);
	int seen = 0;
	jfr_event ev;
	while (jfr_reader_next_event(r, &ev) > 0) {
		jfr_value v[8];
		if (ev.cls != cls)
			continue;
		assert_true(jfr_reader_decode(r, cls, ev.body, ev.end, v, 8, NULL));
		assert_int_equal(v[funtil].u, (uint64_t)INT64_MIN);
		if (v[fdur].u == 7000000) {
			assert_int_not_equal(v[fclass].u, 0);
			assert_int_equal(v[ftimeout].u, 524288);
		} else {
			assert_int_equal(v[fdur].u, 3000000);
			assert_int_equal(v[fclass].u, 0);
			assert_int_equal(v[ftimeout].u, (uint64_t)INT64_MIN);
		}
		seen++;
	}
	assert_int_equal(seen, 2);
	jfr_reader_free(r);
}

static const jfr_profile *profile(const jfr_profiles *p, const char *name)
{
	for (size_t i = 0; i < p->count; i++)
		if (strcmp(p->items[i].name, name) == 0)
			return &p->items[i];
	fail_msg("no profile %s", name);
	return NULL;
}

static void test_converter_sees_stacks_threads_and_values(void **state)
{
	recording *rec = *state;
	jfr_convert_options o = JFR_CONVERT_OPTIONS_INIT;
	o.per_thread = true;
	jfr_profiles out;
	char *err = NULL;
	if (!jfr_convert(rec->data, rec->len, &o, &out, &err))
		fail_msg("%s", err);
	assert_string_equal(out.event, "itimer");
	/* The thread's OS name is this test's; every stack is its one synthetic frame. */
	char comm[64] = "";
	FILE *f = fopen("/proc/self/comm", "r");
	assert_non_null(f);
	assert_non_null(fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	pj_buf b = {0};
	pprof_write_collapsed(profile(&out, "process_cpu_cpu__nanoseconds")->builder, &b);
	assert_non_null(strstr(pj_buf_cstr(&b), comm));
	assert_non_null(strstr(pj_buf_cstr(&b), "unknown_Java:0 [30000000]"));
	pj_buf_reset(&b);
	pprof_write_collapsed(
		profile(&out, "memory_alloc_in_new_tlab_objects__count alloc_in_new_tlab_bytes__bytes")
			->builder,
		&b);
	assert_non_null(strstr(pj_buf_cstr(&b), "unknown_Java:0 [1 524288]"));
	pj_buf_reset(&b);
	pprof_write_collapsed(profile(&out, "mutex_contentions__count delay__nanoseconds")->builder, &b);
	assert_non_null(strstr(pj_buf_cstr(&b), "GC_active:0 [1 5000000]"));
	pj_buf_reset(&b);
	pprof_write_collapsed(profile(&out, "block_contentions__count delay__nanoseconds")->builder, &b);
	assert_non_null(strstr(pj_buf_cstr(&b), "unknown_state:0 [2 10000000]"));
	pj_buf_reset(&b);
	pprof_write_collapsed(profile(&out, "wall_wall__nanoseconds")->builder, &b);
	assert_non_null(strstr(pj_buf_cstr(&b), "no_Java_frame:0 [20000000]"));
	pj_buf_free(&b);
	jfr_profiles_free(&out);
}

static void test_stacks_cut_at_jstackdepth_are_truncated(void **state)
{
	recording *rec = *state;
	jfr_convert_options o = JFR_CONVERT_OPTIONS_INIT;
	o.truncated_frame = true;
	jfr_profiles out;
	char *err = NULL;
	if (!jfr_convert(rec->data, rec->len, &o, &out, &err))
		fail_msg("%s", err);
	pj_buf b = {0};
	pprof_write_collapsed(profile(&out, "process_cpu_cpu__nanoseconds")->builder, &b);
	const char *text = pj_buf_cstr(&b);
	/* Synthetic frames have an empty class, hence the converter's leading dot. */
	assert_non_null(strstr(text, "[truncated]:0;.unknown_state:0;.deopt:0 [10000000]"));
	assert_null(strstr(text, "[truncated]:0;.unknown_Java"));
	pj_buf_free(&b);
	jfr_profiles_free(&out);
}

static void test_unwritable_path_reports_the_file(void **state)
{
	(void)state;
	ag_window *w = ag_storage_last();
	ag_jfr_settings s = {.interval = -1, .wall = -1, .alloc = -1, .lock = -1, .jstackdepth = 1};
	char err[256] = "";
	assert_false(ag_jfr_write("/nonexistent-dir/x.jfr", w, &s, err, sizeof(err)));
	assert_non_null(strstr(err, "Could not open output file: /nonexistent-dir/x.jfr"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_describes_a_finished_chunk),
		cmocka_unit_test(test_events_by_type),
		cmocka_unit_test(test_event_setting_names_the_engine),
		cmocka_unit_test(test_park_fields_follow_the_jdk),
		cmocka_unit_test(test_converter_sees_stacks_threads_and_values),
		cmocka_unit_test(test_stacks_cut_at_jstackdepth_are_truncated),
		cmocka_unit_test(test_unwritable_path_reports_the_file),
	};
	return cmocka_run_group_tests(tests, write_recording, remove_recording);
}
