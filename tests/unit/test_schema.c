/* Unit tests for src/runtime/schema.c and decode.c: Alloy's block decoding rules (spec 3.2, 3.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/receiver.h"
#include "runtime/schema.h"
#include "syntax/ast.h"

/* A schema shaped like discovery.process + discovery.relabel + pyroscope.write, for tests only. */
static const pj_attr_schema inner_attrs[] = {
	{"exe", &pj_type_bool, "true", false, NULL},
	{"cwd", &pj_type_bool, "true", false, NULL},
	{"uid", &pj_type_bool, "false", false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema inner_schema = {inner_attrs, NULL, NULL};

static const pj_attr_schema rule_attrs[] = {
	{"regex", &pj_type_string, "\"(.*)\"", false, NULL},
	{"action", &pj_type_string, "\"replace\"", false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema rule_schema = {rule_attrs, NULL, NULL};

static const pj_attr_schema auth_attrs[] = {
	{"username", &pj_type_string, NULL, true, NULL},
	{"password", &pj_type_secret, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema auth_schema = {auth_attrs, NULL, NULL};

static const pj_attr_schema named_attrs[] = {
	{"value", &pj_type_int, "0", false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema named_schema = {named_attrs, NULL, NULL};

static bool validate_not_both(const pj_value *body, char **err)
{
	const pj_value *a = pj_object_get(body, "name");
	const pj_value *b = pj_object_get(body, "url");
	size_t la, lb;
	pj_value_str(a, &la);
	pj_value_str(b, &lb);
	if (la && lb) {
		*err = strdup("at most one of name and url must be configured");
		return false;
	}
	return true;
}

static const pj_type int_list = {PJ_TYPE_LIST, &pj_type_int, NULL};

static const pj_attr_schema top_attrs[] = {
	{"targets", &pj_type_targets, NULL, true, NULL},
	{"refresh_interval", &pj_type_duration, "\"60s\"", false, NULL},
	{"name", &pj_type_string, NULL, false, NULL},
	{"url", &pj_type_string, NULL, false, NULL},
	{"labels", &pj_type_string_map, NULL, false, NULL},
	{"ports", &int_list, NULL, false, NULL},
	{"enabled", &pj_type_bool, "true", false, NULL},
	{"ratio", &pj_type_float, "0.5", false, NULL},
	{"token", &pj_type_secret, NULL, false, NULL},
	{"forward_to", &pj_type_receiver_list, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_block_schema top_blocks[] = {
	{"discover_config", &inner_schema, 0},
	{"rule", &rule_schema, PJ_BLOCK_REPEATED},
	{"basic_auth", &auth_schema, PJ_BLOCK_NULLABLE},
	{"named", &named_schema, PJ_BLOCK_LABELED | PJ_BLOCK_REPEATED},
	{NULL, NULL, 0},
};
static const pj_schema top_schema = {top_attrs, top_blocks, validate_not_both};

static const pj_block_schema needs_block[] = {
	{"endpoint", &auth_schema, PJ_BLOCK_REQUIRED},
	{NULL, NULL, 0},
};
static const pj_attr_schema no_attrs[] = {{NULL, NULL, NULL, false, NULL}};
static const pj_schema needs_block_schema = {no_attrs, needs_block, NULL};

typedef struct decoded {
	pj_file *file;
	pj_value *value;
	pj_decode_error err;
} decoded;

static decoded decode_scoped(const pj_schema *schema, const char *text, const pj_value *scope)
{
	decoded d = {0};
	pj_diags diags = PJ_DIAGS_INIT;
	d.file = pj_parse(pj_source_new("test.alloy", text, strlen(text)), &diags);
	assert_false(pj_diags_has_errors(&diags));
	pj_diags_free(&diags);
	d.value = pj_decode_body(schema, &d.file->body, scope, d.file->src, &d.err);
	return d;
}

static decoded decode_with(const pj_schema *schema, const char *text)
{
	return decode_scoped(schema, text, NULL);
}

static decoded decode(const char *text)
{
	return decode_with(&top_schema, text);
}

static void decoded_free(decoded *d)
{
	pj_value_unref(d->value);
	pj_decode_error_clear(&d->err);
	pj_file_free(d->file);
}

/* Asserts a positioned error "line:col: message". */
static void assert_error_at(decoded *d, const char *want)
{
	assert_null(d->value);
	assert_true(d->err.positioned);
	pj_linecol lc = pj_source_linecol(d->file->src, d->err.span.start);
	char got[512];
	snprintf(got, sizeof(got), "%d:%d: %s", lc.line, lc.col, d->err.message);
	assert_string_equal(got, want);
}

static void assert_error_unpositioned(decoded *d, const char *want)
{
	assert_null(d->value);
	assert_false(d->err.positioned);
	assert_string_equal(d->err.message, want);
}

static const char *str_of(const pj_value *obj, const char *key)
{
	size_t len;
	return pj_value_str(pj_object_get(obj, key), &len);
}

static void test_defaults_apply_when_absent(void **state)
{
	(void)state;
	decoded d = decode("targets = []\n");
	assert_non_null(d.value);
	assert_int_equal(pj_value_int(pj_object_get(d.value, "refresh_interval")), 60000000000LL);
	assert_true(pj_value_bool(pj_object_get(d.value, "enabled")));
	assert_string_equal(str_of(d.value, "name"), "");
	const pj_value *inner = pj_object_get(d.value, "discover_config");
	assert_true(pj_value_bool(pj_object_get(inner, "exe")));
	assert_false(pj_value_bool(pj_object_get(inner, "uid")));
	assert_int_equal(pj_value_kind(pj_object_get(d.value, "basic_auth")), PJ_NULL);
	assert_int_equal(pj_array_len(pj_object_get(d.value, "rule")), 0);
	decoded_free(&d);
}

static void test_nested_block_keeps_parent_defaults(void **state)
{
	(void)state;
	decoded d = decode("targets = []\ndiscover_config {\n  cwd = false\n}\n");
	const pj_value *inner = pj_object_get(d.value, "discover_config");
	assert_true(pj_value_bool(pj_object_get(inner, "exe")));
	assert_false(pj_value_bool(pj_object_get(inner, "cwd")));
	decoded_free(&d);
}

static void test_repeated_blocks_each_start_from_defaults(void **state)
{
	(void)state;
	decoded d = decode("targets = []\nrule {\n  action = \"keep\"\n}\nrule {\n  regex = \"a\"\n}\n");
	const pj_value *rules = pj_object_get(d.value, "rule");
	assert_int_equal(pj_array_len(rules), 2);
	assert_string_equal(str_of(pj_array_get(rules, 0), "action"), "keep");
	assert_string_equal(str_of(pj_array_get(rules, 0), "regex"), "(.*)");
	assert_string_equal(str_of(pj_array_get(rules, 1), "action"), "replace");
	assert_string_equal(str_of(pj_array_get(rules, 1), "regex"), "a");
	decoded_free(&d);
}

static void test_labeled_blocks(void **state)
{
	(void)state;
	decoded d = decode("targets = []\nnamed \"x\" {\n  value = 3\n}\n");
	const pj_value *named = pj_array_get(pj_object_get(d.value, "named"), 0);
	assert_string_equal(str_of(named, "label"), "x");
	assert_int_equal(pj_value_int(pj_object_get(named, "value")), 3);
	decoded_free(&d);

	d = decode("targets = []\nnamed {\n  value = 3\n}\n");
	assert_error_at(&d, "2:1: block \"named\" requires non-empty label");
	decoded_free(&d);

	d = decode("targets = []\nrule \"x\" {\n}\n");
	assert_error_at(&d, "2:1: block \"rule\" does not support specifying labels");
	decoded_free(&d);
}

static void test_missing_required(void **state)
{
	(void)state;
	decoded d = decode("name = \"a\"\n");
	assert_error_unpositioned(&d, "missing required attribute \"targets\"");
	decoded_free(&d);

	d = decode_with(&needs_block_schema, "");
	assert_error_unpositioned(&d, "missing required block \"endpoint\"");
	decoded_free(&d);

	/* A nested block's required attribute is reported the same way. */
	d = decode("targets = []\nbasic_auth {\n  password = \"x\"\n}\n");
	assert_error_unpositioned(&d, "missing required attribute \"username\"");
	decoded_free(&d);
}

static void test_structure_errors(void **state)
{
	(void)state;
	decoded d = decode("targets = []\nname = \"a\"\nname = \"b\"\n");
	assert_error_at(&d, "3:1: attribute \"name\" may only be provided once");
	decoded_free(&d);

	d = decode("targets = []\n  regx = \".*\"\n");
	assert_error_at(&d, "2:3: unrecognized attribute name \"regx\"");
	assert_int_equal(d.err.span.end - d.err.span.start, strlen("regx = \".*\""));
	decoded_free(&d);

	d = decode("targets = []\nendpoint {\n}\n");
	assert_error_at(&d, "2:1: unrecognized block name \"endpoint\"");
	decoded_free(&d);

	d = decode("targets = []\nrule = {}\n");
	assert_error_at(&d, "2:1: \"rule\" must be a block, but is used as an attribute");
	decoded_free(&d);

	d = decode("targets = []\nname {\n}\n");
	assert_error_at(&d, "2:1: \"name\" must be an attribute, but is used as a block");
	decoded_free(&d);
}

static void test_single_block_twice_reports_first(void **state)
{
	(void)state;
	decoded d = decode("targets = []\ndiscover_config {\n}\ndiscover_config {\n}\n");
	assert_error_at(&d, "2:1: block \"discover_config\" may only be specified once");
	decoded_free(&d);
}

static void test_first_error_wins(void **state)
{
	(void)state;
	decoded d = decode("bogus = 1\ntargets = 5\n");
	assert_error_at(&d, "1:1: unrecognized attribute name \"bogus\"");
	decoded_free(&d);
}

static void test_validation_hook(void **state)
{
	(void)state;
	decoded d = decode("targets = []\nname = \"a\"\nurl = \"b\"\n");
	assert_error_unpositioned(&d, "at most one of name and url must be configured");
	decoded_free(&d);
}

static void test_value_errors_point_at_the_expression(void **state)
{
	(void)state;
	decoded d = decode("targets = []\nenabled = \"true\"\n");
	assert_error_at(&d, "2:11: \"true\" should be bool, got string");
	decoded_free(&d);

	d = decode("targets = []\nlabels = true\n");
	assert_error_at(&d, "2:10: true should be object, got bool");
	decoded_free(&d);

	d = decode("targets = []\nports = [1, 2, true]\n");
	assert_error_at(&d, "2:16: true should be number, got bool");
	decoded_free(&d);

	d = decode("targets = []\nlabels = {a = \"x\", b = [0, 1, 2]}\n");
	assert_error_at(&d, "2:24: [0, 1, 2] should be string, got array");
	decoded_free(&d);

	d = decode("targets = 5\n");
	assert_error_at(&d, "1:11: 5 should be array, got number");
	decoded_free(&d);
}

/* Spec 3.5: a failing element reached through a reference is named by its accessor path. */
static void test_value_errors_through_references(void **state)
{
	(void)state;
	static const pj_type int_list_map = {PJ_TYPE_MAP, &int_list, NULL};
	static const pj_attr_schema attrs[] = {
		{"value", &int_list_map, NULL, false, NULL},
		{NULL, NULL, NULL, false, NULL},
	};
	static const pj_schema schema = {attrs, NULL, NULL};
	pj_value *list = pj_array_new(3);
	pj_array_push(list, pj_int(0));
	pj_array_push(list, pj_int(1));
	pj_array_push(list, pj_bool(true));
	pj_value *object = pj_object_new();
	pj_object_set(object, "field1", list);
	pj_value *kv = pj_object_new();
	pj_object_set(kv, "object", object);
	pj_value *scope = pj_object_new();
	pj_object_set(scope, "key_value", kv);
	decoded d = decode_scoped(&schema, "value = key_value.object\n", scope);
	assert_error_at(&d, "1:9: key_value.object.field1[2] should be number, got bool");
	decoded_free(&d);
	/* Literal parts are pointed at directly. */
	d = decode_scoped(&schema, "value = {a = [0, key_value.object.field1[2]]}\n", scope);
	assert_error_at(&d, "1:18: key_value.object.field1[2] should be number, got bool");
	decoded_free(&d);
	pj_value_unref(scope);
}

static void test_durations(void **state)
{
	(void)state;
	decoded d = decode("targets = []\nrefresh_interval = \"1m30s\"\n");
	assert_int_equal(pj_value_int(pj_object_get(d.value, "refresh_interval")), 90000000000LL);
	decoded_free(&d);

	d = decode("targets = []\nrefresh_interval = 0\n");
	assert_int_equal(pj_value_int(pj_object_get(d.value, "refresh_interval")), 0);
	decoded_free(&d);

	d = decode("targets = []\nrefresh_interval = 60\n");
	assert_error_at(&d, "2:20: 60 time: missing unit in duration \"60\"");
	decoded_free(&d);

	d = decode("targets = []\nrefresh_interval = \"abc\"\n");
	assert_error_at(&d, "2:20: \"abc\" time: invalid duration \"abc\"");
	decoded_free(&d);
}

static void test_assignment_conversions(void **state)
{
	(void)state;
	decoded d = decode("targets = []\nname = 15\nratio = \"2\"\nports = [\"7\"]\nenabled = null\n");
	assert_non_null(d.value);
	assert_string_equal(str_of(d.value, "name"), "15");
	assert_true(pj_value_float(pj_object_get(d.value, "ratio")) == 2.0);
	assert_int_equal(pj_value_int(pj_array_get(pj_object_get(d.value, "ports"), 0)), 7);
	/* null sets the zero value, not the default */
	assert_false(pj_value_bool(pj_object_get(d.value, "enabled")));
	decoded_free(&d);
}

static void test_targets_conversion(void **state)
{
	(void)state;
	decoded d = decode("targets = [{a = 1, b = true, c = \"x\"}]\n");
	const pj_value *t = pj_array_get(pj_object_get(d.value, "targets"), 0);
	assert_string_equal(str_of(t, "a"), "1");
	assert_string_equal(str_of(t, "b"), "true");
	assert_string_equal(str_of(t, "c"), "x");
	decoded_free(&d);

	d = decode("targets = [{a = null}]\n");
	assert_error_at(&d, "1:17: null target::ConvertFrom: cannot convert a nil value to a target value");
	decoded_free(&d);
}

static void test_secrets(void **state)
{
	(void)state;
	decoded d = decode("targets = []\ntoken = \"hunter2\"\n");
	assert_int_equal(pj_value_kind(pj_object_get(d.value, "token")), PJ_SECRET);
	decoded_free(&d);

	pj_value *scope = pj_object_new();
	pj_object_set(scope, "s", pj_secret("x", 1));
	d = decode_scoped(&top_schema, "targets = []\nname = s\n", scope);
	assert_null(d.value);
	assert_true(d.err.positioned);
	assert_non_null(strstr(d.err.message, "secrets may not be converted into strings"));
	decoded_free(&d);

	d = decode_scoped(&top_schema, "targets = []\nname = convert.nonsensitive(s)\n", scope);
	assert_string_equal(str_of(d.value, "name"), "x");
	decoded_free(&d);

	d = decode_scoped(&top_schema, "targets = [{a = s}]\n", scope);
	assert_error_at(&d, "1:17: s target::ConvertFrom: cannot use a secret as a target value");
	decoded_free(&d);
	pj_value_unref(scope);
}

static void test_capsules(void **state)
{
	(void)state;
	decoded d = decode("targets = []\nforward_to = [\"x\"]\n");
	assert_error_at(&d, "2:15: \"x\" should be capsule, got string");
	decoded_free(&d);
}

static void test_eval_errors_are_positioned(void **state)
{
	(void)state;
	decoded d = decode("targets = []\nname = nope\n");
	assert_error_at(&d, "2:8: identifier \"nope\" does not exist");
	decoded_free(&d);
}

static void test_arg_helpers(void **state)
{
	(void)state;
	decoded d = decode("targets = []\nname = \"n\"\ntoken = \"s3\"\nports = [1]\n");
	assert_string_equal(pj_arg_str(d.value, "name"), "n");
	assert_string_equal(pj_arg_str(d.value, "token"), "s3");
	assert_string_equal(pj_arg_str(d.value, "missing"), "");
	assert_int_equal(pj_arg_int(d.value, "refresh_interval"), 60000000000LL);
	assert_int_equal(pj_arg_uint(d.value, "refresh_interval"), 60000000000ULL);
	assert_true(pj_arg_float(d.value, "ratio") == 0.5);
	assert_true(pj_arg_bool(d.value, "enabled"));
	assert_false(pj_arg_bool(d.value, "name"));
	assert_int_equal(pj_arg_int(d.value, "ports"), 0);
	decoded_free(&d);
}

static void test_value_path_text(void **state)
{
	(void)state;
	pj_value_path p = {0};
	p.steps[0].key = "object";
	p.steps[1].key = "field1";
	p.steps[2].key = NULL;
	p.steps[2].index = 2;
	p.steps[3].key = "a b";
	p.len = 4;
	pj_buf b = PJ_BUF_INIT;
	pj_value_path_write(&b, &p);
	assert_string_equal(pj_buf_cstr(&b), ".object.field1[2].a b");
	pj_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_apply_when_absent),
		cmocka_unit_test(test_nested_block_keeps_parent_defaults),
		cmocka_unit_test(test_repeated_blocks_each_start_from_defaults),
		cmocka_unit_test(test_labeled_blocks),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_single_block_twice_reports_first),
		cmocka_unit_test(test_first_error_wins),
		cmocka_unit_test(test_validation_hook),
		cmocka_unit_test(test_value_errors_point_at_the_expression),
		cmocka_unit_test(test_value_errors_through_references),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_assignment_conversions),
		cmocka_unit_test(test_targets_conversion),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_capsules),
		cmocka_unit_test(test_eval_errors_are_positioned),
		cmocka_unit_test(test_arg_helpers),
		cmocka_unit_test(test_value_path_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
