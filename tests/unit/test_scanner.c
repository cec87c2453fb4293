/* Unit tests for the Alloy scanner (spec section 1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "syntax/scanner.h"
#include "base/unicode.h"

/*
 * Scans text and renders every token as "NAME" or "NAME:text", joined by
 * spaces, so a whole token stream can be checked in one assertion. Errors are
 * rendered as "line:col: message" lines into *errors.
 */
static char *scan(const char *text, size_t len, char **errors)
{
	pj_source *src = pj_source_new("t.alloy", text, len);
	pj_diags diags = PJ_DIAGS_INIT;
	pj_scanner s;
	pj_scanner_init(&s, src, &diags, true);
	pj_buf out = PJ_BUF_INIT;
	for (;;) {
		pj_token t = pj_scanner_next(&s);
		if (out.len)
			pj_buf_putc(&out, ' ');
		pj_buf_puts(&out, pj_tok_name(t.tok));
		if (t.tok == PJ_TOK_EOF)
			break;
		size_t n;
		const char *lit = pj_token_text(&s, t, &n);
		if (t.tok <= PJ_TOK_TERMINATOR && t.tok != PJ_TOK_ILLEGAL && t.tok != PJ_TOK_COMMENT)
			continue;
		if (t.tok >= PJ_TOK_OR)
			continue;
		pj_buf_putc(&out, ':');
		for (size_t i = 0; i < n; i++) {
			if ((unsigned char)lit[i] < 0x20 && lit[i] != '\n')
				pj_buf_printf(&out, "<%02x>", lit[i]);
			else
				pj_buf_putc(&out, lit[i]);
		}
	}
	pj_buf errs = PJ_BUF_INIT;
	for (size_t i = 0; i < diags.len; i++) {
		pj_linecol lc = pj_source_linecol(src, diags.items[i].span.start);
		pj_buf_printf(&errs, "%d:%d: %s\n", lc.line, lc.col, diags.items[i].message);
	}
	pj_buf_puts(&errs, "");
	*errors = pj_buf_detach(&errs);
	pj_diags_free(&diags);
	pj_source_free(src);
	pj_buf_puts(&out, "");
	return pj_buf_detach(&out);
}

static void check(const char *text, const char *want_tokens, const char *want_errors)
{
	char *errors;
	char *tokens = scan(text, strlen(text), &errors);
	assert_string_equal(tokens, want_tokens);
	assert_string_equal(errors, want_errors);
	free(tokens);
	free(errors);
}

static void test_positions_are_byte_offsets(void **state)
{
	(void)state;
	const char *text = "ab = \"x\"\n\tc.d \"l\" { }\n";
	pj_source *src = pj_source_new("t", text, strlen(text));
	pj_scanner s;
	pj_scanner_init(&s, src, NULL, false);
	static const struct {
		pj_tok tok;
		uint32_t start, end;
	} want[] = {
		{PJ_TOK_IDENT, 0, 2}, {PJ_TOK_ASSIGN, 3, 4}, {PJ_TOK_STRING, 5, 8},
		{PJ_TOK_TERMINATOR, 8, 9}, {PJ_TOK_IDENT, 10, 11}, {PJ_TOK_DOT, 11, 12},
		{PJ_TOK_IDENT, 12, 13}, {PJ_TOK_STRING, 14, 17}, {PJ_TOK_LCURLY, 18, 19},
		{PJ_TOK_RCURLY, 20, 21}, {PJ_TOK_TERMINATOR, 21, 22}, {PJ_TOK_EOF, 22, 22},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		pj_token t = pj_scanner_next(&s);
		assert_int_equal(t.tok, want[i].tok);
		assert_int_equal(t.span.start, want[i].start);
		assert_int_equal(t.span.end, want[i].end);
	}
	pj_linecol lc = pj_source_linecol(src, 12);
	assert_int_equal(lc.line, 2);
	assert_int_equal(lc.col, 4);
	pj_source_free(src);
}

static void test_terminator_rule(void **state)
{
	(void)state;
	/* After a value-ending token a newline ends the statement... */
	check("a\n", "IDENT:a TERMINATOR EOF", "");
	check("a = true\nb = null\n", "IDENT:a = BOOL:true TERMINATOR IDENT:b = NULL:null TERMINATOR EOF", "");
	check("x = 1\ny = 2.5\n", "IDENT:x = NUMBER:1 TERMINATOR IDENT:y = FLOAT:2.5 TERMINATOR EOF", "");
	check("f()\n[]\n{}\n", "IDENT:f ( ) TERMINATOR [ ] TERMINATOR { } TERMINATOR EOF", "");
	check("\"s\"\n`r`\n", "STRING:\"s\" TERMINATOR STRING:`r` TERMINATOR EOF", "");
	/* ...and so does the end of the file. */
	check("a", "IDENT:a TERMINATOR EOF", "");
	/* After operators, commas and openers the newline is just whitespace. */
	check("x = 1 +\n2", "IDENT:x = NUMBER:1 + NUMBER:2 TERMINATOR EOF", "");
	check("[\n1,\n2,\n]", "[ NUMBER:1 , NUMBER:2 , ] TERMINATOR EOF", "");
	check("x = 1\n+ 2", "IDENT:x = NUMBER:1 TERMINATOR + NUMBER:2 TERMINATOR EOF", "");
	/* Blank lines and CRLF line ends produce one terminator. */
	check("a\r\n\r\n\r\nb\r\n", "IDENT:a TERMINATOR IDENT:b TERMINATOR EOF", "");
	check("", "EOF", "");
	check("\n\n  \t\n", "EOF", "");
}

static void test_comments(void **state)
{
	(void)state;
	check("// only a comment", "COMMENT:// only a comment EOF", "");
	check("a = 1 // trailing\nb", "IDENT:a = NUMBER:1 TERMINATOR COMMENT:// trailing IDENT:b TERMINATOR EOF", "");
	/* A block comment with a newline in it ends the line too. */
	check("a /* x\ny */ b", "IDENT:a TERMINATOR COMMENT:/* x\ny */ IDENT:b TERMINATOR EOF", "");
	check("a /* x */ // y\nb", "IDENT:a TERMINATOR COMMENT:/* x */ COMMENT:// y IDENT:b TERMINATOR EOF", "");
	/* A comment that stops before more tokens on the line does not. */
	check("a /* x */ + b", "IDENT:a COMMENT:/* x */ + IDENT:b TERMINATOR EOF", "");
	check("/* a /* b */ c", "COMMENT:/* a /* b */ IDENT:c TERMINATOR EOF", "");
	check("x = 1 /* open", "IDENT:x = NUMBER:1 TERMINATOR COMMENT:/* open EOF", "1:7: block comment not terminated\n");
	/* # is not a comment. */
	check("# note", "ILLEGAL:# IDENT:note TERMINATOR EOF", "1:1: illegal character U+0023 '#'\n");
}

static void test_identifiers_and_keywords(void **state)
{
	(void)state;
	check("_a1 b_2", "IDENT:_a1 IDENT:b_2 TERMINATOR EOF", "");
	check("true false null truex nullish", "BOOL:true BOOL:false NULL:null IDENT:truex IDENT:nullish TERMINATOR EOF", "");
	/* A hyphen never belongs to an identifier. */
	check("a-b", "IDENT:a - IDENT:b TERMINATOR EOF", "");
	/* Unicode letters start identifiers; Unicode decimal digits continue them. */
	check("h\xc3\xa9llo x\xd9\xa1", "IDENT:h\xc3\xa9llo IDENT:x\xd9\xa1 TERMINATOR EOF", "");
	check("\xd9\xa1", "ILLEGAL:\xd9\xa1 EOF", "1:1: illegal character U+0661 '\xd9\xa1'\n");
	/* Standard-library namespaces are plain identifiers. */
	check("sys.env", "IDENT:sys . IDENT:env TERMINATOR EOF", "");
	assert_true(pj_scanner_is_identifier("abc_1", 5));
	assert_false(pj_scanner_is_identifier("true", 4));
	assert_false(pj_scanner_is_identifier("with space", 10));
	assert_false(pj_scanner_is_identifier(" a", 2));
	assert_false(pj_scanner_is_identifier("1a", 2));
	assert_false(pj_scanner_is_identifier("", 0));
}

static void test_strings_and_escapes(void **state)
{
	(void)state;
	check("\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\"", "STRING:\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\" TERMINATOR EOF", "");
	check("\"\\101\\x41\\u0041\\U0001F600\"", "STRING:\"\\101\\x41\\u0041\\U0001F600\" TERMINATOR EOF", "");
	/* \' is rejected even though the docs list it. */
	check("\"it\\'s\"", "STRING:\"it\\'s\" TERMINATOR EOF", "1:5: unknown escape sequence\n");
	check("\"\\q\"", "STRING:\"\\q\" TERMINATOR EOF", "1:3: unknown escape sequence\n");
	check("\"\\x4\"", "STRING:\"\\x4\" TERMINATOR EOF", "1:3: illegal character U+0022 '\"' in escape sequence\n");
	check("\"\\12\"", "STRING:\"\\12\" TERMINATOR EOF", "1:3: illegal character U+0022 '\"' in escape sequence\n");
	check("\"\\400\"", "STRING:\"\\400\" TERMINATOR EOF", "1:3: escape sequence is invalid Unicode code point\n");
	check("\"\\uD800\"", "STRING:\"\\uD800\" TERMINATOR EOF", "1:3: escape sequence is invalid Unicode code point\n");
	check("\"\\U00110000\"", "STRING:\"\\U00110000\" TERMINATOR EOF", "1:3: escape sequence is invalid Unicode code point\n");
	check("\"\\", "STRING:\"\\ TERMINATOR EOF",
		"1:3: escape sequence not terminated\n1:1: string literal not terminated\n");
	check("\"\\u12", "STRING:\"\\u12 TERMINATOR EOF",
		"1:3: escape sequence not terminated\n1:1: string literal not terminated\n");
	check("x = \"abc\ny", "IDENT:x = STRING:\"abc TERMINATOR IDENT:y TERMINATOR EOF",
		"1:5: string literal not terminated\n");
	check("'a'", "ILLEGAL:'a' TERMINATOR EOF", "1:1: illegal single-quoted string; use double quotes\n");
	/* Raw strings: no escapes, may span lines. */
	check("`a\\n\nb`", "STRING:`a\\n\nb` TERMINATOR EOF", "");
	check("`open", "STRING:`open TERMINATOR EOF", "1:1: string literal not terminated\n");
}

static void test_numbers(void **state)
{
	(void)state;
	/* The literal text is kept; 010 is octal only when the evaluator converts it. */
	check("010 09 42", "NUMBER:010 NUMBER:09 NUMBER:42 TERMINATOR EOF", "");
	check("5. .5 1.25 1e3 2E-3 4e+2 1.5e3", "FLOAT:5. FLOAT:.5 FLOAT:1.25 FLOAT:1e3 FLOAT:2E-3 FLOAT:4e+2 FLOAT:1.5e3 TERMINATOR EOF", "");
	check("1e", "FLOAT:1e TERMINATOR EOF", "1:1: exponent has no digits\n");
	check("2.5e-x", "FLOAT:2.5e- IDENT:x TERMINATOR EOF", "1:1: exponent has no digits\n");
	/* No hex, no separators, no leading plus. */
	check("0x10", "NUMBER:0 IDENT:x10 TERMINATOR EOF", "");
	check("1_000", "NUMBER:1 IDENT:_000 TERMINATOR EOF", "");
	check("+5 -5", "+ NUMBER:5 - NUMBER:5 TERMINATOR EOF", "");
	/* A dot followed by a letter is an access, not a fraction. */
	check("a.b a.0", "IDENT:a . IDENT:b IDENT:a FLOAT:.0 TERMINATOR EOF", "");
}

static void test_operators(void **state)
{
	(void)state;
	check("|| && ! != = == < <= > >= + - * / % ^ { } ( ) [ ] , .",
		"|| && ! != = == < <= > >= + - * / % ^ { } ( ) [ ] , . EOF", "");
	check("a | b", "IDENT:a || IDENT:b TERMINATOR EOF", "1:4: missing second | in ||\n");
	check("a & b", "IDENT:a && IDENT:b TERMINATOR EOF", "1:4: missing second & in &&\n");
	check("a;b", "IDENT:a ILLEGAL:; IDENT:b TERMINATOR EOF", "1:2: illegal character U+003B ';'\n");
	check("a ? b : c", "IDENT:a ILLEGAL:? IDENT:b ILLEGAL:: IDENT:c TERMINATOR EOF",
		"1:3: illegal character U+003F '?'\n1:7: illegal character U+003A ':'\n");
	check("a => b", "IDENT:a = > IDENT:b TERMINATOR EOF", "");
}

static void test_illegal_bytes(void **state)
{
	(void)state;
	char *errors;
	char *tokens = scan("a\0b", 3, &errors);
	assert_string_equal(tokens, "IDENT:a ILLEGAL:<00> IDENT:b TERMINATOR EOF");
	assert_string_equal(errors, "1:2: illegal character NUL\n1:2: illegal character U+0000\n");
	free(tokens);
	free(errors);
	/* A BOM is skipped at the start but illegal anywhere else. */
	check("\xef\xbb\xbf" "a", "IDENT:a TERMINATOR EOF", "");
	check("a\xef\xbb\xbf", "IDENT:a ILLEGAL:\xef\xbb\xbf TERMINATOR EOF", "1:2: illegal byte order mark\n");
	check("\xe2\x82\xac", "ILLEGAL:\xe2\x82\xac EOF", "1:1: illegal character U+20AC '\xe2\x82\xac'\n");
	/* Characters Go does not consider printable are shown by number only. */
	check("\xe2\x80\x8b", "ILLEGAL:\xe2\x80\x8b EOF", "1:1: illegal character U+200B\n");
	check("\x01", "ILLEGAL:<01> EOF", "1:1: illegal character U+0001\n");
	check("\xff", "ILLEGAL:\xff EOF", "1:1: illegal UTF-8 encoding\n1:1: illegal character U+FFFD '\xef\xbf\xbd'\n");
}

static void test_unicode_helpers(void **state)
{
	(void)state;
	char out[32];
	pj_unicode_format('#', out);
	assert_string_equal(out, "U+0023 '#'");
	pj_unicode_format(0x1F600, out);
	assert_string_equal(out, "U+1F600 '\xf0\x9f\x98\x80'");
	pj_unicode_format(0xA0, out);
	assert_string_equal(out, "U+00A0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions_are_byte_offsets),
		cmocka_unit_test(test_terminator_rule),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_identifiers_and_keywords),
		cmocka_unit_test(test_strings_and_escapes),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_illegal_bytes),
		cmocka_unit_test(test_unicode_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
