/* Unit tests for src/profile/gunzip: magic sniffing, members, limits, damage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/buf.h"
#include "profile/gunzip.h"

/* One gzip member of data, appended to out. */
static void gzip_member(const char *data, size_t len, pj_buf *out)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t room = deflateBound(&zs, (uLong)len);
	pj_buf_reserve(out, room);
	zs.next_in = (unsigned char *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (unsigned char *)out->data + out->len;
	zs.avail_out = (uInt)room;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	out->len += room - zs.avail_out;
	deflateEnd(&zs);
}

static void test_sniffs_magic(void **state)
{
	(void)state;
	assert_true(gunzip_is_gzip((const uint8_t *)"\x1f\x8b", 2));
	assert_false(gunzip_is_gzip((const uint8_t *)"\x1f", 1));
	assert_false(gunzip_is_gzip((const uint8_t *)"FLR\0", 4));
	assert_false(gunzip_is_gzip(NULL, 0));
}

static void test_inflates_concatenated_members(void **state)
{
	(void)state;
	pj_buf gz = PJ_BUF_INIT, out = PJ_BUF_INIT;
	gzip_member("hello ", 6, &gz);
	gzip_member("world", 5, &gz);
	char *err = NULL;
	pj_buf_puts(&out, ">");
	assert_true(gunzip_buf((const uint8_t *)gz.data, gz.len, 100, &out, &err));
	assert_null(err);
	assert_string_equal(pj_buf_cstr(&out), ">hello world");
	pj_buf_free(&gz);
	pj_buf_free(&out);
}

static void test_large_input_round_trips(void **state)
{
	(void)state;
	size_t n = 5u << 20;
	char *data = malloc(n);
	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 7 % 251);
	pj_buf gz = PJ_BUF_INIT, out = PJ_BUF_INIT;
	gzip_member(data, n, &gz);
	char *err = NULL;
	assert_true(gunzip_buf((const uint8_t *)gz.data, gz.len, n, &out, &err));
	assert_int_equal(out.len, n);
	assert_memory_equal(out.data, data, n);
	free(data);
	pj_buf_free(&gz);
	pj_buf_free(&out);
}

static void expect_error(const pj_buf *gz, size_t max, const char *message)
{
	pj_buf out = PJ_BUF_INIT;
	char *err = NULL;
	assert_false(gunzip_buf((const uint8_t *)gz->data, gz->len, max, &out, &err));
	assert_non_null(err);
	assert_string_equal(err, message);
	free(err);
	pj_buf_free(&out);
}

static void test_reports_truncation_corruption_and_limit(void **state)
{
	(void)state;
	pj_buf gz = PJ_BUF_INIT;
	const char text[] = "a fairly compressible text, a fairly compressible text";
	gzip_member(text, sizeof(text) - 1, &gz);
	expect_error(&gz, 10, "gzip: decompressed data too large");
	expect_error(&gz, sizeof(text) - 2, "gzip: decompressed data too large");
	pj_buf cut = PJ_BUF_INIT;
	pj_buf_append(&cut, gz.data, gz.len - 6);
	expect_error(&cut, 1000, "gzip: truncated input");
	pj_buf bad = PJ_BUF_INIT;
	pj_buf_append(&bad, "\x1f\x8b\x07garbage", 10);
	expect_error(&bad, 1000, "gzip: unknown compression method");
	pj_buf_free(&gz);
	pj_buf_free(&cut);
	pj_buf_free(&bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniffs_magic),
		cmocka_unit_test(test_inflates_concatenated_members),
		cmocka_unit_test(test_large_input_round_trips),
		cmocka_unit_test(test_reports_truncation_corruption_and_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
