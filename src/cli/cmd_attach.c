/*
 * `pyrojava attach PID COMMAND [ARG...]`: one HotSpot attach operation, the
 * way jattach runs it, for debugging targets that fail to profile. Prints the
 * JVM's output and exits with the operation's result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "cli/commands.h"
#include "jvm/attach.h"

static void attach_usage(FILE *out)
{
	fprintf(out,
		"usage: pyrojava attach [--timeout SECONDS] PID COMMAND [ARG...]\n"
		"\n"
		"Runs one HotSpot attach operation in JVM PID and prints its output.\n"
		"Exit status: the operation's result (for load, Agent_OnAttach's return\n"
		"code), 1 if the attach itself failed, 2 for usage errors.\n"
		"\n"
		"commands:\n"
		"  load LIBRARY true|false [OPTIONS]   load a JVMTI agent (true: LIBRARY is an\n"
		"                                      absolute path inside the JVM's filesystem)\n"
		"  jcmd COMMAND [ARG...]               run a diagnostic command, e.g. VM.version\n"
		"  properties                          the JVM's system properties\n"
		"  agentProperties                     the agent properties\n"
		"  threaddump [l][e]                   thread dump (l: locks, e: extended)\n"
		"  inspectheap [-live|-all]            class histogram\n"
		"  dumpheap FILE [-live|-all]          heap dump, FILE as seen by the JVM\n"
		"  setflag NAME VALUE | printflag NAME manageable VM flags\n"
		"  datadump                            thread dump to the JVM's own stdout\n"
		"\n"
		"options:\n"
		"  --timeout SECONDS   how long to wait for the reply (default 10, 30 for load)\n");
}

/* Joins argv[from..argc) with spaces. */
static char *join_args(int argc, char **argv, int from)
{
	pj_buf b = PJ_BUF_INIT;
	for (int i = from; i < argc; i++) {
		if (i > from)
			pj_buf_putc(&b, ' ');
		pj_buf_puts(&b, argv[i]);
	}
	return pj_buf_detach(&b);
}

/*
 * jattach's packing: jcmd takes the whole diagnostic command line as one
 * argument; other commands take up to three, extra words joining the last.
 */
static size_t pack_args(const char *cmd, int argc, char **argv, char **packed)
{
	if (argc == 0)
		return 0;
	if (strcmp(cmd, "jcmd") == 0) {
		packed[0] = join_args(argc, argv, 0);
		return 1;
	}
	size_t n = argc < PJ_ATTACH_MAX_ARGS ? (size_t)argc : PJ_ATTACH_MAX_ARGS;
	for (size_t i = 0; i + 1 < n; i++)
		packed[i] = pj_strdup(argv[i]);
	packed[n - 1] = join_args(argc, argv, (int)n - 1);
	return n;
}

static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v <= 0 || v > 0x3fffffff)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

static int parse_timeout(const char *s, int *ms)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || end == s || !(v > 0) || v > 86400)
		return -1;
	*ms = (int)(v * 1000);
	return *ms > 0 ? 0 : -1;
}

static int print_result(const char *cmd, const pj_attach_result *res)
{
	/* A failed load's text is the JVM's error message (JDK 21+ sends it with status 0). */
	FILE *out = strcmp(cmd, "load") == 0 && res->result < 0 ? stderr : stdout;
	if (res->output.len > 0 && fwrite(res->output.data, 1, res->output.len, out) != res->output.len)
		return 1;
	if (res->output.len > 0 && res->output.data[res->output.len - 1] != '\n')
		fputc('\n', out);
	if (res->truncated)
		fprintf(stderr, "pyrojava attach: output truncated\n");
	if (fflush(stdout) != 0)
		return 1;
	return res->result & 0xff;
}

int cmd_attach(int argc, char **argv)
{
	pj_attach_opts opts;
	pj_attach_opts_init(&opts);
	int timeout_ms = 0;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			attach_usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc &&
		    parse_timeout(argv[i + 1], &timeout_ms) == 0) {
			i++;
			continue;
		}
		fprintf(stderr, "pyrojava attach: bad option \"%s\"\n\n", argv[i]);
		attach_usage(stderr);
		return 2;
	}
	pid_t pid;
	if (argc - i < 2 || parse_pid(argv[i], &pid) != 0) {
		attach_usage(stderr);
		return 2;
	}
	const char *cmd = argv[i + 1];
	opts.reply_timeout_ms = timeout_ms ? timeout_ms : strcmp(cmd, "load") == 0 ? 30000 : 10000;
	char *packed[PJ_ATTACH_MAX_ARGS] = {NULL};
	size_t nargs = pack_args(cmd, argc - i - 2, argv + i + 2, packed);
	pj_attach_result res;
	int rc;
	if (pj_attach(pid, cmd, (const char *const *)packed, nargs, &opts, &res) != PJ_ATTACH_OK) {
		fprintf(stderr, "pyrojava attach: %s\n", res.message);
		rc = 1;
	} else {
		rc = print_result(cmd, &res);
	}
	pj_attach_result_free(&res);
	for (size_t k = 0; k < nargs; k++)
		free(packed[k]);
	return rc;
}
