/* Unit tests for folded stacks from encoded pprof (spec pyroscope-push-and-pprof.md 1.6, 1.7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/buf.h"
#include "profile/pprof.h"
#include "profile/pprof_fold.h"

/* The spec's worked example: one sample main -> foo worth 10 ms, 114 bytes. */
static const unsigned char worked_example[] = {
	0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x12, 0x0a, 0x0a, 0x02, 0x02, 0x01, 0x12, 0x04, 0x80, 0xad, 0xe2, 0x04,
	0x1a, 0x04, 0x08, 0x01, 0x38, 0x01, 0x22, 0x08, 0x08, 0x01, 0x10, 0x01, 0x22, 0x02, 0x08, 0x01, 0x22, 0x08,
	0x08, 0x02, 0x10, 0x01, 0x22, 0x02, 0x08, 0x02, 0x2a, 0x04, 0x08, 0x01, 0x10, 0x03, 0x2a, 0x04, 0x08, 0x02,
	0x10, 0x04, 0x32, 0x00, 0x32, 0x03, 'c', 'p', 'u', 0x32, 0x0b, 'n', 'a', 'n', 'o', 's', 'e', 'c', 'o', 'n',
	'd', 's', 0x32, 0x04, 'm', 'a', 'i', 'n', 0x32, 0x03, 'f', 'o', 'o', 0x48, 0x80, 0x80, 0xa8, 0xb1, 0xe3,
	0x9f, 0xe7, 0xcb, 0x17, 0x50, 0x80, 0xc8, 0xaf, 0xa0, 0x25, 0x5a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x60, 0x80,
	0xad, 0xe2, 0x04,
};

static void test_worked_example(void **state)
{
	(void)state;
	assert_int_equal(sizeof(worked_example), 114);
	pj_buf out = PJ_BUF_INIT;
	assert_true(pprof_fold(worked_example, sizeof(worked_example), 1 << 20, &out));
	assert_string_equal(out.data, "main;foo 10000000\n");
	pj_buf_free(&out);
}

static void test_equal_stacks_are_summed_in_first_seen_order(void **state)
{
	(void)state;
	pprof_builder *b = pprof_new();
	pprof_add_sample_type(b, "cpu", "nanoseconds");
	uint64_t main_loc = pprof_location(b, pprof_function(b, "main", 4, "", 0), 1);
	uint64_t work = pprof_location(b, pprof_function(b, "work", 4, "", 0), 2);
	uint64_t idle = pprof_location(b, pprof_function(b, "idle", 4, "", 0), 3);
	uint64_t s1[] = {work, main_loc}, s2[] = {idle, main_loc};
	pprof_label l = {"thread", "t1", 0, NULL};
	int64_t v;
	v = 10, pprof_add_sample(b, s1, 2, &v, NULL, 0);
	v = 3, pprof_add_sample(b, s2, 2, &v, NULL, 0);
	v = 5, pprof_add_sample(b, s1, 2, &v, &l, 1); /* another sample (labels differ), same stack */
	pj_buf raw = PJ_BUF_INIT, out = PJ_BUF_INIT;
	pprof_encode(b, &raw);
	assert_true(pprof_fold(raw.data, raw.len, 1 << 20, &out));
	assert_string_equal(out.data, "main;work 15\nmain;idle 3\n");
	pj_buf_reset(&out);
	assert_false(pprof_fold(raw.data, raw.len, 8, &out)); /* over the output limit */
	pprof_free(b);
	pj_buf_free(&raw);
	pj_buf_free(&out);
}

static void test_malformed_input(void **state)
{
	(void)state;
	pj_buf out = PJ_BUF_INIT;
	for (size_t cut = 1; cut < sizeof(worked_example); cut++) {
		pj_buf_reset(&out);
		/* Cuts inside a field fail; cuts between fields give a smaller but valid profile. */
		if (!pprof_fold(worked_example, cut, 1 << 20, &out))
			continue;
		assert_true(out.len == 0 || out.data[out.len - 1] == '\n');
	}
	assert_false(pprof_fold("\x0a\x05\x08", 3, 1 << 20, &out));
	pj_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_equal_stacks_are_summed_in_first_seen_order),
		cmocka_unit_test(test_malformed_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
