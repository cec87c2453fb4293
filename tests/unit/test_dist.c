/*
 * The profiler distribution: archive format, the checked extraction under
 * tmp_dir (ownership rules, symlinks, changed files, noexec), the `dist`
 * directory, libc detection and the copy into a target's root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/sha1.h"
#include "jvm/dist.h"

static const uint8_t lib_glibc[] = "\177ELF glibc library";
static const uint8_t lib_musl[] = "\177ELF musl library";
static const uint8_t launcher[] = "#!asprof";

static void make_archive(pj_buf *out, uint32_t flags)
{
	pj_dist_entry e[] = {
		{"glibc/bin/asprof", 0, launcher, sizeof(launcher), 0755},
		{"glibc/lib/libasyncProfiler.so", 0, lib_glibc, sizeof(lib_glibc), 0755},
		{"musl/bin/asprof", 0, launcher, sizeof(launcher), 0755},
		{"musl/lib/libasyncProfiler.so", 0, lib_musl, sizeof(lib_musl), 0755},
	};
	pj_dist_pack(e, 4, flags, out);
}

static void sha1_of(const pj_buf *b, char hex[41])
{
	uint8_t d[PJ_SHA1_DIGEST_LEN];
	pj_sha1_sum(b->data, b->len, d);
	pj_sha1_hex(d, hex);
}

static char *make_tmp(mode_t mode)
{
	char tmpl[] = "/tmp/pj-dist-XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	assert_int_equal(chmod(dir, mode), 0);
	return strdup(dir);
}

static void rm_rf(const char *dir)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void read_path(const char *path, pj_buf *out)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char c[256];
	size_t n;
	while ((n = fread(c, 1, sizeof(c), f)) > 0)
		pj_buf_append(out, c, n);
	fclose(f);
}

static void test_dist_pack_parse_round_trip(void **state)
{
	(void)state;
	pj_buf a = PJ_BUF_INIT;
	make_archive(&a, PJ_DIST_OFFICIAL);
	pj_dist_entry e[8];
	uint32_t flags = 0;
	char err[128];
	assert_int_equal(pj_dist_parse((uint8_t *)a.data, a.len, &flags, e, 8, err, sizeof(err)), 4);
	assert_int_equal(flags, PJ_DIST_OFFICIAL);
	assert_int_equal(e[1].name_len, strlen("glibc/lib/libasyncProfiler.so"));
	assert_memory_equal(e[1].name, "glibc/lib/libasyncProfiler.so", e[1].name_len);
	assert_int_equal(e[3].len, sizeof(lib_musl));
	assert_memory_equal(e[3].data, lib_musl, sizeof(lib_musl));
	/* Every truncation is an error, never a read past the end. */
	for (size_t len = 0; len < a.len; len++)
		assert_int_equal(pj_dist_parse((uint8_t *)a.data, len, &flags, e, 8, err, sizeof(err)), -1);
	assert_int_equal(pj_dist_parse((uint8_t *)a.data, a.len, &flags, e, 3, err, sizeof(err)), -1);
	pj_buf_free(&a);
}

static void test_dist_parse_refuses_unsafe_names(void **state)
{
	(void)state;
	static const char *const bad[] = {"../x", "glibc/../../etc/passwd", "/abs", "a//b", "a/./b", "dir/", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pj_buf a = PJ_BUF_INIT;
		pj_dist_entry in = {bad[i], strlen(bad[i]), launcher, sizeof(launcher), 0755};
		if (!bad[i][0])
			in.name_len = 0;
		pj_dist_pack(&in, 1, 0, &a);
		pj_dist_entry e[2];
		uint32_t flags;
		char err[128] = "";
		if (bad[i][0]) {
			assert_int_equal(pj_dist_parse((uint8_t *)a.data, a.len, &flags, e, 2, err, sizeof(err)), -1);
			assert_non_null(strstr(err, "unsafe name"));
		}
		pj_buf_free(&a);
	}
}

static void test_dist_extract_layout_and_reuse(void **state)
{
	(void)state;
	char *tmp = make_tmp(0755);
	pj_buf a = PJ_BUF_INIT;
	make_archive(&a, 0);
	char sha[41];
	sha1_of(&a, sha);
	char *err = NULL;
	pj_dist *d = pj_dist_extract((uint8_t *)a.data, a.len, tmp, &err);
	assert_null(err);
	assert_non_null(d);
	assert_false(pj_dist_official(d));
	char want[PATH_MAX];
	snprintf(want, sizeof(want), "%s/alloy-asprof-glibc-%s/lib/libasyncProfiler.so", tmp, sha);
	assert_string_equal(pj_dist_lib_path(d, PJ_LIBC_GLIBC), want);
	pj_buf got = PJ_BUF_INIT;
	read_path(want, &got);
	assert_int_equal(got.len, sizeof(lib_glibc));
	assert_memory_equal(got.data, lib_glibc, sizeof(lib_glibc));
	struct stat st;
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	snprintf(want, sizeof(want), "%s/alloy-asprof-musl-%s/bin/asprof", tmp, sha);
	assert_int_equal(stat(want, &st), 0);
	size_t len;
	assert_memory_equal(pj_dist_lib_data(d, PJ_LIBC_MUSL, &len), lib_musl, sizeof(lib_musl));
	pj_dist_free(d);
	/* A second start finds identical files and accepts them. */
	d = pj_dist_extract((uint8_t *)a.data, a.len, tmp, &err);
	assert_null(err);
	pj_dist_free(d);
	pj_buf_free(&got);
	pj_buf_free(&a);
	rm_rf(tmp);
	free(tmp);
}

static void test_dist_extract_refuses_changed_file(void **state)
{
	(void)state;
	char *tmp = make_tmp(0755);
	pj_buf a = PJ_BUF_INIT;
	make_archive(&a, 0);
	char sha[41], path[PATH_MAX];
	sha1_of(&a, sha);
	char *err = NULL;
	pj_dist_free(pj_dist_extract((uint8_t *)a.data, a.len, tmp, &err));
	assert_null(err);
	snprintf(path, sizeof(path), "%s/alloy-asprof-glibc-%s/lib/libasyncProfiler.so", tmp, sha);
	FILE *f = fopen(path, "ab");
	assert_non_null(f);
	fputs("tampered", f);
	fclose(f);
	assert_null(pj_dist_extract((uint8_t *)a.data, a.len, tmp, &err));
	assert_non_null(strstr(err, "different content"));
	assert_non_null(strstr(err, path));
	free(err);
	pj_buf_free(&a);
	rm_rf(tmp);
	free(tmp);
}

/* A symlink planted where the directory or a file goes is refused; its target is never written. */
static void test_dist_extract_refuses_symlinks(void **state)
{
	(void)state;
	char *tmp = make_tmp(0755), *victim = make_tmp(0755);
	pj_buf a = PJ_BUF_INIT;
	make_archive(&a, 0);
	char sha[41], path[PATH_MAX], probe[PATH_MAX + 64];
	sha1_of(&a, sha);
	snprintf(path, sizeof(path), "%s/alloy-asprof-glibc-%s", tmp, sha);
	assert_int_equal(symlink(victim, path), 0);
	char *err = NULL;
	assert_null(pj_dist_extract((uint8_t *)a.data, a.len, tmp, &err));
	assert_non_null(strstr(err, path));
	free(err);
	err = NULL;
	snprintf(probe, sizeof(probe), "%s/lib", victim);
	assert_int_equal(access(probe, F_OK), -1);
	/* Now the directories are real but the library is a link to a host file. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(chmod(path, 0755), 0);
	snprintf(probe, sizeof(probe), "%s/lib", path);
	assert_int_equal(mkdir(probe, 0755), 0);
	assert_int_equal(chmod(probe, 0755), 0);
	snprintf(probe, sizeof(probe), "%s/lib/libasyncProfiler.so", path);
	char host_file[PATH_MAX];
	snprintf(host_file, sizeof(host_file), "%s/host-file", victim);
	FILE *f = fopen(host_file, "w");
	assert_non_null(f);
	fputs("host", f);
	fclose(f);
	assert_int_equal(symlink(host_file, probe), 0);
	assert_null(pj_dist_extract((uint8_t *)a.data, a.len, tmp, &err));
	assert_non_null(strstr(err, "symlink"));
	free(err);
	pj_buf got = PJ_BUF_INIT;
	read_path(host_file, &got);
	assert_int_equal(got.len, 4);
	pj_buf_free(&got);
	pj_buf_free(&a);
	rm_rf(tmp);
	rm_rf(victim);
	free(tmp);
	free(victim);
}

static void test_dist_tmp_dir_ownership_rules(void **state)
{
	(void)state;
	char *err = NULL;
	char *dir = make_tmp(0755);
	assert_true(pj_dist_check_tmp_dir(dir, &err));
	assert_int_equal(chmod(dir, 0777), 0);
	assert_false(pj_dist_check_tmp_dir(dir, &err));
	assert_non_null(strstr(err, "mode 0777"));
	free(err);
	err = NULL;
	/* root-owned with the sticky bit, like /tmp */
	assert_int_equal(chown(dir, 0, 0), 0);
	assert_int_equal(chmod(dir, 01777), 0);
	assert_true(pj_dist_check_tmp_dir(dir, &err) == (geteuid() == 0));
	free(err);
	err = NULL;
	/* someone else's 0755 directory */
	if (geteuid() == 0) {
		assert_int_equal(chmod(dir, 0755), 0);
		assert_int_equal(chown(dir, 65534, 65534), 0);
		assert_false(pj_dist_check_tmp_dir(dir, &err));
		assert_non_null(strstr(err, "owned by uid 65534"));
		free(err);
		err = NULL;
	}
	char link[PATH_MAX];
	snprintf(link, sizeof(link), "%s.link", dir);
	assert_int_equal(symlink(dir, link), 0);
	assert_false(pj_dist_check_tmp_dir(link, &err));
	assert_non_null(strstr(err, "not a directory"));
	free(err);
	unlink(link);
	rm_rf(dir);
	free(dir);
}

static void test_dist_extract_refuses_wrong_mode_dir(void **state)
{
	(void)state;
	char *tmp = make_tmp(0755);
	pj_buf a = PJ_BUF_INIT;
	make_archive(&a, 0);
	char sha[41], path[PATH_MAX];
	sha1_of(&a, sha);
	snprintf(path, sizeof(path), "%s/alloy-asprof-glibc-%s", tmp, sha);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, 0777), 0);
	char *err = NULL;
	assert_null(pj_dist_extract((uint8_t *)a.data, a.len, tmp, &err));
	assert_non_null(strstr(err, "expected 0755"));
	free(err);
	pj_buf_free(&a);
	rm_rf(tmp);
	free(tmp);
}

/* tmp_dir on a noexec mount (in a private mount namespace) is reported with what to do. */
static void test_dist_extract_detects_noexec(void **state)
{
	(void)state;
	char *tmp = make_tmp(0755);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
		    mount("tmpfs", tmp, "tmpfs", MS_NOEXEC, "mode=0755") != 0)
			_exit(2);
		pj_buf a = PJ_BUF_INIT;
		make_archive(&a, 0);
		char *err = NULL;
		pj_dist *d = pj_dist_extract((uint8_t *)a.data, a.len, tmp, &err);
		_exit(!d && err && strstr(err, "noexec") && strstr(err, "set tmp_dir") ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	rm_rf(tmp);
	free(tmp);
}

static void test_dist_without_embedded_archive(void **state)
{
	(void)state;
	size_t len = 1;
	/* Unit tests do not link the generated archive. */
	assert_null(pj_dist_embedded(&len));
	assert_int_equal(len, 0);
	char *err = NULL;
	assert_null(pj_dist_extract(NULL, 0, "/tmp", &err));
	assert_non_null(strstr(err, "built without the profiler agent"));
	assert_non_null(strstr(err, "`dist`"));
	free(err);
}

static void test_dist_open_dir(void **state)
{
	(void)state;
	char *dir = make_tmp(0755), path[PATH_MAX];
	char *err = NULL;
	assert_null(pj_dist_open_dir(dir, &err));
	snprintf(path, sizeof(path), "invalid asprof dist: asprof launcher not found: %s/bin/asprof", dir);
	assert_string_equal(err, path);
	free(err);
	snprintf(path, sizeof(path), "%s/bin", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/bin/asprof", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_null(pj_dist_open_dir(dir, &err));
	snprintf(path, sizeof(path), "invalid asprof dist: lib not found: %s/lib/libasyncProfiler.so", dir);
	assert_string_equal(err, path);
	free(err);
	snprintf(path, sizeof(path), "%s/lib", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/lib/libasyncProfiler.so", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("lib", f);
	fclose(f);
	pj_dist *d = pj_dist_open_dir(dir, &err);
	assert_non_null(d);
	assert_true(pj_dist_official(d));
	assert_string_equal(pj_dist_lib_path(d, PJ_LIBC_MUSL), path);
	size_t len;
	assert_memory_equal(pj_dist_lib_data(d, PJ_LIBC_GLIBC, &len), "lib", 3);
	assert_int_equal(len, 3);
	pj_dist_free(d);
	rm_rf(dir);
	free(dir);
}

static void test_libc_from_maps(void **state)
{
	(void)state;
	pj_libc l = PJ_LIBC_MUSL;
	const char *glibc = "7f00-7f01 r-xp 00000000 08:01 12 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
			    "7f02-7f03 r-xp 00000000 08:01 13 /usr/lib/jvm/lib/server/libjvm.so\n";
	assert_int_equal(pj_libc_from_maps(glibc, &l), 0);
	assert_int_equal(l, PJ_LIBC_GLIBC);
	const char *old = "7f00-7f01 r-xp 00000000 08:01 12 /lib/x86_64-linux-gnu/libc-2.31.so\n";
	assert_int_equal(pj_libc_from_maps(old, &l), 0);
	assert_int_equal(l, PJ_LIBC_GLIBC);
	const char *musl = "55-56 r--p 00000000 00:2f 7 /usr/bin/java\n7f-80 r-xp 0 00:2f 9 /lib/ld-musl-x86_64.so.1\n";
	assert_int_equal(pj_libc_from_maps(musl, &l), 0);
	assert_int_equal(l, PJ_LIBC_MUSL);
	char both[512];
	snprintf(both, sizeof(both), "%s%s", glibc, musl);
	assert_int_equal(pj_libc_from_maps(both, &l), -EINVAL);
	assert_int_equal(pj_libc_from_maps("55-56 r-xp 0 0:0 1 /app/static\n", &l), -ENOENT);
}

static void test_libc_detect_probes_root(void **state)
{
	(void)state;
	char *root = make_tmp(0755), path[PATH_MAX], err[128];
	int rootfd = open(root, O_PATH | O_DIRECTORY);
	assert_true(rootfd >= 0);
	pj_libc l;
	assert_int_equal(pj_libc_detect("", rootfd, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "glibc or musl"));
	snprintf(path, sizeof(path), "%s/lib", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/lib/ld-musl-x86_64.so.1", root);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(pj_libc_detect("", rootfd, &l, err, sizeof(err)), 0);
	assert_int_equal(l, PJ_LIBC_MUSL);
	close(rootfd);
	rm_rf(root);
	free(root);
}

static void test_dist_copy_to_target(void **state)
{
	(void)state;
	char *root = make_tmp(0755), *host = make_tmp(0755), path[PATH_MAX], err[256];
	int rootfd = open(root, O_PATH | O_DIRECTORY);
	assert_true(rootfd >= 0);
	const char *lib = "/tmp/alloy-asprof-glibc-abc/lib/libasyncProfiler.so";
	assert_int_equal(pj_dist_copy_to_target(rootfd, lib, lib_glibc, sizeof(lib_glibc), err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s%s", root, lib);
	pj_buf got = PJ_BUF_INIT;
	read_path(path, &got);
	assert_int_equal(got.len, sizeof(lib_glibc));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	/* Again: identical content is fine; different content is refused. */
	assert_int_equal(pj_dist_copy_to_target(rootfd, lib, lib_glibc, sizeof(lib_glibc), err, sizeof(err)), 0);
	assert_int_equal(pj_dist_copy_to_target(rootfd, lib, lib_musl, sizeof(lib_musl), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "different content"));
	/* The container planted an absolute symlink at the library directory: refused, and the host
	 * directory it names stays untouched. */
	snprintf(path, sizeof(path), "%s/opt", root);
	assert_int_equal(symlink(host, path), 0);
	assert_int_equal(pj_dist_copy_to_target(rootfd, "/opt/lib/libasyncProfiler.so", lib_glibc, sizeof(lib_glibc),
				 err, sizeof(err)), -1);
	assert_non_null(strstr(err, "contains a symlink"));
	snprintf(path, sizeof(path), "%s/lib", host);
	assert_int_equal(access(path, F_OK), -1);
	/* A symlink at the library's own name is refused too. */
	snprintf(path, sizeof(path), "%s/tmp/alloy-asprof-glibc-abc/lib/libasyncProfiler.so", root);
	assert_int_equal(unlink(path), 0);
	char host_file[PATH_MAX + 16];
	snprintf(host_file, sizeof(host_file), "%s/file", host);
	FILE *f = fopen(host_file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(symlink(host_file, path), 0);
	assert_int_equal(pj_dist_copy_to_target(rootfd, lib, lib_glibc, sizeof(lib_glibc), err, sizeof(err)), -1);
	struct stat hst;
	assert_int_equal(stat(host_file, &hst), 0);
	assert_int_equal(hst.st_size, 0);
	pj_buf_free(&got);
	close(rootfd);
	rm_rf(root);
	rm_rf(host);
	free(root);
	free(host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dist_pack_parse_round_trip),
		cmocka_unit_test(test_dist_parse_refuses_unsafe_names),
		cmocka_unit_test(test_dist_extract_layout_and_reuse),
		cmocka_unit_test(test_dist_extract_refuses_changed_file),
		cmocka_unit_test(test_dist_extract_refuses_symlinks),
		cmocka_unit_test(test_dist_tmp_dir_ownership_rules),
		cmocka_unit_test(test_dist_extract_refuses_wrong_mode_dir),
		cmocka_unit_test(test_dist_extract_detects_noexec),
		cmocka_unit_test(test_dist_without_embedded_archive),
		cmocka_unit_test(test_dist_open_dir),
		cmocka_unit_test(test_libc_from_maps),
		cmocka_unit_test(test_libc_detect_probes_root),
		cmocka_unit_test(test_dist_copy_to_target),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
