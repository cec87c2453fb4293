/*
 * discovery.process scanning (spec section 8) against fake proc trees built in
 * a temporary directory, container IDs from cgroup lines (8.3), join order
 * (8.4), skipping rules (8.5), and one scan of the real /proc for this test
 * process itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "jvm/process_scan.h"

static int g_argc;
static char **g_argv;

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX64B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

typedef struct fake_proc {
	int pid;
	const char *exe; /* NULL: no link (a kernel thread) */
	const char *cwd;
	const char *cmdline; /* NULL: no file */
	size_t cmdline_len; /* 0: strlen */
	const char *status; /* NULL: no file */
	const char *cgroup; /* NULL: no file */
} fake_proc;

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *make_root(void)
{
	char *root = pj_strdup("/tmp/pj-proc-XXXXXX");
	assert_non_null(mkdtemp(root));
	return root;
}

static void add_proc(const char *root, const fake_proc *p)
{
	char dir[PATH_MAX], link[PATH_MAX + 8];
	snprintf(dir, sizeof dir, "%s/%d", root, p->pid);
	assert_int_equal(mkdir(dir, 0755), 0);
	if (p->exe) {
		snprintf(link, sizeof link, "%s/exe", dir);
		assert_int_equal(symlink(p->exe, link), 0);
	}
	if (p->cwd) {
		snprintf(link, sizeof link, "%s/cwd", dir);
		assert_int_equal(symlink(p->cwd, link), 0);
	}
	if (p->cmdline)
		write_file(dir, "cmdline", p->cmdline, p->cmdline_len ? p->cmdline_len : strlen(p->cmdline));
	if (p->status)
		write_file(dir, "status", p->status, strlen(p->status));
	if (p->cgroup)
		write_file(dir, "cgroup", p->cgroup, strlen(p->cgroup));
}

static void remove_tree(const char *root)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static char *show(const pj_labels *l)
{
	pj_buf b = PJ_BUF_INIT;
	pj_labels_format(l, &b);
	return pj_buf_detach(&b);
}

static void assert_target(const pj_labels *t, const char *want)
{
	char *got = show(t);
	assert_string_equal(got, want);
	free(got);
}

typedef struct errors_seen {
	int count;
	int last_pid;
	char last_what[16];
	int last_err;
} errors_seen;

static void record_error(void *ctx, int pid, const char *what, int err)
{
	errors_seen *e = ctx;
	e->count++;
	e->last_pid = pid;
	snprintf(e->last_what, sizeof e->last_what, "%s", what);
	e->last_err = err;
}

static const char java_cmdline[] = "java\0\0-jar\0app.jar\0";
#define JAVA_STATUS "Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t0\t1\t2\t3\nGid:\t0\t0\t0\t0\n"

static void test_default_labels_in_pid_order(void **state)
{
	(void)state;
	char *root = make_root();
	add_proc(root, &(fake_proc){10, "/usr/lib/jvm/bin/java", "/srv/app", java_cmdline, sizeof java_cmdline - 1,
			       JAVA_STATUS, "0::/system.slice/docker-" HEX64 ".scope\n"});
	add_proc(root, &(fake_proc){2, "/usr/bin/bash (deleted)", "/", "bash\0", 5, JAVA_STATUS, "0::/init.scope\n"});
	pj_process_discover_config cfg = PJ_PROCESS_DISCOVER_DEFAULTS;
	pj_process_scan_options opt = {.proc_root = root};
	pj_targets out = PJ_TARGETS_INIT;
	pj_process_scan_stats st;
	char *err = NULL;
	assert_true(pj_process_scan(&cfg, &opt, &out, &st, &err));
	assert_int_equal(out.len, 2);
	assert_int_equal(st.listed, 2);
	assert_int_equal(st.emitted, 2);
	assert_target(&out.items[0], "{__meta_process_commandline=\"bash\", __meta_process_cwd=\"/\", "
				     "__meta_process_exe=\"/usr/bin/bash (deleted)\", __process_pid__=\"2\"}");
	assert_target(&out.items[1], "{__container_id__=\"" HEX64 "\", "
				     "__meta_process_commandline=\"java -jar app.jar\", __meta_process_cwd=\"/srv/app\", "
				     "__meta_process_exe=\"/usr/lib/jvm/bin/java\", __process_pid__=\"10\"}");
	pj_targets_free(&out);
	remove_tree(root);
	free(root);
}

static void test_every_label_switched_on(void **state)
{
	(void)state;
	char *root = make_root();
	const char *v1 = "12:rdma:/\n11:devices:/machine/qemu-1-instance-00000025.libvirt-qemu/emulator\n"
			 "1:name=systemd:/user.slice/user-118.slice/session-5.scope\n";
	add_proc(root, &(fake_proc){7, "/bin/java", "/tmp", "", 0, JAVA_STATUS, v1});
	add_proc(root, &(fake_proc){8, "/bin/java", "/tmp", "x", 0, "Name:\tx\nUid:\t3999999\t0\t0\t0\n", "0::/\n"});
	pj_process_discover_config cfg = {true, true, true, true, true, true, true};
	pj_targets out = PJ_TARGETS_INIT;
	char *err = NULL;
	assert_true(pj_process_scan(&cfg, &(pj_process_scan_options){.proc_root = root}, &out, NULL, &err));
	assert_int_equal(out.len, 2);
	/* Empty cmdline: no label. Real UID is the first field. */
	assert_target(&out.items[0], "{__meta_process_cgroup_path=\"12:rdma:/|11:devices:/machine/"
				     "qemu-1-instance-00000025.libvirt-qemu/emulator|1:name=systemd:/user.slice/"
				     "user-118.slice/session-5.scope\", __meta_process_cwd=\"/tmp\", "
				     "__meta_process_exe=\"/bin/java\", __meta_process_uid=\"0\", "
				     "__meta_process_username=\"root\", __process_pid__=\"7\"}");
	/* An unknown UID has no username, silently. */
	assert_target(&out.items[1], "{__meta_process_cgroup_path=\"0::/\", __meta_process_commandline=\"x\", "
				     "__meta_process_cwd=\"/tmp\", __meta_process_exe=\"/bin/java\", "
				     "__meta_process_uid=\"3999999\", __process_pid__=\"8\"}");
	pj_targets_free(&out);
	remove_tree(root);
	free(root);
}

static void test_skipping_rules(void **state)
{
	(void)state;
	char *root = make_root();
	char path[PATH_MAX];
	/* 3: a kernel thread (no exe target) is skipped silently. */
	add_proc(root, &(fake_proc){3, NULL, "/", "", 0, JAVA_STATUS, "0::/\n"});
	/* 4: exe is unreadable in another way (not a link): skipped and reported. */
	add_proc(root, &(fake_proc){4, NULL, "/", "x", 0, JAVA_STATUS, "0::/\n"});
	snprintf(path, sizeof path, "%s/4", root);
	write_file(path, "exe", "x", 1);
	/* 5: cmdline cannot be read: skipped and reported. */
	add_proc(root, &(fake_proc){5, "/bin/a", "/", NULL, 0, JAVA_STATUS, "0::/\n"});
	snprintf(path, sizeof path, "%s/5/cmdline", root);
	assert_int_equal(mkdir(path, 0755), 0);
	/* 6: no cgroup file while container_id is on: gone. */
	add_proc(root, &(fake_proc){6, "/bin/a", "/", "a", 0, JAVA_STATUS, NULL});
	/* 9: no status file: uid errors keep the process. */
	add_proc(root, &(fake_proc){9, "/bin/a", "/", "a", 0, NULL, "0::/\n"});
	/* Entries that are not PIDs are ignored. */
	snprintf(path, sizeof path, "%s/self", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/012", root);
	assert_int_equal(mkdir(path, 0755), 0);
	pj_process_discover_config cfg = PJ_PROCESS_DISCOVER_DEFAULTS;
	cfg.uid = true;
	errors_seen seen = {0};
	pj_process_scan_options opt = {.proc_root = root, .on_error = record_error, .ctx = &seen};
	pj_targets out = PJ_TARGETS_INIT;
	pj_process_scan_stats st;
	char *err = NULL;
	assert_true(pj_process_scan(&cfg, &opt, &out, &st, &err));
	assert_int_equal(st.listed, 5);
	assert_int_equal(out.len, 1);
	assert_string_equal(pj_labels_get(&out.items[0], PJ_LABEL_PROCESS_PID), "9");
	assert_null(pj_labels_get(&out.items[0], PJ_LABEL_PROCESS_UID));
	assert_int_equal(st.gone, 2);
	assert_int_equal(st.failed, 2);
	assert_int_equal(seen.count, 2);
	assert_int_equal(seen.last_pid, 5);
	assert_string_equal(seen.last_what, "cmdline");
	assert_int_equal(seen.last_err, EISDIR);
	pj_targets_free(&out);
	/* With exe, cwd, commandline and cgroups off, nothing is read: every PID is a target. */
	pj_process_discover_config none = {0};
	assert_true(pj_process_scan(&none, &opt, &out, &st, &err));
	assert_int_equal(out.len, 5);
	assert_target(&out.items[0], "{__process_pid__=\"3\"}");
	pj_targets_free(&out);
	remove_tree(root);
	free(root);
}

static void test_unlistable_root_is_an_error(void **state)
{
	(void)state;
	pj_process_discover_config cfg = PJ_PROCESS_DISCOVER_DEFAULTS;
	pj_targets out = PJ_TARGETS_INIT;
	char *err = NULL;
	pj_process_scan_options opt = {.proc_root = "/nonexistent/proc"};
	assert_false(pj_process_scan(&cfg, &opt, &out, NULL, &err));
	assert_string_equal(err, "failed to list processes: /nonexistent/proc: No such file or directory");
	assert_int_equal(out.len, 0);
	free(err);
}

static void check_cgroup_id(const char *line, const char *want)
{
	const char *id = NULL;
	bool found = pj_container_id_from_cgroup_line(line, strlen(line), &id);
	if (!want) {
		if (found)
			fail_msg("%s: found %.64s", line, id);
		return;
	}
	if (!found)
		fail_msg("%s: no id", line);
	assert_memory_equal(id, want, 64);
}

static void test_container_ids_from_cgroup_lines(void **state)
{
	(void)state;
	check_cgroup_id("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7b6d_1a2b.slice/"
			"cri-containerd-" HEX64 ".scope",
		HEX64);
	check_cgroup_id("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/crio-" HEX64
			".scope",
		HEX64);
	check_cgroup_id("0::/system.slice/docker-" HEX64 ".scope", HEX64);
	check_cgroup_id("11:devices:/kubepods/besteffort/pod8f2a1c3e-0b1d-4c5e-9f60-123456789abc/" HEX64, HEX64);
	check_cgroup_id("12:memory:/docker/" HEX64, HEX64);
	check_cgroup_id("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" HEX64 ".scope", HEX64);
	check_cgroup_id("1:name=systemd:/machine.slice/libpod-" HEX64 ".scope/container", HEX64);
	check_cgroup_id("0::/system.slice/docker-" HEX64 "  \t", HEX64);
	check_cgroup_id("0::/../../user.slice/user-501.slice/session-3.scope", NULL);
	check_cgroup_id("0::/system.slice/docker-" HEX64 "x", NULL);
	check_cgroup_id("0::/docker-" HEX64 "0", NULL); /* 65 hex digits */
	check_cgroup_id("0::/docker-0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", NULL);
	check_cgroup_id(HEX64, NULL); /* needs a slash before it */
	/* The last usable slash and dash win, as in the greedy regex. */
	check_cgroup_id("0::/a-" HEX64 "/b-" HEX64B ".scope", HEX64B);
	check_cgroup_id("0::/x/" HEX64 ".a/y", HEX64);
}

static void test_first_matching_cgroup_line_wins(void **state)
{
	(void)state;
	char *root = make_root();
	add_proc(root, &(fake_proc){1, "/bin/a", "/", "a", 0, NULL,
			       "3:cpu:/\r\n2:memory:/docker/" HEX64B "\n1:name=systemd:/docker/" HEX64 "\n"});
	pj_process_discover_config cfg = PJ_PROCESS_DISCOVER_DEFAULTS;
	cfg.cgroup_path = true;
	pj_targets out = PJ_TARGETS_INIT;
	char *err = NULL;
	assert_true(pj_process_scan(&cfg, &(pj_process_scan_options){.proc_root = root}, &out, NULL, &err));
	assert_int_equal(out.len, 1);
	assert_string_equal(pj_labels_get(&out.items[0], PJ_LABEL_CONTAINER_ID), HEX64B);
	assert_string_equal(pj_labels_get(&out.items[0], PJ_LABEL_PROCESS_CGROUP_PATH),
		"3:cpu:/|2:memory:/docker/" HEX64B "|1:name=systemd:/docker/" HEX64);
	pj_targets_free(&out);
	remove_tree(root);
	free(root);
}

static void test_cgroup_root_is_separate(void **state)
{
	(void)state;
	/* Alloy reads pids from $HOST_PROC but cgroup files from /proc: two roots. */
	char *host = make_root(), *local = make_root();
	add_proc(host, &(fake_proc){42, "/bin/java", "/", "java", 0, NULL, "0::/host-view\n"});
	add_proc(local, &(fake_proc){42, NULL, NULL, NULL, 0, NULL, "0::/system.slice/docker-" HEX64 ".scope\n"});
	pj_process_discover_config cfg = PJ_PROCESS_DISCOVER_DEFAULTS;
	cfg.cgroup_path = true;
	pj_process_scan_options opt = {.proc_root = host, .cgroup_root = local};
	pj_targets out = PJ_TARGETS_INIT;
	char *err = NULL;
	assert_true(pj_process_scan(&cfg, &opt, &out, NULL, &err));
	assert_int_equal(out.len, 1);
	assert_string_equal(pj_labels_get(&out.items[0], PJ_LABEL_CONTAINER_ID), HEX64);
	assert_string_equal(pj_labels_get(&out.items[0], PJ_LABEL_PROCESS_EXE), "/bin/java");
	pj_targets_free(&out);
	opt.cgroup_root = "/nonexistent/cgroups";
	assert_false(pj_process_scan(&cfg, &opt, &out, NULL, &err));
	assert_string_equal(err, "failed to list processes: /nonexistent/cgroups: No such file or directory");
	free(err);
	remove_tree(host);
	remove_tree(local);
	free(host);
	free(local);
}

static void push(pj_targets *t, const char *const *kv)
{
	pj_labels *l = pj_targets_push(t);
	for (size_t i = 0; kv[i]; i += 2)
		pj_labels_set(l, kv[i], kv[i + 1]);
}

#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_join_docs_example(void **state)
{
	(void)state;
	pj_targets join = PJ_TARGETS_INIT, procs = PJ_TARGETS_INIT, out = PJ_TARGETS_INIT;
	push(&join, KV("pod", "pod-1", "__container_id__", "container-1"));
	push(&join, KV("pod", "pod-2", "__container_id__", "container-2"));
	push(&procs, KV("__process_pid__", "1", "__container_id__", "container-1"));
	push(&procs, KV("__process_pid__", "2"));
	pj_process_join(&procs, &join, &out);
	assert_int_equal(out.len, 4);
	assert_target(&out.items[0], "{__container_id__=\"container-1\", __process_pid__=\"1\", pod=\"pod-1\"}");
	assert_target(&out.items[1], "{__process_pid__=\"2\"}");
	assert_target(&out.items[2], "{__container_id__=\"container-1\", pod=\"pod-1\"}");
	assert_target(&out.items[3], "{__container_id__=\"container-2\", pod=\"pod-2\"}");
	pj_targets_free(&join);
	pj_targets_free(&procs);
	pj_targets_free(&out);
}

static void test_join_id_sources_and_order(void **state)
{
	(void)state;
	pj_targets join = PJ_TARGETS_INIT, procs = PJ_TARGETS_INIT, out = PJ_TARGETS_INIT;
	push(&join, KV("pod", "a", "__meta_kubernetes_pod_container_id", "containerd://c1"));
	push(&join, KV("pod", "nocid"));
	push(&join, KV("pod", "b", "__meta_docker_container_id", "c2", "__meta_process_exe", "/override"));
	push(&join, KV("pod", "c", "__meta_kubernetes_pod_container_id", "rkt://c3", "__meta_docker_container_id", "c3"));
	push(&join, KV("pod", "a2", "__meta_kubernetes_pod_container_id", "cri-o://c1"));
	push(&procs, KV("__process_pid__", "5", "__container_id__", "c2", "__meta_process_exe", "/bin/java"));
	push(&procs, KV("__process_pid__", "6", "__container_id__", "c1"));
	push(&procs, KV("__process_pid__", "7", "__container_id__", "c9"));
	pj_process_join(&procs, &join, &out);
	assert_int_equal(out.len, 7);
	/* No container ID (an unknown k8s prefix counts as none, docker label not consulted). */
	assert_target(&out.items[0], "{pod=\"nocid\"}");
	assert_target(&out.items[1], "{__meta_docker_container_id=\"c3\", __meta_kubernetes_pod_container_id=\"rkt://c3\", "
				     "pod=\"c\"}");
	/* Processes in input order; the join target's labels win. */
	assert_target(&out.items[2], "{__container_id__=\"c2\", __meta_docker_container_id=\"c2\", "
				     "__meta_process_exe=\"/override\", __process_pid__=\"5\", pod=\"b\"}");
	assert_target(&out.items[3], "{__container_id__=\"c1\", __meta_kubernetes_pod_container_id=\"cri-o://c1\", "
				     "__process_pid__=\"6\", pod=\"a2\"}");
	assert_target(&out.items[4], "{__container_id__=\"c9\", __process_pid__=\"7\"}");
	/* Join targets with an ID, matched or not; a later one replaced an earlier with the same ID. */
	assert_target(&out.items[5], "{__meta_kubernetes_pod_container_id=\"cri-o://c1\", pod=\"a2\"}");
	assert_target(&out.items[6], "{__meta_docker_container_id=\"c2\", __meta_process_exe=\"/override\", pod=\"b\"}");
	pj_targets_free(&out);
	/* No join targets: the processes unchanged. */
	pj_process_join(&procs, NULL, &out);
	assert_true(pj_targets_equal(&out, &procs));
	pj_targets_free(&join);
	pj_targets_free(&procs);
	pj_targets_free(&out);
}

static void test_real_proc_has_this_process(void **state)
{
	(void)state;
	pj_process_discover_config cfg = {true, true, true, true, true, true, true};
	pj_targets out = PJ_TARGETS_INIT;
	char *err = NULL;
	assert_true(pj_process_scan(&cfg, NULL, &out, NULL, &err));
	char pid[16];
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	const pj_labels *self = NULL;
	for (size_t i = 0; i < out.len; i++) {
		const char *p = pj_labels_get(&out.items[i], PJ_LABEL_PROCESS_PID);
		assert_non_null(p);
		if (i > 0)
			assert_true(atoi(pj_labels_get(&out.items[i - 1], PJ_LABEL_PROCESS_PID)) < atoi(p));
		if (strcmp(p, pid) == 0)
			self = &out.items[i];
	}
	assert_non_null(self);
	char exe[PATH_MAX], cwd[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_string_equal(pj_labels_get(self, PJ_LABEL_PROCESS_EXE), exe);
	assert_string_equal(pj_labels_get(self, PJ_LABEL_PROCESS_CWD), cwd);
	pj_buf cmd = PJ_BUF_INIT;
	for (int i = 0; i < g_argc; i++) {
		if (g_argv[i][0] == '\0')
			continue;
		if (cmd.len > 0)
			pj_buf_putc(&cmd, ' ');
		pj_buf_puts(&cmd, g_argv[i]);
	}
	assert_string_equal(pj_labels_get(self, PJ_LABEL_PROCESS_COMMANDLINE), pj_buf_cstr(&cmd));
	char uid[16];
	snprintf(uid, sizeof uid, "%u", (unsigned)getuid());
	assert_string_equal(pj_labels_get(self, PJ_LABEL_PROCESS_UID), uid);
	assert_non_null(pj_labels_get(self, PJ_LABEL_PROCESS_CGROUP_PATH));
	pj_buf_free(&cmd);
	pj_targets_free(&out);
}

int main(int argc, char **argv)
{
	g_argc = argc;
	g_argv = argv;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_labels_in_pid_order),
		cmocka_unit_test(test_every_label_switched_on),
		cmocka_unit_test(test_skipping_rules),
		cmocka_unit_test(test_unlistable_root_is_an_error),
		cmocka_unit_test(test_container_ids_from_cgroup_lines),
		cmocka_unit_test(test_first_matching_cgroup_line_wins),
		cmocka_unit_test(test_cgroup_root_is_separate),
		cmocka_unit_test(test_join_docs_example),
		cmocka_unit_test(test_join_id_sources_and_order),
		cmocka_unit_test(test_real_proc_has_this_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
