/*
 * Go's Unicode classes and mappings (src/base/unicode.h):
 * replays Go's strings.ToLower/ToUpper on 2,000 random strings recorded in
 * tests/data/relabel/case_cases.txt (scripts/gen-case-cases.go).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/unicode.h"

static size_t unhex(const char *h, size_t hlen, char *out)
{
	for (size_t i = 0; i + 1 < hlen; i += 2) {
		unsigned v;
		if (sscanf(h + i, "%2x", &v) != 1)
			fail_msg("bad hex");
		out[i / 2] = (char)v;
	}
	return hlen / 2;
}

static void test_classes_like_go(void **state)
{
	(void)state;
	assert_true(pj_unicode_is_letter(0xE9)); /* é */
	assert_true(pj_unicode_is_letter(0x4E16)); /* 世 */
	assert_false(pj_unicode_is_letter('_'));
	assert_true(pj_unicode_is_digit(0x0660)); /* ARABIC-INDIC DIGIT ZERO */
	assert_false(pj_unicode_is_digit(0x00B2)); /* superscript two is No, not Nd */
	assert_true(pj_unicode_is_print(' '));
	assert_false(pj_unicode_is_print(0xA0)); /* NO-BREAK SPACE */
	assert_false(pj_unicode_is_print(0x200B)); /* ZERO WIDTH SPACE is Cf */
	assert_true(pj_unicode_is_space(0x85));
	assert_true(pj_unicode_is_space(0x3000));
	assert_false(pj_unicode_is_space(0x200B));
	assert_int_equal(pj_unicode_to_upper(0x01C5), 0x01C4); /* titlecase Dž */
	assert_int_equal(pj_unicode_to_lower(0x01C5), 0x01C6);
	assert_int_equal(pj_unicode_to_upper(0x0101), 0x0100); /* alternating run */
	assert_int_equal(pj_unicode_to_lower(0x0100), 0x0101);
	assert_int_equal(pj_unicode_to_upper(-1), -1);
}

static void test_script_names(void **state)
{
	(void)state;
	assert_true(pj_unicode_is_script("Greek", 5));
	assert_true(pj_unicode_is_script("Old_Italic", 10));
	assert_false(pj_unicode_is_script("greek", 5));
	assert_false(pj_unicode_is_script("Lu", 2));
}

static void test_case_mapping_matches_go(void **state)
{
	(void)state;
	FILE *f = fopen(PJ_SOURCE_DIR "/tests/data/relabel/case_cases.txt", "r");
	assert_non_null(f);
	char line[1024], in[256], lower[256], upper[256];
	int lineno = 0, cases = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (line[0] == '#')
			continue;
		char *a = strtok(line, " \n"), *b = strtok(NULL, " \n"), *c = strtok(NULL, " \n");
		assert_non_null(c);
		size_t n = unhex(a, strlen(a), in), nl = unhex(b, strlen(b), lower), nu = unhex(c, strlen(c), upper);
		pj_buf got = PJ_BUF_INIT;
		pj_unicode_lower_string(&got, in, n);
		if (got.len != nl || memcmp(pj_buf_cstr(&got), lower, nl) != 0)
			fail_msg("line %d: lower case differs from Go", lineno);
		pj_buf_reset(&got);
		pj_unicode_upper_string(&got, in, n);
		if (got.len != nu || memcmp(pj_buf_cstr(&got), upper, nu) != 0)
			fail_msg("line %d: upper case differs from Go", lineno);
		pj_buf_free(&got);
		cases++;
	}
	fclose(f);
	assert_int_equal(cases, 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes_like_go),
		cmocka_unit_test(test_script_names),
		cmocka_unit_test(test_case_mapping_matches_go),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
