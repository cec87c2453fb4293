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
	assert_int_equal(c.events, 81);
	assert_true(c.decoded >= 70); /* all but the setting and those near the chunk end */
	pj_buf_free(&f);
	synthetic(&f, true, 40);
	c = check(&f, "fixed-width");
	assert_int_equal(c.events, 81);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_agrees_on_shared_recordings),
		cmocka_unit_test(test_scan_agrees_on_long_varints_and_fixed_ints),
		cmocka_unit_test(test_scan_agrees_on_damage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
