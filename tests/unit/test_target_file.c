/*
 * Taking agent output from a target's filesystem: the file is read and
 * removed; a planted symlink at the file or on its directory never makes
 * pyrojava read or delete the host file it names; oversized files are
 * removed unread.
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

#include "base/buf.h"
#include "jvm/safe_open.h"
#include "jvm/target_file.h"

typedef struct fixture {
	char root[64], host[64];
	int rootfd;
} fixture;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	snprintf(f->root, sizeof(f->root), "/tmp/pj-tf-root-XXXXXX");
	snprintf(f->host, sizeof(f->host), "/tmp/pj-tf-host-XXXXXX");
	if (!mkdtemp(f->root) || !mkdtemp(f->host))
		return -1;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/tmp", f->root);
	mkdir(path, 01777);
	snprintf(path, sizeof(path), "%s/secret.jfr", f->host);
	write_file(path, "host secret");
	f->rootfd = open(f->root, O_PATH | O_DIRECTORY);
	*state = f;
	return f->rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", f->root, f->host);
	close(f->rootfd);
	free(f);
	return system(cmd) == 0 ? 0 : -1;
}

static void assert_host_intact(const fixture *f)
{
	char path[PATH_MAX], buf[32] = "";
	snprintf(path, sizeof(path), "%s/secret.jfr", f->host);
	FILE *h = fopen(path, "r");
	assert_non_null(h);
	assert_non_null(fgets(buf, sizeof(buf), h));
	fclose(h);
	assert_string_equal(buf, "host secret");
}

static void test_take_reads_and_removes(void **state)
{
	fixture *f = *state;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/tmp/a.jfr", f->root);
	write_file(path, "recording");
	pj_buf b = PJ_BUF_INIT;
	assert_int_equal(pj_target_take_file(f->rootfd, "/tmp/a.jfr", 1024, &b), 0);
	assert_int_equal(b.len, 9);
	assert_memory_equal(b.data, "recording", 9);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(pj_target_take_file(f->rootfd, "/tmp/a.jfr", 1024, &b), -ENOENT);
	pj_buf_free(&b);
}

static void test_take_refuses_symlink_at_file(void **state)
{
	fixture *f = *state;
	char link[PATH_MAX], target[PATH_MAX];
	snprintf(link, sizeof(link), "%s/tmp/b.jfr", f->root);
	snprintf(target, sizeof(target), "%s/secret.jfr", f->host);
	assert_int_equal(symlink(target, link), 0);
	pj_buf b = PJ_BUF_INIT;
	assert_int_equal(pj_target_take_file(f->rootfd, "/tmp/b.jfr", 1024, &b), -ELOOP);
	assert_int_equal(b.len, 0);
	assert_host_intact(f);
	struct stat st;
	assert_int_equal(lstat(link, &st), -1);
	pj_buf_free(&b);
}

/* /tmp itself replaced by an absolute symlink to a host directory holding a file of that name. */
static void test_take_never_leaves_the_root(void **state)
{
	fixture *f = *state;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/tmp", f->root);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(symlink(f->host, path), 0);
	pj_buf b = PJ_BUF_INIT;
	assert_true(pj_target_take_file(f->rootfd, "/tmp/secret.jfr", 1024, &b) < 0);
	assert_int_equal(b.len, 0);
	assert_host_intact(f);
	pj_safe_open_force_walk();
	assert_int_equal(pj_target_take_file(f->rootfd, "/tmp/secret.jfr", 1024, &b), -ELOOP);
	assert_host_intact(f);
	pj_buf_free(&b);
}

static void test_take_removes_oversized_unread(void **state)
{
	fixture *f = *state;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/tmp/big.jfr", f->root);
	write_file(path, "0123456789");
	pj_buf b = PJ_BUF_INIT;
	assert_int_equal(pj_target_take_file(f->rootfd, "/tmp/big.jfr", 4, &b), -EFBIG);
	assert_int_equal(b.len, 0);
	assert_int_equal(access(path, F_OK), -1);
	pj_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_reads_and_removes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_refuses_symlink_at_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_removes_oversized_unread, setup, teardown),
		/* Last: it switches the process to the component walk. */
		cmocka_unit_test_setup_teardown(test_take_never_leaves_the_root, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
