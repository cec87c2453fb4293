/*
 * Unit tests for jfr_reader_scan(), the conversion's fast path: on every
 * shared recording, on synthetic ones with long varints, fixed-width
 * integers and events next to the chunk end, and on every truncation and
 * many single-byte damages of one, it must see exactly the events, values
 * and errors of the record walk (jfr_scan_check.h), and must actually
 * decode events itself (not only fall back to the checked path).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "jfr_recording.h"
#include "profile/jfr_internal.h"
#include "jfr_scan_check.h"
#include "read_gz.h"

#define GOLDEN_DIR PJ_TESTDATA_DIR "/jfr-parser"

static jfr_scan_check check(const pj_buf *file, const char *what)
{
	jfr_scan_check c;
	if (!jfr_scan_agrees((const uint8_t *)file->data, file->len, &c))
		fail_msg("%s: %s", what, c.why);
	return c;
}

static void test_scan_agrees_on_shared_recordings(void **state)
{
	(void)state;
	DIR *d = opendir(GOLDEN_DIR);
	assert_non_null(d);
	size_t files = 0, events = 0, decoded = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t n = strlen(e->d_name);
		if (n < 8 || strcmp(e->d_name + n - 7, ".jfr.gz") != 0)
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, e->d_name);
		pj_buf f = PJ_BUF_INIT;
		read_gz(path, &f);
		jfr_scan_check c = check(&f, e->d_name);
		assert_int_equal(c.errors, 0);
		assert_true(c.events > 0);
		files++;
		events += c.events;
		decoded += c.decoded;
		pj_buf_free(&f);
	}
	closedir(d);
	print_message("%zu recordings, %zu events, %zu decoded by a plan\n", files, events, decoded);
	assert_true(files >= 10);
	/* All samples and most other events are integers and pool keys, decoded
	 * by a plan (80% of all events); those with strings or arrays are not. */
	assert_true(decoded * 10 > events * 7);
}

/* Samples with keys of every varint length (1 to 9 bytes), a setting (strings), and a monitor event. */
static void synthetic(pj_buf *file, bool fixed_ints, int samples)
{
	rec_opts o = {.fixed_ints = fixed_ints, .symbol_enc = 3};
	tw w = {0};
	rec_start(&w, &o);
	rec_setting(&w, "event", "cpu");
	for (int i = 0; i < samples; i++) {
		uint64_t big = i % 9 == 8 ? UINT64_MAX - (uint64_t)i : (uint64_t)1 << (7 * (i % 9));
		rec_exec(&w, big, i % 3 ? 1 : big, (uint64_t)i % 4);
		rec_monitor(&w, 1, big);
	}
	rec_finish(&w, &o);
	*file = w.out;
}

static void test_scan_agrees_on_long_varints_and_fixed_ints(void **state)
{
	(void)state;
	pj_buf f;
	synthetic(&f, false, 40);
	jfr_scan_check c = check(&f, "compressed");
	assert_int_equal(c.events, 2 * 81); /* both choices of fields (jsc_variant) */
	assert_true(c.decoded >= 2 * 70); /* all but the setting and those near the chunk end */
	pj_buf_free(&f);
	synthetic(&f, true, 40);
	c = check(&f, "fixed-width");
	assert_int_equal(c.events, 2 * 81);
	assert_int_equal(c.decoded, 0); /* no plans without varints: the checked path throughout */
	pj_buf_free(&f);
}

static void test_scan_agrees_on_damage(void **state)
{
	(void)state;
	pj_buf f;
	synthetic(&f, false, 12);
	pj_buf cut = PJ_BUF_INIT;
	for (size_t n = 0; n < f.len; n++) {
		pj_buf_reset(&cut);
		pj_buf_append(&cut, f.data, n);
		check(&cut, "truncated");
	}
	/* Every byte of the events (after the metadata) with its top bit flipped,
	 * and set to 0xff: lengths, sizes and type ids go wrong everywhere. */
	for (size_t i = 68; i < f.len; i++) {
		for (int k = 0; k < 2; k++) {
			pj_buf_reset(&cut);
			pj_buf_append(&cut, f.data, f.len);
			cut.data[i] = (char)(k ? 0xff : (uint8_t)cut.data[i] ^ 0x80);
			check(&cut, "damaged");
		}
	}
	pj_buf_free(&cut);
	pj_buf_free(&f);
}

/* Writes a varint of `len` bytes (1 to 9; a 9th byte with any top bit) at b. */
static void put_varint(uint8_t *b, int len, uint8_t fill)
{
	for (int i = 0; i < len - 1; i++)
		b[i] = (uint8_t)(0x80 | (fill + i));
	b[len - 1] = len == 9 ? (uint8_t)(0x80 | fill) : (uint8_t)(fill & 0x7f);
}

/*
 * The two-varint step of the plans (start time and thread) against two
 * single steps: every pair of lengths, followed by bytes that end varints
 * or do not; the one-mask path must take every pair of up to 8 bytes each.
 */
static void test_step2_wide_matches_two_steps(void **state)
{
	(void)state;
	size_t masked = 0;
	for (int l1 = 1; l1 <= 9; l1++) {
		for (int l2 = 1; l2 <= 9; l2++) {
			for (int tail = 0; tail < 2; tail++) {
				uint8_t b[40];
				memset(b, tail ? 0xff : 0x05, sizeof(b));
				put_varint(b + 3, l1, (uint8_t)(17 * l2));
				put_varint(b + 3 + l1, l2, (uint8_t)(31 * l1));
				size_t one = 3, two = 3;
				jfr_varint_step(b, &one);
				jfr_varint_step(b, &one);
				bool wide = jfr_varint_step2_wide(b, &two);
				assert_int_equal(two, one);
				assert_int_equal(one, 3 + (size_t)l1 + (size_t)l2);
#ifdef __SSE2__
				assert_int_equal(wide, l1 <= 8 && l2 <= 8);
#endif
				masked += wide;
			}
		}
	}
#ifdef __SSE2__
	assert_int_equal(masked, 2 * 8 * 8);
#else
	assert_int_equal(masked, 0);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_agrees_on_shared_recordings),
		cmocka_unit_test(test_scan_agrees_on_long_varints_and_fixed_ints),
		cmocka_unit_test(test_scan_agrees_on_damage),
		cmocka_unit_test(test_step2_wide_matches_two_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
