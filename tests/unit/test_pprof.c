/* Unit tests for src/profile/pprof: interning, merging, protobuf, gzip, collapsed text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/buf.h"
#include "profile/pprof.h"

#define S(lit) lit, sizeof(lit) - 1

/* The worked example of spec pyroscope-push-and-pprof.md section 1.6, byte for byte. */
static const unsigned char spec_example[] = {
	0x0a, 0x04, 0x08, 0x01, 0x10, 0x02,
	0x12, 0x0a, 0x0a, 0x02, 0x02, 0x01, 0x12, 0x04, 0x80, 0xad, 0xe2, 0x04,
	0x1a, 0x04, 0x08, 0x01, 0x38, 0x01,
	0x22, 0x08, 0x08, 0x01, 0x10, 0x01, 0x22, 0x02, 0x08, 0x01,
	0x22, 0x08, 0x08, 0x02, 0x10, 0x01, 0x22, 0x02, 0x08, 0x02,
	0x2a, 0x04, 0x08, 0x01, 0x10, 0x03,
	0x2a, 0x04, 0x08, 0x02, 0x10, 0x04,
	0x32, 0x00,
	0x32, 0x03, 'c', 'p', 'u',
	0x32, 0x0b, 'n', 'a', 'n', 'o', 's', 'e', 'c', 'o', 'n', 'd', 's',
	0x32, 0x04, 'm', 'a', 'i', 'n',
	0x32, 0x03, 'f', 'o', 'o',
	0x48, 0x80, 0x80, 0xa8, 0xb1, 0xe3, 0x9f, 0xe7, 0xcb, 0x17,
	0x50, 0x80, 0xc8, 0xaf, 0xa0, 0x25,
	0x5a, 0x04, 0x08, 0x01, 0x10, 0x02,
	0x60, 0x80, 0xad, 0xe2, 0x04,
};

static pprof_builder *spec_example_builder(void)
{
	pprof_builder *b = pprof_new();
	pprof_add_sample_type(b, "cpu", "nanoseconds");
	uint64_t main_fn = pprof_function(b, S("main"), NULL, 0);
	uint64_t foo_fn = pprof_function(b, S("foo"), NULL, 0);
	uint64_t main_loc = pprof_location(b, main_fn, 0);
	uint64_t foo_loc = pprof_location(b, foo_fn, 0);
	assert_int_equal(main_loc, 1);
	assert_int_equal(foo_loc, 2);
	uint64_t stack[] = {foo_loc, main_loc};
	int64_t value = 10000000;
	pprof_add_sample(b, stack, 2, &value, NULL, 0);
	pprof_set_time(b, 1700000000000000000LL, 10000000000LL);
	pprof_set_period(b, "cpu", "nanoseconds", 10000000);
	return b;
}

static void test_encode_matches_spec_example(void **state)
{
	(void)state;
	pprof_builder *b = spec_example_builder();
	pj_buf out = PJ_BUF_INIT;
	pprof_encode(b, &out);
	assert_int_equal(out.len, sizeof(spec_example));
	assert_memory_equal(out.data, spec_example, sizeof(spec_example));
	pj_buf_free(&out);
	pprof_free(b);
}

static void test_strings_are_interned_with_empty_first(void **state)
{
	(void)state;
	pprof_builder *b = pprof_new();
	assert_int_equal(pprof_string_count(b), 1);
	assert_int_equal(pprof_string(b, "", 0), 0);
	assert_int_equal(pprof_string(b, NULL, 0), 0);
	int64_t a = pprof_string(b, S("alpha"));
	int64_t c = pprof_string(b, S("beta"));
	assert_int_equal(a, 1);
	assert_int_equal(c, 2);
	assert_int_equal(pprof_string(b, "alphabet", 5), a);
	assert_int_equal(pprof_string(b, S("alph")), 3);
	char key[32];
	for (int i = 0; i < 100000; i++) {
		int n = snprintf(key, sizeof(key), "s%d", i);
		assert_int_equal(pprof_string(b, key, (size_t)n), 4 + i);
	}
	for (int i = 0; i < 100000; i += 997) {
		int n = snprintf(key, sizeof(key), "s%d", i);
		assert_int_equal(pprof_string(b, key, (size_t)n), 4 + i);
	}
	assert_int_equal(pprof_string_count(b), 100004);
	pprof_free(b);
}

/* Prefixes of an interned string, passed from the builder's own storage while it grows. */
static void test_strings_from_the_builders_own_storage(void **state)
{
	(void)state;
	pprof_builder *b = pprof_new();
	char text[2001];
	for (int i = 0; i < 2000; i++)
		text[i] = (char)('a' + i % 26);
	text[2000] = '\0';
	pprof_add_sample_type(b, text, NULL);
	for (size_t len = 1; len < 2000; len++) {
		int64_t idx = pprof_string(b, pprof_sample_type_name(b, 0), len);
		assert_int_equal(pprof_string(b, text, len), idx);
	}
	assert_int_equal(pprof_string_count(b), 2001);
	assert_string_equal(pprof_sample_type_name(b, 0), text);
	pprof_free(b);
}

static void test_functions_and_locations_are_interned(void **state)
{
	(void)state;
	pprof_builder *b = pprof_new();
	uint64_t f1 = pprof_function(b, S("run"), S("A.java"));
	uint64_t f2 = pprof_function(b, S("run"), S("B.java"));
	uint64_t f3 = pprof_function(b, S("run"), NULL, 0);
	assert_int_equal(f1, 1);
	assert_int_equal(f2, 2);
	assert_int_equal(f3, 3);
	assert_int_equal(pprof_function(b, S("run"), S("A.java")), f1);
	assert_int_equal(pprof_function_count(b), 3);

	uint64_t l1 = pprof_location(b, f1, 10);
	assert_int_equal(l1, 1);
	assert_int_equal(pprof_location(b, f1, 11), 2);
	assert_int_equal(pprof_location(b, f2, 10), 3);
	assert_int_equal(pprof_location(b, f1, 10), l1);
	assert_int_equal(pprof_location(b, f1, -1), 4);
	assert_int_equal(pprof_location_count(b), 4);
	pprof_free(b);
}

static void test_samples_merge_by_stack_and_labels(void **state)
{
	(void)state;
	pprof_builder *b = pprof_new();
	pprof_add_sample_type(b, "alloc_objects", "count");
	pprof_add_sample_type(b, "alloc_bytes", "bytes");
	assert_int_equal(pprof_sample_type_count(b), 2);
	assert_string_equal(pprof_sample_type_name(b, 1), "alloc_bytes");
	assert_string_equal(pprof_sample_type_unit(b, 0), "count");
	assert_null(pprof_sample_type_name(b, 2));
	uint64_t f = pprof_function(b, S("f"), NULL, 0);
	uint64_t g = pprof_function(b, S("g"), NULL, 0);
	uint64_t fg[] = {pprof_location(b, f, 1), pprof_location(b, g, 2)};
	uint64_t gf[] = {fg[1], fg[0]};
	int64_t v[] = {1, 100};
	pprof_label span = {.key = "span_name", .str = "GET"};
	pprof_label other = {.key = "span_name", .str = "POST"};
	pprof_label num = {.key = "thread_id", .num = 7, .num_unit = "id"};

	pprof_add_sample(b, fg, 2, v, NULL, 0);
	pprof_add_sample(b, fg, 2, v, NULL, 0);
	assert_int_equal(pprof_sample_count(b), 1);
	pprof_add_sample(b, gf, 2, v, NULL, 0);
	pprof_add_sample(b, fg, 1, v, NULL, 0);
	pprof_add_sample(b, fg, 2, v, &span, 1);
	pprof_add_sample(b, fg, 2, v, &span, 1);
	pprof_add_sample(b, fg, 2, v, &other, 1);
	pprof_add_sample(b, fg, 2, v, &num, 1);
	pprof_add_sample(b, NULL, 0, v, NULL, 0);
	assert_int_equal(pprof_sample_count(b), 7);

	/* Collapsed output ignores labels: all three labelled samples fold into the unlabelled one. */
	pj_buf out = PJ_BUF_INIT;
	pprof_write_collapsed(b, &out);
	assert_string_equal(pj_buf_cstr(&out), " [1 100]\n"
					       "f:1 [1 100]\n"
					       "f:1;g:2 [1 100]\n"
					       "g:2;f:1 [6 600]");
	pj_buf_free(&out);
	pprof_free(b);
}

/* Inflates a gzip member; returns the bytes in out. */
static void gunzip(const pj_buf *in, pj_buf *out)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (unsigned char *)in->data;
	zs.avail_in = (uInt)in->len;
	int rc;
	do {
		pj_buf_reserve(out, 4096);
		zs.next_out = (unsigned char *)out->data + out->len;
		zs.avail_out = 4096;
		rc = inflate(&zs, Z_NO_FLUSH);
		out->len = (size_t)((char *)zs.next_out - out->data);
	} while (rc == Z_OK);
	assert_int_equal(rc, Z_STREAM_END);
	assert_int_equal(zs.avail_in, 0);
	inflateEnd(&zs);
}

static void test_gzip_round_trips_with_zero_mtime(void **state)
{
	(void)state;
	pprof_builder *b = spec_example_builder();
	pj_buf gz = PJ_BUF_INIT, raw = PJ_BUF_INIT;
	pj_buf_puts(&gz, "keep");
	assert_true(pprof_encode_gzip(b, &gz));
	assert_memory_equal(gz.data, "keep", 4);
	static const unsigned char header[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00};
	assert_memory_equal(gz.data + 4, header, sizeof(header));
	pj_buf member = PJ_BUF_INIT;
	pj_buf_append(&member, gz.data + 4, gz.len - 4);
	gunzip(&member, &raw);
	assert_int_equal(raw.len, sizeof(spec_example));
	assert_memory_equal(raw.data, spec_example, sizeof(spec_example));
	pj_buf_free(&member);
	pj_buf_free(&gz);
	pj_buf_free(&raw);
	pprof_free(b);
}

static void test_labels_and_negative_values_encode(void **state)
{
	(void)state;
	pprof_builder *b = pprof_new();
	pprof_add_sample_type(b, "t", "u");
	pprof_set_default_sample_type(b, "t");
	pprof_label labels[] = {{.key = "k", .str = "v"}, {.key = "n", .num = 300, .num_unit = "u"}};
	int64_t v = -1;
	pprof_add_sample(b, NULL, 0, &v, labels, 2);
	pj_buf out = PJ_BUF_INIT;
	pprof_encode(b, &out);
	/* strings: "" t u k v n -> indices 0..5; -1 takes ten bytes. */
	static const unsigned char want[] = {
		0x0a, 0x04, 0x08, 0x01, 0x10, 0x02,
		0x12, 0x1b,
		0x12, 0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
		0x1a, 0x04, 0x08, 0x03, 0x10, 0x04,
		0x1a, 0x07, 0x08, 0x05, 0x18, 0xac, 0x02, 0x20, 0x02,
		0x1a, 0x04, 0x08, 0x01, 0x38, 0x01,
		0x32, 0x00, 0x32, 0x01, 't', 0x32, 0x01, 'u', 0x32, 0x01, 'k', 0x32, 0x01, 'v', 0x32, 0x01, 'n',
		0x70, 0x01,
	};
	assert_int_equal(out.len, sizeof(want));
	assert_memory_equal(out.data, want, sizeof(want));
	pj_buf_free(&out);
	pprof_free(b);
}

static void test_collapsed_sorts_merges_and_drops_zero(void **state)
{
	(void)state;
	pprof_builder *b = pprof_new();
	pprof_add_sample_type(b, "cpu", "nanoseconds");
	/* Same name, different file: distinct functions that print alike. */
	uint64_t a1 = pprof_function(b, S("App.run"), S("A.java"));
	uint64_t a2 = pprof_function(b, S("App.run"), S("B.java"));
	uint64_t m = pprof_function(b, S("java/lang/Thread.run"), NULL, 0);
	uint64_t z = pprof_function(b, S("Zero.never"), NULL, 0);
	uint64_t l1[] = {pprof_location(b, a1, 7), pprof_location(b, m, 833)};
	uint64_t l2[] = {pprof_location(b, a2, 7), l1[1]};
	uint64_t l3[] = {pprof_location(b, a1, 70), l1[1]};
	uint64_t l4[] = {pprof_location(b, z, 0)};
	uint64_t l5[] = {l1[1]};
	int64_t ten = 10000000, zero = 0, minus = -5;
	pprof_add_sample(b, l1, 2, &ten, NULL, 0);
	pprof_add_sample(b, l2, 2, &ten, NULL, 0);
	pprof_add_sample(b, l3, 2, &ten, NULL, 0);
	pprof_add_sample(b, l4, 1, &zero, NULL, 0);
	pprof_add_sample(b, l5, 1, &minus, NULL, 0);
	pj_buf out = PJ_BUF_INIT;
	pprof_write_collapsed(b, &out);
	assert_string_equal(pj_buf_cstr(&out), "java/lang/Thread.run:833 [-5]\n"
					       "java/lang/Thread.run:833;App.run:7 [20000000]\n"
					       "java/lang/Thread.run:833;App.run:70 [10000000]");
	pj_buf_free(&out);
	pprof_free(b);
}

static void test_collapsed_of_empty_profile_is_empty(void **state)
{
	(void)state;
	pprof_builder *b = pprof_new();
	pprof_add_sample_type(b, "cpu", "nanoseconds");
	pj_buf out = PJ_BUF_INIT;
	pprof_write_collapsed(b, &out);
	assert_int_equal(out.len, 0);
	pprof_encode(b, &out);
	/* sample_type, mapping, string table: nothing else */
	assert_int_equal(out.len, 6 + 6 + 2 + 5 + 13);
	pj_buf_free(&out);
	pprof_free(b);
}

/* Many distinct deep stacks, each added twice: counts and sums stay exact. */
static void test_many_samples_merge_exactly(void **state)
{
	(void)state;
	pprof_builder *b = pprof_new();
	pprof_add_sample_type(b, "samples", "count");
	uint64_t locs[64];
	char name[32];
	for (int i = 0; i < 64; i++) {
		int n = snprintf(name, sizeof(name), "f%d", i);
		locs[i] = pprof_location(b, pprof_function(b, name, (size_t)n, NULL, 0), i);
	}
	enum { N = 200000 };
	uint64_t stack[20];
	for (int round = 0; round < 2; round++) {
		for (uint32_t s = 0; s < N; s++) {
			uint32_t x = s;
			for (int d = 0; d < 20; d++) {
				stack[d] = locs[(x + (uint32_t)d * 7u) & 63];
				x = x / 3 + (uint32_t)d;
			}
			int64_t one = 1;
			pprof_add_sample(b, stack, 20, &one, NULL, 0);
		}
	}
	size_t distinct = pprof_sample_count(b);
	assert_true(distinct > 1000);
	assert_true(distinct <= N);
	pj_buf out = PJ_BUF_INIT;
	pprof_write_collapsed(b, &out);
	/* Every stack was added an even number of times, and the total is 2N. */
	long long total = 0;
	size_t lines = 0;
	for (const char *p = out.data, *end = out.data + out.len; p < end; lines++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *open = memchr(p, '[', (size_t)(eol - p));
		assert_non_null(open);
		long long v = strtoll(open + 1, NULL, 10);
		assert_int_equal(v % 2, 0);
		total += v;
		p = eol + 1;
	}
	assert_int_equal(lines, distinct);
	assert_int_equal(total, 2 * N);
	pj_buf_free(&out);
	pprof_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_matches_spec_example),
		cmocka_unit_test(test_strings_are_interned_with_empty_first),
		cmocka_unit_test(test_strings_from_the_builders_own_storage),
		cmocka_unit_test(test_functions_and_locations_are_interned),
		cmocka_unit_test(test_samples_merge_by_stack_and_labels),
		cmocka_unit_test(test_gzip_round_trips_with_zero_mtime),
		cmocka_unit_test(test_labels_and_negative_values_encode),
		cmocka_unit_test(test_collapsed_sorts_merges_and_drops_zero),
		cmocka_unit_test(test_collapsed_of_empty_profile_is_empty),
		cmocka_unit_test(test_many_samples_merge_exactly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
