/*
 * The discovery.process and discovery.relabel components as a configuration
 * uses them: argument decoding with Alloy's defaults and messages (spec 8.1,
 * 9.2, 3.2), the refresh loop publishing only changes, join order (8.4),
 * relabel output and the `rules` capsule, and the targets table of
 * `pyrojava targets`. Processes come from fake proc trees in a temp dir.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "components/targets_table.h"
#include "components/discovery_process.h"
#include "components/discovery_relabel.h"
#include "components/targets_value.h"
#include "runtime/controller.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define STATUS "Name:\tx\nUid:\t1000\t1000\t1000\t1000\n"

/* ---- fake proc trees ---- */

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* A process directory: exe and cwd links, cmdline (NUL-separated), status, cgroup. */
static void add_proc(const char *root, int pid, const char *exe, const char *cmdline, size_t cmdline_len,
	const char *cgroup)
{
	char dir[PATH_MAX], link[PATH_MAX + 8];
	snprintf(dir, sizeof dir, "%s/%d", root, pid);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(link, sizeof link, "%s/exe", dir);
	assert_int_equal(symlink(exe, link), 0);
	snprintf(link, sizeof link, "%s/cwd", dir);
	assert_int_equal(symlink("/srv", link), 0);
	write_file(dir, "cmdline", cmdline, cmdline_len);
	write_file(dir, "status", STATUS, strlen(STATUS));
	write_file(dir, "cgroup", cgroup, strlen(cgroup));
}

static char *make_root(void)
{
	char *root = pj_strdup("/tmp/pj-disc-XXXXXX");
	assert_non_null(mkdtemp(root));
	add_proc(root, 20, "/usr/lib/jvm/bin/java", "java\0-Dservice=shop\0Main\0", 25, "0::/init.scope\n");
	add_proc(root, 7, "/usr/bin/sleep", "sleep\0" "100\0", 10, "0::/docker/" HEX64 "\n");
	pj_discovery_proc_root = root;
	pj_discovery_cgroup_root = root;
	return root;
}

static void remove_root(char *root)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	pj_discovery_proc_root = NULL;
	pj_discovery_cgroup_root = NULL;
	free(root);
}

/* ---- a controller with the two components ---- */

typedef struct harness {
	pj_registry *reg;
	pj_controller *ctl;
	pj_diags diags;
} harness;

static bool load(harness *h, const char *text)
{
	pj_diags parse = PJ_DIAGS_INIT;
	pj_file **files = calloc(1, sizeof(*files));
	files[0] = pj_parse(pj_source_new("main.alloy", text, strlen(text)), &parse);
	assert_false(pj_diags_has_errors(&parse));
	pj_diags_free(&parse);
	pj_diags_free(&h->diags);
	h->diags = (pj_diags)PJ_DIAGS_INIT;
	return pj_controller_load(h->ctl, files, 1, &h->diags);
}

static harness start(const char *text, bool expect_ok)
{
	harness h = {.diags = PJ_DIAGS_INIT};
	h.reg = pj_registry_new();
	pj_registry_add(h.reg, &pj_discovery_process_type);
	pj_registry_add(h.reg, &pj_discovery_relabel_type);
	pj_controller_options opts = {.registry = h.reg, .manual_flush = true};
	h.ctl = pj_controller_new(&opts);
	bool ok = load(&h, text);
	if (ok != expect_ok)
		pj_diags_print(&h.diags, stderr, false);
	assert_int_equal(ok, expect_ok);
	pj_controller_flush(h.ctl);
	return h;
}

static void finish(harness *h)
{
	pj_controller_free(h->ctl);
	pj_registry_free(h->reg);
	pj_diags_free(&h->diags);
}

/* The first diagnostic as "pos: message". */
static void assert_diag(const harness *h, const char *want)
{
	assert_true(h->diags.len > 0);
	char *pos = pj_diag_position(&h->diags.items[0]);
	char *got = pj_asprintf("%s: %s", pos, h->diags.items[0].message);
	assert_string_equal(got, want);
	free(got);
	free(pos);
}

/* An export of component id as label sets in {a="b"} form, one per line. */
static char *export_text(harness *h, const char *id, const char *field)
{
	pj_value *exports = pj_controller_exports(h->ctl, id);
	assert_non_null(exports);
	pj_targets t = PJ_TARGETS_INIT;
	char *err = NULL;
	assert_true(pj_targets_from_value(pj_object_get(exports, field), &t, &err));
	pj_value_unref(exports);
	pj_buf b = PJ_BUF_INIT;
	for (size_t i = 0; i < t.len; i++) {
		pj_labels_format(&t.items[i], &b);
		pj_buf_putc(&b, '\n');
	}
	pj_targets_free(&t);
	pj_buf_putc(&b, '\0');
	return pj_buf_detach(&b);
}

static void assert_export(harness *h, const char *id, const char *field, const char *want)
{
	char *got = export_text(h, id, field);
	assert_string_equal(got, want);
	free(got);
}

static const char JAVA_DEFAULT[] = "{__meta_process_commandline=\"java -Dservice=shop Main\", "
				   "__meta_process_cwd=\"/srv\", __meta_process_exe=\"/usr/lib/jvm/bin/java\", "
				   "__process_pid__=\"20\"}\n";
static const char SLEEP_DEFAULT[] = "{__container_id__=\"" HEX64 "\", __meta_process_commandline=\"sleep 100\", "
				    "__meta_process_cwd=\"/srv\", __meta_process_exe=\"/usr/bin/sleep\", "
				    "__process_pid__=\"7\"}\n";

/* ---- discovery.process ---- */

static void test_process_defaults(void **state)
{
	(void)state;
	char *root = make_root();
	harness h = start("discovery.process \"all\" { }\n", true);
	/* Ascending PID order; uid and username are off by default (the code, not the docs). */
	char *want = pj_asprintf("%s%s", SLEEP_DEFAULT, JAVA_DEFAULT);
	assert_export(&h, "discovery.process.all", "targets", want);
	free(want);
	pj_value *args = pj_controller_args(h.ctl, "discovery.process.all");
	assert_int_equal(pj_arg_int(args, "refresh_interval"), 60000000000LL);
	pj_value_unref(args);
	finish(&h);
	remove_root(root);
}

static void test_process_discover_config_keeps_other_defaults(void **state)
{
	(void)state;
	char *root = make_root();
	harness h = start("discovery.process \"all\" {\n"
			  "  discover_config {\n    uid = true\n    commandline = false\n  }\n}\n",
		true);
	assert_export(&h, "discovery.process.all", "targets",
		"{__container_id__=\"" HEX64 "\", __meta_process_cwd=\"/srv\", __meta_process_exe=\"/usr/bin/sleep\", "
		"__meta_process_uid=\"1000\", __process_pid__=\"7\"}\n"
		"{__meta_process_cwd=\"/srv\", __meta_process_exe=\"/usr/lib/jvm/bin/java\", "
		"__meta_process_uid=\"1000\", __process_pid__=\"20\"}\n");
	finish(&h);
	remove_root(root);
}

static void test_refresh_interval_must_be_positive(void **state)
{
	(void)state;
	static const struct {
		const char *value, *want;
	} cases[] = {
		{"\"0s\"", "main.alloy:2:22: \"0s\" must be a positive duration (refresh_interval)"},
		{"\"-1m\"", "main.alloy:2:22: \"-1m\" must be a positive duration (refresh_interval)"},
		{"0", "main.alloy:2:22: 0 must be a positive duration (refresh_interval)"},
		{"60", "main.alloy:2:22: 60 time: missing unit in duration \"60\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *cfg = pj_asprintf("discovery.process \"all\" {\n  refresh_interval = %s\n}\n", cases[i].value);
		harness h = start(cfg, false);
		assert_diag(&h, cases[i].want);
		finish(&h);
		free(cfg);
	}
}

static void test_process_join_order(void **state)
{
	(void)state;
	char *root = make_root();
	harness h = start("discovery.process \"all\" {\n"
			  "  join = [{pod = \"p0\"}, {pod = \"p1\", __container_id__ = \"" HEX64 "\"},\n"
			  "          {pod = \"p2\", __meta_docker_container_id = \"abc\"}]\n"
			  "  discover_config {\n    commandline = false\n    cwd = false\n  }\n}\n",
		true);
	/* Join targets without an ID, every process (merged on a match), then join targets with an ID. */
	assert_export(&h, "discovery.process.all", "targets",
		"{pod=\"p0\"}\n"
		"{__container_id__=\"" HEX64 "\", __meta_process_exe=\"/usr/bin/sleep\", __process_pid__=\"7\", "
		"pod=\"p1\"}\n"
		"{__meta_process_exe=\"/usr/lib/jvm/bin/java\", __process_pid__=\"20\"}\n"
		"{__container_id__=\"" HEX64 "\", pod=\"p1\"}\n"
		"{__meta_docker_container_id=\"abc\", pod=\"p2\"}\n");
	finish(&h);
	remove_root(root);
}

/* The process component's debug info as JSON text. */
static char *debug_json(harness *h)
{
	pj_buf b = PJ_BUF_INIT;
	assert_true(pj_controller_component_json(h->ctl, "discovery.process.all", &b));
	pj_buf_putc(&b, '\0');
	return pj_buf_detach(&b);
}

static uint64_t debug_number(harness *h, const char *name)
{
	char *json = debug_json(h);
	char *key = pj_asprintf("{\"name\":\"%s\",\"type\":\"attr\",\"value\":{\"type\":\"number\",\"value\":", name);
	char *at = strstr(json, key);
	assert_non_null(at);
	uint64_t v = strtoull(at + strlen(key), NULL, 10);
	free(key);
	free(json);
	return v;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Waits (up to a generous bound, so a slow machine only makes it slower) for a condition. */
#define WAIT_FOR(cond)                                   \
	do {                                             \
		for (int i_ = 0; i_ < 2000 && !(cond); i_++) \
			sleep_ms(5);                     \
		assert_true(cond);                       \
	} while (0)

static void test_rescans_publish_only_changes(void **state)
{
	(void)state;
	char *root = make_root();
	harness h = start("discovery.process \"all\" {\n  refresh_interval = \"1ms\"\n}\n", true);
	pj_value *first = pj_controller_exports(h.ctl, "discovery.process.all");
	pj_controller_start(h.ctl);
	WAIT_FOR(debug_number(&h, "scans") >= 5);
	/* Several scans of an unchanged tree: the build's publication is still the only one. */
	assert_int_equal(debug_number(&h, "changes"), 1);
	pj_value *same = pj_controller_exports(h.ctl, "discovery.process.all");
	assert_ptr_equal(first, same);
	pj_value_unref(same);
	add_proc(root, 30, "/opt/java", "java\0", 5, "0::/\n");
	WAIT_FOR(debug_number(&h, "changes") == 2);
	char *got = export_text(&h, "discovery.process.all", "targets");
	assert_non_null(strstr(got, "__process_pid__=\"30\""));
	free(got);
	pj_value_unref(first);
	finish(&h);
	remove_root(root);
}

static void test_update_rejoins_without_rescanning(void **state)
{
	(void)state;
	char *root = make_root();
	harness h = start("discovery.process \"all\" {\n  discover_config {\n    commandline = false\n"
			  "    cwd = false\n  }\n}\n",
		true);
	/* A process that appears after the scan stays unseen: an update only re-runs the join (spec 8.5). */
	add_proc(root, 40, "/opt/new", "new\0", 4, "0::/\n");
	assert_true(load(&h, "discovery.process \"all\" {\n  join = [{team = \"a\"}]\n"
			     "  discover_config {\n    commandline = false\n    cwd = false\n  }\n}\n"));
	pj_controller_flush(h.ctl);
	assert_export(&h, "discovery.process.all", "targets",
		"{team=\"a\"}\n"
		"{__container_id__=\"" HEX64 "\", __meta_process_exe=\"/usr/bin/sleep\", __process_pid__=\"7\"}\n"
		"{__meta_process_exe=\"/usr/lib/jvm/bin/java\", __process_pid__=\"20\"}\n");
	assert_int_equal(debug_number(&h, "scans"), 1);
	assert_int_equal(debug_number(&h, "changes"), 2);
	finish(&h);
	remove_root(root);
}

static void test_unlistable_proc_is_unhealthy(void **state)
{
	(void)state;
	pj_discovery_proc_root = "/nonexistent/pj-proc";
	harness h = start("discovery.process \"all\" { }\n", true);
	pj_health health = {0};
	assert_true(pj_controller_health(h.ctl, "discovery.process.all", &health));
	assert_int_equal(health.state, PJ_HEALTH_UNHEALTHY);
	assert_non_null(strstr(health.message, "failed to list processes: /nonexistent/pj-proc"));
	pj_health_clear(&health);
	finish(&h);
	pj_discovery_proc_root = NULL;
}

/* ---- discovery.relabel ---- */

static void test_relabel_pipeline(void **state)
{
	(void)state;
	char *root = make_root();
	harness h = start("discovery.process \"all\" { }\n"
			  "discovery.relabel \"java\" {\n"
			  "  targets = discovery.process.all.targets\n"
			  "  rule {\n    source_labels = [\"__meta_process_exe\"]\n    regex = \".*/java\"\n"
			  "    action = \"keep\"\n  }\n"
			  "  rule {\n    source_labels = [\"__meta_process_commandline\"]\n"
			  "    regex = \".*-Dservice=([a-z]+).*\"\n    target_label = \"service_name\"\n  }\n"
			  "  rule {\n    action = \"labeldrop\"\n    regex = \"__meta_process_c.*\"\n  }\n"
			  "}\n",
		true);
	assert_export(&h, "discovery.relabel.java", "output",
		"{__meta_process_exe=\"/usr/lib/jvm/bin/java\", __process_pid__=\"20\", service_name=\"shop\"}\n");
	pj_value *exports = pj_controller_exports(h.ctl, "discovery.relabel.java");
	const relabel_rules *rules = pj_relabel_rules_of(pj_object_get(exports, "rules"));
	assert_non_null(rules);
	assert_int_equal(relabel_rules_count(rules), 3);
	pj_value_unref(exports);
	finish(&h);
	remove_root(root);
}

static void test_relabel_target_conversion(void **state)
{
	(void)state;
	/* Numbers and bools become text; an empty value is an absent label (spec 3.2, 9.1). */
	harness h = start("discovery.relabel \"r\" {\n  targets = [{a = 1, b = true, c = \"\", d = 1.5}]\n}\n", true);
	assert_export(&h, "discovery.relabel.r", "output", "{a=\"1\", b=\"true\", d=\"1.5\"}\n");
	finish(&h);
	h = start("discovery.relabel \"r\" {\n  targets = [{a = null}]\n}\n", false);
	assert_diag(&h, "main.alloy:2:19: null target::ConvertFrom: cannot convert a nil value to a target value");
	finish(&h);
	h = start("discovery.relabel \"r\" {\n  targets = [{a = sys.env(\"HOME\")}, 1]\n}\n", false);
	assert_diag(&h, "main.alloy:2:37: 1 should be object, got number");
	finish(&h);
	h = start("discovery.relabel \"r\" { }\n", false);
	assert_string_equal(h.diags.items[0].message,
		"Failed to build component: decoding configuration: missing required attribute \"targets\"");
	finish(&h);
}

static void test_relabel_rule_messages(void **state)
{
	(void)state;
	static const struct {
		const char *rule, *want;
	} cases[] = {
		{"action = \"hashmod\"\n    target_label = \"x\"",
			"main.alloy:3:3: relabel configuration for hashmod requires non-zero modulus"},
		{"action = \"lowercase\"", "main.alloy:3:3: relabel configuration for lowercase action requires "
					   "'target_label' value"},
		{"target_label = \"0${3}\"", "main.alloy:3:3: \"0${3}\" is invalid 'target_label' for replace action"},
		{"action = \"uppercase\"\n    target_label = \"u\"\n    replacement = \"x\"",
			"main.alloy:3:3: 'replacement' can not be set for uppercase action"},
		{"action = \"labelmap\"\n    replacement = \"-x\"",
			"main.alloy:3:3: \"-x\" is invalid 'replacement' for labelmap action"},
		{"action = \"labeldrop\"\n    source_labels = []",
			"main.alloy:3:3: labeldrop action requires only 'regex', and no other fields"},
		{"action = \"keepequal\"\n    target_label = \"t\"\n    separator = \",\"",
			"main.alloy:3:3: keepequal action requires only 'source_labels' and 'target_label', and no "
			"other fields"},
		{"action = \"Keep\"", "main.alloy:4:14: \"Keep\" unrecognized action type \"Keep\""},
		{"regex = \"(a\"", "main.alloy:4:13: \"(a\" error parsing regexp: missing closing ): `^(?s:(a)$`"},
		{"regx = \"a\"", "main.alloy:4:5: unrecognized attribute name \"regx\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *cfg = pj_asprintf("discovery.relabel \"r\" {\n  targets = []\n  rule {\n    %s\n  }\n}\n",
			cases[i].rule);
		harness h = start(cfg, false);
		assert_diag(&h, cases[i].want);
		finish(&h);
		free(cfg);
	}
}

static void test_relabel_update_reevaluates(void **state)
{
	(void)state;
	static const char rule[] = "  rule {\n    source_labels = [\"a\"]\n    target_label = \"b\"\n  }\n}\n";
	char *v1 = pj_asprintf("discovery.relabel \"r\" {\n  targets = [{a = \"1\"}]\n%s", rule);
	char *v2 = pj_asprintf("discovery.relabel \"r\" {\n  targets = [{a = \"2\"}, {a = \"3\"}]\n%s", rule);
	harness h = start(v1, true);
	pj_value *before = pj_controller_exports(h.ctl, "discovery.relabel.r");
	assert_true(load(&h, v2));
	pj_controller_flush(h.ctl);
	assert_export(&h, "discovery.relabel.r", "output", "{a=\"2\", b=\"2\"}\n{a=\"3\", b=\"3\"}\n");
	/* Unchanged rules are not recompiled: the `rules` export stays the same capsule. */
	pj_value *after = pj_controller_exports(h.ctl, "discovery.relabel.r");
	assert_ptr_equal(pj_relabel_rules_of(pj_object_get(before, "rules")),
		pj_relabel_rules_of(pj_object_get(after, "rules")));
	pj_value_unref(before);
	pj_value_unref(after);
	finish(&h);
	free(v1);
	free(v2);
}

/* ---- targets_value and the table ---- */

static void test_targets_value_round_trip(void **state)
{
	(void)state;
	pj_targets t = PJ_TARGETS_INIT;
	pj_labels_set(pj_targets_push(&t), "b", "2");
	pj_labels *l = pj_targets_push(&t);
	pj_labels_setn(l, "a", 1, "x\0y", 3);
	pj_value *v = pj_targets_to_value(&t);
	pj_targets back = PJ_TARGETS_INIT;
	char *err = NULL;
	assert_true(pj_targets_from_value(v, &back, &err));
	assert_true(pj_targets_equal(&t, &back));
	pj_targets_free(&back);
	/* A secret label value is refused, naming the element. */
	pj_value *bad = pj_array_new(1);
	pj_value *obj = pj_object_new();
	pj_object_set(obj, "k", pj_secret("s", 1));
	pj_array_push(bad, obj);
	assert_false(pj_targets_from_value(bad, &back, &err));
	assert_string_equal(err, "targets[0].k target::ConvertFrom: cannot use a secret as a target value");
	assert_int_equal(back.len, 0);
	free(err);
	pj_value_unref(bad);
	pj_value_unref(v);
	pj_targets_free(&t);
}

static void test_targets_table(void **state)
{
	(void)state;
	pj_targets t = PJ_TARGETS_INIT;
	pj_labels *a = pj_targets_push(&t);
	pj_labels_set(a, "__process_pid__", "7");
	pj_labels_set(a, "__meta_process_commandline", "java -Dservice=a-rather-long-name -jar /opt/app/app.jar");
	pj_labels_set(a, "service_name", "a\tb");
	pj_labels *b = pj_targets_push(&t);
	pj_labels_set(b, "__process_pid__", "12345");
	pj_labels_set(b, "app", "é");
	pj_buf out = PJ_BUF_INIT;
	pj_targets_table(&t, &out);
	pj_buf_putc(&out, '\0');
	/* pid first, short columns by name, the wide command line last; no trailing blanks. */
	assert_string_equal(out.data,
		"__process_pid__  app  service_name  __meta_process_commandline\n"
		"7                     a\\tb          java -Dservice=a-rather-long-name -jar /opt/app/app.jar\n"
		"12345            é\n");
	pj_buf_free(&out);
	pj_targets_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process_defaults),
		cmocka_unit_test(test_process_discover_config_keeps_other_defaults),
		cmocka_unit_test(test_refresh_interval_must_be_positive),
		cmocka_unit_test(test_process_join_order),
		cmocka_unit_test(test_rescans_publish_only_changes),
		cmocka_unit_test(test_update_rejoins_without_rescanning),
		cmocka_unit_test(test_unlistable_proc_is_unhealthy),
		cmocka_unit_test(test_relabel_pipeline),
		cmocka_unit_test(test_relabel_target_conversion),
		cmocka_unit_test(test_relabel_rule_messages),
		cmocka_unit_test(test_relabel_update_reevaluates),
		cmocka_unit_test(test_targets_value_round_trip),
		cmocka_unit_test(test_targets_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
