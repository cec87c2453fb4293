/* Unit tests for src/profile/jfr_reader: chunks, metadata, pools, encodings, damage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jfr_recording.h"
#include "profile/jfr_reader.h"

typedef struct walked {
	size_t chunks, events, samples;
	uint64_t first_stack;
	int rc;
	char err[256];
} walked;

/* Reads every chunk and event, decoding the ExecutionSamples. */
static walked walk(const pj_buf *file)
{
	walked out = {0};
	jfr_reader *r = jfr_reader_new((const uint8_t *)file->data, file->len);
	int rc;
	while ((rc = jfr_reader_next_chunk(r)) > 0) {
		int32_t sample = jfr_reader_class(r, "jdk.ExecutionSample");
		int32_t stack = jfr_reader_field(r, sample, "stackTrace");
		jfr_event ev;
		while ((rc = jfr_reader_next_event(r, &ev)) > 0) {
			out.events++;
			jfr_value v[8];
			if (ev.cls == sample && jfr_reader_decode(r, ev.cls, ev.body, ev.end, v, 8, NULL)) {
				if (!out.samples++)
					out.first_stack = v[stack].u;
			}
		}
		if (rc < 0)
			break;
	}
	out.rc = rc;
	out.chunks = jfr_reader_chunk_count(r);
	if (jfr_reader_error(r))
		snprintf(out.err, sizeof(out.err), "%s", jfr_reader_error(r));
	jfr_reader_free(r);
	return out;
}

static void standard(pj_buf *file, const rec_opts *o, int samples)
{
	tw w = {0};
	rec_start(&w, o);
	for (int i = 0; i < samples; i++)
		rec_exec(&w, 7, 1, 0);
	rec_finish(&w, o);
	*file = w.out;
}

/* Resolves frame 0 of stack 1 to its class name through Method -> Class -> Symbol. */
static void assert_leaf_class(const pj_buf *file, const char *want)
{
	jfr_reader *r = jfr_reader_new((const uint8_t *)file->data, file->len);
	assert_int_equal(jfr_reader_next_chunk(r), 1);
	const jfr_chunk_info *ci = jfr_reader_chunk(r);
	size_t end = ci->offset + ci->size, pos;
	jfr_value v[8];
	int32_t trace = jfr_reader_class(r, "jdk.types.StackTrace");
	assert_true(jfr_reader_pool(r, trace, 1, &pos));
	assert_true(jfr_reader_decode(r, trace, pos, end, v, 8, NULL));
	assert_int_equal(v[1].u, 2); /* frames */
	int32_t frame = jfr_reader_field_type(r, trace, 1);
	assert_true(jfr_reader_decode(r, frame, v[1].pos, end, v, 8, NULL));
	assert_int_equal(v[1].u, 10); /* lineNumber */
	int32_t method = jfr_reader_class(r, "jdk.types.Method"), cls = jfr_reader_class(r, "java.lang.Class");
	assert_true(jfr_reader_pool(r, method, v[0].u, &pos));
	assert_true(jfr_reader_decode(r, method, pos, end, v, 8, NULL));
	assert_true(jfr_reader_pool(r, cls, v[0].u, &pos));
	assert_true(jfr_reader_decode(r, cls, pos, end, v, 8, NULL));
	int32_t sym = jfr_reader_class(r, "jdk.types.Symbol");
	assert_true(jfr_reader_pool(r, sym, v[0].u, &pos));
	assert_true(jfr_reader_decode(r, sym, pos, end, v, 8, NULL));
	jfr_str s;
	assert_true(jfr_reader_string(r, v[0].pos, &s));
	assert_int_equal(s.len, strlen(want));
	assert_memory_equal(s.ptr, want, s.len);
	jfr_reader_free(r);
}

static void test_reads_standard_recording(void **state)
{
	(void)state;
	rec_opts o = {0};
	pj_buf f;
	standard(&f, &o, 3);
	walked w = walk(&f);
	assert_int_equal(w.rc, 0);
	assert_int_equal(w.chunks, 1);
	assert_int_equal(w.samples, 3);
	assert_int_equal(w.first_stack, 1);
	assert_leaf_class(&f, "com/example/App");
	pj_buf_free(&f);
}

static void test_every_symbol_encoding_resolves(void **state)
{
	(void)state;
	const int encs[] = {3, 4, 5, 2};
	for (size_t i = 0; i < 4; i++) {
		rec_opts o = {.symbol_enc = encs[i]};
		pj_buf f;
		standard(&f, &o, 1);
		assert_leaf_class(&f, "com/example/App");
		pj_buf_free(&f);
	}
}

static void test_fixed_width_integers(void **state)
{
	(void)state;
	rec_opts o = {.fixed_ints = true, .symbol_enc = 4};
	pj_buf f;
	standard(&f, &o, 2);
	walked w = walk(&f);
	assert_int_equal(w.rc, 0);
	assert_int_equal(w.samples, 2);
	assert_leaf_class(&f, "com/example/App");
	pj_buf_free(&f);
}

static void test_pools_split_over_checkpoints_with_64bit_keys(void **state)
{
	(void)state;
	rec_opts o = {.split_pools = true, .symbol_base = 0x4F20000300ULL};
	pj_buf f;
	standard(&f, &o, 1);
	assert_leaf_class(&f, "com/example/App");
	pj_buf_free(&f);
}

static void test_metadata_in_utf16_and_latin1(void **state)
{
	(void)state;
	for (int enc = 4; enc <= 5; enc++) {
		tw w = {.compressed = true};
		tw_begin(&w);
		tw_metadata_enc(&w, tw_standard_classes, TW_NSTANDARD, enc);
		rec_exec(&w, 7, 1, 0);
		rec_opts o = {0};
		rec_finish(&w, &o);
		walked r = walk(&w.out);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.samples, 1);
		pj_buf_free(&w.out);
	}
}

/* Event string fields in all six encodings, decoded to UTF-8. */
static void test_event_string_encodings(void **state)
{
	(void)state;
	tw w = {.compressed = true};
	tw_begin(&w);
	tw_metadata(&w);
	const uint16_t utf16[] = {'h', 0xE9, 0xD83D, 0xDE00, 0xD800};
	for (int enc = 0; enc <= 5; enc++) {
		pj_buf e = PJ_BUF_INIT;
		tw_long(&w, &e, 1);
		tw_long(&w, &e, (uint64_t)enc);
		tw_utf8(&w, &e, "name");
		if (enc == 0 || enc == 1)
			tw_byte(&e, (uint8_t)enc);
		else if (enc == 2)
			tw_strref(&w, &e, 42);
		else if (enc == 3)
			tw_utf8(&w, &e, "h\xC3\xA9");
		else if (enc == 4)
			tw_chars(&w, &e, utf16, 5);
		else
			tw_latin1(&w, &e, "h\xE9");
		tw_record(&w, TW_ACTIVE_SETTING, &e);
		pj_buf_free(&e);
	}
	pj_buf pools = PJ_BUF_INIT;
	tw_pool(&w, &pools, TW_STRING, 1);
	tw_long(&w, &pools, 42);
	tw_utf8(&w, &pools, "pooled");
	tw_checkpoint(&w, 1, &pools, 0);
	tw_end(&w);
	const char *want[] = {NULL, "", "pooled", "h\xC3\xA9", "h\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBD", "h\xC3\xA9"};
	jfr_reader *r = jfr_reader_new((const uint8_t *)w.out.data, w.out.len);
	assert_int_equal(jfr_reader_next_chunk(r), 1);
	jfr_event ev;
	for (int enc = 0; enc <= 5; enc++) {
		assert_int_equal(jfr_reader_next_event(r, &ev), 1);
		jfr_value v[4];
		jfr_str s;
		assert_true(jfr_reader_decode(r, ev.cls, ev.body, ev.end, v, 4, NULL));
		assert_int_equal(v[1].u, (uint64_t)enc);
		assert_true(jfr_reader_string(r, v[3].pos, &s));
		assert_int_equal(s.null, want[enc] == NULL);
		if (want[enc]) {
			assert_int_equal(s.len, strlen(want[enc]));
			assert_memory_equal(s.ptr, want[enc], s.len);
		}
	}
	assert_int_equal(jfr_reader_next_event(r, &ev), 0);
	jfr_reader_free(r);
	pj_buf_free(&pools);
	pj_buf_free(&w.out);
}

/* The varint examples of the spec (section 2.1), as raw event bytes. */
static void test_varint_examples(void **state)
{
	(void)state;
	static const struct {
		uint8_t bytes[9];
		size_t n;
		uint64_t value;
	} cases[] = {
		{{0x0F}, 1, 15},
		{{0xF7, 0xCE, 0x01}, 3, 26487},
		{{0xFF, 0xFF, 0xFF, 0xFF, 0x07}, 5, 0x7FFFFFFF},
		{{0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, 5, 0xFFFFFFFF},
		{{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, 9, 0x7FFFFFFFFFFFFFFFULL},
		{{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80}, 9, 0x8000000000000000ULL},
		{{0xAA, 0x87, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 9, (uint64_t)-15446},
		{{0x9B, 0x80, 0x80, 0x80, 0x00}, 5, 27},
	};
	tw w = {.compressed = true};
	tw_begin(&w);
	tw_metadata(&w);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pj_buf e = PJ_BUF_INIT;
		pj_buf_append(&e, cases[i].bytes, cases[i].n); /* startTime */
		tw_long(&w, &e, 7);
		tw_long(&w, &e, 1);
		tw_long(&w, &e, 0);
		tw_record(&w, TW_EXECUTION_SAMPLE, &e);
		pj_buf_free(&e);
	}
	rec_opts o = {0};
	rec_finish(&w, &o);
	jfr_reader *r = jfr_reader_new((const uint8_t *)w.out.data, w.out.len);
	assert_int_equal(jfr_reader_next_chunk(r), 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		jfr_event ev;
		jfr_value v[4];
		assert_int_equal(jfr_reader_next_event(r, &ev), 1);
		assert_true(jfr_reader_decode(r, ev.cls, ev.body, ev.end, v, 4, NULL));
		assert_int_equal(v[0].u, cases[i].value);
		assert_int_equal(v[2].u, 1); /* the fields after it stay aligned */
	}
	jfr_reader_free(r);
	pj_buf_free(&w.out);
}

/* Floats are 4 raw bytes, not varints. */
static void test_float_fields_are_raw_bytes(void **state)
{
	(void)state;
	tw w = {.compressed = true};
	tw_begin(&w);
	tw_metadata(&w);
	pj_buf e = PJ_BUF_INIT;
	tw_long(&w, &e, 5);
	const uint8_t f[] = {0x3D, 0xE1, 0x47, 0xAE, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x80, 0x3F};
	pj_buf_append(&e, f, sizeof(f));
	tw_record(&w, TW_CPU_LOAD, &e);
	pj_buf_free(&e);
	rec_opts o = {0};
	rec_finish(&w, &o);
	jfr_reader *r = jfr_reader_new((const uint8_t *)w.out.data, w.out.len);
	jfr_event ev;
	jfr_value v[4];
	size_t next;
	assert_int_equal(jfr_reader_next_chunk(r), 1);
	assert_int_equal(jfr_reader_next_event(r, &ev), 1);
	assert_true(jfr_reader_decode(r, ev.cls, ev.body, ev.end, v, 4, &next));
	assert_int_equal(v[1].u, 0x3DE147AE);
	assert_int_equal(v[2].u, 0xFFFFFFFF);
	assert_int_equal(v[3].u, 0x0000803F);
	assert_int_equal(next, ev.end);
	jfr_reader_free(r);
	pj_buf_free(&w.out);
}

static void test_multiple_chunks(void **state)
{
	(void)state;
	rec_opts o = {0};
	pj_buf a, b;
	standard(&a, &o, 2);
	standard(&b, &o, 3);
	pj_buf_append(&a, b.data, b.len);
	walked w = walk(&a);
	assert_int_equal(w.rc, 0);
	assert_int_equal(w.chunks, 2);
	assert_int_equal(w.samples, 5);
	pj_buf_free(&a);
	pj_buf_free(&b);
}

/* A file cut inside its last chunk keeps the complete chunks and warns. */
static void test_truncated_last_chunk_warns(void **state)
{
	(void)state;
	rec_opts o = {0};
	pj_buf a, b;
	standard(&a, &o, 2);
	standard(&b, &o, 3);
	size_t second = a.len;
	pj_buf_append(&a, b.data, b.len - 20);
	jfr_reader *r = jfr_reader_new((const uint8_t *)a.data, a.len);
	assert_int_equal(jfr_reader_next_chunk(r), 1);
	jfr_event ev;
	int n = 0;
	while (jfr_reader_next_event(r, &ev) > 0)
		n++;
	assert_int_equal(n, 2);
	assert_int_equal(jfr_reader_next_chunk(r), 0);
	assert_null(jfr_reader_error(r));
	char want[64];
	snprintf(want, sizeof(want), "offset %zu: incomplete chunk", second);
	assert_non_null(jfr_reader_warning(r));
	assert_memory_equal(jfr_reader_warning(r), want, strlen(want));
	jfr_reader_free(r);

	/* Cut inside the only chunk: nothing complete, an error. */
	walked w = walk(&(pj_buf){b.data, b.len - 1, 0});
	assert_int_equal(w.rc, -1);
	assert_non_null(strstr(w.err, "offset 0: incomplete chunk"));
	assert_non_null(strstr(w.err, "no complete chunk"));
	pj_buf_free(&a);
	pj_buf_free(&b);
}

/* async-profiler's in-progress placeholder: offsets 0 in a later chunk. */
static void test_in_progress_chunk_is_skipped(void **state)
{
	(void)state;
	rec_opts o = {0};
	pj_buf a;
	standard(&a, &o, 2);
	tw w = {.compressed = true};
	tw_begin(&w);
	tw_metadata(&w);
	rec_exec(&w, 7, 1, 0);
	tw_end(&w); /* no checkpoint: constant pool offset stays 0 */
	pj_buf_append(&a, w.out.data, w.out.len);
	walked r = walk(&a);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.chunks, 1);
	assert_int_equal(r.samples, 2);
	pj_buf_free(&a);
	pj_buf_free(&w.out);
}

static void test_timespan_and_tick_conversion(void **state)
{
	(void)state;
	rec_opts o = {.ticks_per_second = 2000000000};
	pj_buf f;
	standard(&f, &o, 0);
	jfr_reader *r = jfr_reader_new((const uint8_t *)f.data, f.len);
	assert_int_equal(jfr_reader_next_chunk(r), 1);
	int32_t mon = jfr_reader_class(r, "jdk.JavaMonitorEnter");
	int32_t dur = jfr_reader_field(r, mon, "duration");
	assert_int_equal(dur, 1);
	assert_int_equal(jfr_reader_field_timespan(r, mon, dur), JFR_TIMESPAN_TICKS);
	assert_int_equal(jfr_reader_field_timespan(r, mon, 0), JFR_TIMESPAN_NONE);
	assert_int_equal(jfr_reader_to_nanos(r, 3000, JFR_TIMESPAN_TICKS), 1500);
	assert_int_equal(jfr_reader_to_nanos(r, 3, JFR_TIMESPAN_MILLISECONDS), 3000000);
	assert_int_equal(jfr_reader_chunk(r)->ticks_per_second, 2000000000);
	jfr_reader_free(r);
	pj_buf_free(&f);
}

/*
 * Frames with varints of every length, 9-byte ones included (their last byte
 * carries 8 payload bits), are skipped exactly when the pool is indexed: the
 * next entry still decodes, and the frames decode to what was written.
 */
static void test_long_varints_in_frames_keep_alignment(void **state)
{
	(void)state;
	static const uint64_t methods[] = {
		1, 0x7f, 0x80, 0x3fff, 0x4000, 0xFFFFFFFF, 0x4F20000318ULL, 0x00FFFFFFFFFFFFFFULL,
		0x0100000000000000ULL, 0x8000000000000000ULL, 0xFFFFFFFFFFFFFFFFULL, 0xFF00000000000001ULL, 5,
	};
	const size_t n = sizeof(methods) / sizeof(methods[0]);
	tw w = {.compressed = true};
	tw_begin(&w);
	tw_metadata(&w);
	pj_buf p = PJ_BUF_INIT;
	tw_pool(&w, &p, TW_STACKTRACE, 2);
	for (uint64_t key = 1; key <= 2; key++) {
		tw_long(&w, &p, key);
		tw_byte(&p, 0);
		tw_int(&w, &p, 3 * n);
		for (size_t i = 0; i < 3 * n; i++)
			rec_frame(&w, &p, methods[(i + key) % n], i);
	}
	tw_checkpoint(&w, 1, &p, 0);
	tw_end(&w);
	jfr_reader *r = jfr_reader_new((const uint8_t *)w.out.data, w.out.len);
	assert_int_equal(jfr_reader_next_chunk(r), 1);
	const jfr_chunk_info *ci = jfr_reader_chunk(r);
	int32_t trace = jfr_reader_class(r, "jdk.types.StackTrace");
	int32_t frame = jfr_reader_field_type(r, trace, 1);
	for (uint64_t key = 1; key <= 2; key++) {
		size_t pos, next;
		jfr_value v[2];
		uint64_t got[2 * 3 * 13];
		assert_true(jfr_reader_pool(r, trace, key, &pos));
		assert_true(jfr_reader_decode(r, trace, pos, ci->offset + ci->size, v, 2, &next));
		assert_int_equal(v[1].u, 3 * n);
		assert_true(jfr_reader_decode_many(r, frame, v[1].pos, next, 3 * n, 2, got, &pos));
		assert_int_equal(pos, next);
		for (size_t i = 0; i < 3 * n; i++) {
			assert_int_equal(got[2 * i], methods[(i + key) % n]);
			assert_int_equal(got[2 * i + 1], i);
		}
		/* Decoding only some fields steps over the others, long or not. */
		pos = v[1].pos;
		for (size_t i = 0; i < 3 * n; i++) {
			jfr_value f[2], line[2], method[2];
			size_t at = pos;
			assert_true(jfr_reader_decode(r, frame, at, next, f, 2, &pos));
			assert_true(jfr_reader_decode_some(r, frame, at, next, 1u << 1, line, 2));
			assert_true(jfr_reader_decode_some(r, frame, at, next, 1u << 0, method, 1));
			assert_int_equal(line[1].u, i);
			assert_int_equal(method[0].u, methods[(i + key) % n]);
		}
	}
	jfr_reader_free(r);
	pj_buf_free(&p);
	pj_buf_free(&w.out);
}

/* Expects the walk to fail with "offset <at>: <what>...". */
static void assert_fails_at(const pj_buf *f, size_t at, const char *what)
{
	walked w = walk(f);
	char want[160];
	snprintf(want, sizeof(want), "offset %zu: %s", at, what);
	assert_int_equal(w.rc, -1);
	if (strncmp(w.err, want, strlen(want)) != 0)
		fail_msg("error \"%s\", wanted \"%s...\"", w.err, want);
}

static void test_zero_size_record_is_an_error(void **state)
{
	(void)state;
	tw w = {.compressed = true};
	rec_opts o = {0};
	rec_start(&w, &o);
	rec_exec(&w, 7, 1, 0);
	size_t bad = w.out.len;
	tw_byte(&w.out, 0);
	tw_byte(&w.out, 0);
	rec_finish(&w, &o);
	assert_fails_at(&w.out, bad, "record of size 0");
	pj_buf_free(&w.out);
}

static void test_record_overrunning_chunk_is_an_error(void **state)
{
	(void)state;
	tw w = {.compressed = true};
	rec_opts o = {0};
	rec_start(&w, &o);
	size_t bad = w.out.len;
	tw_varint(&w.out, 1000000);
	tw_varint(&w.out, TW_EXECUTION_SAMPLE);
	rec_finish(&w, &o);
	assert_fails_at(&w.out, bad, "record of 1000000 bytes overruns the chunk end");
	pj_buf_free(&w.out);
}

static void test_bad_header_is_an_error(void **state)
{
	(void)state;
	rec_opts o = {0};
	pj_buf f;
	standard(&f, &o, 1);
	f.data[1] = 'X';
	assert_fails_at(&f, 0, "not a JFR chunk");
	f.data[1] = 'L';
	f.data[5] = 3;
	assert_fails_at(&f, 4, "unsupported JFR version 3.0");
	pj_buf_free(&f);
	assert_fails_at(&(pj_buf){"FLR", 3, 0}, 0, "3 bytes left, too few for a chunk header");
}

static void test_bad_string_encoding_is_an_error(void **state)
{
	(void)state;
	tw w = {.compressed = true};
	rec_opts o = {0};
	rec_start(&w, &o);
	pj_buf e = PJ_BUF_INIT;
	tw_long(&w, &e, 1);
	tw_long(&w, &e, 2);
	size_t at = w.out.len + 5 + 1 + e.len;
	tw_byte(&e, 9);
	tw_record(&w, TW_ACTIVE_SETTING, &e);
	rec_finish(&w, &o);
	walked r = walk(&w.out);
	assert_int_equal(r.rc, 0); /* settings are not decoded by walk() */
	jfr_reader *rd = jfr_reader_new((const uint8_t *)w.out.data, w.out.len);
	jfr_event ev;
	jfr_value v[4];
	assert_int_equal(jfr_reader_next_chunk(rd), 1);
	assert_int_equal(jfr_reader_next_event(rd, &ev), 1);
	assert_false(jfr_reader_decode(rd, ev.cls, ev.body, ev.end, v, 4, NULL));
	char want[64];
	snprintf(want, sizeof(want), "offset %zu: unknown string encoding 9", at);
	assert_string_equal(jfr_reader_error(rd), want);
	jfr_reader_free(rd);
	pj_buf_free(&e);
	pj_buf_free(&w.out);
}

/* A class that contains itself inline must not recurse without end. */
static void test_recursive_type_is_an_error(void **state)
{
	(void)state;
	tw_class classes[TW_NSTANDARD + 1];
	memcpy(classes, tw_standard_classes, sizeof(tw_standard_classes));
	classes[TW_NSTANDARD] = (tw_class){"Loop", 50, NULL, false, {{"self", 50}}};
	tw w = {.compressed = true};
	tw_begin(&w);
	tw_metadata_enc(&w, classes, TW_NSTANDARD + 1, 3);
	pj_buf p = PJ_BUF_INIT;
	tw_pool(&w, &p, 50, 1);
	tw_long(&w, &p, 1);
	pj_buf_fill(&p, 1, 40);
	tw_checkpoint(&w, 1, &p, 0);
	tw_end(&w);
	walked r = walk(&w.out);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err, "nested deeper than"));
	pj_buf_free(&p);
	pj_buf_free(&w.out);
}

static void test_bad_pools_are_errors(void **state)
{
	(void)state;
	/* A pool of a type the metadata does not declare. */
	tw w = {.compressed = true};
	tw_begin(&w);
	tw_metadata(&w);
	pj_buf p = PJ_BUF_INIT;
	tw_pool(&w, &p, 777, 1);
	tw_long(&w, &p, 1);
	tw_byte(&p, 0);
	size_t cp = w.out.len;
	tw_checkpoint(&w, 1, &p, 0);
	tw_end(&w);
	assert_fails_at(&w.out, cp + TW_CP_POOLS_AT, "constant pool of undeclared type 777");
	pj_buf_free(&w.out);

	/* A checkpoint delta that does not go back would loop; one that leaves the chunk would read outside it. */
	const int64_t deltas[] = {5, -100000};
	for (size_t i = 0; i < 2; i++) {
		tw v = {.compressed = true};
		tw_begin(&v);
		tw_metadata(&v);
		pj_buf_reset(&p);
		tw_checkpoint(&v, 0, &p, 0);
		size_t at = v.out.len;
		tw_checkpoint_delta(&v, 0, &p, deltas[i]);
		tw_end(&v);
		assert_fails_at(&v.out, at, "checkpoint delta");
		pj_buf_free(&v.out);
	}
	pj_buf_free(&p);
}

static void test_array_count_beyond_record_is_an_error(void **state)
{
	(void)state;
	tw w = {.compressed = true};
	tw_begin(&w);
	tw_metadata(&w);
	pj_buf p = PJ_BUF_INIT;
	tw_pool(&w, &p, TW_STACKTRACE, 1);
	tw_long(&w, &p, 1);
	tw_byte(&p, 0);
	size_t count_at = p.len;
	tw_int(&w, &p, 1000000);
	tw_checkpoint(&w, 1, &p, 0);
	tw_end(&w);
	size_t at = w.cp_off + TW_CP_POOLS_AT + count_at;
	assert_fails_at(&w.out, at, "array length 1000000 exceeds");
	pj_buf_free(&p);
	pj_buf_free(&w.out);
}

static void test_metadata_string_index_out_of_range(void **state)
{
	(void)state;
	tw w = {.compressed = true};
	tw_begin(&w);
	pj_buf body = PJ_BUF_INIT;
	tw_long(&w, &body, 0);
	tw_long(&w, &body, 0);
	tw_long(&w, &body, 0);
	tw_int(&w, &body, 1);
	tw_utf8(&w, &body, "root");
	size_t bad = body.len;
	tw_int(&w, &body, 5); /* element name: string 5 of 1 */
	w.meta_off = w.out.len - w.chunk;
	size_t rec = w.out.len;
	tw_record(&w, 0, &body);
	pj_buf p = PJ_BUF_INIT;
	tw_checkpoint(&w, 0, &p, 0);
	tw_end(&w);
	assert_fails_at(&w.out, rec + 6 + bad, "metadata string index 5 out of range (1 strings)");
	pj_buf_free(&body);
	pj_buf_free(&p);
	pj_buf_free(&w.out);
}

/* Every prefix of a valid file is handled without crashing or looping. */
static void test_every_truncation_terminates(void **state)
{
	(void)state;
	rec_opts o = {.split_pools = true, .symbol_enc = 4};
	pj_buf f;
	standard(&f, &o, 2);
	for (size_t n = 0; n < f.len; n++) {
		pj_buf cut = {f.data, n, 0};
		walked w = walk(&cut);
		assert_int_equal(w.rc, -1);
	}
	pj_buf_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_standard_recording),
		cmocka_unit_test(test_every_symbol_encoding_resolves),
		cmocka_unit_test(test_fixed_width_integers),
		cmocka_unit_test(test_pools_split_over_checkpoints_with_64bit_keys),
		cmocka_unit_test(test_metadata_in_utf16_and_latin1),
		cmocka_unit_test(test_event_string_encodings),
		cmocka_unit_test(test_varint_examples),
		cmocka_unit_test(test_float_fields_are_raw_bytes),
		cmocka_unit_test(test_long_varints_in_frames_keep_alignment),
		cmocka_unit_test(test_multiple_chunks),
		cmocka_unit_test(test_truncated_last_chunk_warns),
		cmocka_unit_test(test_in_progress_chunk_is_skipped),
		cmocka_unit_test(test_timespan_and_tick_conversion),
		cmocka_unit_test(test_zero_size_record_is_an_error),
		cmocka_unit_test(test_record_overrunning_chunk_is_an_error),
		cmocka_unit_test(test_bad_header_is_an_error),
		cmocka_unit_test(test_bad_string_encoding_is_an_error),
		cmocka_unit_test(test_recursive_type_is_an_error),
		cmocka_unit_test(test_bad_pools_are_errors),
		cmocka_unit_test(test_array_count_beyond_record_is_an_error),
		cmocka_unit_test(test_metadata_string_index_out_of_range),
		cmocka_unit_test(test_every_truncation_terminates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
