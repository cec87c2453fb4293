/* Unit tests for the Alloy parser (spec section 2) and pj_expr_text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "syntax/ast.h"

static void dump_expr(pj_buf *b, const pj_expr *e);

static void dump_list(pj_buf *b, pj_expr *const *elems, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		pj_buf_putc(b, ' ');
		dump_expr(b, elems[i]);
	}
}

/* A fully parenthesised prefix form, so the tree shape shows in one string. */
static void dump_expr(pj_buf *b, const pj_expr *e)
{
	switch (e->kind) {
	case PJ_EXPR_IDENT: pj_buf_puts(b, e->u.ident.name); break;
	case PJ_EXPR_STRING: pj_buf_puts(b, e->u.string.literal); break;
	case PJ_EXPR_NUMBER: pj_buf_printf(b, "#%s", e->u.number.literal); break;
	case PJ_EXPR_FLOAT: pj_buf_printf(b, "~%s", e->u.number.literal); break;
	case PJ_EXPR_BOOL: pj_buf_puts(b, e->u.boolean ? "true" : "false"); break;
	case PJ_EXPR_NULL: pj_buf_puts(b, "null"); break;
	case PJ_EXPR_ARRAY:
		pj_buf_puts(b, "(array");
		dump_list(b, e->u.array.elems, e->u.array.len);
		pj_buf_putc(b, ')');
		break;
	case PJ_EXPR_OBJECT:
		pj_buf_puts(b, "(object");
		for (size_t i = 0; i < e->u.object.len; i++) {
			const pj_field *f = &e->u.object.fields[i];
			pj_buf_printf(b, f->quoted ? " <%s>=" : " %s=", f->name);
			dump_expr(b, f->value);
		}
		pj_buf_putc(b, ')');
		break;
	case PJ_EXPR_ACCESS:
		pj_buf_puts(b, "(. ");
		dump_expr(b, e->u.access.value);
		pj_buf_printf(b, " %s)", e->u.access.name);
		break;
	case PJ_EXPR_INDEX:
		pj_buf_puts(b, "([] ");
		dump_expr(b, e->u.index.value);
		pj_buf_putc(b, ' ');
		dump_expr(b, e->u.index.index);
		pj_buf_putc(b, ')');
		break;
	case PJ_EXPR_CALL:
		pj_buf_puts(b, "(call ");
		dump_expr(b, e->u.call.fn);
		dump_list(b, e->u.call.args, e->u.call.len);
		pj_buf_putc(b, ')');
		break;
	case PJ_EXPR_UNARY:
		pj_buf_printf(b, "(%s ", pj_tok_name(e->u.unary.op));
		dump_expr(b, e->u.unary.operand);
		pj_buf_putc(b, ')');
		break;
	case PJ_EXPR_BINARY:
		pj_buf_printf(b, "(%s ", pj_tok_name(e->u.binary.op));
		dump_expr(b, e->u.binary.lhs);
		pj_buf_putc(b, ' ');
		dump_expr(b, e->u.binary.rhs);
		pj_buf_putc(b, ')');
		break;
	case PJ_EXPR_PAREN:
		pj_buf_puts(b, "(paren ");
		dump_expr(b, e->u.paren.inner);
		pj_buf_putc(b, ')');
		break;
	}
}

static void dump_body(pj_buf *b, const pj_body *body)
{
	for (size_t i = 0; i < body->len; i++) {
		const pj_stmt *s = body->stmts[i];
		if (i)
			pj_buf_putc(b, ' ');
		if (s->kind == PJ_STMT_ATTR) {
			pj_buf_printf(b, "%s=", s->name);
			dump_expr(b, s->value);
			continue;
		}
		pj_buf_puts(b, s->name);
		if (s->label)
			pj_buf_printf(b, " <%s>", s->label);
		pj_buf_puts(b, " {");
		dump_body(b, &s->body);
		pj_buf_putc(b, '}');
	}
}

typedef struct parsed {
	char *tree;
	char *errors;
	pj_file *file;
	pj_diags diags;
} parsed;

static parsed parse(const char *text)
{
	parsed r;
	memset(&r, 0, sizeof(r));
	r.file = pj_parse(pj_source_new("t.alloy", text, strlen(text)), &r.diags);
	pj_buf b = PJ_BUF_INIT;
	dump_body(&b, &r.file->body);
	pj_buf_puts(&b, "");
	r.tree = pj_buf_detach(&b);
	pj_buf e = PJ_BUF_INIT;
	for (size_t i = 0; i < r.diags.len; i++) {
		char *pos = pj_diag_position(&r.diags.items[i]);
		pj_buf_printf(&e, "%s: %s\n", pos, r.diags.items[i].message);
		free(pos);
	}
	pj_buf_puts(&e, "");
	r.errors = pj_buf_detach(&e);
	return r;
}

static void parsed_free(parsed *r)
{
	free(r->tree);
	free(r->errors);
	pj_diags_free(&r->diags);
	pj_file_free(r->file);
}

/* Parses text and checks the tree (if want_tree is not NULL) and the exact error list. */
static void check(const char *text, const char *want_tree, const char *want_errors)
{
	parsed r = parse(text);
	if (want_tree)
		assert_string_equal(r.tree, want_tree);
	assert_string_equal(r.errors, want_errors);
	parsed_free(&r);
}

static void check_ok(const char *text, const char *want_tree)
{
	check(text, want_tree, "");
}

static void test_precedence_and_associativity(void **state)
{
	(void)state;
	check_ok("x = 1 + 2 * 3", "x=(+ #1 (* #2 #3))");
	check_ok("x = 1 - 2 - 3", "x=(- (- #1 #2) #3)");
	check_ok("x = 8 / 2 % 3 * 4", "x=(* (% (/ #8 #2) #3) #4)");
	check_ok("x = a || b && c", "x=(|| a (&& b c))");
	check_ok("x = a && b || c", "x=(|| (&& a b) c)");
	check_ok("x = a == b != c", "x=(!= (== a b) c)");
	check_ok("x = a < b < c", "x=(< (< a b) c)");
	check_ok("x = 1 + 2 < 3 * 4 && true", "x=(&& (< (+ #1 #2) (* #3 #4)) true)");
	/* ^ is right-associative and binds looser than unary minus. */
	check_ok("x = 2 ^ 3 ^ 2", "x=(^ #2 (^ #3 #2))");
	check_ok("x = -2 ^ 2", "x=(^ (- #2) #2)");
	check_ok("x = 2 * 3 ^ 2", "x=(* #2 (^ #3 #2))");
	check_ok("x = !a == b", "x=(== (! a) b)");
	check_ok("x = - -5", "x=(- (- #5))");
	check_ok("x = (1 + 2) * 3", "x=(* (paren (+ #1 #2)) #3)");
	/* Postfix operators bind tightest, left to right. */
	check_ok("x = -a.b[0](1, 2).c", "x=(- (. (call ([] (. a b) #0) #1 #2) c))");
	check_ok("x = sys.env(\"HOME\")", "x=(call (. sys env) \"HOME\")");
	check_ok("x = discovery.relabel.java.output",
		"x=(. (. (. discovery relabel) java) output)");
}

static void test_literals(void **state)
{
	(void)state;
	/* Number literals keep their text; 010 is left for the evaluator (octal). */
	check_ok("a = 010\nb = 09\nc = 5.\nd = .5\ne = 1e3",
		"a=#010 b=#09 c=~5. d=~.5 e=~1e3");
	check_ok("a = true\nb = false\nc = null", "a=true b=false c=null");
	check_ok("a = [1, [2, 3], []]", "a=(array #1 (array #2 #3) (array))");
	check_ok("a = {x = 1, \"y z\" = 2}", "a=(object x=#1 <y z>=#2)");
	check_ok("a = {}", "a=(object)");

	parsed r = parse("a = \"t\\tb\\x41\\u00e9\\101\\\\\"\nb = `x\r\ny\\n`\nc = \"z\\x00z\"");
	assert_string_equal(r.errors, "");
	const pj_expr *a = r.file->body.stmts[0]->value;
	assert_int_equal(a->kind, PJ_EXPR_STRING);
	assert_false(a->u.string.raw);
	assert_string_equal(a->u.string.value, "t\tbA\xc3\xa9" "A\\");
	assert_string_equal(a->u.string.literal, "\"t\\tb\\x41\\u00e9\\101\\\\\"");
	const pj_expr *b = r.file->body.stmts[1]->value;
	assert_true(b->u.string.raw);
	assert_string_equal(b->u.string.value, "x\ny\\n"); /* CR dropped, no escapes */
	const pj_expr *c = r.file->body.stmts[2]->value;
	assert_int_equal(c->u.string.len, 3);
	assert_memory_equal(c->u.string.value, "z\0z", 3);
	parsed_free(&r);
}

static void test_blocks_and_labels(void **state)
{
	(void)state;
	check_ok("discovery.process \"all\" { }\n\npyroscope.write \"w\" {\n\tendpoint {\n\t\turl = \"u\"\n\t}\n}\n",
		"discovery.process <all> {} pyroscope.write <w> {endpoint {url=\"u\"}}");
	check_ok("b { x = 1 }", "b {x=#1}");
	check_ok("b \"\" { }", "b <> {}");
	check("b foo { }", "b {}", "t.alloy:1:3: expected block label, got IDENT\n");
	check("b \"with space\" { }", NULL,
		"t.alloy:1:3: expected block label to be a valid identifier, but got \"with space\"\n");
	check("b \"true\" { }", NULL,
		"t.alloy:1:3: expected block label to be a valid identifier, but got \"true\"\n");
	check("b `x` { }", NULL,
		"t.alloy:1:3: expected block label to be a double quoted string, but got \"`x`\"\n");
	check("a.true { }", NULL, "t.alloy:1:3: expected identifier, got BOOL\n");
	/* The name's span ends with its last fragment, comments in between or not. */
	parsed r = parse("a . /* c */ bc { }");
	assert_string_equal(r.tree, "a.bc {}");
	assert_int_equal(r.file->body.stmts[0]->name_span.start, 0);
	assert_int_equal(r.file->body.stmts[0]->name_span.end, 14);
	parsed_free(&r);
	check("true = 1", "", "t.alloy:1:1: expected identifier, got BOOL\n");
}

static void test_attribute_names(void **state)
{
	(void)state;
	check("a.b = 1", "a=#1",
		"t.alloy:1:1: attribute names may only consist of a single identifier with no \".\"\n");
	check("a \"l\" = 1", "a=#1", "t.alloy:1:3: attribute names may not have labels\n");
	check("x = a.true", NULL, "t.alloy:1:7: expected IDENT, got BOOL\n");
	check("x = a.null", NULL, "t.alloy:1:7: expected IDENT, got NULL\n");
	check("x 1", NULL, "t.alloy:1:3: expected block label, got NUMBER\n");
	check("x \"\" 1", NULL, "t.alloy:1:6: expected attribute assignment or block body, got NUMBER\n");
	check("x \"l\" 1", NULL, "t.alloy:1:7: expected block body, got NUMBER\n");
}

static void test_comma_rules(void **state)
{
	(void)state;
	/* A trailing comma is always fine on one line. */
	check_ok("a = [1, 2,]\nb = {x = 1,}\nc = f(1,)", "a=(array #1 #2) b=(object x=#1) c=(call f #1)");
	/* Multi-line lists need a comma on every element line, the last included. */
	check_ok("a = [\n\t1,\n\t2,\n]\nb = {\n\tx = 1,\n}\nc = f(\n\t1,\n)",
		"a=(array #1 #2) b=(object x=#1) c=(call f #1)");
	check("a = [\n\t1,\n\t2\n]", "a=(array #1 #2)", "t.alloy:3:3: missing ',' in expression list\n");
	check("a = f(\n\t1\n)", "a=(call f #1)", "t.alloy:2:3: missing ',' in expression list\n");
	check("a = {\n\tx = 1\n}", "a=(object x=#1)", "t.alloy:2:7: missing ',' in field list\n");
	check("a = [1 2]", NULL, "t.alloy:1:8: missing ',' in expression list\n");
	/* Statements in a block are separated by line ends only. */
	/* Recovery skips the rest of the statement, so y is lost. */
	check("b {\n\tx = 1,\n\ty = 2\n}", "b {x=#1}", "t.alloy:2:7: expected TERMINATOR, got ,\n");
	check("b { x = 1 y = 2 }\n", NULL,
		"t.alloy:1:11: expected TERMINATOR, got IDENT\nt.alloy:2:1: expected }, got EOF\n");
	check("a { }  b { }", NULL, "t.alloy:1:8: expected TERMINATOR, got IDENT\n");
	check("x = 1\n+ 2", NULL, "t.alloy:2:1: expected identifier, got +\n");
}

static void test_blocks_are_not_expressions(void **state)
{
	(void)state;
	check("x = foo.bar \"l\" {\n\ty = 1\n}", NULL, "t.alloy:1:5: cannot use a block as an expression\n");
	check("x = foo { }", NULL, "t.alloy:1:5: cannot use a block as an expression\n");
	/* After `=` a brace starts an object literal, with commas. */
	check_ok("x = {\n\ta = 1,\n\tb = 2,\n}", "x=(object a=#1 b=#2)");
}

static void test_object_keys(void **state)
{
	(void)state;
	/* Quoted keys are taken verbatim, escapes and all. */
	check_ok("x = {\"a\\tb\" = 1, \"c.d\" = 2, e = 3}", "x=(object <a\\tb>=#1 <c.d>=#2 e=#3)");
	/* Duplicate keys parse; the evaluator keeps the last one. */
	check_ok("x = {a = 1, a = 2}", "x=(object a=#1 a=#2)");
	check("x = {1 = 2}", NULL, "t.alloy:1:6: expected field name (string or identifier), got NUMBER\n");
	check("x = {true = 2}", NULL, "t.alloy:1:6: expected field name (string or identifier), got BOOL\n");
}

static void test_expression_errors(void **state)
{
	(void)state;
	check("x = ", NULL, "t.alloy:1:5: expected expression, got EOF\n");
	check("x = \ny = 1", NULL, "t.alloy:2:3: expected TERMINATOR, got =\n");
	check("x = )", NULL, "t.alloy:1:5: expected expression, got )\n");
	check("x = [1, 2", NULL, "t.alloy:1:10: missing ',' in expression list\n");
	check("x = (1", NULL, "t.alloy:1:7: expected ), got TERMINATOR\n");
	check("x = 0x10", NULL, "t.alloy:1:6: expected TERMINATOR, got IDENT\n");
	check("x = \"a\" + \n", NULL, "t.alloy:2:1: expected expression, got EOF\n");
}

static void test_all_errors_reported_once_per_line(void **state)
{
	(void)state;
	/* Every broken line is reported; a second parser error on a line is not. */
	check("a = [1 2 3]\nb = )\nc = 1\nd {\n\te = 1 1\n}\nf = \"x\" \"y\"\n", NULL,
		"t.alloy:1:8: missing ',' in expression list\n"
		"t.alloy:2:5: expected expression, got )\n"
		"t.alloy:5:8: expected TERMINATOR, got NUMBER\n"
		"t.alloy:7:12: expected {, got TERMINATOR\n");
	/* Scanner errors are all reported, alongside the parser's. */
	check("a = 'x' # y\n", NULL,
		"t.alloy:1:5: illegal single-quoted string; use double quotes\n"
		"t.alloy:1:5: expected expression, got ILLEGAL\n"
		"t.alloy:1:9: illegal character U+0023 '#'\n");
}

static void test_comments_are_collected(void **state)
{
	(void)state;
	parsed r = parse("// head\r\na = 1 // tail\r\n/* block\r\n */\nb { /* in */ }\n");
	assert_string_equal(r.errors, "");
	assert_string_equal(r.tree, "a=#1 b {}");
	assert_int_equal(r.file->ncomments, 4);
	assert_string_equal(r.file->comments[0].text, "// head");
	assert_string_equal(r.file->comments[1].text, "// tail");
	assert_string_equal(r.file->comments[2].text, "/* block\n */");
	assert_string_equal(r.file->comments[3].text, "/* in */");
	assert_int_equal(r.file->comments[1].span.start, 15);
	parsed_free(&r);
}

static void test_spans(void **state)
{
	(void)state;
	const char *text = "blk \"l\" {\n\tx = a.b[1] + f(2)\n}";
	parsed r = parse(text);
	assert_string_equal(r.errors, "");
	const pj_stmt *blk = r.file->body.stmts[0];
	assert_int_equal(blk->span.start, 0);
	assert_int_equal(blk->span.end, strlen(text));
	assert_int_equal(blk->name_span.end, 3);
	assert_int_equal(blk->label_span.start, 4);
	assert_int_equal(blk->label_span.end, 7);
	assert_int_equal(blk->lcurly.start, 8);
	assert_int_equal(blk->rcurly.start, strlen(text) - 1);
	const pj_stmt *x = blk->body.stmts[0];
	assert_int_equal(x->span.start, 11);
	assert_int_equal(x->name_span.end, 12);
	const pj_expr *v = x->value;
	assert_int_equal(v->span.start, 15);
	assert_int_equal(v->span.end, 28);
	assert_int_equal(v->u.binary.op_span.start, 22);
	assert_int_equal(v->u.binary.lhs->span.end, 21);
	assert_int_equal(v->u.binary.rhs->span.start, 24);
	parsed_free(&r);
}

static void expect_text(const char *expr, const char *want)
{
	char *text = NULL;
	size_t n = strlen(expr) + 5;
	char *src = malloc(n);
	snprintf(src, n, "x = %s", expr);
	parsed r = parse(src);
	assert_string_equal(r.errors, "");
	text = pj_expr_text(r.file->body.stmts[0]->value);
	assert_string_equal(text, want);
	free(text);
	free(src);
	parsed_free(&r);
}

static void test_expr_text(void **state)
{
	(void)state;
	expect_text("key_value.object.field1[2]", "key_value.object.field1[2]");
	expect_text("[0,1,  2]", "[0, 1, 2]");
	expect_text("\"Hello, world!\"", "\"Hello, world!\"");
	expect_text("true", "true");
	expect_text("1+2*-3", "1 + 2 * -3");
	expect_text("!(a||b)", "!(a || b)");
	expect_text("{a=1, \"b c\"=[]}", "{a = 1, \"b c\" = []}");
	expect_text("f( 1 , `raw` )", "f(1, `raw`)");
	expect_text("[\n\t1,\n\t2,\n]", "[1, 2]");
	expect_text("010 + 1.50", "010 + 1.50");
	expect_text("1 .x", "1 .x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence_and_associativity),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_blocks_and_labels),
		cmocka_unit_test(test_attribute_names),
		cmocka_unit_test(test_comma_rules),
		cmocka_unit_test(test_blocks_are_not_expressions),
		cmocka_unit_test(test_object_keys),
		cmocka_unit_test(test_expression_errors),
		cmocka_unit_test(test_all_errors_reported_once_per_line),
		cmocka_unit_test(test_comments_are_collected),
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_expr_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
