/* Unit tests for the formatter (spec section 7). */
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
#include "syntax/ast.h"
#include "syntax/printer.h"

static char *format_text(const char *text, size_t len)
{
	pj_diags diags = PJ_DIAGS_INIT;
	pj_file *file = pj_parse(pj_source_new("t.alloy", text, len), &diags);
	if (diags.len)
		fprintf(stderr, "unexpected parse error: %s\n", diags.items[0].message);
	assert_int_equal(diags.len, 0);
	char *out = pj_format_file(file);
	pj_diags_free(&diags);
	pj_file_free(file);
	return out;
}

/* Formats text, compares with want, and checks that want is a fixed point. */
static void check(const char *text, const char *want)
{
	char *out = format_text(text, strlen(text));
	assert_string_equal(out, want);
	char *again = format_text(out, strlen(out));
	assert_string_equal(again, want);
	free(out);
	free(again);
}

static void test_indentation_and_whitespace(void **state)
{
	(void)state;
	check("a {\n    b {\n  c = 1   \n    }\n}", "a {\n\tb {\n\t\tc = 1\n\t}\n}\n");
	/* At most one blank line is kept; the file ends with exactly one newline. */
	check("x = 1\n\n\n\ny = 2\n\n\n", "x = 1\n\ny = 2\n");
	check("", "\n");
	check("\n\n\n", "\n");
	check("x=1+2*-3", "x = 1 + 2 * -3\n");
	check("x = a==b&&!c||d<=e", "x = a == b && !c || d <= e\n");
}

static void test_alignment_runs(void **state)
{
	(void)state;
	check("a = 1\nlonger = 2\nmid = 3\n", "a      = 1\nlonger = 2\nmid    = 3\n");
	/* A blank line ends the run. */
	check("a = 1\nbb = 2\n\nlonger = 3\nc = 4\n", "a  = 1\nbb = 2\n\nlonger = 3\nc      = 4\n");
	/* A multi-line value ends the run after its first line. */
	check("a = 1\nlonger = [\n\t1,\n]\nb = 2\nccc = 3\n",
		"a      = 1\nlonger = [\n\t1,\n]\nb   = 2\nccc = 3\n");
	/* Trailing comments in a run line up too. */
	check("a = 1 // one\nbbb = \"x\" // two\n", "a   = 1   // one\nbbb = \"x\" // two\n");
	/* Object fields align like attributes. */
	check("o = {\n\ta = 1,\n\tbbb = 2,\n}\n", "o = {\n\ta   = 1,\n\tbbb = 2,\n}\n");
}

static void test_blocks(void **state)
{
	(void)state;
	/* Every block after the first statement gets a blank line before it. */
	check("a \"x\" {\n\tv = 1\n\tb {\n\t}\n\tc {\n\t}\n}\nd \"y\" {\n}\n",
		"a \"x\" {\n\tv = 1\n\n\tb { }\n\n\tc { }\n}\n\nd \"y\" { }\n");
	/* Empty blocks print as `{ }`; one-line blocks are expanded. */
	check("e \"l\" {}\n", "e \"l\" { }\n");
	check("b { x = 1 }\n", "b {\n\tx = 1\n}\n");
	/* An empty label is dropped, as Alloy's printer does. */
	check("b \"\" { }\n", "b { }\n");
	/* Attributes after a block only get a blank line if the source had one. */
	check("b { }\nx = 1\n", "b { }\nx = 1\n");
}

static void test_lists_keep_line_breaks(void **state)
{
	(void)state;
	check("x = [ 0,1 , 2 ]\n", "x = [0, 1, 2]\n");
	check("x = [\n1, 2,\n3,\n]\n", "x = [\n\t1, 2,\n\t3,\n]\n");
	check("x = [1,\n2]\n", "x = [1,\n\t2]\n");
	check("x = {a=1}\n", "x = {a = 1}\n");
	check("x = { }\ny = [ ]\n", "x = {}\ny = []\n");
	check("x = f(1,\n2,\n)\n", "x = f(1,\n\t2,\n)\n");
	check("x = f( )\ny = f(a)(b)[0]\n", "x = f()\ny = f(a)(b)[0]\n");
	check("x = f(\n)\n", "x = f()\n");
	/* A comment after the last argument stays there. */
	check("x = f(\n\t1, // one\n)\n", "x = f(\n\t1, // one\n)\n");
	check("x = [{\na = 1,\n}]\n", "x = [{\n\ta = 1,\n}]\n");
}

static void test_comments_kept(void **state)
{
	(void)state;
	check("// top\nx = 1\n", "// top\nx = 1\n");
	check("b {\n        // deep\n  x = 1 // end\n}\n", "b {\n\t// deep\n\tx = 1 // end\n}\n");
	check("x = [\n\t// first\n\t1,\n\t2, // two\n]\n", "x = [\n\t// first\n\t1,\n\t2, // two\n]\n");
	check("x = 1 /* a */ + /* b */ 2\n", "x = 1 /* a */ + /* b */ 2\n");
	check("x = 1\n\n\n// trailing\n", "x = 1\n\n// trailing\n");
	/* Comments inside a block name move in front of the block. */
	check("a.// c\nb {\n}\n", "// c\na.b { }\n");
	check("x = 1\na . /* c */ b \"l\" { }\n", "x = 1\n/* c */ a.b \"l\" { }\n");
	/* A form feed is just a character inside a comment. */
	check("// a\fb\nx = 1 // c\fd\ny = 2\n", "// a\fb\nx = 1 // c\fd\ny = 2\n");
	/* A line comment between a dot and the name must keep its line break. */
	check("x = a.// c\nb\n", "x = a. // c\nb\n");
	check("/* multi\n   line */\nx = 1\n", "/* multi\n   line */\nx = 1\n");
}

static void test_literals_kept(void **state)
{
	(void)state;
	check("x = `raw\n  keeps\tthis  \nexactly`\n", "x = `raw\n  keeps\tthis  \nexactly`\n");
	check("x = \"esc\\t\\u00e9\"\ny = 010\nz = 1.50e3\n", "x = \"esc\\t\\u00e9\"\ny = 010\nz = 1.50e3\n");
	/* Quoted keys stay exactly as written. */
	check("x = {\"a\\\"b\" = 1}\n", "x = {\"a\\\"b\" = 1}\n");
	/* "1 .x" must not become "1.x", which would scan as a float. */
	check("x = 1 .y\n", "x = 1 .y\n");
	check("x = (a + b) * c\n", "x = (a + b) * c\n");
}

static void test_output_is_stable(void **state)
{
	(void)state;
	/*
	 * One pass joins the first statement onto one line but, going by the
	 * source layout, does not align it; formatting repeats until stable.
	 */
	check("d1 = f(a &&\nb)\nenv = 1\n", "d1  = f(a && b)\nenv = 1\n");
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	pj_buf b = PJ_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		pj_buf_append(&b, chunk, n);
	fclose(f);
	pj_buf_puts(&b, "");
	*len = b.len;
	return pj_buf_detach(&b);
}

/* Every tests/data/fmt/NAME.in formats to NAME.expect, which is a fixed point. */
static void test_data_pairs(void **state)
{
	(void)state;
	const char *dir = PJ_SOURCE_DIR "/tests/data/fmt";
	DIR *d = opendir(dir);
	assert_non_null(d);
	int pairs = 0;
	struct dirent *ent;
	while ((ent = readdir(d))) {
		size_t n = strlen(ent->d_name);
		if (n < 4 || strcmp(ent->d_name + n - 3, ".in") != 0)
			continue;
		char in_path[512], expect_path[512];
		snprintf(in_path, sizeof(in_path), "%s/%s", dir, ent->d_name);
		snprintf(expect_path, sizeof(expect_path), "%s/%.*s.expect", dir, (int)(n - 3), ent->d_name);
		size_t in_len, expect_len;
		char *in = read_file(in_path, &in_len);
		char *expect = read_file(expect_path, &expect_len);
		assert_non_null(in);
		assert_non_null(expect);
		char *out = format_text(in, in_len);
		if (strcmp(out, expect) != 0)
			fprintf(stderr, "%s differs from %s:\n%s", in_path, expect_path, out);
		assert_string_equal(out, expect);
		char *again = format_text(expect, expect_len);
		assert_string_equal(again, expect);
		free(in);
		free(expect);
		free(out);
		free(again);
		pairs++;
	}
	closedir(d);
	assert_true(pairs >= 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_indentation_and_whitespace),
		cmocka_unit_test(test_alignment_runs),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_lists_keep_line_breaks),
		cmocka_unit_test(test_comments_kept),
		cmocka_unit_test(test_literals_kept),
		cmocka_unit_test(test_output_is_stable),
		cmocka_unit_test(test_data_pairs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
