/* Unit tests for diagnostics: positions and Alloy's printed layout (spec section 6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syntax/ast.h"
#include "syntax/diag.h"

/* Prints the diagnostics into a string. */
static char *render(const pj_diags *d, bool color, bool brief)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	if (brief)
		pj_diags_print_brief(d, f);
	else
		pj_diags_print(d, f, color);
	assert_int_equal(fclose(f), 0);
	return out;
}

/* The byte offset of (line, col), both 1-based. */
static uint32_t offset_of(const pj_source *src, int line, int col)
{
	return (uint32_t)(src->line_starts[line - 1] + (size_t)col - 1);
}

/* A diagnostic from (l1,c1) to (l2,c2) inclusive, as Alloy states ranges. */
static void add_range(pj_diags *d, const pj_source *src, int l1, int c1, int l2, int c2, const char *msg)
{
	pj_span span = {offset_of(src, l1, c1), offset_of(src, l2, c2) + 1};
	pj_diags_add(d, PJ_SEV_ERROR, src, span, "%s", msg);
}

static void test_spec_example(void **state)
{
	(void)state;
	const char *text =
		"discovery.process \"all\" { }\n"
		"\n"
		"discovery.relabel \"java\" {\n"
		"  targets = discovery.process.all.targets\n"
		"  rule {\n"
		"    action = \"keep\"\n"
		"    regx   = \".*/java$\"\n"
		"  }\n"
		"}\n";
	pj_diags d = PJ_DIAGS_INIT;
	pj_file *file = pj_parse(pj_source_new("pipeline.alloy", text, strlen(text)), &d);
	assert_int_equal(d.len, 0);
	const pj_stmt *regx = file->body.stmts[1]->body.stmts[1]->body.stmts[1];
	assert_string_equal(regx->name, "regx");
	pj_diags_add(&d, PJ_SEV_ERROR, file->src, regx->span, "unrecognized attribute name \"%s\"", regx->name);
	char *out = render(&d, false, false);
	assert_string_equal(out,
		"Error: pipeline.alloy:7:5: unrecognized attribute name \"regx\"\n"
		"\n"
		"6 |     action = \"keep\"\n"
		"7 |     regx   = \".*/java$\"\n"
		"  |     ^^^^^^^^^^^^^^^^^^^\n"
		"8 |   }\n");
	free(out);
	pj_diags_free(&d);
	pj_file_free(file);
}

static void test_single_column_and_tabs(void **state)
{
	(void)state;
	const char *text = "blk \"x\" {\n\tvalue = 12\n}";
	pj_source *src = pj_source_new("cfg.alloy", text, strlen(text));
	pj_diags d = PJ_DIAGS_INIT;
	pj_span at = {offset_of(src, 2, 2), offset_of(src, 2, 2)};
	pj_diags_add(&d, PJ_SEV_ERROR, src, at, "bad");
	char *out = render(&d, false, false);
	assert_string_equal(out,
		"Error: cfg.alloy:2:2: bad\n"
		"\n"
		"1 | blk \"x\" {\n"
		"2 |     value = 12\n"
		"  |     ^\n"
		"3 | }\n");
	free(out);
	pj_diags_free(&d);
	pj_source_free(src);
}

static void test_line_numbers_are_right_aligned(void **state)
{
	(void)state;
	const char *text = "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nline10\nl11\n";
	pj_source *src = pj_source_new("n", text, strlen(text));
	pj_diags d = PJ_DIAGS_INIT;
	add_range(&d, src, 9, 1, 9, 2, "wide");
	char *out = render(&d, false, false);
	assert_string_equal(out,
		"Error: n:9:1: wide\n"
		"\n"
		" 8 | l8\n"
		" 9 | l9\n"
		"   | ^^\n"
		"10 | line10\n");
	free(out);
	pj_diags_free(&d);
	pj_source_free(src);
}

static void test_multi_line_range(void **state)
{
	(void)state;
	const char *text = "first\nopen here\nmid\n\tinner\n\t\tclose) rest\nlast";
	pj_source *src = pj_source_new("m", text, strlen(text));
	pj_diags d = PJ_DIAGS_INIT;
	add_range(&d, src, 2, 6, 5, 8, "spans lines");
	char *out = render(&d, false, false);
	assert_string_equal(out,
		"Error: m:2:6: spans lines\n"
		"\n"
		"1 |   first\n"
		"2 |   open here\n"
		"  |  ______^^^^\n"
		"3 | | mid\n"
		"4 | |     inner\n"
		"5 | |         close) rest\n"
		"  | |_________^^^^^^\n"
		"6 |   last\n");
	free(out);
	pj_diags_free(&d);
	pj_source_free(src);
}

static void test_several_diagnostics_and_positions(void **state)
{
	(void)state;
	const char *text = "alpha = 1\nbeta & 2";
	pj_source *src = pj_source_new("a.alloy", text, strlen(text));
	pj_diags d = PJ_DIAGS_INIT;
	pj_span alpha = {0, 5};
	pj_diags_add(&d, PJ_SEV_WARN, src, alpha, "alpha is old");
	pj_span amp = {offset_of(src, 2, 6), offset_of(src, 2, 6)};
	pj_diags_add(&d, PJ_SEV_ERROR, src, amp, "no such operator %s", "&");
	pj_diags_add(&d, PJ_SEV_ERROR, NULL, alpha, "cycle: a.b, c.d");
	assert_true(pj_diags_has_errors(&d));
	char *out = render(&d, false, false);
	assert_string_equal(out,
		"Warning: a.alloy:1:1: alpha is old\n"
		"\n"
		"1 | alpha = 1\n"
		"  | ^^^^^\n"
		"2 | beta & 2\n"
		"\n"
		"Error: a.alloy:2:6: no such operator &\n"
		"\n"
		"1 | alpha = 1\n"
		"2 | beta & 2\n"
		"  |      ^\n"
		"\n"
		"Error: -: cycle: a.b, c.d\n");
	free(out);
	out = render(&d, false, true);
	assert_string_equal(out,
		"a.alloy:1:1: alpha is old\n"
		"a.alloy:2:6: no such operator &\n"
		"-: cycle: a.b, c.d\n");
	free(out);
	pj_diags_free(&d);
	pj_source_free(src);
}

static void test_position_forms(void **state)
{
	(void)state;
	pj_source *named = pj_source_new("f.alloy", "ab\ncd", 5);
	pj_source *unnamed = pj_source_new("", "ab\ncd", 5);
	pj_diag diag = {PJ_SEV_ERROR, named, {4, 4}, "m"};
	char *pos = pj_diag_position(&diag);
	assert_string_equal(pos, "f.alloy:2:2");
	free(pos);
	diag.src = unnamed;
	pos = pj_diag_position(&diag);
	assert_string_equal(pos, "2:2");
	free(pos);
	diag.src = NULL;
	pos = pj_diag_position(&diag);
	assert_string_equal(pos, "-");
	free(pos);
	pj_source_free(named);
	pj_source_free(unnamed);
}

static void test_colour_and_warnings_only(void **state)
{
	(void)state;
	pj_source *src = pj_source_new("c", "x", 1);
	pj_diags d = PJ_DIAGS_INIT;
	pj_span at = {0, 1};
	pj_diags_add(&d, PJ_SEV_WARN, src, at, "careful");
	assert_false(pj_diags_has_errors(&d));
	char *out = render(&d, true, false);
	assert_string_equal(out,
		"\x1b[33;1mWarning: \x1b[0m\x1b[1mc:1:1: careful\n\x1b[0m"
		"\n"
		"1 | x\n"
		"  | ^\n");
	free(out);
	pj_diags_add(&d, PJ_SEV_ERROR, NULL, at, "broken");
	pj_diags moved = PJ_DIAGS_INIT;
	pj_diags_move(&moved, &d);
	assert_int_equal(d.len, 0);
	assert_int_equal(moved.len, 2);
	out = render(&moved, true, false);
	assert_non_null(strstr(out, "\x1b[31;1mError: \x1b[0m\x1b[1m-: broken\n\x1b[0m"));
	free(out);
	pj_diags_free(&moved);
	pj_diags_free(&d);
	pj_source_free(src);
	/* A memory stream is no terminal. */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_false(pj_diags_want_color(f));
	fclose(f);
	free(buf);
}

static void test_parse_errors_print_with_context(void **state)
{
	(void)state;
	const char *text = "a = 1\nb = [1 2]\nc = 3\n";
	pj_diags d = PJ_DIAGS_INIT;
	pj_file *file = pj_parse(pj_source_new("p.alloy", text, strlen(text)), &d);
	char *out = render(&d, false, false);
	assert_string_equal(out,
		"Error: p.alloy:2:8: missing ',' in expression list\n"
		"\n"
		"1 | a = 1\n"
		"2 | b = [1 2]\n"
		"  |        ^\n"
		"3 | c = 3\n");
	free(out);
	pj_diags_free(&d);
	pj_file_free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_single_column_and_tabs),
		cmocka_unit_test(test_line_numbers_are_right_aligned),
		cmocka_unit_test(test_multi_line_range),
		cmocka_unit_test(test_several_diagnostics_and_positions),
		cmocka_unit_test(test_position_forms),
		cmocka_unit_test(test_colour_and_warnings_only),
		cmocka_unit_test(test_parse_errors_print_with_context),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
