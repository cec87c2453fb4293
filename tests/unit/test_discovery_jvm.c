/*
 * The discovery half of the pipeline on real processes: a JVM and a non-Java
 * process started by the test are scanned from /proc, then run through the
 * relabel rules of examples/java-to-pyroscope.alloy. The JVM must appear with
 * its exe, cwd, command line and uid and survive the `keep` rule with its
 * service_name; the other process must be dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "jvm/process_scan.h"
#include "relabel/relabel.h"

static const char sleeper_java[] = "public class Sleeper {\n"
				   "  public static void main(String[] args) throws Exception {\n"
				   "    new java.io.File(\"ready\").createNewFile();\n"
				   "    Thread.sleep(60000);\n"
				   "  }\n"
				   "}\n";

/* Starts argv in dir; returns the child's PID. */
static pid_t spawn(const char *dir, char *const argv[])
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Dies with the test, even when a failed assertion skipped the clean-up. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || chdir(dir) != 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Waits until /proc/<pid>/exe ends in `suffix`, i.e. the child has exec'd. */
static void wait_for_exec(pid_t pid, const char *suffix)
{
	char path[64], target[PATH_MAX];
	snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
	for (int i = 0; i < 500; i++) {
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n > 0) {
			target[n] = '\0';
			size_t len = strlen(target), slen = strlen(suffix);
			if (len >= slen && strcmp(target + len - slen, suffix) == 0)
				return;
		}
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	fail_msg("process %d never ran %s", (int)pid, suffix);
}

/*
 * Waits until the JVM runs main() (it creates dir/ready). Until then the JVM
 * may still be inside start-up code that briefly changes its working
 * directory (HotSpot enters its hsperfdata directory to create the perf file).
 */
static void wait_for_main(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/ready", dir);
	for (int i = 0; i < 3000; i++) {
		if (access(path, F_OK) == 0)
			return;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	fail_msg("the JVM never reached main (no %s)", path);
}

static const pj_labels *find_pid(const pj_targets *t, pid_t pid)
{
	char want[16];
	snprintf(want, sizeof want, "%d", (int)pid);
	for (size_t i = 0; i < t->len; i++) {
		const char *p = pj_labels_get(&t->items[i], PJ_LABEL_PROCESS_PID);
		if (p && strcmp(p, want) == 0)
			return &t->items[i];
	}
	return NULL;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static void test_jvm_found_and_kept(void **state)
{
	(void)state;
	char dir[] = "/tmp/pj-jvm-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char src[sizeof dir + 16];
	snprintf(src, sizeof src, "%s/Sleeper.java", dir);
	FILE *f = fopen(src, "w");
	assert_non_null(f);
	fputs(sleeper_java, f);
	assert_int_equal(fclose(f), 0);

	char *java_argv[] = {"java", "-Dservice=pj-test", "-Xmx32m", "Sleeper.java", NULL};
	char *sleep_argv[] = {"sleep", "60", NULL};
	pid_t jvm = spawn(dir, java_argv);
	pid_t other = spawn(dir, sleep_argv);
	wait_for_exec(jvm, "/java");
	wait_for_exec(other, "/sleep");
	wait_for_main(dir);

	pj_process_discover_config cfg = PJ_PROCESS_DISCOVER_DEFAULTS;
	cfg.uid = true;
	pj_targets found = PJ_TARGETS_INIT;
	char *err = NULL;
	bool scanned = pj_process_scan(&cfg, NULL, &found, NULL, &err);
	static const char *const exe[] = {PJ_LABEL_PROCESS_EXE};
	static const char *const cmd[] = {PJ_LABEL_PROCESS_COMMANDLINE};
	const relabel_rule_config rules_cfg[] = {
		{.source_labels = exe, .n_source_labels = 1, .regex = ".*/java", .action = "keep"},
		{.source_labels = cmd, .n_source_labels = 1, .regex = ".*-Dservice=([A-Za-z0-9_-]+).*",
			.target_label = "service_name"},
	};
	relabel_rules *rules = relabel_rules_compile(rules_cfg, 2, &err);
	const pj_labels *j = find_pid(&found, jvm), *o = find_pid(&found, other);
	pj_labels out = PJ_LABELS_INIT;
	bool jvm_kept = j && rules && relabel_apply(rules, j, &out);
	pj_labels other_out = PJ_LABELS_INIT;
	bool other_kept = o && rules && relabel_apply(rules, o, &other_out);
	stop(jvm);
	stop(other);
	/* Remove the scratch directory before any assertion can end the test. */
	char ready[sizeof dir + 8];
	snprintf(ready, sizeof ready, "%s/ready", dir);
	int cleaned = unlink(src) == 0 && unlink(ready) == 0 && rmdir(dir) == 0;

	assert_true(scanned);
	assert_non_null(rules);
	assert_non_null(j);
	assert_non_null(o);
	char uid[16];
	snprintf(uid, sizeof uid, "%u", (unsigned)getuid());
	assert_string_equal(pj_labels_get(j, PJ_LABEL_PROCESS_CWD), dir);
	assert_string_equal(pj_labels_get(j, PJ_LABEL_PROCESS_COMMANDLINE), "java -Dservice=pj-test -Xmx32m Sleeper.java");
	assert_string_equal(pj_labels_get(j, PJ_LABEL_PROCESS_UID), uid);
	const char *jexe = pj_labels_get(j, PJ_LABEL_PROCESS_EXE);
	assert_non_null(jexe);
	assert_true(strlen(jexe) > 5 && strcmp(jexe + strlen(jexe) - 5, "/java") == 0);
	assert_true(jvm_kept);
	assert_string_equal(pj_labels_get(&out, "service_name"), "pj-test");
	assert_false(other_kept);

	pj_labels_free(&out);
	pj_labels_free(&other_out);
	relabel_rules_unref(rules);
	pj_targets_free(&found);
	assert_true(cleaned);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jvm_found_and_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
