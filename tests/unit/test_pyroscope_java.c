/*
 * pyroscope.java without a JVM: argument defaults and positioned validation
 * (spec alloy-config 10), the asprof option strings Alloy sends (spec
 * jvm-agent C.4, C.6), series labels and service_name inference (spec push
 * 4.2), and a running component whose target is not a JVM. Real JVMs are in
 * tests/integration/pyroscope_java*.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "components/pyroscope_file.h"
#include "components/pyroscope_java_internal.h"
#include "runtime/controller.h"
#include "syntax/diag.h"
#include "syntax/ast.h"

static pj_controller *controller(pj_registry **reg, bool validate_only)
{
	*reg = pj_registry_new();
	pj_registry_add(*reg, &pj_pyroscope_java_type);
	pj_registry_add(*reg, &pj_pyroscope_file_type);
	pj_controller_options opts = {.registry = *reg, .validate_only = validate_only, .manual_flush = true};
	return pj_controller_new(&opts);
}

static bool load(pj_controller *ctl, const char *text, pj_diags *diags)
{
	pj_diags parse = PJ_DIAGS_INIT;
	pj_file **files = calloc(1, sizeof(*files));
	files[0] = pj_parse(pj_source_new("main.alloy", text, strlen(text)), &parse);
	assert_false(pj_diags_has_errors(&parse));
	pj_diags_free(&parse);
	return pj_controller_load(ctl, files, 1, diags);
}

#define JAVA_HEAD                                                                                                      \
	"pyroscope.file \"f\" {\n  directory = \"/tmp/pj-java-unit\"\n}\n"                                             \
	"pyroscope.java \"j\" {\n  targets = []\n  forward_to = [pyroscope.file.f.receiver]\n"

/* Loads `profiling` inside profiling_config and expects `message` at `position` ("-" when unpositioned). */
static void expect_invalid(const char *profiling, const char *message, const char *position)
{
	pj_registry *reg;
	pj_controller *ctl = controller(&reg, true);
	char text[2048];
	snprintf(text, sizeof(text), JAVA_HEAD "  profiling_config {\n%s  }\n}\n", profiling);
	pj_diags diags = PJ_DIAGS_INIT;
	assert_false(load(ctl, text, &diags));
	assert_true(diags.len >= 1);
	if (!strstr(diags.items[0].message, message))
		fail_msg("got %s, want %s", diags.items[0].message, message);
	char *pos = pj_diag_position(&diags.items[0]);
	if (strcmp(pos, position) != 0)
		fail_msg("%s: got position %s, want %s", message, pos, position);
	free(pos);
	pj_diags_free(&diags);
	pj_controller_free(ctl);
	pj_registry_free(reg);
}

static void test_java_validation(void **state)
{
	(void)state;
	expect_invalid("    event = \"perf\"\n", "\"perf\" must be one of \"itimer\", \"cpu\" or \"wall\"", "main.alloy:8:13");
	expect_invalid("    sample_rate = 0\n", "0 must be positive", "main.alloy:8:19");
	expect_invalid("    sample_rate = -5\n", "must be positive", "main.alloy:8:19");
	expect_invalid("    interval = \"0s\"\n", "\"0s\" must be positive", "main.alloy:8:16");
	expect_invalid("    custom_arguments = [\"-e\", \"wall\", \"--bogus\"]\n",
		"is not a valid asprof command line: Unrecognized option: --bogus", "main.alloy:8:24");
	expect_invalid("    tlab = true\n    alloc = \"\"\n",
		"profiling_config.tlab requires profiling_config.alloc to be set", "main.alloy:4:1");
}

static void test_java_valid_configs(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"",
		"    event = \"wall\"\n    tlab = true\n",
		"    tlab = true\n    alloc = \"\"\n    custom_arguments = [\"-e\", \"cpu\"]\n",
		"    interval = \"10s\"\n    sample_rate = 97\n    per_thread = true\n    quiet = true\n    log_level = \"debug\"\n",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		pj_registry *reg;
		pj_controller *ctl = controller(&reg, true);
		char text[2048];
		snprintf(text, sizeof(text), JAVA_HEAD "  profiling_config {\n%s  }\n}\n", ok[i]);
		pj_diags diags = PJ_DIAGS_INIT;
		bool loaded = load(ctl, text, &diags);
		if (!loaded)
			pj_diags_print(&diags, stderr, false);
		assert_true(loaded);
		pj_diags_free(&diags);
		pj_controller_free(ctl);
		pj_registry_free(reg);
	}
}

static pj_java_config *defaults(void)
{
	pj_value *args = pj_schema_defaults(&pj_java_args_schema);
	pj_java_config *c = pj_java_config_new(args);
	pj_value_unref(args);
	return c;
}

static void test_java_defaults(void **state)
{
	(void)state;
	pj_java_config *c = defaults();
	assert_int_equal(c->interval_ns, 60000000000LL);
	assert_int_equal(c->sample_rate, 100);
	assert_string_equal(c->alloc, "512k");
	assert_string_equal(c->lock, "10ms");
	assert_string_equal(c->event, "itimer");
	assert_string_equal(c->log_level, "INFO");
	assert_true(c->cpu);
	assert_false(c->per_thread);
	assert_false(c->quiet);
	assert_false(c->tlab);
	assert_int_equal(c->ncustom, 0);
	pj_java_config_unref(c);
	pj_value *args = pj_schema_defaults(&pj_java_args_schema);
	assert_string_equal(pj_arg_str(args, "tmp_dir"), "/tmp");
	assert_string_equal(pj_arg_str(args, "dist"), "");
	pj_value_unref(args);
}

static void expect_options(const pj_java_config *c, const char *action, bool timeout, const char *want)
{
	char err[256];
	char *got = pj_java_agent_options(c, action, "/tmp/asprof-9-42.jfr", "/tmp/l.log", 42, timeout, err, sizeof(err));
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* Alloy's default start, as asprof turns it into the agent string (spec C.4, observed). */
static void test_java_agent_options(void **state)
{
	(void)state;
	pj_java_config *c = defaults();
	expect_options(c, "start", true,
		"start,file=/tmp/asprof-9-42.jfr,jfr,loglevel=INFO,event=itimer,interval=10000000,alloc=512k,lock=10ms,"
		"timeout=60,log=/tmp/l.log");
	expect_options(c, "start", false,
		"start,file=/tmp/asprof-9-42.jfr,jfr,loglevel=INFO,event=itimer,interval=10000000,alloc=512k,lock=10ms,"
		"log=/tmp/l.log");
	expect_options(c, "dump", false, "dump,file=/tmp/asprof-9-42.jfr,jfr,loglevel=INFO,log=/tmp/l.log");
	expect_options(c, "stop", true, "stop,file=/tmp/asprof-9-42.jfr,jfr,loglevel=INFO,log=/tmp/l.log");
	c->per_thread = true;
	c->tlab = true;
	c->quiet = true;
	c->sample_rate = 97;
	free(c->event);
	c->event = strdup("wall");
	expect_options(c, "start", false,
		"start,quiet,file=/tmp/asprof-9-42.jfr,jfr,loglevel=INFO,event=wall,threads,interval=10309278,alloc=512k,"
		"tlab,lock=10ms,log=/tmp/l.log");
	c->cpu = false;
	c->alloc[0] = '\0';
	c->lock[0] = '\0';
	c->log_level[0] = '\0';
	expect_options(c, "start", false, "start,quiet,file=/tmp/asprof-9-42.jfr,jfr,log=/tmp/l.log");
	pj_java_config_unref(c);
}

static void test_java_custom_arguments_replace_options(void **state)
{
	(void)state;
	pj_java_config *c = defaults();
	c->custom = realloc(c->custom, 3 * sizeof(*c->custom));
	c->custom[0] = strdup("-e");
	c->custom[1] = strdup("cpu");
	c->ncustom = 2;
	expect_options(c, "start", true, "start,file=/tmp/asprof-9-42.jfr,jfr,event=cpu,timeout=60,log=/tmp/l.log");
	pj_java_config_unref(c);
}

static pj_value *target(const char *const *kv)
{
	pj_value *t = pj_object_new();
	for (; *kv; kv += 2)
		pj_object_set(t, kv[0], pj_cstring(kv[1]));
	return t;
}

static const char *label(const pj_label *l, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i].name, name) == 0)
			return l[i].value;
	return NULL;
}

static void test_java_series_labels(void **state)
{
	(void)state;
	static const char *const kv[] = {"__process_pid__", "42", "__meta_process_exe", "/usr/bin/java",
		"service_name", "shop", "env", "prod", NULL};
	pj_value *t = target(kv);
	pj_label l[32];
	pj_buf store = PJ_BUF_INIT;
	size_t n = pj_java_series_labels(t, "process_cpu", "itimer", &store, l, 32);
	assert_int_equal(n, 7);
	assert_string_equal(label(l, n, "service_name"), "shop");
	assert_string_equal(label(l, n, "env"), "prod");
	assert_string_equal(label(l, n, "__name__"), "process_cpu");
	assert_string_equal(label(l, n, "__delta__"), "false");
	assert_string_equal(label(l, n, "pyroscope_spy"), "alloy.java");
	assert_string_equal(label(l, n, "jfr_event"), "itimer");
	assert_string_equal(label(l, n, "otel.scope.name"), "com.grafana.alloy/pyroscope.java");
	assert_null(label(l, n, "__process_pid__"));
	assert_null(label(l, n, "__meta_process_exe"));
	pj_value_unref(t);
	pj_buf_free(&store);
}

static const char *inferred(const char *const *kv, pj_buf *store)
{
	pj_value *t = target(kv);
	pj_label l[32];
	size_t n = pj_java_series_labels(t, "memory", NULL, store, l, 32);
	assert_null(label(l, n, "jfr_event"));
	static char out[128];
	snprintf(out, sizeof(out), "%s", label(l, n, "service_name"));
	pj_value_unref(t);
	return out;
}

static void test_java_service_name_inference(void **state)
{
	(void)state;
	pj_buf s = PJ_BUF_INIT;
	static const char *const all[] = {"__meta_kubernetes_pod_annotation_pyroscope_io_service_name", "annotated",
		"__meta_kubernetes_namespace", "shop", "__meta_kubernetes_pod_container_name", "cart",
		"__meta_docker_container_name", "docker-cart", NULL};
	assert_string_equal(inferred(all, &s), "annotated");
	assert_string_equal(inferred(all + 2, &s), "java/shop/cart");
	static const char *const ns_only[] = {"__meta_kubernetes_namespace", "shop",
		"__meta_docker_container_name", "docker-cart", NULL};
	assert_string_equal(inferred(ns_only, &s), "docker-cart");
	static const char *const swarm[] = {"__meta_dockerswarm_container_label_service_name", "swarm-a",
		"__meta_dockerswarm_service_name", "swarm-b", NULL};
	assert_string_equal(inferred(swarm, &s), "swarm-a");
	assert_string_equal(inferred(swarm + 2, &s), "swarm-b");
	static const char *const none[] = {"__process_pid__", "1", NULL};
	assert_string_equal(inferred(none, &s), "unspecified");
	pj_buf_free(&s);
}

/* A dist directory with a launcher and a library that is never loaded. */
static char *fake_dist(void)
{
	char tmpl[] = "/tmp/pj-java-dist-XXXXXX";
	char *dir = strdup(mkdtemp(tmpl));
	char path[256];
	snprintf(path, sizeof(path), "%s/bin", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/lib", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	const char *files[] = {"bin/asprof", "lib/libasyncProfiler.so"};
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fclose(f);
	}
	return dir;
}

/* Polls (a safety net of 20 s, not a timing assertion) until the debug info mentions `text`. */
static bool wait_debug(pj_controller *ctl, const char *text, pj_buf *json)
{
	for (int i = 0; i < 200; i++) {
		pj_buf_reset(json);
		assert_true(pj_controller_component_json(ctl, "pyroscope.java.j", json));
		if (strstr(pj_buf_cstr(json), text))
			return true;
		struct timespec ts = {0, 100000000};
		nanosleep(&ts, NULL);
	}
	return false;
}

/* A target that is not a JVM is reported in debug info; the component stays healthy; bad pids are skipped. */
static void test_java_non_jvm_target(void **state)
{
	(void)state;
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
			_exit(126);
		execlp("sleep", "sleep", "60", (char *)NULL);
		_exit(127);
	}
	char *dist = fake_dist();
	char text[1024];
	snprintf(text, sizeof(text),
		"pyroscope.file \"f\" {\n  directory = \"/tmp/pj-java-unit\"\n}\n"
		"pyroscope.java \"j\" {\n  targets = [{\"__process_pid__\" = \"%d\", \"service_name\" = \"sleepy\"},"
		" {\"__process_pid__\" = \"x\"}, {\"job\" = \"no-pid\"}]\n"
		"  forward_to = [pyroscope.file.f.receiver]\n  dist = \"%s\"\n"
		"  profiling_config {\n    interval = \"1s\"\n  }\n}\n",
		(int)child, dist);
	pj_registry *reg;
	pj_controller *ctl = controller(&reg, false);
	pj_diags diags = PJ_DIAGS_INIT;
	bool ok = load(ctl, text, &diags);
	if (!ok)
		pj_diags_print(&diags, stderr, false);
	assert_true(ok);
	pj_diags_free(&diags);
	pj_controller_start(ctl);
	pj_buf json = PJ_BUF_INIT;
	assert_true(wait_debug(ctl, "does not map libjvm.so", &json));
	const char *j = pj_buf_cstr(&json);
	assert_non_null(strstr(j, "\"name\":\"profiled_targets\""));
	assert_non_null(strstr(j, "preflight: the process does not map libjvm.so"));
	assert_non_null(strstr(j, "\"last_error\""));
	assert_null(strstr(j, "\"last_profiled\""));
	pj_health h = {0};
	assert_true(pj_controller_health(ctl, "pyroscope.java.j", &h));
	assert_int_not_equal(h.state, PJ_HEALTH_UNHEALTHY);
	pj_health_clear(&h);
	/* The process exits: its loop ends and leaves debug info. */
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_true(wait_debug(ctl, "\"debugInfo\":[]", &json));
	pj_buf_free(&json);
	pj_controller_free(ctl);
	pj_registry_free(reg);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' /tmp/pj-java-unit", dist);
	assert_int_equal(system(cmd), 0);
	free(dist);
}

/* A missing dist fails the build with Alloy's message. */
static void test_java_invalid_dist(void **state)
{
	(void)state;
	pj_registry *reg;
	pj_controller *ctl = controller(&reg, false);
	pj_diags diags = PJ_DIAGS_INIT;
	assert_false(load(ctl, JAVA_HEAD "  dist = \"/nonexistent/ap\"\n}\n", &diags));
	assert_non_null(strstr(diags.items[0].message,
		"building component: invalid asprof dist: asprof launcher not found: /nonexistent/ap/bin/asprof"));
	pj_diags_free(&diags);
	pj_controller_free(ctl);
	pj_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_java_validation),
		cmocka_unit_test(test_java_valid_configs),
		cmocka_unit_test(test_java_defaults),
		cmocka_unit_test(test_java_agent_options),
		cmocka_unit_test(test_java_custom_arguments_replace_options),
		cmocka_unit_test(test_java_series_labels),
		cmocka_unit_test(test_java_service_name_inference),
		cmocka_unit_test(test_java_non_jvm_target),
		cmocka_unit_test(test_java_invalid_dist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
