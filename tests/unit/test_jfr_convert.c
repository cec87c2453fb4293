/*
 * Unit tests for src/profile/jfr_pprof (JFR -> pprof) and jfr_symbols on
 * small recordings written by tests/unit/jfr_writer.h: the event -> profile
 * mapping, value scaling, the fixes over jfr-parser, options and errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jfr_recording.h"
#include "profile/jfr_pprof.h"
#include "profile/jfr_symbols.h"

#define MAIN_LEAF "com/example/App.main:20;com/example/App.leaf:10"
#define LAMBDA "com/example/App$$Lambda_.run:4294967295"

static jfr_profiles convert(const pj_buf *f, const jfr_convert_options *o)
{
	jfr_profiles out;
	char *err = NULL;
	if (!jfr_convert((const uint8_t *)f->data, f->len, o, &out, &err))
		fail_msg("conversion failed: %s", err);
	return out;
}

static jfr_profiles convert_default(const pj_buf *f)
{
	jfr_convert_options o = JFR_CONVERT_OPTIONS_INIT;
	return convert(f, &o);
}

static const jfr_profile *find(const jfr_profiles *p, const char *name)
{
	for (size_t i = 0; i < p->count; i++) {
		if (strcmp(p->items[i].name, name) == 0)
			return &p->items[i];
	}
	fail_msg("no profile %s", name);
	return NULL;
}

static void assert_collapsed(const jfr_profiles *p, const char *name, const char *want)
{
	pj_buf b = PJ_BUF_INIT;
	pprof_write_collapsed(find(p, name)->builder, &b);
	assert_string_equal(pj_buf_cstr(&b), want);
	pj_buf_free(&b);
}

static const char *CPU = "process_cpu_cpu__nanoseconds";
static const char *WALL = "wall_wall__nanoseconds";
static const char *TLAB = "memory_alloc_in_new_tlab_objects__count alloc_in_new_tlab_bytes__bytes";
static const char *MUTEX = "mutex_contentions__count delay__nanoseconds";

static void test_cpu_samples_names_and_lines(void **state)
{
	(void)state;
	tw w = {0};
	rec_opts o = {0};
	rec_start(&w, &o);
	rec_setting(&w, "event", "itimer");
	rec_exec(&w, 7, 1, 0);
	rec_exec(&w, 7, 1, 0);
	rec_exec(&w, 8, 2, 0);
	rec_finish(&w, &o);
	jfr_profiles p = convert_default(&w.out);
	assert_int_equal(p.count, 1);
	assert_string_equal(p.items[0].metric, "process_cpu");
	assert_string_equal(p.items[0].name, CPU);
	assert_string_equal(p.items[0].sample_types[0], "cpu");
	assert_string_equal(p.items[0].period_type, "cpu");
	assert_string_equal(p.event, "itimer");
	/* Lambda class normalised; the JDK's -1 line number shows unsigned, as jfr-parser prints it. */
	assert_collapsed(&p, CPU, LAMBDA " [10000000]\n" MAIN_LEAF " [20000000]");
	jfr_profiles_free(&p);
	pj_buf_free(&w.out);
}

static void test_sample_rate_scales_cpu_values(void **state)
{
	(void)state;
	tw w = {0};
	rec_opts o = {0};
	rec_start(&w, &o);
	rec_exec(&w, 7, 1, 0);
	rec_finish(&w, &o);
	jfr_convert_options co = JFR_CONVERT_OPTIONS_INIT;
	co.sample_rate = 250;
	jfr_profiles p = convert(&w.out, &co);
	assert_collapsed(&p, CPU, MAIN_LEAF " [4000000]");
	jfr_profiles_free(&p);
	co.sample_rate = 0;
	p = convert(&w.out, &co);
	assert_collapsed(&p, CPU, ""); /* all-zero lines are dropped */
	jfr_profiles_free(&p);
	pj_buf_free(&w.out);
}

/*
 * jfr-parser reuses a WallClockSample's `samples` as the count of every later
 * event; here each event counts itself (docs/jfr-conversion.md, Deviations).
 */
static void test_wall_sample_count_does_not_stick(void **state)
{
	(void)state;
	tw w = {0};
	rec_opts o = {0};
	rec_start(&w, &o);
	rec_setting(&w, "event", "itimer");
	rec_wall(&w, 1, 2, 5);
	rec_exec(&w, 7, 2, 0);
	rec_alloc(&w, 2, 524288);
	rec_finish(&w, &o);
	jfr_profiles p = convert_default(&w.out);
	assert_int_equal(p.count, 3);
	assert_collapsed(&p, WALL, MAIN_LEAF " [50000000]");
	assert_collapsed(&p, CPU, LAMBDA " [10000000]");
	assert_collapsed(&p, TLAB, LAMBDA " [1 524288]");
	jfr_profiles_free(&p);
	pj_buf_free(&w.out);
}

/* event=wall: ExecutionSamples are wall samples too; RUNNABLE wall samples are also CPU. */
static void test_wall_mode_routing(void **state)
{
	(void)state;
	tw w = {0};
	rec_opts o = {0};
	rec_start(&w, &o);
	rec_setting(&w, "event", "wall");
	rec_exec(&w, 7, 1, 2); /* SLEEPING: wall only */
	rec_exec(&w, 7, 2, 1); /* RUNNABLE: cpu and wall */
	rec_wall(&w, 1, 1, 3); /* RUNNABLE wall sample: wall and cpu */
	rec_wall(&w, 2, 2, 4); /* SLEEPING wall sample: wall only */
	rec_finish(&w, &o);
	jfr_profiles p = convert_default(&w.out);
	assert_int_equal(p.count, 2);
	assert_string_equal(p.items[0].name, CPU);
	assert_string_equal(p.items[1].name, WALL);
	assert_collapsed(&p, CPU, LAMBDA " [10000000]\n" MAIN_LEAF " [30000000]");
	assert_collapsed(&p, WALL, LAMBDA " [50000000]\n" MAIN_LEAF " [40000000]");
	assert_string_equal(p.event, "wall");
	jfr_profiles_free(&p);
	pj_buf_free(&w.out);
}

/* Without event=wall, sleeping ExecutionSamples are dropped and wall samples stay wall-only. */
static void test_cpu_mode_routing(void **state)
{
	(void)state;
	tw w = {0};
	rec_opts o = {0};
	rec_start(&w, &o);
	rec_exec(&w, 7, 1, 2);
	rec_exec(&w, 7, 99, 0); /* stack trace not in the pool: dropped */
	rec_exec(&w, 7, 1, 77); /* state not in the pool: not CPU */
	rec_wall(&w, 1, 1, 3);
	rec_finish(&w, &o);
	jfr_profiles p = convert_default(&w.out);
	assert_null(p.event);
	assert_int_equal(p.count, 2);
	assert_collapsed(&p, CPU, "");
	assert_collapsed(&p, WALL, MAIN_LEAF " [30000000]");
	jfr_profiles_free(&p);
	pj_buf_free(&w.out);
}

/* jfr-parser reports lock delays in ticks; they are nanoseconds here. */
static void test_lock_delay_in_nanoseconds(void **state)
{
	(void)state;
	tw w = {0};
	rec_opts o = {.ticks_per_second = 2000000000};
	rec_start(&w, &o);
	rec_monitor(&w, 1, 3000);
	rec_monitor(&w, 1, 5001);
	rec_finish(&w, &o);
	jfr_profiles p = convert_default(&w.out);
	assert_int_equal(p.count, 1);
	assert_string_equal(p.items[0].metric, "mutex");
	assert_string_equal(p.items[0].sample_types[1], "delay");
	assert_string_equal(p.items[0].sample_units[1], "nanoseconds");
	assert_string_equal(p.items[0].period_type, "mutex");
	assert_collapsed(&p, MUTEX, MAIN_LEAF " [2 4000]");
	jfr_profiles_free(&p);
	pj_buf_free(&w.out);
}

static void test_per_thread_root_frame(void **state)
{
	(void)state;
	tw w = {0};
	rec_opts o = {0};
	rec_start(&w, &o);
	rec_exec(&w, 7, 1, 0);
	rec_exec(&w, 8, 1, 0); /* GC Thread#0: no Java name, the OS name is used */
	rec_exec(&w, 9, 1, 0); /* unknown thread */
	rec_finish(&w, &o);
	jfr_convert_options co = JFR_CONVERT_OPTIONS_INIT;
	co.per_thread = true;
	jfr_profiles p = convert(&w.out, &co);
	assert_collapsed(&p, CPU,
		"GC Thread#0:0;" MAIN_LEAF " [10000000]\n"
		"[tid=9]:0;" MAIN_LEAF " [10000000]\n"
		"main:0;" MAIN_LEAF " [10000000]");
	jfr_profiles_free(&p);
	pj_buf_free(&w.out);
}

static void test_truncated_frame_option(void **state)
{
	(void)state;
	tw w = {0};
	rec_opts o = {0};
	rec_start(&w, &o);
	rec_exec(&w, 7, 1, 0);
	rec_exec(&w, 7, 2, 0);
	rec_finish(&w, &o);
	jfr_convert_options co = JFR_CONVERT_OPTIONS_INIT;
	co.truncated_frame = true;
	jfr_profiles p = convert(&w.out, &co);
	assert_collapsed(&p, CPU, "[truncated]:0;" LAMBDA " [10000000]\n" MAIN_LEAF " [10000000]");
	jfr_profiles_free(&p);
	pj_buf_free(&w.out);
}

/* Every encoding and layout gives the same profile. */
static void test_encodings_convert_alike(void **state)
{
	(void)state;
	const rec_opts variants[] = {
		{.symbol_enc = 4}, {.symbol_enc = 5}, {.symbol_enc = 2}, {.fixed_ints = true},
		{.split_pools = true, .symbol_base = 0x4F20000300ULL},
	};
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		tw w = {0};
		rec_start(&w, &variants[i]);
		rec_exec(&w, 7, 1, 0);
		rec_exec(&w, 7, 2, 0);
		rec_finish(&w, &variants[i]);
		jfr_profiles p = convert_default(&w.out);
		assert_collapsed(&p, CPU, LAMBDA " [10000000]\n" MAIN_LEAF " [10000000]");
		jfr_profiles_free(&p);
		pj_buf_free(&w.out);
	}
}

/* Same stack in two chunks: one line with the sum; a cut third chunk gives a warning. */
static void test_chunks_sum_and_truncation_warns(void **state)
{
	(void)state;
	pj_buf file = PJ_BUF_INIT;
	for (int i = 0; i < 3; i++) {
		tw w = {0};
		rec_opts o = {0};
		rec_start(&w, &o);
		rec_exec(&w, 7, 1, 0);
		rec_finish(&w, &o);
		pj_buf_append(&file, w.out.data, i < 2 ? w.out.len : w.out.len / 2);
		pj_buf_free(&w.out);
	}
	jfr_profiles p = convert_default(&file);
	assert_int_equal(p.chunks, 2);
	assert_non_null(p.warning);
	assert_non_null(strstr(p.warning, "incomplete chunk"));
	assert_collapsed(&p, CPU, MAIN_LEAF " [20000000]");
	jfr_profiles_free(&p);
	pj_buf_free(&file);
}

static void test_profile_header_fields(void **state)
{
	(void)state;
	tw w = {0};
	rec_opts o = {0};
	rec_start(&w, &o);
	rec_exec(&w, 7, 1, 0);
	rec_alloc(&w, 1, 100);
	rec_finish(&w, &o);
	jfr_convert_options co = JFR_CONVERT_OPTIONS_INIT;
	co.start_nanos = 1700000000000000000LL;
	co.end_nanos = co.start_nanos + 15000000000LL;
	jfr_profiles p = convert(&w.out, &co);
	assert_int_equal(p.count, 2);
	assert_string_equal(p.items[0].name, TLAB); /* sorted by name: memory_ < process_ */
	assert_string_equal(p.items[0].metric, "memory");
	assert_int_equal(p.items[0].nsample_types, 2);
	assert_string_equal(pprof_sample_type_name(p.items[0].builder, 1), "alloc_in_new_tlab_bytes");
	assert_string_equal(pprof_sample_type_unit(p.items[0].builder, 1), "bytes");
	pj_buf enc = PJ_BUF_INIT;
	pprof_encode(p.items[1].builder, &enc);
	/* time_nanos (field 9) and duration_nanos (field 10) as varints. */
	const uint8_t time_field[] = {0x48, 0x80, 0x80, 0xa8, 0xb1, 0xe3, 0x9f, 0xe7, 0xcb, 0x17};
	const uint8_t duration_field[] = {0x50, 0x80, 0xac, 0xc7, 0xf0, 0x37};
	assert_non_null(memmem(enc.data, enc.len, time_field, sizeof(time_field)));
	assert_non_null(memmem(enc.data, enc.len, duration_field, sizeof(duration_field)));
	pj_buf_free(&enc);
	jfr_profiles_free(&p);
	pj_buf_free(&w.out);
}

static void test_malformed_input_is_an_error(void **state)
{
	(void)state;
	tw w = {0};
	rec_opts o = {0};
	rec_start(&w, &o);
	size_t bad = w.out.len;
	tw_byte(&w.out, 0);
	rec_finish(&w, &o);
	jfr_convert_options co = JFR_CONVERT_OPTIONS_INIT;
	jfr_profiles p;
	char *err = NULL;
	assert_false(jfr_convert((const uint8_t *)w.out.data, w.out.len, &co, &p, &err));
	char want[64];
	snprintf(want, sizeof(want), "jfr: offset %zu: record of size 0", bad);
	assert_string_equal(err, want);
	assert_int_equal(p.count, 0);
	free(err);
	assert_false(jfr_convert((const uint8_t *)"", 0, &co, &p, &err));
	assert_string_equal(err, "jfr: offset 0: empty file");
	free(err);
	pj_buf_free(&w.out);
}

/* A producer whose Class.name is a number, not a Symbol: frames lose the class, conversion goes on. */
static void test_unexpected_field_shapes_are_tolerated(void **state)
{
	(void)state;
	tw_class classes[TW_NSTANDARD];
	memcpy(classes, tw_standard_classes, sizeof(classes));
	for (size_t i = 0; i < TW_NSTANDARD; i++) {
		if (classes[i].id == TW_CLASS)
			classes[i].fields[0] = (tw_field){"name", TW_LONG};
	}
	tw w = {.compressed = true};
	rec_opts o = {0};
	tw_begin(&w);
	tw_metadata_enc(&w, classes, TW_NSTANDARD, 3);
	rec_exec(&w, 7, 1, 0);
	rec_finish(&w, &o);
	jfr_profiles p = convert_default(&w.out);
	assert_collapsed(&p, CPU, ".main:20;.leaf:10 [10000000]");
	jfr_profiles_free(&p);
	pj_buf_free(&w.out);
}

static void assert_normalized(const char *in, const char *want)
{
	pj_buf b = PJ_BUF_INIT;
	pj_buf_puts(&b, "x");
	jfr_normalize_symbol(in, strlen(in), &b);
	assert_string_equal(pj_buf_cstr(&b) + 1, want);
	pj_buf_free(&b);
}

static void test_symbol_normalisation(void **state)
{
	(void)state;
	assert_normalized("jdk/internal/reflect/GeneratedMethodAccessor31", "jdk/internal/reflect/GeneratedMethodAccessor_");
	assert_normalized("jdk/internal/reflect/GeneratedMethodAccessor", "jdk/internal/reflect/GeneratedMethodAccessor");
	assert_normalized("Work$$Lambda$5.0x00007f46d0001c40", "Work$$Lambda_");
	assert_normalized("Work$$Lambda/0x000000001d045210", "Work$$Lambda_");
	assert_normalized("Fib$$Lambda.0x00007ffa600c4da0", "Fib$$Lambda_");
	assert_normalized("org/example/OrderService$$Lambda$669.0x0000000800fd7318", "org/example/OrderService$$Lambda_");
	assert_normalized("Work$$Lambda12", "Work$$Lambda_");
	assert_normalized("Work$$Lambda$12", "Work$$Lambda$12");
	assert_normalized("Work$$Lambda$89+0x00007fbb24007c28/1172131546", "Work$$Lambda$89+0x00007fbb24007c28/1172131546");
	assert_normalized("java/lang/invoke/LambdaForm$MH.0x00007f46d0004000", "java/lang/invoke/LambdaForm$MH.0x00007f46d0004000");
	assert_normalized("$$Lambda$5.0x1", "$$Lambda$5.0x1");
	assert_normalized("com/x/Svc$$EnhancerBySpringCGLIB$$a1b2c3", "com/x/Svc$$EnhancerBySpringCGLIB$$_");
	assert_normalized("libzstd-jni-1.5.1-16931311898282279136.so", "libzstd-jni-_.so");
	assert_normalized("/tmp/libzstd-jni-1.5.1-16931311898282279136.so (deleted)", "libzstd-jni-_.so");
	assert_normalized("./tmp/libamazonCorrettoCryptoProvider109b39cf33c563eb.so", "libamazonCorrettoCryptoProvider_.so");
	assert_normalized("./tmp/amazonCorrettoCryptoProviderNativeLibraries.7382c2f79097f415/libcrypto.so (deleted)",
		"libamazonCorrettoCryptoProvider_.so");
	assert_normalized("libasyncProfiler-linux-arm64-17b9a1d8156277a98ccc871afa9a8f69215f92.so", "libasyncProfiler-_.so");
	assert_normalized("libasyncProfiler-linux-x64-0000a1d8156277a98ccc871afa9a8f69215f92.so",
		"libasyncProfiler-linux-x64-0000a1d8156277a98ccc871afa9a8f69215f92.so");
	assert_normalized("java/lang/Thread", "java/lang/Thread");
	assert_normalized("", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_samples_names_and_lines),
		cmocka_unit_test(test_sample_rate_scales_cpu_values),
		cmocka_unit_test(test_wall_sample_count_does_not_stick),
		cmocka_unit_test(test_wall_mode_routing),
		cmocka_unit_test(test_cpu_mode_routing),
		cmocka_unit_test(test_lock_delay_in_nanoseconds),
		cmocka_unit_test(test_per_thread_root_frame),
		cmocka_unit_test(test_truncated_frame_option),
		cmocka_unit_test(test_encodings_convert_alike),
		cmocka_unit_test(test_chunks_sum_and_truncation_warns),
		cmocka_unit_test(test_profile_header_fields),
		cmocka_unit_test(test_malformed_input_is_an_error),
		cmocka_unit_test(test_unexpected_field_shapes_are_tolerated),
		cmocka_unit_test(test_symbol_normalisation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
