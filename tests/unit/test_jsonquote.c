/* JSON strings as Go's encoding/json (Go 1.22+) and log/slog write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/buf.h"
#include "base/jsonquote.h"

static void check(const char *in, size_t len, unsigned flags, const char *want)
{
	pj_buf b = PJ_BUF_INIT;
	pj_json_quote(&b, in, len, flags);
	assert_string_equal(pj_buf_cstr(&b), want);
	pj_buf_free(&b);
}

static void test_encoding_json(void **state)
{
	(void)state;
	check("", 0, PJ_JSON_ENCODING, "\"\"");
	check("a\"b\\c\n\r\t", 8, PJ_JSON_ENCODING, "\"a\\\"b\\\\c\\n\\r\\t\"");
	check("<a&b>", 5, PJ_JSON_ENCODING, "\"\\u003ca\\u0026b\\u003e\"");
	check("\b\f\x01\x7f", 4, PJ_JSON_ENCODING, "\"\\b\\f\\u0001\x7f\"");
	check("\xe2\x80\xa8\xe2\x80\xa9h\xc3\xa9", 9, PJ_JSON_ENCODING, "\"\\u2028\\u2029h\xc3\xa9\"");
	check("\xff", 1, PJ_JSON_ENCODING, "\"\\ufffd\"");
	check("\xff", 1, PJ_JSON_ENCODING | PJ_JSON_RAW_FFFD, "\"\xef\xbf\xbd\"");
}

static void test_slog(void **state)
{
	(void)state;
	check("<a&b>", 5, PJ_JSON_SLOG, "\"<a&b>\"");
	check("\b\f\x01", 3, PJ_JSON_SLOG, "\"\\u0008\\u000c\\u0001\"");
	check("\xe2\x80\xa8\xc3", 4, PJ_JSON_SLOG, "\"\\u2028\\ufffd\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding_json),
		cmocka_unit_test(test_slog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
