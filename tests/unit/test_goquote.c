/* strconv.Quote and slog's needsQuoting, checked against what Go prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/buf.h"
#include "base/goquote.h"

static void check_quote(const char *in, size_t len, const char *want)
{
	pj_buf b = PJ_BUF_INIT;
	pj_quote_go(&b, in, len);
	assert_string_equal(pj_buf_cstr(&b), want);
	pj_buf_free(&b);
}

static void test_quote_like_strconv(void **state)
{
	(void)state;
	check_quote("", 0, "\"\"");
	check_quote("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	check_quote("\a\b\f\n\r\t\v", 7, "\"\\a\\b\\f\\n\\r\\t\\v\"");
	check_quote("\x01\x7f", 2, "\"\\x01\\x7f\"");
	check_quote("\xff\xc3", 2, "\"\\xff\\xc3\""); /* bad bytes, one by one */
	check_quote("h\xc3\xa9 \xf0\x9f\x98\x80", 8, "\"h\xc3\xa9 \xf0\x9f\x98\x80\"");
	check_quote("\xc2\xa0", 2, "\"\\u00a0\""); /* NO-BREAK SPACE is not printable */
	check_quote("\xcd\xb8", 2, "\"\\u0378\""); /* unassigned */
	check_quote("\xf3\xa0\x80\x81", 4, "\"\\U000e0001\""); /* LANGUAGE TAG, Cf */
}

static void test_needs_quoting_like_slog(void **state)
{
	(void)state;
	assert_true(pj_go_needs_quoting("", 0));
	assert_false(pj_go_needs_quoting("a/b:c-1.5s", 10));
	assert_false(pj_go_needs_quoting("h\xc3\xa9", 3));
	assert_true(pj_go_needs_quoting("a b", 3));
	assert_true(pj_go_needs_quoting("a=b", 3));
	assert_true(pj_go_needs_quoting("a\"", 2));
	assert_true(pj_go_needs_quoting("a\n", 2));
	assert_true(pj_go_needs_quoting("\xc2\xa0", 2)); /* a Unicode space */
	assert_true(pj_go_needs_quoting("\xff", 1)); /* invalid UTF-8 */
	assert_true(pj_go_needs_quoting("\xef\xbf\xbd", 3)); /* utf8.RuneError itself */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_like_strconv),
		cmocka_unit_test(test_needs_quoting_like_slog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
