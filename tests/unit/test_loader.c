/* Unit tests for src/runtime/loader.c and config.c: top-level structure, references and cycles (spec 5.1-5.3, 6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/controller.h"

/* test.pass: `input` (required, any) is exported as `out`. */
static const pj_attr_schema pass_attrs[] = {
	{"input", &pj_type_any, NULL, true, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema pass_args = {pass_attrs, NULL, NULL};
static const pj_attr_schema pass_export_attrs[] = {
	{"out", &pj_type_any, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema pass_exports = {pass_export_attrs, NULL, NULL};
static const pj_component_type pass_type = {
	.name = "test.pass", .args = &pass_args, .exports = &pass_exports,
};

/* Test stand-ins with the argument shapes of discovery.process and discovery.relabel. */
static const pj_attr_schema process_attrs[] = {
	{"refresh_interval", &pj_type_duration, "\"60s\"", false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema process_args = {process_attrs, NULL, NULL};
static const pj_attr_schema targets_export_attrs[] = {
	{"targets", &pj_type_targets, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema targets_exports = {targets_export_attrs, NULL, NULL};
static const pj_component_type process_type = {
	.name = "discovery.process", .args = &process_args, .exports = &targets_exports,
};
static const pj_attr_schema rule_attrs[] = {
	{"source_labels", &pj_type_string_list, NULL, false, NULL},
	{"regex", &pj_type_string, "\"(.*)\"", false, NULL},
	{"action", &pj_type_string, "\"replace\"", false, NULL},
	{"target_label", &pj_type_string, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema rule_schema = {rule_attrs, NULL, NULL};
static const pj_attr_schema relabel_attrs[] = {
	{"targets", &pj_type_targets, NULL, true, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_block_schema relabel_blocks[] = {
	{"rule", &rule_schema, PJ_BLOCK_REPEATED},
	{NULL, NULL, 0},
};
static const pj_schema relabel_args = {relabel_attrs, relabel_blocks, NULL};
static const pj_component_type relabel_type = {
	.name = "discovery.relabel", .args = &relabel_args, .exports = &targets_exports,
};

typedef struct loaded {
	pj_registry *reg;
	pj_controller *ctl;
	pj_diags diags;
	bool ok;
} loaded;

static pj_file *parse(const char *name, const char *text)
{
	pj_diags diags = PJ_DIAGS_INIT;
	pj_file *f = pj_parse(pj_source_new(name, text, strlen(text)), &diags);
	assert_false(pj_diags_has_errors(&diags));
	pj_diags_free(&diags);
	return f;
}

static const char *l_name = "a.alloy";

/* Loads one or two files in validate mode (nothing is built). */
static loaded load2(const char *a, const char *b)
{
	loaded l = {0};
	l.reg = pj_registry_new();
	assert_true(pj_registry_add(l.reg, &pass_type));
	assert_false(pj_registry_add(l.reg, &pass_type));
	assert_true(pj_registry_add(l.reg, &process_type));
	assert_true(pj_registry_add(l.reg, &relabel_type));
	pj_controller_options opts = {.registry = l.reg, .validate_only = true, .manual_flush = true};
	l.ctl = pj_controller_new(&opts);
	pj_file **files = calloc(2, sizeof(*files));
	size_t n = 0;
	files[n++] = parse(b ? "a.alloy" : l_name, a);
	if (b)
		files[n++] = parse("b.alloy", b);
	l.ok = pj_controller_load(l.ctl, files, n, &l.diags);
	return l;
}

static loaded load(const char *text)
{
	return load2(text, NULL);
}

static void loaded_free(loaded *l)
{
	pj_diags_free(&l->diags);
	pj_controller_free(l->ctl);
	pj_registry_free(l->reg);
}

/* The full Alloy-layout report, as `pyrojava run` prints it. */
static char *report(const loaded *l)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	pj_diags_print(&l->diags, f, false);
	fclose(f);
	return text;
}

static void assert_single(const loaded *l, const char *pos, const char *message)
{
	assert_false(l->ok);
	assert_int_equal(l->diags.len, 1);
	char *got = pj_diag_position(&l->diags.items[0]);
	assert_string_equal(got, pos);
	free(got);
	assert_string_equal(l->diags.items[0].message, message);
}

static void test_valid_config_loads(void **state)
{
	(void)state;
	loaded l = load("test.pass \"a\" {\n  input = 1\n}\n\ntest.pass \"b\" {\n  input = test.pass.a.out\n}\n");
	assert_true(l.ok);
	assert_int_equal(l.diags.len, 0);
	assert_true(pj_controller_ready(l.ctl));
	loaded_free(&l);
}

static void test_unknown_component(void **state)
{
	(void)state;
	loaded l = load("\nx.y \"a\" {\n}\n");
	assert_single(&l, "a.alloy:2:1", "cannot find the definition of component name \"x.y\"");
	char *text = report(&l);
	assert_string_equal(text, "Error: a.alloy:2:1: cannot find the definition of component name \"x.y\"\n\n"
				  "1 | \n2 | x.y \"a\" {\n  | ^^^\n3 | }\n");
	free(text);
	assert_false(pj_controller_ready(l.ctl));
	loaded_free(&l);
}

static void test_component_needs_label(void **state)
{
	(void)state;
	loaded l = load("test.pass {\n  input = 1\n}\n");
	assert_single(&l, "a.alloy:1:1", "component \"test.pass\" must have a label");
	loaded_free(&l);
}

static void test_duplicate_ids_across_files(void **state)
{
	(void)state;
	loaded l = load2("test.pass \"a\" {\n  input = 1\n}\n", "\n\ntest.pass \"a\" {\n  input = 2\n}\n");
	assert_single(&l, "b.alloy:3:1", "block test.pass.a already declared at a.alloy:1:1");
	loaded_free(&l);
}

static void test_duplicates_are_checked_before_types(void **state)
{
	(void)state;
	loaded l = load("x.y \"a\" {\n}\nx.y \"a\" {\n}\n");
	assert_false(l.ok);
	assert_int_equal(l.diags.len, 2);
	assert_string_equal(l.diags.items[0].message, "cannot find the definition of component name \"x.y\"");
	assert_string_equal(l.diags.items[1].message, "block x.y.a already declared at a.alloy:1:1");
	loaded_free(&l);
}

static void test_top_level_attribute(void **state)
{
	(void)state;
	loaded l = load("foo = 1\n");
	assert_single(&l, "a.alloy:1:1", "unrecognized attribute foo");
	loaded_free(&l);
}

static void test_unknown_reference(void **state)
{
	(void)state;
	loaded l = load("test.pass \"a\" {\n  input = test.pass.nope.out\n}\n");
	assert_single(&l, "a.alloy:2:11", "component \"test.pass.nope.out\" does not exist or is out of scope");
	loaded_free(&l);
}

static void test_stdlib_references_are_not_components(void **state)
{
	(void)state;
	loaded l = load("test.pass \"a\" {\n  input = string.to_upper(sys.env(\"HOME\")) + module_path\n}\n");
	assert_true(l.ok);
	loaded_free(&l);
}

static void test_cycle(void **state)
{
	(void)state;
	loaded l = load("test.pass \"b\" {\n  input = test.pass.a.out\n}\n"
			"test.pass \"a\" {\n  input = test.pass.b.out\n}\n");
	assert_single(&l, "-", "cycle: test.pass.a, test.pass.b");
	char *text = report(&l);
	assert_string_equal(text, "Error: -: cycle: test.pass.a, test.pass.b\n");
	free(text);
	loaded_free(&l);
}

static void test_self_reference(void **state)
{
	(void)state;
	loaded l = load("test.pass \"x\" {\n  input = test.pass.x.out\n}\n");
	assert_single(&l, "-", "self reference: test.pass.x");
	loaded_free(&l);
}

static void test_decode_errors_wrap_over_the_block(void **state)
{
	(void)state;
	loaded l = load("test.pass \"a\" {\n}\n\ntest.pass \"b\" {\n  inptu = 1\n}\n");
	assert_false(l.ok);
	/* Evaluation goes on after a failing component, so both are reported. */
	assert_int_equal(l.diags.len, 2);
	assert_string_equal(l.diags.items[0].message,
		"Failed to build component: decoding configuration: missing required attribute \"input\"");
	char *pos = pj_diag_position(&l.diags.items[0]);
	assert_string_equal(pos, "a.alloy:1:1");
	free(pos);
	assert_string_equal(l.diags.items[1].message, "unrecognized attribute name \"inptu\"");
	pos = pj_diag_position(&l.diags.items[1]);
	assert_string_equal(pos, "a.alloy:5:3");
	free(pos);
	loaded_free(&l);
}

static void test_logging_block(void **state)
{
	(void)state;
	loaded l = load("logging {\n  level  = \"debug\"\n  format = \"json\"\n}\n");
	assert_true(l.ok);
	loaded_free(&l);

	l = load("logging {\n  level = \"verbose\"\n}\n");
	assert_single(&l, "a.alloy:1:1",
		"Failed to evaluate node for config block: decoding configuration: "
		"\"verbose\" unrecognized log level \"verbose\"");
	loaded_free(&l);

	l = load("logging {\n  level = \"\"\n}\n");
	assert_true(l.ok);
	loaded_free(&l);

	l = load("logging {\n}\nlogging {\n}\n");
	assert_single(&l, "a.alloy:3:1", "block logging already declared at a.alloy:1:1");
	loaded_free(&l);

	l = load("logging \"x\" {\n}\n");
	assert_single(&l, "a.alloy:1:1", "block \"logging\" does not support specifying labels");
	loaded_free(&l);
}

static void test_module_blocks_are_rejected(void **state)
{
	(void)state;
	loaded l = load("declare \"x\" {\n}\n");
	assert_single(&l, "a.alloy:1:1", "block \"declare\" is not supported by pyrojava");
	loaded_free(&l);
}

/* The example of spec section 6, printed exactly. */
static void test_spec_example_report(void **state)
{
	(void)state;
	l_name = "pipeline.alloy";
	loaded l = load("discovery.process \"all\" { }\n\n"
			"discovery.relabel \"java\" {\n"
			"  targets = discovery.process.all.targets\n"
			"  rule {\n"
			"    action = \"keep\"\n"
			"    regx   = \".*/java$\"\n"
			"  }\n"
			"}\n");
	l_name = "a.alloy";
	char *text = report(&l);
	assert_string_equal(text, "Error: pipeline.alloy:7:5: unrecognized attribute name \"regx\"\n\n"
				  "6 |     action = \"keep\"\n"
				  "7 |     regx   = \".*/java$\"\n"
				  "  |     ^^^^^^^^^^^^^^^^^^^\n"
				  "8 |   }\n");
	free(text);
	loaded_free(&l);
}

/* A missing required attribute is wrapped and spans the whole component block. */
static void test_spec_missing_targets(void **state)
{
	(void)state;
	loaded l = load("discovery.relabel \"java\" {\n  rule {\n    action = \"keep\"\n  }\n}\n");
	assert_single(&l, "a.alloy:1:1",
		"Failed to build component: decoding configuration: missing required attribute \"targets\"");
	pj_linecol end = pj_source_linecol(l.diags.items[0].src, l.diags.items[0].span.end - 1);
	assert_int_equal(end.line, 5);
	assert_int_equal(end.col, 1);
	loaded_free(&l);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_directory_is_read_in_name_order(void **state)
{
	(void)state;
	char dir[] = "/tmp/pj_test_loader_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/b.alloy", dir);
	write_file(path, "test.pass \"b\" {\n  input = 2\n}\n");
	snprintf(path, sizeof(path), "%s/a.alloy", dir);
	write_file(path, "test.pass \"a\" {\n  input = 1\n}\n");
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	write_file(path, "not alloy");
	snprintf(path, sizeof(path), "%s/sub.alloy", dir);
	assert_int_equal(mkdir(path, 0700), 0);

	pj_file **files = NULL;
	size_t n = 0;
	pj_diags diags = PJ_DIAGS_INIT;
	assert_true(pj_config_read(dir, &files, &n, &diags));
	assert_int_equal(n, 2);
	snprintf(path, sizeof(path), "%s/a.alloy", dir);
	assert_string_equal(files[0]->src->name, path);
	snprintf(path, sizeof(path), "%s/b.alloy", dir);
	assert_string_equal(files[1]->src->name, path);
	for (size_t i = 0; i < n; i++)
		pj_file_free(files[i]);
	free(files);

	assert_false(pj_config_read("/nonexistent/pj.alloy", &files, &n, &diags));
	assert_int_equal(diags.len, 1);
	pj_diags_free(&diags);

	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_config_loads),
		cmocka_unit_test(test_unknown_component),
		cmocka_unit_test(test_component_needs_label),
		cmocka_unit_test(test_duplicate_ids_across_files),
		cmocka_unit_test(test_duplicates_are_checked_before_types),
		cmocka_unit_test(test_top_level_attribute),
		cmocka_unit_test(test_unknown_reference),
		cmocka_unit_test(test_stdlib_references_are_not_components),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_self_reference),
		cmocka_unit_test(test_decode_errors_wrap_over_the_block),
		cmocka_unit_test(test_logging_block),
		cmocka_unit_test(test_module_blocks_are_rejected),
		cmocka_unit_test(test_directory_is_read_in_name_order),
		cmocka_unit_test(test_spec_example_report),
		cmocka_unit_test(test_spec_missing_targets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
