/* Unit tests for configuration sources: reading, encoding checks, line tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syntax/source.h"

static char tmp_path[64];

static void write_tmp(const char *data, size_t len)
{
	snprintf(tmp_path, sizeof(tmp_path), "/tmp/pj_source_%d.alloy", (int)getpid());
	FILE *f = fopen(tmp_path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void read_expect_error(const char *data, size_t len, const char *want)
{
	write_tmp(data, len);
	char *err = NULL;
	pj_source *src = pj_source_read(tmp_path, &err);
	assert_null(src);
	assert_non_null(err);
	assert_string_equal(err, want);
	free(err);
	unlink(tmp_path);
}

static void test_read_plain_and_bom(void **state)
{
	(void)state;
	write_tmp("\xef\xbb\xbf" "a = 1\n", 9);
	char *err = NULL;
	pj_source *src = pj_source_read(tmp_path, &err);
	assert_non_null(src);
	assert_null(err);
	assert_int_equal(src->len, 9);
	assert_string_equal(src->name, tmp_path);
	pj_source_free(src);
	unlink(tmp_path);
}

static void test_read_rejects_other_encodings(void **state)
{
	(void)state;
	read_expect_error("\xff\xfe" "a\0", 4, "configuration is encoded with UTF16LittleEndian but must be utf8");
	read_expect_error("\xfe\xff\0a", 4, "configuration is encoded with UTF16BigEndian but must be utf8");
	read_expect_error("\xff\xfe\0\0a\0\0\0", 8, "configuration is encoded with UTF32LittleEndian but must be utf8");
	read_expect_error("\0\0\xfe\xff\0\0\0a", 8, "configuration is encoded with UTF32BigEndian but must be utf8");
	read_expect_error("a = \"caf\xe9\"\n", 11, "unknown encoding for config");
}

static void test_read_missing_file(void **state)
{
	(void)state;
	char *err = NULL;
	pj_source *src = pj_source_read("/nonexistent/x.alloy", &err);
	assert_null(src);
	assert_string_equal(err, "open /nonexistent/x.alloy: no such file or directory");
	free(err);
}

static void test_line_table(void **state)
{
	(void)state;
	const char *text = "one\ntwo\r\n\nfour";
	pj_source *src = pj_source_new("f", text, strlen(text));
	assert_int_equal(src->nlines, 4);
	pj_linecol lc = pj_source_linecol(src, 0);
	assert_int_equal(lc.line, 1);
	assert_int_equal(lc.col, 1);
	lc = pj_source_linecol(src, 5);
	assert_int_equal(lc.line, 2);
	assert_int_equal(lc.col, 2);
	lc = pj_source_linecol(src, 9);
	assert_int_equal(lc.line, 3);
	assert_int_equal(lc.col, 1);
	lc = pj_source_linecol(src, 1000); /* clamped to the end */
	assert_int_equal(lc.line, 4);
	assert_int_equal(lc.col, 5);
	size_t len;
	const char *line = pj_source_line(src, 2, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(line, "two\r", 4);
	line = pj_source_line(src, 4, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(line, "four", 4);
	pj_source_line(src, 5, &len);
	assert_int_equal(len, 0);
	pj_source_free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_plain_and_bom),
		cmocka_unit_test(test_read_rejects_other_encodings),
		cmocka_unit_test(test_read_missing_file),
		cmocka_unit_test(test_line_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
