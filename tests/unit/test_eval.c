/* Unit tests for the evaluator: values and error messages of parsed expressions (spec 3.1, 3.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syntax/ast.h"
#include "syntax/eval.h"
#include "syntax/value.h"

static pj_value *test_scope;

/* Parses "key = <expr>" as file "test" (so the expression starts at column 7) and evaluates it. */
static pj_value *run(const char *expr, char **diag)
{
	char *text = NULL;
	if (asprintf(&text, "key = %s", expr) < 0)
		abort();
	pj_diags diags = PJ_DIAGS_INIT;
	pj_file *f = pj_parse(pj_source_new("test", text, strlen(text)), &diags);
	free(text);
	if (pj_diags_has_errors(&diags) || f->body.len != 1)
		fail_msg("parse failed: %s", expr);
	pj_value *v = pj_eval(f->body.stmts[0]->value, test_scope, f->src, &diags);
	*diag = NULL;
	if (diags.len) {
		assert_int_equal(diags.len, 1);
		char *pos = pj_diag_position(&diags.items[0]);
		if (asprintf(diag, "%s: %s", pos, diags.items[0].message) < 0)
			abort();
		free(pos);
	}
	assert_true((v == NULL) == (diags.len == 1));
	pj_diags_free(&diags);
	pj_file_free(f);
	return v;
}

/* Checks the Alloy text of the value an expression evaluates to. */
static void expect(const char *expr, const char *want)
{
	char *diag;
	pj_value *v = run(expr, &diag);
	if (!v)
		fail_msg("%s: unexpected error %s", expr, diag);
	pj_buf b = PJ_BUF_INIT;
	pj_value_write(&b, v);
	if (strcmp(pj_buf_cstr(&b), want) != 0)
		fail_msg("%s: got %s, want %s", expr, pj_buf_cstr(&b), want);
	pj_buf_free(&b);
	pj_value_unref(v);
}

static void expect_kind(const char *expr, pj_numkind kind)
{
	char *diag;
	pj_value *v = run(expr, &diag);
	assert_non_null(v);
	assert_int_equal(pj_value_kind(v), PJ_NUMBER);
	if (pj_value_numkind(v) != kind)
		fail_msg("%s: kind %d, want %d", expr, pj_value_numkind(v), kind);
	pj_value_unref(v);
}

/* Checks "pos: message" of the one diagnostic an expression produces. */
static void expect_error(const char *expr, const char *want)
{
	char *diag;
	pj_value *v = run(expr, &diag);
	if (v)
		fail_msg("%s: expected an error", expr);
	if (strcmp(diag, want) != 0)
		fail_msg("%s:\n got  %s\n want %s", expr, diag, want);
	free(diag);
}

static int setup(void **state)
{
	(void)state;
	test_scope = pj_object_new();
	pj_value *list = pj_array_new(2);
	pj_array_push(list, pj_int(1));
	pj_array_push(list, pj_bool(true));
	pj_object_set(test_scope, "list", list);
	pj_object_set(test_scope, "pw", pj_secret("s3", 2));
	pj_object_set(test_scope, "coalesce", pj_cstring("shadowed"));
	pj_value *kv = pj_object_new();
	pj_value *obj = pj_object_new();
	pj_object_set(obj, "field1", pj_cstring("x"));
	pj_object_set(kv, "object", obj);
	pj_object_set(test_scope, "key_value", kv);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pj_value_unref(test_scope);
	return 0;
}

static void test_literals_and_number_kinds(void **state)
{
	(void)state;
	expect("\"a\\tb\"", "\"a\\tb\"");
	expect("`raw\\n`", "\"raw\\\\n\"");
	expect("true", "true");
	expect("null", "null");
	expect("[1, \"a\", [true]]", "[1, \"a\", [true]]");
	expect("{\"a b\" = 1, a = 2, a = 3}", "{\"a b\" = 1, a = 3}");
	expect("010", "8");
	expect_kind("010", PJ_NUM_INT);
	expect("09", "9");
	expect_kind("09", PJ_NUM_FLOAT);
	expect("9223372036854775807", "9223372036854775807");
	expect_kind("9223372036854775807", PJ_NUM_INT);
	expect_kind("9223372036854775808", PJ_NUM_UINT);
	expect("18446744073709551616", "18446744073709552000");
	expect_kind("18446744073709551616", PJ_NUM_FLOAT);
	expect_kind("1.5", PJ_NUM_FLOAT);
	expect("5.", "5");
	expect(".5", "0.5");
	expect("2E-3", "0.002");
}

static void test_arithmetic_follows_go(void **state)
{
	(void)state;
	expect("7 / 2", "3");
	expect("7 / 2.0", "3.5");
	expect("-7 / 2", "-3");
	expect("7 % -3", "1");
	expect("-7 % 3", "-1");
	expect("7.5 % 2", "1.5");
	expect("3 ^ 5", "243");
	expect("0 ^ 1", "0");
	expect("5 ^ 0", "1");
	expect("2 ^ -1", "2"); /* intPow returns the base for a negative exponent */
	expect("2 ^ 3 ^ 2", "512");
	expect("-2 ^ 2", "4");
	expect("2 ^ 64", "0");
	expect("3 ^ 1000000000000", "8078920949372764161"); /* wraps like repeated multiplication */
	expect("1 + 2 * 3 - 4", "3");
	expect("(1 + 2) * 3", "9");
	expect("9223372036854775807 + 1", "-9223372036854775808");
	expect("18446744073709551615 + 1", "0");
	expect("0 - 9223372036854775807 - 1 - 1", "9223372036854775807");
	expect("(0 - 9223372036854775807 - 1) / -1", "-9223372036854775808");
	expect("(0 - 9223372036854775807 - 1) % -1", "0");
	expect("1 - 2", "-1"); /* literals that fit int64 are ints */
	expect("18446744073709551615 - 9223372036854775808", "9223372036854775807");
	expect_kind("18446744073709551615 - 9223372036854775808", PJ_NUM_UINT);
	expect_kind("18446744073709551615 + 1", PJ_NUM_INT);
	expect_kind("1 + 1", PJ_NUM_INT);
	expect_kind("-1 + 1", PJ_NUM_INT);
	expect_kind("1 + 1.0", PJ_NUM_FLOAT);
	expect("-5", "-5");
	expect_kind("-5", PJ_NUM_INT);
	expect("-18446744073709551615", "1");
	expect("-1.5", "-1.5");
	char *diag;
	pj_value *v = run("42.0 ^ -2", &diag);
	assert_true(pj_value_float(v) == pow(42.0, -2));
	pj_value_unref(v);
	expect_error("1 / 0", "test:1:11: 0 divide by zero error");
	expect_error("1 % 0.0", "test:1:11: 0.0 divide by zero error");
	expect_error("5.0 / (1 - 1)", "test:1:13: (1 - 1) divide by zero error");
	expect_error("5 - \"a\"", "test:1:11: \"a\" should be one of [number] for binop -, got string");
}

static void test_comparison_and_equality(void **state)
{
	(void)state;
	expect("3 == 3.0", "true");
	expect("\"a\" == 1", "false");
	expect("null == null", "true");
	expect("[1, {a = 2}] == [1.0, {a = 2}]", "true");
	expect("{a = 1, b = 2} != {b = 2, a = 1}", "false");
	expect("sys.env == sys.env", "false");
	expect("\"a\" < \"b\"", "true");
	expect("\"abc\" >= \"abd\"", "false");
	expect("\"ab\" < \"abc\"", "true");
	expect("2 > 1.5", "true");
	expect("2 <= 2", "true");
	expect("-1 < 1", "true");
	expect_error("\"a\" < 1", "test:1:13: 1 should be string, got number");
	expect_error("true < false", "test:1:7: true should be one of [number string] for binop <, got bool");
	expect_error("1 < 2 < 3", "test:1:7: 1 < 2 should be one of [number string] for binop <, got bool");
	expect_error("[1] > [0]", "test:1:7: [1] should be one of [number string] for binop >, got array");
}

static void test_strings_bools_and_secrets(void **state)
{
	(void)state;
	expect("\"a\" + \"b\"", "\"ab\"");
	expect_error("\"a\" + 1", "test:1:13: 1 should be string, got number");
	expect_error("1 + \"a\"", "test:1:11: \"a\" should be number, got string");
	expect_error("true + 1", "test:1:7: true should be one of [number string capsule] for binop +, got bool");
	expect_error("(true) + 1", "test:1:7: (true) should be one of [number string capsule] for binop +, got bool");
	expect("pw + \"x\"", "(secret)");
	expect("\"x\" + pw", "(secret)");
	expect("convert.nonsensitive(\"<\" + pw + \">\")", "\"<s3>\"");
	expect("pw == \"s3\"", "true");
	expect("\"s3\" != pw", "false");
	expect_error("pw + 1", "test:1:12: 1 should be capsule, got number");
	expect_error("pw < \"a\"", "test:1:7: pw should be one of [number string] for binop <, got capsule");
	expect("true && false", "false");
	expect("false || true", "true");
	expect("!true", "false");
	expect_error("false && x", "test:1:16: identifier \"x\" does not exist"); /* no short-circuit */
	expect_error("true || 1", "test:1:15: 1 should be one of [bool] for binop ||, got number");
	expect_error("!1", "test:1:8: 1 should be bool, got number");
	expect_error("-\"a\"", "test:1:8: \"a\" should be number, got string");
}

static void test_indexing_and_fields(void **state)
{
	(void)state;
	expect("[1, 2, 3][1]", "2");
	expect("[1, 2][1.9]", "2");
	expect("{a = 1}[\"a\"]", "1");
	expect("{a = 1}[\"b\"]", "null");
	expect("{a = {b = [5]}}.a.b[0]", "5");
	expect("key_value.object.field1", "\"x\"");
	expect("list", "[1, true]");
	expect_error("[1, 2, 3][5]", "test:1:17: 5 index 5 is out of range of array with length 3");
	expect_error("[1][-1]", "test:1:11: -1 index -1 is out of range of array with length 1");
	expect_error("[1][\"a\"]", "test:1:11: \"a\" should be number, got string");
	expect_error("{a = 1}[0]", "test:1:15: 0 should be string, got number");
	expect_error("{a = 1}.b", "test:1:15: field \"b\" does not exist");
	expect_error("key_value.object.nope", "test:1:24: field \"nope\" does not exist");
	expect_error("true.x", "test:1:7: true cannot access field \"x\" on value of type bool");
	expect_error("\"abc\"[0]", "test:1:7: \"abc\" expected object or array, got string");
	expect_error("pw.x", "test:1:7: pw expected object or array or a capsule convertible to an object, got capsule");
	expect_error("x", "test:1:7: identifier \"x\" does not exist");
	expect_error("nope.field", "test:1:7: identifier \"nope\" does not exist");
}

static void test_calls(void **state)
{
	(void)state;
	expect("coalesce", "\"shadowed\""); /* the scope shadows the stdlib */
	expect("string.join([\"a\", 1], \",\")", "\"a,1\"");
	expect("string.format(\"%d-%s\", 1, \"x\")", "\"1-x\"");
	expect("array.concat([1], [2])[1]", "2");
	expect("constants.os", "\"linux\"");
	expect("json_decode(\"[1]\")", "[1]");
	expect_error("true()", "test:1:7: true should be function, got bool");
	expect_error("string.join([\"a\"], \",\", \"x\")", "test:1:7: string.join expected 2 args, got 3");
	expect_error("string.format()", "test:1:7: string.format expected at least 1 args, got 0");
	expect_error("string.join([1, true], \",\")", "test:1:23: true should be string, got bool");
	expect_error("string.join(list, \",\")", "test:1:19: list[1] should be string, got bool");
	expect_error("string.join(\"a\", \",\")", "test:1:19: \"a\" should be array, got string");
	expect_error("sys.env(pw)", "test:1:15: pw secrets may not be converted into strings");
	expect_error("encoding.from_json(\"{\")", "test:1:7: encoding.from_json unexpected end of JSON input");
	expect_error("encoding.to_json(12)", "test:1:7: encoding.to_json jsonEncode only supports map");
	expect_error("array.concat([1], 2)", "test:1:25: 2 should be array, got number");
	expect_error("string.join(x, \",\")", "test:1:19: identifier \"x\" does not exist");
}

static void test_documented_examples(void **state)
{
	(void)state;
	expect("string.format(\"%s-%03d\", \"pod\", 7)", "\"pod-007\"");
	expect("string.join([\"a\", \"b\", 3], \",\")", "\"a,b,3\"");
	expect("string.split(\"/usr/lib/jvm\", \"/\")", "[\"\", \"usr\", \"lib\", \"jvm\"]");
	expect("string.replace(\"a.b.c\", \".\", \"_\")", "\"a_b_c\"");
	expect("string.to_upper(\"straße\")", "\"STRAßE\"");
	expect("string.trim_prefix(\"/proc/42\", \"/proc/\")", "\"42\"");
	expect("encoding.from_json(\"{\\\"env\\\": \\\"prod\\\"}\").env", "\"prod\"");
	expect("encoding.to_json({b = 1, a = [true]})", "\"{\\\"a\\\":[true],\\\"b\\\":1}\"");
	expect("file.path_join(\"/opt\", \"../usr\", \"lib\")", "\"/usr/lib\"");
	expect("string.to_upper(42)", "\"42\"");
	expect("encoding.from_base64(\"cHlyb3Njb3Bl\")", "\"pyroscope\"");
	expect("encoding.to_base64(\"user:pass\")", "\"dXNlcjpwYXNz\"");
	expect("encoding.url_encode(\"a b/c\")", "\"a+b%2Fc\"");
}

static void test_error_span_covers_expression(void **state)
{
	(void)state;
	const char *text = "key = [0, 1][7 + 1]";
	pj_diags diags = PJ_DIAGS_INIT;
	pj_file *f = pj_parse(pj_source_new("test", text, strlen(text)), &diags);
	assert_null(pj_eval(f->body.stmts[0]->value, NULL, f->src, &diags));
	assert_int_equal(diags.len, 1);
	assert_string_equal(diags.items[0].message, "7 + 1 index 8 is out of range of array with length 2");
	assert_int_equal(diags.items[0].span.start, 13);
	assert_int_equal(diags.items[0].span.end, 18);
	pj_diags_free(&diags);
	pj_file_free(f);
}

static void expect_refs(const char *src, const char *want)
{
	pj_diags diags = PJ_DIAGS_INIT;
	pj_file *f = pj_parse(pj_source_new("test", src, strlen(src)), &diags);
	assert_false(pj_diags_has_errors(&diags));
	pj_refs refs = {0};
	pj_collect_body_refs(&f->body, &refs);
	pj_buf b = PJ_BUF_INIT;
	for (size_t i = 0; i < refs.len; i++)
		pj_buf_printf(&b, "%s%s@%u-%u", i ? " " : "", refs.items[i].path, refs.items[i].span.start,
			refs.items[i].span.end);
	if (strcmp(pj_buf_cstr(&b), want) != 0)
		fail_msg("%s:\n got  %s\n want %s", src, pj_buf_cstr(&b), want);
	pj_buf_free(&b);
	pj_refs_free(&refs);
	pj_diags_free(&diags);
	pj_file_free(f);
}

static void test_reference_chains(void **state)
{
	(void)state;
	expect_refs("x = discovery.relabel.java.output", "discovery.relabel.java.output@4-33");
	expect_refs("x = a.b[0].c", "a.b@4-7");
	expect_refs("x = string.join(x.y, z)", "string.join@4-15 x.y@16-19 z@21-22");
	expect_refs("x = f(a)[b.c].d", "f@4-5 a@6-7 b.c@9-12");
	expect_refs("x = [1, \"s\", {k = -v}, (p.q) + 1]", "v@19-20 p.q@24-27");
	expect_refs("b \"l\" {\n  x = a\n  inner {\n    y = c.d\n  }\n}\nz = 1", "a@14-15 c.d@34-37");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals_and_number_kinds),
		cmocka_unit_test(test_arithmetic_follows_go),
		cmocka_unit_test(test_comparison_and_equality),
		cmocka_unit_test(test_strings_bools_and_secrets),
		cmocka_unit_test(test_indexing_and_fields),
		cmocka_unit_test(test_calls),
		cmocka_unit_test(test_documented_examples),
		cmocka_unit_test(test_error_span_covers_expression),
		cmocka_unit_test(test_reference_chains),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
