/*
 * The relabel engine against every test vector of spec section 9.5 (taken by
 * the spec from Prometheus' and Alloy's relabel tests), the validation
 * messages of 9.2 and the $-expansion rules of 9.4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "relabel/labels.h"
#include "relabel/regex.h"
#include "relabel/relabel.h"

#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})
#define SRC(...)                                                                                                  \
	.source_labels = (const char *const[]){__VA_ARGS__},                                                      \
	.n_source_labels = sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)
#define RULES(...) ((const relabel_rule_config[]){__VA_ARGS__})
#define NRULES(...) (sizeof(RULES(__VA_ARGS__)) / sizeof(relabel_rule_config))
#define DROPPED NULL

static void labels_from(pj_labels *l, const char *const *kv)
{
	for (size_t i = 0; kv[i]; i += 2)
		pj_labels_set(l, kv[i], kv[i + 1]);
}

static char *show(const pj_labels *l)
{
	pj_buf b = PJ_BUF_INIT;
	pj_labels_format(l, &b);
	return pj_buf_detach(&b);
}

/* Applies rules to `in` and checks the result (want == DROPPED: the set is dropped). */
static void check_rules(const char *const *in, const relabel_rule_config *cfgs, size_t n, const char *const *want)
{
	char *err = NULL;
	relabel_rules *rules = relabel_rules_compile(cfgs, n, &err);
	if (!rules)
		fail_msg("compile failed: %s", err);
	pj_labels input = PJ_LABELS_INIT, output = PJ_LABELS_INIT, expected = PJ_LABELS_INIT;
	labels_from(&input, in);
	bool keep = relabel_apply(rules, &input, &output);
	if (!want) {
		assert_false(keep);
	} else {
		labels_from(&expected, want);
		char *got = show(&output), *exp = show(&expected);
		if (!keep)
			fail_msg("dropped, want %s", exp);
		if (!pj_labels_equal(&output, &expected))
			fail_msg("got %s\nwant %s", got, exp);
		free(got);
		free(exp);
	}
	pj_labels_free(&input);
	pj_labels_free(&output);
	pj_labels_free(&expected);
	relabel_rules_unref(rules);
}

#define CHECK(in, want, ...) check_rules(in, RULES(__VA_ARGS__), NRULES(__VA_ARGS__), want)

static void check_invalid(relabel_rule_config cfg, const char *want)
{
	char *err = NULL;
	relabel_rules *rules = relabel_rules_compile(&cfg, 1, &err);
	assert_null(rules);
	assert_non_null(err);
	assert_string_equal(err, want);
	free(err);
	assert_false(relabel_rule_validate(&cfg, &err));
	free(err);
}

static void check_valid(relabel_rule_config cfg)
{
	char *err = NULL;
	relabel_rules *rules = relabel_rules_compile(&cfg, 1, &err);
	if (!rules)
		fail_msg("rejected: %s", err);
	relabel_rules_unref(rules);
}

static void test_v01_replace_with_braced_group(void **state)
{
	(void)state;
	CHECK(KV("a", "foo", "b", "bar", "c", "baz"), KV("a", "foo", "b", "bar", "c", "baz", "d", "choo-choo"),
		{SRC("a"), .regex = "f(.*)", .target_label = "d", .replacement = "ch${1}-ch${1}"});
}

static void test_v02_second_rule_sees_first(void **state)
{
	(void)state;
	CHECK(KV("a", "foo", "b", "bar", "c", "baz"), KV("a", "boobam", "b", "bar", "c", "baz", "d", "boooom"),
		{SRC("a", "b"), .regex = "f(.*);(.*)r", .target_label = "a", .replacement = "b${1}${2}m"},
		{SRC("c", "a"), .regex = "(b).*b(.*)ba(.*)", .target_label = "d", .replacement = "$1$2$2$3"});
}

static void test_v03_v04_drop(void **state)
{
	(void)state;
	CHECK(KV("a", "foo"), DROPPED, {SRC("a"), .regex = ".*o.*", .action = "drop"},
		{SRC("a"), .regex = "f(.*)", .target_label = "d", .replacement = "ch$1-ch$1"});
	CHECK(KV("a", "foo", "b", "bar"), DROPPED, {SRC("a"), .regex = ".*o.*", .action = "drop"});
}

static void test_v05_replace_middle_group(void **state)
{
	(void)state;
	CHECK(KV("a", "abc"), KV("a", "abc", "d", "b"),
		{SRC("a"), .regex = ".*(b).*", .target_label = "d", .replacement = "$1"});
}

static void test_v06_v07_drop_needs_whole_match(void **state)
{
	(void)state;
	CHECK(KV("a", "foo"), KV("a", "foo"), {SRC("a"), .regex = "no-match", .action = "drop"});
	CHECK(KV("a", "foo"), KV("a", "foo"), {SRC("a"), .regex = "f|o", .action = "drop"});
}

static void test_v08_v09_keep(void **state)
{
	(void)state;
	CHECK(KV("a", "foo"), DROPPED, {SRC("a"), .regex = "no-match", .action = "keep"});
	CHECK(KV("a", "foo"), KV("a", "foo"), {SRC("a"), .regex = "f.*", .action = "keep"});
}

static void test_v10_no_match_no_write(void **state)
{
	(void)state;
	CHECK(KV("a", "boo"), KV("a", "boo"), {SRC("a"), .regex = "f", .target_label = "b", .replacement = "bar"});
}

static void test_v11_empty_replacement_deletes_expanded_target(void **state)
{
	(void)state;
	CHECK(KV("a", "foo", "f", "baz"), KV("a", "foo"),
		{SRC("a"), .regex = "(f).*", .target_label = "$1", .replacement = "$2"});
}

static void test_v12_v13_hashmod(void **state)
{
	(void)state;
	CHECK(KV("a", "foo", "b", "bar", "c", "baz"), KV("a", "foo", "b", "bar", "c", "baz", "d", "976"),
		{SRC("c"), .target_label = "d", .modulus = 1000, .action = "hashmod"});
	CHECK(KV("a", "foo\nbar"), KV("a", "foo\nbar", "b", "734"),
		{SRC("a"), .target_label = "b", .modulus = 1000, .action = "hashmod"});
}

static void test_hashmod_extra_values(void **state)
{
	(void)state;
	CHECK(KV("x", "y"), KV("x", "y", "h", "8"), {SRC("missing"), .target_label = "h", .modulus = 10, .action = "hashmod"});
	CHECK(KV("a", "a", "b", "b"), KV("a", "a", "b", "b", "h", "2"),
		{SRC("a", "b"), .target_label = "h", .modulus = 7, .action = "hashmod"});
	CHECK(KV("addr", "10.132.183.40:80"), KV("addr", "10.132.183.40:80", "h", "1"),
		{SRC("addr"), .target_label = "h", .modulus = 3, .action = "hashmod"});
}

static void test_v14_v15_labelmap(void **state)
{
	(void)state;
	CHECK(KV("a", "foo", "b1", "bar", "b2", "baz"),
		KV("a", "foo", "b1", "bar", "b2", "baz", "bar_b1", "bar", "bar_b2", "baz"),
		{.regex = "(b.*)", .replacement = "bar_${1}", .action = "labelmap"});
	CHECK(KV("a", "foo", "__meta_my_bar", "aaa", "__meta_my_baz", "bbb", "__meta_other", "ccc"),
		KV("a", "foo", "__meta_my_bar", "aaa", "__meta_my_baz", "bbb", "__meta_other", "ccc", "my_bar", "aaa",
			"my_baz", "bbb"),
		{.regex = "__meta_(my.*)", .replacement = "${1}", .action = "labelmap"});
}

static void test_v16_v17_v18_expanded_target(void **state)
{
	(void)state;
	CHECK(KV("a", "some-name-value"), KV("a", "some-name-value", "name", "value"),
		{SRC("a"), .regex = "some-([^-]+)-([^,]+)", .target_label = "${1}", .replacement = "${2}"});
	CHECK(KV("a", "some-name-value"), KV("a", "some-name-value"),
		{SRC("a"), .regex = "some-([^-]+)-([^,]+)", .target_label = "${1}", .replacement = "${3}"});
	CHECK(KV("a", "some-name-0"), KV("a", "some-name-0"),
		{SRC("a"), .regex = "some-([^-]+)-([^,]+)", .target_label = "${3}", .replacement = "${1}"},
		{SRC("a"), .regex = "some-([^-]+)-([^,]+)", .target_label = "${3}", .replacement = "${2}"},
		{SRC("a"), .regex = "some-([^-]+)(-[^,]+)", .target_label = "${3}", .replacement = "$1"});
}

static void test_v19_tags_to_labels(void **state)
{
	(void)state;
	CHECK(KV("__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar"),
		KV("__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar", "__metrics_path__", "/secret", "job",
			"some-job", "foo", "bar"),
		{SRC("__meta_sd_tags"), .regex = "(?:.+,|^)path:(/[^,]+).*", .target_label = "__metrics_path__",
			.replacement = "${1}"},
		{SRC("__meta_sd_tags"), .regex = "(?:.+,|^)job:([^,]+).*", .target_label = "job", .replacement = "${1}"},
		{SRC("__meta_sd_tags"), .regex = "(?:.+,|^)label:([^=]+)=([^,]+).*", .target_label = "${1}",
			.replacement = "${2}"});
}

static void test_v20_deleted_label_set_again(void **state)
{
	(void)state;
	CHECK(KV("__meta_kubernetes_pod_container_port_name", "foo", "__meta_kubernetes_pod_annotation_XXX_metrics_port",
		      "9091"),
		KV("__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091", "__meta_kubernetes_pod_container_port_name",
			"metrics"),
		{.regex = "^__meta_kubernetes_pod_container_port_name$", .action = "labeldrop"},
		{SRC("__meta_kubernetes_pod_annotation_XXX_metrics_port"), .regex = "(.+)",
			.target_label = "__meta_kubernetes_pod_container_port_name", .replacement = "metrics"},
		{SRC("__meta_kubernetes_pod_container_port_name"), .regex = "^metrics$", .action = "keep"});
}

static void test_v21_v22_labelkeep_labeldrop(void **state)
{
	(void)state;
	CHECK(KV("a", "foo", "b1", "bar", "b2", "baz"), KV("b1", "bar", "b2", "baz"),
		{.regex = "(b.*)", .action = "labelkeep"});
	CHECK(KV("a", "foo", "b1", "bar", "b2", "baz"), KV("a", "foo"), {.regex = "(b.*)", .action = "labeldrop"});
}

static void test_v23_case(void **state)
{
	(void)state;
	CHECK(KV("foo", "bAr123Foo"), KV("foo", "bAr123Foo", "foo_uppercase", "BAR123FOO", "foo_lowercase", "bar123foo"),
		{SRC("foo"), .target_label = "foo_uppercase", .action = "uppercase"},
		{SRC("foo"), .target_label = "foo_lowercase", .action = "lowercase"});
}

static void test_v24_to_v27_equal(void **state)
{
	(void)state;
	const char *const *in = KV("__tmp_port", "1234", "__port1", "1234", "__port2", "5678");
	CHECK(in, in, {SRC("__tmp_port"), .target_label = "__port1", .action = "keepequal"});
	CHECK(in, DROPPED, {SRC("__tmp_port"), .target_label = "__port1", .action = "dropequal"});
	CHECK(in, in, {SRC("__tmp_port"), .target_label = "__port2", .action = "dropequal"});
	CHECK(in, DROPPED, {SRC("__tmp_port"), .target_label = "__port2", .action = "keepequal"});
}

static void test_v28_dot_matches_newline(void **state)
{
	(void)state;
	CHECK(KV("a", "line1\nline2", "b", "bar", "c", "baz"), KV("a", "line1\nline2", "b", "bar", "c", "baz", "d", "match"),
		{SRC("a"), .regex = "line1.*line2", .target_label = "d", .replacement = "match${1}"});
}

static void test_v29_named_groups(void **state)
{
	(void)state;
	CHECK(KV("a", "line1\nline2"), KV("a", "line1\nline2", "label1_line1", "val_line2", "label2_line1", "val_line2"),
		{SRC("a"), .regex = "(line1).*(?<second>line2)", .target_label = "label1_${1}",
			.replacement = "val_${second}"},
		{SRC("a"), .regex = "(line1).*(?<second>line2)", .target_label = "label2_$1", .replacement = "val_$second"});
}

static void test_v30_suffix(void **state)
{
	(void)state;
	CHECK(KV("__name__", "http_requests_total"), KV("__name__", "http_requests_total", "__type__", "counter"),
		{SRC("__name__"), .regex = ".*_total$", .target_label = "__type__", .replacement = "counter"});
}

static void test_v31_v32_utf8_names(void **state)
{
	(void)state;
	CHECK(KV("utf-8.label", "line1\nline2"), KV("utf-8.label", "line1\nline2", "d", "match"),
		{SRC("utf-8.label"), .regex = "line1.*line2", .target_label = "d", .replacement = "match${1}"});
	CHECK(KV("a", "line1\nline2"), KV("a", "line1\nline2", "utf-8.label", "match"),
		{SRC("a"), .regex = "line1.*line2", .target_label = "utf-8.label", .replacement = "match${1}"});
}

static void test_v33_alloy_component_example(void **state)
{
	(void)state;
	const relabel_rule_config cfgs[] = {
		{SRC("__address__", "instance"), .separator = "/", .target_label = "destination"},
		{SRC("app"), .regex = "frontend", .action = "drop"},
		{SRC("app"), .regex = "backend", .action = "keep"},
		{SRC("instance"), .target_label = "name"},
		{.regex = "__meta_(.*)", .replacement = "meta_$1", .action = "labelmap"},
		{.regex = "__meta(.*)|__tmp(.*)|instance", .action = "labeldrop"},
	};
	const char *const *targets[] = {
		KV("__meta_foo", "foo", "__meta_bar", "bar", "__address__", "localhost", "instance", "one", "app", "backend",
			"__tmp_a", "tmp"),
		KV("__meta_foo", "foo", "__meta_bar", "bar", "__address__", "localhost", "instance", "two", "app", "db",
			"__tmp_b", "tmp"),
		KV("__meta_baz", "baz", "__meta_qux", "qux", "__address__", "localhost", "instance", "three", "app",
			"frontend", "__tmp_c", "tmp"),
	};
	check_rules(targets[0], cfgs, 6,
		KV("__address__", "localhost", "app", "backend", "destination", "localhost/one", "meta_bar", "bar",
			"meta_foo", "foo", "name", "one"));
	check_rules(targets[1], cfgs, 6, DROPPED);
	check_rules(targets[2], cfgs, 6, DROPPED);
}

static void test_defaults_copy_source(void **state)
{
	(void)state;
	/* regex (.*), replacement $1 and action replace by default. */
	CHECK(KV("a", "x"), KV("a", "x", "b", "x"), {SRC("a"), .target_label = "b"});
	/* A missing source reads as "", so the default rule deletes the target. */
	CHECK(KV("a", "x", "b", "y"), KV("a", "x"), {SRC("missing"), .target_label = "b"});
	/* An empty case result deletes the target too. */
	CHECK(KV("t", "old"), KV(NULL), {SRC("missing"), .target_label = "t", .action = "lowercase"});
}

static void test_case_mapping_is_unicode(void **state)
{
	(void)state;
	CHECK(KV("v", "Ärger ΣΊΣΥΦΟΣ"), KV("v", "Ärger ΣΊΣΥΦΟΣ", "l", "ärger σίσυφοσ"),
		{SRC("v"), .target_label = "l", .action = "lowercase"});
	/* Go maps invalid bytes to U+FFFD when it has to rewrite a non-ASCII string. */
	CHECK(KV("v", "a\xffz"), KV("v", "a\xffz", "u", "A\xef\xbf\xbdZ"),
		{SRC("v"), .target_label = "u", .action = "uppercase"});
}

static void test_validation_messages(void **state)
{
	(void)state;
	check_invalid((relabel_rule_config){SRC("a"), .target_label = "t", .action = "hashmod"},
		"relabel configuration for hashmod requires non-zero modulus");
	check_invalid((relabel_rule_config){SRC("a")}, "relabel configuration for replace action requires 'target_label' value");
	check_invalid((relabel_rule_config){SRC("a"), .action = "lowercase"},
		"relabel configuration for lowercase action requires 'target_label' value");
	check_invalid((relabel_rule_config){SRC("a"), .action = "keepequal"},
		"relabel configuration for keepequal action requires 'target_label' value");
	check_invalid((relabel_rule_config){.action = "Keep"}, "unrecognized action type \"Keep\"");
	check_invalid((relabel_rule_config){.action = ""}, "unrecognized action type \"\"");
	check_invalid((relabel_rule_config){SRC("a"), .target_label = "0${3}"},
		"\"0${3}\" is invalid 'target_label' for replace action");
	check_invalid((relabel_rule_config){SRC("a"), .target_label = "-${3}"},
		"\"-${3}\" is invalid 'target_label' for replace action");
	check_invalid((relabel_rule_config){SRC("a"), .target_label = "utf-8.label${1}"},
		"\"utf-8.label${1}\" is invalid 'target_label' for replace action");
	check_invalid((relabel_rule_config){SRC("a"), .target_label = "bad\xff"},
		"\"bad\\xff\" is invalid 'target_label' for replace action");
	check_invalid((relabel_rule_config){SRC("a"), .target_label = "t", .replacement = "x", .action = "uppercase"},
		"'replacement' can not be set for uppercase action");
	check_invalid((relabel_rule_config){.replacement = "-bad", .action = "labelmap"},
		"\"-bad\" is invalid 'replacement' for labelmap action");
	check_invalid((relabel_rule_config){SRC("a"), .action = "labeldrop"},
		"labeldrop action requires only 'regex', and no other fields");
	check_invalid((relabel_rule_config){.separator = ",", .action = "labelkeep"},
		"labelkeep action requires only 'regex', and no other fields");
	check_invalid((relabel_rule_config){.source_labels = KV("x"), .n_source_labels = 0, .action = "labelkeep"},
		"labelkeep action requires only 'regex', and no other fields");
	check_invalid((relabel_rule_config){SRC("a"), .target_label = "t", .regex = "x", .action = "dropequal"},
		"dropequal action requires only 'source_labels' and 'target_label', and no other fields");
	check_invalid((relabel_rule_config){SRC("a"), .target_label = "t", .modulus = 3, .action = "keepequal"},
		"keepequal action requires only 'source_labels' and 'target_label', and no other fields");
	check_invalid((relabel_rule_config){.regex = "(a", .action = "keep"},
		"error parsing regexp: missing closing ): `^(?s:(a)$`");
}

static void test_validation_accepts(void **state)
{
	(void)state;
	check_valid((relabel_rule_config){SRC("a"), .target_label = "${3}"});
	check_valid((relabel_rule_config){SRC("a"), .target_label = "${3}", .action = "lowercase"});
	check_valid((relabel_rule_config){SRC("a"), .target_label = "utf-8.label"});
	check_valid((relabel_rule_config){SRC("a"), .target_label = "t", .regex = "(.*)", .action = "keepequal"});
	check_valid((relabel_rule_config){.regex = "x", .separator = ";", .replacement = "$1", .action = "labeldrop"});
	const char *good[] = {"label", "label${1}", "${1}label", "${1}", "$1", "asd$2asd", "_${1}_", "foo${bar}foo"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		check_valid((relabel_rule_config){SRC("a"), .target_label = good[i]});
		check_valid((relabel_rule_config){.replacement = good[i], .action = "labelmap"});
	}
	const char *bad[] = {"-label", "${", "$", "${}", "foo${", "-foo${1}bar-", "bar.foo${1}bar"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *err = NULL;
		relabel_rule_config cfg = {.replacement = bad[i], .action = "labelmap"};
		assert_false(relabel_rule_validate(&cfg, &err));
		free(err);
	}
}

/* Expands tmpl against regex re matched on subject s. */
static char *expand(const char *re_src, const char *s, const char *tmpl)
{
	char *err = NULL;
	relabel_regex *re = relabel_regex_compile(re_src, strlen(re_src), &err);
	if (!re)
		fail_msg("%s", err);
	relabel_scratch sc = RELABEL_SCRATCH_INIT;
	size_t ovec[32];
	assert_true(relabel_regex_ngroups(re) < 15);
	assert_true(relabel_regex_match(re, s, strlen(s), &sc, ovec));
	pj_buf out = PJ_BUF_INIT;
	relabel_expand(re, tmpl, strlen(tmpl), s, ovec, &out);
	relabel_scratch_free(&sc);
	relabel_regex_free(re);
	char *r = pj_buf_detach(&out);
	return r ? r : strdup("");
}

static void check_expand(const char *re, const char *s, const char *tmpl, const char *want)
{
	char *got = expand(re, s, tmpl);
	assert_string_equal(got, want);
	free(got);
}

static void test_expand_go_rules(void **state)
{
	(void)state;
	check_expand("(a)(b)", "ab", "$$1", "$1");
	check_expand("(a)(b)", "ab", "$1_x", ""); /* the name is 1_x */
	check_expand("(a)(b)", "ab", "${1}_x", "a_x");
	check_expand("(a)(b)", "ab", "$1-x", "a-x");
	check_expand("(a)(b)", "ab", "$9", "");
	check_expand("(a)(b)", "ab", "$", "$");
	check_expand("(a)(b)", "ab", "${1", "${1");
	check_expand("(a)(b)", "ab", "${}", "${}");
	check_expand("(a)(b)", "ab", "x$-y", "x$-y");
	check_expand("(?P<01>a)(b)", "ab", "$01|${01}|$1", "a|a|a"); /* a leading zero makes a name */
	check_expand("(?P<n>a)|(?P<n>b)", "b", "[$n]", "[b]"); /* the first group of that name that matched */
	check_expand("(a)?b", "b", "[$1]", "[]");
	check_expand("(a)", "a", "[$éz]", "[]"); /* the name éz: Unicode letters count */
	check_expand("(a)", "a", "[$1é]", "[]");
	check_expand("(a)", "a", "[${1}é]", "[aé]");
	check_expand("(a)", "a", "$0$0", "aa");
	check_expand("(a)", "a", "${0}", "a");
}

static void test_invalid_utf8_subject_keeps_bytes(void **state)
{
	(void)state;
	/* Go reads \xff as U+FFFD, which . matches; the capture still holds the raw byte. */
	CHECK(KV("cmd", "java \xff-jar x"), KV("cmd", "java \xff-jar x", "arg", "\xff-jar"),
		{SRC("cmd"), .regex = "java (.)(-jar) x", .target_label = "arg", .replacement = "$1$2"});
	CHECK(KV("cmd", "a\xffz"), KV("cmd", "a\xffz", "m", "yes"),
		{SRC("cmd"), .regex = "a\\x{FFFD}z", .target_label = "m", .replacement = "yes"});
}

static void test_pattern_closing_the_anchor_group(void **state)
{
	(void)state;
	/* Alloy wraps the pattern as ^(?s:...)$ by concatenation, so `a)|(b` anchors each side only once. */
	CHECK(KV("a", "javascript"), KV("a", "javascript"), {SRC("a"), .regex = "java)|(python", .action = "keep"});
	CHECK(KV("a", "cpython"), KV("a", "cpython"), {SRC("a"), .regex = "java)|(python", .action = "keep"});
	CHECK(KV("a", "jython"), DROPPED, {SRC("a"), .regex = "java)|(python", .action = "keep"});
	/* labelmap uses Go's ReplaceAllString, which keeps the unmatched rest of the name. */
	CHECK(KV("__meta_foo", "1", "bar_x", "2", "other", "3"),
		KV("__meta_foo", "1", "bar_x", "2", "other", "3", "m_foo", "1", "barm_", "2"),
		{.regex = "__meta_)|(_x", .replacement = "m_", .action = "labelmap"});
}

static void test_rules_are_shared_and_counted(void **state)
{
	(void)state;
	char *err = NULL;
	relabel_rules *r = relabel_rules_compile(RULES({SRC("a"), .target_label = "b"}), 1, &err);
	assert_non_null(r);
	assert_int_equal(relabel_rules_count(r), 1);
	relabel_rules *again = relabel_rules_ref(r);
	relabel_rules_unref(r);
	pj_labels in = PJ_LABELS_INIT, out = PJ_LABELS_INIT;
	pj_labels_set(&in, "a", "v");
	assert_true(relabel_apply(again, &in, &out));
	assert_string_equal(pj_labels_get(&out, "b"), "v");
	relabel_rules_unref(again);
	pj_labels_free(&in);
	pj_labels_free(&out);
	relabel_rules *none = relabel_rules_compile(NULL, 0, &err);
	assert_non_null(none);
	relabel_rules_unref(none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v01_replace_with_braced_group),
		cmocka_unit_test(test_v02_second_rule_sees_first),
		cmocka_unit_test(test_v03_v04_drop),
		cmocka_unit_test(test_v05_replace_middle_group),
		cmocka_unit_test(test_v06_v07_drop_needs_whole_match),
		cmocka_unit_test(test_v08_v09_keep),
		cmocka_unit_test(test_v10_no_match_no_write),
		cmocka_unit_test(test_v11_empty_replacement_deletes_expanded_target),
		cmocka_unit_test(test_v12_v13_hashmod),
		cmocka_unit_test(test_hashmod_extra_values),
		cmocka_unit_test(test_v14_v15_labelmap),
		cmocka_unit_test(test_v16_v17_v18_expanded_target),
		cmocka_unit_test(test_v19_tags_to_labels),
		cmocka_unit_test(test_v20_deleted_label_set_again),
		cmocka_unit_test(test_v21_v22_labelkeep_labeldrop),
		cmocka_unit_test(test_v23_case),
		cmocka_unit_test(test_v24_to_v27_equal),
		cmocka_unit_test(test_v28_dot_matches_newline),
		cmocka_unit_test(test_v29_named_groups),
		cmocka_unit_test(test_v30_suffix),
		cmocka_unit_test(test_v31_v32_utf8_names),
		cmocka_unit_test(test_v33_alloy_component_example),
		cmocka_unit_test(test_defaults_copy_source),
		cmocka_unit_test(test_case_mapping_is_unicode),
		cmocka_unit_test(test_validation_messages),
		cmocka_unit_test(test_validation_accepts),
		cmocka_unit_test(test_expand_go_rules),
		cmocka_unit_test(test_invalid_utf8_subject_keeps_bytes),
		cmocka_unit_test(test_pattern_closing_the_anchor_group),
		cmocka_unit_test(test_rules_are_shared_and_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
