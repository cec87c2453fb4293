/*
 * Unit tests for src/jvm: attach request encoding and reply parsing, /proc
 * parsers, symlink-safe opens under a fake container root, and the attach
 * checks that must refuse before any signal is sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "jvm/attach.h"
#include "jvm/attach_proto.h"
#include "jvm/proc_info.h"
#include "jvm/safe_open.h"

static void assert_bytes(const pj_buf *b, const char *want, size_t len)
{
	assert_int_equal(b->len, len);
	assert_memory_equal(b->data, want, len);
}

static void test_encode_v1_load(void **state)
{
	(void)state;
	pj_buf b = PJ_BUF_INIT;
	const char *args[] = {"/abs/libasyncProfiler.so", "true", "start,jfr,event=itimer"};
	assert_int_equal(pj_attach_encode(&b, 1, "load", args, 3), 0);
	static const char want[] = "1\0load\0/abs/libasyncProfiler.so\0true\0start,jfr,event=itimer";
	assert_bytes(&b, want, sizeof(want));
	pj_buf_free(&b);
}

static void test_encode_v1_pads_to_three_arguments(void **state)
{
	(void)state;
	pj_buf b = PJ_BUF_INIT;
	assert_int_equal(pj_attach_encode(&b, 1, "properties", NULL, 0), 0);
	static const char want[] = "1\0properties\0\0\0";
	assert_bytes(&b, want, sizeof(want));
	pj_buf_reset(&b);
	const char *args[] = {"VM.version"};
	assert_int_equal(pj_attach_encode(&b, 1, "jcmd", args, 1), 0);
	static const char want2[] = "1\0jcmd\0VM.version\0\0";
	assert_bytes(&b, want2, sizeof(want2));
	pj_buf_free(&b);
}

static void test_encode_v1_limits(void **state)
{
	(void)state;
	pj_buf b = PJ_BUF_INIT;
	char *arg = pj_malloc(1026);
	memset(arg, 'a', 1025);
	arg[1025] = '\0';
	const char *args[] = {arg};
	assert_true(pj_attach_needs_v2(args, 1));
	assert_int_equal(pj_attach_encode(&b, 1, "jcmd", args, 1), -E2BIG);
	arg[1024] = '\0';
	assert_false(pj_attach_needs_v2(args, 1));
	assert_int_equal(pj_attach_encode(&b, 1, "jcmd", args, 1), 0);
	pj_buf_reset(&b);
	assert_int_equal(pj_attach_encode(&b, 1, "seventeen_chars_x", NULL, 0), -E2BIG);
	const char *four[] = {"a", "b", "c", "d"};
	assert_int_equal(pj_attach_encode(&b, 1, "load", four, 4), -EINVAL);
	assert_int_equal(pj_attach_encode(&b, 3, "load", NULL, 0), -EINVAL);
	free(arg);
	pj_buf_free(&b);
}

static void test_encode_v2(void **state)
{
	(void)state;
	pj_buf b = PJ_BUF_INIT;
	const char *args[] = {"VM.version"};
	assert_int_equal(pj_attach_encode(&b, 2, "jcmd", args, 1), 0);
	/* The spec's observed request: size 16 = "jcmd\0" + "VM.version\0". */
	static const char want[] = "2\0" "16\0jcmd\0VM.version";
	assert_bytes(&b, want, sizeof(want));
	pj_buf_reset(&b);
	char *big = pj_malloc(5001);
	memset(big, 'p', 5000);
	big[5000] = '\0';
	const char *load[] = {big, "true", ""};
	assert_int_equal(pj_attach_encode(&b, 2, "load", load, 3), 0);
	/* 5 + 5001 + 5 + 1 */
	assert_string_equal(b.data + 2, "5012");
	assert_int_equal(b.len, 2 + 5 + 5012);
	free(big);
	pj_buf_free(&b);
}

static void test_getversion_request(void **state)
{
	(void)state;
	static const char want[] = "1\0getversion\0options\0\0";
	assert_int_equal(pj_attach_getversion_request_len, sizeof(want));
	assert_memory_equal(pj_attach_getversion_request, want, sizeof(want));
}

static void test_parse_reply(void **state)
{
	(void)state;
	int status;
	size_t off;
	const char *r = "0\nreturn code: 0\n";
	assert_int_equal(pj_attach_parse_reply(r, strlen(r), &status, &off), 0);
	assert_int_equal(status, 0);
	assert_string_equal(r + off, "return code: 0\n");
	r = "-1\nOperation bogus not recognized!";
	assert_int_equal(pj_attach_parse_reply(r, strlen(r), &status, &off), 0);
	assert_int_equal(status, -1);
	assert_string_equal(r + off, "Operation bogus not recognized!");
	r = "101";
	assert_int_equal(pj_attach_parse_reply(r, strlen(r), &status, &off), 0);
	assert_int_equal(status, 101);
	assert_int_equal(off, 3);
	assert_int_equal(pj_attach_parse_reply("", 0, &status, &off), -1);
	assert_int_equal(pj_attach_parse_reply("x\n", 2, &status, &off), -1);
	assert_int_equal(pj_attach_parse_reply("1x\n", 3, &status, &off), -1);
	assert_int_equal(pj_attach_parse_reply("-\n", 2, &status, &off), -1);
	assert_int_equal(pj_attach_parse_reply("99999999999\n", 12, &status, &off), -1);
}

static bool load_ok(const char *body, int *rc)
{
	return pj_attach_parse_load_body(body, strlen(body), rc);
}

static void test_parse_load_body(void **state)
{
	(void)state;
	int rc = 12345;
	assert_true(load_ok("return code: 0\n", &rc));
	assert_int_equal(rc, 0);
	assert_true(load_ok("return code: 200\n", &rc));
	assert_int_equal(rc, 200);
	assert_true(load_ok("return code: -1", &rc));
	assert_int_equal(rc, -1);
	/* JDK 8: a bare number. */
	assert_true(load_ok("7\n", &rc));
	assert_int_equal(rc, 7);
	/* JDK 21+: failures come with status 0 and a text. */
	assert_false(load_ok("/x/lib.so was not loaded.\n/x/lib.so: cannot open shared object file: "
			     "No such file or directory\n",
			     &rc));
	assert_false(load_ok("Agent_OnAttach is not available in /x/lib.so\n", &rc));
	assert_false(load_ok("Dynamic agent loading is not enabled. Use "
			     "-XX:+EnableDynamicAgentLoading to launch target VM.\n",
			     &rc));
	assert_false(load_ok("return code: abc\n", &rc));
	assert_false(load_ok("", &rc));
}

static void test_parse_version(void **state)
{
	(void)state;
	const char *r = "0\n2 streaming";
	assert_int_equal(pj_attach_parse_version(r, strlen(r)), 2);
	r = "-1\nOperation getversion not recognized!";
	assert_int_equal(pj_attach_parse_version(r, strlen(r)), 1);
	assert_int_equal(pj_attach_parse_version("101\n", 4), 1);
	assert_int_equal(pj_attach_parse_version("", 0), 1);
	assert_int_equal(pj_attach_parse_version("0\n1", 3), 1);
}

static const char pj_status_container[] =
	"Name:\tjava\n"
	"Umask:\t0022\n"
	"State:\tS (sleeping)\n"
	"Tgid:\t7271\n"
	"Ngid:\t0\n"
	"Pid:\t7271\n"
	"PPid:\t7270\n"
	"Uid:\t0\t65534\t65534\t65534\n"
	"Gid:\t0\t65533\t65533\t65533\n"
	"NStgid:\t7271\t1\n"
	"NSpid:\t7271\t1\n"
	"SigBlk:\t0000000000000000\n"
	"SigIgn:\t0000000000000000\n"
	"SigCgt:\t2000000181005ccf\n";

static void test_parse_status_namespaced(void **state)
{
	(void)state;
	pj_proc_status st;
	assert_int_equal(pj_proc_parse_status(pj_status_container, &st), 0);
	assert_int_equal(st.nspid, 1);
	assert_int_equal(st.euid, 65534);
	assert_int_equal(st.egid, 65533);
	assert_int_equal(st.state, 'S');
	assert_true(st.sig_caught & (1u << (SIGQUIT - 1)));
	assert_int_equal(st.sig_ignored, 0);
}

static void test_parse_status_variants(void **state)
{
	(void)state;
	pj_proc_status st;
	/* Three nested namespaces: the innermost PID is the last one. */
	const char *nested = "Tgid:\t100\nUid:\t1\t2\t3\t4\nGid:\t5\t6\t7\t8\nNStgid:\t100\t50\t3\n";
	assert_int_equal(pj_proc_parse_status(nested, &st), 0);
	assert_int_equal(st.nspid, 3);
	assert_int_equal(st.euid, 2);
	assert_int_equal(st.egid, 6);
	/* Kernels before 4.1 have no NStgid:/NSpid: the PID is our own. */
	const char *old = "State:\tZ (zombie)\nTgid:\t4242\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n";
	assert_int_equal(pj_proc_parse_status(old, &st), 0);
	assert_int_equal(st.nspid, 4242);
	assert_int_equal(st.state, 'Z');
	/* Only NSpid: (no NStgid:) */
	const char *nspid = "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNSpid:\t9\t8\n";
	assert_int_equal(pj_proc_parse_status(nspid, &st), 0);
	assert_int_equal(st.nspid, 8);
	assert_int_equal(pj_proc_parse_status("Tgid:\t1\nGid:\t0\t0\t0\t0\n", &st), -EINVAL);
	assert_int_equal(pj_proc_parse_status("Uid:\t0\nGid:\t0\t0\n", &st), -EINVAL);
}

static void test_maps_find(void **state)
{
	(void)state;
	const char *maps =
		"5581d9a6e000-5581d9a6f000 r--p 00000000 08:01 1234 /usr/lib/jvm/bin/java\n"
		"7f00a0000000-7f00a1000000 r-xp 00000000 08:01 99 /usr/lib/jvm/lib/libjvmti.so\n"
		"7f00a2000000-7f00a3000000 r-xp 00000000 08:01 42 "
		"/usr/lib/jvm/java-17/lib/server/libjvm.so\n"
		"7ffd1000000-7ffd1001000 r-xp 00000000 00:00 0 [vdso]\n"
		"7f00b0000000-7f00b1000000 r-xp 00000000 08:01 7 /tmp/a b/libasyncProfiler.so (deleted)\n";
	char path[256];
	assert_true(pj_proc_maps_find(maps, "libjvm", path, sizeof(path)));
	assert_string_equal(path, "/usr/lib/jvm/java-17/lib/server/libjvm.so");
	assert_true(pj_proc_maps_find(maps, "libasyncProfiler", path, sizeof(path)));
	assert_string_equal(path, "/tmp/a b/libasyncProfiler.so (deleted)");
	assert_false(pj_proc_maps_find(maps, "libjli", NULL, 0));
	assert_false(pj_proc_maps_find("", "libjvm", NULL, 0));
	/* A libjvmti.so alone is not a JVM. */
	assert_false(pj_proc_maps_find(
		"7f00a0000000-7f00a1000000 r-xp 00000000 08:01 99 /x/libjvmti.so\n", "libjvm", NULL, 0));
	char small[8];
	assert_true(pj_proc_maps_find(maps, "libjvm", small, sizeof(small)));
	assert_string_equal(small, "/usr/li");
}

static bool disabled(const char *cmd, size_t clen, const char *env, size_t elen)
{
	return pj_proc_attach_disabled(cmd, clen, env, elen);
}

static void test_attach_disabled_flags(void **state)
{
	(void)state;
	static const char on[] = "java\0-XX:+DisableAttachMechanism\0-cp\0.\0Main";
	static const char off_later[] = "java\0-XX:+DisableAttachMechanism\0-XX:-DisableAttachMechanism\0Main";
	static const char plain[] = "java\0-Xmx1g\0Main";
	static const char similar[] = "java\0-XX:+DisableAttachMechanismX\0Main";
	static const char tool_env[] = "PATH=/bin\0JAVA_TOOL_OPTIONS=-Xmx1g -XX:+DisableAttachMechanism";
	static const char both_env[] = "_JAVA_OPTIONS=-XX:-DisableAttachMechanism\0"
				       "JDK_JAVA_OPTIONS=-XX:+DisableAttachMechanism";
	assert_true(disabled(on, sizeof(on), NULL, 0));
	assert_false(disabled(off_later, sizeof(off_later), NULL, 0));
	assert_false(disabled(plain, sizeof(plain), NULL, 0));
	assert_false(disabled(similar, sizeof(similar), NULL, 0));
	assert_true(disabled(plain, sizeof(plain), tool_env, sizeof(tool_env)));
	/* The command line overrides JAVA_TOOL_OPTIONS ... */
	static const char cmd_off[] = "java\0-XX:-DisableAttachMechanism\0Main";
	assert_false(disabled(cmd_off, sizeof(cmd_off), tool_env, sizeof(tool_env)));
	/* ... and _JAVA_OPTIONS overrides everything. */
	assert_false(disabled(on, sizeof(on), both_env, sizeof(both_env)));
}

static void test_parse_start_time(void **state)
{
	(void)state;
	const char *stat = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 "
			   "23 0 987654 12345678 300 18446744073709551615";
	unsigned long long t = 0;
	assert_int_equal(pj_proc_parse_start_time(stat, &t), 0);
	assert_int_equal(t, 987654);
	assert_int_equal(pj_proc_parse_start_time("1 (x) S 1 2", &t), -EINVAL);
	assert_int_equal(pj_proc_parse_start_time("no paren", &t), -EINVAL);
	int fd = pj_proc_open(getpid());
	assert_true(fd >= 0);
	assert_int_equal(pj_proc_read_start_time(fd, &t), 0);
	assert_true(t > 0);
	close(fd);
}

/* A fake container root with planted symlinks next to a "host" file. */
typedef struct fake_root {
	char dir[64];
	char host_file[128];
	int rootfd;
} fake_root;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *read_text(int fd)
{
	static char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static int fake_root_setup(void **state)
{
	fake_root *fr = pj_calloc(1, sizeof(*fr));
	strcpy(fr->dir, "/tmp/pj_safe_open.XXXXXX");
	assert_non_null(mkdtemp(fr->dir));
	char p[256];
	snprintf(fr->host_file, sizeof(fr->host_file), "%s/hostfile", fr->dir);
	write_file(fr->host_file, "HOST SECRET");
	snprintf(p, sizeof(p), "%s/hostdir", fr->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/hostdir/secret", fr->dir);
	write_file(p, "HOST DIR SECRET");
	const char *dirs[] = {"root", "root/tmp", "root/data"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", fr->dir, dirs[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	snprintf(p, sizeof(p), "%s/root/data/file", fr->dir);
	write_file(p, "container data");
	/* Absolute symlinks the container planted, aimed at host paths. */
	snprintf(p, sizeof(p), "%s/root/tmp/evil", fr->dir);
	assert_int_equal(symlink(fr->host_file, p), 0);
	char target[256];
	snprintf(target, sizeof(target), "%s/hostdir", fr->dir);
	snprintf(p, sizeof(p), "%s/root/evildir", fr->dir);
	assert_int_equal(symlink(target, p), 0);
	/* A relative one climbing out of the root. */
	snprintf(p, sizeof(p), "%s/root/tmp/climb", fr->dir);
	assert_int_equal(symlink("../../hostdir", p), 0);
	/* One that stays inside the container: /link -> /data */
	snprintf(p, sizeof(p), "%s/root/link", fr->dir);
	assert_int_equal(symlink("/data", p), 0);
	snprintf(p, sizeof(p), "%s/root/tmp/fifo", fr->dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	snprintf(p, sizeof(p), "%s/root", fr->dir);
	fr->rootfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fr->rootfd >= 0);
	*state = fr;
	return 0;
}

static int fake_root_teardown(void **state)
{
	fake_root *fr = *state;
	close(fr->rootfd);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fr->dir);
	assert_int_equal(system(cmd), 0);
	free(fr);
	return 0;
}

static void assert_host_untouched(const fake_root *fr)
{
	int fd = open(fr->host_file, O_RDONLY);
	assert_true(fd >= 0);
	assert_string_equal(read_text(fd), "HOST SECRET");
	close(fd);
}

typedef int (*dir_resolver)(int rootfd, const char *path);

/* What both resolvers must guarantee: nothing outside the root is reached. */
static void check_no_escape(fake_root *fr, dir_resolver resolve)
{
	int fd = resolve(fr->rootfd, "evildir");
	assert_true(fd < 0);
	fd = resolve(fr->rootfd, "/tmp/climb");
	assert_true(fd < 0);
	assert_int_equal(resolve(fr->rootfd, "tmp/../.."), -EXDEV);
	fd = resolve(fr->rootfd, "/tmp/");
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstatat(fd, "evil", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(st.st_mode));
	close(fd);
	assert_host_untouched(fr);
}

static void test_safe_open_openat2_stays_in_root(void **state)
{
	fake_root *fr = *state;
	check_no_escape(fr, pj_safe_open_dir_openat2);
	/* Absolute symlinks resolve against the container root, as in the container. */
	assert_int_equal(pj_safe_open_dir_openat2(fr->rootfd, "evildir"), -ENOENT);
	int fd = pj_safe_open_dir_openat2(fr->rootfd, "link");
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstatat(fd, "file", &st, 0), 0);
	close(fd);
}

static void test_safe_open_walk_refuses_symlinks(void **state)
{
	fake_root *fr = *state;
	check_no_escape(fr, pj_safe_open_dir_walk);
	assert_int_equal(pj_safe_open_dir_walk(fr->rootfd, "evildir"), -ELOOP);
	assert_int_equal(pj_safe_open_dir_walk(fr->rootfd, "tmp/climb"), -ELOOP);
	assert_int_equal(pj_safe_open_dir_walk(fr->rootfd, "link"), -ELOOP);
	assert_int_equal(pj_safe_open_dir_walk(fr->rootfd, "data/file"), -ENOTDIR);
	int fd = pj_safe_open_dir_walk(fr->rootfd, "//data/./");
	assert_true(fd >= 0);
	close(fd);
}

/* File operations on planted paths; run once per resolver (see the walk variant). */
static void check_file_ops(fake_root *fr)
{
	/* The last component is never followed, for reading or writing. */
	assert_int_equal(pj_safe_open(fr->rootfd, "tmp/evil", O_RDONLY, 0), -ELOOP);
	assert_int_equal(pj_safe_open(fr->rootfd, "tmp/evil", O_WRONLY | O_TRUNC, 0), -ELOOP);
	assert_int_equal(pj_safe_open(fr->rootfd, "tmp/evil", O_WRONLY | O_CREAT | O_TRUNC, 0600),
			 -EEXIST);
	assert_true(pj_safe_open(fr->rootfd, "evildir/secret", O_RDONLY, 0) < 0);
	assert_true(pj_safe_open(fr->rootfd, "tmp/climb/secret", O_RDONLY, 0) < 0);
	assert_true(pj_safe_open(fr->rootfd, "evildir/new", O_WRONLY | O_CREAT, 0600) < 0);
	assert_int_equal(pj_safe_open(fr->rootfd, "tmp/fifo", O_RDONLY, 0), -EINVAL);
	assert_int_equal(pj_safe_open(fr->rootfd, "tmp", O_RDONLY, 0), -EINVAL);
	assert_int_equal(pj_safe_open(fr->rootfd, "tmp/x", O_RDONLY | O_DIRECTORY, 0), -EINVAL);
	/* Regular files work, and creating is exclusive. */
	int fd = pj_safe_open(fr->rootfd, "/data/file", O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_string_equal(read_text(fd), "container data");
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	fd = pj_safe_open(fr->rootfd, "tmp/out.jfr", O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(pj_safe_open(fr->rootfd, "tmp/out.jfr", O_WRONLY | O_CREAT, 0600), -EEXIST);
	assert_int_equal(pj_safe_unlink(fr->rootfd, "tmp/out.jfr"), 0);
	/* Unlinking a planted symlink removes the link, not the host file. */
	assert_int_equal(pj_safe_unlink(fr->rootfd, "tmp/evil"), 0);
	assert_int_equal(pj_safe_unlink(fr->rootfd, "tmp/evil"), -ENOENT);
	assert_true(pj_safe_unlink(fr->rootfd, "evildir/secret") < 0);
	/* mkdirs creates missing levels and refuses to go through symlinks. */
	assert_int_equal(pj_safe_mkdirs(fr->rootfd, "tmp/pyrojava/a/b", 0755), 0);
	assert_int_equal(pj_safe_mkdirs(fr->rootfd, "tmp/pyrojava/a/b", 0755), 0);
	fd = pj_safe_open(fr->rootfd, "tmp/pyrojava/a/b/lib.so", O_WRONLY | O_CREAT, 0755);
	assert_true(fd >= 0);
	close(fd);
	assert_true(pj_safe_mkdirs(fr->rootfd, "evildir/sub", 0755) < 0);
	assert_host_untouched(fr);
	char p[256];
	snprintf(p, sizeof(p), "%s/hostdir/sub", fr->dir);
	struct stat st;
	assert_int_equal(stat(p, &st), -1);
	snprintf(p, sizeof(p), "%s/hostdir/new", fr->dir);
	assert_int_equal(stat(p, &st), -1);
}

static void test_safe_open_files_openat2(void **state)
{
	check_file_ops(*state);
	/* The openat2 resolver follows the in-container link. */
	int fd = pj_safe_open(((fake_root *)*state)->rootfd, "link/file", O_RDONLY, 0);
	assert_true(fd >= 0);
	close(fd);
}

/* Runs last: forcing the walk is process-wide, as on a kernel without openat2. */
static void test_safe_open_files_forced_walk(void **state)
{
	fake_root *fr = *state;
	pj_safe_open_force_walk();
	check_file_ops(fr);
	/* Proof that the walk is in use: it refuses even the in-container link. */
	assert_int_equal(pj_safe_open(fr->rootfd, "link/file", O_RDONLY, 0), -ELOOP);
	assert_int_equal(pj_safe_open_dir(fr->rootfd, "link"), -ELOOP);
}

static void test_attach_refuses_non_jvm_without_signal(void **state)
{
	(void)state;
	/* This test process is no JVM: a SIGQUIT would kill it (default action). */
	pj_attach_result res;
	assert_int_equal(pj_attach(getpid(), "properties", NULL, 0, NULL, &res),
			 PJ_ATTACH_ERR_NOT_JVM);
	assert_non_null(strstr(res.message, "not a HotSpot JVM"));
	assert_string_equal(pj_attach_err_name(res.err), "not-a-jvm");
	pj_attach_result_free(&res);
}

static void test_attach_reports_gone_and_bad_requests(void **state)
{
	(void)state;
	pj_attach_result res;
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(pj_attach(child, "properties", NULL, 0, NULL, &res), PJ_ATTACH_ERR_GONE);
	assert_non_null(strstr(res.message, "does not exist"));
	pj_attach_result_free(&res);
	const char *four[] = {"a", "b", "c", "d"};
	assert_int_equal(pj_attach(getpid(), "load", four, 4, NULL, &res), PJ_ATTACH_ERR_TOO_LONG);
	pj_attach_result_free(&res);
	assert_int_equal(pj_attach(getpid(), "a_command_name_too_long", NULL, 0, NULL, &res),
			 PJ_ATTACH_ERR_TOO_LONG);
	pj_attach_result_free(&res);
	assert_string_equal(pj_attach_err_name(PJ_ATTACH_ERR_DISABLED), "attach-disabled");
	assert_string_equal(pj_attach_err_name((pj_attach_err)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_v1_load),
		cmocka_unit_test(test_encode_v1_pads_to_three_arguments),
		cmocka_unit_test(test_encode_v1_limits),
		cmocka_unit_test(test_encode_v2),
		cmocka_unit_test(test_getversion_request),
		cmocka_unit_test(test_parse_reply),
		cmocka_unit_test(test_parse_load_body),
		cmocka_unit_test(test_parse_version),
		cmocka_unit_test(test_parse_status_namespaced),
		cmocka_unit_test(test_parse_status_variants),
		cmocka_unit_test(test_maps_find),
		cmocka_unit_test(test_attach_disabled_flags),
		cmocka_unit_test(test_parse_start_time),
		cmocka_unit_test(test_attach_refuses_non_jvm_without_signal),
		cmocka_unit_test(test_attach_reports_gone_and_bad_requests),
		cmocka_unit_test_setup_teardown(test_safe_open_openat2_stays_in_root,
						fake_root_setup, fake_root_teardown),
		cmocka_unit_test_setup_teardown(test_safe_open_walk_refuses_symlinks,
						fake_root_setup, fake_root_teardown),
		cmocka_unit_test_setup_teardown(test_safe_open_files_openat2, fake_root_setup,
						fake_root_teardown),
		cmocka_unit_test_setup_teardown(test_safe_open_files_forced_walk, fake_root_setup,
						fake_root_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
