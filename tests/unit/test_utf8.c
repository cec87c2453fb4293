/* Go's unicode/utf8 rules: what decodes, what is invalid, how wide a bad byte is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"

static void test_decode_like_go(void **state)
{
	(void)state;
	size_t w;
	assert_int_equal(pj_utf8_decode("a", 1, &w), 'a');
	assert_int_equal(w, 1);
	assert_int_equal(pj_utf8_decode("\xc3\xa9", 2, &w), 0xe9);
	assert_int_equal(w, 2);
	assert_int_equal(pj_utf8_decode("\xe2\x84\xaa", 3, &w), 0x212a);
	assert_int_equal(pj_utf8_decode("\xf0\x9f\x98\x80", 4, &w), 0x1f600);
	assert_int_equal(w, 4);
	/* Invalid: lone continuation, truncated, overlong, surrogate, above U+10FFFF. */
	const char *bad[] = {"\x80", "\xc3", "\xe2\x84", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(pj_utf8_decode(bad[i], strlen(bad[i]), &w), PJ_RUNE_ERROR);
		assert_int_equal(w, 1);
		assert_false(pj_utf8_valid(bad[i], strlen(bad[i])));
	}
	assert_true(pj_utf8_valid("\xef\xbf\xbd", 3)); /* U+FFFD itself is valid */
}

static void test_valid_rejects_what_go_rejects(void **state)
{
	(void)state;
	assert_true(pj_utf8_valid("h\xc3\xa9", 3));
	assert_false(pj_utf8_valid("\xc0\x80", 2)); /* overlong */
	assert_false(pj_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	assert_false(pj_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(pj_utf8_valid("\xe2\x82", 2)); /* truncated */
}

static void test_strict_rune_and_encode(void **state)
{
	(void)state;
	int32_t r;
	assert_int_equal(pj_utf8_rune("\xc3\xa9", 2, &r), 2);
	assert_int_equal(r, 0xe9);
	assert_int_equal(pj_utf8_rune("\xef\xbf\xbd", 3, &r), 3); /* a real U+FFFD */
	assert_int_equal(pj_utf8_rune("\xc3", 1, &r), 0);
	char b[4];
	assert_int_equal(pj_utf8_encode_to(b, 0x1f600), 4);
	assert_memory_equal(b, "\xf0\x9f\x98\x80", 4);
	assert_int_equal(pj_utf8_encode_to(b, 0xd800), 3); /* surrogates encode as U+FFFD */
	assert_memory_equal(b, "\xef\xbf\xbd", 3);
	pj_buf out = PJ_BUF_INIT;
	pj_utf8_encode(&out, 0x110000);
	pj_utf8_encode(&out, 'a');
	assert_int_equal(out.len, 4);
	assert_memory_equal(out.data, "\xef\xbf\xbd" "a", 4);
	pj_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_like_go),
		cmocka_unit_test(test_valid_rejects_what_go_rejects),
		cmocka_unit_test(test_strict_rune_and_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
