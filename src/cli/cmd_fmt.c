/*
 * pyrojava fmt [-w|--write] [-t|--test] [FILE|-]: formats a configuration the
 * way `alloy fmt` does, with the same flags, messages and exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "cli/commands.h"
#include "syntax/ast.h"
#include "syntax/printer.h"

static const char pj_fmt_usage[] =
	"usage: pyrojava fmt [-w|--write] [-t|--test] [FILE|-]\n"
	"\n"
	"Formats an Alloy configuration file. Without FILE, or with \"-\", reads stdin.\n"
	"\n"
	"  -w, --write   write the result back to FILE instead of stdout\n"
	"  -t, --test    print nothing; exit non-zero if FILE is not formatted\n"
	"  -h, --help    show this help\n";

typedef struct pj_fmt_opts {
	bool write;
	bool test;
	const char *path;
} pj_fmt_opts;

/* Prints "Error: <message>" and returns the failure status, as Alloy's CLI does. */
static int pj_fmt_fail(const char *fmt, const char *arg)
{
	fputs("Error: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

/* "op path: reason" with the reason in lower case, as Go prints system errors. */
static int pj_fmt_fail_errno(const char *op, const char *path, int err)
{
	char *msg = pj_asprintf("%s %s: %s", op, path, strerror(err));
	char *reason = msg + strlen(op) + strlen(path) + 3;
	if (*reason >= 'A' && *reason <= 'Z')
		*reason = (char)(*reason - 'A' + 'a');
	int rc = pj_fmt_fail("%s", msg);
	free(msg);
	return rc;
}

/* Returns -1 when the arguments are fine, else the exit status. */
static int pj_fmt_parse_args(int argc, char **argv, pj_fmt_opts *o)
{
	int npaths = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-w") == 0 || strcmp(a, "--write") == 0) {
			o->write = true;
		} else if (strcmp(a, "-t") == 0 || strcmp(a, "--test") == 0) {
			o->test = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(pj_fmt_usage, stdout);
			return 0;
		} else if (a[0] == '-' && a[1] == '-') {
			return pj_fmt_fail("unknown flag: %s", a);
		} else if (a[0] == '-' && a[1] != '\0') {
			return pj_fmt_fail("unknown shorthand flag: %s", a);
		} else {
			o->path = a;
			npaths++;
		}
	}
	if (npaths > 1) {
		char n[16];
		snprintf(n, sizeof(n), "%d", npaths);
		return pj_fmt_fail("accepts between 0 and 1 arg(s), received %s", n);
	}
	return -1;
}

static int pj_fmt_write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, mode);
	if (fd < 0)
		return pj_fmt_fail_errno("open", path, errno);
	size_t len = strlen(text), done = 0;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return pj_fmt_fail("write %s failed", path);
		}
		done += (size_t)n;
	}
	if (close(fd) != 0)
		return pj_fmt_fail("write %s failed", path);
	return 0;
}

/* Formats src; prints, checks or writes the result. Takes ownership of src. */
static int pj_fmt_source(pj_source *src, const pj_fmt_opts *o, mode_t mode)
{
	pj_diags diags = PJ_DIAGS_INIT;
	pj_file *file = pj_parse(src, &diags);
	if (pj_diags_has_errors(&diags)) {
		pj_diags_print_brief(&diags, stderr);
		pj_diags_free(&diags);
		pj_file_free(file);
		return pj_fmt_fail("%s", "encountered errors during formatting");
	}
	pj_diags_free(&diags);
	char *out = pj_format_file(file);
	bool same = strlen(out) == file->src->len && memcmp(out, file->src->text, file->src->len) == 0;
	int rc = 0;
	if (o->test) {
		if (!same)
			rc = pj_fmt_fail("file %s is not formatted correctly", file->src->name);
	} else if (!o->write) {
		if (fputs(out, stdout) == EOF || fflush(stdout) != 0)
			rc = pj_fmt_fail("%s", "writing to standard output failed");
	} else if (!same) {
		rc = pj_fmt_write_file(o->path, out, mode);
	}
	free(out);
	pj_file_free(file);
	return rc;
}

int cmd_fmt(int argc, char **argv)
{
	pj_fmt_opts o = {false, false, "-"};
	int rc = pj_fmt_parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (o.write && o.test)
		return pj_fmt_fail("%s", "cannot use -w/--write and -t/--test at the same time");
	bool is_stdin = strcmp(o.path, "-") == 0;
	mode_t mode = 0644;
	if (is_stdin && o.write)
		return pj_fmt_fail("%s", "cannot use -w with standard input");
	if (!is_stdin) {
		struct stat st;
		if (stat(o.path, &st) != 0)
			return pj_fmt_fail_errno("stat", o.path, errno);
		if (S_ISDIR(st.st_mode))
			return pj_fmt_fail("%s", "cannot format a directory");
		mode = st.st_mode & 0777;
	}
	char *err = NULL;
	pj_source *src = pj_source_load(o.path, is_stdin ? "<stdin>" : o.path, &err);
	if (!src) {
		rc = pj_fmt_fail("%s", err);
		free(err);
		return rc;
	}
	return pj_fmt_source(src, &o, mode);
}
